//go:build !linux

package memmgr

// populate does nothing where MADV_POPULATE_WRITE does not exist.
func populate(b []byte) {}
