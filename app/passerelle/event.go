package passerelle

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// EventKind names what happened in a session.
type EventKind string

// The events of a session. The log is append-only: events are never
// changed, so the hub can sync them by id without conflicts.
const (
	EventSessionStarted EventKind = "session_started" // Lang, ProcedureID, ProcedureVersion
	EventStepShown      EventKind = "step_shown"      // StepID
	EventAnswerGiven    EventKind = "answer_given"    // StepID, Answer, maybe Personal
	EventPromptReplayed EventKind = "prompt_replayed" // StepID
	EventHelpAsked      EventKind = "help_asked"      // StepID
	// A control that loses work (home, back on the first step) asks
	// "stop this procedure?" first: stop_asked records the question, with
	// the control in Answer ("home" or "back"); "yes" is then the
	// session_ended abandoned that follows, "no" a stop_cancelled.
	EventStopAsked     EventKind = "stop_asked"     // StepID, Answer: the control
	EventStopCancelled EventKind = "stop_cancelled" // StepID: the user went on
	EventSessionEnded  EventKind = "session_ended"  // Outcome
	// Staff marked the session's help call handled: a mediator came. It
	// belongs to the session of the call (same SessionID, next Seq), with
	// the call's StepID; the time to answer, in the statistics, is its At
	// minus the At of the last help_asked before it in the session. It may
	// come after session_ended (the person walked away before help came).
	EventHelpHandled EventKind = "help_handled" // StepID: the step of the call
)

// Outcome says how a session ended.
type Outcome string

const (
	OutcomeFinished    Outcome = "finished"    // reached an end step
	OutcomeHandedOff   Outcome = "handed_off"  // reached a handoff step: a human takes over
	OutcomeAbandoned   Outcome = "abandoned"   // the user went home before the end
	OutcomeTimedOut    Outcome = "timed_out"   // nobody answered "are you still there?"
	OutcomeInterrupted Outcome = "interrupted" // the kiosk stopped (crash, power) mid-session
)

// Event is one entry of the session log.
type Event struct {
	ID        string // globally unique (UUIDv7), so kiosks never collide at the hub
	SessionID string
	Seq       int // 1, 2, 3... within the session
	Kind      EventKind
	At        time.Time

	Lang             Lang   // session_started
	ProcedureID      string // every event, so a step id always has its procedure
	ProcedureVersion int
	StepID           string
	// Answer is what the user chose, never personal: an option id, the ids
	// of ticked documents separated by commas, or "valid" for a number.
	Answer string
	// Personal is a value the user typed, kept only when the procedure
	// allows it, stored apart and purged after the retention period.
	Personal string
	Outcome  Outcome
}

// ErrNotFound is returned when a session or event does not exist.
var ErrNotFound = errors.New("not found")

// Store keeps the event log on the kiosk.
type Store interface {
	// Append saves events atomically and durably: when it returns nil, the
	// events survive a crash or a power cut. Appending an event whose ID is
	// already stored is an error.
	Append(ctx context.Context, events ...Event) error
	// SessionEvents returns a session's events in order, or ErrNotFound.
	SessionEvents(ctx context.Context, sessionID string) ([]Event, error)
	// CloseInterrupted ends every session that has no session_ended event
	// with an "interrupted" one at time now, and returns their ids. The
	// kiosk calls it at start, after a crash or a power cut.
	CloseInterrupted(ctx context.Context, now time.Time) ([]string, error)
	// PurgePersonal deletes the personal values of events older than
	// before and returns how many were deleted.
	PurgePersonal(ctx context.Context, before time.Time) (int, error)
}

// NewID returns a UUIDv7: 48 bits of milliseconds then random bits, so ids
// sort by creation time and never collide between kiosks.
func NewID(now time.Time) string {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		panic(fmt.Sprintf("passerelle: no randomness: %v", err)) // crypto/rand does not fail on Linux
	}
	ms := uint64(now.UnixMilli())
	binary.BigEndian.PutUint16(b[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(b[2:6], uint32(ms))
	b[6] = b[6]&0x0f | 0x70 // version 7
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
