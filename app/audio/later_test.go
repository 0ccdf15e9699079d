package audio

import (
	"testing"
	"time"
)

func TestLaterSink(t *testing.T) {
	t.Run("once open, a sink as its device", func(t *testing.T) {
		testSink(t, func(t *testing.T) Sink {
			l := openLater(func() Sink { return NewNullSink(1) })
			<-l.Opened()
			return l
		})
	})

	// openSlowly returns a LaterSink whose null device opens when the
	// returned func is called.
	openSlowly := func(t *testing.T) (*LaterSink, *NullSink, func()) {
		t.Helper()
		device, open := NewNullSink(1), make(chan struct{})
		l := openLater(func() Sink { <-open; return device })
		t.Cleanup(func() { l.Close() })
		return l, device, func() {
			close(open)
			select {
			case <-l.Opened():
			case <-time.After(5 * time.Second):
				t.Fatal("the device never opened")
			}
		}
	}
	t.Run("a sound started before the device opens plays once it does", func(t *testing.T) {
		l, _, open := openSlowly(t)
		first, last := newTone(t, 10*time.Second), newTone(t, 300*time.Millisecond)
		close(first.forbid)
		for _, tn := range []*tone{first, last} {
			if err := l.Start(tn.sound("prompt")); err != nil {
				t.Fatal(err)
			}
		}
		open()
		waitRead(t, last)
	})
	t.Run("a sound stopped before the device opens is never played", func(t *testing.T) {
		l, device, open := openSlowly(t)
		tn := newTone(t, 300*time.Millisecond)
		close(tn.forbid)
		if err := l.Start(tn.sound("prompt")); err != nil {
			t.Fatal(err)
		}
		l.Stop()
		open()
		if got := device.Records(); len(got) != 0 {
			t.Fatalf("the device played %v", got)
		}
	})
	t.Run("closed before the device opens, the device is closed once open", func(t *testing.T) {
		l, device, open := openSlowly(t)
		l.Close()
		if err := l.Start(newTone(t, time.Second).sound("prompt")); err == nil {
			t.Fatal("a closed sink took a sound")
		}
		open()
		if err := device.Start(newTone(t, time.Second).sound("prompt")); err == nil {
			t.Fatal("the device was left open")
		}
	})
}
