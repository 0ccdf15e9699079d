package ui

import (
	"context"
	"time"
)

// One-switch scanning, for a person who can press one big switch and
// nothing more precise: the focus ring moves by itself from control to
// control, every ScanEvery, and any key (the switch) acts on the control
// it is on, as a touch would. The ring moves in silence, so that the
// screen's prompt is heard whole; a choice selected says itself, as a
// touched one does, and only the green arrow, selected in its turn,
// moves on.

// scanState is what scanning keeps between its moves.
type scanState struct {
	screen *Screen   // the screen the last move was on
	moved  time.Time // when the ring last moved, or the screen appeared
	// ticking is the interval the ticker calling CheckScan runs at, and
	// stop stops it; 0 and nil when none runs.
	ticking time.Duration
	stop    context.CancelFunc
}

// followScanning starts, stops or retimes the ticker that moves the ring,
// to match the settings: staff turn scanning on and off in staff mode
// without a restart. Only a running kiosk has a ticker; tests call
// CheckScan themselves.
func (k *Kiosk) followScanning() {
	want := time.Duration(0)
	if k.running && k.Scanning {
		// A tenth of the interval: the ring moves on time, give or take.
		want = max(k.ScanEvery/10, 20*time.Millisecond)
	}
	if want == k.scan.ticking {
		return
	}
	if k.scan.stop != nil {
		k.scan.stop()
		k.scan.stop = nil
	}
	k.scan.ticking = want
	if want > 0 {
		var ctx context.Context
		ctx, k.scan.stop = context.WithCancel(k.ctx)
		k.every(ctx, want, k.CheckScan)
	}
}

// ScanTick is the interval at which the running kiosk checks whether the
// scanning ring must move; 0 when it does not (scanning off, or Run not
// called).
func (k *Kiosk) ScanTick() time.Duration { return k.scan.ticking }

// CheckScan moves the ring to the next control once ScanEvery has passed
// since it last moved, the screen appeared or the switch was pressed.
// Run calls it; tests call it themselves after moving their clock.
func (k *Kiosk) CheckScan() {
	if !k.Scanning || k.staff != nil || k.screen == nil {
		return
	}
	now := k.deps.Now()
	if k.scan.screen != k.screen {
		// A new screen (or one given back): the ring starts afresh.
		k.scan.screen, k.scan.moved = k.screen, now
		return
	}
	if now.Sub(k.scan.moved) < k.ScanEvery {
		return
	}
	k.scan.moved = now
	// Not a touch: a person who has gone still gets "are you still
	// there?" all the same.
	k.screen.moveFocus(1)
}

// switchPressed is any key in scanning mode: the control under the ring
// acts. Before the ring reaches one, the press does nothing.
func (k *Kiosk) switchPressed() {
	s := k.screen
	if s == nil || s.focus == nil || s.focus.Disabled() {
		return
	}
	k.scan.moved = k.deps.Now() // the person sees what their press did
	s.focus.act()
}
