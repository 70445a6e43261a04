-- tilstede-central on PostgreSQL, schema version 2 (the SQLite schema's
-- version 2): a kiosk restored from a backup fetches back its site's
-- events and reports the restore with its status.
CREATE INDEX event_site ON event (site, seq);

ALTER TABLE device_status ADD COLUMN recovery_at_us bigint;
ALTER TABLE device_status ADD COLUMN recovery_backup_us bigint;
ALTER TABLE device_status ADD COLUMN recovery_skipped bigint;
ALTER TABLE device_status ADD COLUMN recovery_fetch text
    CHECK (recovery_fetch IN ('pending', 'done', 'none'));
ALTER TABLE device_status ADD COLUMN recovery_fetched bigint;
