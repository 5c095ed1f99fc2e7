// Package epc is gorc's executor process control: the interface through
// which the controller side (session, linker, memory manager, lazy
// machinery) reaches the process that runs JIT'd code — its memory, its
// shared libraries and symbols, its services, and running code in it.
//
// The interface is split into small parts (MemoryAccess, DylibManager,
// Runner, TLSManager) composed into ExecutorProcessControl. Every method
// that talks to the executor takes a context and uses only serializable
// arguments (addresses, byte slices, strings), so a remote implementation
// can marshal the same calls over a byte stream. The in-process
// implementation, NewInProcess, calls github.com/gorc-jit/gorc/executor directly and also
// offers the LocalMemory fast path. A Caller calls JIT'd functions with
// raw argument registers: directly in this process (DirectCaller),
// through the executor's CallName service elsewhere.
//
// The package is pure Go apart from the in-process implementation, which
// needs cgo; without cgo NewInProcess returns an error.
package epc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gorc-jit/gorc/shared"
)

// MemoryAccess reserves, writes, protects and releases executor memory.
type MemoryAccess interface {
	// Reserve reserves size bytes of address space (rounded up to pages),
	// inaccessible until Protect. With low set the range lies below 2 GiB.
	Reserve(ctx context.Context, size uint64, low bool) (shared.ExecutorAddrRange, error)
	// Protect sets the protections of a page-aligned range inside a
	// reservation; writable+executable is refused (W^X); 0 = no access.
	Protect(ctx context.Context, r shared.ExecutorAddrRange, prot shared.MemProt) error
	// Decommit discards a page-aligned range: no access, reads back zero.
	Decommit(ctx context.Context, r shared.ExecutorAddrRange) error
	// Write copies data into (writable) executor memory.
	Write(ctx context.Context, addr shared.ExecutorAddr, data []byte) error
	// Read copies n bytes of (readable) executor memory.
	Read(ctx context.Context, addr shared.ExecutorAddr, n uint64) ([]byte, error)
	// Release unmaps a whole reservation.
	Release(ctx context.Context, r shared.ExecutorAddrRange) error
}

// WordStorer is an optional interface of a MemoryAccess whose executor
// shares this process (InProcess): StoreUint64 stores one aligned 8-byte
// word at once and atomically, as a lazy stub's pointer is repointed,
// without the checks and copies of an 8-byte Write.
type WordStorer interface {
	StoreUint64(ctx context.Context, addr shared.ExecutorAddr, v uint64) error
}

// MemOpKind is the kind of a Batcher step.
type MemOpKind uint8

// The kinds of Batcher steps.
const (
	MemOpProtect     MemOpKind = iota + 1 // Range, Prot
	MemOpWrite                            // Addr, Data
	MemOpCallWrapper                      // Call
)

// MemOp is one step of a Batch.
type MemOp struct {
	Kind  MemOpKind
	Range shared.ExecutorAddrRange // MemOpProtect
	Prot  shared.MemProt           // MemOpProtect
	Addr  shared.ExecutorAddr      // MemOpWrite
	Data  []byte                   // MemOpWrite
	Call  shared.WrapperCall       // MemOpCallWrapper
}

// ErrBatchUnsupported is returned (wrapped) by Batch when the executor
// did not run the batch (it does not take batches, or the batch is too
// large for one message): no step ran; do them one by one.
var ErrBatchUnsupported = errors.New("the executor does not take this batch")

// Batcher is the optional round-trip saver of executors reached over a
// byte stream: the memory steps that finalize an allocation (protect,
// write, call a wrapper) sent as one request.
type Batcher interface {
	// Batch runs ops in order, stopping at the first that fails. It
	// returns how many ran successfully (len(ops): all) and the failing
	// step's error; with ErrBatchUnsupported none ran.
	Batch(ctx context.Context, ops []MemOp) (int, error)
}

// OrderedBatcher is the optional round-trip remover of executors reached
// over a byte stream, for steps that need only take effect before the
// executor acts on anything sent after them (finalizing a lazily linked
// function, repointing a stub). While the executor waits in a lazy
// re-entry, BatchBeforeNext may hold the steps back and send them with
// the next frame instead: inside the re-entry's answer (the executor runs
// them before the calling thread continues), or just before the next call
// to the executor. It returns how many steps ran or were taken to run
// later (len(ops): all) and an error as Batch does; steps held back that
// fail later fail the re-entry, or the call, that carried them. Call-wrapper
// steps to anything but the executor's own short services are never held.
type OrderedBatcher interface {
	Batcher
	BatchBeforeNext(ctx context.Context, ops []MemOp) (int, error)
}

// LocalMemory is the optional in-process fast path of MemoryAccess: it
// returns executor memory itself, so the linker writes in place and
// finalization is only a protection change. Only executors in this
// process implement it.
type LocalMemory interface {
	LocalMemory(r shared.ExecutorAddrRange) ([]byte, error)
}

// SharedMemory is the optional shared-memory transport of an executor on
// the same machine (-shm): memory backed by a file (memfd) that the
// controller maps too, so code is written in place and only the
// protection change and the actions cross the connection.
type SharedMemory interface {
	// ReserveShared reserves size bytes like Reserve, backed by a
	// shared-memory file, and returns the path the controller opens and
	// maps (MAP_SHARED, read-write) to reach the same pages, e.g.
	// /proc/PID/fd/N. Release the range with MemoryAccess.Release.
	ReserveShared(ctx context.Context, size uint64, low bool) (shared.ExecutorAddrRange, string, error)
}

// EarlySharedMemory is the optional early start of SharedMemory: an
// executor child spawned with EarlyHello.SharedMemory inherits a memfd the
// controller created, so before its hello the controller can place a
// shared reservation itself, map it and write code into it.
type EarlySharedMemory interface {
	// ReserveSharedEarly reserves size bytes like ReserveShared before the
	// executor's hello, at an address the controller chooses, and returns
	// this process's read-write mapping of the pages (the caller unmaps
	// it); the executor maps the same memfd there right after its hello.
	// ok is false when that is not possible (the hello is in, the memfd
	// is used, low, too large): use ReserveShared.
	ReserveSharedEarly(size uint64, low bool) (r shared.ExecutorAddrRange, mem []byte, ok bool, err error)
}

// Reentry is implemented by executors that support lazy compilation
// through ReentryName (both InProcess and Remote): f receives the return
// address inside the calling trampoline and returns the landing address.
// In-process f runs on the JIT'd code's thread; remotely, on a goroutine
// of the controller while the JIT'd thread waits.
type Reentry interface {
	SetReentryHandler(f func(trampolineRet shared.ExecutorAddr) (shared.ExecutorAddr, error))
}

// DylibManager loads shared libraries and looks up symbols in the
// executor.
type DylibManager interface {
	// LoadDylib loads a shared library: name is a path, "-lNAME" (searched
	// in searchDirs, then the system directories, following GNU ld scripts
	// such as Debian's libm.so), or a bare soname for dlopen's own search.
	// It returns the library handle.
	LoadDylib(ctx context.Context, name string, searchDirs []string) (shared.ExecutorAddr, error)
	// LookupSymbols looks names up in the library with the given handle,
	// or in the whole process when handle is 0 (the runtime helpers such
	// as atexit and __dso_handle first, then dlsym(RTLD_DEFAULT)). A name
	// not found yields address 0 at its index; that is not an error.
	LookupSymbols(ctx context.Context, handle shared.ExecutorAddr, names []string) ([]shared.ExecutorAddr, error)
}

// Program describes a whole program for Runner.RunProgram.
type Program struct {
	Main  shared.ExecutorAddr   // int main(int argc, char **argv, char **envp)
	Args  []string              // argv, program name first
	Inits []shared.ExecutorAddr // initializers in run order (.preinit_array, .ctors/.init_array by priority)
	Finis []shared.ExecutorAddr // finalizers in run order (.fini_array reversed), as jitlink.LinkGraph.Finis
}

// Runner runs code in the executor.
type Runner interface {
	// RunAsMain calls fn as main(argc, argv, envp) on a fresh executor
	// thread with a large stack and returns its result. args is the whole
	// argv, program name first.
	RunAsMain(ctx context.Context, fn shared.ExecutorAddr, args []string) (int, error)
	// RunVoid calls fn as void fn(void) on a fresh executor thread.
	RunVoid(ctx context.Context, fn shared.ExecutorAddr) error
	// CallWrapper calls a wrapper function and returns its result bytes.
	CallWrapper(ctx context.Context, call shared.WrapperCall) ([]byte, error)
	// RunProgram runs p as a C program runs and ends the executor process
	// with exit(main's status): finalizers registered first, initializers,
	// main, then atexit handlers / destructors / finalizers in reverse
	// order, stdio flushed. In-process this ends the current process and
	// returns only on error; a remote executor reports the status.
	RunProgram(ctx context.Context, p Program) (int, error)
}

// TLSRequest asks for a static TLS block for JIT'd thread-locals.
type TLSRequest struct {
	Size      uint64 // .tdata + .tbss bytes, at least 1
	Align     uint64 // power of two (1 if 0)
	ImageSize uint64 // .tdata bytes, <= Size
	Image     []byte // optional initial image (len <= ImageSize)
}

// TLSBlock is a static TLS block in every executor thread.
type TLSBlock struct {
	ModuleID  uint64              // tls_index.ti_module for __tls_get_addr
	TPOffset  int64               // block address minus thread pointer (negative on x86-64)
	ImageAddr shared.ExecutorAddr // writable initialization image (ImageSize bytes)
	ImageSize uint64
	Size      uint64
	Align     uint64
}

// TLSManager places JIT'd thread-local storage.
type TLSManager interface {
	AllocateTLS(ctx context.Context, req TLSRequest) (TLSBlock, error)
}

// ExternalTLS is where a thread-local symbol defined by a shared library
// loaded in the executor lives (ExternalTLSResolver).
type ExternalTLS struct {
	Found    bool   // a loaded library (or the executable) defines it
	ModuleID uint64 // tls_index.ti_module of the defining module
	Offset   uint64 // offset of the symbol in that module's TLS block
	// Static: the module's block sits in static TLS; TPOffset is the
	// symbol's address minus the thread pointer, the same in every thread.
	Static   bool
	TPOffset int64
	Library  string // the defining module's path
	Why      string // when !Static: why it is not in static TLS (glibc's message, the tunable)
}

// ExternalTLSResolver resolves thread-local symbols defined by shared
// libraries loaded in the executor, moving the defining module into
// static TLS when glibc still can (executor.ResolveExternalTLS). The
// answers are in the order of names.
type ExternalTLSResolver interface {
	ResolveExternalTLS(ctx context.Context, names []string) ([]ExternalTLS, error)
}

// ExecutorProcessControl is the whole interface to an executor.
type ExecutorProcessControl interface {
	// TargetTriple is the executor's target, e.g. x86_64-unknown-linux-gnu.
	TargetTriple() string
	// PageSize is the executor's page size.
	PageSize() uint64
	// BootstrapSymbols returns the executor's services and runtime helper
	// symbols by name (see the *Name constants and RuntimeHelperNames).
	BootstrapSymbols() map[string]shared.ExecutorAddr
	MemoryAccess
	DylibManager
	Runner
	TLSManager
	// Close ends the connection (in-process: releases the memory reserved
	// through it). Later calls fail with ErrClosed.
	Close(ctx context.Context) error
}

// ErrClosed is returned (wrapped) by calls on a closed executor.
var ErrClosed = errors.New("executor connection closed")

// Names of the executor's service wrapper functions in BootstrapSymbols.
const (
	EHFrameRegisterName   = "__gorc_eh_frame_register"   // args: addr, size
	EHFrameDeregisterName = "__gorc_eh_frame_deregister" // args: addr, size
	RunInitializersName   = "__gorc_run_initializers"    // args: n, init..., m, fini...
	TLSSetImageName       = "__gorc_tls_set_image"       // args: dst, src, size
	EchoName              = "__gorc_echo"                // returns its argument
	TLSGetAddrName        = "__tls_get_addr"             // glibc's, for GD/LD TLS
	// ReentryName is the lazy-compilation re-entry point (x86-64): a
	// trampoline calls it; it saves the argument registers, asks the
	// controller's re-entry handler for the landing address (keyed by the
	// return address inside the trampoline) and continues there; see
	// Reentry.
	ReentryName = "__gorc_reentry"
	// LazyNamesName registers a block of lazy trampolines' name slots
	// (args: slots address and size, first trampoline's return address,
	// count, stride, 0 to register or 1 to forget): a process the
	// program forks names a refused lazy first call from them.
	LazyNamesName = "__gorc_lazy_names"
)

// RuntimeHelperNames are the bootstrap symbols JIT'd code references
// directly: what a static link takes from libc_nonshared.a and the crt
// files, which dlsym cannot find in libc.so.6. A process-symbols
// generator should resolve them from BootstrapSymbols (LookupSymbols with
// handle 0 also returns them).
var RuntimeHelperNames = []string{"atexit", "at_quick_exit", "__dso_handle", "pthread_atfork", "__pthread_atfork", "__stack_chk_fail_local"}

// EncodeArgs encodes wrapper-function arguments: each value as a
// little-endian uint64, in order. All gorc services take this form.
func EncodeArgs(vals ...uint64) []byte {
	b := make([]byte, 0, 8*len(vals))
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

// DecodeArgs is the inverse of EncodeArgs.
func DecodeArgs(b []byte) ([]uint64, error) {
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("epc: wrapper arguments: %d bytes is not a multiple of 8", len(b))
	}
	v := make([]uint64, len(b)/8)
	for i := range v {
		v[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return v, nil
}

// bootstrapSymbol is implemented by executor controls that can look one
// bootstrap symbol up without copying the whole table (BootstrapSymbols
// returns a copy; services are looked up on every link).
type bootstrapSymbol interface {
	BootstrapSymbol(name string) shared.ExecutorAddr
}

func service(e ExecutorProcessControl, name string) (shared.ExecutorAddr, error) {
	var a shared.ExecutorAddr
	if b, ok := e.(bootstrapSymbol); ok {
		a = b.BootstrapSymbol(name)
	} else {
		a = e.BootstrapSymbols()[name]
	}
	if a == 0 {
		if h, ok := e.(interface{ HandshakeError() error }); ok && h.HandshakeError() != nil {
			// An executor started early that never completed its start.
			return 0, h.HandshakeError()
		}
		return 0, fmt.Errorf("epc: executor (%s) has no service %s", e.TargetTriple(), name)
	}
	return a, nil
}

// EHFrameActions returns the allocation actions that register the
// .eh_frame section at r with the executor's unwinder on finalize and
// deregister it on deallocation. The section must end with a 4-byte zero
// terminator inside r.
func EHFrameActions(e ExecutorProcessControl, r shared.ExecutorAddrRange) (shared.AllocActionPair, error) {
	return rangeActions(e, EHFrameRegisterName, EHFrameDeregisterName, r)
}

// rangeActions returns the allocation actions that call the service named
// reg with r (start, size) on finalize and the one named dereg with the
// same range on deallocation.
func rangeActions(e ExecutorProcessControl, reg, dereg string, r shared.ExecutorAddrRange) (shared.AllocActionPair, error) {
	regFn, err := service(e, reg)
	if err != nil {
		return shared.AllocActionPair{}, err
	}
	deregFn, err := service(e, dereg)
	if err != nil {
		return shared.AllocActionPair{}, err
	}
	arg := EncodeArgs(uint64(r.Start), r.Size())
	return shared.AllocActionPair{
		Finalize: shared.WrapperCall{Fn: regFn, Arg: arg},
		Dealloc:  shared.WrapperCall{Fn: deregFn, Arg: arg},
	}, nil
}

// TLSImageAction returns the finalize action that copies a linked TLS
// image (size bytes at src in executor memory, e.g. a finalize-lifetime
// segment) into the block's initialization image at offset off, so the
// threads created afterwards start with it.
func TLSImageAction(e ExecutorProcessControl, b TLSBlock, off uint64, src shared.ExecutorAddr, size uint64) (shared.AllocActionPair, error) {
	set, err := service(e, TLSSetImageName)
	if err != nil {
		return shared.AllocActionPair{}, err
	}
	if off > b.ImageSize || size > b.ImageSize-off {
		return shared.AllocActionPair{}, fmt.Errorf("epc: TLS image [%d, +%d) outside the block's %d-byte image", off, size, b.ImageSize)
	}
	return shared.AllocActionPair{Finalize: shared.WrapperCall{Fn: set, Arg: EncodeArgs(uint64(b.ImageAddr)+off, uint64(src), size)}}, nil
}

// RunInitializersCall returns the wrapper call that registers finis (to run
// at exit in the given order, after atexit handlers registered later) and then
// runs inits in order with (argc, argv, envp). Use it for code added after
// the program started; RunProgram takes initializers directly.
func RunInitializersCall(e ExecutorProcessControl, inits, finis []shared.ExecutorAddr) (shared.WrapperCall, error) {
	fn, err := service(e, RunInitializersName)
	if err != nil {
		return shared.WrapperCall{}, err
	}
	v := make([]uint64, 0, 2+len(inits)+len(finis))
	v = append(v, uint64(len(inits)))
	for _, a := range inits {
		v = append(v, uint64(a))
	}
	v = append(v, uint64(len(finis)))
	for _, a := range finis {
		v = append(v, uint64(a))
	}
	return shared.WrapperCall{Fn: fn, Arg: EncodeArgs(v...)}, nil
}
