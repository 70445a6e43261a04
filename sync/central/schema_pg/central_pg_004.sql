-- tilstede-central on PostgreSQL, schema version 4: what a kiosk's status
-- report says of refusals (PROTOCOL.md section 8): the events the central
-- refused that the kiosk keeps, and when it last refused the kiosk's token
-- (401). NULL: not reported (a kiosk older than these fields).
ALTER TABLE device_status ADD COLUMN events_refused bigint;
ALTER TABLE device_status ADD COLUMN token_refused_us bigint;
