-- Schema version 9: corrections found by the event they correct. Visits
-- apply only the latest recorded correction of an event (visits.c), which
-- asks for the other corrections of that event; corrections are few, so a
-- partial index costs almost nothing. Corrections made on the central come
-- down to the kiosk too (PROTOCOL.md, section 6a).
CREATE INDEX event_corrects ON event(corrects) WHERE corrects IS NOT NULL;
