-- Bluelamp embedded schema, version 8: MoPI review and disposal. Version 7 belongs to another
-- change; migrations are applied in version order and a missing version is not an error.
-- Migrations are append-only: never edit a shipped file, add a new one.

-- Every review decision (retain or dispose) with its reason. A disposed record's row is gone,
-- so `record_id` references nothing.
CREATE TABLE retention_reviews (
    id          TEXT NOT NULL PRIMARY KEY,               -- UUIDv7
    record_id   TEXT NOT NULL,
    decided_at  TEXT NOT NULL,                           -- RFC 3339, UTC, whole microseconds
    decided_by  TEXT NOT NULL,                           -- audit actor id
    decision    TEXT NOT NULL CHECK (decision IN ('retain', 'dispose')),
    reason      TEXT NOT NULL CHECK (length(reason) > 0),
    next_review TEXT                                     -- YYYY-MM-DD, set by a retain
) STRICT;

CREATE INDEX retention_reviews_by_record ON retention_reviews (record_id, id);

-- Tombstones of disposed records: no personal content, only what the deletion certificate
-- states. `audit_seq` is the erasure entry's sequence number.
CREATE TABLE record_disposals (
    record_id       TEXT    NOT NULL PRIMARY KEY,
    kind            TEXT    NOT NULL,
    classification  TEXT    NOT NULL,
    sensitive       INTEGER NOT NULL CHECK (sensitive IN (0, 1)),
    retention_group TEXT    NOT NULL,
    disposed_at     TEXT    NOT NULL,                    -- RFC 3339, UTC, whole microseconds
    disposed_by     TEXT    NOT NULL,                    -- audit actor id
    reason          TEXT    NOT NULL,
    links_removed   INTEGER NOT NULL CHECK (links_removed >= 0),
    audit_seq       INTEGER NOT NULL CHECK (audit_seq >= 0)
) STRICT;

-- Disposal finds the reports that name a record.
CREATE INDEX reports_by_event ON reports (event_id);
CREATE INDEX reports_by_reporter ON reports (reporter_id);
