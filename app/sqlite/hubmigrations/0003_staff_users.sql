-- The staff accounts of the hub's page and their signed-in sessions.
-- Passwords are argon2id hashes (PHC strings); session tokens SHA-256
-- hashes: the file never holds a secret.
CREATE TABLE staff_users (
    name          TEXT    PRIMARY KEY CHECK (name <> ''),
    password_hash TEXT    NOT NULL CHECK (password_hash <> ''),
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE staff_sessions (
    token_hash BLOB    PRIMARY KEY,
    user_name  TEXT    NOT NULL REFERENCES staff_users (name),
    csrf_token TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);
