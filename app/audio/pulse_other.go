//go:build !linux || !cgo

package audio

// keepPulseStream does nothing: ALSA's pulse plugin is Linux's.
func keepPulseStream() {}
