-- tilstede-central, schema version 3: the web app's people. Accounts with a
-- role, the sites a contact may see, sessions (only a hash of the id), the
-- wrong-password counts that slow down guessing, the audit log, and notes
-- on a volunteer. Kept in the database so several server processes share
-- them.

-- An account. password_hash is libsodium's crypto_pwhash_str (Argon2id),
-- NULL until the person has used their set-up link; setup_hash is the
-- BLAKE2b hash of that link's token, which works once, until
-- setup_expires_us. A revoked account keeps its row (the audit log names it).
CREATE TABLE web_user (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    role             TEXT NOT NULL CHECK (role IN ('coordinator', 'contact', 'viewer')),
    lang             TEXT NOT NULL DEFAULT 'nb' CHECK (lang IN ('nb', 'nn', 'en')),
    password_hash    TEXT,
    setup_hash       BLOB,
    setup_expires_us INTEGER,
    created_us       INTEGER NOT NULL,
    revoked_us       INTEGER
);
CREATE UNIQUE INDEX web_user_setup ON web_user(setup_hash) WHERE setup_hash IS NOT NULL;

-- The sites a contact (or a viewer) is limited to; a coordinator has none.
CREATE TABLE web_user_site (
    user INTEGER NOT NULL REFERENCES web_user(id),
    site TEXT NOT NULL REFERENCES site(id),
    PRIMARY KEY (user, site)
) WITHOUT ROWID;

-- A signed-in browser. id_hash is the BLAKE2b hash of the cookie's value:
-- a copy of the database does not hand out sessions. csrf is the token
-- every form of the session carries.
CREATE TABLE web_session (
    id_hash    BLOB PRIMARY KEY,
    user       INTEGER NOT NULL REFERENCES web_user(id),
    csrf       TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    last_us    INTEGER NOT NULL
);
CREATE INDEX web_session_user ON web_session(user);

-- Wrong passwords in a row, per account name ("user:NAME", whether or not
-- it exists) and per address ("addr:ADDRESS"); cleared by a good sign-in.
CREATE TABLE web_login_failure (
    key      TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_us  INTEGER NOT NULL
) WITHOUT ROWID;

-- Who changed what, when. Never card data or passwords: subject is an id
-- (a site, a kiosk's number, an account's name, a volunteer's external id),
-- detail a count or a role.
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    at_us   INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL
);

-- Notes on a volunteer, by the coordinator or a contact.
CREATE TABLE volunteer_note (
    id        INTEGER PRIMARY KEY,
    volunteer TEXT NOT NULL,
    at_us     INTEGER NOT NULL,
    author    TEXT NOT NULL,
    text      TEXT NOT NULL
);
CREATE INDEX volunteer_note_volunteer ON volunteer_note(volunteer, at_us);
