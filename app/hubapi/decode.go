package hubapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode"
	"unicode/utf8"

	"passerelle/app/passerelle"
)

// The bounds of what the hub accepts in one event. They are far above what
// a kiosk writes (ids are UUIDs, answers are option ids) and small enough
// that a batch of MaxBatchEvents stays well under MaxBatchBytes.
const (
	maxNameLen   = 200  // procedure and step ids, app and catalog versions
	maxLangLen   = 35   // the longest BCP 47 tag worth keeping
	maxAnswerLen = 2000 // the ids of ticked documents, joined by commas
	maxErrorLen  = 1000 // a kiosk's last error, in plain words
	maxSeq       = 1 << 20
	maxVersion   = 1 << 30
)

// The times an event may carry. Before 2000 is a kiosk whose clock was never
// set (1970 after a power cut without a clock battery); more than a year
// ahead of the hub is a clock gone wrong the other way.
var earliestEvent = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

const latestAhead = 366 * 24 * time.Hour

var knownKinds = map[passerelle.EventKind]bool{
	passerelle.EventSessionStarted: true, passerelle.EventStepShown: true,
	passerelle.EventAnswerGiven: true, passerelle.EventPromptReplayed: true,
	passerelle.EventHelpAsked: true, passerelle.EventStopAsked: true,
	passerelle.EventStopCancelled: true, passerelle.EventSessionEnded: true,
	passerelle.EventHelpHandled:   true,
	passerelle.EventStaffUnlocked: true, passerelle.EventStaffPINRefused: true,
}

var knownOutcomes = map[passerelle.Outcome]bool{
	passerelle.OutcomeFinished: true, passerelle.OutcomeHandedOff: true,
	passerelle.OutcomeAbandoned: true, passerelle.OutcomeTimedOut: true,
	passerelle.OutcomeInterrupted: true,
}

// The exact names each request may use. encoding/json matches names without
// regard to case and keeps the last of two equal names; checkNames refuses
// both first, so that what the hub stores is what the kiosk plainly said.
var (
	eventsNames = names("events", "id", "session_id", "seq", "kind", "at", "lang",
		"procedure_id", "procedure_version", "step_id", "answer", "outcome")
	reportNames = names("app_version", "catalog_version", "pending_events",
		"free_disk_bytes", "last_error")
	joinNames = names("token")
)

func names(n ...string) map[string]bool {
	m := make(map[string]bool, len(n))
	for _, s := range n {
		m[s] = true
	}
	return m
}

// errBadRequest marks a request the hub cannot read: it answers 400.
var errBadRequest = errors.New("bad request")

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), errBadRequest)
}

// decodeStrict reads one JSON value from body into v: valid UTF-8, only the
// names allowed, each once and spelt exactly, and nothing after it.
func decodeStrict(body []byte, allowed map[string]bool, v any) error {
	if !utf8.Valid(body) {
		return badRequest("the request is not valid UTF-8")
	}
	if err := checkNames(body, allowed); err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return badRequest("the request is not the JSON expected: %v", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return badRequest("the request has data after its JSON value")
	}
	return nil
}

// checkNames walks body's tokens and refuses a name not allowed or given
// twice in one object.
func checkNames(body []byte, allowed map[string]bool) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	type frame struct {
		object bool
		seen   map[string]bool
		key    bool // the next token of this object is a name
	}
	var stack []frame
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return badRequest("the request is not JSON: %v", err)
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			top := &stack[n-1]
			if top.key {
				if d, ok := tok.(json.Delim); ok && d == '}' {
					stack = stack[:n-1]
					continue
				}
				name := tok.(string) // the decoder gives only strings as names
				if !allowed[name] {
					return badRequest("the request has an unknown field %q", name)
				}
				if top.seen[name] {
					return badRequest("the request gives the field %q twice", name)
				}
				top.seen[name] = true
				top.key = false
				continue
			}
			top.key = true // a value: the next token is a name again
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, seen: map[string]bool{}, key: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

// decodeEvents reads a batch. A batch the hub cannot read is an error
// (400). An event it can read but will not keep (no UUID, an unknown kind, a
// time out of bounds...) is refused alone, with the reason, so one bad event
// never blocks the kiosk's backlog: the kiosk keeps it, counted as refused.
func decodeEvents(body []byte, now time.Time) (valid []passerelle.Event, refused []Conflict, err error) {
	return decodeBatch(body, now, nil)
}

// decodeBatch reads a batch whose events are all of the kinds given (nil:
// any kind).
func decodeBatch(body []byte, now time.Time, kinds map[passerelle.EventKind]bool) (valid []passerelle.Event, refused []Conflict, err error) {
	var req EventsRequest
	if err := decodeStrict(body, eventsNames, &req); err != nil {
		return nil, nil, err
	}
	if req.Events == nil {
		return nil, nil, badRequest("the request has no events list")
	}
	if len(req.Events) > MaxBatchEvents {
		return nil, nil, badRequest("the batch has %d events, more than %d", len(req.Events), MaxBatchEvents)
	}
	for _, w := range req.Events {
		if kinds != nil && !kinds[passerelle.EventKind(w.Kind)] {
			return nil, nil, badRequest("an event of kind %q is not a help call: it goes with the others to %s", clip(w.Kind), PathEvents)
		}
	}
	for _, w := range req.Events {
		if err := checkEvent(w, now); err != nil {
			refused = append(refused, Conflict{ID: w.ID, Reason: err.Error()})
			continue
		}
		valid = append(valid, fromWire(w))
	}
	return valid, refused, nil
}

func checkEvent(e Event, now time.Time) error {
	if !isUUID(e.ID) {
		return errors.New("the event id is not a UUID")
	}
	if !isUUID(e.SessionID) {
		return errors.New("the session id is not a UUID")
	}
	if e.Seq < 1 || e.Seq > maxSeq {
		return fmt.Errorf("the sequence number %d is not between 1 and %d", e.Seq, maxSeq)
	}
	if !knownKinds[passerelle.EventKind(e.Kind)] {
		return fmt.Errorf("the kind %q is unknown", clip(e.Kind))
	}
	if e.Outcome != "" && !knownOutcomes[passerelle.Outcome(e.Outcome)] {
		return fmt.Errorf("the outcome %q is unknown", clip(e.Outcome))
	}
	at := time.UnixMilli(e.At)
	if at.Before(earliestEvent) || at.After(now.Add(latestAhead)) {
		return fmt.Errorf("the time %s is out of bounds (the kiosk's clock is wrong)", at.UTC().Format(time.RFC3339))
	}
	if e.ProcedureVersion < 0 || e.ProcedureVersion > maxVersion {
		return fmt.Errorf("the procedure version %d is out of bounds", e.ProcedureVersion)
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"lang", e.Lang, maxLangLen},
		{"procedure_id", e.ProcedureID, maxNameLen},
		{"step_id", e.StepID, maxNameLen},
		{"answer", e.Answer, maxAnswerLen},
	} {
		if err := checkText(f.name, f.value, f.max); err != nil {
			return err
		}
	}
	return nil
}

// checkText refuses a text longer than max bytes or holding control
// characters: nothing a kiosk writes has them, but the lines of an error.
func checkText(name, s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("the field %s is longer than %d bytes", name, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(name == "last_error" && (r == '\n' || r == '\t')) { // an error may list problems, a line each
			return fmt.Errorf("the field %s holds a control character", name)
		}
	}
	return nil
}

// clip shortens a refused value echoed in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// isUUID accepts only the canonical form passerelle.NewID writes: 36
// characters, lowercase hex, dashes at 8, 13, 18, 23. One spelling per id,
// so the same event cannot reach the hub under two ids.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// helpKinds are the kinds PathHelp carries.
var helpKinds = map[passerelle.EventKind]bool{passerelle.EventHelpAsked: true, passerelle.EventHelpHandled: true}

// decodeHelp reads a help push: a batch as decodeEvents reads it, whose
// events are all help calls. Another kind refuses the whole request, even
// in an event that would be refused alone: refused alone, it would be
// marked so on the kiosk and never sent with the sync.
func decodeHelp(body []byte, now time.Time) (valid []passerelle.Event, refused []Conflict, err error) {
	return decodeBatch(body, now, helpKinds)
}

// decodeReport reads a kiosk's report.
func decodeReport(body []byte) (passerelle.KioskReport, error) {
	var r Report
	if err := decodeStrict(body, reportNames, &r); err != nil {
		return passerelle.KioskReport{}, err
	}
	if r.PendingEvents < 0 || r.FreeDiskBytes < 0 {
		return passerelle.KioskReport{}, badRequest("the report has a negative count")
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"app_version", r.AppVersion, maxNameLen},
		{"catalog_version", r.CatalogVersion, maxNameLen},
		{"last_error", r.LastError, maxErrorLen},
	} {
		if err := checkText(f.name, f.value, f.max); err != nil {
			return passerelle.KioskReport{}, badRequest("%v", err)
		}
	}
	return passerelle.KioskReport{
		AppVersion: r.AppVersion, CatalogVersion: r.CatalogVersion, PendingEvents: r.PendingEvents,
		FreeDiskBytes: r.FreeDiskBytes, LastError: r.LastError,
	}, nil
}

// decodeJoin reads an enrollment token: an empty or overlong one is
// refused by the join as any wrong token is.
func decodeJoin(body []byte) (string, error) {
	var j JoinRequest
	if err := decodeStrict(body, joinNames, &j); err != nil {
		return "", err
	}
	return j.Token, nil
}

// toWire gives an event as it travels: without its personal value.
func toWire(e passerelle.Event) Event {
	return Event{
		ID: e.ID, SessionID: e.SessionID, Seq: e.Seq, Kind: string(e.Kind), At: e.At.UnixMilli(),
		Lang: string(e.Lang), ProcedureID: e.ProcedureID, ProcedureVersion: e.ProcedureVersion,
		StepID: e.StepID, Answer: e.Answer, Outcome: string(e.Outcome),
	}
}

func fromWire(w Event) passerelle.Event {
	return passerelle.Event{
		ID: w.ID, SessionID: w.SessionID, Seq: w.Seq, Kind: passerelle.EventKind(w.Kind),
		At: time.UnixMilli(w.At).UTC(), Lang: passerelle.Lang(w.Lang), ProcedureID: w.ProcedureID,
		ProcedureVersion: w.ProcedureVersion, StepID: w.StepID, Answer: w.Answer,
		Outcome: passerelle.Outcome(w.Outcome),
	}
}
