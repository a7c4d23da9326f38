-- Bluelamp embedded schema, version 9: audit searches that stay fast on a log of tens of
-- millions of entries (issue 5). Migrations are append-only.
--
-- Time windows. Entries are numbered in commit order and stamped a moment before, so `at`
-- almost always grows with `seq` but is not guaranteed to. Two columns turn a time window
-- into a range of sequence numbers that is never too narrow:
--   at_high: the latest `at` of this entry and every entry before it (never falls as seq
--            grows), so every entry at or after `from` has seq >= the first seq whose
--            at_high >= `from`;
--   at_low:  the earliest `at` of this entry and every entry after it (never falls as seq
--            grows; lowered on earlier entries when an entry arrives stamped earlier than
--            they are), so every entry before `to` has seq <= the last seq whose at_low < `to`.
-- A search walks only that range (through the index of its most selective condition) and
-- still checks `at` itself on every row. The (at, seq) index is no longer used.
ALTER TABLE audit_index ADD COLUMN at_high TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_index ADD COLUMN at_low TEXT NOT NULL DEFAULT '';

UPDATE audit_index
SET at_high = bounds.high, at_low = bounds.low
FROM (
    SELECT seq,
           max(at) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS high,
           min(at) OVER (ORDER BY seq ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS low
    FROM audit_index
) AS bounds
WHERE bounds.seq = audit_index.seq;

CREATE INDEX audit_index_by_at_high ON audit_index (at_high);
CREATE INDEX audit_index_by_at_low ON audit_index (at_low);
DROP INDEX audit_index_by_at;

-- Purpose text. A trigram index of each entry's purpose (rowid = seq; contentless, rowids
-- only): a search for a purpose of three characters or more looks up the entries holding
-- every trigram of it, newest first, then checks the purpose itself (a substring, ignoring
-- the case of ASCII letters). The trigram tokenizer folds case, so it finds a superset.
CREATE VIRTUAL TABLE audit_purpose_trigrams USING fts5 (
    purpose,
    content = '',
    detail = 'none',
    tokenize = 'trigram'
);

INSERT INTO audit_purpose_trigrams (rowid, purpose)
SELECT seq, purpose FROM audit_index WHERE purpose IS NOT NULL;
