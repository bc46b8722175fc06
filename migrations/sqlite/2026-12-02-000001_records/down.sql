DROP TRIGGER cost_entries_no_update;
CREATE TRIGGER cost_entries_no_update BEFORE UPDATE ON cost_entries
BEGIN SELECT RAISE(ABORT, 'cost entries are append-only: add a reversal instead'); END;
DROP INDEX outbox_sent_at;
ALTER TABLE outbox DROP COLUMN dead_alarmed_at;
ALTER TABLE incidents DROP COLUMN anonymised_at;
