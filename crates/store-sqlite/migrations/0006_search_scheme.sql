-- Bluelamp embedded schema, version 6: which key scheme (bluelamp_domain::search::KEY_SCHEME)
-- the search index follows. 0 means "never rebuilt": the node rebuilds the index from the
-- records at start-up whenever this is older than the scheme it was built with, which also
-- indexes records stored before version 5. Migrations are append-only.

CREATE TABLE search_scheme (
    only_row INTEGER NOT NULL PRIMARY KEY CHECK (only_row = 1),
    scheme   INTEGER NOT NULL CHECK (scheme >= 0)
) STRICT;

INSERT INTO search_scheme (only_row, scheme) VALUES (1, 0);
