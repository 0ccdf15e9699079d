-- The marks the hub's staff make on the kiosks' help calls (help.go), as
-- in the SQLite hub's migration 0004, which says why a call is named by
-- the seq of its session's last help_handled before it (0 when none).
CREATE TABLE help_marks (
    kiosk_id   bigint      NOT NULL REFERENCES kiosks (id),
    session_id text        NOT NULL,
    after_seq  bigint      NOT NULL,
    marked_by  text        NOT NULL CHECK (marked_by <> ''),
    marked_at  timestamptz NOT NULL,
    -- True once the hub holds a help_handled of the session after the
    -- call (PutEvents sets it): the kiosks' frequent HelpMarks read only
    -- the marks still pending, not a year of them.
    settled    boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (kiosk_id, session_id, after_seq)
);

CREATE INDEX help_marks_pending ON help_marks (kiosk_id, marked_at) WHERE NOT settled;

-- A session's help events, by kiosk: its last help_handled and the
-- help_asked after it, for each call in range. Partial, so that it holds
-- the help events only and the uploads of the other kinds never touch it;
-- made on every month's partition (createPartitions copies the indexes).
CREATE INDEX events_help ON events (kiosk_id, session_id, kind, seq) INCLUDE (at)
    WHERE kind IN ('help_asked', 'help_handled');
