-- tilstede-central on PostgreSQL, schema version 12: an event's site and
-- device checked by one foreign key instead of two. PostgreSQL checks a
-- foreign key row by row (a lookup through SPI per row and key), and the
-- two keys were about a third of the server's time for a batch's insert
-- (bench_central's profile). One key on (device, site) to the device's
-- (id, site) does the work of both, since the device's site references
-- the site, and says more: an event's site is its device's site, which
-- ingest already refuses otherwise (the store's last line, and the HTTP
-- layer before it). Existing rows are checked as the key is added.
ALTER TABLE device ADD CONSTRAINT device_id_site UNIQUE (id, site);
ALTER TABLE event DROP CONSTRAINT event_site_fkey;
ALTER TABLE event DROP CONSTRAINT event_device_fkey;
ALTER TABLE event ADD CONSTRAINT event_device_site_fkey
    FOREIGN KEY (device, site) REFERENCES device (id, site);
