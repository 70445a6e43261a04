-- Schema version 7: why the central refused an event, and whether staff
-- have seen it. An event the central will never take as it is (a per-event
-- rejection in a 200 answer, or one that alone gets 400 or 413) is set
-- aside (event.uploaded = 2) with a row here, in the same transaction.
-- Staff see the count until they acknowledge it (tilstedectl sync
-- --refused --ack, or "Seen" in the staff menu).
CREATE TABLE refused_event (
    event_id   TEXT PRIMARY KEY,
    refused_us INTEGER NOT NULL,        -- when the kiosk set it aside (wall clock)
    status     INTEGER NOT NULL,        -- the HTTP status of the answer: 200, 400, 413
    code       TEXT NOT NULL,           -- the central's code: invalid_event, invalid_request, ...
    reason     TEXT NOT NULL,           -- the central's message, for staff and IT
    seen       INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1))
);
-- Events refused before the reasons were kept.
INSERT INTO refused_event (event_id, refused_us, status, code, reason)
    SELECT event_id, 0, 0, '', 'refused before this kiosk kept the reasons'
    FROM event WHERE uploaded = 2;
