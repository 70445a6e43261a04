/* Recovery at start and the rotating backups (firmware/recovery.h): a
 * damaged database is moved aside and the newest GOOD backup restored,
 * with exactly the backup's events surviving; without a good backup
 * nothing is touched; rotation keeps the newest seven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "demo.h"
#include "kiosk.h"
#include "recovery.h"
#include "store.h"
#include "testutil.h"

#define MAX_FILE (8 * 1024 * 1024)

struct fixture {
    char dir[256];
    char backups[300];
    struct config cfg;
    struct clock_fake clock;
    struct kiosk *kiosk;
};

/* Demo cards 0 and 1 (firmware/demo.c). */
static const uint8_t KARI[] = {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x01};
static const uint8_t OLA[] = {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x02};
static const uint8_t ASE[] = {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x04};

/* 2026-11-20 02:30:00 UTC, and a day later. */
static const time_t NIGHT1 = 1795141800;
static const time_t NIGHT2 = 1795141800 + 86400;

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[600];
    test_use_oslo_time();
    test_tmpdir(f->dir, sizeof f->dir, "recovery");
    snprintf(f->backups, sizeof f->backups, "%s/backup", f->dir);
    config_defaults(&f->cfg);
    snprintf(f->cfg.site_id, sizeof f->cfg.site_id, "solsiden");
    snprintf(f->cfg.database, sizeof f->cfg.database, "%s/tilstede.db", f->dir);
    snprintf(f->cfg.card_key, sizeof f->cfg.card_key, "%s/card.key", f->dir);
    clock_fake_init(&f->clock, test_local_us(2026, 11, 19, 9, 0));
    assert_int_equal(kiosk_open(&f->cfg, &f->clock.source, &f->kiosk, err, sizeof err), 0);
    assert_int_equal(demo_populate(f->kiosk, err, sizeof err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->kiosk)
        kiosk_close(f->kiosk);
    free(f);
    return 0;
}

static void close_kiosk(struct fixture *f)
{
    kiosk_close(f->kiosk); /* the last connection: the WAL is checkpointed */
    f->kiosk = NULL;
}

static struct tap_result tap(struct fixture *f, const uint8_t *uid)
{
    struct tap_result r;
    clock_fake_advance(&f->clock, 10 * US_PER_MIN);
    assert_int_equal(kiosk_tap(f->kiosk, uid, 7, &r), 0);
    return r;
}

static void backup_at(struct fixture *f, time_t when, char *path, size_t cap)
{
    char err[600];
    int rc = recovery_backup_rotate_at(&f->cfg, NULL, RECOVERY_KEEP_DEFAULT, when, path, cap, err,
                                       sizeof err);
    if (rc)
        fail_msg("backup failed: %s", err);
}

static size_t read_all(const char *path, unsigned char *buf, size_t cap)
{
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    size_t n = fread(buf, 1, cap, in);
    fclose(in);
    return n;
}

/* The event ids in the database, in recording order, as "id,id,...". */
static void event_ids(const char *db_path, const char *kind, char *out, size_t cap)
{
    struct store *s;
    char err[600];
    sqlite3_stmt *st;
    assert_int_equal(store_open(db_path, &s, err, sizeof err), 0);
    assert_int_equal(sqlite3_prepare_v2(store_db(s),
                                        "SELECT event_id FROM event WHERE kind = ?1 ORDER BY seq",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    size_t used = 0;
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "," : "",
                                 (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    store_close(s);
}

static int count_files(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, prefix, strlen(prefix)))
            n++;
    closedir(d);
    return n;
}

static void test_damaged_database_is_restored_from_newest_good_backup(void **state)
{
    struct fixture *f = *state;
    char err[600], first[700], second[700], survived[4096], expected[4096];
    struct tap_result kari = tap(f, KARI);
    assert_int_equal(kari.outcome, TAP_CHECKED_IN);
    backup_at(f, NIGHT1, first, sizeof first);
    /* What the first backup holds is what must survive: */
    event_ids(first, "checkin", expected, sizeof expected);
    assert_string_equal(expected, kari.event_id);

    struct tap_result ola = tap(f, OLA); /* only in the second backup */
    assert_int_equal(ola.outcome, TAP_CHECKED_IN);
    backup_at(f, NIGHT2, second, sizeof second);
    struct tap_result ase = tap(f, ASE); /* only in the damaged database */
    assert_int_equal(ase.outcome, TAP_CHECKED_IN);
    close_kiosk(f);

    /* The newest backup is damaged (not even a database any more), and so
     * is the database, deep inside where only a check looks. */
    test_scribble(second, 0);
    test_scribble(f->cfg.database, 2 * 4096);
    static unsigned char damaged[MAX_FILE], aside[MAX_FILE];
    size_t damaged_len = read_all(f->cfg.database, damaged, sizeof damaged);

    struct recovery_report report;
    int rc = recovery_prepare(&f->cfg, NULL, &report, err, sizeof err);
    if (rc)
        fail_msg("recovery_prepare: %s", err);
    assert_int_equal(report.action, RECOVERY_RESTORED);
    assert_string_equal(report.backup_path, first);
    assert_int_equal(report.backup_us, (int64_t)NIGHT1 * US_PER_S);
    assert_int_equal(report.skipped_backups, 1);
    assert_non_null(strstr(report.message, "restored from the backup of 2026-11-20 03:30 CET"));
    assert_non_null(strstr(report.message, "on the central if they were uploaded"));
    assert_non_null(strstr(report.message, report.damaged_path));

    /* The damaged file is kept aside, byte for byte. */
    assert_non_null(strstr(report.damaged_path, "/tilstede.db.damaged-"));
    assert_int_equal(read_all(report.damaged_path, aside, sizeof aside), damaged_len);
    assert_memory_equal(aside, damaged, damaged_len);

    /* Exactly the first backup's check-ins survived: Kari's. Ola's was in
     * the damaged backup only and Åse's in the damaged database only; the
     * central has them if they were uploaded. */
    event_ids(f->cfg.database, "checkin", survived, sizeof survived);
    assert_string_equal(survived, kari.event_id);
    assert_null(strstr(survived, ola.event_id));
    assert_null(strstr(survived, ase.event_id));

    /* The kiosk opens the restored database, Kari is present, and a tap
     * works: the next one checks her out. */
    assert_int_equal(kiosk_open(&f->cfg, &f->clock.source, &f->kiosk, err, sizeof err), 0);
    assert_int_equal(kiosk_present_count(f->kiosk), 1);
    assert_int_equal(tap(f, KARI).outcome, TAP_CHECKED_OUT);
    assert_int_equal(tap(f, OLA).outcome, TAP_CHECKED_IN);
    close_kiosk(f);

    /* And the next start finds it healthy. */
    assert_int_equal(recovery_prepare(&f->cfg, NULL, &report, err, sizeof err), 0);
    assert_int_equal(report.action, RECOVERY_NONE);
}

static void test_damaged_wal_travels_aside_with_its_database(void **state)
{
    struct fixture *f = *state;
    char err[600], path[700], side[RECOVERY_PATH_MAX + 8];
    backup_at(f, NIGHT1, path, sizeof path);
    tap(f, KARI);
    close_kiosk(f);
    /* A -wal and -shm left by a crash (the kiosk killed mid-write). */
    test_scribble(f->cfg.database, 0);
    snprintf(side, sizeof side, "%s-wal", f->cfg.database);
    FILE *wal = fopen(side, "wb");
    fputs("half a transaction", wal);
    fclose(wal);

    struct recovery_report report;
    assert_int_equal(recovery_prepare(&f->cfg, NULL, &report, err, sizeof err), 0);
    assert_int_equal(report.action, RECOVERY_RESTORED);
    assert_int_equal(report.skipped_backups, 0);
    assert_int_equal(access(side, F_OK), -1); /* not applied to the restored file */
    snprintf(side, sizeof side, "%s-wal", report.damaged_path);
    assert_int_equal(access(side, F_OK), 0); /* but kept with its database */
    assert_non_null(strstr(report.problem, "not a database"));
}

static void test_no_good_backup_leaves_the_damaged_file_untouched(void **state)
{
    struct fixture *f = *state;
    char err[600], path[700];
    tap(f, KARI);
    close_kiosk(f);
    test_scribble(f->cfg.database, 2 * 4096);
    static unsigned char before[MAX_FILE], after[MAX_FILE];
    size_t len = read_all(f->cfg.database, before, sizeof before);

    /* No backup directory at all. */
    struct recovery_report report;
    assert_int_equal(recovery_prepare(&f->cfg, NULL, &report, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "is damaged"));
    assert_non_null(strstr(err, "no good backup in"));
    assert_non_null(strstr(err, "Nothing has been changed"));
    assert_int_equal(report.action, RECOVERY_NONE);

    /* Only a damaged backup: the same, and it says so. */
    assert_int_equal(mkdir(f->backups, 0700), 0);
    snprintf(path, sizeof path, "%s/tilstede-20261120T023000Z.db", f->backups);
    FILE *junk = fopen(path, "wb");
    fputs("this is no database", junk);
    fclose(junk);
    assert_int_equal(recovery_prepare(&f->cfg, f->backups, &report, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "every backup there is damaged too"));

    assert_int_equal(read_all(f->cfg.database, after, sizeof after), len);
    assert_memory_equal(after, before, len);
    assert_int_equal(count_files(f->dir, "tilstede.db.damaged"), 0);
    assert_int_equal(count_files(f->dir, "tilstede.db.restoring"), 0);
    /* store_open() refuses it the same way, so the kiosk does not start on it. */
}

static void test_healthy_database_is_left_alone(void **state)
{
    struct fixture *f = *state;
    char err[600], path[700];
    tap(f, KARI);
    backup_at(f, NIGHT1, path, sizeof path);
    close_kiosk(f);
    static unsigned char before[MAX_FILE], after[MAX_FILE];
    size_t len = read_all(f->cfg.database, before, sizeof before);
    struct recovery_report report;
    assert_int_equal(recovery_prepare(&f->cfg, NULL, &report, err, sizeof err), 0);
    assert_int_equal(report.action, RECOVERY_NONE);
    assert_int_equal(read_all(f->cfg.database, after, sizeof after), len);
    assert_memory_equal(after, before, len);
}

static void test_lost_database_is_restored_but_a_new_one_is_not(void **state)
{
    struct fixture *f = *state;
    char err[600], path[700];
    struct recovery_report report;
    tap(f, KARI);
    close_kiosk(f);

    /* A new kiosk: no database, no backups. The store will create it. */
    char fresh[300];
    struct config cfg = f->cfg;
    snprintf(fresh, sizeof fresh, "%s/fresh", f->dir);
    assert_int_equal(mkdir(fresh, 0700), 0);
    snprintf(cfg.database, sizeof cfg.database, "%s/tilstede.db", fresh);
    assert_int_equal(recovery_prepare(&cfg, NULL, &report, err, sizeof err), 0);
    assert_int_equal(report.action, RECOVERY_NONE);
    assert_int_equal(access(cfg.database, F_OK), -1);

    /* A database that vanished (emptied by a bad card, deleted by hand)
     * while backups exist is restored, not started empty. */
    backup_at(f, NIGHT1, path, sizeof path);
    assert_int_equal(truncate(f->cfg.database, 0), 0);
    assert_int_equal(recovery_prepare(&f->cfg, NULL, &report, err, sizeof err), 0);
    assert_int_equal(report.action, RECOVERY_RESTORED);
    assert_non_null(strstr(report.problem, "empty"));
    char checkins[512];
    event_ids(f->cfg.database, "checkin", checkins, sizeof checkins);
    assert_int_equal(strlen(checkins), EVENT_ID_LEN); /* Kari's */
}

static void test_rotation_keeps_the_newest_seven(void **state)
{
    struct fixture *f = *state;
    char path[700];
    for (int night = 0; night < 9; night++)
        backup_at(f, NIGHT1 + night * 86400, path, sizeof path);
    assert_int_equal(count_files(f->backups, RECOVERY_BACKUP_PREFIX), 7);
    /* The two oldest went: 20 and 21 November; 22 to 28 stay. */
    for (int day = 20; day <= 28; day++) {
        snprintf(path, sizeof path, "%s/tilstede-202611%02dT023000Z.db", f->backups, day);
        assert_int_equal(access(path, F_OK), day >= 22 ? 0 : -1);
    }
    /* Readable by the kiosk user alone, like the database. */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(count_files(f->backups, "."), 2); /* . and .., no .partial left */
    assert_int_equal(count_files(f->backups, "tilstede"), 7);
}

static void test_backup_of_a_missing_database_fails(void **state)
{
    struct fixture *f = *state;
    char err[600];
    struct config cfg = f->cfg;
    snprintf(cfg.database, sizeof cfg.database, "%s/nothing.db", f->dir);
    assert_int_equal(recovery_backup_rotate(&cfg, NULL, 7, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "no database to back up"));
    assert_int_equal(access(cfg.database, F_OK), -1);
    assert_int_equal(recovery_backup_rotate(&f->cfg, NULL, 0, err, sizeof err), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_damaged_database_is_restored_from_newest_good_backup,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_wal_travels_aside_with_its_database, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_no_good_backup_leaves_the_damaged_file_untouched,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_healthy_database_is_left_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_database_is_restored_but_a_new_one_is_not, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rotation_keeps_the_newest_seven, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_of_a_missing_database_fails, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
