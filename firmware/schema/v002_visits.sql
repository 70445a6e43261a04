-- Schema version 2: derived visits (the visit table itself is in visits.sql,
-- shared with the central; the store rebuilds it from the events after this
-- step) and the unknown cards remembered for staff to enroll.
CREATE TABLE unknown_tap (
    id        INTEGER PRIMARY KEY,
    uid_hash  TEXT NOT NULL,
    tapped_us INTEGER NOT NULL
);
CREATE INDEX unknown_tap_time ON unknown_tap(tapped_us);
