-- Photos attached to a case. Stored in the database so one backup holds everything; the bytes
-- are the server's re-encoding (orientation applied, all metadata removed), never the upload.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY NOT NULL,
    incident_id  TEXT NOT NULL REFERENCES incidents (id),
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    data         BYTEA NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX attachments_incident ON attachments (incident_id, created_at);
