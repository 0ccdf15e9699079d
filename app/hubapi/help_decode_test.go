package hubapi

import (
	"errors"
	"strings"
	"testing"

	"passerelle/app/passerelle"
)

// helpEvent is a valid help event as a kiosk pushes it.
func helpEvent(i int, kind passerelle.EventKind) Event {
	e := wireEvent(i)
	e.Kind = string(kind)
	return e
}

func TestDecodeHelp(t *testing.T) {
	asked, handled := helpEvent(0, passerelle.EventHelpAsked), helpEvent(1, passerelle.EventHelpHandled)
	lateShown := wireEvent(2)
	lateShown.At = 0 // refused alone on /events; here its kind refuses all
	badAsked := helpEvent(3, passerelle.EventHelpAsked)
	badAsked.At = 0
	for _, c := range []struct {
		name       string
		body       string
		badRequest bool
		valid      int
		refused    []string
	}{
		{"a call opened and handled", batchJSON(asked, handled), false, 2, nil},
		{"nothing to push: the kiosk asks for its marks", `{"events":[]}`, false, 0, nil},
		{"a help event the hub will not keep is refused alone", batchJSON(asked, badAsked), false, 1, []string{badAsked.ID}},
		{"another kind refuses the whole request", batchJSON(asked, wireEvent(2)), true, 0, nil},
		{"another kind, even one refused alone on /events", batchJSON(asked, lateShown), true, 0, nil},
		{"an unknown kind", batchJSON(asked, helpEvent(4, "password_typed")), true, 0, nil},
		{"no events list", `{}`, true, 0, nil},
		{"null events", `{"events":null}`, true, 0, nil},
		{"the marks are the hub's to give", `{"events":[],"marks":[]}`, true, 0, nil},
		{"a field in another case", strings.Replace(batchJSON(asked), `"kind"`, `"Kind"`, 1), true, 0, nil},
		{"not JSON", `help`, true, 0, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			valid, refused, err := decodeHelp([]byte(c.body), decodeNow)
			if c.badRequest {
				if !errors.Is(err, errBadRequest) || len(valid)+len(refused) != 0 {
					t.Fatalf("decodeHelp = %d valid, %d refused, %v; want a bad request and nothing kept", len(valid), len(refused), err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(valid) != c.valid || len(refused) != len(c.refused) {
				t.Fatalf("decodeHelp = %d valid, refused %+v; want %d valid, %d refused", len(valid), refused, c.valid, len(c.refused))
			}
			for i, id := range c.refused {
				if refused[i].ID != id || refused[i].Reason == "" {
					t.Errorf("refused %+v, want %s with a reason", refused[i], id)
				}
			}
			for _, e := range valid {
				if !helpKinds[e.Kind] {
					t.Errorf("decodeHelp kept a %s", e.Kind)
				}
			}
		})
	}
}

// The sentence a kiosk reads names what went wrong and where the event
// belongs.
func TestDecodeHelpSaysWhy(t *testing.T) {
	_, _, err := decodeHelp([]byte(batchJSON(wireEvent(0))), decodeNow)
	if err == nil {
		t.Fatal("a step_shown was accepted as a help call")
	}
	if got := sentence(err); !strings.Contains(got, `"step_shown" is not a help call`) || !strings.Contains(got, PathEvents) {
		t.Errorf("sentence = %q", got)
	}
}
