/* Recovery of the kiosk's database: at start, a check of the file, and
 * when it is damaged, the damaged file moved aside and the newest good
 * backup put in its place. And the nightly backups it restores from:
 * online copies named by their UTC time, the newest few kept.
 *
 * Called before kiosk_open(), by the kiosk alone (never while another
 * program has the file open for writing). */
#ifndef TILSTEDE_RECOVERY_H
#define TILSTEDE_RECOVERY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"

/* Backups are <dir>/tilstede-YYYYMMDDTHHMMSSZ.db: the name sorts in time
 * order and says when the backup was taken (UTC). deploy/tilstede-backup
 * writes the same names. */
#define RECOVERY_BACKUP_PREFIX "tilstede-"
#define RECOVERY_BACKUP_SUFFIX ".db"
#define RECOVERY_BACKUP_SUBDIR "backup" /* default: beside the database */
#define RECOVERY_KEEP_DEFAULT  7        /* a week of nightly backups */
#define RECOVERY_PATH_MAX      1024

enum recovery_action {
    RECOVERY_NONE = 0, /* the database is healthy (or new): nothing done */
    RECOVERY_RESTORED, /* it was damaged and a backup now stands in its place */
};

struct recovery_report {
    enum recovery_action action;
    /* With RECOVERY_RESTORED: */
    char damaged_path[RECOVERY_PATH_MAX]; /* where the damaged file now is (-wal, -shm beside) */
    char backup_path[RECOVERY_PATH_MAX];  /* the backup restored */
    int64_t backup_us;                    /* when that backup was taken (from its name, UTC) */
    int skipped_backups;                  /* newer backups that were damaged themselves */
    char problem[256];                    /* what the check found in the damaged file */
    /* For the status report and the log (English, no personal data); the
     * screen builds its own sentence from the fields above, in its language. */
    char message[2 * RECOVERY_PATH_MAX + 512];
};

/* Checks cfg->database (PRAGMA quick_check, read-only: a damaged file is
 * never written to). Healthy or missing: returns 0 with RECOVERY_NONE.
 * Damaged: looks through backup_dir (NULL: "backup" beside the database)
 * from the newest backup down, checks each, and puts the first good one in
 * place: the damaged file and its -wal and -shm are renamed to
 * <database>.damaged-YYYYMMDDTHHMMSSZ (and -wal, -shm), kept for rescue.
 * Returns 0 with RECOVERY_RESTORED and the report filled.
 * Returns -ENOENT when the database is damaged and no good backup exists:
 * then nothing has been changed and err says what to do. Other errors
 * (cannot read the file: permissions, I/O) are < 0 with err set, nothing
 * changed. */
int recovery_prepare(const struct config *cfg, const char *backup_dir, struct recovery_report *out,
                     char *err, size_t errlen);

/* An online backup of cfg->database (store_backup: safe while the kiosk
 * writes) to backup_dir (NULL: beside the database, as above) under the
 * current time's name, then removes the oldest backups beyond keep (>= 1).
 * The new backup is checked before any old one is removed. */
int recovery_backup_rotate(const struct config *cfg, const char *backup_dir, int keep, char *err,
                           size_t errlen);
/* The same at a given time (tests); path_out, when not NULL, receives the
 * backup's path. */
int recovery_backup_rotate_at(const struct config *cfg, const char *backup_dir, int keep,
                              time_t now, char *path_out, size_t path_cap, char *err,
                              size_t errlen);

/* The backup directory for cfg: backup_dir, or "backup" beside the database. */
void recovery_backup_dir(const struct config *cfg, const char *backup_dir, char *out, size_t cap);

#endif
