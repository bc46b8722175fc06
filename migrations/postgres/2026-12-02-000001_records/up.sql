-- Retention: when a case's personal data was removed by a retention rule (NULL: never).
ALTER TABLE incidents ADD COLUMN anonymised_at TIMESTAMP;
-- Dead-mail alarms: when the safety coordinators were told that this mail is dead.
ALTER TABLE outbox ADD COLUMN dead_alarmed_at TIMESTAMP;
CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE state = 'sent';
