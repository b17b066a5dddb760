package match

import "syscall"

// canMap says that tables are mapped outside the Go heap here.
const canMap = true

// mapAnon maps size bytes of private memory, zeroed.
func mapAnon(size int) ([]byte, error) {
	return syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
}

// munmapAnon gives back memory from mapAnon.
func munmapAnon(b []byte) error { return syscall.Munmap(b) }
