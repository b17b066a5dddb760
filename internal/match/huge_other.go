//go:build !linux

package match

import "unsafe"

// adviseHuge does nothing where huge pages are not asked for (see
// huge_linux.go).
func adviseHuge(p unsafe.Pointer, size uintptr) {}
