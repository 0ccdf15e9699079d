//go:build !(linux && cgo)

package ui

// trimC does nothing: only glibc is asked to give back what it holds.
func trimC() {}
