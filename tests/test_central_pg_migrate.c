/* tilstede-central migrate: a SQLite central with sites, kiosks, status,
 * a login, a roster, cards, activities, events and visits moves into an
 * empty PostgreSQL database, and every report, list and cursor reads the
 * same after as before; the kiosks' and the coordinator's tokens still
 * work. A database that already holds a central is refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "central_fixture.h"
#include "migrate.h"
#include "pg_server.h"
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

static void test_migrate_refuses_a_central_with_web_accounts_or_audit_rows(void **state)
{
    (void)state;
    struct fixture *f = fixture_start(NULL); /* SQLite */
    assert_int_equal(fixture_exec(f, "INSERT INTO audit (at_us, actor, action, subject, detail) "
                                     "VALUES (1, 'koordinator', 'login', '', '')"),
                     0);
    char uri[512], err[512];
    if (pg_server_database(uri, sizeof uri, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(central_migrate(f->db, uri, stdout, err, sizeof err), -ENOTSUP);
    assert_non_null(strstr(err, "rows in audit"));
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
        cmocka_unit_test(test_migrate_refuses_a_central_with_web_accounts_or_audit_rows),
        cmocka_unit_test(test_migrate_refuses_locations_of_the_wrong_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
