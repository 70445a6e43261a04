-- tilstede-central, schema version 4: activities planned once with a weekly
-- repetition (plan.h). A plan's occurrences are rows of `activity` like a
-- one-date activity, so the kiosks, the reports and the roster cursor treat
-- them alike; a cancelled or moved occurrence is its own row changed.
CREATE TABLE activity_plan (
    id         TEXT PRIMARY KEY,
    site       TEXT NOT NULL REFERENCES site(id),
    title      TEXT NOT NULL,
    place      TEXT NOT NULL,
    start      TEXT NOT NULL,
    end        TEXT NOT NULL,   -- before start: the next day (a night watch)
    weekdays   INTEGER NOT NULL CHECK (weekdays BETWEEN 1 AND 127), -- bit 0 Monday
    from_date  TEXT NOT NULL,
    until_date TEXT NOT NULL,
    uid        TEXT UNIQUE      -- the iCalendar UID it was imported from, or NULL
);
CREATE INDEX activity_plan_site ON activity_plan(site, from_date);

ALTER TABLE activity ADD COLUMN plan TEXT REFERENCES activity_plan(id);
-- The date the plan gave the occurrence, kept when it is moved: the key
-- a cancel or move names.
ALTER TABLE activity ADD COLUMN plan_date TEXT;
ALTER TABLE activity ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX activity_occurrence ON activity(plan, plan_date);
