-- Logins under way with the municipal account (OpenID Connect): one row per redirect to the
-- provider, taken (deleted) by the callback, so a state works once. The key is the SHA-256 of
-- `state`; the nonce and the PKCE verifier never leave the server. Rows expire after minutes
-- and their number is capped (ops::auth::oidc_start).
CREATE TABLE oidc_logins (
    state_hash    TEXT PRIMARY KEY NOT NULL,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path     TEXT,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);

-- Sessions started through single sign-on: the roles the group claim granted (for as long as
-- the session lives) and the ID token the provider's logout takes as `id_token_hint`.
CREATE TABLE sso_sessions (
    session_hash TEXT PRIMARY KEY NOT NULL REFERENCES sessions (id_hash) ON DELETE CASCADE,
    roles        TEXT NOT NULL,
    id_token     TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
