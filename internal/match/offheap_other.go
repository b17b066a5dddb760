//go:build !linux

package match

import "errors"

// canMap says that tables are ordinary Go memory here (see
// offheap_linux.go).
const canMap = false

func mapAnon(size int) ([]byte, error) { return nil, errors.New("not mapped on this platform") }

func munmapAnon(b []byte) error { return nil }
