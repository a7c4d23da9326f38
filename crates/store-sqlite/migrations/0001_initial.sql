-- Bluelamp embedded schema, version 1. Migrations are append-only: never edit a shipped file,
-- add a new one.

-- POLE records. `body` is the full serde JSON of the record; the other columns are copies of
-- fields used to filter and order without parsing JSON.
CREATE TABLE records (
    id             TEXT    NOT NULL PRIMARY KEY,   -- UUIDv7, hyphenated lowercase (sorts by time)
    kind           TEXT    NOT NULL,
    classification TEXT    NOT NULL,
    sensitive      INTEGER NOT NULL CHECK (sensitive IN (0, 1)),
    next_review    TEXT    NOT NULL,               -- YYYY-MM-DD
    created_at     TEXT    NOT NULL,               -- RFC 3339, UTC
    body           TEXT    NOT NULL CHECK (json_valid(body))
) STRICT;

CREATE INDEX records_by_kind ON records (kind, id);
CREATE INDEX records_by_next_review ON records (next_review);

-- Typed, time-bounded links between two records.
CREATE TABLE links (
    id         TEXT NOT NULL PRIMARY KEY,
    from_id    TEXT NOT NULL REFERENCES records (id),
    to_id      TEXT NOT NULL REFERENCES records (id),
    role       TEXT NOT NULL,
    valid_from TEXT NOT NULL,               -- RFC 3339, UTC
    valid_to   TEXT,                        -- RFC 3339, UTC; NULL while open-ended
    body       TEXT NOT NULL CHECK (json_valid(body))
) STRICT;

CREATE INDEX links_by_from ON links (from_id);
CREATE INDEX links_by_to ON links (to_id);

-- Staff accounts. Only the SHA-256 of an API token is stored.
CREATE TABLE staff (
    id           TEXT    NOT NULL PRIMARY KEY,
    username     TEXT    NOT NULL UNIQUE,
    display_name TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    force        TEXT    NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    active       INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at   TEXT    NOT NULL
) STRICT;

-- The audit log: one row per Merkle leaf. `seq` is the rowid, so appends are cheap.
CREATE TABLE audit_entries (
    seq       INTEGER NOT NULL PRIMARY KEY CHECK (seq >= 0),
    leaf      BLOB    NOT NULL,
    leaf_hash BLOB    NOT NULL CHECK (length(leaf_hash) = 32)
) STRICT;

-- Append-only: an attacker with database access must drop these triggers first, which is
-- exactly what the verifier and the tamper tests assume.
CREATE TRIGGER audit_entries_refuse_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;

CREATE TRIGGER audit_entries_refuse_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;

-- Signed checkpoints of the audit log, in their text form.
CREATE TABLE checkpoints (
    size INTEGER NOT NULL PRIMARY KEY CHECK (size >= 0),
    text TEXT    NOT NULL
) STRICT;

CREATE TRIGGER checkpoints_refuse_update BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints is append-only');
END;

CREATE TRIGGER checkpoints_refuse_delete BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints is append-only');
END;
