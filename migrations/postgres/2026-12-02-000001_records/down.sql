DROP INDEX outbox_sent_at;
ALTER TABLE outbox DROP COLUMN dead_alarmed_at;
ALTER TABLE incidents DROP COLUMN anonymised_at;
