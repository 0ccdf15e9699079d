-- The statistics (figures.go) read the events of a range by kind: the
-- sessions started in it, then the end of each; the help calls and their
-- answers. On a million events (BenchmarkKioskFigures in app/cli), a
-- year's figures take 450 ms with no index, 240 ms with the first one
-- only, 70 ms with both; a month's 6 ms. The budget of a statistics
-- screen is 200 ms.
CREATE INDEX events_kind_at ON events (kind, at);               -- the range of one kind
CREATE INDEX events_kind_session ON events (kind, session_id, at); -- a session's end, its help calls
