-- Visits: derived from the event log, never edited by hand. Every change here
-- comes from visits_apply() replaying an event, so the table can be rebuilt
-- from the events at any time (and the kiosk and the central, which both run
-- this same code, derive the same hours from the same events).
CREATE TABLE IF NOT EXISTS visit (
    id          INTEGER PRIMARY KEY,
    site        TEXT NOT NULL,
    volunteer   TEXT NOT NULL,            -- the roster's external id
    activity    TEXT,                     -- activity uuid, NULL for none
    start_event TEXT NOT NULL UNIQUE,
    start_us    INTEGER NOT NULL,
    start_day   TEXT NOT NULL,            -- local date of start, YYYY-MM-DD
    end_event   TEXT UNIQUE,
    end_us      INTEGER,                  -- NULL while the visit is open
    end_kind    INTEGER,                  -- event kind that closed it
    review      INTEGER NOT NULL DEFAULT 0 -- closed automatically, not yet reviewed
);
CREATE INDEX IF NOT EXISTS visit_open ON visit(site, volunteer) WHERE end_us IS NULL;
CREATE INDEX IF NOT EXISTS visit_day ON visit(start_day);
-- Reports: covering indexes in the order of each grouping, so a year's
-- report streams its groups from the index instead of sorting every visit
-- (1,000,000 events: 75-100 ms instead of 0.3-1.1 s). Queries name them
-- with INDEXED BY, because the planner would rather use visit_day.
CREATE INDEX IF NOT EXISTS visit_by_volunteer ON visit(volunteer, start_day, start_us, end_us);
CREATE INDEX IF NOT EXISTS visit_by_activity ON visit(activity, start_day, start_us, end_us);
CREATE INDEX IF NOT EXISTS visit_by_month ON visit(substr(start_day, 1, 7), start_day, start_us, end_us);
