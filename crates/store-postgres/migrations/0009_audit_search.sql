-- Bluelamp PostgreSQL schema, version 9: audit searches that stay fast on a log of tens of
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
-- A search walks only that range and still checks `at` itself on every row. The (at, seq)
-- index is no longer used.
ALTER TABLE audit_index ADD COLUMN at_high timestamptz, ADD COLUMN at_low timestamptz;

UPDATE audit_index
SET at_high = bounds.high, at_low = bounds.low
FROM (
    SELECT seq,
           max(at) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS high,
           min(at) OVER (ORDER BY seq ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS low
    FROM audit_index
) AS bounds
WHERE bounds.seq = audit_index.seq;

ALTER TABLE audit_index ALTER COLUMN at_high SET NOT NULL, ALTER COLUMN at_low SET NOT NULL;

CREATE INDEX audit_index_by_at_high ON audit_index (at_high, seq);
CREATE INDEX audit_index_by_at_low ON audit_index (at_low, seq);
DROP INDEX audit_index_by_at;

-- Purpose text: a trigram index (pg_trgm, a trusted extension) of the purpose lowercased
-- under the C collation (ASCII letters only, as AuditFilter::matches folds), which serves
-- `LIKE '%…%'` on that expression; the planner chooses it for rare text and walks the
-- newest entries for common text.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX audit_index_purpose_trigrams ON audit_index
    USING gin (lower(purpose COLLATE "C") gin_trgm_ops);
