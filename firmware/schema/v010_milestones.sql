-- Schema version 10: the highest milestone (10, 50, 100, 250 hours) the
-- kiosk has counted for a volunteer in a year, as of their last check-out.
-- A milestone is told at the first check-out that finds the year's hours
-- at or past a mark above this one, so hours that arrive from elsewhere (a
-- correction made on the central, synced between two visits) are thanked
-- for at the next visit rather than never. No row: nothing counted yet on
-- this version, and the hours before the check-out stand in for it.
CREATE TABLE milestone_seen (
    volunteer TEXT NOT NULL,
    year TEXT NOT NULL,
    mark INTEGER NOT NULL,
    PRIMARY KEY (volunteer, year)
) WITHOUT ROWID;
