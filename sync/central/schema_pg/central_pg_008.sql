-- tilstede-central on PostgreSQL, schema version 8: the SQLite schema's
-- version 7 (central_007.sql), a roster file uploaded in the browser and
-- previewed, kept until its uploader applies it, bound to the session that
-- uploaded it (any process of the central can apply it).
CREATE TABLE web_upload (
    id_hash    bytea PRIMARY KEY,
    session    bytea NOT NULL REFERENCES web_session (id_hash) ON DELETE CASCADE,
    created_us bigint NOT NULL,
    name       text NOT NULL,
    data       bytea NOT NULL,
    added      bigint NOT NULL,
    changed    bigint NOT NULL,
    inactive   bigint NOT NULL
);
CREATE INDEX web_upload_session ON web_upload (session);
