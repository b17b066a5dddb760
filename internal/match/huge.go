package match

import "unsafe"

// hugePage is the size of a transparent huge page on the platforms Liaison
// runs on.
const hugePage = 2 << 20

// makeHuge is make([]T, n, c), its memory advised to be backed by huge
// pages when it is large (adviseHuge).
func makeHuge[T any](n, c int) []T {
	s := make([]T, n, c)
	if c > 0 {
		var z T
		adviseHuge(unsafe.Pointer(unsafe.SliceData(s)), uintptr(c)*unsafe.Sizeof(z))
	}
	return s
}
