package audio

import "testing"

// TestSoundEvent checks which of the sound server's events make the
// router look again: sinks and streams coming and going, not its own
// moves (changes), nor the rest.
func TestSoundEvent(t *testing.T) {
	cases := []struct {
		name, line string
		want       bool
	}{
		{"a sink plugged in", "Event 'new' on sink #4", true},
		{"a sink unplugged", "Event 'remove' on sink #3", true},
		{"a stream opened", "Event 'new' on sink-input #7", true},
		{"a stream closed", "Event 'remove' on sink-input #7", true},
		{"a stream moved (the router's own move)", "Event 'change' on sink-input #7", false},
		{"a sink's volume", "Event 'change' on sink #4", false},
		{"a sink's monitor", "Event 'new' on source #4", false},
		{"a client", "Event 'new' on client #17", false},
		{"a module", "Event 'remove' on module #5", false},
		{"not an event", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := soundEvent(tc.line); got != tc.want {
				t.Errorf("soundEvent(%q) = %v, want %v", tc.line, got, tc.want)
			}
		})
	}
}
