//go:build linux && cgo

package ui

// #include <malloc.h>
import "C"

// trimC gives the pages glibc's allocator holds free back to the system:
// the GL textures Mesa allocated for screens gone.
func trimC() { C.malloc_trim(0) }
