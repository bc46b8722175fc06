-- A mail that carries a credential (a login or acknowledgement link) is stored with a
-- placeholder where the link goes; the worker puts the link in at send time. For a login mail
-- this column names the login token minted for the last attempt (its SHA-256, as in
-- login_tokens), so a retry replaces it instead of leaving several live links.
ALTER TABLE outbox ADD COLUMN secret_ref TEXT;
