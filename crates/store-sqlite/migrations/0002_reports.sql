-- Bluelamp embedded schema, version 2: online reports, their timelines and their one-time
-- codes. Migrations are append-only: never edit a shipped file, add a new one.

-- An online report: what its reporter needs to follow it. Its content lives in POLE records
-- (the event, the reporter, ...), referenced by id.
CREATE TABLE reports (
    reference       TEXT NOT NULL PRIMARY KEY,          -- compact form, e.g. 7K3M9QXD2H4
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,
    event_id        TEXT NOT NULL REFERENCES records (id),
    reporter_id     TEXT REFERENCES records (id),       -- NULL for anonymous information
    contact_email   TEXT,
    idempotency_key TEXT NOT NULL UNIQUE,
    submitted_at    TEXT NOT NULL,                      -- RFC 3339, UTC, whole microseconds
    updated_at      TEXT NOT NULL,                      -- RFC 3339, UTC, whole microseconds
    crime_number    TEXT,
    officer         TEXT,
    outcome         TEXT,
    details         TEXT NOT NULL CHECK (json_valid(details))
) STRICT;

-- Newest first, optionally of one status.
CREATE INDEX reports_by_submitted ON reports (submitted_at DESC, reference);
CREATE INDEX reports_by_status ON reports (status, submitted_at DESC, reference);

-- A report's timeline; ids are UUIDv7, so id order is time order.
CREATE TABLE report_updates (
    id          TEXT NOT NULL PRIMARY KEY,
    reference   TEXT NOT NULL REFERENCES reports (reference),
    at          TEXT NOT NULL,                          -- RFC 3339, UTC, whole microseconds
    kind        TEXT NOT NULL,
    author      TEXT NOT NULL,
    author_name TEXT,
    text        TEXT,
    data        TEXT NOT NULL CHECK (json_valid(data))
) STRICT;

CREATE INDEX report_updates_by_reference ON report_updates (reference, id);

-- One-time codes sent to reporters. Only the SHA-256 of a code is stored.
CREATE TABLE one_time_codes (
    id              TEXT    NOT NULL PRIMARY KEY,
    reference       TEXT    NOT NULL REFERENCES reports (reference),
    code_hash       BLOB    NOT NULL CHECK (length(code_hash) = 32),
    created_at      TEXT    NOT NULL,                   -- RFC 3339, UTC, whole microseconds
    expires_at      TEXT    NOT NULL,
    used_at         TEXT,                               -- NULL until used
    failed_attempts INTEGER NOT NULL CHECK (failed_attempts BETWEEN 0 AND 4294967295)
) STRICT;

CREATE INDEX one_time_codes_by_reference ON one_time_codes (reference, created_at);
