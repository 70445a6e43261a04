-- tilstede-central, schema version 9: corrections made in the web app.
-- A coordinator or a site's contact sets the real end of a visit closed
-- automatically; that is a correction event in the event log like a
-- kiosk's staff correction (so the hours are derived the same way), named
-- here so the site's kiosks fetch it (GET /v1/corrections) and the audit
-- log can say who made it. The event's device is the kiosk that recorded
-- the event it corrects: the correction is that kiosk's to apply.
CREATE TABLE web_correction (
    event_id TEXT PRIMARY KEY REFERENCES event(event_id) ON DELETE CASCADE,
    actor    TEXT NOT NULL -- the web user's name
) WITHOUT ROWID;

-- Visits apply only the latest recorded correction of an event (visits.c)
-- and ask for the other corrections of that event.
CREATE INDEX event_corrects ON event(corrects) WHERE corrects IS NOT NULL;
