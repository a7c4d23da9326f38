-- Bluelamp PostgreSQL schema, version 8: MoPI review and disposal. Version 7 belongs to another
-- change; migrations are applied in version order and a missing version is not an error.
-- Migrations are append-only: never edit a shipped file, add a new one.

-- Every review decision (retain or dispose) with its reason. A disposed record's row is gone,
-- so `record_id` references nothing.
CREATE TABLE retention_reviews (
    id          uuid        NOT NULL PRIMARY KEY,
    record_id   uuid        NOT NULL,
    decided_at  timestamptz NOT NULL,
    decided_by  text        NOT NULL,                    -- audit actor id
    decision    text        NOT NULL CHECK (decision IN ('retain', 'dispose')),
    reason      text        NOT NULL CHECK (length(reason) > 0),
    next_review date                                     -- set by a retain
);

CREATE INDEX retention_reviews_by_record ON retention_reviews (record_id, id);

-- Tombstones of disposed records: no personal content, only what the deletion certificate
-- states. `audit_seq` is the erasure entry's sequence number.
CREATE TABLE record_disposals (
    record_id       uuid        NOT NULL PRIMARY KEY,
    kind            text        NOT NULL,
    classification  text        NOT NULL,
    sensitive       boolean     NOT NULL,
    retention_group text        NOT NULL,
    disposed_at     timestamptz NOT NULL,
    disposed_by     text        NOT NULL,                -- audit actor id
    reason          text        NOT NULL,
    links_removed   bigint      NOT NULL CHECK (links_removed >= 0),
    audit_seq       bigint      NOT NULL CHECK (audit_seq >= 0)
);

-- Disposal finds the reports that name a record.
CREATE INDEX reports_by_event ON reports (event_id);
CREATE INDEX reports_by_reporter ON reports (reporter_id);
