-- Staff mode: the staff PIN, the wrong PINs typed in a row, and the
-- settings staff saved.

-- At most one row. hash is the PIN's argon2id hash with its parameters
-- (never the PIN); '' until staff set one. failures and last_failure
-- (unix milliseconds, 0 for never) live here, not in memory, so that
-- restarting the kiosk does not reset the delays between wrong PINs.
CREATE TABLE staff_pin (
    one          INTEGER PRIMARY KEY CHECK (one = 1),
    hash         TEXT    NOT NULL DEFAULT '',
    set_at       INTEGER NOT NULL DEFAULT 0,
    failures     INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    last_failure INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The settings staff changed in staff mode, by name (the names of the
-- kiosk's flags); a setting never saved has no row and keeps its default.
-- The values are text as the kiosk writes them, checked again as read.
CREATE TABLE settings (
    name       TEXT    PRIMARY KEY CHECK (name <> ''),
    value      TEXT    NOT NULL,
    changed_at INTEGER NOT NULL
) STRICT;
