-- tilstede-central, schema version 8: a site's opening hours (opening.h),
-- so a kiosk is called silent only for time the site was open. A site
-- without a row is open day and night (a nursing home).
CREATE TABLE site_opening (
    site     TEXT PRIMARY KEY REFERENCES site(id),
    weekdays INTEGER NOT NULL CHECK (weekdays BETWEEN 1 AND 127), -- bit 0 Monday
    start    TEXT NOT NULL,
    end      TEXT NOT NULL -- before start: closes the next day; equal: the whole day
);
