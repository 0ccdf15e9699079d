package ui_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

// withHeadphones makes the kiosk's sound go to headphones, or not.
func withHeadphones(on bool) func(*ui.Deps) {
	return func(d *ui.Deps) {
		d.SoundOutput = func() passerelle.SoundOutput { return passerelle.SoundOutput{Headphones: on} }
	}
}

// heardLevel says the step's prompt again with the listen control and
// returns the RMS of what the null sink sent to the device for it.
func (r *rig) heardLevel() float64 {
	r.t.Helper()
	r.tap(r.k.Screen().Listen)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.sink.Wait(ctx); err != nil {
		r.t.Fatal("the prompt never ended")
	}
	say := r.k.Session().Step().Say[r.k.Lang()]
	records := r.sink.Records()
	for i := len(records) - 1; i >= 0; i-- {
		if records[i].Prompt.Text == say {
			return records[i].RMS()
		}
	}
	r.t.Fatalf("the sink never played %q", say)
	return 0
}

// lastSaid is the last thing the kiosk asked the player to say.
func (r *rig) lastSaid() string {
	said := r.asked.since(0)
	return said[len(said)-1].Text
}

// toFirstStep starts create-email in English by touch.
func (r *rig) toFirstStep() {
	r.t.Helper()
	r.tap(r.k.Screen().Start)
	r.tap(r.k.Screen().Tile("en"))
	r.tap(r.k.Screen().Next)
	for r.k.Screen().Tile("create-email") == nil {
		r.tap(r.k.Screen().NextPage)
	}
	r.tap(r.k.Screen().Tile("create-email"))
	r.tap(r.k.Screen().Next)
}

// TestPersonChangesTheVolume: the person at the kiosk turns the volume
// down and up with - and +, and with the bar's volume control by touch
// and by the keys' ring; each change says its step at the new volume,
// as the null sink measures it. The loudest step is the staff's volume
// on the loudspeakers, full in headphones; the next person starts at
// the staff's volume again.
func TestPersonChangesTheVolume(t *testing.T) {
	requireEspeak(t)
	cases := []struct {
		name       string
		staff      float64
		headphones bool
		top        float64 // the loudest step
	}{
		{"loudspeakers at full: down only", 1, false, 1},
		{"loudspeakers at half: never louder than staff allow", 0.5, false, 0.5},
		{"headphones: up to full, only the person hears", 0.5, true, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRigWith(t, openCatalog(t, shipped), audio.NewSpeech(speechCache, ""),
				slog.New(slog.NewTextHandler(io.Discard, nil)), withHeadphones(tc.headphones))
			r.k.Volume = tc.staff
			r.player.SetVolume(tc.staff)
			r.toFirstStep()
			staffLevel := r.heardLevel()
			if staffLevel == 0 {
				t.Fatal("the prompt was silent at the staff's volume")
			}
			// near reports whether the prompt is heard at volume v.
			near := func(got, v float64) bool { return math.Abs(got-staffLevel*v/tc.staff) <= 0.02*staffLevel*v/tc.staff }
			step := func(n int) float64 { return tc.top * float64(n) / 5 }

			r.press(fyne.KeyMinus)
			r.press(fyne.KeyMinus)
			start := 5 // the staff's volume is the loudest step
			if tc.top != tc.staff {
				start = 3 // in headphones, 0.5 is as near 0.6 (3 of 5) as 0.4: the louder
			}
			want := start - 2
			if got := r.lastSaid(); got != "Volume "+itoa(want)+" of 5." {
				t.Errorf("after - twice: said %q, want step %d", got, want)
			}
			if got := r.player.Volume(); math.Abs(got-step(want)) > 1e-9 {
				t.Errorf("after - twice: volume %v, want %v", got, step(want))
			}
			if got := r.heardLevel(); !near(got, step(want)) {
				t.Errorf("after - twice: heard at RMS %.4f, want %.4f", got, staffLevel*step(want)/tc.staff)
			}
			for range 6 { // more than there are steps
				r.press(fyne.KeyPlus)
			}
			if got := r.player.Volume(); math.Abs(got-tc.top) > 1e-9 {
				t.Errorf("+ at the loudest: volume %v, want %v", got, tc.top)
			}
			if got := r.lastSaid(); got != "Volume 5 of 5." {
				t.Errorf("+ at the loudest said %q", got)
			}
			// The bar's control: one step louder, from the loudest round
			// to the quietest, by touch and by the ring.
			r.tap(r.k.Screen().Volume)
			if got := r.player.Volume(); math.Abs(got-step(1)) > 1e-9 {
				t.Errorf("the control at the loudest: volume %v, want the quietest %v", got, step(1))
			}
			// + and - do not move the ring: its first move on this
			// screen still says how many controls there are.
			delete(r.keyed, r.k.Screen())
			r.keyTo(r.k.Screen().Volume)
			r.press(fyne.KeyReturn)
			if got := r.lastSaid(); got != "Volume 2 of 5." {
				t.Errorf("the control by keys said %q", got)
			}
			if got := r.heardLevel(); !near(got, step(2)) {
				t.Errorf("after the control: heard at RMS %.4f, want %.4f", got, staffLevel*step(2)/tc.staff)
			}

			// The session ends: the next person hears the staff's volume.
			r.tap(r.k.Screen().Home)
			r.tap(r.k.Screen().Yes)
			if r.where() != ui.ScreenWelcome {
				t.Fatalf("home then yes led to %s", r.where())
			}
			if got := r.player.Volume(); got != tc.staff {
				t.Errorf("the next person: volume %v, want the staff's %v", got, tc.staff)
			}
			r.toFirstStep()
			if got := r.heardLevel(); !near(got, tc.staff) {
				t.Errorf("the next person heard RMS %.4f, want %.4f", got, staffLevel)
			}
		})
	}
}

// TestHeadphonesUnpluggedTheVolumeFalls: a person at full volume in
// headphones unplugs them; the next prompt on the loudspeakers is at the
// same step of the staff's volume, never at full.
func TestHeadphonesUnpluggedTheVolumeFalls(t *testing.T) {
	headphones := true
	r := newRigWith(t, openCatalog(t, shipped), audio.NewSpeech(speechCache, ""),
		slog.New(slog.NewTextHandler(io.Discard, nil)), func(d *ui.Deps) {
			d.SoundOutput = func() passerelle.SoundOutput { return passerelle.SoundOutput{Headphones: headphones} }
		})
	r.k.Volume = 0.5
	r.player.SetVolume(0.5)
	r.toFirstStep()
	for range 5 {
		r.press(fyne.KeyPlus)
	}
	if got := r.player.Volume(); got != 1 {
		t.Fatalf("in headphones, the loudest is %v, want 1", got)
	}
	headphones = false
	r.tap(r.k.Screen().Listen)
	if got := r.player.Volume(); got != 0.5 {
		t.Errorf("unplugged, the next prompt plays at %v, want the staff's 0.5", got)
	}
}

// requireEspeak skips the test where espeak-ng is not installed, except
// in CI, where it must be: the levels are those of real speech.
func requireEspeak(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("espeak-ng is not installed")
		}
		tb.Skip("espeak-ng is not installed")
	}
}

func itoa(n int) string { return string(rune('0' + n)) }

// TestStaffVolumeByKeys: the staff's volume slider is in the toolkit's
// focus chain (Tab reaches it) and the arrow keys move it; saved, it is
// the kiosk's volume.
func TestStaffVolumeByKeys(t *testing.T) {
	r := newStaffRig(t, t.TempDir()+"/kiosk.db", openCatalog(t, shipped), staffPIN, newClock())
	r.hold(3 * time.Second)
	r.typePIN(staffPIN)
	v := r.k.Staff()
	v.Tabs.SelectIndex(2) // Settings
	c := r.w.Canvas()
	for range 100 {
		c.FocusNext()
		if c.Focused() == v.Volume {
			break
		}
	}
	if c.Focused() != v.Volume {
		t.Fatal("Tab never reaches the volume slider")
	}
	before := v.Volume.Value
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	if got := v.Volume.Value; math.Abs(got-(before-0.1)) > 1e-9 {
		t.Fatalf("two left arrows moved the slider from %v to %v, want %v", before, got, before-0.1)
	}
	test.Tap(v.Save)
	if len(r.applied) == 0 || math.Abs(r.applied[len(r.applied)-1].Volume-(before-0.1)) > 1e-9 {
		t.Errorf("applied %+v, want volume %v", r.applied, before-0.1)
	}
}
