-- The line organisation. Ids are UUID text; times are UTC.
CREATE TABLE org_units (
    id               TEXT PRIMARY KEY NOT NULL,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    parent_id        TEXT REFERENCES org_units (id),
    active           BOOLEAN NOT NULL DEFAULT 1,
    manager_name     TEXT,
    manager_email    TEXT,
    deputy_name      TEXT,
    deputy_email     TEXT,
    safety_rep_email TEXT,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX org_units_parent ON org_units (parent_id);

-- Closure table: one row per (ancestor, descendant) pair, including each unit with itself at
-- depth 0, so "everything under X" is one indexed lookup.
CREATE TABLE org_closure (
    ancestor_id   TEXT NOT NULL REFERENCES org_units (id),
    descendant_id TEXT NOT NULL REFERENCES org_units (id),
    depth         INTEGER NOT NULL,
    PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX org_closure_descendant ON org_closure (descendant_id, depth);

CREATE TABLE incidents (
    id               TEXT PRIMARY KEY NOT NULL,
    tracking_code    TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    status           TEXT NOT NULL,
    org_unit_id      TEXT NOT NULL REFERENCES org_units (id),
    occurred_at      TIMESTAMP NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL,
    location         TEXT,
    latitude         DOUBLE,
    longitude        DOUBLE,
    immediate_action TEXT,
    anonymous        BOOLEAN NOT NULL,
    reporter_name    TEXT,
    reporter_email   TEXT,
    reporter_phone   TEXT,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX incidents_unit_created ON incidents (org_unit_id, created_at);
CREATE INDEX incidents_created ON incidents (created_at);

CREATE TABLE incident_consequences (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    consequence TEXT NOT NULL,
    PRIMARY KEY (incident_id, consequence)
);

-- The case history. Append-only: the application never updates or deletes a row.
CREATE TABLE incident_events (
    id          TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    at          TIMESTAMP NOT NULL,
    actor       TEXT,
    kind        TEXT NOT NULL,
    public      BOOLEAN NOT NULL,
    data        TEXT NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, at);

-- Answers to creating requests, by client key, so a retried POST returns the first answer.
CREATE TABLE idempotency_keys (
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER NOT NULL,
    location      TEXT,
    response_body TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, key)
);
