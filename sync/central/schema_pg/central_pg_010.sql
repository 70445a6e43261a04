-- tilstede-central on PostgreSQL, schema version 10: the SQLite schema's
-- version 9 (central_009.sql), the corrections made in the web app, named
-- so the site's kiosks fetch them (GET /v1/corrections), and corrections
-- found by the event they correct (store_pg_review.c makes them; `tilstede-central
-- migrate` moves a SQLite central's as they are).
CREATE TABLE web_correction (
    event_id text PRIMARY KEY REFERENCES event (event_id) ON DELETE CASCADE,
    actor    text NOT NULL -- the web user's name
);

CREATE INDEX event_corrects ON event (corrects) WHERE corrects IS NOT NULL;
