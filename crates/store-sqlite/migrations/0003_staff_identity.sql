-- Bluelamp embedded schema, version 3: staff identity (passwords, the TOTP second factor,
-- failed sign-ins and lockout), sessions, pending sign-ins and teams. Migrations are
-- append-only: never edit a shipped file, add a new one.

-- Teams of staff.
CREATE TABLE teams (
    id         TEXT NOT NULL PRIMARY KEY,              -- UUIDv7
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL                           -- RFC 3339, UTC, whole microseconds
) STRICT;

-- One row per account that has any identity state. The password is an Argon2id PHC string;
-- the TOTP secret is stored as is (encryption at rest is a follow-up).
CREATE TABLE staff_identity (
    staff_id            TEXT    NOT NULL PRIMARY KEY REFERENCES staff (id),
    password_hash       TEXT,
    totp_secret         BLOB,
    totp_pending_secret BLOB,
    totp_last_step      INTEGER CHECK (totp_last_step >= 0),
    locked_at           TEXT,                          -- RFC 3339, UTC; NULL when not locked
    last_sign_in_at     TEXT,                          -- RFC 3339, UTC
    team_id             TEXT REFERENCES teams (id)
) STRICT;

-- Failed sign-ins (wrong password or wrong code), counted in a sliding window for lockout.
CREATE TABLE staff_failed_sign_ins (
    staff_id TEXT NOT NULL REFERENCES staff (id),
    at       TEXT NOT NULL                             -- RFC 3339, UTC, whole microseconds
) STRICT;

CREATE INDEX staff_failed_sign_ins_by_staff ON staff_failed_sign_ins (staff_id, at);

-- Sessions; only the SHA-256 of a token is stored.
CREATE TABLE staff_sessions (
    token_hash   BLOB NOT NULL PRIMARY KEY CHECK (length(token_hash) = 32),
    staff_id     TEXT NOT NULL REFERENCES staff (id),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ended_at     TEXT                                  -- NULL while open
) STRICT;

CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

-- Sign-ins whose password was accepted, waiting for the second factor (single use).
CREATE TABLE staff_pending_sign_ins (
    token_hash BLOB NOT NULL PRIMARY KEY CHECK (length(token_hash) = 32),
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) STRICT;
