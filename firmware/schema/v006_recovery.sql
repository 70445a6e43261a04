-- Schema version 6: the record of a restore from backup. recovery_prepare()
-- puts a backup in place at start; the kiosk then writes a row here, in the
-- restored database itself, so the restore is told on screen until staff
-- have seen it, and in the status report until the central's events have
-- been fetched back. The newest row is the one that counts.
CREATE TABLE recovery (
    id              INTEGER PRIMARY KEY,
    at_us           INTEGER NOT NULL,               -- when the backup was put in place
    backup_us       INTEGER NOT NULL,               -- when that backup was taken
    skipped_backups INTEGER NOT NULL CHECK (skipped_backups >= 0),
    fetch_state     INTEGER NOT NULL CHECK (fetch_state IN (0, 1, 2)), -- KIOSK_FETCH_*
    -- Where the fetch from the central has got to (GET /v1/events?after=):
    -- saved with each page's events, so a fetch cut short resumes there.
    fetch_cursor    TEXT NOT NULL DEFAULT '',
    fetched_events  INTEGER NOT NULL DEFAULT 0 CHECK (fetched_events >= 0),
    acknowledged    INTEGER NOT NULL DEFAULT 0 CHECK (acknowledged IN (0, 1))
);
