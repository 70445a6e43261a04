/* The PostgreSQL backend's statements, prepared once per connection by
 * name (store_pg.h's enum). The same queries as the SQLite backend's, in
 * PostgreSQL's words; keys ordered in the "C" collation, as SQLite
 * compares, so both backends list the same rows in the same order. */
#include "store_pg.h"

/* The advisory lock space of the sites (with the hash of the site's id
 * as the second key); store_pg.c's migration lock is 29719. */
#define LOCK_SITE "29720"


#define EVENT_SELECT                                                                               \
    "event_id, kind, site, coalesce(volunteer, ''), at_us, recorded_us, mono_us, boot_id, "        \
    "clock_synced, source, coalesce(activity, ''), coalesce(corrects, ''), "                       \
    "coalesce(card_hash, ''), review"

/* A report's site filter: $3 is NULL (every site) or a JSON array of ids. */
#define PG_SITE_IN(column)                                                                         \
    "($3::json IS NULL OR " column " IN (SELECT json_array_elements_text($3::json)))"

const char *const pg_statement_sql[ST_COUNT] = {
    [ST_DEVICE_AUTH] = "SELECT id, site, name, encode(token_hash, 'hex'), created_us FROM device "
                       "WHERE token_lookup = $1 AND revoked_us IS NULL",
    /* Ingest of one site runs one at a time (kiosks of other sites do not
     * wait): the site's event seqs then follow commit order, which the
     * fetch's cursor needs, and two processes never derive one
     * volunteer's visits from two halves of a batch. */
    [ST_SITE_LOCK] = "SELECT pg_advisory_xact_lock(" LOCK_SITE ", hashtext($1))",
    /* A whole batch in one statement: its events as arrays, in the batch's
     * order (WITH ORDINALITY), so seqs follow the batch as they would one
     * by one, and of two copies of an id in one batch the first is stored.
     * Only the stored come back: the rest were there already. */
    [ST_EVENTS_INSERT] =
        "INSERT INTO event (event_id, kind, site, volunteer, at_us, recorded_us, mono_us, "
        "boot_id, clock_synced, source, activity, corrects, card_hash, review, device, "
        "received_us) SELECT u.event_id, u.kind, $14, u.volunteer, u.at_us, u.recorded_us, "
        "u.mono_us, u.boot_id, u.clock_synced, u.source, u.activity, u.corrects, u.card_hash, "
        "u.review, $15, $16 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], "
        "$5::bigint[], $6::bigint[], $7::text[], $8::int[], $9::text[], $10::text[], "
        "$11::text[], $12::text[], $13::int[]) WITH ORDINALITY AS u(event_id, kind, volunteer, "
        "at_us, recorded_us, mono_us, boot_id, clock_synced, source, activity, corrects, "
        "card_hash, review, ord) ORDER BY u.ord ON CONFLICT (event_id) DO NOTHING "
        "RETURNING event_id",
    [ST_CARD_SET] = "INSERT INTO card (card_hash, volunteer, revoked, at_us, changed) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (card_hash) DO UPDATE SET "
                    "volunteer = coalesce(excluded.volunteer, card.volunteer), "
                    "revoked = excluded.revoked, at_us = excluded.at_us, "
                    "changed = excluded.changed WHERE excluded.at_us >= card.at_us",
    /* Of the events a batch's corrections name, those of another site. */
    [ST_CORRECTED_ELSEWHERE] = "SELECT event_id FROM event WHERE event_id = ANY($1::text[]) "
                               "AND site <> $2",
    [ST_EVENTS_AFTER] = "SELECT seq, " EVENT_SELECT " FROM event WHERE site = $1 AND seq > $2 "
                        "ORDER BY seq LIMIT $3",
    [ST_CHANGE_NEXT] = "UPDATE roster_change SET value = value + 1 RETURNING value",
    [ST_CHANGE_NOW] = "SELECT value FROM roster_change",
    [ST_DEVICE_SEEN] = "UPDATE device SET last_seen_us = $2 WHERE id = $1",
    [ST_VOLUNTEERS_SINCE] = "SELECT external_id, given_name, family_name, active, "
                            "coalesce(confidentiality_signed, ''), "
                            "coalesce(police_valid_until, ''), "
                            "confidentiality_undated, police_undated FROM volunteer "
                            "WHERE changed > $1 ORDER BY external_id COLLATE \"C\"",
    [ST_CARDS_SINCE] = "SELECT card_hash, coalesce(volunteer, ''), revoked FROM card "
                       "WHERE changed > $1 ORDER BY card_hash COLLATE \"C\"",
    [ST_ACTIVITIES_SINCE] = "SELECT " PG_ACTIVITY_COLUMNS " FROM activity "
                            "WHERE site = $2 AND changed > $1 "
                            "ORDER BY date COLLATE \"C\", start COLLATE \"C\", id COLLATE \"C\"",
    [ST_STATUS_PUT] = "INSERT INTO device_status (device, received_us, "
                      "software_version, events_waiting, last_upload_us, last_error, "
                      "reader_state, clock_synced, recovery_at_us, recovery_backup_us, "
                      "recovery_skipped, recovery_fetch, recovery_fetched, events_refused, "
                      "token_refused_us) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
                      "ON CONFLICT (device) DO UPDATE SET received_us = excluded.received_us, "
                      "software_version = excluded.software_version, "
                      "events_waiting = excluded.events_waiting, "
                      "last_upload_us = excluded.last_upload_us, "
                      "last_error = excluded.last_error, reader_state = excluded.reader_state, "
                      "clock_synced = excluded.clock_synced, "
                      "recovery_at_us = excluded.recovery_at_us, "
                      "recovery_backup_us = excluded.recovery_backup_us, "
                      "recovery_skipped = excluded.recovery_skipped, "
                      "recovery_fetch = excluded.recovery_fetch, "
                      "recovery_fetched = excluded.recovery_fetched, "
                      "events_refused = excluded.events_refused, "
                      "token_refused_us = excluded.token_refused_us",
    [ST_TOTAL_SITE] = "SELECT s.id, s.name, s.kind, coalesce(sum(t.seconds), 0), "
                      "coalesce(sum(t.visits), 0) FROM site s LEFT JOIN visit_total t "
                      "ON t.site = s.id AND t.day BETWEEN $1 AND $2 WHERE " PG_SITE_IN("s.id")
                      " GROUP BY s.id "
                      "ORDER BY s.id COLLATE \"C\"",
    [ST_TOTAL_ACTIVITY] = "SELECT t.activity, coalesce(a.title, ''), coalesce(a.date, ''), "
                          "coalesce(s.name, ''), sum(t.seconds), sum(t.visits) "
                          "FROM visit_total t LEFT JOIN activity a ON a.id = t.activity "
                          "LEFT JOIN site s ON s.id = a.site WHERE t.day BETWEEN $1 AND $2 "
                          "AND " PG_SITE_IN("t.site")
                          " GROUP BY t.activity, a.title, a.date, s.name "
                          "HAVING sum(t.visits) > 0 "
                          "ORDER BY sum(t.seconds) DESC, t.activity COLLATE \"C\"",
    [ST_TOTAL_MONTH] = "SELECT substr(day, 1, 7), sum(seconds), sum(visits) FROM visit_total "
                       "WHERE day BETWEEN $1 AND $2 AND " PG_SITE_IN("site")
                       " GROUP BY 1 HAVING sum(visits) > 0 "
                       "ORDER BY 1",
    /* The months the period covers whole from their totals, the days at
     * its ends (period.h: $4-$5 months, $6-$7 and $8-$9 days) from the
     * visits; then the names, once per volunteer. Each end is a range of
     * its own: with the whole period beside them in one condition the
     * planner read every visit of the year (3 to 4 s at 5,000,000 events)
     * where an empty range on visit_day reads none. */
    [ST_TOTAL_VOLUNTEER] =
        "SELECT t.volunteer, coalesce(p.given_name || ' ' || p.family_name, ''), t.seconds, "
        "t.visits FROM (SELECT volunteer, sum(seconds) AS seconds, sum(visits) AS visits "
        "FROM (SELECT volunteer, seconds, visits FROM volunteer_month_total "
        "WHERE month BETWEEN $4 AND $5 AND " PG_SITE_IN("site") " UNION ALL "
        "SELECT v.volunteer, " ROUNDED("v") ", 1 FROM visit v CROSS JOIN setting r "
        "WHERE v.start_day BETWEEN $6 AND $7 AND v.end_us IS NOT NULL AND " PG_SITE_IN("v.site")
        " UNION ALL "
        "SELECT v.volunteer, " ROUNDED("v") ", 1 FROM visit v CROSS JOIN setting r "
        "WHERE v.start_day BETWEEN $8 AND $9 AND v.end_us IS NOT NULL AND " PG_SITE_IN("v.site")
        ") AS g GROUP BY volunteer HAVING sum(visits) > 0) AS t "
        /* $1 and $2 only typed (a prepared statement's every parameter needs
         * a type); the bounds above are within them. */
        "LEFT JOIN volunteer p ON p.external_id = t.volunteer WHERE $1::text <= $2::text "
        "ORDER BY 3 DESC, t.volunteer COLLATE \"C\"",
    [ST_REVIEWS] = "SELECT v.site, coalesce(s.name, v.site), v.volunteer, "
                   "coalesce(p.given_name || ' ' || p.family_name, ''), v.start_us, v.end_us "
                   "FROM visit v LEFT JOIN site s ON s.id = v.site "
                   "LEFT JOIN volunteer p ON p.external_id = v.volunteer "
                   "WHERE v.review = 1 AND v.end_us IS NOT NULL ORDER BY v.start_us DESC LIMIT $1",
    [ST_VOLUNTEER_SITES] =
        "SELECT v.volunteer, coalesce(p.given_name || ' ' || p.family_name, ''), v.site, "
        "coalesce(s.name, v.site), sum(" ROUNDED("v") "), count(*), min(v.start_us), "
        "max(v.start_us) FROM visit v CROSS JOIN setting r "
        "LEFT JOIN volunteer p ON p.external_id = v.volunteer LEFT JOIN site s ON s.id = v.site "
        "WHERE v.start_day BETWEEN $1 AND $2 AND v.end_us IS NOT NULL "
        "GROUP BY v.volunteer, v.site, p.given_name, p.family_name, s.name "
        "ORDER BY v.volunteer COLLATE \"C\", v.site COLLATE \"C\"",
    [ST_SITE_ADD] = "INSERT INTO site (id, name, kind, created_us) VALUES ($1, $2, $3, $4)",
    [ST_SITES] = "SELECT id, name, kind FROM site ORDER BY id COLLATE \"C\"",
    [ST_SITE_GET] = "SELECT id, name, kind FROM site WHERE id = $1",
    [ST_DEVICE_ADD] = "INSERT INTO device (site, name, token_lookup, token_hash, created_us) "
                      "VALUES ($1, $2, $3, decode($4, 'hex'), $5) RETURNING id",
    [ST_DEVICE_REVOKE] = "UPDATE device SET revoked_us = $2 WHERE id = $1 AND revoked_us IS NULL",
    [ST_DEVICES] = "SELECT d.id, d.site, d.name, d.created_us, coalesce(d.revoked_us, 0), "
                   "coalesce(d.last_seen_us, 0), coalesce(st.received_us, 0), "
                   "coalesce(st.software_version, ''), coalesce(st.events_waiting, 0), "
                   "coalesce(st.last_upload_us, 0), coalesce(st.last_error, ''), "
                   "coalesce(st.reader_state, ''), coalesce(st.clock_synced, 0), "
                   "(st.recovery_at_us IS NOT NULL)::int, coalesce(st.recovery_at_us, 0), "
                   "coalesce(st.recovery_backup_us, 0), "
                   "coalesce(st.recovery_skipped, 0), coalesce(st.recovery_fetch, ''), "
                   "coalesce(st.recovery_fetched, 0), coalesce(st.events_refused, -1), "
                   "coalesce(st.token_refused_us, 0) "
                   "FROM device d LEFT JOIN device_status st ON st.device = d.id "
                   "ORDER BY d.site COLLATE \"C\", d.name COLLATE \"C\"",
    [ST_ADMIN_ADD] = "INSERT INTO admin (name, token_lookup, token_hash, created_us) "
                     "VALUES ($1, $2, decode($3, 'hex'), $4)",
    [ST_ADMIN_REVOKE] = "UPDATE admin SET revoked_us = $2 WHERE name = $1 AND revoked_us IS NULL",
    [ST_ADMIN_AUTH] = "SELECT encode(token_hash, 'hex') FROM admin "
                      "WHERE token_lookup = $1 AND revoked_us IS NULL",
    [ST_ACTIVITY_ADD] = "INSERT INTO activity (id, site, date, start, \"end\", title, place, "
                        "changed, plan, plan_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                        "nullif($9, ''), nullif($10, ''))",
    /* The WHERE keeps the change counter of unchanged rows, so a daily
     * re-import of the same file sends nothing to the kiosks. */
    [ST_ROSTER_UPSERT] =
        "INSERT INTO volunteer (external_id, given_name, family_name, active, "
        "confidentiality_signed, police_valid_until, confidentiality_undated, "
        "police_undated, changed) VALUES "
        "($1, $2, $3, $4, $5, $6, $8, $9, $7) ON CONFLICT (external_id) DO UPDATE SET "
        "given_name = excluded.given_name, family_name = excluded.family_name, "
        "active = excluded.active, "
        "confidentiality_signed = excluded.confidentiality_signed, "
        "police_valid_until = excluded.police_valid_until, "
        "confidentiality_undated = excluded.confidentiality_undated, "
        "police_undated = excluded.police_undated, "
        "changed = excluded.changed WHERE "
        "volunteer.given_name IS DISTINCT FROM excluded.given_name OR "
        "volunteer.family_name IS DISTINCT FROM excluded.family_name OR "
        "volunteer.active IS DISTINCT FROM excluded.active OR "
        "volunteer.confidentiality_signed IS DISTINCT FROM excluded.confidentiality_signed OR "
        "volunteer.police_valid_until IS DISTINCT FROM excluded.police_valid_until OR "
        "volunteer.confidentiality_undated IS DISTINCT FROM excluded.confidentiality_undated OR "
        "volunteer.police_undated IS DISTINCT FROM excluded.police_undated",
    [ST_ROSTER_SEEN] = "INSERT INTO roster_seen VALUES ($1) ON CONFLICT DO NOTHING",
    [ST_ROSTER_RETIRE] = "UPDATE volunteer SET active = 0, changed = $1 WHERE active = 1 "
                         "AND external_id NOT IN (SELECT id FROM roster_seen)",
    [ST_VOLUNTEER_KNOWN] = "SELECT (EXISTS (SELECT 1 FROM volunteer WHERE external_id = $1) "
                           "OR EXISTS (SELECT 1 FROM card WHERE volunteer = $1) "
                           "OR EXISTS (SELECT 1 FROM event WHERE volunteer = $1))::int",
    [ST_VOLUNTEER_GET] = "SELECT external_id, given_name, family_name, active, "
                         "coalesce(confidentiality_signed, ''), coalesce(police_valid_until, ''), "
                         "confidentiality_undated, police_undated FROM volunteer "
                         "WHERE external_id = $1",
    [ST_VOLUNTEER_CARDS] = "SELECT card_hash, coalesce(volunteer, ''), revoked FROM card "
                           "WHERE volunteer = $1 ORDER BY card_hash COLLATE \"C\"",
    [ST_VOLUNTEER_EVENTS] = "SELECT " EVENT_SELECT " FROM event WHERE volunteer = $1 "
                            "ORDER BY at_us, seq",
    [ST_VOLUNTEER_HOURS] =
        "SELECT coalesce(sum(" ROUNDED("v") "), 0), count(*) "
                                            "FROM visit v CROSS JOIN setting r "
                                            "WHERE v.volunteer = $1 AND v.end_us IS NOT NULL",
    /* No trigger takes a deleted visit out of the totals (visits are never
     * deleted but here): the volunteer's closed visits leave them first,
     * rounded as the trigger added them. */
    [ST_FORGET_TOTALS] =
        "UPDATE visit_total SET seconds = visit_total.seconds - gone.seconds, "
        "visits = visit_total.visits - gone.visits FROM (SELECT v.start_day AS day, "
        "v.site AS site, coalesce(v.activity, '') AS activity, sum(" ROUNDED(
            "v") ") AS seconds, "
                 "count(*) AS visits FROM visit v CROSS JOIN setting r "
                 "WHERE v.volunteer = $1 AND v.end_us IS NOT NULL GROUP BY 1, 2, 3) AS gone "
                 "WHERE visit_total.day = gone.day AND visit_total.site = gone.site "
                 "AND visit_total.activity = gone.activity",
    [ST_FORGET_VISITS] = "DELETE FROM visit WHERE volunteer = $1",
    [ST_FORGET_EVENTS] = "DELETE FROM event WHERE volunteer = $1",
    [ST_FORGET_CARDS] = "DELETE FROM card WHERE volunteer = $1",
    [ST_FORGET_VOLUNTEER] = "DELETE FROM volunteer WHERE external_id = $1",
    /* The statements of firmware/visits.c, in PostgreSQL's words, for a
     * whole batch (store_pg_ingest.c): the open visits of its volunteers,
     * the visits it began (already closed when it ended them too), and
     * the visits it closed that began before it. */
    [ST_VISITS_OPEN] = "SELECT DISTINCT ON (volunteer) volunteer, start_event FROM visit "
                       "WHERE site = $1 AND volunteer = ANY($2::text[]) AND end_us IS NULL "
                       "ORDER BY volunteer, start_us DESC",
    [ST_VISITS_INSERT] =
        "INSERT INTO visit (site, volunteer, activity, start_event, start_us, start_day, "
        "review, end_event, end_us, end_kind) SELECT $1, u.volunteer, u.activity, "
        "u.start_event, u.start_us, u.start_day, u.review, u.end_event, "
        "CASE WHEN u.end_us IS NULL THEN NULL ELSE greatest(u.end_us, u.start_us) END, "
        "u.end_kind FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], "
        "$7::int[], $8::text[], $9::bigint[], $10::int[]) WITH ORDINALITY AS u(volunteer, "
        "activity, start_event, start_us, start_day, review, end_event, end_us, end_kind, ord) "
        "ORDER BY u.ord",
    [ST_VISITS_CLOSE] = "UPDATE visit SET end_event = u.end_event, "
                        "end_us = greatest(u.end_us, visit.start_us), end_kind = u.end_kind, "
                        "review = u.review FROM unnest($1::text[], $2::text[], $3::bigint[], "
                        "$4::int[], $5::int[]) AS u(start_event, end_event, end_us, end_kind, "
                        "review) WHERE visit.start_event = u.start_event",
    [ST_VISIT_CORRECT_START] =
        "UPDATE visit SET start_us = $2, start_day = $3, "
        "end_us = CASE WHEN end_us IS NULL THEN NULL ELSE greatest(end_us, $2::bigint) END "
        "WHERE start_event = $1",
    /* firmware/visits.c's ST_NEWER_CORRECTION: a correction recorded after
     * this one wins; ids compared bytewise, as SQLite does. */
    [ST_NEWER_CORRECTION] = "SELECT EXISTS (SELECT 1 FROM event WHERE corrects = $1 AND "
                            "kind = 'correction' AND site = $4 AND (recorded_us > $2 OR "
                            "(recorded_us = $2 AND event_id COLLATE \"C\" > $3)))",
    [ST_VISIT_CORRECT_END] = "UPDATE visit SET end_us = greatest($2::bigint, start_us), "
                             "review = 0 WHERE end_event = $1",
    /* The corrections made in the web app for a site's kiosks (few rows:
     * each found by its event), in the order stored as ST_EVENTS_AFTER. */
    [ST_CORRECTIONS_AFTER] = "SELECT e.seq, " EVENT_SELECT " FROM web_correction w "
                             "JOIN event e USING (event_id) WHERE e.site = $1 AND e.seq > $2 "
                             "ORDER BY e.seq LIMIT $3",
};
