ALTER TABLE outbox DROP COLUMN secret_ref;
