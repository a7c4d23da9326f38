-- Bluelamp embedded schema, version 10: staff vetting for need-to-know decisions. Each account
-- has a security clearance (the highest classification it may see) and the controlled
-- handling caveats it is briefed for (a JSON array of caveat codes, sorted). Existing accounts
-- start at OFFICIAL with no caveats. Records keep their handling (restriction, access list,
-- flags) in their JSON body. Migrations are append-only.

ALTER TABLE staff ADD COLUMN clearance TEXT NOT NULL DEFAULT 'OFFICIAL'
    CHECK (clearance IN ('OFFICIAL', 'SECRET', 'TOP_SECRET'));
ALTER TABLE staff ADD COLUMN caveats TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(caveats) AND json_type(caveats) = 'array');
