-- Values users typed, when a procedure allows keeping them. They live apart
-- from the events so that the events table never holds personal data and a
-- purge is one DELETE. at repeats the event's time (unix milliseconds) so
-- that the purge needs no join.
CREATE TABLE personal_values (
    event_id TEXT    PRIMARY KEY REFERENCES events (id),
    value    TEXT    NOT NULL,
    at       INTEGER NOT NULL
) STRICT;

CREATE INDEX personal_values_at ON personal_values (at);
