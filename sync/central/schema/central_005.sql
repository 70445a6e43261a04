-- tilstede-central, schema version 5: what a kiosk's status report says of
-- refusals (PROTOCOL.md section 8): the events this central refused that the
-- kiosk keeps and will not send again, and when it last refused the kiosk's
-- token (401). NULL: not reported (a kiosk older than these fields).
ALTER TABLE device_status ADD COLUMN events_refused INTEGER;
ALTER TABLE device_status ADD COLUMN token_refused_us INTEGER;
