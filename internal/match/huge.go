package match

import "unsafe"

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
