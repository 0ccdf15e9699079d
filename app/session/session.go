// Package session walks one user through one procedure. It knows nothing of
// screens or sound: the UI asks it to move, and it answers only once the
// move is saved, so a screen never shows a step whose answer could be lost.
package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"passerelle/app/passerelle"
)

// Errors the UI turns into pictograms and spoken sentences.
var (
	ErrEnded         = errors.New("the session has ended")
	ErrWrongKind     = errors.New("this action does not fit the step")
	ErrUnknownOption = errors.New("no such option")
	ErrInvalidNumber = errors.New("the number does not follow the rule")
	ErrFirstStep     = errors.New("already on the first step")
)

// Session is one user's walk through one procedure, pinned to the version
// of the procedure it started on: a catalog reload never changes it.
type Session struct {
	ID   string
	Lang passerelle.Lang
	Proc *passerelle.Procedure

	store   passerelle.Store
	now     func() time.Time
	seq     int
	path    []*passerelle.Step // the steps shown, the current one last
	outcome passerelle.Outcome
	// helpStep is the step of the open help call, "" when none is open.
	helpStep string
}

// Start begins a session and records it with its first step.
func Start(ctx context.Context, store passerelle.Store, proc *passerelle.Procedure, lang passerelle.Lang, now func() time.Time) (*Session, error) {
	if _, ok := proc.Title[lang]; !ok {
		return nil, fmt.Errorf("start %s: no %s text", proc.ID, lang)
	}
	s := &Session{Lang: lang, Proc: proc, store: store, now: now}
	s.ID = passerelle.NewID(now())
	first := proc.First()
	err := s.record(ctx, first,
		passerelle.Event{Kind: passerelle.EventSessionStarted, Lang: lang},
		passerelle.Event{Kind: passerelle.EventStepShown, StepID: first.ID})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Step returns the step on screen.
func (s *Session) Step() *passerelle.Step { return s.path[len(s.path)-1] }

// Ended reports whether the session is over, and how.
func (s *Session) Ended() (passerelle.Outcome, bool) { return s.outcome, s.outcome != "" }

// CanGoBack reports whether there is a step to go back to.
func (s *Session) CanGoBack() bool { return len(s.path) > 1 && s.outcome == "" }

// Next leaves an info step.
func (s *Session) Next(ctx context.Context) error {
	st, err := s.expect(passerelle.KindInfo)
	if err != nil {
		return err
	}
	return s.move(ctx, st.Next, "")
}

// Choose answers a choice step with the option of the given id.
func (s *Session) Choose(ctx context.Context, optionID string) error {
	st, err := s.expect(passerelle.KindChoice)
	if err != nil {
		return err
	}
	for _, o := range st.Options {
		if o.ID == optionID {
			return s.move(ctx, o.Next, optionID)
		}
	}
	return fmt.Errorf("choose %q in %s: %w", optionID, st.ID, ErrUnknownOption)
}

// Tick answers a checklist step with the documents the user has.
func (s *Session) Tick(ctx context.Context, have []string) error {
	st, err := s.expect(passerelle.KindChecklist)
	if err != nil {
		return err
	}
	var ticked []string
	for _, id := range st.Items { // in the step's order, only known ids
		for _, h := range have {
			if h == id {
				ticked = append(ticked, id)
				break
			}
		}
	}
	return s.move(ctx, st.Next, strings.Join(ticked, ","))
}

// Enter answers a number step. The number itself is kept only when the
// procedure allows it; otherwise only the fact that it was valid is.
func (s *Session) Enter(ctx context.Context, digits string) error {
	st, err := s.expect(passerelle.KindNumber)
	if err != nil {
		return err
	}
	if st.Number == nil || !st.Number.Accepts(digits) {
		return ErrInvalidNumber
	}
	answer := passerelle.Event{Kind: passerelle.EventAnswerGiven, StepID: st.ID, Answer: "valid"}
	if st.Number.Store {
		answer.Personal = digits
	}
	return s.moveWith(ctx, st.Next, answer)
}

// Back returns to the previous step.
func (s *Session) Back(ctx context.Context) error {
	if s.outcome != "" {
		return ErrEnded
	}
	if len(s.path) < 2 {
		return ErrFirstStep
	}
	prev := s.path[len(s.path)-2]
	if err := s.append(ctx, passerelle.Event{Kind: passerelle.EventStepShown, StepID: prev.ID, Answer: "back"}); err != nil {
		return err
	}
	s.path = s.path[:len(s.path)-1]
	return nil
}

// Replayed records that the user asked to hear the prompt again. After
// the end it records nothing and returns ErrEnded: a session's log ends
// with its end.
func (s *Session) Replayed(ctx context.Context) error {
	return s.note(ctx, passerelle.Event{Kind: passerelle.EventPromptReplayed})
}

// HelpAsked records that the user called for a mediator, or returns
// ErrEnded after the end.
func (s *Session) HelpAsked(ctx context.Context) error {
	if err := s.note(ctx, passerelle.Event{Kind: passerelle.EventHelpAsked}); err != nil {
		return err
	}
	s.helpStep = s.Step().ID
	return nil
}

// HelpWaiting reports whether the user called a mediator and staff have
// not marked the call handled yet.
func (s *Session) HelpWaiting() bool { return s.helpStep != "" }

// HelpHandled records that staff marked the open help call handled, with
// the step of the call, even after the session ended (the person may have
// finished, or walked away, before help came). It returns the event, or
// passerelle.ErrNoOpenCall. The live session records it itself, so its
// Seq stays its own.
func (s *Session) HelpHandled(ctx context.Context) (passerelle.Event, error) {
	if s.helpStep == "" {
		return passerelle.Event{}, fmt.Errorf("session %s: %w", s.ID, passerelle.ErrNoOpenCall)
	}
	events := []passerelle.Event{{Kind: passerelle.EventHelpHandled, StepID: s.helpStep}}
	if err := s.append(ctx, events...); err != nil {
		return passerelle.Event{}, err
	}
	s.helpStep = ""
	return events[0], nil
}

// StopAsked records that the user touched a control that would lose the
// session (control is "home" or "back") and is asked to confirm. Abandon
// then records "yes", StopCancelled "no".
func (s *Session) StopAsked(ctx context.Context, control string) error {
	return s.note(ctx, passerelle.Event{Kind: passerelle.EventStopAsked, Answer: control})
}

// StopCancelled records that the user answered "no" to "stop this
// procedure?" and goes on where they were.
func (s *Session) StopCancelled(ctx context.Context) error {
	return s.note(ctx, passerelle.Event{Kind: passerelle.EventStopCancelled})
}

// note records something the user did on the current step that does not
// move the session.
func (s *Session) note(ctx context.Context, e passerelle.Event) error {
	if s.outcome != "" {
		return ErrEnded
	}
	e.StepID = s.Step().ID
	return s.append(ctx, e)
}

// Abandon ends the session before its end: the user went home.
func (s *Session) Abandon(ctx context.Context) error {
	return s.end(ctx, passerelle.OutcomeAbandoned)
}

// TimeOut ends the session because nobody answered.
func (s *Session) TimeOut(ctx context.Context) error {
	return s.end(ctx, passerelle.OutcomeTimedOut)
}

func (s *Session) end(ctx context.Context, outcome passerelle.Outcome) error {
	if s.outcome != "" {
		return nil // already over: going home after the end is not an abandon
	}
	if err := s.append(ctx, passerelle.Event{Kind: passerelle.EventSessionEnded, StepID: s.Step().ID, Outcome: outcome}); err != nil {
		return err
	}
	s.outcome = outcome
	return nil
}

func (s *Session) expect(kind passerelle.StepKind) (*passerelle.Step, error) {
	if s.outcome != "" {
		return nil, ErrEnded
	}
	st := s.Step()
	if st.Kind != kind {
		return nil, fmt.Errorf("%s on %s step %s: %w", kind, st.Kind, st.ID, ErrWrongKind)
	}
	return st, nil
}

// move records the answer (if any) and the next step in one transaction.
func (s *Session) move(ctx context.Context, nextID, answer string) error {
	var ev passerelle.Event
	if answer != "" || s.Step().Kind != passerelle.KindInfo {
		ev = passerelle.Event{Kind: passerelle.EventAnswerGiven, StepID: s.Step().ID, Answer: answer}
	}
	return s.moveWith(ctx, nextID, ev)
}

func (s *Session) moveWith(ctx context.Context, nextID string, answer passerelle.Event) error {
	next, ok := s.Proc.Step(nextID)
	if !ok { // the validator makes this impossible for a loaded catalog
		return fmt.Errorf("step %s leads to missing %q", s.Step().ID, nextID)
	}
	var events []passerelle.Event
	if answer.Kind != "" {
		events = append(events, answer)
	}
	events = append(events, passerelle.Event{Kind: passerelle.EventStepShown, StepID: next.ID})
	return s.record(ctx, next, events...)
}

// record appends events that lead to step and makes it current. Reaching
// an end or a handoff ends the session in the same transaction.
func (s *Session) record(ctx context.Context, step *passerelle.Step, events ...passerelle.Event) error {
	var outcome passerelle.Outcome
	switch step.Kind {
	case passerelle.KindEnd:
		outcome = passerelle.OutcomeFinished
	case passerelle.KindHandoff:
		outcome = passerelle.OutcomeHandedOff
	}
	if outcome != "" {
		events = append(events, passerelle.Event{Kind: passerelle.EventSessionEnded, StepID: step.ID, Outcome: outcome})
	}
	if err := s.append(ctx, events...); err != nil {
		return err
	}
	s.path = append(s.path, step)
	s.outcome = outcome
	return nil
}

// append stamps events and saves them; on failure nothing changes, so the
// user stays on the screen and no answer is half-saved.
func (s *Session) append(ctx context.Context, events ...passerelle.Event) error {
	now := s.now()
	for i := range events {
		e := &events[i]
		e.ID = passerelle.NewID(now)
		e.SessionID = s.ID
		e.Seq = s.seq + i + 1
		e.At = now
		e.ProcedureID = s.Proc.ID
		e.ProcedureVersion = s.Proc.Version
	}
	if err := s.store.Append(ctx, events...); err != nil {
		return fmt.Errorf("session %s: save: %w", s.ID, err)
	}
	s.seq += len(events)
	return nil
}
