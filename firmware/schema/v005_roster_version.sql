-- Schema version 5: a counter that every change to the roster raises, so a
-- running kiosk sees an import or a roster sync by another program (or its
-- own uploader) and rebuilds its name index. Triggers, not callers: no
-- writer can forget it.
CREATE TABLE roster_version (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    version INTEGER NOT NULL
);
INSERT INTO roster_version VALUES (1, 0);
CREATE TRIGGER volunteer_added AFTER INSERT ON volunteer
BEGIN UPDATE roster_version SET version = version + 1; END;
CREATE TRIGGER volunteer_changed AFTER UPDATE ON volunteer
BEGIN UPDATE roster_version SET version = version + 1; END;
CREATE TRIGGER volunteer_removed AFTER DELETE ON volunteer
BEGIN UPDATE roster_version SET version = version + 1; END;
