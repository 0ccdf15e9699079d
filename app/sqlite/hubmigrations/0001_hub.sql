-- The hub's database: the kiosks it knows, the events they sent, and the
-- catalog versions it published. Times are unix milliseconds (UTC); 0 is
-- "never". Secrets are never stored: only their hashes (SHA-256).

CREATE TABLE kiosks (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE CHECK (name <> ''),
    enrolled_at     INTEGER NOT NULL,
    token_hash      BLOB    UNIQUE,            -- NULL once used
    token_expires   INTEGER NOT NULL DEFAULT 0,
    credential_hash BLOB    UNIQUE,            -- NULL until joined
    joined_at       INTEGER NOT NULL DEFAULT 0,
    revoked_at      INTEGER NOT NULL DEFAULT 0,
    last_seen       INTEGER NOT NULL DEFAULT 0,
    -- The kiosk's last report.
    app_version     TEXT    NOT NULL DEFAULT '',
    catalog_version TEXT    NOT NULL DEFAULT '',
    pending_events  INTEGER NOT NULL DEFAULT 0,
    free_disk_bytes INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    reported_at     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Every kiosk's events, as the kiosks sent them (never a personal value:
-- the wire has no field for one). A row is never changed: an id sent again
-- with another content is a conflict, refused.
CREATE TABLE events (
    id                TEXT    PRIMARY KEY,     -- UUIDv7, made by the kiosk
    kiosk_id          INTEGER NOT NULL REFERENCES kiosks (id),
    session_id        TEXT    NOT NULL CHECK (session_id <> ''),
    seq               INTEGER NOT NULL,
    kind              TEXT    NOT NULL CHECK (kind <> ''),
    at                INTEGER NOT NULL,
    lang              TEXT    NOT NULL DEFAULT '',
    procedure_id      TEXT    NOT NULL DEFAULT '',
    procedure_version INTEGER NOT NULL DEFAULT 0,
    step_id           TEXT    NOT NULL DEFAULT '',
    answer            TEXT    NOT NULL DEFAULT '',
    outcome           TEXT    NOT NULL DEFAULT ''
) STRICT;

-- A kiosk's ids in order (EventIDs, the fault tests' comparisons).
CREATE INDEX events_kiosk ON events (kiosk_id, id);
-- Distinct sessions are counted on this index alone.
CREATE INDEX events_session ON events (session_id);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are never changed');
END;

-- Every catalog version ever published, by content hash.
CREATE TABLE catalog_versions (
    hash    TEXT PRIMARY KEY,
    archive BLOB NOT NULL
) STRICT;

-- Each publication, in order: the last one is the live catalog. Going back
-- to an older version is one more row.
CREATE TABLE catalog_publications (
    seq          INTEGER PRIMARY KEY,
    hash         TEXT    NOT NULL REFERENCES catalog_versions (hash),
    published_at INTEGER NOT NULL
) STRICT;
