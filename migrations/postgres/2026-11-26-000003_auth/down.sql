DROP INDEX incidents_reporter_user;
ALTER TABLE incidents DROP COLUMN reporter_user_id;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE login_tokens;
DROP TABLE role_grants;
DROP TABLE users;
