-- tilstede-central, schema version 1. Runs after firmware/schema/visits.sql
-- (the visit table), in one transaction; PRAGMA user_version records it.

-- Sites: one nursing home, activity house or home-care base. `kind` groups
-- the yearly report ("Helsehus og sykehjem" is sykehjem + helsehus).
CREATE TABLE site (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN
                 ('sykehjem', 'helsehus', 'aktivitetshus', 'hjemmetjeneste', 'other')),
    created_us INTEGER NOT NULL
);

-- Kiosks. Only a hash of the token is kept; token_lookup (the hash's first
-- 8 bytes) finds the row, the full hash is then compared in constant time.
CREATE TABLE device (
    id           INTEGER PRIMARY KEY,
    site         TEXT NOT NULL REFERENCES site(id),
    name         TEXT NOT NULL,
    token_lookup INTEGER NOT NULL,
    token_hash   BLOB NOT NULL,
    created_us   INTEGER NOT NULL,
    revoked_us   INTEGER,
    last_seen_us INTEGER,
    UNIQUE (site, name)
);
CREATE INDEX device_token ON device(token_lookup);

CREATE TABLE device_status (
    device           INTEGER PRIMARY KEY REFERENCES device(id),
    received_us      INTEGER NOT NULL,
    software_version TEXT NOT NULL,
    events_waiting   INTEGER NOT NULL,
    last_upload_us   INTEGER,
    last_error       TEXT,
    reader_state     TEXT NOT NULL,
    clock_synced     INTEGER NOT NULL
);

-- Dashboard logins: random tokens like the devices' (not passwords people
-- choose), so a fast hash is enough.
CREATE TABLE admin (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    token_lookup INTEGER NOT NULL,
    token_hash   BLOB NOT NULL,
    created_us   INTEGER NOT NULL,
    revoked_us   INTEGER
);
CREATE INDEX admin_token ON admin(token_lookup);

-- The event log, append-only. Columns as firmware/event.h's EVENT_COLUMNS,
-- plus who sent it and when. event_id is the idempotency key.
CREATE TABLE event (
    seq          INTEGER PRIMARY KEY,
    event_id     TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    site         TEXT NOT NULL REFERENCES site(id),
    volunteer    TEXT,
    at_us        INTEGER NOT NULL,
    recorded_us  INTEGER NOT NULL,
    mono_us      INTEGER NOT NULL,
    boot_id      TEXT NOT NULL,
    clock_synced INTEGER NOT NULL,
    source       TEXT NOT NULL,
    activity     TEXT,
    corrects     TEXT,
    card_hash    TEXT,
    review       INTEGER NOT NULL,
    device       INTEGER NOT NULL REFERENCES device(id),
    received_us  INTEGER NOT NULL
);

-- The change counter behind the roster cursor: every change to a volunteer,
-- card or activity takes the next value, a client asks for rows after the
-- value it saw last.
CREATE TABLE roster_change (one INTEGER PRIMARY KEY CHECK (one = 1), value INTEGER NOT NULL);
INSERT INTO roster_change VALUES (1, 0);

-- The roster (municipality-wide).
CREATE TABLE volunteer (
    external_id            TEXT PRIMARY KEY,
    given_name             TEXT NOT NULL,
    family_name            TEXT NOT NULL,
    active                 INTEGER NOT NULL,
    confidentiality_signed TEXT,
    police_valid_until     TEXT,
    -- "ja" without a date: signed / has a certificate, date unknown. Kept
    -- apart from the dates so no fake date ever sorts as a real one.
    confidentiality_undated INTEGER NOT NULL DEFAULT 0,
    police_undated          INTEGER NOT NULL DEFAULT 0,
    changed                INTEGER NOT NULL
);
CREATE INDEX volunteer_changed ON volunteer(changed);

-- Cards, keyed by the deployment's card-hash key (shared by its kiosks).
-- at_us is the time of the event that set the row, so a late upload of an
-- older event cannot undo a newer one.
CREATE TABLE card (
    card_hash TEXT PRIMARY KEY,
    volunteer TEXT,
    revoked   INTEGER NOT NULL,
    at_us     INTEGER NOT NULL,
    changed   INTEGER NOT NULL
);
CREATE INDEX card_changed ON card(changed);

CREATE TABLE activity (
    id      TEXT PRIMARY KEY,
    site    TEXT NOT NULL REFERENCES site(id),
    date    TEXT NOT NULL,
    start   TEXT NOT NULL,
    end     TEXT NOT NULL,
    title   TEXT NOT NULL,
    place   TEXT NOT NULL,
    changed INTEGER NOT NULL
);
CREATE INDEX activity_changed ON activity(site, changed);

-- Settings the hours depend on. round_minutes must equal the kiosks'
-- rounding so both count the same hours.
CREATE TABLE setting (one INTEGER PRIMARY KEY CHECK (one = 1), round_minutes INTEGER NOT NULL);
INSERT INTO setting VALUES (1, 0);

-- Totals per (local day, site, activity), kept by triggers on the visit
-- table so a year's report reads a few thousand rows, not millions of
-- visits. A visit counts once it is closed, for the day it started, with
-- its duration rounded as visits_rounded_seconds() does.
CREATE TABLE visit_total (
    day      TEXT NOT NULL,
    site     TEXT NOT NULL,
    activity TEXT NOT NULL,          -- '' for none
    seconds  INTEGER NOT NULL,
    visits   INTEGER NOT NULL,
    PRIMARY KEY (day, site, activity)
) WITHOUT ROWID;

CREATE TRIGGER visit_total_insert AFTER INSERT ON visit WHEN NEW.end_us IS NOT NULL
BEGIN
    INSERT INTO visit_total (day, site, activity, seconds, visits)
    VALUES (NEW.start_day, NEW.site, coalesce(NEW.activity, ''),
            (SELECT CASE WHEN round_minutes > 0
                THEN (max(0, (NEW.end_us - NEW.start_us) / 1000000) + round_minutes * 30)
                     / (round_minutes * 60) * (round_minutes * 60)
                ELSE max(0, (NEW.end_us - NEW.start_us) / 1000000) END FROM setting), 1)
    ON CONFLICT (day, site, activity) DO UPDATE
        SET seconds = seconds + excluded.seconds, visits = visits + excluded.visits;
END;

CREATE TRIGGER visit_total_update AFTER UPDATE OF start_us, end_us, start_day ON visit
BEGIN
    INSERT INTO visit_total (day, site, activity, seconds, visits)
    SELECT OLD.start_day, OLD.site, coalesce(OLD.activity, ''),
           -(CASE WHEN round_minutes > 0
                THEN (max(0, (OLD.end_us - OLD.start_us) / 1000000) + round_minutes * 30)
                     / (round_minutes * 60) * (round_minutes * 60)
                ELSE max(0, (OLD.end_us - OLD.start_us) / 1000000) END), -1
    FROM setting WHERE OLD.end_us IS NOT NULL
    ON CONFLICT (day, site, activity) DO UPDATE
        SET seconds = seconds + excluded.seconds, visits = visits + excluded.visits;
    INSERT INTO visit_total (day, site, activity, seconds, visits)
    SELECT NEW.start_day, NEW.site, coalesce(NEW.activity, ''),
           CASE WHEN round_minutes > 0
                THEN (max(0, (NEW.end_us - NEW.start_us) / 1000000) + round_minutes * 30)
                     / (round_minutes * 60) * (round_minutes * 60)
                ELSE max(0, (NEW.end_us - NEW.start_us) / 1000000) END, 1
    FROM setting WHERE NEW.end_us IS NOT NULL
    ON CONFLICT (day, site, activity) DO UPDATE
        SET seconds = seconds + excluded.seconds, visits = visits + excluded.visits;
END;

-- The report per volunteer: covers its query, in the order it groups by.
CREATE INDEX visit_report_volunteer ON visit(volunteer, start_day, start_us, end_us)
    WHERE end_us IS NOT NULL;

-- Dashboard: visits closed automatically and not yet reviewed.
CREATE INDEX visit_review ON visit(start_us) WHERE review = 1 AND end_us IS NOT NULL;
