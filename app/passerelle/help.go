package passerelle

import (
	"context"
	"errors"
	"time"
)

// HelpCall is a user's call for a mediator: the help_asked events of a
// session since its last help_handled. It is open until staff mark it
// handled. Calls live only in the event log, so a restart keeps them.
type HelpCall struct {
	SessionID        string
	ProcedureID      string
	ProcedureVersion int
	// StepID is the step of the latest help_asked: where the person is
	// stuck, and the step help_handled carries.
	StepID string
	// AskedAt is the first help_asked of the call: the wait runs from it,
	// as in the statistics (figures.go).
	AskedAt time.Time
	// HandledAt is the help_handled's time; zero while the call is open.
	HandledAt time.Time
	// AfterSeq names the call in its session: the Seq of the session's
	// help_handled before it, 0 when none. A mark made on the hub carries
	// it (HelpMark), so it never closes a later call of the session.
	// The kiosk's HelpDesk fills it; the hub's lists leave it 0.
	AfterSeq int
}

// Open reports whether nobody has marked the call handled yet.
func (c HelpCall) Open() bool { return c.HandledAt.IsZero() }

// Wait is how long the person waited: until now for an open call, until
// it was handled otherwise.
func (c HelpCall) Wait(now time.Time) time.Duration {
	if c.Open() {
		return now.Sub(c.AskedAt)
	}
	return c.HandledAt.Sub(c.AskedAt)
}

// ErrNoOpenCall is returned when marking handled a session that has no
// open call: another staff member, or a second tap, was first.
var ErrNoOpenCall = errors.New("no open help call in this session")

// HelpDesk is what the kiosk's staff see and do of help calls.
type HelpDesk interface {
	// OpenHelpCalls returns the calls not yet handled asked since since,
	// oldest first.
	OpenHelpCalls(ctx context.Context, since time.Time) ([]HelpCall, error)
	// HandledHelpCalls returns the calls handled since since, latest
	// first.
	HandledHelpCalls(ctx context.Context, since time.Time) ([]HelpCall, error)
	// HandleHelpCall appends help_handled at now to the session of an open
	// call (the next Seq, the call's StepID), even after the session
	// ended, and returns the event. Without an open call: ErrNoOpenCall.
	// The session must not be live: a live session appends through its
	// own Seq counter (session.HelpHandled).
	HandleHelpCall(ctx context.Context, sessionID string, now time.Time) (Event, error)
}

// HelpNotifier learns of every help call opened or handled on the kiosk,
// as it happens. It is the seam where the kiosk pushes help calls to the
// hub ahead of its normal sync, so the hub's staff page shows them within
// seconds. It must not block: the kiosk calls it from its UI goroutine.
type HelpNotifier interface {
	HelpCallChanged(call HelpCall)
}

// HubHelpCall is a kiosk's help call as the hub's staff page shows it:
// the call, from the help events the kiosk pushed, and the mark a staff
// member made on the hub's page, if any.
type HubHelpCall struct {
	Kiosk string
	HelpCall
	// MarkedBy and MarkedAt: who marked the call handled on the hub's
	// page, and when; empty until then. A marked call stays open on the
	// hub until the kiosk's help_handled arrives: the kiosk records the
	// mark the next time it asks (HelpMarks), then pushes its event.
	MarkedBy string
	MarkedAt time.Time
}

// HelpMark is a call marked handled on the hub that its kiosk has not
// yet recorded: the kiosk appends help_handled for it.
type HelpMark struct {
	SessionID string
	// AfterSeq names the call marked (HelpCall.AfterSeq): the kiosk
	// records the mark only while that call is the open one.
	AfterSeq int
	MarkedAt time.Time
}

// HubHelpDesk is what the hub knows and does of the kiosks' help calls.
// A call is the help_asked events of a session after its last
// help_handled, as on the kiosk (HelpDesk): the hub holds the same
// events, pushed by the kiosk as soon as they happen.
type HubHelpDesk interface {
	// HubOpenHelpCalls returns every kiosk's calls asked since since
	// without a help_handled held after them, oldest first, with the
	// hub's mark when there is one.
	HubOpenHelpCalls(ctx context.Context, since time.Time) ([]HubHelpCall, error)
	// MarkHelpHandled records that staff member by handled the open call
	// of the kiosk's session at now. Without an open call, or when the
	// call is marked already (another staff member was first):
	// ErrNoOpenCall, and the first mark stays.
	MarkHelpHandled(ctx context.Context, kiosk, sessionID, by string, now time.Time) error
	// HelpMarks returns the marks of the kiosk's calls that are still
	// open in the events held, oldest first: what the kiosk has to
	// record. A mark concerns one call: after the kiosk's help_handled,
	// a new call in the same session is open and unmarked.
	HelpMarks(ctx context.Context, kiosk string) ([]HelpMark, error)
}
