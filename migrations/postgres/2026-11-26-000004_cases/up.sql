-- Case handling: the manager's assessment on the case row, corrective actions in their own
-- table. Every change is also an incident_events row (the history), never only an update.
ALTER TABLE incidents ADD COLUMN risk_likelihood INTEGER;
ALTER TABLE incidents ADD COLUMN risk_consequence INTEGER;
ALTER TABLE incidents ADD COLUMN risk_level TEXT;
ALTER TABLE incidents ADD COLUMN cause_category TEXT;
ALTER TABLE incidents ADD COLUMN investigation TEXT;
ALTER TABLE incidents ADD COLUMN injury_severity TEXT NOT NULL DEFAULT 'none';
ALTER TABLE incidents ADD COLUMN several_injured BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incidents ADD COLUMN serious_danger BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incidents ADD COLUMN status_reason TEXT;
ALTER TABLE incidents ADD COLUMN duplicate_of TEXT REFERENCES incidents (id);
-- Legal duties: NULL = not decided, TRUE = confirmed, FALSE = dismissed by the manager.
ALTER TABLE incidents ADD COLUMN av_confirmed BOOLEAN;
ALTER TABLE incidents ADD COLUMN av_reported_at TIMESTAMP;
ALTER TABLE incidents ADD COLUMN av_reference TEXT;
ALTER TABLE incidents ADD COLUMN av_reminded_at TIMESTAMP;
ALTER TABLE incidents ADD COLUMN av_escalated_at TIMESTAMP;
ALTER TABLE incidents ADD COLUMN fk_confirmed BOOLEAN;
ALTER TABLE incidents ADD COLUMN fk_reported_at TIMESTAMP;
ALTER TABLE incidents ADD COLUMN fk_reference TEXT;
ALTER TABLE incidents ADD COLUMN fk_reminded_at TIMESTAMP;
ALTER TABLE incidents ADD COLUMN fk_escalated_at TIMESTAMP;
CREATE INDEX incidents_status ON incidents (status);

-- Corrective actions (åtgärder) with an owner and a due date (YYYY-MM-DD, Europe/Stockholm).
-- The *_at columns claim each reminder once, with a conditional UPDATE in the transaction
-- that writes its mail.
CREATE TABLE corrective_actions (
    id                  TEXT PRIMARY KEY NOT NULL,
    incident_id         TEXT NOT NULL REFERENCES incidents (id),
    title               TEXT NOT NULL,
    description         TEXT,
    owner_email         TEXT NOT NULL,
    due_date            TEXT NOT NULL,
    cost_estimate_ore   BIGINT,
    state               TEXT NOT NULL,
    state_reason        TEXT,
    created_by          TEXT NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    version             BIGINT NOT NULL,
    reminded_before_at  TIMESTAMP,
    reminded_overdue_at TIMESTAMP,
    escalated_at        TIMESTAMP
);
CREATE INDEX corrective_actions_incident ON corrective_actions (incident_id);
CREATE INDEX corrective_actions_owner ON corrective_actions (owner_email, state, due_date);
