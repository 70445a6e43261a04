-- tilstede-central, schema version 10: totals per (month, volunteer, site),
-- kept by triggers on the visit table as visit_total is, in the same
-- transaction as the visits. The report per volunteer over a year summed
-- every closed visit (2.5 million at 5,000,000 events: 1 to 4 s); now it
-- reads a row per volunteer, site and month for the months it covers
-- whole, and the visits only for the days at its ends (period.h). site is
-- in the key so a contact's report (its sites only) reads the same rows.
-- A row whose visits come to nothing is deleted, so a volunteer forgotten
-- on request (GDPR) leaves no row with their id.
CREATE TABLE volunteer_month_total (
    month     TEXT NOT NULL,             -- YYYY-MM of the visits' start_day
    volunteer TEXT NOT NULL,
    site      TEXT NOT NULL,
    seconds   INTEGER NOT NULL,
    visits    INTEGER NOT NULL,
    PRIMARY KEY (month, volunteer, site)
) WITHOUT ROWID;

-- The seconds are rounded as visit_total's triggers round them (and as
-- visits_rounded_seconds() does), with the rounding of the moment.
CREATE TRIGGER volunteer_month_total_insert AFTER INSERT ON visit WHEN NEW.end_us IS NOT NULL
BEGIN
    INSERT INTO volunteer_month_total (month, volunteer, site, seconds, visits)
    SELECT substr(NEW.start_day, 1, 7), NEW.volunteer, NEW.site,
           CASE WHEN round_minutes > 0
                THEN (max(0, (NEW.end_us - NEW.start_us) / 1000000) + round_minutes * 30)
                     / (round_minutes * 60) * (round_minutes * 60)
                ELSE max(0, (NEW.end_us - NEW.start_us) / 1000000) END, 1
    FROM setting WHERE true
    ON CONFLICT (month, volunteer, site) DO UPDATE
        SET seconds = seconds + excluded.seconds, visits = visits + excluded.visits;
END;

CREATE TRIGGER volunteer_month_total_update
AFTER UPDATE OF start_us, end_us, start_day, site, volunteer ON visit
BEGIN
    INSERT INTO volunteer_month_total (month, volunteer, site, seconds, visits)
    SELECT substr(OLD.start_day, 1, 7), OLD.volunteer, OLD.site,
           -(CASE WHEN round_minutes > 0
                THEN (max(0, (OLD.end_us - OLD.start_us) / 1000000) + round_minutes * 30)
                     / (round_minutes * 60) * (round_minutes * 60)
                ELSE max(0, (OLD.end_us - OLD.start_us) / 1000000) END), -1
    FROM setting WHERE OLD.end_us IS NOT NULL
    ON CONFLICT (month, volunteer, site) DO UPDATE
        SET seconds = seconds + excluded.seconds, visits = visits + excluded.visits;
    INSERT INTO volunteer_month_total (month, volunteer, site, seconds, visits)
    SELECT substr(NEW.start_day, 1, 7), NEW.volunteer, NEW.site,
           CASE WHEN round_minutes > 0
                THEN (max(0, (NEW.end_us - NEW.start_us) / 1000000) + round_minutes * 30)
                     / (round_minutes * 60) * (round_minutes * 60)
                ELSE max(0, (NEW.end_us - NEW.start_us) / 1000000) END, 1
    FROM setting WHERE NEW.end_us IS NOT NULL
    ON CONFLICT (month, volunteer, site) DO UPDATE
        SET seconds = seconds + excluded.seconds, visits = visits + excluded.visits;
    DELETE FROM volunteer_month_total
    WHERE month = substr(OLD.start_day, 1, 7) AND volunteer = OLD.volunteer
      AND site = OLD.site AND visits = 0;
END;

CREATE TRIGGER volunteer_month_total_delete AFTER DELETE ON visit WHEN OLD.end_us IS NOT NULL
BEGIN
    UPDATE volunteer_month_total
    SET seconds = seconds - (SELECT CASE WHEN round_minutes > 0
                THEN (max(0, (OLD.end_us - OLD.start_us) / 1000000) + round_minutes * 30)
                     / (round_minutes * 60) * (round_minutes * 60)
                ELSE max(0, (OLD.end_us - OLD.start_us) / 1000000) END FROM setting),
        visits = visits - 1
    WHERE month = substr(OLD.start_day, 1, 7) AND volunteer = OLD.volunteer
      AND site = OLD.site;
    DELETE FROM volunteer_month_total
    WHERE month = substr(OLD.start_day, 1, 7) AND volunteer = OLD.volunteer
      AND site = OLD.site AND visits = 0;
END;

-- The visits a central already holds, counted once with today's rounding
-- (as the visit table's triggers count every later change).
INSERT INTO volunteer_month_total (month, volunteer, site, seconds, visits)
SELECT substr(v.start_day, 1, 7), v.volunteer, v.site,
       sum(CASE WHEN r.round_minutes > 0
                THEN (max(0, (v.end_us - v.start_us) / 1000000) + r.round_minutes * 30)
                     / (r.round_minutes * 60) * (r.round_minutes * 60)
                ELSE max(0, (v.end_us - v.start_us) / 1000000) END), count(*)
FROM visit v JOIN setting r WHERE v.end_us IS NOT NULL
GROUP BY 1, 2, 3;

-- The report per volunteer no longer reads this index, and nothing else
-- names it (a volunteer's own visits are found through visits.sql's
-- visit_by_volunteer): one index less for every visit ingest writes.
DROP INDEX visit_report_volunteer;
