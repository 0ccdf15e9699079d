package hubapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

var decodeNow = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// wireEvent is a valid event as a kiosk sends it.
func wireEvent(i int) Event {
	at := decodeNow.Add(-time.Hour)
	return Event{
		ID: passerelle.NewID(at), SessionID: "0193a2b4-0000-7000-8000-000000000001", Seq: i + 1,
		Kind: string(passerelle.EventStepShown), At: at.UnixMilli(), ProcedureID: "caf-aide",
		ProcedureVersion: 2, StepID: "when",
	}
}

func batchJSON(events ...Event) string {
	b, _ := json.Marshal(EventsRequest{Events: events})
	return string(b)
}

func TestDecodeEventsRefusesUnreadableBatches(t *testing.T) {
	good := batchJSON(wireEvent(0))
	tooMany := make([]Event, MaxBatchEvents+1)
	for i := range tooMany {
		tooMany[i] = wireEvent(i)
	}
	for _, c := range []struct{ name, body string }{
		{"empty", ""},
		{"not JSON", "events"},
		{"no events list", `{}`},
		{"null events", `{"events":null}`},
		{"unknown field", `{"events":[],"personal":"1234"}`},
		{"unknown event field", strings.Replace(good, `"id"`, `"personal":"06 12","id"`, 1)},
		{"name in another case", strings.Replace(good, `"id"`, `"ID"`, 1)},
		{"name twice", strings.Replace(good, `"seq":1`, `"seq":1,"seq":2`, 1)},
		{"trailing data", good + `{}`},
		{"two values", good + good},
		{"invalid UTF-8", strings.Replace(good, "when", "wh\xffen", 1)},
		{"string for a number", strings.Replace(good, `"seq":1`, `"seq":"1"`, 1)},
		{"fraction", strings.Replace(good, `"seq":1`, `"seq":1.5`, 1)},
		{"too many events", batchJSON(tooMany...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			valid, _, err := decodeEvents([]byte(c.body), decodeNow)
			if !errors.Is(err, errBadRequest) {
				t.Fatalf("decodeEvents = %d events, %v; want a bad request", len(valid), err)
			}
		})
	}
}

func TestDecodeEventsRefusesBadEventsAlone(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*Event)
	}{
		{"id not a UUID", func(e *Event) { e.ID = "42" }},
		{"id in capitals", func(e *Event) { e.ID = strings.ToUpper(e.ID) }},
		{"session id missing", func(e *Event) { e.SessionID = "" }},
		{"seq 0", func(e *Event) { e.Seq = 0 }},
		{"unknown kind", func(e *Event) { e.Kind = "password_typed" }},
		{"unknown outcome", func(e *Event) { e.Outcome = "exploded" }},
		{"clock never set", func(e *Event) { e.At = 0 }},
		{"far future", func(e *Event) { e.At = decodeNow.AddDate(2, 0, 0).UnixMilli() }},
		{"negative version", func(e *Event) { e.ProcedureVersion = -1 }},
		{"answer too long", func(e *Event) { e.Answer = strings.Repeat("a", maxAnswerLen+1) }},
		{"control character", func(e *Event) { e.StepID = "when\x00" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := wireEvent(1)
			c.change(&bad)
			valid, refused, err := decodeEvents([]byte(batchJSON(wireEvent(0), bad)), decodeNow)
			if err != nil {
				t.Fatal(err)
			}
			if len(valid) != 1 || len(refused) != 1 || refused[0].ID != bad.ID || refused[0].Reason == "" {
				t.Fatalf("valid %d, refused %+v; want the good event kept and the bad one refused with a reason", len(valid), refused)
			}
		})
	}
}

func TestDecodeEventsKeepsEveryField(t *testing.T) {
	w := wireEvent(0)
	w.Kind, w.Lang, w.Answer, w.Outcome = string(passerelle.EventSessionEnded), "ar", "payslip,id-card", string(passerelle.OutcomeHandedOff)
	valid, refused, err := decodeEvents([]byte(batchJSON(w)), decodeNow)
	if err != nil || len(refused) != 0 || len(valid) != 1 {
		t.Fatalf("decodeEvents = %v, %v, %v", valid, refused, err)
	}
	if got := toWire(valid[0]); got != w {
		t.Fatalf("round trip\n got %+v\nwant %+v", got, w)
	}
}

// FuzzDecodeEvents: the hub's decoding never panics, and what it accepts is
// exactly what it would accept again from its own encoding: nothing is
// altered on the way to the store (a case-folded name, a replaced invalid
// byte, a rounded time).
func FuzzDecodeEvents(f *testing.F) {
	f.Add([]byte(batchJSON(wireEvent(0), wireEvent(1))))
	f.Add([]byte(`{"events":[]}`))
	f.Add([]byte(`{"events":[{"id":"x"}]}`))
	f.Add([]byte(`{"events":[{"ID":"0193a2b4-0000-7000-8000-000000000001","seq":1e3}]} `))
	f.Add([]byte(strings.Replace(batchJSON(wireEvent(0)), `"at":`, `"at":-`, 1)))
	f.Add([]byte(batchJSON(helpEvent(0, passerelle.EventHelpAsked), helpEvent(1, passerelle.EventHelpHandled))))
	f.Fuzz(func(t *testing.T, body []byte) {
		help, helpRefused, helpErr := decodeHelp(body, decodeNow)
		for _, e := range help {
			if !helpKinds[e.Kind] {
				t.Fatalf("decodeHelp accepted a %s", e.Kind)
			}
		}
		valid, refused, err := decodeEvents(body, decodeNow)
		if helpErr == nil && (err != nil || len(help) != len(valid) || len(helpRefused) != len(refused)) {
			t.Fatalf("decodeHelp read %d events, decodeEvents %d (%v): a help push is a batch", len(help), len(valid), err)
		}
		if err != nil {
			if len(valid)+len(refused) != 0 {
				t.Fatalf("an error with %d events accepted", len(valid))
			}
			return
		}
		wire := make([]Event, len(valid))
		for i, e := range valid {
			wire[i] = toWire(e)
		}
		again, refusedAgain, err := decodeEvents([]byte(batchJSON(wire...)), decodeNow)
		if err != nil || len(refusedAgain) != 0 {
			t.Fatalf("accepted events refused once encoded again: %v %v", err, refusedAgain)
		}
		if !reflect.DeepEqual(again, valid) {
			t.Fatalf("decode-encode-decode changed the events:\n%s\n%s", fmt.Sprint(valid), fmt.Sprint(again))
		}
	})
}

// FuzzDecodeReport: a kiosk's report and a join request never make the
// hub panic, and an accepted report reads the same once encoded again.
func FuzzDecodeReport(f *testing.F) {
	f.Add([]byte(`{"app_version":"1.0","catalog_version":"","pending_events":3,"free_disk_bytes":1000,"last_error":"a\nb"}`))
	f.Add([]byte(`{"token":"abc"}`))
	f.Add([]byte(`{"pending_events":-1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		decodeJoin(body)
		r, err := decodeReport(body)
		if err != nil {
			return
		}
		again, _ := json.Marshal(Report{AppVersion: r.AppVersion, CatalogVersion: r.CatalogVersion,
			PendingEvents: r.PendingEvents, FreeDiskBytes: r.FreeDiskBytes, LastError: r.LastError})
		r2, err := decodeReport(again)
		if err != nil || r2 != r {
			t.Fatalf("decode-encode-decode changed the report: %+v, %+v, %v", r, r2, err)
		}
	})
}
