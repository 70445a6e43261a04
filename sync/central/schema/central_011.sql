-- tilstede-central, schema version 11: a person's full name on their
-- account ("Kari Nordmann" beside the account's name "kari"), for what is
-- signed in their name (a volunteer's statement of hours) and the greeting
-- of the monthly mail. Optional: '' means none, and the account's name
-- stands for it. Its length is the C side's CENTRAL_NAME_MAX, checked
-- before it is stored.
ALTER TABLE web_user ADD COLUMN full_name TEXT NOT NULL DEFAULT '';
