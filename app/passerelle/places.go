package passerelle

import (
	"context"
	"time"
	_ "time/tzdata" // a kiosk without the system's zone files still knows Paris time
)

// PlaceKind says what sort of place helps: each kind has its pictogram,
// the same on every kiosk.
type PlaceKind string

// The kinds of help place.
const (
	PlaceFranceServices PlaceKind = "france-services" // the state's one-stop offices
	PlaceTownHall       PlaceKind = "town-hall"
	PlaceLibrary        PlaceKind = "library"     // libraries and digital public spaces
	PlaceCCAS           PlaceKind = "ccas"        // the town's social action centre
	PlaceAssociation    PlaceKind = "association" // a charity or a local association
	PlaceSocialCentre   PlaceKind = "social-centre"
	PlaceOther          PlaceKind = "other"
)

// PlaceKinds lists the known kinds, in the order staff documentation gives them.
var PlaceKinds = []PlaceKind{PlaceFranceServices, PlaceTownHall, PlaceLibrary, PlaceCCAS, PlaceAssociation, PlaceSocialCentre, PlaceOther}

// PlacesZone is the time zone opening hours are written in.
var PlacesZone = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // embedded by time/tzdata: cannot happen
	}
	return loc
}

// Place is a place near the kiosk where a person helps with procedures: a
// France Services office, a library, the CCAS, an association. The catalog
// carries them, for the handoff and end screens.
type Place struct {
	ID        string
	Name      string // as written on its door: a proper name, not translated
	Kind      PlaceKind
	Pictogram Media  // the kind's pictogram, or the place's own
	Address   string // one line, as written on a letter
	Phone     string // digits and single spaces, like "02 99 12 34 56"
	Hours     Hours
	Helps     []string // the ids of the procedures it helps with
}

// HelpsWith reports whether the place helps with the procedure.
func (p *Place) HelpsWith(procedureID string) bool {
	for _, id := range p.Helps {
		if id == procedureID {
			return true
		}
	}
	return false
}

// Hours are a place's weekly opening hours and the days it is closed.
type Hours struct {
	// Week holds the ranges of each day, Sunday first (time.Weekday),
	// sorted and never overlapping.
	Week [7][]TimeRange
	// Closed are the days the place is closed whatever the week says
	// (holidays), as midnight UTC of the day.
	Closed []time.Time
}

// TimeRange is an opening range within one day, in minutes after midnight:
// From is open, To is closed.
type TimeRange struct{ From, To int }

// OpenAt reports whether the place is open at t, in Paris time.
func (h Hours) OpenAt(t time.Time) bool {
	t = t.In(PlacesZone)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for _, c := range h.Closed {
		if c.Equal(day) {
			return false
		}
	}
	minute := t.Hour()*60 + t.Minute()
	for _, r := range h.Week[t.Weekday()] {
		if minute >= r.From && minute < r.To {
			return true
		}
	}
	return false
}

// PlacesFor returns the places that help with a procedure, in the order
// staff wrote them.
func PlacesFor(places []*Place, procedureID string) []*Place {
	var out []*Place
	for _, p := range places {
		if p.HelpsWith(procedureID) {
			out = append(out, p)
		}
	}
	return out
}

// Printer prints a text on paper: the kiosk's receipt printer.
type Printer interface {
	// Print sends text as one job; it returns once the printing system has
	// taken the job, or why it did not.
	Print(ctx context.Context, text string) error
}
