-- tilstede-central on PostgreSQL, schema version 3: the daily totals kept
-- once per statement instead of once per visit. Ingest writes a batch's
-- visits in one or two statements (store_pg_ingest.c); a trigger per row
-- then did one upsert of the same few total rows per visit, most of the
-- batch's time. Now each statement's changed visits (its transition
-- tables) are summed per (day, site, activity) and added in one upsert:
-- the same totals, as the new rows less the old ones.

DROP TRIGGER visit_total_insert ON visit;
DROP TRIGGER visit_total_update ON visit;
DROP FUNCTION visit_total_keep();
DROP FUNCTION visit_total_add(text, text, text, bigint, bigint);

-- A key whose sums come to nothing is left alone (an update that moved
-- no time, a review flag cleared).
CREATE FUNCTION visit_total_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO visit_total (day, site, activity, seconds, visits)
    SELECT start_day, site, coalesce(activity, ''), sum(visit_rounded(start_us, end_us)),
           count(*)
    FROM new_rows WHERE end_us IS NOT NULL
    GROUP BY 1, 2, 3
    ON CONFLICT (day, site, activity) DO UPDATE
        SET seconds = visit_total.seconds + excluded.seconds,
            visits = visit_total.visits + excluded.visits;
    RETURN NULL;
END
$$;

CREATE FUNCTION visit_total_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO visit_total (day, site, activity, seconds, visits)
    SELECT day, site, activity, sum(seconds), sum(visits)
    FROM (SELECT start_day AS day, site, coalesce(activity, '') AS activity,
                 visit_rounded(start_us, end_us) AS seconds, 1 AS visits
          FROM new_rows WHERE end_us IS NOT NULL
          UNION ALL
          SELECT start_day, site, coalesce(activity, ''),
                 -visit_rounded(start_us, end_us), -1
          FROM old_rows WHERE end_us IS NOT NULL) AS change
    GROUP BY 1, 2, 3
    HAVING sum(seconds) <> 0 OR sum(visits) <> 0
    ON CONFLICT (day, site, activity) DO UPDATE
        SET seconds = visit_total.seconds + excluded.seconds,
            visits = visit_total.visits + excluded.visits;
    RETURN NULL;
END
$$;

CREATE TRIGGER visit_total_insert AFTER INSERT ON visit
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION visit_total_after_insert();
CREATE TRIGGER visit_total_update AFTER UPDATE ON visit
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION visit_total_after_update();
