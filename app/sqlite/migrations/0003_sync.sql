-- What the kiosk knows of its hub. The events table stays append-only:
-- whether the hub holds an event is marked here, apart.

-- One row per event, made by a trigger as the event is appended, in the
-- same order (seq). sent_at is set when the hub acknowledged the event;
-- conflict when the hub refused it (it holds another content under its id):
-- such an event is not sent again and stays counted for staff.
CREATE TABLE sync_marks (
    seq         INTEGER PRIMARY KEY,
    event_id    TEXT    NOT NULL UNIQUE REFERENCES events (id),
    sent_at     INTEGER,          -- unix milliseconds; NULL until acknowledged
    conflict    TEXT,             -- the hub's reason; NULL unless refused
    conflict_at INTEGER
) STRICT;

-- The events still to send, in order, however long the log: a kiosk with
-- a million events sent reads its few pending ones without scanning them.
CREATE INDEX sync_marks_pending ON sync_marks (seq) WHERE sent_at IS NULL AND conflict IS NULL;
CREATE INDEX sync_marks_conflicts ON sync_marks (seq) WHERE conflict IS NOT NULL;

CREATE TRIGGER events_sync_mark AFTER INSERT ON events
BEGIN
    INSERT INTO sync_marks (event_id) VALUES (NEW.id);
END;

-- The events of a kiosk upgraded to this version are all still to send.
INSERT INTO sync_marks (event_id) SELECT id FROM events ORDER BY rowid;

-- How to reach the hub, once joined: at most one row. The credential is
-- the kiosk's secret, sent with every request (the hub keeps its hash).
CREATE TABLE hub_link (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    url        TEXT    NOT NULL CHECK (url <> ''),
    kiosk      TEXT    NOT NULL CHECK (kiosk <> ''),
    credential TEXT    NOT NULL CHECK (credential <> ''),
    ca_cert    BLOB    NOT NULL DEFAULT x'',
    joined_at  INTEGER NOT NULL
) STRICT;

-- The outcome of the last syncs: at most one row. Times are unix
-- milliseconds, 0 for never.
CREATE TABLE sync_status (
    one             INTEGER PRIMARY KEY CHECK (one = 1),
    last_attempt    INTEGER NOT NULL DEFAULT 0,
    last_success    INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    catalog_version TEXT    NOT NULL DEFAULT ''
) STRICT;
