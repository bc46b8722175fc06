-- Retention: when a case's personal data was removed by a retention rule (NULL: never).
ALTER TABLE incidents ADD COLUMN anonymised_at TIMESTAMP;
-- Dead-mail alarms: when the safety coordinators were told that this mail is dead.
ALTER TABLE outbox ADD COLUMN dead_alarmed_at TIMESTAMP;
CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE state = 'sent';
-- Cost entries stay append-only for money, dates and references; retention (and only it)
-- may replace the people and free words in them: note, reason, entered_by.
CREATE OR REPLACE FUNCTION cost_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.id, NEW.incident_id, NEW.org_unit_id, NEW.category,
        NEW.direction, NEW.basis, NEW.amount_ore, NEW.sign, NEW.incurred_on, NEW.month,
        NEW.voucher_ref, NEW.origin, NEW.reverses_id, NEW.entered_at)
        IS NOT DISTINCT FROM (OLD.id, OLD.incident_id, OLD.org_unit_id, OLD.category,
        OLD.direction, OLD.basis, OLD.amount_ore, OLD.sign, OLD.incurred_on, OLD.month,
        OLD.voucher_ref, OLD.origin, OLD.reverses_id, OLD.entered_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'cost entries are append-only: add a reversal instead';
END;
$$;
