-- The hub's database on PostgreSQL: the kiosks it knows, the events they
-- sent, and the catalog versions it published. The same rules as the
-- SQLite hub (app/sqlite/hubmigrations): secrets only as hashes (SHA-256),
-- events never changed. A time that never happened is NULL.

CREATE TABLE kiosks (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text        NOT NULL UNIQUE CHECK (name <> ''),
    enrolled_at     timestamptz NOT NULL,
    token_hash      bytea       UNIQUE,         -- NULL once used
    token_expires   timestamptz,
    credential_hash bytea       UNIQUE,         -- NULL until joined
    joined_at       timestamptz,
    revoked_at      timestamptz,
    last_seen       timestamptz,
    -- The kiosk's last report.
    app_version     text        NOT NULL DEFAULT '',
    catalog_version text        NOT NULL DEFAULT '',
    pending_events  bigint      NOT NULL DEFAULT 0,
    free_disk_bytes bigint      NOT NULL DEFAULT 0,
    last_error      text        NOT NULL DEFAULT '',
    reported_at     timestamptz,
    -- What the hub holds of the kiosk, counted in the transaction that
    -- stores the events: at 1.5 billion events a year, COUNT(*) and
    -- COUNT(DISTINCT session_id) cannot answer `passerelle stats` in time.
    events_held     bigint      NOT NULL DEFAULT 0,
    sessions_held   bigint      NOT NULL DEFAULT 0
);

-- The time in an event's id (UUIDv7: its first 48 bits are the unix
-- milliseconds the kiosk made it at, which Passerelle takes from the
-- event's time), or -infinity for an id that is not a UUIDv7.
CREATE FUNCTION passerelle_id_time(id text) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE
        WHEN id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
        THEN timestamptz 'epoch'
             + ('x' || substr(id, 1, 8) || substr(id, 10, 4))::bit(48)::bigint * interval '1 millisecond'
        ELSE timestamptz '-infinity'
    END;

-- Every kiosk's events, partitioned by month on the time in their id.
--
-- Why the id's time and not the column at: a primary key on a partitioned
-- table must hold the partition key, and then it is unique per partition
-- only. Partitioned on at, the same id sent again with another time would
-- land in another partition and be stored twice, breaking the rule "one id,
-- one event, never overwritten". Partitioned on a function of the id, an
-- id always lands in the same partition, so (id, id_time) unique there is
-- id unique everywhere, with no second table of ids to write and index.
-- The CHECK makes id_time that function whoever writes. For Passerelle's
-- ids the id's time is the event's time, to the millisecond.
CREATE TABLE events (
    id                text        NOT NULL,
    id_time           timestamptz NOT NULL CHECK (id_time = passerelle_id_time(id)),
    -- No foreign key: its check per row costs a quarter of an upload's
    -- time, and the id always comes from the kiosks row the upload locked
    -- (kiosks are never deleted).
    kiosk_id          bigint      NOT NULL,
    session_id        text        NOT NULL CHECK (session_id <> ''),
    seq               bigint      NOT NULL,
    kind              text        NOT NULL CHECK (kind <> ''),
    at                timestamptz NOT NULL,
    lang              text        NOT NULL DEFAULT '',
    procedure_id      text        NOT NULL DEFAULT '',
    procedure_version bigint      NOT NULL DEFAULT 0,
    step_id           text        NOT NULL DEFAULT '',
    answer            text        NOT NULL DEFAULT '',
    outcome           text        NOT NULL DEFAULT '',
    PRIMARY KEY (id, id_time)
) PARTITION BY RANGE (id_time);

-- What falls outside the months the hub created (ids that are not UUIDv7,
-- a kiosk's clock years off, a backlog older than the hub's window): kept,
-- never refused. The hub moves rows out of it when it creates their month.
CREATE TABLE events_default PARTITION OF events DEFAULT;

CREATE FUNCTION events_never_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are never changed';
END $$;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION events_never_change();

-- Distinct sessions, each counted once in its first kiosk's sessions_held.
CREATE TABLE sessions (
    id       text   PRIMARY KEY,
    kiosk_id bigint NOT NULL REFERENCES kiosks (id)
);

-- Every catalog version ever published, by content hash.
CREATE TABLE catalog_versions (
    hash    text  PRIMARY KEY,
    archive bytea NOT NULL
);

-- Each publication, in order: the last one is the live catalog.
CREATE TABLE catalog_publications (
    seq          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hash         text        NOT NULL REFERENCES catalog_versions (hash),
    published_at timestamptz NOT NULL
);
