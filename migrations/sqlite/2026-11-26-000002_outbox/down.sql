DROP TABLE org_absences;
DROP TABLE incident_routing;
DROP TABLE outbox;
