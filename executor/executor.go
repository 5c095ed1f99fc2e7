package executor

/*
#cgo LDFLAGS: -ldl -lpthread
#include <stdlib.h>
#include "gorc_executor.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"github.com/gorc-jit/gorc/shared"
)

// Triple is the target triple of this executor.
const Triple = "x86_64-unknown-linux-gnu"

// DefaultStackSize is the stack size of the threads that run JIT'd code
// (main, void functions). Large, because C programs expect a main-thread
// sized stack; the memory is committed lazily.
const DefaultStackSize = 64 << 20

// Names of the executor's service wrapper functions, as found in
// [BootstrapSymbols]. Argument encodings are sequences of little-endian
// uint64 values; see docs/EXECUTOR.md.
const (
	// EHFrameRegisterName: (addr, size) of an .eh_frame section ending in a
	// zero terminator; registers it with libgcc's __register_frame.
	EHFrameRegisterName = "__gorc_eh_frame_register"
	// EHFrameDeregisterName: (addr, size); undoes EHFrameRegisterName.
	EHFrameDeregisterName = "__gorc_eh_frame_deregister"
	// RunInitializersName: (n, init..., m, fini...): registers the
	// finalizers with __cxa_atexit (they run at exit in the given order), then
	// calls each initializer as init(argc, argv, envp).
	RunInitializersName = "__gorc_run_initializers"
	// TLSSetImageName: (dst, src, size): copies a linked TLS image from
	// executor memory into a TLS block's initialization image.
	TLSSetImageName = "__gorc_tls_set_image"
	// EchoName: returns its argument; for tests and latency measurements.
	EchoName = "__gorc_echo"
)

// bootstrapNames lists the bootstrap symbols in the order gorc_bootstrap
// fills them in.
var bootstrapNames = []string{
	EHFrameRegisterName,
	EHFrameDeregisterName,
	RunInitializersName,
	TLSSetImageName,
	EchoName,
	"atexit",
	"at_quick_exit",
	"__dso_handle",
	"pthread_atfork",
	"__pthread_atfork",
	"__stack_chk_fail_local",
	LazyNamesName,
}

// RuntimeHelperNames are the bootstrap symbols that JIT'd code may
// reference directly: what a static link takes from libc_nonshared.a and
// dlsym cannot find in libc.so.6.
var RuntimeHelperNames = []string{"atexit", "at_quick_exit", "__dso_handle", "pthread_atfork", "__pthread_atfork", "__stack_chk_fail_local"}

var (
	bootOnce sync.Once
	bootSyms map[string]shared.ExecutorAddr
)

// BootstrapSymbols returns the executor's service wrapper functions and
// runtime helper symbols by name. The map is a fresh copy.
func BootstrapSymbols() map[string]shared.ExecutorAddr {
	bootOnce.Do(bootstrap)
	m := make(map[string]shared.ExecutorAddr, len(bootSyms))
	for k, v := range bootSyms {
		m[k] = v
	}
	return m
}

// bootstrap fills bootSyms (once, bootOnce); it is never changed after.
func bootstrap() {
	var out [16]C.uint64_t
	C.gorc_bootstrap(&out[0])
	bootSyms = make(map[string]shared.ExecutorAddr, len(bootstrapNames)+1)
	for i, n := range bootstrapNames {
		bootSyms[n] = shared.ExecutorAddr(out[i])
	}
	if a := Dlsym(0, "__tls_get_addr"); a != 0 {
		bootSyms["__tls_get_addr"] = a
	}
	bootSyms[ReentryName] = ReentryAddr()
	bootSyms[CallName] = callAddr()
	addModuleSymbols(bootSyms)
	debugBootstrap(bootSyms)
}

// PageSize returns the executor's page size.
func PageSize() uint64 { return uint64(os.Getpagesize()) }

// ---------------------------------------------------------------------
// memory

// MaxReservation is the largest single reservation (64 GiB).
const MaxReservation = 1 << 36

// ErrNotReserved is returned (wrapped) for memory operations on addresses
// outside every reservation.
var ErrNotReserved = errors.New("address range not inside a reservation")

type reservation struct {
	r    shared.ExecutorAddrRange
	low  bool
	prot []shared.MemProt // per page: what Protect last set (0 = no access)
	fd   int              // memfd backing a shared reservation, or -1
	// aliases are the read-write views of the dual-mapped blocks inside
	// the reservation (MapDual), unmapped with it; blocks[i] is the block
	// aliases[i] views.
	aliases []shared.ExecutorAddrRange
	blocks  []shared.ExecutorAddrRange
}

// dualAlias returns the address in a dual-mapped block's read-write alias
// of [addr, addr+n), or 0 if the range is not inside one block. memMu held.
func dualAlias(addr shared.ExecutorAddr, n uint64) shared.ExecutorAddr {
	res := findRes(addr, n)
	if res == nil {
		return 0
	}
	for i, b := range res.blocks {
		if b.Contains(addr) && uint64(addr)+n <= uint64(b.End) {
			return res.aliases[i].Start + (addr - b.Start)
		}
	}
	return 0
}

var (
	memMu        sync.Mutex
	reservations []reservation // sorted by start
)

// Reserve reserves size bytes of address space (rounded up to pages),
// inaccessible until Protect makes parts of it usable. With low set the
// range lies entirely below 2 GiB (for non-PIC small-code-model objects).
func Reserve(size uint64, low bool) (shared.ExecutorAddrRange, error) {
	ps := PageSize()
	if size == 0 {
		return shared.ExecutorAddrRange{}, fmt.Errorf("executor: reserve: zero size")
	}
	if size > MaxReservation {
		return shared.ExecutorAddrRange{}, fmt.Errorf("executor: reserve %#x bytes: too large", size)
	}
	size = (size + ps - 1) &^ (ps - 1)
	var addr C.uint64_t
	lowFlag := C.int(0)
	if low {
		lowFlag = 1
	}
	if e := C.gorc_mem_reserve(C.uint64_t(size), lowFlag, &addr); e != 0 {
		where := ""
		if low {
			where = " below 2 GiB"
		}
		return shared.ExecutorAddrRange{}, fmt.Errorf("executor: reserve %#x bytes%s: %w", size, where, syscall.Errno(e))
	}
	r := shared.ExecutorAddrRange{Start: shared.ExecutorAddr(addr), End: shared.ExecutorAddr(uint64(addr) + size)}
	addReservation(r, low)
	return r, nil
}

// ReserveAt is Reserve at a given page-aligned address (above 2 GiB), for
// a controller that placed code there before the executor had started
// (wire.OpReserve with an address). It fails, replacing nothing, when any
// of the range is already mapped.
func ReserveAt(addr shared.ExecutorAddr, size uint64) (shared.ExecutorAddrRange, error) {
	ps := PageSize()
	switch {
	case size == 0:
		return shared.ExecutorAddrRange{}, fmt.Errorf("executor: reserve at %v: zero size", addr)
	case size > MaxReservation:
		return shared.ExecutorAddrRange{}, fmt.Errorf("executor: reserve %#x bytes at %v: too large", size, addr)
	case uint64(addr)%ps != 0 || uint64(addr) < 1<<31 || uint64(addr)+size < uint64(addr) || uint64(addr)+size > 1<<47:
		return shared.ExecutorAddrRange{}, fmt.Errorf("executor: reserve %#x bytes at %v: not a page-aligned user address above 2 GiB", size, addr)
	}
	size = (size + ps - 1) &^ (ps - 1)
	if e := C.gorc_mem_reserve_at(C.uint64_t(addr), C.uint64_t(size)); e != 0 {
		return shared.ExecutorAddrRange{}, fmt.Errorf("executor: reserve %#x bytes at %v: %w", size, addr, syscall.Errno(e))
	}
	r := shared.ExecutorAddrRange{Start: addr, End: addr.Add(size)}
	addReservation(r, false)
	return r, nil
}

// addReservation records a new reservation.
func addReservation(r shared.ExecutorAddrRange, low bool) {
	ps := PageSize()
	size := r.Size()
	memMu.Lock()
	i := sort.Search(len(reservations), func(i int) bool { return reservations[i].r.Start > r.Start })
	reservations = append(reservations, reservation{})
	copy(reservations[i+1:], reservations[i:])
	reservations[i] = reservation{r: r, low: low, prot: make([]shared.MemProt, size/ps), fd: -1}
	memMu.Unlock()
}

// ReserveShared is Reserve backed by a memfd mapped MAP_SHARED: another
// mapping of the same file (the controller's, through SharedMemoryPath)
// sees and writes the same pages, so code can be written without copying
// it through a stream. Protect, Decommit and Release work as for Reserve.
func ReserveShared(size uint64, low bool) (shared.ExecutorAddrRange, error) {
	ps := PageSize()
	if size == 0 || size > MaxReservation {
		return shared.ExecutorAddrRange{}, fmt.Errorf("executor: reserve shared %#x bytes: bad size", size)
	}
	size = (size + ps - 1) &^ (ps - 1)
	var addr C.uint64_t
	var fd C.int
	lowFlag := C.int(0)
	if low {
		lowFlag = 1
	}
	if e := C.gorc_mem_reserve_shared(C.uint64_t(size), lowFlag, &addr, &fd); e != 0 {
		return shared.ExecutorAddrRange{}, fmt.Errorf("executor: reserve shared %#x bytes: %w", size, syscall.Errno(e))
	}
	r := shared.ExecutorAddrRange{Start: shared.ExecutorAddr(addr), End: shared.ExecutorAddr(uint64(addr) + size)}
	memMu.Lock()
	i := sort.Search(len(reservations), func(i int) bool { return reservations[i].r.Start > r.Start })
	reservations = append(reservations, reservation{})
	copy(reservations[i+1:], reservations[i:])
	reservations[i] = reservation{r: r, low: low, prot: make([]shared.MemProt, size/ps), fd: int(fd)}
	memMu.Unlock()
	return r, nil
}

// ReserveSharedAt is ReserveShared over a memfd the controller created
// and this process inherited (fd, see ShmFDEnv), mapped exactly at addr
// with MAP_FIXED_NOREPLACE, never replacing a mapping: the controller
// placed it and wrote code into it before this executor had started. The
// descriptor becomes close-on-exec and the reservation's (Release closes
// it); on failure it is closed.
func ReserveSharedAt(fd int, addr shared.ExecutorAddr, size uint64) (shared.ExecutorAddrRange, error) {
	ps := PageSize()
	switch {
	case fd < 0:
		return shared.ExecutorAddrRange{}, fmt.Errorf("executor: reserve shared at %v: bad descriptor %d", addr, fd)
	case size == 0 || size > MaxReservation:
		C.gorc_close_fd(C.int(fd))
		return shared.ExecutorAddrRange{}, fmt.Errorf("executor: reserve shared %#x bytes at %v: bad size", size, addr)
	case uint64(addr)%ps != 0 || uint64(addr) < 1<<31 || uint64(addr)+size < uint64(addr) || uint64(addr)+size > 1<<47:
		C.gorc_close_fd(C.int(fd))
		return shared.ExecutorAddrRange{}, fmt.Errorf("executor: reserve shared %#x bytes at %v: not a page-aligned user address above 2 GiB", size, addr)
	}
	size = (size + ps - 1) &^ (ps - 1)
	if e := C.gorc_mem_reserve_shared_at(C.int(fd), C.uint64_t(addr), C.uint64_t(size)); e != 0 {
		C.gorc_close_fd(C.int(fd))
		err := error(syscall.Errno(e))
		if syscall.Errno(e) == syscall.ERANGE {
			err = fmt.Errorf("the inherited memfd is smaller than that")
		}
		return shared.ExecutorAddrRange{}, fmt.Errorf("executor: reserve shared %#x bytes at %v (inherited descriptor %d): %w", size, addr, fd, err)
	}
	r := shared.ExecutorAddrRange{Start: addr, End: addr.Add(size)}
	memMu.Lock()
	i := sort.Search(len(reservations), func(i int) bool { return reservations[i].r.Start > r.Start })
	reservations = append(reservations, reservation{})
	copy(reservations[i+1:], reservations[i:])
	reservations[i] = reservation{r: r, prot: make([]shared.MemProt, size/ps), fd: fd}
	memMu.Unlock()
	return r, nil
}

// inheritedShm is the memfd a controller handed this executor at its
// spawn (ShmFDEnv) while no reserve-shared has taken it: -1 when none.
var (
	inheritedShmMu sync.Mutex
	inheritedShm   = -1
)

// takeInheritedShm returns the inherited memfd if it is fd, and forgets
// it (a second reserve-shared naming it is refused).
func takeInheritedShm(fd int) bool {
	inheritedShmMu.Lock()
	defer inheritedShmMu.Unlock()
	if fd < 0 || fd != inheritedShm {
		return false
	}
	inheritedShm = -1
	return true
}

// setInheritedShm records the memfd named by ShmFDEnv, made close-on-exec
// and private at once (a program the JIT'd code forks never holds it,
// even if the controller never maps it).
func setInheritedShm(v string) error {
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return fmt.Errorf("executor: %s=%q: want a descriptor number", ShmFDEnv, v)
	}
	if _, err := unixCloseOnExec(fd); err != nil {
		return fmt.Errorf("executor: %s=%d: %w", ShmFDEnv, fd, err)
	}
	privateFD(fd, true)
	inheritedShmMu.Lock()
	inheritedShm = fd
	inheritedShmMu.Unlock()
	return nil
}

// unixCloseOnExec sets FD_CLOEXEC on fd and returns the flags it had.
func unixCloseOnExec(fd int) (int, error) {
	fl, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	if e != 0 {
		return 0, e
	}
	if _, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFD, fl|syscall.FD_CLOEXEC); e != 0 {
		return 0, e
	}
	return int(fl), nil
}

// SharedMemoryPath returns the path through which another process (or
// this one) can open the memfd behind a shared reservation:
// /proc/PID/fd/N.
func SharedMemoryPath(r shared.ExecutorAddrRange) (string, error) {
	memMu.Lock()
	defer memMu.Unlock()
	res := findRes(r.Start, r.Size())
	if res == nil || res.r != r || res.fd < 0 {
		return "", fmt.Errorf("executor: shared memory path of %v: not a shared reservation", r)
	}
	return fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), res.fd), nil
}

// ErrAccess is returned (wrapped) for reads and writes of memory whose
// protection does not allow them.
var ErrAccess = errors.New("memory protection does not allow the access")

// findRes returns the reservation containing [addr, addr+size). memMu held.
func findRes(addr shared.ExecutorAddr, size uint64) *reservation {
	end := uint64(addr) + size
	if end < uint64(addr) {
		return nil
	}
	i := sort.Search(len(reservations), func(i int) bool { return reservations[i].r.Start > addr }) - 1
	if i >= 0 && reservations[i].r.Contains(addr) && end <= uint64(reservations[i].r.End) {
		return &reservations[i]
	}
	return nil
}

// checkRange verifies that [addr, addr+size) lies inside one reservation
// and, if need is not 0, that every page of it has at least the
// protections in need.
func checkRange(op string, addr shared.ExecutorAddr, size uint64, need shared.MemProt) error {
	memMu.Lock()
	defer memMu.Unlock()
	res := findRes(addr, size)
	if res == nil {
		return fmt.Errorf("executor: %s [%v, +%#x): %w", op, addr, size, ErrNotReserved)
	}
	if need == 0 || size == 0 {
		return nil
	}
	ps := PageSize()
	first := (uint64(addr) - uint64(res.r.Start)) / ps
	last := (uint64(addr) + size - 1 - uint64(res.r.Start)) / ps
	for p := first; p <= last; p++ {
		if res.prot[p]&need != need {
			return fmt.Errorf("executor: %s [%v, +%#x): page %#x is %v, need %v: %w",
				op, addr, size, uint64(res.r.Start)+p*ps, res.prot[p], need, ErrAccess)
		}
	}
	return nil
}

// setProt records prot for the pages of r (page aligned, inside a
// reservation).
func setProt(r shared.ExecutorAddrRange, prot shared.MemProt) {
	memMu.Lock()
	defer memMu.Unlock()
	res := findRes(r.Start, r.Size())
	if res == nil {
		return
	}
	ps := PageSize()
	first := (uint64(r.Start) - uint64(res.r.Start)) / ps
	for p := first; p < first+r.Size()/ps; p++ {
		res.prot[p] = prot
	}
}

func checkPages(op string, r shared.ExecutorAddrRange) error {
	ps := PageSize()
	if r.End < r.Start || uint64(r.Start)%ps != 0 || uint64(r.End)%ps != 0 {
		return fmt.Errorf("executor: %s %v: not page aligned (page size %#x)", op, r, ps)
	}
	return checkRange(op, r.Start, r.Size(), 0)
}

// Release unmaps a whole reservation made by Reserve.
func Release(r shared.ExecutorAddrRange) error {
	memMu.Lock()
	idx := -1
	for i, res := range reservations {
		if res.r == r {
			idx = i
			break
		}
	}
	if idx < 0 {
		memMu.Unlock()
		return fmt.Errorf("executor: release %v: %w", r, ErrNotReserved)
	}
	fd := reservations[idx].fd
	aliases := reservations[idx].aliases
	reservations = append(reservations[:idx], reservations[idx+1:]...)
	memMu.Unlock()
	forgetDebugObjects(r)
	for _, a := range aliases {
		C.gorc_mem_release(C.uint64_t(a.Start), C.uint64_t(a.Size()))
	}
	if e := C.gorc_mem_release(C.uint64_t(r.Start), C.uint64_t(r.Size())); e != 0 {
		return fmt.Errorf("executor: release %v: %w", r, syscall.Errno(e))
	}
	if fd >= 0 {
		C.gorc_close_fd(C.int(fd))
	}
	return nil
}

// Protect sets the protections of the page-aligned range r, which must lie
// inside a reservation. A protection both writable and executable is
// refused (W^X). Zero protection makes the pages inaccessible.
func Protect(r shared.ExecutorAddrRange, prot shared.MemProt) error {
	if !prot.Valid() {
		return fmt.Errorf("executor: protect %v %v: writable and executable at once violates W^X", r, prot)
	}
	if err := checkPages("protect", r); err != nil {
		return err
	}
	if r.Size() == 0 {
		return nil
	}
	if e := C.gorc_mem_protect(C.uint64_t(r.Start), C.uint64_t(r.Size()), C.int(prot)); e != 0 {
		return fmt.Errorf("executor: protect %v %v: %w", r, prot, syscall.Errno(e))
	}
	setProt(r, prot)
	if prot&shared.ProtExec != 0 {
		C.gorc_clear_cache(C.uint64_t(r.Start), C.uint64_t(r.Size()))
	}
	return nil
}

// Decommit discards the contents of the page-aligned range r: the pages
// become inaccessible and read as zero when made accessible again.
func Decommit(r shared.ExecutorAddrRange) error {
	if err := checkPages("decommit", r); err != nil {
		return err
	}
	if r.Size() == 0 {
		return nil
	}
	memMu.Lock()
	res := findRes(r.Start, r.Size())
	fd, base := -1, shared.ExecutorAddr(0)
	if res != nil {
		fd, base = res.fd, res.r.Start
	}
	memMu.Unlock()
	forgetDebugObjects(r)
	if fd >= 0 {
		if e := C.gorc_mem_decommit_shared(C.int(fd), C.uint64_t(r.Start), C.uint64_t(r.Start-base), C.uint64_t(r.Size())); e != 0 {
			return fmt.Errorf("executor: decommit %v (shared): %w", r, syscall.Errno(e))
		}
		setProt(r, 0)
		return nil
	}
	if e := C.gorc_mem_decommit(C.uint64_t(r.Start), C.uint64_t(r.Size())); e != 0 {
		return fmt.Errorf("executor: decommit %v: %w", r, syscall.Errno(e))
	}
	setProt(r, 0)
	return nil
}

// MapDual makes the page-aligned range r of a reservation made by Reserve
// a dual-mapped block: r gets protections prot (for good: code runs there
// while the block is filled further) and the returned slice is a
// read-write view of the same pages at another address, through which
// the linker writes. The view stays mapped until the reservation is
// released; Protect and Decommit must not be used on r afterwards. This
// is how many small allocations (lazily compiled functions) share pages
// without a protection change, or a mapping, each.
func MapDual(r shared.ExecutorAddrRange, prot shared.MemProt) ([]byte, error) {
	if !prot.Valid() {
		return nil, fmt.Errorf("executor: map dual %v %v: writable and executable at once violates W^X", r, prot)
	}
	if err := checkPages("map dual", r); err != nil {
		return nil, err
	}
	if r.Size() == 0 || r.Size() > 1<<32 {
		return nil, fmt.Errorf("executor: map dual %v: bad size %#x", r, r.Size())
	}
	memMu.Lock()
	res := findRes(r.Start, r.Size())
	shm := res != nil && res.fd >= 0
	memMu.Unlock()
	if shm {
		return nil, fmt.Errorf("executor: map dual %v: inside a shared reservation", r)
	}
	var alias C.uint64_t
	if e := C.gorc_mem_map_dual(C.uint64_t(r.Start), C.uint64_t(r.Size()), C.int(prot), &alias); e != 0 {
		return nil, fmt.Errorf("executor: map dual %v %v: %w", r, prot, syscall.Errno(e))
	}
	a := shared.ExecutorAddrRange{Start: shared.ExecutorAddr(alias), End: shared.ExecutorAddr(uint64(alias) + r.Size())}
	memMu.Lock()
	if res := findRes(r.Start, r.Size()); res != nil {
		res.aliases = append(res.aliases, a)
		res.blocks = append(res.blocks, r)
	}
	memMu.Unlock()
	setProt(r, prot)
	return unsafe.Slice((*byte)(C.gorc_addr_to_ptr(alias)), r.Size()), nil
}

// ForgetDebugObjects deregisters the debug objects registered inside r
// (memory being reused without a Decommit, as MapDual blocks are).
func ForgetDebugObjects(r shared.ExecutorAddrRange) { forgetDebugObjects(r) }

// Write copies data to addr, which must lie inside a reservation (or a TLS
// initialization image) and be writable; otherwise the error wraps
// ErrNotReserved or ErrAccess and nothing is written.
func Write(addr shared.ExecutorAddr, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	memMu.Lock()
	alias := dualAlias(addr, uint64(len(data)))
	memMu.Unlock()
	if alias != 0 {
		// A dual-mapped block (code written by a controller's code
		// heap): through its read-write view; the range is being
		// (re)used, so debug objects registered there are stale.
		forgetDebugObjects(shared.ExecutorAddrRange{Start: addr, End: addr.Add(uint64(len(data)))})
		C.gorc_mem_copy(C.uint64_t(alias), unsafe.Pointer(&data[0]), C.size_t(len(data)))
		return nil
	}
	if err := checkRange("write", addr, uint64(len(data)), shared.ProtWrite); err != nil {
		if !inTLSImage(addr, uint64(len(data))) {
			return err
		}
	}
	populate(addr, uint64(len(data)))
	C.gorc_mem_copy(C.uint64_t(addr), unsafe.Pointer(&data[0]), C.size_t(len(data)))
	return nil
}

// StoreUint64 stores v at addr (8-byte aligned, inside a reservation and
// writable, or inside a dual-mapped block, through its read-write view)
// as one atomic store made from Go: a stub's pointer repointed while
// other threads may jump through it. Unlike an 8-byte Write it makes no
// cgo call and forgets no debug objects (the word is live, not memory
// being reused). A bad address is an error wrapping ErrNotReserved or
// ErrAccess, and nothing is stored.
func StoreUint64(addr shared.ExecutorAddr, v uint64) error {
	if addr%8 != 0 {
		return fmt.Errorf("executor: store [%v, +8): not 8-byte aligned", addr)
	}
	memMu.Lock()
	at := dualAlias(addr, 8)
	memMu.Unlock()
	if at == 0 {
		if err := checkRange("store", addr, 8, shared.ProtWrite); err != nil {
			return err
		}
		at = addr
	}
	atomic.StoreUint64((*uint64)(unsafe.Add(unsafe.Pointer(nil), uintptr(at))), v)
	return nil
}

// populateFrom is the smallest write populate prefaults for.
const populateFrom = 64 << 10

// populate makes the kernel allocate the pages of [addr, addr+n), about to
// be written in full, in one call (MADV_POPULATE_WRITE, Linux 5.14) rather
// than one page fault each as the copy touches them: a child executor
// receiving the sqlite driver's 1.2 MB image. Best effort: an older kernel
// refuses the advice and the pages fault in as before.
func populate(addr shared.ExecutorAddr, n uint64) {
	if n < populateFrom {
		return
	}
	ps := uint64(os.Getpagesize())
	start := uint64(addr) &^ (ps - 1)
	end := (uint64(addr) + n + ps - 1) &^ (ps - 1)
	const madvPopulateWrite = 23
	syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), madvPopulateWrite)
}

// Read copies n bytes from addr, which must lie inside a reservation (or a
// TLS initialization image) and be readable.
func Read(addr shared.ExecutorAddr, n uint64) ([]byte, error) {
	if err := checkRange("read", addr, n, shared.ProtRead); err != nil && !inTLSImage(addr, n) {
		return nil, err
	}
	if n > 1<<32 {
		return nil, fmt.Errorf("executor: read [%v, +%#x): too large", addr, n)
	}
	b := make([]byte, n)
	if n > 0 {
		C.gorc_mem_read(unsafe.Pointer(&b[0]), C.uint64_t(addr), C.size_t(n))
	}
	return b, nil
}

// Memory returns the executor memory [addr, addr+n) itself as a slice:
// the in-process fast path for writing link results in place. The range
// must lie inside a reservation and be read-write now; the slice may be
// used until the protections change.
func Memory(addr shared.ExecutorAddr, n uint64) ([]byte, error) {
	if err := checkRange("access", addr, n, shared.ProtRead|shared.ProtWrite); err != nil {
		return nil, err
	}
	if n == 0 {
		return []byte{}, nil
	}
	return unsafe.Slice((*byte)(C.gorc_addr_to_ptr(C.uint64_t(addr))), n), nil
}

// ---------------------------------------------------------------------
// dynamic loading

// Dlopen loads the shared library at path (RTLD_NOW|RTLD_GLOBAL, so its
// symbols are visible to process-wide lookups) and returns its handle.
func Dlopen(path string) (shared.ExecutorAddr, error) {
	cs := C.CString(path)
	defer C.free(unsafe.Pointer(cs))
	var cerr *C.char
	h := C.gorc_dlopen(cs, 1, &cerr)
	if h == 0 {
		msg := C.GoString(cerr)
		C.free(unsafe.Pointer(cerr))
		return 0, fmt.Errorf("executor: dlopen %s: %s", path, msg)
	}
	handlesMu.Lock()
	handles[shared.ExecutorAddr(h)]++
	handlesMu.Unlock()
	return shared.ExecutorAddr(h), nil
}

// handles counts the dlopen handles given out, so that a bad handle (from
// a buggy or hostile controller) is refused instead of crashing dlsym.
var (
	handlesMu sync.Mutex
	handles   = map[shared.ExecutorAddr]int{}
)

func knownHandle(h shared.ExecutorAddr) bool {
	handlesMu.Lock()
	defer handlesMu.Unlock()
	return handles[h] > 0
}

// Dlclose releases a handle returned by Dlopen.
func Dlclose(h shared.ExecutorAddr) error {
	if h == 0 {
		return fmt.Errorf("executor: dlclose: null handle")
	}
	handlesMu.Lock()
	if handles[h] == 0 {
		handlesMu.Unlock()
		return fmt.Errorf("executor: dlclose %v: not a library handle", h)
	}
	handles[h]--
	handlesMu.Unlock()
	var cerr *C.char
	if C.gorc_dlclose(C.uint64_t(h), &cerr) != 0 {
		msg := C.GoString(cerr)
		C.free(unsafe.Pointer(cerr))
		return fmt.Errorf("executor: dlclose %v: %s", h, msg)
	}
	return nil
}

// Dlsym looks name up in the library with handle h, or in the whole
// process (RTLD_DEFAULT) when h is 0. It returns 0 when name is not found
// or h is not a handle returned by Dlopen.
func Dlsym(h shared.ExecutorAddr, name string) shared.ExecutorAddr {
	if h != 0 && !knownHandle(h) {
		return 0
	}
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	return shared.ExecutorAddr(C.gorc_dlsym(C.uint64_t(h), cs))
}

// LookupSymbol looks name up as a static link would resolve it against the
// process: for h == 0 the runtime helpers (atexit, __dso_handle, …) come
// first, then the executor's replacements of close, close_range,
// closefrom, dup2, dup3 and syscall (which leave the executor's own
// descriptors open) and of
// pthread_create (which gives the new thread an alternate signal stack;
// see docs/EXECUTOR.md), then dlsym(RTLD_DEFAULT), then libgcc_s.so.1 (a static link
// always has libgcc: 128-bit division, popcount and the like). For h != 0
// it is Dlsym(h, name). It returns 0 when name is not found.
func LookupSymbol(h shared.ExecutorAddr, name string) shared.ExecutorAddr {
	return LookupSymbols(h, []string{name})[0]
}

// LookupSymbols is LookupSymbol for each of names, in order: the dlsym
// calls of all the names are made in one call into C (a link looks up
// dozens to hundreds of libc names at once).
func LookupSymbols(h shared.ExecutorAddr, names []string) []shared.ExecutorAddr {
	out := make([]shared.ExecutorAddr, len(names))
	if h != 0 {
		if !knownHandle(h) {
			return out
		}
		dlsymAll(h, names, out)
		return out
	}
	bootOnce.Do(bootstrap)
	var rest []int // positions of names for dlsym
	for i, name := range names {
		if slices.Contains(RuntimeHelperNames, name) {
			out[i] = bootSyms[name]
		} else if a := interposed(name); a != 0 {
			out[i] = a
		} else {
			rest = append(rest, i)
		}
	}
	if len(rest) == 0 {
		return out
	}
	sub := make([]string, len(rest))
	for k, i := range rest {
		sub[k] = names[i]
	}
	addrs := make([]shared.ExecutorAddr, len(rest))
	dlsymAll(0, sub, addrs)
	var missing []string // not in the process: try libgcc_s
	var at []int
	for k, i := range rest {
		out[i] = addrs[k]
		if addrs[k] == 0 {
			missing = append(missing, names[i])
			at = append(at, i)
		}
	}
	if len(missing) == 0 {
		return out
	}
	libgccOnce.Do(func() { libgcc, _ = Dlopen("libgcc_s.so.1") })
	if libgcc != 0 {
		found := make([]shared.ExecutorAddr, len(missing))
		dlsymAll(libgcc, missing, found)
		for k, i := range at {
			out[i] = found[k]
			if out[i] == 0 && slices.Contains(libgccVersioned, names[i]) {
				cn, cv := C.CString(names[i]), C.CString("GCC_4.8.0")
				out[i] = shared.ExecutorAddr(C.gorc_dlvsym(C.uint64_t(libgcc), cn, cv))
				C.free(unsafe.Pointer(cn))
				C.free(unsafe.Pointer(cv))
			}
		}
	}
	return out
}

// libgccVersioned are the names libgcc_s.so.1 exports only under the
// non-default version GCC_4.8.0, which dlsym does not find: what
// __builtin_cpu_supports and __builtin_cpu_is refer to (a static link
// takes them from libgcc.a).
var libgccVersioned = []string{"__cpu_model", "__cpu_indicator_init"}

// dlsymAll sets out[i] to dlsym(h, names[i]) (RTLD_DEFAULT for h == 0)
// in one call into C, the names copied into one C buffer, each ended by
// a NUL. A name with a NUL in it names no symbol: it gets 0 and is left
// out of the buffer (it would end early there and shift every later name
// onto the address of the one before it).
func dlsymAll(h shared.ExecutorAddr, names []string, out []shared.ExecutorAddr) {
	hasNUL := func(n string) bool { return strings.IndexByte(n, 0) >= 0 }
	if slices.ContainsFunc(names, hasNUL) {
		var keep []int
		var sub []string
		for k, n := range names {
			if hasNUL(n) {
				out[k] = 0
				continue
			}
			keep = append(keep, k)
			sub = append(sub, n)
		}
		found := make([]shared.ExecutorAddr, len(sub))
		dlsymAll(h, sub, found)
		for j, k := range keep {
			out[k] = found[j]
		}
		return
	}
	if len(names) == 0 {
		return
	}
	size := 0
	for _, n := range names {
		size += len(n) + 1
	}
	buf := C.malloc(C.size_t(size))
	defer C.free(buf)
	b := unsafe.Slice((*byte)(buf), size)
	off := 0
	for _, n := range names {
		off += copy(b[off:], n)
		b[off] = 0
		off++
	}
	C.gorc_dlsym_all(C.uint64_t(h), (*C.char)(buf), C.size_t(len(names)), (*C.uint64_t)(unsafe.Pointer(&out[0])))
}

var (
	libgccOnce sync.Once
	libgcc     shared.ExecutorAddr
)

// interposed returns the executor's replacement for the libc function
// name, or 0.
func interposed(name string) shared.ExecutorAddr {
	switch name {
	case "close", "close_range", "closefrom", "dup2", "dup3", "syscall", "pthread_create", "_exit", "_Exit", "quick_exit", "sigaction", "signal", "sigaltstack", "kill", "sigqueue", "pthread_sigmask", "sigprocmask", "sigwait", "sigwaitinfo", "sigtimedwait", "signalfd", "sigsuspend", "ppoll", "pselect", "epoll_pwait", "__cxa_atexit", "__cxa_at_quick_exit", "__register_atfork":
	default:
		return 0
	}
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	return shared.ExecutorAddr(C.gorc_interposed(cs))
}

// protectExecutorFDs records, the first time it is called, the
// executor's descriptors open then (every close-on-exec one), so that the
// programs run from now on cannot close them.
func protectExecutorFDs() { C.gorc_protect_open_fds() }

// privateFD marks fd as the executor's (on) or forgets it (off): a process
// the program forks closes it, and the program's close() leaves it open.
func privateFD(fd int, on bool) {
	v := C.int(0)
	if on {
		v = 1
	}
	C.gorc_private_fd(C.int(fd), v)
}

// ---------------------------------------------------------------------
// running code

func cArgv(args []string) (**C.char, func()) {
	argv := C.malloc(C.size_t(len(args)+1) * C.size_t(unsafe.Sizeof(uintptr(0))))
	v := unsafe.Slice((**C.char)(argv), len(args)+1)
	for i, a := range args {
		v[i] = C.CString(a)
	}
	v[len(args)] = nil
	return (**C.char)(argv), func() {
		for i := range args {
			C.free(unsafe.Pointer(v[i]))
		}
		C.free(argv)
	}
}

// RunAsMain calls fn as int main(int argc, char **argv, char **envp) on a
// fresh thread with a DefaultStackSize stack and returns its result. args
// is the whole argv, program name first.
func RunAsMain(fn shared.ExecutorAddr, args []string) (int, error) {
	if fn == 0 {
		return 0, fmt.Errorf("executor: run main: null function address")
	}
	argv, free := cArgv(args)
	defer free()
	protectExecutorFDs()
	var status C.int
	var cerr *C.char
	if e := C.gorc_run_main(C.uint64_t(fn), C.int(len(args)), argv, DefaultStackSize, &status, &cerr); e != 0 {
		return 0, fmt.Errorf("executor: run main at %v: creating thread: %w", fn, syscall.Errno(e))
	}
	if cerr != nil {
		defer C.free(unsafe.Pointer(cerr))
		return 0, fmt.Errorf("executor: run main at %v: %s", fn, C.GoString(cerr))
	}
	return int(status), nil
}

// RunVoid calls fn as void fn(void) on a fresh thread and waits for it.
func RunVoid(fn shared.ExecutorAddr) error {
	if fn == 0 {
		return fmt.Errorf("executor: run: null function address")
	}
	var cerr *C.char
	if e := C.gorc_run_void(C.uint64_t(fn), DefaultStackSize, &cerr); e != 0 {
		return fmt.Errorf("executor: run %v: creating thread: %w", fn, syscall.Errno(e))
	}
	if cerr != nil {
		defer C.free(unsafe.Pointer(cerr))
		return fmt.Errorf("executor: run %v: %s", fn, C.GoString(cerr))
	}
	return nil
}

// WrapperError is an error reported by a wrapper function.
type WrapperError struct {
	Fn  shared.ExecutorAddr
	Msg string
}

func (e *WrapperError) Error() string { return fmt.Sprintf("executor: wrapper %v: %s", e.Fn, e.Msg) }

// CallWrapper calls the wrapper function fn (C signature
// gorc_wrapper_result fn(const uint8_t *, size_t)) on the calling thread
// and returns its result bytes, or its error as a *WrapperError.
func CallWrapper(fn shared.ExecutorAddr, arg []byte) ([]byte, error) {
	if fn == 0 {
		return nil, fmt.Errorf("executor: call wrapper: null function address")
	}
	var p *C.uint8_t
	if len(arg) > 0 {
		p = (*C.uint8_t)(unsafe.Pointer(&arg[0]))
	}
	r := C.gorc_call_wrapper(C.uint64_t(fn), p, C.size_t(len(arg)))
	defer C.free(unsafe.Pointer(r.data))
	if r.error != nil {
		msg := C.GoString(r.error)
		C.free(unsafe.Pointer(r.error))
		return nil, &WrapperError{Fn: fn, Msg: msg}
	}
	if r.size == 0 {
		return nil, nil
	}
	return C.GoBytes(unsafe.Pointer(r.data), C.int(r.size)), nil
}

// Program describes a whole program run by RunProgram.
type Program struct {
	Main  shared.ExecutorAddr   // int main(int, char**, char**)
	Args  []string              // argv, program name first
	Inits []shared.ExecutorAddr // .preinit_array, .init_array (and .ctors) in run order
	Finis []shared.ExecutorAddr // in run order (a .fini_array reversed, as jitlink's LinkGraph.Finis)
}

// RunProgram runs p the way a C program runs: on a fresh thread it
// registers the finalizers with __cxa_atexit (so they run after every
// atexit handler and C++ destructor the program registers), calls each
// initializer with (argc, argv, envp), calls main and passes its result to
// exit(), which runs the atexit handlers and destructors in reverse order
// of registration, flushes stdio and ends the process with main's status.
// A crash of the program kills the process by the signal (see
// InstallCrashHandlers), as it would kill the native program.
// It returns only if the thread cannot be started.
func RunProgram(p Program) error {
	exitHookMu.Lock()
	report := exitHook != nil
	exitHookMu.Unlock()
	return runProgram(p, report)
}

// OnProgramExit sets a function that RunProgram calls with the program's
// exit status after every atexit handler, destructor and finalizer of the
// program has run and C stdio has been flushed, just before the process
// ends (for example to print timing). It runs on the program's thread
// during exit(): it must not block for long and must not call exit.
func OnProgramExit(f func(status int)) {
	exitHookMu.Lock()
	exitHook = f
	exitHookMu.Unlock()
}

// FlushStdio flushes every C stdio stream (fflush(NULL)). Call it before
// ending the process another way than exit() after RunAsMain, or the
// program's buffered output is lost.
func FlushStdio() { C.gorc_flush_stdio() }

func runProgram(p Program, report bool) error {
	if p.Main == 0 {
		return fmt.Errorf("executor: run program: null main address")
	}
	for i, a := range append(append([]shared.ExecutorAddr(nil), p.Inits...), p.Finis...) {
		if a == 0 {
			return fmt.Errorf("executor: run program: null initializer/finalizer address at index %d", i)
		}
	}
	if err := InstallCrashHandlers(); err != nil {
		return err
	}
	protectExecutorFDs()
	argv, _ := cArgv(p.Args) // never freed: the process ends in exit()
	arr := func(a []shared.ExecutorAddr) *C.uint64_t {
		if len(a) == 0 {
			return nil
		}
		m := (*C.uint64_t)(C.malloc(C.size_t(8 * len(a))))
		s := unsafe.Slice(m, len(a))
		for i, x := range a {
			s[i] = C.uint64_t(x)
		}
		return m
	}
	var e C.int
	rep := C.int(0)
	if report {
		rep = 1
	}
	C.gorc_run_program(C.uint64_t(p.Main), arr(p.Inits), C.size_t(len(p.Inits)), arr(p.Finis), C.size_t(len(p.Finis)),
		C.int(len(p.Args)), argv, DefaultStackSize, rep, &e)
	return fmt.Errorf("executor: run program: creating thread: %w", syscall.Errno(e))
}

// SetProgramArgs sets the (argc, argv) that the RunInitializersName
// service passes to initializers.
func SetProgramArgs(args []string) {
	argv, _ := cArgv(args) // kept: initializers may retain argv
	C.gorc_set_program_args(C.int(len(args)), argv)
}

// PreloadEHRuntime loads what in-process EH-frame registration needs
// (libgcc_s.so.1's __register_frame, dlopened RTLD_GLOBAL) now, as the
// first registration would, and reports whether it is available; a
// failure is reported again, with its reason, by that registration. A
// controller that will link objects with unwind tables in this process
// calls it on a spare thread as it starts, so the dlopen (≈0.15 ms) is
// not on the link's path: the first object's finalization, or the first
// lookup of a libgcc helper (__udivti3 …), finds the library loaded.
func PreloadEHRuntime() bool { return C.gorc_eh_preload() != 0 }

// UnwindFunctionStart asks libgcc's unwinder (_Unwind_Find_FDE) which
// function's unwind information covers pc and returns that function's
// start, or 0 if no registered or loaded FDE covers it. It shows whether
// EH-frame registration took effect.
func UnwindFunctionStart(pc shared.ExecutorAddr) shared.ExecutorAddr {
	return shared.ExecutorAddr(C.gorc_find_fde_func(C.uint64_t(pc)))
}

// InstallCrashHandlers makes a fault in JIT'd code end the process the way
// it ends a native program: killed by the signal (SIGSEGV, SIGBUS, SIGFPE,
// SIGILL, SIGABRT, SIGTRAP, SIGSYS), so the exit status seen by a shell is
// 128+signal, instead of Go's crash report and exit status 2. Faults whose
// PC lies in gorc's own executable text still go to Go's handler (nil
// dereferences in Go code stay Go panics), as the os/signal rules for cgo
// programs prescribe. RunProgram installs them; call it before RunAsMain
// when the process should die with the program.
func InstallCrashHandlers() error {
	if e := C.gorc_install_crash_handlers(); e != 0 {
		return fmt.Errorf("executor: installing crash handlers: %w", syscall.Errno(e))
	}
	return nil
}
