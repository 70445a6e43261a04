-- tilstede-central, schema version 7: a roster file uploaded in the browser
-- and previewed, kept until its uploader applies it (or for a short while,
-- see WEB_UPLOAD_KEEP_S in web_roster.c). Bound to the session that
-- uploaded it: it goes when that session ends. id_hash is the BLAKE2b hash
-- of the random id the preview's "apply" form carries, so a stale preview
-- in another tab cannot apply a newer file. The counts are what the preview
-- showed; "apply" checks them again against the roster as it is then.
CREATE TABLE web_upload (
    id_hash    BLOB PRIMARY KEY,
    session    BLOB NOT NULL REFERENCES web_session(id_hash) ON DELETE CASCADE,
    created_us INTEGER NOT NULL,
    name       TEXT NOT NULL,
    data       BLOB NOT NULL,
    added      INTEGER NOT NULL,
    changed    INTEGER NOT NULL,
    inactive   INTEGER NOT NULL
);
CREATE INDEX web_upload_session ON web_upload(session);
