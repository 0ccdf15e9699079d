package ui

import (
	"runtime/debug"
	"time"
)

// releaseAfter is how long the welcome screen waits, after a person
// leaves, before the kiosk gives back the memory their walk used: long
// enough for the welcome screen to be drawn first, and the textures of the
// screens gone to be freed at its frames (freeTextures).
const releaseAfter = 3 * time.Second

// releaseMemorySoon gives the memory of the walk that ended back to the
// system once welcome shows. Go and the C allocator (where Mesa keeps
// textures when there is no graphics card) keep what they freed for the
// next allocations: after a day of walks the kiosk would hold what its
// busiest minute needed. Only if welcome is still on screen then (a
// collection must not slow the next person's touches), off the UI
// goroutine, and only in a running kiosk: tests show welcome hundreds of
// times. A release after Close is harmless.
func (k *Kiosk) releaseMemorySoon() {
	if !k.running {
		return
	}
	if k.release != nil {
		k.release.Reset(releaseAfter)
		return
	}
	k.release = time.AfterFunc(releaseAfter, func() {
		if k.onWelcome.Load() {
			ReleaseMemory()
		}
	})
}

// ReleaseMemory returns to the system what Go and C have freed.
func ReleaseMemory() {
	debug.FreeOSMemory()
	trimC()
}
