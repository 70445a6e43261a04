-- tilstede-central on PostgreSQL, schema version 9: the SQLite schema's
-- version 8 (central_008.sql), a site's opening hours (opening.h), so a
-- kiosk is called silent only for time the site was open. A site without
-- a row is open day and night (a nursing home).
CREATE TABLE site_opening (
    site     text PRIMARY KEY REFERENCES site (id),
    weekdays integer NOT NULL CHECK (weekdays BETWEEN 1 AND 127), -- bit 0 Monday
    start    text NOT NULL,
    "end"    text NOT NULL -- before start: closes the next day; equal: the whole day
);
