-- The wrong passwords typed in a row on the staff page, per key
-- ("account:NAME" or "address:IP"), shared by every hub process on the
-- file and kept across restarts (hubusers.go). An address says who
-- tried: a row is deleted a day after its last wrong password
-- (passerelle.LoginFailureMemory), at the next wrong password or sign-in.
-- A key is 1 to passerelle.MaxLoginKeyLength bytes.
CREATE TABLE login_failures (
    key     TEXT    PRIMARY KEY CHECK (length(CAST(key AS BLOB)) BETWEEN 1 AND 100),
    count   INTEGER NOT NULL CHECK (count > 0),
    last_at INTEGER NOT NULL
) STRICT;

-- The rows to delete.
CREATE INDEX login_failures_last ON login_failures (last_at);
