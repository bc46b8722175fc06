-- Case-insensitive title search (GET /api/v1/incidents?q=) calls fold_case() on both engines:
-- here it is PostgreSQL's Unicode-aware lower(); SQLite gets the same from the application.
CREATE FUNCTION fold_case(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT lower(t) $$;
