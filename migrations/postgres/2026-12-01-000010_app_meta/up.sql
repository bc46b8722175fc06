-- Facts about the database itself. `demo_seeded` is written when demo mode seeds an empty
-- database: `serve --demo` and the one-click demo logins work only on such a database, so
-- demo mode on a database with real data cannot create users anyone may log in as.
CREATE TABLE app_meta (
    name       TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
