-- Case-insensitive title search calls fold_case(). SQLite's own lower() folds only ASCII, so
-- the application registers a Unicode-aware fold_case() on every connection
-- (db::cases::register_sqlite_functions); nothing to store here.
SELECT 1;
