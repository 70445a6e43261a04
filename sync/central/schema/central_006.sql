-- tilstede-central, schema version 6: last month's report by mail (mail.h).
-- An account's address and whether it wants the monthly mail; and one row
-- per month and recipient, so each month is sent to each person once,
-- whatever restarts or second processes do, and a failed send waits for its
-- next try.
ALTER TABLE web_user ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE web_user ADD COLUMN monthly_mail INTEGER NOT NULL DEFAULT 1;

CREATE TABLE mail_report (
    month       TEXT NOT NULL,                -- YYYY-MM, the month reported on
    user        INTEGER NOT NULL REFERENCES web_user(id),
    address     TEXT NOT NULL,                -- where it went (or goes)
    attempts    INTEGER NOT NULL DEFAULT 0,   -- failed sends so far
    claimed_us  INTEGER NOT NULL DEFAULT 0,   -- a process is sending it, since then
    next_try_us INTEGER NOT NULL DEFAULT 0,   -- after a failure: not before then
    last_error  TEXT NOT NULL DEFAULT '',
    sent_us     INTEGER NOT NULL DEFAULT 0,   -- 0: not sent yet
    PRIMARY KEY (month, user)
) WITHOUT ROWID;
