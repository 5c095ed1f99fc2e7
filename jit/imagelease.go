package jit

import (
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"github.com/gorc-jit/gorc/codecache"
)

// A replay that mapped a cache entry's pages (mapImageContent), or left
// its code table in the entry's file (lazyCode), depends on the file
// staying as it was verified. The cache never writes an entry in place,
// but another process may (a truncated file's mapped pages fault with
// SIGBUS when the program next reaches them; rewritten ones change under
// it). codecache.Map takes a read lease on the entry's open file: a
// process that opens it for writing or truncates it waits until every
// descriptor of that open file is closed, and this process gets
// codecache.LeaseSignal (a real-time signal, so that a JIT'd program that
// handles or ignores SIGIO itself does not leave the break unanswered).
// The replay keeps a duplicate descriptor (imageLease.fd) open, so the
// lease outlives the entry's Close; on that signal the watcher moves anonymous
// copies of the mapped pages over them (privatize: the bytes as the
// program sees them, fixups included, with their protections; a
// truncation would discard even a private mapping's copied-on-write
// pages), reads the code tables still in the file, and closes the
// descriptors: then the writer goes ahead and the program never
// notices. Only read-only pieces are mapped (mapImageContent copies the
// writable ones), so no store of the running program can fall between
// the copy and the move.

// imageLease is one replay's hold on its entry's file.
type imageLease struct {
	j      *JIT
	fd     int      // a duplicate of the entry's descriptor: holds the lease
	mapped [][]byte // the pieces mapped from the file (nil: copied)
}

var leases struct {
	mu    sync.Mutex
	held  map[*imageLease]bool
	watch sync.Once
}

// procMem is /proc/self/mem, read whatever a page's protection (even
// execute-only), or nil where there is none.
var procMem = sync.OnceValue(func() *os.File {
	// (Not os.Open: no poller registration, which a file read with
	// ReadAt does not need: codecache.OpenRead.)
	f, err := codecache.OpenRead("/proc/self/mem")
	if err != nil {
		return nil
	}
	return f
})

// canLeaseMap reports whether a lease break can be answered by moving
// copies over the mapped pages (mapImageContent maps a file only then).
func canLeaseMap() bool { return procMem() != nil }

// holdLease keeps a duplicate of fd open for j, mapped being the pieces
// mapped from it (nil when none were), and answers the lease's break. It
// reports false, holding nothing, when fd cannot be duplicated (the
// caller then must not depend on the file after its Close).
func (j *JIT) holdLease(fd uintptr, mapped [][]byte) bool {
	d, err := dupCloexec(fd)
	if err != nil {
		return false
	}
	l := &imageLease{j: j, fd: d, mapped: mapped}
	leases.watch.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, codecache.LeaseSignals()...)
		go func() {
			for range ch {
				checkLeases()
			}
		}()
	})
	leases.mu.Lock()
	if leases.held == nil {
		leases.held = map[*imageLease]bool{}
	}
	leases.held[l] = true
	leases.mu.Unlock()
	// A break that came before the lease was held here had its signal
	// (if any) find nothing to do.
	checkLeases()
	return true
}

// checkLeases answers every lease being broken.
func checkLeases() {
	leases.mu.Lock()
	defer leases.mu.Unlock()
	for l := range leases.held {
		if codecache.LeaseBroken(uintptr(l.fd)) {
			l.release(true)
			delete(leases.held, l)
		}
	}
}

// release stops depending on the file (leases.mu held): with detach, the
// mapped pages become private copies and the code tables in the file are
// read; then the descriptor is closed.
func (l *imageLease) release(detach bool) {
	if detach {
		privatize(l.mapped)
		l.j.syms.loadLazyFiles()
	}
	syscall.Close(l.fd)
	l.fd = -1
}

// privatize puts anonymous memory with the same bytes and protections
// in place of each of the ranges mapped from a file, one mapping (as
// /proc/self/maps lists them) at a time: a copy read through
// /proc/self/mem (whatever the protection) into fresh memory, protected
// as the original, then moved over it (mremap, MREMAP_FIXED: the old
// mapping goes and the new one appears in one step, so a running thread
// sees the same bytes throughout). A step that fails leaves that mapping
// as it was.
func privatize(ranges [][]byte) {
	if len(ranges) == 0 {
		return
	}
	f := procMem()
	if f == nil {
		return
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	vmas := parseMaps(maps)
	for _, r := range ranges {
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(r)))
		hi := lo + uintptr(len(r))
		for _, v := range vmas {
			a, b := max(v.start, lo), min(v.end, hi)
			if a >= b || !v.file {
				continue
			}
			moveAnon(f, a, b-a, v.prot)
		}
	}
}

// moveAnon replaces [addr, addr+n) (one mapping) by an anonymous copy with
// protection prot.
func moveAnon(mem *os.File, addr, n uintptr, prot int) {
	tmp, err := syscall.Mmap(-1, 0, int(n), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		return
	}
	if r, err := mem.ReadAt(tmp, int64(addr)); err != nil || r != len(tmp) {
		syscall.Munmap(tmp)
		return
	}
	t := uintptr(unsafe.Pointer(unsafe.SliceData(tmp)))
	if err := syscall.Mprotect(tmp, prot); err != nil {
		syscall.Munmap(tmp)
		return
	}
	const mremapMaymove, mremapFixed = 1, 2
	if _, _, e := syscall.Syscall6(syscall.SYS_MREMAP, t, n, n, mremapMaymove|mremapFixed, addr, 0); e != 0 {
		syscall.Munmap(tmp)
	}
}

// mapping is a line of /proc/self/maps: its range, protection and
// whether a file (an inode) backs it.
type mapping struct {
	start, end uintptr
	prot       int
	file       bool
}

// parseMaps parses /proc/self/maps ("start-end perms offset dev inode
// path").
func parseMaps(b []byte) []mapping {
	var out []mapping
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		se := strings.SplitN(f[0], "-", 2)
		if len(se) != 2 || len(f[1]) < 3 {
			continue
		}
		s, err1 := strconv.ParseUint(se[0], 16, 64)
		e, err2 := strconv.ParseUint(se[1], 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		m := mapping{start: uintptr(s), end: uintptr(e), file: f[4] != "0"}
		if f[1][0] == 'r' {
			m.prot |= syscall.PROT_READ
		}
		if f[1][1] == 'w' {
			m.prot |= syscall.PROT_WRITE
		}
		if f[1][2] == 'x' {
			m.prot |= syscall.PROT_EXEC
		}
		out = append(out, m)
	}
	return out
}

// dropLeases releases j's leases (the JIT is closing; before its images'
// memory is freed, which nothing may write into afterwards).
func (j *JIT) dropLeases() {
	leases.mu.Lock()
	defer leases.mu.Unlock()
	for l := range leases.held {
		if l.j == j {
			l.release(false)
			delete(leases.held, l)
		}
	}
}
