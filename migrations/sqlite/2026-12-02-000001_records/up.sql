-- Retention: when a case's personal data was removed by a retention rule (NULL: never).
ALTER TABLE incidents ADD COLUMN anonymised_at TIMESTAMP;
-- Dead-mail alarms: when the safety coordinators were told that this mail is dead.
ALTER TABLE outbox ADD COLUMN dead_alarmed_at TIMESTAMP;
CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE state = 'sent';
-- Cost entries stay append-only for money, dates and references; retention (and only it)
-- may replace the people and free words in them: note, reason, entered_by.
DROP TRIGGER cost_entries_no_update;
CREATE TRIGGER cost_entries_no_update BEFORE UPDATE OF id, incident_id, org_unit_id, category,
    direction, basis, amount_ore, sign, incurred_on, month, voucher_ref, origin, reverses_id,
    entered_at ON cost_entries
BEGIN SELECT RAISE(ABORT, 'cost entries are append-only: add a reversal instead'); END;
