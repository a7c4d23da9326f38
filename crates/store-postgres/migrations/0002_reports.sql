-- Bluelamp PostgreSQL schema, version 2: online reports, their timelines and their one-time
-- codes. Migrations are append-only: never edit a shipped file, add a new one.

-- An online report: what its reporter needs to follow it. Its content lives in POLE records
-- (the event, the reporter, ...), referenced by id.
CREATE TABLE reports (
    reference       text        NOT NULL PRIMARY KEY,   -- compact form, e.g. 7K3M9QXD2H4
    kind            text        NOT NULL,
    status          text        NOT NULL,
    event_id        uuid        NOT NULL REFERENCES records (id),
    reporter_id     uuid        REFERENCES records (id), -- NULL for anonymous information
    contact_email   text,
    idempotency_key text        NOT NULL UNIQUE,
    submitted_at    timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    crime_number    text,
    officer         text,
    outcome         text,
    details         jsonb       NOT NULL
);

-- Newest first, optionally of one status.
CREATE INDEX reports_by_submitted ON reports (submitted_at DESC, reference);
CREATE INDEX reports_by_status ON reports (status, submitted_at DESC, reference);

-- A report's timeline; ids are UUIDv7, so id order is time order.
CREATE TABLE report_updates (
    id          uuid        NOT NULL PRIMARY KEY,
    reference   text        NOT NULL REFERENCES reports (reference),
    at          timestamptz NOT NULL,
    kind        text        NOT NULL,
    author      text        NOT NULL,
    author_name text,
    text        text,
    data        jsonb       NOT NULL
);

CREATE INDEX report_updates_by_reference ON report_updates (reference, id);

-- One-time codes sent to reporters. Only the SHA-256 of a code is stored.
CREATE TABLE one_time_codes (
    id              uuid        NOT NULL PRIMARY KEY,
    reference       text        NOT NULL REFERENCES reports (reference),
    code_hash       bytea       NOT NULL CHECK (octet_length(code_hash) = 32),
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz,                         -- NULL until used
    failed_attempts bigint      NOT NULL CHECK (failed_attempts BETWEEN 0 AND 4294967295)
);

CREATE INDEX one_time_codes_by_reference ON one_time_codes (reference, created_at);
