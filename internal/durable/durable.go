// Package durable flushes files and folders to stable storage, so that a
// file written under a temporary name and then renamed is on disk, name
// included, before anyone is told it exists.
package durable

import "os"

// SyncFile flushes the file at path to disk.
func SyncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SyncDir flushes a folder's entries to disk, so that a rename in it
// survives a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
