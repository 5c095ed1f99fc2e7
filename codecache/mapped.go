package codecache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// mapThreshold: entries at least this large are mapped rather than read
// (GetMapped); smaller ones cost less to read than to map and unmap.
const mapThreshold = 256 << 10

// GetMapped is Get for large payloads read once: the entry's file is
// mapped read-only (MAP_POPULATE: the page cache's pages, no copy into
// fresh heap pages) and verified in place. The payload is valid until
// release is called; it must not be written. Errors are Get's.
func (c *Cache) GetMapped(k Key) (payload []byte, release func(), err error) {
	p := c.path(k)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("codecache: reading %s: %w", p, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("codecache: reading %s: %w", p, err)
	}
	if fi.Size() < mapThreshold || fi.Size() > 1<<40 {
		data, err := c.Get(k)
		return data, func() {}, err
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err != nil {
		data, err := c.Get(k) // no mmap here: read it
		return data, func() {}, err
	}
	release = func() { syscall.Munmap(data) }
	payload, reason := verify(k, data)
	if reason != "" {
		release()
		os.Remove(p)
		return nil, nil, &CorruptEntryError{Path: p, Reason: reason}
	}
	c.touch(p, fi.ModTime())
	return payload, release, nil
}
