-- tilstede-central on PostgreSQL, schema version 11: the SQLite schema's
-- version 10 (central_010.sql), totals per (month, volunteer, site), so
-- the report per volunteer over a year reads a row per volunteer, site and
-- month instead of summing every closed visit (2.5 million at 5,000,000
-- events: about 4 s). Kept as visit_total is: each statement's changed
-- visits (its transition tables) summed per key and added in one upsert,
-- in the same transaction as the visits. A key whose visits come to
-- nothing is deleted, so a volunteer forgotten on request (GDPR) leaves no
-- row with their id. visit_report_volunteer stays (SQLite's version 10
-- drops its copy): here it finds one volunteer's closed visits (their
-- hours in an export, their share of visit_total at erasure), which
-- SQLite finds through visits.sql's visit_by_volunteer.
CREATE TABLE volunteer_month_total (
    month     text NOT NULL,             -- YYYY-MM of the visits' start_day
    volunteer text NOT NULL,
    site      text NOT NULL,
    seconds   bigint NOT NULL,
    visits    bigint NOT NULL,
    PRIMARY KEY (month, volunteer, site)
);

-- The keys go in in order, so two statements upserting some of the same
-- keys wait for each other instead of deadlocking.
CREATE FUNCTION volunteer_month_total_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO volunteer_month_total AS t (month, volunteer, site, seconds, visits)
    SELECT substr(start_day, 1, 7), volunteer, site, sum(visit_rounded(start_us, end_us)),
           count(*)
    FROM new_rows WHERE end_us IS NOT NULL
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (month, volunteer, site) DO UPDATE
        SET seconds = t.seconds + excluded.seconds, visits = t.visits + excluded.visits;
    RETURN NULL;
END
$$;

CREATE FUNCTION volunteer_month_total_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO volunteer_month_total AS t (month, volunteer, site, seconds, visits)
    SELECT month, volunteer, site, sum(seconds), sum(visits)
    FROM (SELECT substr(start_day, 1, 7) AS month, volunteer, site,
                 visit_rounded(start_us, end_us) AS seconds, 1 AS visits
          FROM new_rows WHERE end_us IS NOT NULL
          UNION ALL
          SELECT substr(start_day, 1, 7), volunteer, site,
                 -visit_rounded(start_us, end_us), -1
          FROM old_rows WHERE end_us IS NOT NULL) AS change
    GROUP BY 1, 2, 3
    HAVING sum(seconds) <> 0 OR sum(visits) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (month, volunteer, site) DO UPDATE
        SET seconds = t.seconds + excluded.seconds, visits = t.visits + excluded.visits;
    DELETE FROM volunteer_month_total t
    USING (SELECT DISTINCT substr(start_day, 1, 7) AS month, volunteer, site
           FROM old_rows WHERE end_us IS NOT NULL) AS gone
    WHERE t.month = gone.month AND t.volunteer = gone.volunteer AND t.site = gone.site
      AND t.visits = 0;
    RETURN NULL;
END
$$;

CREATE FUNCTION volunteer_month_total_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE volunteer_month_total t
    SET seconds = t.seconds - gone.seconds, visits = t.visits - gone.visits
    FROM (SELECT substr(start_day, 1, 7) AS month, volunteer, site,
                 sum(visit_rounded(start_us, end_us)) AS seconds, count(*) AS visits
          FROM old_rows WHERE end_us IS NOT NULL GROUP BY 1, 2, 3) AS gone
    WHERE t.month = gone.month AND t.volunteer = gone.volunteer AND t.site = gone.site;
    DELETE FROM volunteer_month_total t
    USING (SELECT DISTINCT substr(start_day, 1, 7) AS month, volunteer, site
           FROM old_rows WHERE end_us IS NOT NULL) AS gone
    WHERE t.month = gone.month AND t.volunteer = gone.volunteer AND t.site = gone.site
      AND t.visits = 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER volunteer_month_total_insert AFTER INSERT ON visit
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION volunteer_month_total_after_insert();
CREATE TRIGGER volunteer_month_total_update AFTER UPDATE ON visit
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION volunteer_month_total_after_update();
CREATE TRIGGER volunteer_month_total_delete AFTER DELETE ON visit
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION volunteer_month_total_after_delete();

-- The visits the central already holds, counted once with today's rounding.
INSERT INTO volunteer_month_total (month, volunteer, site, seconds, visits)
SELECT substr(start_day, 1, 7), volunteer, site, sum(visit_rounded(start_us, end_us)), count(*)
FROM visit WHERE end_us IS NOT NULL
GROUP BY 1, 2, 3;
