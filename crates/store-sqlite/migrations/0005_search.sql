-- Bluelamp embedded schema, version 5: the one-box search index over POLE records. Each row is
-- one search key of one record (see bluelamp_domain::search), written with the record in the
-- same transaction. Version 4 is the casework migration; migrations are applied in version
-- order and a missing version is not an error. Migrations are append-only.

CREATE TABLE search_keys (
    key       TEXT NOT NULL,                           -- e.g. 'pn:SMT', 'vr:A812C0E'
    record_id TEXT NOT NULL REFERENCES records (id),
    kind      TEXT NOT NULL,                           -- the record's kind, to filter by
    PRIMARY KEY (key, record_id)
) STRICT, WITHOUT ROWID;

-- Replacing a record's keys finds them by record.
CREATE INDEX search_keys_record ON search_keys (record_id);
