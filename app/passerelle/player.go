package passerelle

import (
	"context"
	"time"
)

// Prompt is something the kiosk says: a recording when staff made one,
// otherwise the text, synthesised offline.
type Prompt struct {
	Text      string
	Lang      Lang
	Recording string // path of a recorded file, or ""
}

// Player speaks prompts.
type Player interface {
	// Play stops whatever is playing and plays prompts one after the
	// other. It returns once the first has started (or failed to), not
	// when they end.
	Play(ctx context.Context, prompts ...Prompt) error
	// Stop silences the kiosk.
	Stop()
	// Prepare renders the speech of prompts ahead of time, so that no
	// synthesis happens while a user waits. It may return before the
	// work is done.
	Prepare(prompts []Prompt)
}

// Played is what a player played, as a null sink records it for tests.
type Played struct {
	Prompt   Prompt
	Source   string // the file played: the recording or the synthesised speech
	Duration time.Duration
	At       time.Time
}

// SoundOutput is where the kiosk's prompts are heard now.
type SoundOutput struct {
	// Headphones is true when they go to the headphones staff named:
	// only the person wearing them hears.
	Headphones bool
	// Says tells staff in plain words which output plays and why.
	Says string
}
