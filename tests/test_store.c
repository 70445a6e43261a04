/* The local store: schema migrations, damaged files refused and left as
 * they were, the append-only event log, two connections at once, backups,
 * and a full disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "store.h"
#include "testutil.h"
#include "visits.h"

static char dir[512];

static void path_in(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static struct event make_event(enum event_kind kind, const char *volunteer, int64_t at_us)
{
    struct event ev = {0};
    event_new_id(ev.event_id);
    ev.kind = kind;
    ev.source = SOURCE_CARD;
    snprintf(ev.site, sizeof ev.site, "site");
    snprintf(ev.volunteer, sizeof ev.volunteer, "%s", volunteer);
    ev.at_us = ev.recorded_us = at_us;
    ev.mono_us = 1;
    snprintf(ev.boot_id, sizeof ev.boot_id, "boot");
    ev.clock_synced = 1;
    return ev;
}

static void add_volunteer(struct store *s, const char *id)
{
    struct volunteer v = {0};
    int change;
    snprintf(v.external_id, sizeof v.external_id, "%s", id);
    snprintf(v.given_name, sizeof v.given_name, "Given %s", id);
    snprintf(v.family_name, sizeof v.family_name, "Family");
    v.active = 1;
    assert_int_equal(store_volunteer_upsert(s, &v, 0, &change), 0);
}

static int64_t total_seconds(struct store *s, const char *volunteer)
{
    int64_t seconds = -1;
    assert_int_equal(store_volunteer_seconds(s, volunteer, "2000-01-01", "2100-01-01", 0, &seconds, NULL), 0);
    return seconds;
}

static void test_new_database_has_current_schema(void **state)
{
    (void)state;
    char path[600], err[600];
    struct store *s;
    path_in(path, sizeof path, "new.db");
    assert_int_equal(store_open(path, &s, err, sizeof err), 0);
    assert_int_equal(store_version(s), STORE_VERSION);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    store_close(s);
}

/* A database of every earlier version opens, migrates, and keeps its data;
 * for version 1 the visits are derived from the events it already had. */
static void test_every_earlier_version_migrates(void **state)
{
    (void)state;
    for (int version = 0; version < STORE_VERSION; version++) {
        char path[600], err[600], name[32];
        struct store *s;
        snprintf(name, sizeof name, "v%d.db", version);
        path_in(path, sizeof path, name);
        assert_int_equal(store_open_version(path, version, &s, err, sizeof err), 0);
        assert_int_equal(store_version(s), version);
        if (version >= 2) {
            /* From version 2 on, the kiosk derived visits as it wrote. */
            add_volunteer(s, "V1");
            struct event in = make_event(EVENT_CHECKIN, "V1", 1780000000 * US_PER_S);
            struct event out = make_event(EVENT_CHECKOUT, "V1", 1780007200 * US_PER_S);
            assert_int_equal(store_begin(s), 0);
            assert_int_equal(store_append(s, &in), 0);
            assert_int_equal(store_append(s, &out), 0);
            assert_int_equal(store_commit(s), 0);
            assert_int_equal(sqlite3_exec(store_db(s), "UPDATE volunteer SET given_name = 'Kari'",
                                          NULL, NULL, NULL), SQLITE_OK);
        } else if (version == 1) {
            /* Write what a version-1 kiosk wrote, with plain SQL. */
            sqlite3 *db = store_db(s);
            assert_int_equal(sqlite3_exec(db,
                "INSERT INTO volunteer (external_id, given_name, family_name, updated_us) "
                "VALUES ('V1', 'Kari', 'Nordmann', 0);"
                "INSERT INTO event (event_id, kind, site, volunteer, at_us, recorded_us, mono_us, "
                "boot_id, clock_synced, source) VALUES "
                "('e1', 'checkin', 'site', 'V1', 1780000000000000, 1780000000000000, 1, 'b', 1, 'card'),"
                "('e2', 'checkout', 'site', 'V1', 1780007200000000, 1780007200000000, 2, 'b', 1, 'card');",
                NULL, NULL, NULL), SQLITE_OK);
        }
        store_close(s);
        assert_int_equal(store_open(path, &s, err, sizeof err), 0);
        assert_int_equal(store_version(s), STORE_VERSION);
        if (version >= 1) {
            struct volunteer v;
            assert_int_equal(store_volunteer_by_external_id(s, "V1", &v), 0);
            assert_string_equal(v.given_name, "Kari");
            assert_int_equal(total_seconds(s, "V1"), 2 * 3600);
        }
        store_close(s);
    }
}

static void read_file(const char *path, char *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    *len = fread(buf, 1, cap, f);
    fclose(f);
}

static void test_garbage_file_refused_and_left_untouched(void **state)
{
    (void)state;
    char path[600], err[600], before[8192], after[8192];
    size_t before_len, after_len;
    struct store *s = NULL;
    path_in(path, sizeof path, "garbage.db");
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 4096; i++)
        fputc((i * 7919) & 0xff, f);
    fclose(f);
    read_file(path, before, sizeof before, &before_len);
    assert_true(store_open(path, &s, err, sizeof err) < 0);
    assert_null(s);
    assert_non_null(strstr(err, "damaged"));
    assert_non_null(strstr(err, path));
    read_file(path, after, sizeof after, &after_len);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    char wal[620];
    snprintf(wal, sizeof wal, "%s-wal", path);
    assert_int_equal(access(wal, F_OK), -1); /* not even a WAL file was made */
}

/* A real database whose schema page was overwritten. */
static void test_damaged_schema_refused_and_left_untouched(void **state)
{
    (void)state;
    char path[600], err[600];
    struct store *s;
    path_in(path, sizeof path, "damaged.db");
    assert_int_equal(store_open(path, &s, err, sizeof err), 0);
    add_volunteer(s, "A");
    store_close(s);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    char junk[1024];
    memset(junk, 0xA5, sizeof junk);
    assert_int_equal(pwrite(fd, junk, sizeof junk, 100), (ssize_t)sizeof junk);
    close(fd);
    struct stat st_before, st_after;
    char before[1 << 16], after[1 << 16];
    size_t before_len, after_len;
    stat(path, &st_before);
    read_file(path, before, sizeof before, &before_len);
    assert_true(store_open(path, &s, err, sizeof err) < 0);
    assert_non_null(strstr(err, "damaged"));
    stat(path, &st_after);
    read_file(path, after, sizeof after, &after_len);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    char path[600], err[600];
    struct store *s;
    path_in(path, sizeof path, "newer.db");
    assert_int_equal(store_open(path, &s, err, sizeof err), 0);
    assert_int_equal(sqlite3_exec(store_db(s), "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    store_close(s);
    assert_int_equal(store_open(path, &s, err, sizeof err), -EPROTO);
    assert_non_null(strstr(err, "newer Tilstede"));
}

static void test_event_log_is_append_only(void **state)
{
    (void)state;
    char path[600], err[600];
    struct store *s;
    path_in(path, sizeof path, "append.db");
    assert_int_equal(store_open(path, &s, err, sizeof err), 0);
    add_volunteer(s, "A");
    struct event ev = make_event(EVENT_CHECKIN, "A", 1000 * US_PER_S);
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_append(s, &ev), 0);
    assert_int_equal(store_commit(s), 0);
    sqlite3 *db = store_db(s);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE event SET kind = 'checkout'", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE event SET at_us = 5", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM event", NULL, NULL, NULL), SQLITE_OK);
    /* marking it uploaded is allowed, and then retention may delete it */
    assert_int_equal(sqlite3_exec(db, "UPDATE event SET uploaded = 1", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM event", NULL, NULL, NULL), SQLITE_OK);
    store_close(s);
}

static void test_duplicate_event_id_refused(void **state)
{
    (void)state;
    char path[600], err[600];
    struct store *s;
    path_in(path, sizeof path, "dup.db");
    assert_int_equal(store_open(path, &s, err, sizeof err), 0);
    add_volunteer(s, "A");
    struct event ev = make_event(EVENT_CHECKIN, "A", 1000 * US_PER_S);
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_append(s, &ev), 0);
    assert_int_equal(store_append(s, &ev), -EINVAL);
    store_rollback(s);
    store_close(s);
}

/* The derived visits always equal a fresh derivation from the events. */
static void test_visits_equal_rebuild_from_events(void **state)
{
    (void)state;
    char path[600], err[600];
    struct store *s;
    path_in(path, sizeof path, "rebuild.db");
    assert_int_equal(store_open(path, &s, err, sizeof err), 0);
    add_volunteer(s, "A");
    add_volunteer(s, "B");
    int64_t t = test_local_us(2026, 1, 5, 9, 0);
    assert_int_equal(store_begin(s), 0);
    struct event in = make_event(EVENT_CHECKIN, "A", t);
    struct event out = make_event(EVENT_CHECKOUT, "A", t + 2 * US_PER_H);
    struct event in_b = make_event(EVENT_CHECKIN, "B", t);
    struct event auto_b = make_event(EVENT_AUTOCLOSE, "B", t);
    struct event fix_b = make_event(EVENT_CORRECTION, "B", t + 3 * US_PER_H);
    snprintf(fix_b.corrects, sizeof fix_b.corrects, "%s", auto_b.event_id);
    struct event fix_a = make_event(EVENT_CORRECTION, "A", t - 30 * US_PER_MIN);
    snprintf(fix_a.corrects, sizeof fix_a.corrects, "%s", in.event_id);
    const struct event *all[] = {&in, &out, &in_b, &auto_b, &fix_b, &fix_a};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(store_append(s, all[i]), 0);
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(total_seconds(s, "A"), 2 * 3600 + 30 * 60);
    assert_int_equal(total_seconds(s, "B"), 3 * 3600);
    assert_int_equal(store_rebuild_visits(s), 0);
    assert_int_equal(total_seconds(s, "A"), 2 * 3600 + 30 * 60);
    assert_int_equal(total_seconds(s, "B"), 3 * 3600);
    store_close(s);
}

/* The kiosk and tilstedectl use one file at once: a writer waits for the
 * other's transaction instead of failing. */
static void test_two_connections_share_the_file(void **state)
{
    (void)state;
    char path[600], err[600];
    struct store *a, *b;
    path_in(path, sizeof path, "shared.db");
    assert_int_equal(store_open(path, &a, err, sizeof err), 0);
    assert_int_equal(store_open(path, &b, err, sizeof err), 0);
    add_volunteer(a, "A");
    assert_int_equal(store_begin(a), 0);
    struct event ev = make_event(EVENT_CHECKIN, "A", 1000 * US_PER_S);
    assert_int_equal(store_append(a, &ev), 0);
    /* b reads the last committed state while a writes */
    struct store_visit v;
    assert_int_equal(store_open_visit(b, "site", "A", &v), 1);
    assert_int_equal(store_commit(a), 0);
    assert_int_equal(store_open_visit(b, "site", "A", &v), 0);
    store_close(a);
    store_close(b);
}

static void test_backup_is_a_complete_database(void **state)
{
    (void)state;
    char path[600], backup[600], err[600], report[256];
    struct store *s, *copy;
    path_in(path, sizeof path, "live.db");
    path_in(backup, sizeof backup, "live-backup.db");
    assert_int_equal(store_open(path, &s, err, sizeof err), 0);
    add_volunteer(s, "A");
    assert_int_equal(store_backup(s, backup, err, sizeof err), 0);
    store_close(s);
    assert_int_equal(store_open(backup, &copy, err, sizeof err), 0);
    assert_int_equal(store_check(copy, report, sizeof report), 0);
    assert_int_equal(store_volunteer_count(copy), 1);
    store_close(copy);
}

static void test_check_finds_damage_in_a_page(void **state)
{
    (void)state;
    char path[600], err[600], report[2048];
    struct store *s;
    path_in(path, sizeof path, "pagedamage.db");
    assert_int_equal(store_open(path, &s, err, sizeof err), 0);
    assert_int_equal(store_begin(s), 0);
    for (int i = 0; i < 400; i++) {
        char id[16];
        snprintf(id, sizeof id, "P%04d", i);
        add_volunteer(s, id);
    }
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(sqlite3_exec(store_db(s), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), SQLITE_OK);
    store_close(s);
    /* Scribble over a whole page in the middle of the volunteer table (a
     * few bytes could land in a page's free space, which nothing reads). */
    int fd = open(path, O_RDWR);
    char junk[4096];
    memset(junk, 0x33, sizeof junk);
    struct stat st;
    fstat(fd, &st);
    assert_true(st.st_size > 8 * 4096);
    assert_int_equal(pwrite(fd, junk, sizeof junk, 6 * 4096), (ssize_t)sizeof junk);
    close(fd);
    int rc = store_open(path, &s, err, sizeof err);
    if (rc == 0) {
        assert_int_equal(store_check(s, report, sizeof report), 1);
        store_close(s);
    } else {
        assert_non_null(strstr(err, "damaged"));
    }
}

static int count_rows(struct store *s, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Retention deletes old visits only with all their events uploaded, and
 * what stays still derives the same visits. */
static void test_prune_deletes_only_old_uploaded_visits(void **state)
{
    (void)state;
    char path[600], err[600];
    struct store *s;
    path_in(path, sizeof path, "prune.db");
    assert_int_equal(store_open(path, &s, err, sizeof err), 0);
    add_volunteer(s, "A");
    add_volunteer(s, "B");
    int64_t old_day = test_local_us(2024, 3, 1, 10, 0), new_day = test_local_us(2026, 3, 1, 10, 0);
    struct event a_in = make_event(EVENT_CHECKIN, "A", old_day);
    struct event a_out = make_event(EVENT_CHECKOUT, "A", old_day + US_PER_H);
    struct event a_fix = make_event(EVENT_CORRECTION, "A", old_day + 2 * US_PER_H);
    snprintf(a_fix.corrects, sizeof a_fix.corrects, "%s", a_out.event_id);
    struct event b_in = make_event(EVENT_CHECKIN, "B", old_day);      /* old, not uploaded */
    struct event b_out = make_event(EVENT_CHECKOUT, "B", old_day + US_PER_H);
    struct event a2_in = make_event(EVENT_CHECKIN, "A", new_day);     /* recent */
    struct event a2_out = make_event(EVENT_CHECKOUT, "A", new_day + US_PER_H);
    const struct event *all[] = {&a_in, &a_out, &a_fix, &b_in, &b_out, &a2_in, &a2_out};
    assert_int_equal(store_begin(s), 0);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(store_append(s, all[i]), 0);
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(sqlite3_exec(store_db(s), "UPDATE event SET uploaded = 1 WHERE volunteer = 'A'",
                                  NULL, NULL, NULL), SQLITE_OK);
    int64_t deleted = -1;
    assert_int_equal(store_prune(s, test_local_us(2025, 1, 1, 0, 0), &deleted), 0);
    assert_int_equal(deleted, 3); /* A's old check-in, check-out and correction */
    assert_int_equal(count_rows(s, "SELECT count(*) FROM event"), 4);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM visit"), 2);
    assert_int_equal(total_seconds(s, "A"), 3600);
    assert_int_equal(total_seconds(s, "B"), 3600);
    assert_int_equal(store_rebuild_visits(s), 0);
    assert_int_equal(total_seconds(s, "A"), 3600);
    assert_int_equal(total_seconds(s, "B"), 3600);
    store_close(s);
}

static void test_forget_erases_a_volunteer_entirely(void **state)
{
    (void)state;
    char path[600], err[600];
    struct store *s;
    path_in(path, sizeof path, "forget.db");
    assert_int_equal(store_open(path, &s, err, sizeof err), 0);
    add_volunteer(s, "A");
    add_volunteer(s, "B");
    struct volunteer a;
    assert_int_equal(store_volunteer_by_external_id(s, "A", &a), 0);
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_card_add(s, "aa", a.id, 1), 0);
    struct event in = make_event(EVENT_CHECKIN, "A", 1780000000 * US_PER_S);
    struct event b_in = make_event(EVENT_CHECKIN, "B", 1780000000 * US_PER_S);
    assert_int_equal(store_append(s, &in), 0);
    assert_int_equal(store_append(s, &b_in), 0);
    assert_int_equal(store_commit(s), 0);
    int64_t events = 0;
    assert_int_equal(store_forget(s, "A", &events), 0);
    assert_int_equal(events, 1);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM event WHERE volunteer = 'A'"), 0);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM visit WHERE volunteer = 'A'"), 0);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM card"), 0);
    assert_int_equal(store_volunteer_by_external_id(s, "A", &a), 1);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM event WHERE volunteer = 'B'"), 1);
    assert_int_equal(store_forget(s, "A", &events), 1);
    store_close(s);
}

/* A real full file system: a tiny tmpfs (needs root, as in CI; elsewhere
 * the test says it was skipped). The failed write is reported, what was
 * committed before stays, and writing works again once space is freed. */
static void test_full_disk_fails_visibly_and_recovers(void **state)
{
    (void)state;
    char mnt[600], path[700], filler[700], err[600];
    path_in(mnt, sizeof mnt, "tmpfs");
    mkdir(mnt, 0700);
    if (mount("tilstede-test", mnt, "tmpfs", 0, "size=1m") != 0) {
        print_message("skipped: cannot mount a tmpfs here (%s); run as root\n", strerror(errno));
        skip();
    }
    snprintf(path, sizeof path, "%s/kiosk.db", mnt);
    snprintf(filler, sizeof filler, "%s/filler", mnt);
    struct store *s;
    assert_int_equal(store_open(path, &s, err, sizeof err), 0);
    add_volunteer(s, "A");
    struct event first = make_event(EVENT_CHECKIN, "A", 1000 * US_PER_S);
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_append(s, &first), 0);
    assert_int_equal(store_commit(s), 0);

    FILE *f = fopen(filler, "wb");
    char block[4096] = {0};
    while (fwrite(block, 1, sizeof block, f) == sizeof block && fflush(f) == 0)
        ;
    fclose(f);

    int failed = 0;
    for (int i = 0; i < 200 && !failed; i++) {
        char id[16];
        snprintf(id, sizeof id, "F%d", i);
        struct event ev = make_event(EVENT_CHECKOUT, "A", (1001 + i) * US_PER_S);
        int rc = store_begin(s);
        if (!rc) {
            struct volunteer v = {0};
            int change;
            snprintf(v.external_id, sizeof v.external_id, "%s", id);
            snprintf(v.given_name, sizeof v.given_name, "%0100d", i);
            snprintf(v.family_name, sizeof v.family_name, "x");
            v.active = 1;
            rc = store_volunteer_upsert(s, &v, 0, &change);
        }
        if (!rc)
            rc = store_append(s, &ev);
        if (!rc)
            rc = store_commit(s);
        if (rc) {
            store_rollback(s);
            assert_int_equal(rc, -ENOSPC);
            assert_non_null(strstr(store_errmsg(s), "full"));
            failed = 1;
        }
    }
    assert_true(failed);
    unlink(filler);
    struct event again = make_event(EVENT_CHECKOUT, "A", 5000 * US_PER_S);
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_append(s, &again), 0);
    assert_int_equal(store_commit(s), 0);
    store_close(s);
    assert_int_equal(store_open(path, &s, err, sizeof err), 0);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM event WHERE event_id IN (?1, ?2)", -1, &st, NULL);
    sqlite3_bind_text(st, 1, first.event_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, again.event_id, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 2);
    sqlite3_finalize(st);
    store_close(s);
    umount(mnt);
}

int main(void)
{
    test_use_oslo_time();
    test_tmpdir(dir, sizeof dir, "store");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_database_has_current_schema),
        cmocka_unit_test(test_every_earlier_version_migrates),
        cmocka_unit_test(test_garbage_file_refused_and_left_untouched),
        cmocka_unit_test(test_damaged_schema_refused_and_left_untouched),
        cmocka_unit_test(test_newer_schema_refused),
        cmocka_unit_test(test_event_log_is_append_only),
        cmocka_unit_test(test_duplicate_event_id_refused),
        cmocka_unit_test(test_visits_equal_rebuild_from_events),
        cmocka_unit_test(test_two_connections_share_the_file),
        cmocka_unit_test(test_backup_is_a_complete_database),
        cmocka_unit_test(test_check_finds_damage_in_a_page),
        cmocka_unit_test(test_prune_deletes_only_old_uploaded_visits),
        cmocka_unit_test(test_forget_erases_a_volunteer_entirely),
        cmocka_unit_test(test_full_disk_fails_visibly_and_recovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
