-- The staff accounts of the hub's page and their signed-in sessions.
-- Passwords are argon2id hashes (PHC strings); session tokens SHA-256
-- hashes: the database never holds a secret.
CREATE TABLE staff_users (
    name          text        PRIMARY KEY CHECK (name <> ''),
    password_hash text        NOT NULL CHECK (password_hash <> ''),
    created_at    timestamptz NOT NULL
);

CREATE TABLE staff_sessions (
    token_hash bytea       PRIMARY KEY,
    user_name  text        NOT NULL REFERENCES staff_users (name),
    csrf_token text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);
