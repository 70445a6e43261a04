-- tilstede-central on PostgreSQL, schema version 7: the SQLite schema's
-- version 6 (central_006.sql), last month's report by mail (mail.h). An
-- account's address and whether it wants the monthly mail; one row per
-- month and recipient, so each month is sent to each person once,
-- whatever restarts or other processes do.
ALTER TABLE web_user ADD COLUMN email text NOT NULL DEFAULT '';
ALTER TABLE web_user ADD COLUMN monthly_mail integer NOT NULL DEFAULT 1;

CREATE TABLE mail_report (
    month       text NOT NULL,                -- YYYY-MM, the month reported on
    "user"      bigint NOT NULL REFERENCES web_user (id),
    address     text NOT NULL,                -- where it went (or goes)
    attempts    integer NOT NULL DEFAULT 0,   -- failed sends so far
    claimed_us  bigint NOT NULL DEFAULT 0,    -- a process is sending it, since then
    next_try_us bigint NOT NULL DEFAULT 0,    -- after a failure: not before then
    last_error  text NOT NULL DEFAULT '',
    sent_us     bigint NOT NULL DEFAULT 0,    -- 0: not sent yet
    PRIMARY KEY (month, "user")
);
