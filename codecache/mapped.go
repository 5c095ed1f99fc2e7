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
	leased  bool     // f holds a read lease (FileRange)
}

// Map is GetMapped that also keeps the entry's file open (see Mapped):
// a payload of at least 256 KiB is the file's read-only mapping, verified
// in place, under a read lease (FileRange); a smaller one, or one whose
// file cannot be leased, is read. Close releases it. Errors are Get's.
func (c *Cache) Map(k Key) (*Mapped, error) {
	p := c.path(k)
	f, err := OpenRead(p)
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
	// A read lease, taken before the file is verified, holds off any
	// process that opens the file for writing or truncates it (the
	// kernel makes it wait, for up to /proc/sys/fs/lease-break-time, and
	// signals the holder) for as long as a descriptor of this open file
	// stays open: FileRange hands the file out only under it (a
	// truncated file's mapped pages fault with SIGBUS; rewritten ones
	// change under the program).
	// Without one (see takeReadLease) the entry is read: a mapping of a
	// file that shrinks under it faults (SIGBUS) where Go reads it.
	if !takeReadLease(f) {
		return read()
	}
	// The payload is mapped through a second open file, without a lease
	// (checked to be the same file: the name may have been replaced
	// since): a mapping holds its open file, and with it that file's
	// lease, until it is unmapped, so a mapping of f would keep a writer
	// waiting for as long as the payload stays mapped, even after Close
	// of every descriptor (CloseFile). The lease on f still holds
	// writers off while the payload is verified and read, and for as
	// long as FileRange's users keep f's descriptor (or mappings of it).
	mf, err := OpenRead(p)
	if err != nil {
		return read()
	}
	defer mf.Close() // the mapping outlives it
	if mfi, err := mf.Stat(); err != nil || !os.SameFile(fi, mfi) {
		return read()
	}
	data, err := syscall.Mmap(int(mf.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
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
	return &Mapped{Payload: payload, data: data, f: f, leased: true}, nil
}

// LeaseSignal is the signal a lease break sends this process
// (F_SETSIG): a real-time one, not SIGIO, the kernel's default, which a
// JIT'd C program may handle or ignore itself (its sigaction replaces Go's
// handler; the break then went unanswered, and a writer waited
// /proc/sys/fs/lease-break-time, 45 s, before truncating the mapped
// pages under it). Real-time signals from SIGRTMIN (34 with glibc, which
// keeps 32 and 33) are the ones programs and libraries claim, timers
// first, and SIGRTMAX (64): this is SIGRTMIN+16. Where F_SETSIG fails, a
// break still sends SIGIO: watch both (LeaseSignals).
const LeaseSignal = syscall.Signal(50)

// LeaseSignals are the signals a holder of a lease (FileRange's
// descriptor kept open) must watch, with signal.Notify, for LeaseBroken.
func LeaseSignals() []os.Signal { return []os.Signal{LeaseSignal, syscall.SIGIO} }

// takeReadLease takes a read lease on f (F_SETLEASE), lease breaks
// signalled to this process (LeaseSignal, F_SETOWN). It fails, taking none,
// where leases are not to be had: another process has the file open for
// writing, the file is not this user's, a file system without leases
// (NFS), leases disabled (/proc/sys/fs/leases-enable).
func takeReadLease(f *os.File) bool {
	fd := f.Fd()
	if _, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETOWN, uintptr(syscall.Getpid())); e != 0 {
		return false
	}
	const fSetsig = 10                                                    // F_SETSIG (not in package syscall)
	syscall.Syscall(syscall.SYS_FCNTL, fd, fSetsig, uintptr(LeaseSignal)) // (fails: SIGIO)
	_, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETLEASE, syscall.F_RDLCK)
	return e == 0
}

// LeaseBroken reports whether the read lease on the open file of fd (a
// descriptor FileRange gave, or a duplicate of it) is being broken: a
// process waits to write or truncate the file, and gets to when every
// descriptor of that open file is closed. On a lease break the process
// receives LeaseSignal (SIGIO where F_SETSIG failed).
func LeaseBroken(fd uintptr) bool {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETLEASE, 0)
	return e != 0 || r != syscall.F_RDLCK
}

// FileRange says where b, a part of m.Payload, lies in the entry's file:
// the file's descriptor (valid until Close) and b's offset in it. ok is
// false when the entry was read rather than mapped, when no read lease
// could be taken on it, or when b is not within the payload.
//
// The descriptor's open file holds a read lease, taken before the entry
// was verified: while any descriptor of it (a duplicate, too) is open,
// no process can write or truncate the file without first waiting for
// it to be closed (the cache itself never does either: entries are
// replaced by renaming and trimmed by unlinking, which a lease does not
// hold off and a mapping survives). A holder that keeps a duplicate
// open past Close must watch for LeaseSignals, check LeaseBroken, and then stop
// depending on the file and close it: the writer waits for that (and
// goes ahead anyway after /proc/sys/fs/lease-break-time, 45 s by
// default).
func (m *Mapped) FileRange(b []byte) (fd uintptr, off int64, ok bool) {
	if m == nil || m.f == nil || !m.leased || len(b) == 0 {
		return 0, 0, false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(m.data)))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	if at < start+PayloadOffset || at-start > uintptr(len(m.data)) || uintptr(len(b)) > uintptr(len(m.data))-(at-start) {
		return 0, 0, false
	}
	return m.f.Fd(), int64(at - start), true
}

// CloseFile closes the entry's file (and with it, unless FileRange's
// users hold a duplicate or a mapping of it, its lease) but leaves the
// payload mapped, for a process about to end: the kernel unmaps it at
// exit with the rest of the address space, where munmap now would wait
// for every other CPU running one of this process's threads to flush
// its TLB (0.08-0.23 ms for a 1.4 MB entry under strace at load 28,
// milliseconds when such a CPU is busy with another process). The
// mapping holds no lease (Map maps the payload through a file of its
// own), so a writer no longer waits for it; after CloseFile the payload
// must not be read (a file truncated meanwhile faults with SIGBUS past
// its new end). Close still unmaps; both are safe to call more than
// once.
func (m *Mapped) CloseFile() error {
	if m.f == nil {
		return nil
	}
	err := m.f.Close()
	m.f = nil
	return err
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
