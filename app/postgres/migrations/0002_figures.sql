-- The statistics (figures.go) read four kinds of events of a range: the
-- sessions started and ended, the help calls and their answers, about a
-- sixth of the events. This index holds those rows only, with every
-- column the statistics read, so a month's figures read it alone (an
-- index-only scan once autovacuum has seen the month) instead of every
-- event of the month's partition; the uploads of the other kinds never
-- touch it. BenchmarkHubFigures: see README's Benchmarks.
CREATE INDEX events_figures ON events (kind, at)
    INCLUDE (id, id_time, session_id, kiosk_id, procedure_id, lang, step_id, outcome)
    WHERE kind IN ('session_started', 'session_ended', 'help_asked', 'help_handled');
