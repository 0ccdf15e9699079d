-- The session log. It is append-only: a row is inserted once and never
-- changed, so the hub can copy events by id without conflicts. It holds no
-- personal data: what a user typed goes to personal_values (0002).
CREATE TABLE events (
    id                TEXT    PRIMARY KEY,                -- UUIDv7
    session_id        TEXT    NOT NULL CHECK (session_id <> ''),
    seq               INTEGER NOT NULL,                   -- 1, 2, 3... within the session
    kind              TEXT    NOT NULL CHECK (kind <> ''),
    at                INTEGER NOT NULL,                   -- unix milliseconds (UTC): sorts as time does
    lang              TEXT    NOT NULL DEFAULT '',
    procedure_id      TEXT    NOT NULL DEFAULT '',
    procedure_version INTEGER NOT NULL DEFAULT 0,
    step_id           TEXT    NOT NULL DEFAULT '',
    answer            TEXT    NOT NULL DEFAULT '',
    outcome           TEXT    NOT NULL DEFAULT '',

    -- Also the index that reads a session in order.
    UNIQUE (session_id, seq)
) STRICT;

-- Append-only, enforced: an event that changed after the hub copied it
-- would never be copied again.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
