-- Bluelamp PostgreSQL schema, version 4: casework on online reports (crime number counters,
-- allocations, tasks and Victims' Code deadlines). Migrations are append-only: never edit a
-- shipped file, add a new one.

-- A crime number is issued once: no two reports share one.
CREATE UNIQUE INDEX reports_by_crime_number ON reports (crime_number)
    WHERE crime_number IS NOT NULL;

-- The crime number sequence of each force and year. `next_seq` is the number the next crime
-- recorded takes; it moves on inside the recording transaction (the row stays locked until
-- it ends), so the sequence is gapless.
CREATE TABLE crime_number_counters (
    force    text    NOT NULL,
    year     integer NOT NULL,
    next_seq bigint  NOT NULL CHECK (next_seq >= 1),
    PRIMARY KEY (force, year)
);

-- Who a report is allocated to: one officer or one team.
CREATE TABLE report_allocations (
    reference    text        NOT NULL PRIMARY KEY REFERENCES reports (reference),
    staff_id     uuid        REFERENCES staff (id),
    team_id      uuid        REFERENCES teams (id),
    allocated_at timestamptz NOT NULL,
    allocated_by text        NOT NULL,                 -- audit actor id
    CHECK ((staff_id IS NULL) <> (team_id IS NULL))
);

CREATE INDEX report_allocations_by_staff ON report_allocations (staff_id);
CREATE INDEX report_allocations_by_team ON report_allocations (team_id);

-- Tasks on a report; `victims_code` tasks carry the Victims' Code deadline's code.
CREATE TABLE report_tasks (
    id              uuid        NOT NULL PRIMARY KEY,
    reference       text        NOT NULL REFERENCES reports (reference),
    kind            text        NOT NULL CHECK (kind IN ('task', 'victims_code')),
    code            text,
    title           text        NOT NULL,
    due_at          timestamptz NOT NULL,
    assignee        uuid        REFERENCES staff (id),
    created_at      timestamptz NOT NULL,
    created_by      text        NOT NULL,              -- audit actor id
    completed_at    timestamptz,                       -- NULL while open
    completed_by    text,
    completion_note text
);

CREATE INDEX report_tasks_by_reference ON report_tasks (reference, id);
