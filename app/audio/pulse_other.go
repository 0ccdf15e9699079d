//go:build !linux || !cgo

package audio

// keepPulseStream does nothing where there is no ALSA: whether a device
// suspended plays again at once is not known.
func keepPulseStream() (quickResume bool) { return false }
