package codecache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"unsafe"
)

// mapThreshold: entries at least this large are mapped rather than read
// (GetMapped, Map); smaller ones cost less to read than to map and unmap.
const mapThreshold = 256 << 10

// PayloadOffset is where an entry's payload starts in its file (after the
// header). A payload that wants part of itself on a page boundary of the
// file (Mapped.FileRange: a linked image whose pages are mapped straight
// from the entry) pads itself by this much.
const PayloadOffset = headerSize

// GetMapped is Get for large payloads read once: the entry's file is
// mapped read-only (MAP_POPULATE: the page cache's pages, no copy into
// fresh heap pages) and verified in place. The payload is valid until
// release is called; it must not be written. Errors are Get's.
func (c *Cache) GetMapped(k Key) (payload []byte, release func(), err error) {
	m, err := c.Map(k)
	if err != nil {
		return nil, nil, err
	}
	return m.Payload, func() { m.Close() }, nil
}

// Mapped is an entry returned by Map: its verified payload, and, when the
// entry was mapped (not read), its open file, so that a caller can map
// parts of the payload again elsewhere (FileRange) instead of copying
// them.
type Mapped struct {
	// Payload is the entry's payload: valid until Close; it must not be
	// written.
	Payload []byte
	data    []byte   // the whole file's mapping (nil: Payload was read)
	f       *os.File // open while mapped
}

// Map is GetMapped that also keeps the entry's file open (see Mapped):
// a payload of at least 256 KiB is the file's read-only mapping, verified
// in place; a smaller one is read. Close releases it. Errors are Get's.
func (c *Cache) Map(k Key) (*Mapped, error) {
	p := c.path(k)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("codecache: reading %s: %w", p, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("codecache: reading %s: %w", p, err)
	}
	read := func() (*Mapped, error) {
		f.Close()
		data, err := c.Get(k)
		if err != nil {
			return nil, err
		}
		return &Mapped{Payload: data}, nil
	}
	if fi.Size() < mapThreshold || fi.Size() > 1<<40 {
		return read()
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err != nil {
		return read() // no mmap here: read it
	}
	payload, reason := verify(k, data)
	if reason != "" {
		syscall.Munmap(data)
		f.Close()
		os.Remove(p)
		return nil, &CorruptEntryError{Path: p, Reason: reason}
	}
	c.touch(p, fi.ModTime())
	return &Mapped{Payload: payload, data: data, f: f}, nil
}

// FileRange says where b, a part of m.Payload, lies in the entry's file:
// the file's descriptor (valid until Close) and b's offset in it. ok is
// false when the entry was read rather than mapped, or b is not within
// the payload. Entries are replaced by renaming, never rewritten in
// place, so the file's content is the verified payload for as long as it
// is open (short of another process writing into the cache's files).
func (m *Mapped) FileRange(b []byte) (fd uintptr, off int64, ok bool) {
	if m == nil || m.f == nil || len(b) == 0 {
		return 0, 0, false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(m.data)))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	if at < start+PayloadOffset || at-start > uintptr(len(m.data)) || uintptr(len(b)) > uintptr(len(m.data))-(at-start) {
		return 0, 0, false
	}
	return m.f.Fd(), int64(at - start), true
}

// Close releases the mapping and the file; Payload is invalid after it.
// It is safe to call more than once.
func (m *Mapped) Close() error {
	var err error
	if m.data != nil {
		err = syscall.Munmap(m.data)
		m.data = nil
	}
	if m.f != nil {
		if cerr := m.f.Close(); err == nil {
			err = cerr
		}
		m.f = nil
	}
	m.Payload = nil
	return err
}
