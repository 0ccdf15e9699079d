-- The statistics (figures.go) read the events of a range by kind, as on
-- the kiosk (its migration 0005, which says what each index saves):
-- without them each figure scans every kiosk's events.
CREATE INDEX events_kind_at ON events (kind, at);
CREATE INDEX events_kind_session ON events (kind, session_id, at);
