-- Schema version 8: which roster rows this kiosk has had from the receiver.
-- A full roster answer takes away only rows the receiver itself sent before
-- and now leaves out (PROTOCOL.md, section 7); what the kiosk imported or
-- enrolled itself, which the receiver never sent, is the kiosk's and stays.
-- kind: 0 volunteer (external_id), 1 card (card hash), 2 activity (uuid).
-- Rows a kiosk had before this version are taken as its own until the
-- receiver sends them again.
CREATE TABLE roster_from_receiver (
    kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),
    key  TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
