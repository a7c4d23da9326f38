-- Bluelamp embedded schema, version 4: casework on online reports (crime number counters,
-- allocations, tasks and Victims' Code deadlines). Migrations are append-only: never edit a
-- shipped file, add a new one.

-- A crime number is issued once: no two reports share one.
CREATE UNIQUE INDEX reports_by_crime_number ON reports (crime_number)
    WHERE crime_number IS NOT NULL;

-- The crime number sequence of each force and year. `next_seq` is the number the next crime
-- recorded takes; it moves on inside the recording transaction, so the sequence is gapless.
CREATE TABLE crime_number_counters (
    force    TEXT    NOT NULL,
    year     INTEGER NOT NULL,
    next_seq INTEGER NOT NULL CHECK (next_seq >= 1),
    PRIMARY KEY (force, year)
) STRICT;

-- Who a report is allocated to: one officer or one team.
CREATE TABLE report_allocations (
    reference    TEXT NOT NULL PRIMARY KEY REFERENCES reports (reference),
    staff_id     TEXT REFERENCES staff (id),
    team_id      TEXT REFERENCES teams (id),
    allocated_at TEXT NOT NULL,                        -- RFC 3339, UTC, whole microseconds
    allocated_by TEXT NOT NULL,                        -- audit actor id
    CHECK ((staff_id IS NULL) <> (team_id IS NULL))
) STRICT;

CREATE INDEX report_allocations_by_staff ON report_allocations (staff_id);
CREATE INDEX report_allocations_by_team ON report_allocations (team_id);

-- Tasks on a report; `victims_code` tasks carry the Victims' Code deadline's code.
CREATE TABLE report_tasks (
    id              TEXT NOT NULL PRIMARY KEY,         -- UUIDv7
    reference       TEXT NOT NULL REFERENCES reports (reference),
    kind            TEXT NOT NULL CHECK (kind IN ('task', 'victims_code')),
    code            TEXT,
    title           TEXT NOT NULL,
    due_at          TEXT NOT NULL,                     -- RFC 3339, UTC, whole microseconds
    assignee        TEXT REFERENCES staff (id),
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,                     -- audit actor id
    completed_at    TEXT,                              -- NULL while open
    completed_by    TEXT,
    completion_note TEXT
) STRICT;

CREATE INDEX report_tasks_by_reference ON report_tasks (reference, id);
