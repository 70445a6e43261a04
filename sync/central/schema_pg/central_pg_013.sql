-- tilstede-central on PostgreSQL, schema version 13: the SQLite schema's
-- version 11 (central_011.sql), a person's full name on their account, for
-- what is signed in their name (a volunteer's statement of hours) and the
-- greeting of the monthly mail; '' means none, and the account's name
-- stands for it.
ALTER TABLE web_user ADD COLUMN full_name text NOT NULL DEFAULT '';
