-- People who log in, keyed by work e-mail (stored lower-case). Roles over units come from
-- the org tree (manager, deputy, safety representative e-mails) and from explicit grants;
-- the flags below are the roles that are not tied to a unit.
CREATE TABLE users (
    id                    TEXT PRIMARY KEY NOT NULL,
    email                 TEXT NOT NULL UNIQUE,
    name                  TEXT,
    is_admin              BOOLEAN NOT NULL DEFAULT FALSE,
    is_safety_coordinator BOOLEAN NOT NULL DEFAULT FALSE,
    is_finance            BOOLEAN NOT NULL DEFAULT FALSE,
    disabled              BOOLEAN NOT NULL DEFAULT FALSE,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);

-- Explicit rights over a unit and its subtree, beyond what the org tree says.
CREATE TABLE role_grants (
    user_id     TEXT NOT NULL REFERENCES users (id),
    org_unit_id TEXT NOT NULL REFERENCES org_units (id),
    role        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, org_unit_id, role)
);

-- Single-use login links; only the SHA-256 of the token is kept.
CREATE TABLE login_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    email      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX login_tokens_email ON login_tokens (email, created_at);

-- Server-side sessions; the cookie holds the id, the table its SHA-256.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Personal API tokens for integrations (Authorization: Bearer); only the hash is kept.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- The logged-in employee who made a report (they may follow it in the app as well).
ALTER TABLE incidents ADD COLUMN reporter_user_id TEXT REFERENCES users (id);
CREATE INDEX incidents_reporter_user ON incidents (reporter_user_id);
