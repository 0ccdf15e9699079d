package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp/syntax"
	"strconv"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
	"passerelle/app/session"
	"passerelle/app/sqlite"
)

const simulateSynopsis = "passerelle simulate -db kiosk.db -sessions N [-seed S] [-catalog DIR]"

// maxSimulated bounds -sessions: ten million sessions are about a hundred
// million events, more than a kiosk makes in its life.
const maxSimulated = 10_000_000

// runSimulate appends made-up sessions to a kiosk's database, walked
// through the real session package on a real catalog, to try the hub, the
// sync and the stats on realistic volumes without a person tapping.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCommand("simulate", simulateSynopsis)
	db := c.String("db", "", "the kiosk's database file to append to (created if missing)")
	sessions := c.Int("sessions", 0, fmt.Sprintf("how many sessions to append, 1 to %d", maxSimulated))
	seed := c.Uint64("seed", 1, "the seed of the random choices: the same seed makes the same sessions")
	catalog := c.String("catalog", DefaultCatalog, "folder of procedures to walk through")
	if _, err := c.parse(args); errors.Is(err, flag.ErrHelp) {
		return c.help(stdout)
	} else if err != nil {
		return c.fail(stderr, err)
	}
	if err := required(map[string]string{"db": *db, "catalog": *catalog}); err != nil {
		return c.fail(stderr, err)
	}
	if err := kioskFile(*db); err != nil {
		return c.fail(stderr, err)
	}
	if *sessions < 1 || *sessions > maxSimulated {
		return c.fail(stderr, usagef("-sessions %d is out of range: give a number of sessions from 1 to %d", *sessions, maxSimulated))
	}
	cat, err := loadCatalog(ctx, *catalog)
	if err != nil {
		return c.fail(stderr, err)
	}
	store := sqlite.NewDB(*db)
	if err := store.Open(); err != nil {
		return c.fail(stderr, err)
	}
	defer store.Close()
	began := time.Now()
	sim := simulator{catalog: cat, rng: rand.New(rand.NewPCG(*seed, *seed)), end: began.UTC().Truncate(24 * time.Hour)}
	var done tally
	if err := sim.run(ctx, store, *sessions, done.add); err != nil {
		if ctx.Err() != nil {
			err = errors.New("stopped")
		}
		return c.fail(stderr, fmt.Errorf("%w: %d whole sessions were appended before", err, done.sessions))
	}
	elapsed := time.Since(began)
	fmt.Fprintf(stdout, "%d sessions (%d events) appended to %s in %s, %.0f events a second: %s\n",
		done.sessions, done.events, *db, elapsed.Round(time.Millisecond),
		float64(done.events)/elapsed.Seconds(), &done)
	return 0
}

// loadCatalog loads a catalog folder that must be sound.
func loadCatalog(ctx context.Context, dir string) (*passerelle.Catalog, error) {
	res, err := procedure.Load(ctx, dir)
	switch {
	case err != nil:
		return nil, err
	case res.Unusable != "":
		return nil, errors.New(res.Unusable)
	case len(res.Problems) > 0:
		return nil, fmt.Errorf("the catalog %s has %d problem(s), the first: %s; run passerelle validate %s to see them all",
			dir, len(res.Problems), res.Problems[0], dir)
	}
	return passerelle.NewCatalog(res.Procedures), nil
}

// The odds that a simulated person does something on a screen, besides
// answering it. Per screen, so a long procedure is abandoned more often,
// as in life.
const (
	pReplay   = 0.06  // hears the prompt again
	pHelp     = 0.02  // calls a mediator
	pLeave    = 0.012 // touches home: "stop this procedure?"
	pStay     = 0.2   // ...and answers no
	pWalkAway = 0.006 // leaves without a word: the session times out
	pBack     = 0.05  // goes back a step
	pTick     = 0.8   // has a document of a checklist
	pUsual    = 0.7   // gives a choice's first answer: staff list the usual one first
	pMistype  = 0.1   // types a wrong number first
	// maxMoves ends a session that wanders (back and forth, loops of
	// choices) by a time-out, as a kiosk would.
	maxMoves = 200
	// perDay is how many sessions a busy kiosk sees in a day: one every 12
	// minutes over 8 opening hours.
	perDay = 40
	// batchEvents is how many events are saved in one transaction. Every
	// commit syncs the file to disk: one commit per move, as a kiosk does,
	// would cap the simulation at a few hundred events a second.
	batchEvents = 5000
)

// simulator makes up sessions. Everything it picks comes from rng, so a
// seed gives the same sessions (only the random part of the ids differs).
type simulator struct {
	catalog *passerelle.Catalog
	rng     *rand.Rand
	// end is the midnight before which every session ends: the sessions
	// fill the days before it, perDay a day, from 8:00 UTC.
	end time.Time
	now time.Time // the simulated clock
}

// simulatedSession is a session a simulation appended.
type simulatedSession struct {
	ID          string
	ProcedureID string
	Lang        passerelle.Lang
	Outcome     passerelle.Outcome
	Events      int
}

// tally counts the sessions of a simulation.
type tally struct {
	sessions, events int
	outcomes         map[passerelle.Outcome]int
}

func (t *tally) add(s simulatedSession) {
	if t.outcomes == nil {
		t.outcomes = map[passerelle.Outcome]int{}
	}
	t.sessions++
	t.events += s.Events
	t.outcomes[s.Outcome]++
}

// String counts the sessions by outcome, in plain words.
func (t *tally) String() string {
	return fmt.Sprintf("%d finished, %d handed off, %d abandoned, %d timed out",
		t.outcomes[passerelle.OutcomeFinished], t.outcomes[passerelle.OutcomeHandedOff],
		t.outcomes[passerelle.OutcomeAbandoned], t.outcomes[passerelle.OutcomeTimedOut])
}

// run appends n sessions to store and calls saved with each once it is
// saved. Sessions are saved whole: a batch is committed only between
// sessions, so a failure leaves no session half-written.
func (s *simulator) run(ctx context.Context, store passerelle.Store, n int, saved func(simulatedSession)) error {
	batch := &batchStore{Store: store}
	var unsaved []simulatedSession
	days := (n + perDay - 1) / perDay
	first := s.end.AddDate(0, 0, -days)
	s.now = first
	for i := range n {
		// A session starts at its slot of the day, or after the previous
		// one when that ran late.
		slot := first.AddDate(0, 0, i/perDay).Add(8*time.Hour + time.Duration(i%perDay)*12*time.Minute)
		slot = slot.Add(time.Duration(s.rng.Int64N(int64(5 * time.Minute))))
		s.now = laterOf(s.now, slot)
		before := len(batch.pending)
		one, err := s.session(ctx, batch)
		if err != nil {
			return err
		}
		one.Events = len(batch.pending) - before
		unsaved = append(unsaved, one)
		if len(batch.pending) < batchEvents && i < n-1 {
			continue
		}
		if err := batch.flush(ctx); err != nil {
			return err
		}
		for _, one := range unsaved {
			saved(one)
		}
		unsaved = unsaved[:0]
	}
	return nil
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// tick is the simulated clock: each screen takes 3 to 40 seconds to hear
// and answer.
func (s *simulator) tick() time.Time {
	s.now = s.now.Add(3*time.Second + time.Duration(s.rng.Int64N(int64(37*time.Second))))
	return s.now
}

// session walks one made-up person through a procedure, to its end.
func (s *simulator) session(ctx context.Context, store passerelle.Store) (simulatedSession, error) {
	langs := s.catalog.Langs()
	lang := langs[s.rng.IntN(len(langs))]
	procs := s.catalog.In(lang)
	proc := procs[s.rng.IntN(len(procs))]
	ss, err := session.Start(ctx, store, proc, lang, s.tick)
	if err != nil {
		return simulatedSession{}, err
	}
	for moves := 0; ; moves++ {
		if outcome, ended := ss.Ended(); ended {
			return simulatedSession{ID: ss.ID, ProcedureID: proc.ID, Lang: lang, Outcome: outcome}, nil
		}
		if moves == maxMoves {
			err = s.walkAway(ctx, ss)
		} else {
			err = s.move(ctx, ss)
		}
		if err != nil {
			return simulatedSession{}, fmt.Errorf("session %s on %s: %w", ss.ID, proc.ID, err)
		}
	}
}

// move does one thing on the screen of the session's step.
func (s *simulator) move(ctx context.Context, ss *session.Session) error {
	r := s.rng.Float64()
	switch {
	case r < pReplay:
		return ss.Replayed(ctx)
	case r < pReplay+pHelp:
		return ss.HelpAsked(ctx)
	case r < pReplay+pHelp+pLeave:
		if err := ss.StopAsked(ctx, "home"); err != nil {
			return err
		}
		if s.rng.Float64() < pStay {
			return ss.StopCancelled(ctx)
		}
		return ss.Abandon(ctx)
	case r < pReplay+pHelp+pLeave+pWalkAway:
		return s.walkAway(ctx, ss)
	case r < pReplay+pHelp+pLeave+pWalkAway+pBack && ss.CanGoBack():
		return ss.Back(ctx)
	}
	return s.answer(ctx, ss)
}

// walkAway ends the session as the kiosk does when nobody answers: after
// the inactivity time and the wait of "are you still there?".
func (s *simulator) walkAway(ctx context.Context, ss *session.Session) error {
	s.now = s.now.Add(2 * time.Minute)
	return ss.TimeOut(ctx)
}

// answer answers the step on screen as its kind asks.
func (s *simulator) answer(ctx context.Context, ss *session.Session) error {
	st := ss.Step()
	switch st.Kind {
	case passerelle.KindChoice:
		pick := 0
		if s.rng.Float64() >= pUsual {
			pick = 1 + s.rng.IntN(len(st.Options)-1)
		}
		return ss.Choose(ctx, st.Options[pick].ID)
	case passerelle.KindChecklist:
		var have []string
		for _, item := range st.Items {
			if s.rng.Float64() < pTick {
				have = append(have, item)
			}
		}
		return ss.Tick(ctx, have)
	case passerelle.KindNumber:
		if s.rng.Float64() < pMistype {
			// A wrong number is refused and saves nothing: the person types again.
			if err := ss.Enter(ctx, "0"); !errors.Is(err, session.ErrInvalidNumber) {
				return fmt.Errorf("a mistyped number on %s: %v, want it refused", st.ID, err)
			}
		}
		digits, ok := s.number(st.Number)
		if !ok {
			// No number fits the rule: the person gives up, as in life.
			return ss.Abandon(ctx)
		}
		return ss.Enter(ctx, digits)
	default: // info; handoff and end steps end the session as they show
		return ss.Next(ctx)
	}
}

// number makes up a number the rule accepts: digits that match its
// pattern, of a length it allows, with the key of a NIR when it has one.
func (s *simulator) number(rule *passerelle.NumberRule) (string, bool) {
	var re *syntax.Regexp
	if rule.Pattern != "" {
		var err error
		if re, err = syntax.Parse(rule.Pattern, syntax.Perl); err != nil {
			return "", false // the validator refuses such a rule
		}
	}
	for range 100 {
		var digits []byte
		if re == nil {
			n := rule.Min + s.rng.IntN(rule.Max-rule.Min+1)
			for range n {
				digits = append(digits, byte('0'+s.rng.IntN(10)))
			}
		} else {
			digits = s.matching(re, nil, rule.Max)
		}
		if rule.Check == passerelle.CheckNIR && len(digits) == 15 {
			digits = withNIRKey(digits)
		}
		if rule.Accepts(string(digits)) {
			return string(digits), true
		}
	}
	return "", false
}

// matching appends to b a random string re matches, made of digits where
// re leaves a choice. Unbounded repeats stop past limit characters.
func (s *simulator) matching(re *syntax.Regexp, b []byte, limit int) []byte {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			b = append(b, string(r)...)
		}
	case syntax.OpCharClass:
		var digits []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := max(re.Rune[i], '0'); r <= re.Rune[i+1] && r <= '9'; r++ {
				digits = append(digits, r)
			}
		}
		if len(digits) == 0 && len(re.Rune) > 0 {
			digits = []rune{re.Rune[0]}
		}
		if len(digits) > 0 {
			b = append(b, string(digits[s.rng.IntN(len(digits))])...)
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b = append(b, byte('0'+s.rng.IntN(10)))
	case syntax.OpCapture:
		b = s.matching(re.Sub[0], b, limit)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			b = s.matching(sub, b, limit)
		}
	case syntax.OpAlternate:
		b = s.matching(re.Sub[s.rng.IntN(len(re.Sub))], b, limit)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, limit
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo = re.Min
			if re.Max >= 0 {
				hi = re.Max
			}
		}
		hi = max(lo, hi)
		for range lo + s.rng.IntN(hi-lo+1) {
			if len(b) > limit {
				break
			}
			b = s.matching(re.Sub[0], b, limit)
		}
	}
	return b
}

// withNIRKey replaces the last 2 digits of a 15-digit NIR by its key:
// 97 minus the first 13 digits modulo 97.
func withNIRKey(nir []byte) []byte {
	body, err := strconv.ParseUint(string(nir[:13]), 10, 64)
	if err != nil {
		return nir // 2A, 2B: let the rule refuse it, another number is tried
	}
	return fmt.Appendf(nir[:13], "%02d", 97-body%97)
}

// batchStore keeps the events sessions append and saves them together in
// one transaction at flush: the sessions run the same code as on a kiosk,
// and the database's Append checks and saves every event as it does there.
type batchStore struct {
	passerelle.Store
	pending []passerelle.Event
}

func (b *batchStore) Append(ctx context.Context, events ...passerelle.Event) error {
	b.pending = append(b.pending, events...)
	return nil
}

func (b *batchStore) flush(ctx context.Context) error {
	if err := b.Store.Append(ctx, b.pending...); err != nil {
		return err
	}
	b.pending = b.pending[:0]
	return nil
}
