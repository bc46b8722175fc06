DROP TABLE sso_sessions;
DROP TABLE oidc_logins;
