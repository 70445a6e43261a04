/* Benchmarks of the kiosk core (issue 3): figures beside a baseline
 * measured in the same run, never pass/fail.
 *   1. tap to durable commit, against a bare one-row INSERT with the same
 *      pragmas on the same disk (goal: at most 1.5 times);
 *   2. start (open, migration check, roster index, sweep) with 10,000
 *      volunteers and 1,000,000 events (goal: at most 300 ms);
 *   3. an hours report for a year over those events (goal: at most 200 ms).
 * Usage: bench_core [events] (default 1000000). */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "demo.h"
#include "kiosk.h"
#include "store.h"
#include "testutil.h"

#define TAPS 1000
#define VOLUNTEERS 10000
#define REPEATS 7

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double percentile(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, compare_double);
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "bench_core: %s: %s\n", what, detail);
    exit(1);
}

static void config_in(struct config *cfg, const char *dir, const char *name)
{
    config_defaults(cfg);
    snprintf(cfg->site_id, sizeof cfg->site_id, "bench");
    snprintf(cfg->database, sizeof cfg->database, "%s/%s.db", dir, name);
    snprintf(cfg->card_key, sizeof cfg->card_key, "%s/card.key", dir);
}

/* 1. Tap to commit, interleaved with a bare INSERT so both see the same
 * disk and the same noise. */
static void bench_tap(const char *dir)
{
    struct config cfg;
    struct clock_fake clock;
    struct kiosk *kiosk;
    char err[600], bare_path[600];
    config_in(&cfg, dir, "taps");
    unlink(cfg.database);
    clock_fake_init(&clock, test_local_us(2026, 11, 23, 8, 0));
    if (kiosk_open(&cfg, &clock.source, &kiosk, err, sizeof err) ||
        demo_populate(kiosk, err, sizeof err))
        die("kiosk", err);

    snprintf(bare_path, sizeof bare_path, "%s/bare.db", dir);
    unlink(bare_path);
    sqlite3 *bare;
    sqlite3_stmt *insert;
    if (sqlite3_open(bare_path, &bare) ||
        sqlite3_exec(bare, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                           "PRAGMA foreign_keys = ON; CREATE TABLE event (seq INTEGER PRIMARY KEY, "
                           "event_id TEXT UNIQUE, kind TEXT, at_us INTEGER)", NULL, NULL, NULL) ||
        sqlite3_prepare_v2(bare, "INSERT INTO event (event_id, kind, at_us) VALUES (?1, 'checkin', ?2)",
                           -1, &insert, NULL))
        die("bare database", sqlite3_errmsg(bare));

    static double tap_ms[TAPS], insert_ms[TAPS];
    int recorded = 0;
    for (int i = 0; i < TAPS; i++) {
        struct tap_result r;
        clock_fake_advance(&clock, 31 * US_PER_S); /* past the repeat window */
        double t0 = now_ms();
        kiosk_tap(kiosk, demo_card_uid[i % 4], DEMO_UID_LEN, &r);
        tap_ms[i] = now_ms() - t0;
        recorded += r.outcome == TAP_CHECKED_IN || r.outcome == TAP_CHECKED_OUT;

        char id[EVENT_ID_LEN + 1];
        event_new_id(id);
        t0 = now_ms();
        sqlite3_bind_text(insert, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 2, i);
        if (sqlite3_step(insert) != SQLITE_DONE)
            die("bare insert", sqlite3_errmsg(bare));
        sqlite3_reset(insert);
        insert_ms[i] = now_ms() - t0;
    }
    if (recorded != TAPS)
        die("taps", "not every tap was recorded");
    sqlite3_finalize(insert);
    sqlite3_close(bare);
    kiosk_close(kiosk);
    double tap_med = percentile(tap_ms, TAPS, 0.5), tap_p99 = percentile(tap_ms, TAPS, 0.99);
    double ins_med = percentile(insert_ms, TAPS, 0.5), ins_p99 = percentile(insert_ms, TAPS, 0.99);
    printf("1. tap to durable commit, %d taps (synchronous=FULL, WAL, on %s)\n", TAPS, dir);
    printf("   %-34s %10s %10s\n", "", "median ms", "p99 ms");
    printf("   %-34s %10.3f %10.3f\n", "kiosk_tap (check-in/out)", tap_med, tap_p99);
    printf("   %-34s %10.3f %10.3f\n", "baseline: bare one-row INSERT", ins_med, ins_p99);
    printf("   %-34s %10.2f %10.2f   (goal: at most 1.50)\n\n", "ratio", tap_med / ins_med,
           tap_p99 / ins_p99);
}

/* A year of visits: 10,000 volunteers, events/2 visits spread over 2026
 * in 6 activities, written through the same store_append as the kiosk. */
static void build_big(const char *dir, long events)
{
    struct config cfg;
    struct store *s;
    char err[600];
    config_in(&cfg, dir, "big");
    unlink(cfg.database);
    char wal[620];
    snprintf(wal, sizeof wal, "%s-wal", cfg.database);
    unlink(wal);
    if (store_open(cfg.database, &s, err, sizeof err))
        die("store", err);
    double t0 = now_ms();
    if (store_begin(s))
        die("store", store_errmsg(s));
    for (int i = 0; i < VOLUNTEERS; i++) {
        static const char *given[] = {"Kari", "Ola", "Åse", "Bjørn", "Ingrid", "Per", "Liv", "Knut"};
        static const char *family[] = {"Nordmann", "Hansen", "Ødegård", "Sæther", "Berg", "Dahl"};
        struct volunteer v = {0};
        int change;
        snprintf(v.external_id, sizeof v.external_id, "V%05d", i);
        snprintf(v.given_name, sizeof v.given_name, "%s %d", given[i % 8], i);
        snprintf(v.family_name, sizeof v.family_name, "%s", family[(i / 8) % 6]);
        v.active = 1;
        snprintf(v.confidentiality_signed, sizeof v.confidentiality_signed, "2025-01-01");
        if (store_volunteer_upsert(s, &v, 0, &change))
            die("volunteer", store_errmsg(s));
    }
    char activity[6][EVENT_ID_LEN + 1];
    for (int a = 0; a < 6; a++)
        event_new_id(activity[a]);
    int64_t year_start = test_local_us(2026, 1, 1, 8, 0);
    long visits = events / 2;
    uint32_t seed = 42;
    struct event ev = {0};
    snprintf(ev.site, sizeof ev.site, "bench");
    snprintf(ev.boot_id, sizeof ev.boot_id, "boot");
    ev.clock_synced = 1;
    ev.source = SOURCE_CARD;
    for (long i = 0; i < visits; i++) {
        seed = seed * 1664525u + 1013904223u;
        int64_t start = year_start + (int64_t)(i * (364LL * 86400 / visits)) * US_PER_S;
        snprintf(ev.volunteer, sizeof ev.volunteer, "V%05u", (seed >> 8) % VOLUNTEERS);
        snprintf(ev.activity, sizeof ev.activity, "%s", activity[(seed >> 4) % 6]);
        event_new_id(ev.event_id);
        ev.kind = EVENT_CHECKIN;
        ev.at_us = ev.recorded_us = start;
        if (store_append(s, &ev))
            die("append", store_errmsg(s));
        event_new_id(ev.event_id);
        ev.kind = EVENT_CHECKOUT;
        ev.at_us = ev.recorded_us = start + (int64_t)(60 + (seed >> 12) % 240) * US_PER_MIN;
        if (store_append(s, &ev))
            die("append", store_errmsg(s));
    }
    if (store_commit(s))
        die("commit", store_errmsg(s));
    sqlite3_exec(store_db(s), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    store_close(s);
    struct stat st;
    stat(cfg.database, &st);
    printf("   (built %ld events, %ld visits, %d volunteers in %.1f s: %.0f MB)\n\n", visits * 2,
           visits, VOLUNTEERS, (now_ms() - t0) / 1000, st.st_size / 1e6);
}

static void bench_start(const char *dir)
{
    struct config cfg;
    char err[600];
    double open_ms[REPEATS], bare_ms[REPEATS];
    config_in(&cfg, dir, "big");
    for (int i = 0; i < REPEATS; i++) {
        struct kiosk *kiosk;
        double t0 = now_ms();
        if (kiosk_open(&cfg, clock_system(), &kiosk, err, sizeof err))
            die("kiosk_open", err);
        open_ms[i] = now_ms() - t0;
        kiosk_close(kiosk);
        /* baseline: open the file and read the schema, nothing more */
        sqlite3 *db;
        t0 = now_ms();
        sqlite3_open(cfg.database, &db);
        sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
        sqlite3_close(db);
        bare_ms[i] = now_ms() - t0;
    }
    printf("2. start: kiosk_open (open, schema check, roster index, sweep), %d runs\n", REPEATS);
    printf("   %-34s %10.1f ms median, %.1f max   (goal: at most 300 ms)\n", "kiosk_open",
           percentile(open_ms, REPEATS, 0.5), percentile(open_ms, REPEATS, 1.0));
    printf("   %-34s %10.1f ms median\n\n", "baseline: sqlite3_open + schema",
           percentile(bare_ms, REPEATS, 0.5));
}

static int count_row(void *user, const struct report_row *row)
{
    (void)row;
    (*(int *)user)++;
    return 0;
}

static void bench_report(const char *dir)
{
    struct config cfg;
    struct store *s;
    char err[600];
    config_in(&cfg, dir, "big");
    if (store_open(cfg.database, &s, err, sizeof err))
        die("store", err);
    static const struct {
        enum store_report_by by;
        const char *name;
    } kinds[] = {{REPORT_TOTAL, "total"}, {REPORT_BY_MONTH, "by month"},
                 {REPORT_BY_ACTIVITY, "by activity"}, {REPORT_BY_VOLUNTEER, "by volunteer"}};
    printf("3. hours report for 2026, %d runs each\n", REPEATS);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        double ms[REPEATS];
        int rows = 0;
        for (int i = 0; i < REPEATS; i++) {
            rows = 0;
            double t0 = now_ms();
            if (store_report(s, "2026-01-01", "2026-12-31", kinds[k].by, 15, count_row, &rows) < 0)
                die("report", store_errmsg(s));
            ms[i] = now_ms() - t0;
        }
        printf("   %-34s %10.1f ms median, %.1f max, %d rows   (goal: at most 200 ms)\n",
               kinds[k].name, percentile(ms, REPEATS, 0.5), percentile(ms, REPEATS, 1.0), rows);
    }
    /* baseline: the bare scan the report cannot avoid */
    double ms[REPEATS];
    for (int i = 0; i < REPEATS; i++) {
        double t0 = now_ms();
        sqlite3_exec(store_db(s), "SELECT sum(end_us - start_us) FROM visit", NULL, NULL, NULL);
        ms[i] = now_ms() - t0;
    }
    printf("   %-34s %10.1f ms median\n", "baseline: SELECT sum() over visits", percentile(ms, REPEATS, 0.5));
    store_close(s);
}

int main(int argc, char **argv)
{
    long events = argc > 1 ? atol(argv[1]) : 1000000;
    char dir[512];
    test_use_oslo_time();
    test_tmpdir(dir, sizeof dir, "bench-core");
    printf("Tilstede core benchmarks (SQLite %s)\n\n", sqlite3_libversion());
    bench_tap(dir);
    printf("Building the big database...\n");
    build_big(dir, events);
    bench_start(dir);
    bench_report(dir);
    return 0;
}
