package passerelle

import (
	"math/rand/v2"
	"testing"
	"time"
)

// localDayOf numbers the local day of t as the stores' SQL does: the
// offset of t's span, added to its unix milliseconds, divided by a day.
func localDayOf(spans []ZoneSpan, t time.Time) int64 {
	ms := t.UnixMilli()
	for _, s := range spans {
		if s.Until == 0 || ms < s.Until {
			return (ms + s.Offset) / LocalDayMillis
		}
	}
	panic("the last span has no end")
}

// TestLocalDaysMatchTheWallClock: whatever the zone (summer time, half
// hours, a 30-minute summer shift, the other side of the date line), the
// day the SQL computes is the day on the zone's wall clock, and its
// period begins on the first day of its week or month.
func TestLocalDaysMatchTheWallClock(t *testing.T) {
	for _, zone := range []string{"Europe/Paris", "UTC", "America/St_Johns", "Australia/Lord_Howe", "Pacific/Kiritimati", "America/Cayenne", "Indian/Reunion"} {
		t.Run(zone, func(t *testing.T) {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Skipf("no %s on this machine: %v", zone, err)
			}
			for _, period := range []Period{PeriodDay, PeriodWeek, PeriodMonth} {
				q := FiguresQuery{From: time.Date(2025, 1, 1, 0, 0, 0, 0, loc), To: time.Date(2027, 1, 1, 0, 0, 0, 0, loc), Period: period, Location: loc}
				if err := q.Validate(); err != nil {
					t.Fatal(err)
				}
				spans := q.Spans()
				rng := rand.New(rand.NewPCG(1, 2))
				span := q.To.Sub(q.From)
				for range 20000 {
					at := q.From.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Millisecond)
					wall := at.In(loc)
					p := q.PeriodOf(localDayOf(spans, at))
					var want time.Time
					switch period {
					case PeriodDay:
						want = time.Date(wall.Year(), wall.Month(), wall.Day(), 0, 0, 0, 0, loc)
					case PeriodWeek:
						want = time.Date(wall.Year(), wall.Month(), wall.Day()-(int(wall.Weekday())+6)%7, 0, 0, 0, 0, loc)
					case PeriodMonth:
						want = time.Date(wall.Year(), wall.Month(), 1, 0, 0, 0, 0, loc)
					}
					if !p.Equal(want) {
						t.Fatalf("%s (%s on the wall clock) by %s: period %s, want %s", at.UTC(), wall, period, p, want)
					}
				}
			}
		})
	}
}
