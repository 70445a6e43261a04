/* Recovery of a damaged database from the newest good backup, and the
 * rotating backups themselves (see recovery.h).
 *
 * The checks here open files read-only with SQLite directly rather than
 * through store_open(): store_open() switches the journal mode and
 * migrates, that is it writes, and a damaged file (or a backup) must be
 * read exactly as it is and never changed. */
#include "recovery.h"
#include "utf8.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

#define STAMP_LEN   16 /* YYYYMMDDTHHMMSSZ */
#define CHECK_LINES 20 /* quick_check stops after this many problems */
#define COPY_CHUNK  (64 * 1024)
#define MAX_BACKUPS 1024 /* more files than this in the directory are ignored */

enum check_result { CHECK_HEALTHY = 0, CHECK_DAMAGED = 1 };

struct backup_name {
    char name[256]; /* a directory entry's name */
};

void recovery_backup_dir(const struct config *cfg, const char *backup_dir, char *out, size_t cap)
{
    if (backup_dir && *backup_dir) {
        snprintf(out, cap, "%s", backup_dir);
        return;
    }
    char copy[CONFIG_PATH_MAX];
    snprintf(copy, sizeof copy, "%s", cfg->database);
    snprintf(out, cap, "%s/%s", dirname(copy), RECOVERY_BACKUP_SUBDIR);
}

static void utc_stamp(time_t when, char out[STAMP_LEN + 1])
{
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(out, STAMP_LEN + 1, "%Y%m%dT%H%M%SZ", &tm);
}

/* "tilstede-20261123T023000Z.db" -> its time; -1 when the name is not a backup's. */
static time_t backup_name_time(const char *name)
{
    size_t prefix = strlen(RECOVERY_BACKUP_PREFIX), suffix = strlen(RECOVERY_BACKUP_SUFFIX);
    if (strlen(name) != prefix + STAMP_LEN + suffix ||
        strncmp(name, RECOVERY_BACKUP_PREFIX, prefix) ||
        strcmp(name + prefix + STAMP_LEN, RECOVERY_BACKUP_SUFFIX))
        return -1;
    struct tm tm = {0};
    const char *end = strptime(name + prefix, "%Y%m%dT%H%M%SZ", &tm);
    if (!end || end != name + prefix + STAMP_LEN)
        return -1;
    return timegm(&tm);
}

static int by_name_newest_first(const void *a, const void *b)
{
    return -strcmp(((const struct backup_name *)a)->name, ((const struct backup_name *)b)->name);
}

/* The backups in dir, newest first. Returns the count, or < 0 (err set);
 * a missing directory holds none. *out is malloc'd. */
static int list_backups(const char *dir, struct backup_name **out, char *err, size_t errlen)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: cannot read the backup directory: %s", dir, strerror(errno));
        return -errno;
    }
    struct backup_name *names = calloc(MAX_BACKUPS, sizeof *names);
    int count = 0;
    if (!names) {
        closedir(d);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    struct dirent *entry;
    while ((entry = readdir(d)) && count < MAX_BACKUPS) {
        if (backup_name_time(entry->d_name) < 0)
            continue;
        snprintf(names[count++].name, sizeof names[0].name, "%s", entry->d_name);
    }
    closedir(d);
    qsort(names, (size_t)count, sizeof *names, by_name_newest_first);
    *out = names;
    return count;
}

/* A file: URI for path, with the characters a URI gives meaning escaped. */
static void file_uri(const char *path, const char *query, char *out, size_t cap)
{
    size_t used = (size_t)snprintf(out, cap, "file:");
    for (const char *p = path; *p && used + 4 < cap; p++) {
        if (*p == '%' || *p == '?' || *p == '#')
            used += (size_t)snprintf(out + used, cap - used, "%%%02X", (unsigned char)*p);
        else
            out[used++] = *p;
    }
    out[used] = '\0';
    snprintf(out + used, cap - used, "%s", query);
}

static int is_damage(int code)
{
    code &= 0xff;
    return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
}

/* Checks the file read-only. immutable: a closed file nobody writes (a
 * backup, a copy), read without locks or -shm so nothing is created
 * beside it; otherwise the live database, with its -wal, whose committed
 * transactions are part of it. Returns CHECK_HEALTHY or CHECK_DAMAGED
 * (problem says how), or < 0 when the file cannot be read at all. */
static int check_file(const char *path, int immutable, int *schema_version, char *problem,
                      size_t cap)
{
    char uri[RECOVERY_PATH_MAX * 3 + 32];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int result = -EIO;
    problem[0] = '\0';
    file_uri(path, immutable ? "?immutable=1" : "", uri, sizeof uri);
    int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    if (rc != SQLITE_OK) {
        snprintf(problem, cap, "cannot open: %s", db ? sqlite3_errmsg(db) : "out of memory");
        goto out;
    }
    sqlite3_extended_result_codes(db, 1);
    rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(" /* problems */ "20)", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        snprintf(problem, cap, "%s", sqlite3_errmsg(db));
        result = is_damage(rc) ? CHECK_DAMAGED : -EIO;
        goto out;
    }
    size_t used = 0;
    int healthy = 1, lines = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && lines++ < CHECK_LINES) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (line && !strcmp(line, "ok"))
            continue;
        healthy = 0;
        if (used < cap)
            used += (size_t)snprintf(problem + used, cap - used, "%s%s", used ? "; " : "",
                                     line ? line : "?");
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        snprintf(problem, cap, "%s", sqlite3_errmsg(db));
        result = is_damage(rc) ? CHECK_DAMAGED : -EIO;
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!healthy) {
        result = CHECK_DAMAGED;
        goto out;
    }
    rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        snprintf(problem, cap, "%s", sqlite3_errmsg(db));
        result = is_damage(sqlite3_errcode(db)) ? CHECK_DAMAGED : -EIO;
        goto out;
    }
    *schema_version = sqlite3_column_int(st, 0);
    result = CHECK_HEALTHY;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return result;
}

static int fsync_path(const char *path, int directory)
{
    int fd = open(path, (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) ? -errno : 0;
    close(fd);
    return rc;
}

static void fsync_parent(const char *path)
{
    char copy[RECOVERY_PATH_MAX];
    snprintf(copy, sizeof copy, "%s", path);
    fsync_path(dirname(copy), 1);
}

/* Copies from to a new file to (mode 0600), synced to disk. */
static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
    int in = -1, out = -1, rc = -EIO;
    char *buf = malloc(COPY_CHUNK);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", from, strerror(errno));
        goto out;
    }
    unlink(to);
    if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", to, strerror(errno));
        goto out;
    }
    for (;;) {
        ssize_t got = read(in, buf, COPY_CHUNK);
        if (got == 0)
            break;
        if (got < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            snprintf(err, errlen, "reading %s: %s", from, strerror(errno));
            goto out;
        }
        for (ssize_t done = 0; done < got;) {
            ssize_t put = write(out, buf + done, (size_t)(got - done));
            if (put < 0 && errno == EINTR)
                continue;
            if (put < 0) {
                rc = -errno;
                snprintf(err, errlen, "writing %s: %s", to, strerror(errno));
                goto out;
            }
            done += put;
        }
    }
    if (fsync(out)) {
        rc = -errno;
        snprintf(err, errlen, "writing %s: %s", to, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    free(buf);
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) && !rc) {
        rc = -errno;
        snprintf(err, errlen, "writing %s: %s", to, strerror(errno));
    }
    if (rc && out >= 0)
        unlink(to);
    return rc;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Moves the database and its -wal and -shm aside together, under a name
 * that does not exist yet. If a later rename fails, the earlier ones are
 * undone so the set is never split. */
static int move_aside(const char *db_path, char *aside, size_t cap, char *err, size_t errlen)
{
    static const char *const sidecars[] = {"", "-wal", "-shm"};
    char stamp[STAMP_LEN + 1];
    utc_stamp(time(NULL), stamp);
    snprintf(aside, cap, "%s.damaged-%s", db_path, stamp);
    for (int n = 2; exists(aside) && n < 100; n++)
        snprintf(aside, cap, "%s.damaged-%s-%d", db_path, stamp, n);
    int moved = 0;
    for (; moved < 3; moved++) {
        char from[RECOVERY_PATH_MAX + 8], to[RECOVERY_PATH_MAX + 8];
        snprintf(from, sizeof from, "%s%s", db_path, sidecars[moved]);
        snprintf(to, sizeof to, "%s%s", aside, sidecars[moved]);
        if (rename(from, to) == 0 || (errno == ENOENT && moved > 0))
            continue;
        snprintf(err, errlen, "cannot move %s aside to %s: %s", from, to, strerror(errno));
        int saved = -errno;
        while (moved-- > 0) {
            snprintf(from, sizeof from, "%s%s", db_path, sidecars[moved]);
            snprintf(to, sizeof to, "%s%s", aside, sidecars[moved]);
            rename(to, from);
        }
        return saved;
    }
    return 0;
}

static void describe_restore(struct recovery_report *r, const char *db_path)
{
    char when[64], kept[RECOVERY_PATH_MAX + 40] = "";
    time_t at = (time_t)(r->backup_us / 1000000);
    struct tm tm;
    localtime_r(&at, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M %Z", &tm);
    if (r->damaged_path[0])
        snprintf(kept, sizeof kept, " The damaged file is kept as %s.", r->damaged_path);
    /* Whether the kiosk fetches the later events back is the uploader's
     * business; what is certain here is that the central has those it got. */
    snprintf(r->message, sizeof r->message,
             "%s was %s (%.*s); restored from the backup of %s%s. Events recorded after "
             "that backup are on the central if they were uploaded.%s",
             db_path, r->damaged_path[0] ? "damaged" : "lost", UTF8_CLIP(r->problem, 120), when,
             r->skipped_backups ? " (newer backups were damaged too)" : "", kept);
}

int recovery_prepare(const struct config *cfg, const char *backup_dir, struct recovery_report *out,
                     char *err, size_t errlen)
{
    const char *db_path = cfg->database;
    char dir[RECOVERY_PATH_MAX / 2], copy[CONFIG_PATH_MAX + 16];
    struct backup_name *names = NULL;
    struct stat st;
    int rc;

    memset(out, 0, sizeof *out);
    recovery_backup_dir(cfg, backup_dir, dir, sizeof dir);

    /* A missing or empty database with backups beside it was lost, not
     * new: starting empty would hide a week of check-ins. (To start empty
     * on purpose, move the backups away too.) */
    int missing;
    if (stat(db_path, &st) == 0) {
        missing = st.st_size == 0;
    } else if (errno == ENOENT) {
        missing = 1;
    } else {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", db_path, strerror(errno));
        return rc;
    }
    if (missing) {
        snprintf(out->problem, sizeof out->problem, "the database file is %s",
                 exists(db_path) ? "empty" : "missing");
    } else {
        int version = 0;
        rc = check_file(db_path, 0, &version, out->problem, sizeof out->problem);
        if (rc == CHECK_HEALTHY) {
            out->problem[0] = '\0';
            snprintf(out->message, sizeof out->message, "%s is healthy", db_path);
            return 0;
        }
        if (rc < 0) {
            snprintf(err, errlen,
                     "%s: cannot check the database (%s); it has not been changed. "
                     "Check the file's owner and the disk.",
                     db_path, out->problem);
            return rc;
        }
    }

    int count = list_backups(dir, &names, err, errlen);
    if (count < 0)
        return count;
    if (missing && count == 0) {
        /* A new kiosk: the store creates the database. */
        out->problem[0] = '\0';
        snprintf(out->message, sizeof out->message, "%s is new", db_path);
        free(names);
        return 0;
    }

    snprintf(copy, sizeof copy, "%s.restoring", db_path);
    rc = -ENOENT;
    for (int i = 0; i < count; i++) {
        char backup[RECOVERY_PATH_MAX], problem[256];
        snprintf(backup, sizeof backup, "%s/%s", dir, names[i].name);
        /* Check the copy, not the original: what was checked is then
         * exactly what is put in place. */
        char copy_err[2 * RECOVERY_PATH_MAX];
        if (copy_file(backup, copy, copy_err, sizeof copy_err)) {
            out->skipped_backups++;
            continue;
        }
        int version = 0;
        int checked = check_file(copy, 1, &version, problem, sizeof problem);
        if (checked != CHECK_HEALTHY || version < 1 || version > STORE_VERSION) {
            unlink(copy);
            out->skipped_backups++;
            continue;
        }
        snprintf(out->backup_path, sizeof out->backup_path, "%s", backup);
        time_t taken = backup_name_time(names[i].name);
        out->backup_us = (int64_t)taken * 1000000;
        rc = 0;
        break;
    }
    free(names);
    if (rc) {
        snprintf(err, errlen,
                 "%s is %s (%s) and there is no good backup in %s%s. Nothing has been "
                 "changed. Copy a backup there as " RECOVERY_BACKUP_PREFIX
                 "YYYYMMDDTHHMMSSZ" RECOVERY_BACKUP_SUFFIX
                 ", or move the database aside to start empty (the central keeps what "
                 "was uploaded).",
                 db_path, missing ? "lost" : "damaged", out->problem, dir,
                 count ? " (every backup there is damaged too)" : "");
        return -ENOENT;
    }

    if (!missing &&
        (rc = move_aside(db_path, out->damaged_path, sizeof out->damaged_path, err, errlen))) {
        unlink(copy);
        return rc;
    }
    if (missing) {
        /* Stale -wal/-shm of a lost database must not be applied to the backup. */
        char side[RECOVERY_PATH_MAX + 8];
        snprintf(side, sizeof side, "%s-wal", db_path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", db_path);
        unlink(side);
    }
    if (rename(copy, db_path)) {
        rc = -errno;
        snprintf(err, errlen, "cannot put the backup in place as %s: %s (the backup is %s)",
                 db_path, strerror(errno), out->backup_path);
        unlink(copy);
        return rc;
    }
    fsync_parent(db_path);
    out->action = RECOVERY_RESTORED;
    describe_restore(out, db_path);
    return 0;
}

int recovery_backup_rotate_at(const struct config *cfg, const char *backup_dir, int keep,
                              time_t now, char *path_out, size_t path_cap, char *err, size_t errlen)
{
    char dir[RECOVERY_PATH_MAX / 2], path[RECOVERY_PATH_MAX], stamp[STAMP_LEN + 1];
    char problem[256];
    struct store *store = NULL;
    struct backup_name *names = NULL;
    int rc, version = 0;

    if (keep < 1) {
        snprintf(err, errlen, "keep must be at least 1 (it is %d)", keep);
        return -EINVAL;
    }
    /* store_open() would create a missing database: a backup of nothing
     * must fail instead. */
    if (!exists(cfg->database)) {
        snprintf(err, errlen, "%s: no database to back up", cfg->database);
        return -ENOENT;
    }
    recovery_backup_dir(cfg, backup_dir, dir, sizeof dir);
    if (mkdir(dir, 0700) && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot make the backup directory: %s", dir, strerror(errno));
        return -errno;
    }
    utc_stamp(now, stamp);
    snprintf(path, sizeof path, "%s/" RECOVERY_BACKUP_PREFIX "%s" RECOVERY_BACKUP_SUFFIX, dir,
             stamp);
    if ((rc = store_open(cfg->database, &store, err, errlen)))
        goto out;
    if ((rc = store_backup(store, path, err, errlen)))
        goto out;
    chmod(path, 0600); /* the same personal data as the database */
    /* Never rotate a good backup out for a bad one. */
    if (check_file(path, 1, &version, problem, sizeof problem) != CHECK_HEALTHY) {
        snprintf(err, errlen, "the new backup %s failed its check (%s); older backups kept", path,
                 problem);
        unlink(path);
        rc = -EIO;
        goto out;
    }
    if (path_out)
        snprintf(path_out, path_cap, "%s", path);

    int count = list_backups(dir, &names, err, errlen);
    if (count < 0) {
        rc = count;
        goto out;
    }
    for (int i = keep; i < count; i++) {
        char old[RECOVERY_PATH_MAX];
        snprintf(old, sizeof old, "%s/%s", dir, names[i].name);
        if (unlink(old) && errno != ENOENT) {
            rc = -errno;
            snprintf(err, errlen, "cannot remove the old backup %s: %s", old, strerror(errno));
            goto out;
        }
    }
    fsync_path(dir, 1);
    rc = 0;
out:
    free(names);
    if (store)
        store_close(store);
    return rc;
}

int recovery_backup_rotate(const struct config *cfg, const char *backup_dir, int keep, char *err,
                           size_t errlen)
{
    return recovery_backup_rotate_at(cfg, backup_dir, keep, time(NULL), NULL, 0, err, errlen);
}
