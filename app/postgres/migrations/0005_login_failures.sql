-- The wrong passwords typed in a row on the staff page, per key
-- ("account:NAME" or "address:IP"), shared by every hub on the database
-- and kept across restarts (users.go). An address says who tried: a row
-- is deleted a day after its last wrong password
-- (passerelle.LoginFailureMemory), at the next wrong password or sign-in.
-- A key is 1 to passerelle.MaxLoginKeyLength bytes.
CREATE TABLE login_failures (
    key     text        PRIMARY KEY CHECK (octet_length(key) BETWEEN 1 AND 100),
    count   integer     NOT NULL CHECK (count > 0),
    last_at timestamptz NOT NULL
);

-- The rows to delete.
CREATE INDEX login_failures_last ON login_failures (last_at);
