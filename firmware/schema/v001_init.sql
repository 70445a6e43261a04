-- Schema version 1: the roster, cards, activities and the event log.
CREATE TABLE volunteer (
    id                     INTEGER PRIMARY KEY,
    external_id            TEXT NOT NULL UNIQUE,   -- from the coordinator's roster
    given_name             TEXT NOT NULL,
    family_name            TEXT NOT NULL,
    active                 INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    confidentiality_signed TEXT,                   -- taushetserklæring, YYYY-MM-DD
    police_valid_until     TEXT,                   -- politiattest, YYYY-MM-DD
    notes                  TEXT NOT NULL DEFAULT '',
    updated_us             INTEGER NOT NULL
);

CREATE TABLE card (
    id           INTEGER PRIMARY KEY,
    uid_hash     TEXT NOT NULL UNIQUE,             -- keyed hash, never the UID
    volunteer_id INTEGER NOT NULL REFERENCES volunteer(id),
    enrolled_us  INTEGER NOT NULL,
    revoked_us   INTEGER
);
CREATE INDEX card_volunteer ON card(volunteer_id);

CREATE TABLE activity (
    id        INTEGER PRIMARY KEY,
    uuid      TEXT NOT NULL UNIQUE,
    day       TEXT NOT NULL,                        -- YYYY-MM-DD
    start_min INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
    end_min   INTEGER NOT NULL CHECK (end_min BETWEEN 0 AND 1440),
    title     TEXT NOT NULL,
    place     TEXT NOT NULL DEFAULT '',
    removed   INTEGER NOT NULL DEFAULT 0            -- kept: events may name it
);
CREATE INDEX activity_day ON activity(day);

-- The event log is append-only: hours are derived from it, and a mistake is
-- mended by a correction event that names the event it corrects.
CREATE TABLE event (
    seq          INTEGER PRIMARY KEY,               -- recording order = upload order
    event_id     TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('checkin', 'checkout', 'autoclose',
                                               'correction', 'card_enrolled', 'card_revoked')),
    site         TEXT NOT NULL,
    volunteer    TEXT,                              -- external id
    at_us        INTEGER NOT NULL,
    recorded_us  INTEGER NOT NULL,
    mono_us      INTEGER NOT NULL,
    boot_id      TEXT NOT NULL,
    clock_synced INTEGER NOT NULL CHECK (clock_synced IN (0, 1)),
    source       TEXT NOT NULL CHECK (source IN ('card', 'name', 'staff', 'automatic')),
    activity     TEXT,
    corrects     TEXT,
    card_hash    TEXT,
    review       INTEGER NOT NULL DEFAULT 0,
    uploaded     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX event_pending ON event(seq) WHERE uploaded = 0;
CREATE INDEX event_volunteer ON event(volunteer, seq);

-- What an event says never changes. Only `uploaded` may be set, and the
-- times of an event taken before the clock was synchronised may be mended
-- once (issue 5: times corrected from the monotonic offset).
CREATE TRIGGER event_append_only BEFORE UPDATE OF
    event_id, kind, site, volunteer, mono_us, boot_id, source, activity, corrects,
    card_hash, review ON event
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
CREATE TRIGGER event_times_only_when_unsynced BEFORE UPDATE OF at_us, recorded_us, clock_synced
ON event WHEN OLD.clock_synced = 1
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
CREATE TRIGGER event_keep_until_uploaded BEFORE DELETE ON event WHEN OLD.uploaded = 0
BEGIN
    SELECT RAISE(ABORT, 'an event that has not been uploaded cannot be deleted');
END;
