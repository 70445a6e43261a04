-- tilstede-central, schema version 2: a kiosk restored from a backup fetches
-- back its site's events (GET /v1/events) and reports the restore with its
-- status until staff on site have seen it and the fetch is done.

-- The fetch walks one site's events in upload order (seq); without this
-- index a small site's page would scan every site's events.
CREATE INDEX event_site ON event(site, seq);

-- The restore as the kiosk's latest status report gave it (NULL: none).
ALTER TABLE device_status ADD COLUMN recovery_at_us INTEGER;
ALTER TABLE device_status ADD COLUMN recovery_backup_us INTEGER;
ALTER TABLE device_status ADD COLUMN recovery_skipped INTEGER;
ALTER TABLE device_status ADD COLUMN recovery_fetch TEXT
    CHECK (recovery_fetch IN ('pending', 'done', 'none'));
ALTER TABLE device_status ADD COLUMN recovery_fetched INTEGER;
