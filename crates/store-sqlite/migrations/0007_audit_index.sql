-- Bluelamp embedded schema, version 7: a queryable index of the audit log, so information
-- managers can find entries by record, actor, kind, action, purpose and time. The log itself
-- (`audit_entries`) stays the only authority: a search finds sequence numbers here and returns
-- the rows of `audit_entries`. `append_audit` writes these rows in the same transaction as the
-- entries. Neither table references `audit_entries`, so tampering with the log (which the
-- verifier must see exactly as stored) is never blocked by the index. Migrations are
-- append-only.

CREATE TABLE audit_index (
    seq     INTEGER NOT NULL PRIMARY KEY CHECK (seq >= 0),
    at      TEXT    NOT NULL,   -- canonical RFC 3339 UTC with six fractional digits (sorts by time)
    actor   TEXT    NOT NULL,   -- e.g. 'staff:0190…', 'system:cli'
    kind    TEXT    NOT NULL,   -- s.62 kind: 'collection', 'consultation', …
    action  TEXT    NOT NULL,   -- e.g. 'record.read'
    purpose TEXT,               -- the justification, if any
    outcome TEXT    NOT NULL    -- 'allowed' or 'denied'
) STRICT;

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
    record_id TEXT    NOT NULL,   -- UUID, hyphenated lowercase
    seq       INTEGER NOT NULL,
    PRIMARY KEY (record_id, seq)
) STRICT, WITHOUT ROWID;

-- Index the entries already in the log, from their canonical leaf JSON
-- (bluelamp_audit::Entry::leaf_bytes). A row that is not JSON (only possible after tampering,
-- which the verifier reports) is left out rather than stopping the upgrade.
INSERT INTO audit_index (seq, at, actor, kind, action, purpose, outcome)
SELECT seq,
       json_extract(CAST(leaf AS TEXT), '$.at'),
       json_extract(CAST(leaf AS TEXT), '$.actor'),
       json_extract(CAST(leaf AS TEXT), '$.kind'),
       json_extract(CAST(leaf AS TEXT), '$.action'),
       CASE WHEN json_type(CAST(leaf AS TEXT), '$.purpose') = 'text'
            THEN json_extract(CAST(leaf AS TEXT), '$.purpose') END,
       json_extract(CAST(leaf AS TEXT), '$.outcome')
FROM audit_entries
WHERE json_valid(CAST(leaf AS TEXT))
  AND json_type(CAST(leaf AS TEXT), '$.at') = 'text'
  AND json_type(CAST(leaf AS TEXT), '$.actor') = 'text'
  AND json_type(CAST(leaf AS TEXT), '$.kind') = 'text'
  AND json_type(CAST(leaf AS TEXT), '$.action') = 'text'
  AND json_type(CAST(leaf AS TEXT), '$.outcome') = 'text';

INSERT OR IGNORE INTO audit_index_records (record_id, seq)
SELECT record.value, entry.seq
FROM audit_entries AS entry, json_each(CAST(entry.leaf AS TEXT), '$.records') AS record
WHERE json_valid(CAST(entry.leaf AS TEXT))
  AND json_type(CAST(entry.leaf AS TEXT), '$.records') = 'array'
  AND record.type = 'text';
