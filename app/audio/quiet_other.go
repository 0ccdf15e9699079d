//go:build !(linux && cgo)

package audio

// withoutDeviceNoise runs probe: only ALSA, on Linux, prints noise while the
// sound device is opened.
func withoutDeviceNoise(probe func()) { probe() }
