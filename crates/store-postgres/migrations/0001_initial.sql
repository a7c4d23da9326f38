-- Bluelamp PostgreSQL schema, version 1. Migrations are append-only: never edit a shipped file,
-- add a new one.

-- POLE records. `body` is the full serde JSON of the record; the other columns are copies of
-- fields used to filter and order without parsing JSON.
CREATE TABLE records (
    id             uuid        NOT NULL PRIMARY KEY,  -- UUIDv7 (sorts by time)
    kind           text        NOT NULL,
    classification text        NOT NULL,
    sensitive      boolean     NOT NULL,
    next_review    date        NOT NULL,
    created_at     timestamptz NOT NULL,
    body           jsonb       NOT NULL
);

CREATE INDEX records_by_kind ON records (kind, id);
CREATE INDEX records_by_next_review ON records (next_review);

-- Typed, time-bounded links between two records.
CREATE TABLE links (
    id         uuid        NOT NULL PRIMARY KEY,
    from_id    uuid        NOT NULL REFERENCES records (id),
    to_id      uuid        NOT NULL REFERENCES records (id),
    role       text        NOT NULL,
    valid_from timestamptz NOT NULL,
    valid_to   timestamptz,                           -- NULL while open-ended
    body       jsonb       NOT NULL
);

CREATE INDEX links_by_from ON links (from_id);
CREATE INDEX links_by_to ON links (to_id);

-- Staff accounts. Only the SHA-256 of an API token is stored.
CREATE TABLE staff (
    id           uuid        NOT NULL PRIMARY KEY,
    username     text        NOT NULL UNIQUE,
    display_name text        NOT NULL,
    role         text        NOT NULL,
    force        text        NOT NULL,
    token_hash   bytea       NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    active       boolean     NOT NULL,
    created_at   timestamptz NOT NULL
);

-- The audit log: one row per Merkle leaf.
CREATE TABLE audit_entries (
    seq       bigint NOT NULL PRIMARY KEY CHECK (seq >= 0),
    leaf      bytea  NOT NULL,
    leaf_hash bytea  NOT NULL CHECK (octet_length(leaf_hash) = 32)
);

-- The next sequence number. Appenders reserve numbers with
-- `UPDATE audit_head SET next_seq = next_seq + n RETURNING next_seq - n`; the row lock
-- serialises them until commit, so numbers are gapless and in commit order.
CREATE TABLE audit_head (
    singleton boolean NOT NULL PRIMARY KEY DEFAULT true CHECK (singleton),
    next_seq  bigint  NOT NULL CHECK (next_seq >= 0)
);

INSERT INTO audit_head (singleton, next_seq) VALUES (true, 0);

-- Signed checkpoints of the audit log, in their text form.
CREATE TABLE checkpoints (
    size bigint NOT NULL PRIMARY KEY CHECK (size >= 0),
    text text   NOT NULL
);

-- Append-only tables: an attacker with database access must drop these triggers first, which
-- is exactly what the verifier and the tamper tests assume.
CREATE FUNCTION bluelamp_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER audit_entries_refuse_update_delete
    BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION bluelamp_refuse_change();

CREATE TRIGGER audit_entries_refuse_truncate
    BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION bluelamp_refuse_change();

CREATE TRIGGER checkpoints_refuse_update_delete
    BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION bluelamp_refuse_change();

CREATE TRIGGER checkpoints_refuse_truncate
    BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION bluelamp_refuse_change();
