-- The kiosks' help calls on the hub (help.go), and the marks the hub's
-- staff make on them.

-- The help events, kept apart as well as in events, as the sessions are:
-- a session's events may lie in any month, and each lookup of a
-- session's help events in the partitioned table is one per partition
-- (16 a year, more as years go by). Here it is one. insertBatch adds the
-- help events of each upload; the rows are never changed.
CREATE TABLE help_events (
    event_id          text        PRIMARY KEY,
    kiosk_id          bigint      NOT NULL,
    session_id        text        NOT NULL,
    seq               bigint      NOT NULL,
    kind              text        NOT NULL CHECK (kind IN ('help_asked', 'help_handled')),
    at                timestamptz NOT NULL,
    procedure_id      text        NOT NULL,
    procedure_version bigint      NOT NULL,
    step_id           text        NOT NULL
);
INSERT INTO help_events (event_id, kiosk_id, session_id, seq, kind, at, procedure_id, procedure_version, step_id)
    SELECT id, kiosk_id, session_id, seq, kind, at, procedure_id, procedure_version, step_id
    FROM events WHERE kind IN ('help_asked', 'help_handled');

-- A session's last help_handled and the help_asked after it.
CREATE INDEX help_events_session ON help_events (kiosk_id, session_id, kind, seq) INCLUDE (at);
-- The calls of the last hours.
CREATE INDEX help_events_asked ON help_events (at) INCLUDE (kiosk_id, session_id) WHERE kind = 'help_asked';

-- The marks, as in the SQLite hub's migration 0004, which says why a call
-- is named by the seq of its session's last help_handled before it (0
-- when none).
CREATE TABLE help_marks (
    kiosk_id   bigint      NOT NULL REFERENCES kiosks (id),
    session_id text        NOT NULL,
    after_seq  bigint      NOT NULL,
    marked_by  text        NOT NULL CHECK (marked_by <> ''),
    marked_at  timestamptz NOT NULL,
    -- True once the hub holds a help_handled of the session after the
    -- call (insertBatch sets it): the kiosks' frequent HelpMarks read only
    -- the marks still pending, not a year of them.
    settled    boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (kiosk_id, session_id, after_seq)
);

CREATE INDEX help_marks_pending ON help_marks (kiosk_id, marked_at) WHERE NOT settled;
