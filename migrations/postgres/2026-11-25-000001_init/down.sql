DROP TABLE idempotency_keys;
DROP TABLE incident_events;
DROP TABLE incident_consequences;
DROP TABLE incidents;
DROP TABLE org_closure;
DROP TABLE org_units;
