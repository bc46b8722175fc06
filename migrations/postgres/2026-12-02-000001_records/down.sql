CREATE OR REPLACE FUNCTION cost_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cost entries are append-only: add a reversal instead';
END;
$$;
DROP INDEX outbox_sent_at;
ALTER TABLE outbox DROP COLUMN dead_alarmed_at;
ALTER TABLE incidents DROP COLUMN anonymised_at;
