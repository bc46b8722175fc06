-- Mail that must go out, written in the same transaction as what caused it, so nothing
-- between "201" and "sent" lives only in memory. States: pending (not tried yet), failed
-- (tried, will be retried at next_attempt_at), sent, dead (given up, visible to admins).
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    incident_id     TEXT REFERENCES incidents (id),
    purpose         TEXT NOT NULL,
    role            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until     TIMESTAMP,
    lease_owner     TEXT,
    last_error      TEXT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_incident ON outbox (incident_id);

-- The routing decision's deadlines per case. A reminder or escalation is claimed by setting
-- reminded_at / escalated_at with a conditional UPDATE in the transaction that writes its
-- mail, so each step happens once even with several instances.
CREATE TABLE incident_routing (
    incident_id         TEXT PRIMARY KEY NOT NULL REFERENCES incidents (id),
    responsible         TEXT NOT NULL,
    responsible_unit_id TEXT,
    serious             BOOLEAN NOT NULL,
    remind_at           TIMESTAMP NOT NULL,
    escalate_at         TIMESTAMP NOT NULL,
    reminded_at         TIMESTAMP,
    escalated_at        TIMESTAMP,
    acknowledged_at     TIMESTAMP
);
CREATE INDEX incident_routing_open ON incident_routing (acknowledged_at, remind_at);

-- A unit manager's absence (both dates inclusive, YYYY-MM-DD in Europe/Stockholm): while it
-- lasts the deputy receives the unit's reports.
CREATE TABLE org_absences (
    org_unit_id TEXT PRIMARY KEY NOT NULL REFERENCES org_units (id),
    away_from   TEXT NOT NULL,
    away_until  TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
