-- tilstede-central on PostgreSQL, schema version 6: the SQLite schema's
-- version 4 (central_004.sql), activities planned once with a weekly
-- repetition (plan.h). A plan's occurrences are rows of `activity`, so the
-- kiosks, the reports and the roster cursor treat them alike.
CREATE TABLE activity_plan (
    id         text PRIMARY KEY,
    site       text NOT NULL REFERENCES site (id),
    title      text NOT NULL,
    place      text NOT NULL,
    start      text NOT NULL,
    "end"      text NOT NULL,   -- before start: the next day (a night watch)
    weekdays   integer NOT NULL CHECK (weekdays BETWEEN 1 AND 127), -- bit 0 Monday
    from_date  text NOT NULL,
    until_date text NOT NULL,
    uid        text UNIQUE      -- the iCalendar UID it was imported from, or NULL
);
CREATE INDEX activity_plan_site ON activity_plan (site, from_date);

ALTER TABLE activity ADD COLUMN plan text REFERENCES activity_plan (id);
-- The date the plan gave the occurrence, kept when it is moved: the key
-- a cancel or move names.
ALTER TABLE activity ADD COLUMN plan_date text;
ALTER TABLE activity ADD COLUMN cancelled integer NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX activity_occurrence ON activity (plan, plan_date);
