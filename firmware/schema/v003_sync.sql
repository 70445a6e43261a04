-- Schema version 3: what the uploader remembers between runs (the time of
-- the last successful upload, the last error, the roster cursor).
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
