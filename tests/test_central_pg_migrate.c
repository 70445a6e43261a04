/* tilstede-central migrate: a SQLite central with sites, kiosks, status,
 * a login, a roster, cards, activities, events and visits moves into an
 * empty PostgreSQL database, and every report, list and cursor reads the
 * same after as before; the kiosks' and the coordinator's tokens still
 * work. Every table of the SQLite schema, enumerated from the file, has
 * the same rows after. A database that already holds a central is
 * refused, and so is a source with a table the target lacks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "central_fixture.h"
#include "migrate.h"
#include "pg_server.h"
#include "store_web.h"
#include "testutil.h"

#define TEXT_MAX 65536

struct text {
    char buf[TEXT_MAX];
    size_t len;
};

static void append(struct text *t, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, format, ap);
    va_end(ap);
    if (n > 0 && t->len + (size_t)n < sizeof t->buf)
        t->len += (size_t)n;
}

static int total_row(void *ctx, const struct central_total *t)
{
    append(ctx, "total %s|%s|%s|%s|%lld|%lld\n", t->key, t->label, t->site_kind, t->detail,
           (long long)t->seconds, (long long)t->visits);
    return 0;
}

static int device_row(void *ctx, const struct central_device *d)
{
    const struct central_status *s = &d->status;
    append(ctx, "device %lld|%s|%s|%lld|%lld|%lld|%lld|%s|%lld|%lld|%s|%s|%d|%d|%s\n",
           (long long)d->id, d->site, d->name, (long long)d->created_us, (long long)d->revoked_us,
           (long long)d->last_seen_us, (long long)s->received_us, s->software_version,
           (long long)s->events_waiting, (long long)s->last_upload_us, s->last_error,
           s->reader_state, s->clock_synced, s->recovery.reported, s->recovery.fetch);
    return 0;
}

static int site_row(void *ctx, const struct central_site *s)
{
    append(ctx, "site %s|%s|%s\n", s->id, s->name, s->kind);
    return 0;
}

static int review_row(void *ctx, const struct central_review *r)
{
    append(ctx, "review %s|%s|%lld|%lld\n", r->site, r->volunteer, (long long)r->start_us,
           (long long)r->end_us);
    return 0;
}

static int volunteer_row(void *ctx, const struct central_volunteer *v)
{
    append(ctx, "volunteer %s|%s|%s|%d|%s|%s\n", v->external_id, v->given_name, v->family_name,
           v->active, v->confidentiality_signed, v->police_valid_until);
    return 0;
}

static int card_row(void *ctx, const struct central_card *c)
{
    append(ctx, "card %s|%s|%d\n", c->card_hash, c->volunteer, c->revoked);
    return 0;
}

static int activity_row(void *ctx, const struct central_activity *a)
{
    append(ctx, "activity %s|%s|%s|%s|%s|%s|%s\n", a->id, a->site, a->date, a->start, a->end,
           a->title, a->place);
    return 0;
}

static int event_row(void *ctx, const struct event *ev)
{
    append(ctx, "event %s|%s|%s|%lld\n", ev->event_id, event_kind_name(ev->kind), ev->volunteer,
           (long long)ev->at_us);
    return 0;
}

/* Everything a coordinator, a kiosk and the dashboard can read. */
static void everything(struct central_store *store, struct text *out)
{
    char err[512];
    memset(out, 0, sizeof *out);
    static const enum central_group groups[] = {CENTRAL_GROUP_SITE, CENTRAL_GROUP_ACTIVITY,
                                                CENTRAL_GROUP_MONTH, CENTRAL_GROUP_VOLUNTEER};
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        assert_int_equal(central_store_totals(store, "2026-01-01", "2026-12-31", groups[g],
                                              total_row, out, err, sizeof err),
                         0);
    assert_int_equal(central_store_sites(store, site_row, out, err, sizeof err), 0);
    assert_int_equal(central_store_devices(store, device_row, out, err, sizeof err), 0);
    assert_int_equal(central_store_reviews(store, 100, review_row, out, err, sizeof err), 0);
    struct central_roster_sink sink = {volunteer_row, card_row, activity_row, out};
    int64_t cursor = 0;
    int full = 0;
    assert_int_equal(central_store_roster_since(store, FIXTURE_SITE_A, 0, &sink, &cursor, &full,
                                                err, sizeof err),
                     0);
    append(out, "roster cursor %lld\n", (long long)cursor);
    const char *sites[] = {FIXTURE_SITE_A, FIXTURE_SITE_B};
    for (int i = 0; i < 2; i++) {
        int64_t after = 0;
        int more = 1;
        assert_int_equal(central_store_events_after(store, sites[i], 0, 1000, event_row, out,
                                                    &after, &more, err, sizeof err),
                         0);
        append(out, "events cursor %s %lld\n", sites[i], (long long)after);
    }
}

/* A central with a bit of everything, through the real API. */
static void fill(struct fixture *f)
{
    char err[512];
    struct central_volunteer roster[3] = {
        {.external_id = "F-1",
         .given_name = "Kari",
         .family_name = "Nordmann",
         .active = 1,
         .confidentiality_signed = "2025-01-10"},
        {.external_id = "F-2",
         .given_name = "Ola",
         .family_name = "Hansen",
         .active = 1,
         .police_valid_until = "2027-05-01"},
        {.external_id = "F-3", .given_name = "Åse", .family_name = "Bø", .active = 1},
    };
    size_t changed = 0;
    assert_int_equal(central_store_roster_replace(f->store, roster, 3, &changed, err, sizeof err),
                     0);
    struct central_activity activity = {.id = "7d3c1f1e-2a4b-4c5d-8e9f-0a1b2c3d4e5f",
                                        .site = FIXTURE_SITE_A,
                                        .date = "2026-03-10",
                                        .start = "10:00",
                                        .end = "12:00",
                                        .title = "Trim",
                                        .place = "Salen"};
    assert_int_equal(central_store_activity_add(f->store, &activity, err, sizeof err), 0);

    struct event a[7], b[2];
    int64_t day = fixture_utc("2026-03-10T08:00:00Z");
    fixture_event(&a[0], EVENT_CHECKIN, "F-1", day);
    snprintf(a[0].activity, sizeof a[0].activity, "%s", activity.id);
    fixture_event(&a[1], EVENT_CHECKOUT, "F-1", day + 7200 * 1000000LL);
    fixture_event(&a[2], EVENT_CHECKIN, "F-2", day + 600 * 1000000LL);
    fixture_event(&a[3], EVENT_AUTOCLOSE, "F-2", day + 36000 * 1000000LL);
    fixture_event(&a[4], EVENT_CARD_ENROLLED, "F-1", day);
    snprintf(a[4].card_hash, sizeof a[4].card_hash, "%064d", 7);
    fixture_event(&a[5], EVENT_CHECKIN, "F-3", day + 86400 * 30 * 1000000LL);
    fixture_event(&a[6], EVENT_CHECKIN, "F-1", day + 86400 * 60 * 1000000LL); /* still open */
    fixture_event(&b[0], EVENT_CHECKIN, "F-3", day + 3600 * 1000000LL);
    fixture_event(&b[1], EVENT_CHECKOUT, "F-3", day + 3 * 3600 * 1000000LL);
    for (int i = 0; i < 7; i++)
        snprintf(a[i].site, sizeof a[i].site, "%s", FIXTURE_SITE_A);
    for (int i = 0; i < 2; i++)
        snprintf(b[i].site, sizeof b[i].site, "%s", FIXTURE_SITE_B);
    struct reply reply;
    assert_int_equal(fixture_post_events(f, f->token_a1, a, 7, &reply), 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
    assert_int_equal(fixture_post_events(f, f->token_b1, b, 2, &reply), 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
    const char *status = "{\"software_version\":\"0.1.0\",\"events_waiting\":3,"
                         "\"last_upload\":\"2026-11-23T13:30:00.000000Z\",\"last_error\":"
                         "\"tidsavbrudd\",\"reader_state\":\"ok\",\"clock_synced\":true}";
    assert_int_equal(
        fixture_request(f, "POST", "/v1/status", f->token_a2, status, strlen(status), &reply), 0);
    assert_int_equal(reply.status, 204);
    reply_free(&reply);
    assert_int_equal(central_store_device_revoke(f->store, f->device_b1, err, sizeof err), 0);
}

static void test_migrate_moves_everything_and_the_reports_agree(void **state)
{
    (void)state;
    struct fixture *f = fixture_start(NULL); /* SQLite */
    fill(f);
    static struct text before, after;
    everything(f->store, &before);

    char uri[512], err[512];
    if (pg_server_database(uri, sizeof uri, err, sizeof err))
        fail_msg("%s", err);
    char listing[4096] = "";
    FILE *out = fmemopen(listing, sizeof listing, "w");
    int rc = central_migrate(f->db, uri, out, err, sizeof err);
    fclose(out);
    if (rc)
        fail_msg("migrate: %s", err);
    assert_non_null(strstr(listing, "event\t9\n"));
    assert_non_null(strstr(listing, "device\t3\n"));

    struct central_store *pg = NULL;
    assert_int_equal(central_store_open(uri, &pg, err, sizeof err), 0);
    assert_string_equal(central_store_backend(pg), "postgresql");
    everything(pg, &after);
    assert_true(strstr(before.buf, "total lilleby|") != NULL);
    assert_string_equal(after.buf, before.buf);
    /* The per-volunteer monthly totals came along, equal to the target's
     * visits summed from scratch. */
    PGconn *conn = PQconnectdb(uri);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    PGresult *res = PQexec(conn, "SELECT (SELECT count(*) FROM volunteer_month_total), "
                                 "(" FIXTURE_VOLUNTEER_TOTALS_DRIFT_SQL ")");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_true(atoll(PQgetvalue(res, 0, 0)) > 0);
    assert_string_equal(PQgetvalue(res, 0, 1), "0");
    PQclear(res);
    PQfinish(conn);

    /* The kiosks' tokens and the login still work; a revoked one does not. */
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    struct central_device device;
    assert_int_equal(central_token_hash(f->token_a1, strlen(f->token_a1), hash), 0);
    assert_int_equal(central_store_device_auth(pg, hash, &device, err, sizeof err), 0);
    assert_int_equal(device.id, f->device_a1);
    assert_int_equal(central_token_hash(f->token_b1, strlen(f->token_b1), hash), 0);
    assert_int_equal(central_store_device_auth(pg, hash, &device, err, sizeof err), -ENOENT);
    assert_int_equal(central_token_hash(f->admin_token, strlen(f->admin_token), hash), 0);
    assert_int_equal(central_store_admin_auth(pg, hash, err, sizeof err), 0);

    /* New rows after the copied ones: a device gets the next id. */
    int64_t id = 0;
    central_token_new((char[CENTRAL_TOKEN_TEXT_MAX]){0}, hash);
    assert_int_equal(central_store_device_add(pg, FIXTURE_SITE_A, "A3", hash, &id, err, sizeof err),
                     0);
    assert_int_equal(id, f->device_b1 + 1);
    central_store_close(pg);

    /* Once there, a second migration into it is refused, nothing added. */
    out = fmemopen(listing, sizeof listing, "w");
    assert_int_equal(central_migrate(f->db, uri, out, err, sizeof err), -EEXIST);
    fclose(out);
    assert_non_null(strstr(err, "empty database"));
    fixture_stop(f);
}

/* Rows in the tables fill() leaves empty: the web app's accounts, their
 * sites, a session and the roster file it previews, sign-in counts, the
 * audit log, notes, a weekly plan imported from a calendar and one of its
 * occurrences, the monthly mail's state, opening hours, a web correction. The text holds
 * what COPY must escape (tab, newline, carriage return, backslash) and
 * the blobs a zero byte. */
static void fill_the_rest(struct fixture *f)
{
    static const char *const sql[] = {
        "INSERT INTO web_user (id, name, role, lang, password_hash, setup_hash, "
        "setup_expires_us, created_us, revoked_us, email, monthly_mail) VALUES "
        "(5, 'kari', 'coordinator', 'nn', '$argon2id$v=19$m=65536,t=2,p=1$c2FsdA\\x', NULL, "
        "NULL, 1700000000000000, NULL, 'kari@kommune.no', 1), "
        "(6, 'ola', 'contact', 'nb', NULL, X'00ff10', 1800000000000000, 1700000000000001, "
        "NULL, '', 0), "
        "(7, 'gammel', 'viewer', 'en', 'x', NULL, NULL, 1, 2, '', 1)",
        "INSERT INTO web_user_site VALUES (6, '" FIXTURE_SITE_A "'), (6, '" FIXTURE_SITE_B "')",
        "INSERT INTO web_session VALUES (X'0001020304050607080900010203040506070809000102030405"
        "060708090001', 5, 'csrf-Zm9v', 1700000000000002, 1700000000000003)",
        "INSERT INTO web_upload VALUES (X'ff00', X'000102030405060708090001020304050607080900010"
        "2030405060708090001', 1700000000000004, 'frivillige.csv', X'6964093b6e61766e000a0d5c', "
        "2, 1, 0)",
        "INSERT INTO web_login_failure VALUES ('kari|127.0.0.1', 3, 1700000000000005)",
        "INSERT INTO audit (at_us, actor, action, subject, detail) VALUES (1700000000000006, "
        "'kari', 'roster.apply', 'frivillige.csv', 'linje 1:\t\"tab\"\nny linje \\ skråstrek "
        "\\N ikke null')",
        "INSERT INTO volunteer_note (volunteer, at_us, author, text) VALUES ('F-1', "
        "1700000000000007, 'kari', 'Ringte\r\nom vakta')",
        "INSERT INTO activity_plan VALUES ('plan-1', '" FIXTURE_SITE_A "', 'Trim', 'Salen', "
        "'10:00', '11:00', 5, '2026-01-01', '2026-06-30', 'uid-1@outlook.com'), ('plan-2', "
        "'" FIXTURE_SITE_B
        "', 'Nattevakt', '', '22:00', '06:00', 127, '2026-01-01', '2026-01-31', NULL)",
        "INSERT INTO activity (id, site, date, start, end, title, place, changed, plan, "
        "plan_date, cancelled) VALUES ('0f3c1f1e-2a4b-4c5d-8e9f-0a1b2c3d4e5f', '" FIXTURE_SITE_A
        "', '2026-01-07', '10:00', '11:00', 'Trim', 'Salen', 1, 'plan-1', '2026-01-05', 1)",
        "INSERT INTO mail_report VALUES ('2026-02', 5, 'kari@kommune.no', 0, 0, 0, '', "
        "1772400000000000), ('2026-02', 6, 'ola@kommune.no', 2, 0, 1772500000000000, "
        "'smtp: 451 prøv igjen', 0)",
        "INSERT INTO site_opening VALUES ('" FIXTURE_SITE_A
        "', 31, '08:00', '16:00'), ('" FIXTURE_SITE_B "', 127, '22:00', '06:00')",
        /* The rounding changed after the visits were counted: the totals
         * move as counted, not counted again. */
        "UPDATE setting SET round_minutes = 15",
        /* A correction made on the web page, by whom. */
        "INSERT INTO web_correction SELECT event_id, 'kari' FROM event ORDER BY seq LIMIT 1",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
        if (fixture_exec(f, sql[i]))
            fail_msg("fill_the_rest: %s", sql[i]);
}

static int row_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rows, sorted, one a line, into out. */
static void sorted_rows(char **rows, size_t count, struct text *out)
{
    qsort(rows, count, sizeof *rows, row_order);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < count; i++) {
        append(out, "%s\n", rows[i]);
        free(rows[i]);
    }
    free(rows);
}

#define ROWS_MAX 1000

/* Table `name` of the source and of the target, each row as its columns'
 * text ("\N" for NULL, blobs as hex), sorted: the two must be equal. */
static void compare_table(sqlite3 *db, PGconn *conn, const char *name)
{
    char sql[200], sqlite_select[2048] = "SELECT ", pg_select[2048] = "SELECT ";
    snprintf(sql, sizeof sql, "SELECT name, upper(type) FROM pragma_table_info('%s') ORDER BY cid",
             name);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int columns = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *column = (const char *)sqlite3_column_text(st, 0);
        int blob = strcmp((const char *)sqlite3_column_text(st, 1), "BLOB") == 0;
        size_t sl = strlen(sqlite_select), pl = strlen(pg_select);
        snprintf(sqlite_select + sl, sizeof sqlite_select - sl,
                 blob ? "%snullif(lower(hex(\"%s\")), '')" : "%s\"%s\"", columns ? ", " : "",
                 column);
        snprintf(pg_select + pl, sizeof pg_select - pl,
                 blob ? "%snullif(encode(\"%s\", 'hex'), '')" : "%s\"%s\"::text",
                 columns ? ", " : "", column);
        columns++;
    }
    sqlite3_finalize(st);
    size_t sl = strlen(sqlite_select), pl = strlen(pg_select);
    snprintf(sqlite_select + sl, sizeof sqlite_select - sl, " FROM \"%s\"", name);
    snprintf(pg_select + pl, sizeof pg_select - pl, " FROM \"%s\"", name);

    static struct text source, target;
    char **rows = calloc(ROWS_MAX, sizeof *rows);
    size_t count = 0;
    assert_int_equal(sqlite3_prepare_v2(db, sqlite_select, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW && count < ROWS_MAX) {
        struct text *row = calloc(1, sizeof *row);
        for (int i = 0; i < columns; i++) {
            const char *value = (const char *)sqlite3_column_text(st, i);
            append(row, "%s%s", i ? "|" : "", value ? value : "\\N");
        }
        rows[count++] = strdup(row->buf);
        free(row);
    }
    sqlite3_finalize(st);
    if (count == 0)
        fail_msg("the source's table %s is empty: give it rows in fill_the_rest(), so that "
                 "its migration is tested",
                 name);
    sorted_rows(rows, count, &source);

    PGresult *res = PQexec(conn, pg_select);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("table %s on PostgreSQL: %s", name, PQerrorMessage(conn));
    rows = calloc(ROWS_MAX, sizeof *rows);
    count = 0;
    for (int r = 0; r < PQntuples(res) && count < ROWS_MAX; r++) {
        struct text *row = calloc(1, sizeof *row);
        for (int i = 0; i < columns; i++)
            append(row, "%s%s", i ? "|" : "",
                   PQgetisnull(res, r, i) ? "\\N" : PQgetvalue(res, r, i));
        rows[count++] = strdup(row->buf);
        free(row);
    }
    PQclear(res);
    sorted_rows(rows, count, &target);
    if (strcmp(source.buf, target.buf) != 0)
        fail_msg("table %s differs after the migration:\nSQLite:\n%s\nPostgreSQL:\n%s", name,
                 source.buf, target.buf);
}

/* Every table of the SQLite schema, read from the file itself (a table
 * added to the schema later is in the list without this test changing),
 * has rows in the source and the same rows in the target after. */
static void test_migrate_copies_every_table_of_the_schema(void **state)
{
    (void)state;
    struct fixture *f = fixture_start(NULL); /* SQLite */
    fill(f);
    fill_the_rest(f);
    char uri[512], err[512];
    if (pg_server_database(uri, sizeof uri, err, sizeof err))
        fail_msg("%s", err);
    char listing[4096] = "";
    FILE *out = fmemopen(listing, sizeof listing, "w");
    int rc = central_migrate(f->db, uri, out, err, sizeof err);
    fclose(out);
    if (rc)
        fail_msg("migrate: %s", err);

    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    PGconn *conn = PQconnectdb(uri);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite%' ORDER BY name",
                                        -1, &st, NULL),
                     SQLITE_OK);
    int tables = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        compare_table(db, conn, (const char *)sqlite3_column_text(st, 0));
        tables++;
    }
    sqlite3_finalize(st);
    assert_true(tables >= 22);
    /* The accounts and their sessions work on the target: kari's session
     * is still signed in, ola's roster file still waits for its apply. */
    PGresult *res = PQexec(conn, "SELECT (SELECT count(*) FROM web_session s JOIN web_user u ON "
                                 "u.id = s.\"user\" WHERE u.name = 'kari'), (SELECT "
                                 "octet_length(data) FROM web_upload)");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(res, 0, 0), "1");
    assert_string_equal(PQgetvalue(res, 0, 1), "12");
    PQclear(res);
    PQfinish(conn);
    sqlite3_close(db);

    /* New rows follow the copied ids: the next account gets id 8. */
    struct central_store *pg = NULL;
    assert_int_equal(central_store_open(uri, &pg, err, sizeof err), 0);
    struct central_user user = {.role = CENTRAL_ROLE_VIEWER};
    snprintf(user.name, sizeof user.name, "ny");
    unsigned char setup[32] = {1};
    assert_int_equal(central_store_user_add(pg, &user, setup, INT64_MAX, err, sizeof err), 0);
    struct central_user got;
    assert_int_equal(central_store_user_get(pg, "ny", &got, err, sizeof err), 0);
    assert_int_equal(got.id, 8);
    central_store_close(pg);
    fixture_stop(f);
}

/* A table the target's schema lacks stops the move before anything is
 * written (no table is left behind silently). */
static void test_migrate_refuses_a_table_the_target_lacks(void **state)
{
    (void)state;
    struct fixture *f = fixture_start(NULL); /* SQLite */
    assert_int_equal(fixture_exec(f, "CREATE TABLE later_feature (id INTEGER PRIMARY KEY)"), 0);
    char uri[512], err[512];
    if (pg_server_database(uri, sizeof uri, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(central_migrate(f->db, uri, stdout, err, sizeof err), -ENOTSUP);
    assert_non_null(strstr(err, "table later_feature has no counterpart"));
    struct central_store *pg = NULL;
    assert_int_equal(central_store_open(uri, &pg, err, sizeof err), 0);
    struct text sites = {0};
    assert_int_equal(central_store_sites(pg, site_row, &sites, err, sizeof err), 0);
    assert_int_equal(sites.len, 0); /* nothing moved */
    central_store_close(pg);
    fixture_stop(f);
}

static void test_migrate_refuses_locations_of_the_wrong_kind(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(central_migrate("postgresql:///a", "postgresql:///b", stdout, err, sizeof err),
                     -EINVAL);
    assert_non_null(strstr(err, "--from FILE"));
    assert_int_equal(central_migrate("central.db", "other.db", stdout, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "--to postgresql://"));
}

int main(void)
{
    unsetenv(FIXTURE_BACKEND_ENV); /* the source is SQLite */
    test_use_oslo_time();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_moves_everything_and_the_reports_agree),
        cmocka_unit_test(test_migrate_copies_every_table_of_the_schema),
        cmocka_unit_test(test_migrate_refuses_a_table_the_target_lacks),
        cmocka_unit_test(test_migrate_refuses_locations_of_the_wrong_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
