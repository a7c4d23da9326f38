-- Bluelamp PostgreSQL schema, version 7: a queryable index of the audit log, so information
-- managers can find entries by record, actor, kind, action, purpose and time. The log itself
-- (`audit_entries`) stays the only authority: a search finds sequence numbers here and returns
-- the rows of `audit_entries`. `append_audit` writes these rows in the same transaction as the
-- entries. Neither table references `audit_entries`, so tampering with the log (which the
-- verifier must see exactly as stored) is never blocked by the index. Migrations are
-- append-only.

CREATE TABLE audit_index (
    seq     bigint      NOT NULL PRIMARY KEY CHECK (seq >= 0),
    at      timestamptz NOT NULL,
    actor   text        NOT NULL,   -- e.g. 'staff:0190…', 'system:cli'
    kind    text        NOT NULL,   -- s.62 kind: 'collection', 'consultation', …
    action  text        NOT NULL,   -- e.g. 'record.read'
    purpose text,                   -- the justification, if any
    outcome text        NOT NULL    -- 'allowed' or 'denied'
);

-- Each filter walks its own index newest first (descending seq). The purpose is matched as a
-- substring, which no index serves: it is checked on the rows the other conditions (or the
-- primary key, newest first) give, until a page is full.
CREATE INDEX audit_index_by_actor ON audit_index (actor, seq);
CREATE INDEX audit_index_by_kind ON audit_index (kind, seq);
CREATE INDEX audit_index_by_action ON audit_index (action, seq);
CREATE INDEX audit_index_by_at ON audit_index (at, seq);

-- The records each entry names, one row per (record, entry): newest first for one record is a
-- walk of the primary key.
CREATE TABLE audit_index_records (
    record_id uuid   NOT NULL,
    seq       bigint NOT NULL,
    PRIMARY KEY (record_id, seq)
);

-- Index the entries already in the log, from their canonical leaf JSON
-- (bluelamp_audit::Entry::leaf_bytes). A row that is not UTF-8 JSON of that shape (only
-- possible after tampering, which the verifier reports) is left out rather than stopping the
-- upgrade.
CREATE FUNCTION pg_temp.bluelamp_leaf_json(leaf bytea) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    parsed jsonb;
BEGIN
    parsed := convert_from(leaf, 'UTF8')::jsonb;
    IF jsonb_typeof(parsed) <> 'object'
       OR jsonb_typeof(parsed -> 'at') IS DISTINCT FROM 'string'
       OR jsonb_typeof(parsed -> 'actor') IS DISTINCT FROM 'string'
       OR jsonb_typeof(parsed -> 'kind') IS DISTINCT FROM 'string'
       OR jsonb_typeof(parsed -> 'action') IS DISTINCT FROM 'string'
       OR jsonb_typeof(parsed -> 'outcome') IS DISTINCT FROM 'string' THEN
        RETURN NULL;
    END IF;
    PERFORM (parsed ->> 'at')::timestamptz;
    RETURN parsed;
EXCEPTION WHEN others THEN
    RETURN NULL;
END;
$$;

CREATE TEMPORARY TABLE bluelamp_leaves ON COMMIT DROP AS
SELECT seq, pg_temp.bluelamp_leaf_json(leaf) AS j FROM audit_entries;

INSERT INTO audit_index (seq, at, actor, kind, action, purpose, outcome)
SELECT seq,
       (j ->> 'at')::timestamptz,
       j ->> 'actor',
       j ->> 'kind',
       j ->> 'action',
       CASE WHEN jsonb_typeof(j -> 'purpose') = 'string' THEN j ->> 'purpose' END,
       j ->> 'outcome'
FROM bluelamp_leaves
WHERE j IS NOT NULL;

INSERT INTO audit_index_records (record_id, seq)
SELECT DISTINCT named.id::uuid, seq
FROM bluelamp_leaves,
     jsonb_array_elements_text(
         CASE WHEN jsonb_typeof(j -> 'records') = 'array' THEN j -> 'records' ELSE '[]' END
     ) AS named (id)
WHERE j IS NOT NULL
  AND named.id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

DROP FUNCTION pg_temp.bluelamp_leaf_json(bytea);
