-- The marks the hub's staff make on the kiosks' help calls (help.go). A
-- call is the help_asked events of a session after its last help_handled;
-- it is named here by that help_handled's seq (0 when the session has
-- none): the help_asked of a call may reach the hub in any order (the
-- kiosk pushes them as they happen, its sync sends what a push missed),
-- and a late one must not make a marked call a new one. The help_handled
-- that answers the call names the next call: the session's new calls are
-- unmarked.
CREATE TABLE help_marks (
    kiosk_id   INTEGER NOT NULL REFERENCES kiosks (id),
    session_id TEXT    NOT NULL,
    after_seq  INTEGER NOT NULL,
    marked_by  TEXT    NOT NULL CHECK (marked_by <> ''),
    marked_at  INTEGER NOT NULL,
    -- 1 once the hub holds a help_handled of the session after the call
    -- (PutEvents sets it): the call is closed for good, and the kiosks'
    -- frequent HelpMarks read only the marks still pending, not a year
    -- of them.
    settled    INTEGER NOT NULL DEFAULT 0 CHECK (settled IN (0, 1)),
    PRIMARY KEY (kiosk_id, session_id, after_seq)
) STRICT;

-- A kiosk's pending marks. (A session's help events are found on
-- events_kind_session, of migration 0002: indexes of their own, by kiosk,
-- made no difference to BenchmarkHubHelpCalls.)
CREATE INDEX help_marks_pending ON help_marks (kiosk_id, marked_at) WHERE settled = 0;
