-- Schema version 4: reports read covering indexes in group order (created by
-- visits.sql, which the store runs again after this step); the old
-- (volunteer, start_day) index is a prefix of the new one.
DROP INDEX IF EXISTS visit_volunteer;
