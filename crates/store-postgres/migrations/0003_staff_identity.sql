-- Bluelamp schema, version 3: staff identity (passwords, the TOTP second factor, failed
-- sign-ins and lockout), sessions, pending sign-ins and teams. Migrations are append-only:
-- never edit a shipped file, add a new one.

-- Teams of staff.
CREATE TABLE teams (
    id         uuid        NOT NULL PRIMARY KEY,
    name       text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);

-- One row per account that has any identity state. The password is an Argon2id PHC string;
-- the TOTP secret is stored as is (encryption at rest is a follow-up).
CREATE TABLE staff_identity (
    staff_id            uuid        NOT NULL PRIMARY KEY REFERENCES staff (id),
    password_hash       text,
    totp_secret         bytea,
    totp_pending_secret bytea,
    totp_last_step      bigint      CHECK (totp_last_step >= 0),
    locked_at           timestamptz,
    last_sign_in_at     timestamptz,
    team_id             uuid        REFERENCES teams (id)
);

-- Failed sign-ins (wrong password or wrong code), counted in a sliding window for lockout.
CREATE TABLE staff_failed_sign_ins (
    staff_id uuid        NOT NULL REFERENCES staff (id),
    at       timestamptz NOT NULL
);

CREATE INDEX staff_failed_sign_ins_by_staff ON staff_failed_sign_ins (staff_id, at);

-- Sessions; only the SHA-256 of a token is stored.
CREATE TABLE staff_sessions (
    token_hash   bytea       NOT NULL PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    staff_id     uuid        NOT NULL REFERENCES staff (id),
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    ended_at     timestamptz
);

CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

-- Sign-ins whose password was accepted, waiting for the second factor (single use).
CREATE TABLE staff_pending_sign_ins (
    token_hash bytea       NOT NULL PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    staff_id   uuid        NOT NULL REFERENCES staff (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
