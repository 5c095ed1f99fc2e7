// Package memmgr provides memory managers for JIT'd code: implementations
// of jitlink.MemoryManager that place link graphs in executor memory.
//
// The main one is the slab allocator ([NewSlab]): it reserves one large
// region of executor address space once and sub-allocates page-aligned,
// per-protection chunks from it, reusing (and coalescing) freed blocks. All
// JIT'd code of a session lives in that one region, so 32-bit PC-relative
// references between graphs always reach. Memory is writable while the
// linker fills it and then read-execute or read-only (W^X).
//
// The slab reaches executor memory through a [Mapper] (LLVM's
// MemoryMapper): [NewInProcessMapper] hands the linker the real executor
// memory, so finalization is only mprotect plus the finalize actions;
// [NewCopyMapper] hands it a local buffer and copies on finalize through
// epc.MemoryAccess — the byte-stream transport a remote executor uses;
// [NewSharedMemoryMapper] writes into memfd-backed memory the executor
// maps too (seed 002's shared-memory transport, for -shm).
//
// The slab also has a code heap (in this process, in child executors
// reached over a byte stream, and with shared memory): small allocations (a lazily compiled
// function, a stub group; up to SlabOptions.CodeHeapMax) are carved,
// 16-byte aligned, from 4 MiB blocks of the slab that are
// mapped twice — with their final protections where code runs, and
// read-write at another address where they are written — so they cost
// neither a protection change nor a mapping of their own, and never make
// pages writable while other threads run code in them.
package memmgr

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// SegInfo describes one segment for Mapper.Initialize.
type SegInfo struct {
	Range   shared.ExecutorAddrRange // page-aligned executor range
	Working []byte                   // working memory returned by Prepare (content to transfer)
	Prot    shared.MemProt           // final protections
}

// AllocInfo is what Mapper.Initialize applies.
type AllocInfo struct {
	Segments []SegInfo
	Actions  []shared.AllocActionPair
}

// Mapper maps and unmaps executor memory for the slab allocator. It is the
// seam between the allocator and the transport: in-process, over a byte
// stream, or through shared memory.
type Mapper interface {
	// PageSize is the executor's page size.
	PageSize() uint64
	// Reserve reserves address space (below 2 GiB if low).
	Reserve(ctx context.Context, size uint64, low bool) (shared.ExecutorAddrRange, error)
	// Prepare returns zeroed working memory of length size for the linker
	// to fill, for the page-aligned range r (size <= r.Size()).
	Prepare(ctx context.Context, r shared.ExecutorAddrRange, size uint64) ([]byte, error)
	// Initialize makes the working memory's content the executor memory's
	// content, applies the final protections and runs the Finalize calls
	// of the actions in order. If an action fails, the Dealloc calls of the
	// actions already run are run in reverse and the error is returned.
	Initialize(ctx context.Context, info AllocInfo) error
	// Deinitialize runs the Dealloc calls of actions in reverse order and
	// discards the contents of ranges (inaccessible, zero when reused).
	Deinitialize(ctx context.Context, actions []shared.AllocActionPair, ranges []shared.ExecutorAddrRange) error
	// Release returns a reservation.
	Release(ctx context.Context, r shared.ExecutorAddrRange) error
}

// executorMapper holds what both mappers share.
type executorMapper struct {
	e epc.ExecutorProcessControl
}

func (m executorMapper) PageSize() uint64 { return m.e.PageSize() }

func (m executorMapper) Reserve(ctx context.Context, size uint64, low bool) (shared.ExecutorAddrRange, error) {
	return m.e.Reserve(ctx, size, low)
}

func (m executorMapper) Release(ctx context.Context, r shared.ExecutorAddrRange) error {
	return m.e.Release(ctx, r)
}

// runActions runs the Finalize calls in order; on failure it undoes the
// ones that ran (their Dealloc calls, in reverse).
func (m executorMapper) runActions(ctx context.Context, actions []shared.AllocActionPair) error {
	for i, a := range actions {
		if a.Finalize.Fn == 0 {
			continue
		}
		if _, err := m.e.CallWrapper(ctx, a.Finalize); err != nil {
			undo := m.runDeallocs(ctx, actions[:i])
			return errors.Join(fmt.Errorf("memmgr: finalize action %d (wrapper %v): %w", i, a.Finalize.Fn, err), undo)
		}
	}
	return nil
}

func (m executorMapper) runDeallocs(ctx context.Context, actions []shared.AllocActionPair) error {
	var errs []error
	for i := len(actions) - 1; i >= 0; i-- {
		a := actions[i]
		if a.Dealloc.Fn == 0 {
			continue
		}
		if _, err := m.e.CallWrapper(ctx, a.Dealloc); err != nil {
			errs = append(errs, fmt.Errorf("memmgr: dealloc action %d (wrapper %v): %w", i, a.Dealloc.Fn, err))
		}
	}
	return errors.Join(errs...)
}

func (m executorMapper) Deinitialize(ctx context.Context, actions []shared.AllocActionPair, ranges []shared.ExecutorAddrRange) error {
	errs := []error{m.runDeallocs(ctx, actions)}
	for _, r := range ranges {
		if r.Size() == 0 {
			continue
		}
		if err := m.e.Decommit(ctx, r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// InProcessMapper gives the linker the executor memory itself: Prepare
// makes the pages read-write and returns them; Initialize only changes
// protections and runs actions — no copy.
type InProcessMapper struct {
	executorMapper
	local epc.LocalMemory
}

// NewInProcessMapper returns a mapper over an executor in this process.
// It fails if e offers no LocalMemory fast path (a remote executor).
func NewInProcessMapper(e epc.ExecutorProcessControl) (*InProcessMapper, error) {
	lm, ok := e.(epc.LocalMemory)
	if !ok {
		return nil, fmt.Errorf("memmgr: in-process mapper: executor %T has no local memory access (use NewCopyMapper)", e)
	}
	return &InProcessMapper{executorMapper{e}, lm}, nil
}

// Prepare implements Mapper.
func (m *InProcessMapper) Prepare(ctx context.Context, r shared.ExecutorAddrRange, size uint64) ([]byte, error) {
	if size > r.Size() {
		return nil, fmt.Errorf("memmgr: prepare %v: size %#x exceeds the range", r, size)
	}
	if r.Size() == 0 {
		return []byte{}, nil
	}
	if err := m.e.Protect(ctx, r, shared.ProtRead|shared.ProtWrite); err != nil {
		return nil, err
	}
	b, err := m.local.LocalMemory(r)
	if err != nil {
		return nil, err
	}
	return b[:size:size], nil
}

// populateFrom is the smallest segment populate prefaults.
const populateFrom = 64 << 10

// madvPopulateWrite is Linux's MADV_POPULATE_WRITE (5.14 and later).
const madvPopulateWrite = 23

// populate implements populater: the kernel allocates the fresh pages of
// mem, a segment's working memory in this process that the linker is
// about to write in full, in one call instead of one page fault each as
// the copy touches them (the sqlite driver's 0.96 MB of code: 235 faults).
// Best effort: an older kernel refuses the advice and the pages fault in
// as before.
func (m *InProcessMapper) populate(mem []byte) { populate(mem) }

// populate implements populater: this process's view of the shared pages
// (the executor maps the same pages when it first touches them).
func (m *SharedMemoryMapper) populate(mem []byte) { populate(mem) }

// populate implements populater: the working buffer (Go memory of this
// process) that the link fills and Initialize sends to the executor; in a
// child run of the sqlite driver its fresh pages were ~240 faults of the
// link's copy.
func (m *CopyMapper) populate(mem []byte) { populate(mem) }

// populateSplitFrom is the smallest segment populate prefaults on two
// goroutines (each half in its own madvise): the kernel's work per page
// (zeroing it, charging it to the cgroup, putting it on an LRU list, about
// 2.5 µs on the project's VM: 0.8 ms for the sqlite driver's 1.2 MB) is
// the link's to wait for, and the pages' halves are independent.
const populateSplitFrom = 512 << 10

func populate(mem []byte) {
	if len(mem) < populateFrom {
		return
	}
	if len(mem) < populateSplitFrom || runtime.GOMAXPROCS(0) < 2 {
		Populate(mem)
		return
	}
	half := len(mem) / 2 &^ (syscall.Getpagesize() - 1)
	var wg sync.WaitGroup
	wg.Go(func() { Populate(mem[half:]) })
	Populate(mem[:half])
	wg.Wait()
}

// Populate asks the kernel to allocate, at once, the pages of mem (memory
// of this process that the caller is about to write in full): one
// madvise(MADV_POPULATE_WRITE) instead of one page fault per page as the
// writes touch them. Best effort: a kernel older than 5.14 refuses the
// advice, and the pages fault in as the writes reach them. For a caller
// that copies into a large allocation on several goroutines and asked the
// allocator not to populate it (jitlink.AllocRequest.CallerPopulates):
// each goroutine populates its own part first.
func Populate(mem []byte) {
	// madvise takes whole pages: the pages mem covers in full (a Go heap
	// buffer need not start on a page); the partial ones at its ends fault
	// in as before.
	ps := uintptr(syscall.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(mem)))
	lo := (start + ps - 1) &^ (ps - 1)
	hi := (start + uintptr(len(mem))) &^ (ps - 1)
	if len(mem) == 0 || hi <= lo {
		return
	}
	_ = syscall.Madvise(mem[lo-start:hi-start], madvPopulateWrite)
}

// Initialize implements Mapper.
func (m *InProcessMapper) Initialize(ctx context.Context, info AllocInfo) error {
	if err := m.protectFinal(ctx, info.Segments); err != nil {
		return err
	}
	return m.runActions(ctx, info.Actions)
}

// protectFinal applies the segments' final protections, one call per run
// of adjacent segments with the same protections.
func (m executorMapper) protectFinal(ctx context.Context, segs []SegInfo) error {
	if len(segs) == 0 {
		return nil // (a heap allocation's: its blocks keep their protections)
	}
	for _, p := range protRuns(segs) {
		if err := m.e.Protect(ctx, p.Range, p.Prot); err != nil {
			return err
		}
	}
	return nil
}

// protRuns merges the non-empty segments' ranges that are adjacent and
// have the same final protections, in address order.
func protRuns(segs []SegInfo) []SegInfo {
	var out []SegInfo
	for _, s := range sortedSegs(segs) {
		if n := len(out); n > 0 && out[n-1].Range.End == s.Range.Start && out[n-1].Prot == s.Prot {
			out[n-1].Range.End = s.Range.End
			continue
		}
		out = append(out, SegInfo{Range: s.Range, Prot: s.Prot})
	}
	return out
}

// sortedSegs returns the non-empty segments in address order.
func sortedSegs(segs []SegInfo) []SegInfo {
	out := make([]SegInfo, 0, len(segs))
	for _, s := range segs {
		if s.Range.Size() > 0 {
			out = append(out, s)
		}
	}
	// (slices, not sort.SliceStable: no reflection and its two
	// allocations at every link's finalization.)
	slices.SortStableFunc(out, func(a, b SegInfo) int { return cmp.Compare(a.Range.Start, b.Range.Start) })
	return out
}

// CopyMapper gives the linker local buffers and copies them into the
// executor on Initialize through epc.MemoryAccess: the transport for an
// executor reached over a byte stream (it works in-process too).
type CopyMapper struct {
	executorMapper
}

// NewCopyMapper returns a mapper that writes through e's MemoryAccess.
func NewCopyMapper(e epc.ExecutorProcessControl) *CopyMapper {
	return &CopyMapper{executorMapper{e}}
}

// Prepare implements Mapper.
func (m *CopyMapper) Prepare(ctx context.Context, r shared.ExecutorAddrRange, size uint64) ([]byte, error) {
	if size > r.Size() {
		return nil, fmt.Errorf("memmgr: prepare %v: size %#x exceeds the range", r, size)
	}
	if size > 1<<32 {
		return nil, fmt.Errorf("memmgr: prepare %v: %#x bytes is too large for a working buffer", r, size)
	}
	return make([]byte, size), nil
}

// maxCoalescedWrite bounds the run of adjacent segments CopyMapper sends
// in one write (copied into one buffer first); larger segments are sent
// by themselves.
const maxCoalescedWrite = 1 << 20

// Initialize implements Mapper. Adjacent segments are transferred
// together — one protection change to read-write and one write per run —
// and then get their final protections, one change per run of equal
// protections: a small object costs a few round trips, not three per
// segment.
func (m *CopyMapper) Initialize(ctx context.Context, info AllocInfo) error {
	segs := sortedSegs(info.Segments)
	if _, ok := m.e.(epc.Batcher); ok {
		// All of it in one round trip: each run made read-write and
		// written, the final protections, the actions.
		var steps []epc.MemOp
		forEachRun(segs, func(run []SegInfo) {
			if r, data := runData(run); len(data) > 0 {
				steps = append(steps, epc.MemOp{Kind: epc.MemOpProtect, Range: r, Prot: shared.ProtRead | shared.ProtWrite},
					epc.MemOp{Kind: epc.MemOpWrite, Addr: r.Start, Data: data})
			}
		})
		if done, err := m.initBatch(ctx, steps, segs, info.Actions); done {
			return err
		}
	}
	for i := 0; i < len(segs); {
		// segs[i:j] is a run of adjacent segments to transfer together.
		j := i + 1
		for j < len(segs) && segs[j].Range.Start == segs[j-1].Range.End && uint64(segs[j].Range.End-segs[i].Range.Start) <= maxCoalescedWrite {
			j++
		}
		if err := m.transfer(ctx, segs[i:j]); err != nil {
			return err
		}
		i = j
	}
	if err := m.protectFinal(ctx, segs); err != nil {
		return err
	}
	return m.runActions(ctx, info.Actions)
}

// forEachRun calls f with each run of adjacent segments of segs (sorted)
// to transfer together.
func forEachRun(segs []SegInfo, f func(run []SegInfo)) {
	for i := 0; i < len(segs); {
		j := i + 1
		for j < len(segs) && segs[j].Range.Start == segs[j-1].Range.End && uint64(segs[j].Range.End-segs[i].Range.Start) <= maxCoalescedWrite {
			j++
		}
		f(segs[i:j])
		i = j
	}
}

// initBatch sends steps, then the segments' final protections and the
// actions' Finalize calls, as one epc.Batcher batch. done is false if the
// executor did not run it (nothing happened: do it step by step). A
// failed action undoes the actions before it, as runActions does.
func (m executorMapper) initBatch(ctx context.Context, steps []epc.MemOp, segs []SegInfo, actions []shared.AllocActionPair) (done bool, err error) {
	b, ok := m.e.(epc.Batcher)
	if !ok {
		return false, nil
	}
	for _, p := range protRuns(segs) {
		steps = append(steps, epc.MemOp{Kind: epc.MemOpProtect, Range: p.Range, Prot: p.Prot})
	}
	fixed := len(steps)
	var idx []int // the action of each call step
	for i, a := range actions {
		if a.Finalize.Fn != 0 {
			steps = append(steps, epc.MemOp{Kind: epc.MemOpCallWrapper, Call: a.Finalize})
			idx = append(idx, i)
		}
	}
	batch := b.Batch
	if ob, ok := b.(epc.OrderedBatcher); ok {
		// The steps need only be done before the executor acts on
		// anything sent later: during a lazy re-entry they travel with
		// its answer.
		batch = ob.BatchBeforeNext
	}
	n, err := batch(ctx, steps)
	switch {
	case errors.Is(err, epc.ErrBatchUnsupported):
		return false, nil
	case err == nil:
		return true, nil
	case n < fixed:
		return true, fmt.Errorf("memmgr: initialize: %w", err)
	}
	i := idx[n-fixed]
	undo := m.runDeallocs(ctx, actions[:i])
	return true, errors.Join(fmt.Errorf("memmgr: finalize action %d (wrapper %v): %w", i, actions[i].Finalize.Fn, err), undo)
}

// runData returns the range of a run of adjacent segments and the bytes
// to write there: their working memory (gaps between them, zero in the
// executor already, as zeros), without trailing empty segments.
func runData(run []SegInfo) (shared.ExecutorAddrRange, []byte) {
	r := shared.ExecutorAddrRange{Start: run[0].Range.Start, End: run[len(run)-1].Range.End}
	var data []byte
	if len(run) == 1 {
		data = run[0].Working
	} else {
		var n uint64
		for _, s := range run {
			if len(s.Working) > 0 {
				n = uint64(s.Range.Start-r.Start) + uint64(len(s.Working))
			}
		}
		data = make([]byte, n)
		for _, s := range run {
			copy(data[s.Range.Start-r.Start:], s.Working)
		}
	}
	return r, data
}

// transfer makes the adjacent segments run read-write and writes their
// working memory.
func (m *CopyMapper) transfer(ctx context.Context, run []SegInfo) error {
	r, data := runData(run)
	if len(data) == 0 {
		return nil
	}
	if err := m.e.Protect(ctx, r, shared.ProtRead|shared.ProtWrite); err != nil {
		return err
	}
	return m.e.Write(ctx, r.Start, data)
}

// SharedMemoryMapper writes code straight into memory shared with the
// executor (seed 002's SharedMemoryMapper): each reservation is a memfd
// that the executor maps PROT_NONE and this process maps read-write. The
// linker's working memory is this process's view; Initialize only changes
// the executor's protections and runs the actions, Deinitialize punches
// the pages out of the file. Only for an executor on the same machine. In
// this process it works too, but the read-write view stays an alias of the
// executable pages; prefer InProcessMapper there.
type SharedMemoryMapper struct {
	executorMapper
	shm   epc.SharedMemory
	mu    sync.Mutex
	views map[shared.ExecutorAddr]sharedView
}

type sharedView struct {
	r   shared.ExecutorAddrRange
	mem []byte
}

// NewSharedMemoryMapper returns a shared-memory mapper over e, which must
// implement epc.SharedMemory.
func NewSharedMemoryMapper(e epc.ExecutorProcessControl) (*SharedMemoryMapper, error) {
	shm, ok := e.(epc.SharedMemory)
	if !ok {
		return nil, fmt.Errorf("memmgr: shared-memory mapper: executor %T offers no shared memory", e)
	}
	return &SharedMemoryMapper{executorMapper: executorMapper{e}, shm: shm, views: map[shared.ExecutorAddr]sharedView{}}, nil
}

// Reserve implements Mapper: a shared reservation, mapped here too.
func (m *SharedMemoryMapper) Reserve(ctx context.Context, size uint64, low bool) (shared.ExecutorAddrRange, error) {
	// A child still starting: the controller's own memfd, handed to it at
	// the spawn, placed and mapped here without waiting for it.
	if es, ok := m.shm.(epc.EarlySharedMemory); ok {
		r, mem, ok, err := es.ReserveSharedEarly(size, low)
		if err != nil {
			return shared.ExecutorAddrRange{}, fmt.Errorf("memmgr: %w", err)
		}
		if ok {
			m.mu.Lock()
			m.views[r.Start] = sharedView{r: r, mem: mem}
			m.mu.Unlock()
			return r, nil
		}
	}
	r, path, err := m.shm.ReserveShared(ctx, size, low)
	if err != nil {
		return r, err
	}
	// An executor on another machine names a path that does not exist
	// here — or, worse, one that does: accept only the executor's memfd.
	if target, err := os.Readlink(path); err != nil || !strings.HasPrefix(target, "/memfd:gorc-slab") {
		m.e.Release(ctx, r)
		if err == nil {
			err = fmt.Errorf("it is %s, not the executor's shared memory", target)
		}
		return shared.ExecutorAddrRange{}, fmt.Errorf("memmgr: mapping executor shared memory %s: %w (shared memory needs the executor on this machine, started by this user)", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		m.e.Release(ctx, r)
		return shared.ExecutorAddrRange{}, fmt.Errorf("memmgr: mapping executor shared memory %s: %w (shared memory needs the executor on this machine, started by this user)", path, err)
	}
	defer f.Close()
	if r.Size() > math.MaxInt {
		m.e.Release(ctx, r)
		return shared.ExecutorAddrRange{}, fmt.Errorf("memmgr: mapping executor shared memory %s: %#x bytes too large", path, r.Size())
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, int(r.Size()), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		m.e.Release(ctx, r)
		return shared.ExecutorAddrRange{}, fmt.Errorf("memmgr: mapping executor shared memory %s (%#x bytes): %w", path, r.Size(), err)
	}
	m.mu.Lock()
	m.views[r.Start] = sharedView{r: r, mem: mem}
	m.mu.Unlock()
	return r, nil
}

// Prepare implements Mapper: the local view of the shared pages.
func (m *SharedMemoryMapper) Prepare(ctx context.Context, r shared.ExecutorAddrRange, size uint64) ([]byte, error) {
	if size > r.Size() {
		return nil, fmt.Errorf("memmgr: prepare %v: size %#x exceeds the range", r, size)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range m.views {
		if v.r.Contains(r.Start) && r.End <= v.r.End {
			off := uint64(r.Start - v.r.Start)
			return v.mem[off : off+size : off+size], nil
		}
	}
	return nil, fmt.Errorf("memmgr: prepare %v: not in a shared reservation", r)
}

// Initialize implements Mapper: content is already in place.
func (m *SharedMemoryMapper) Initialize(ctx context.Context, info AllocInfo) error {
	// The protections and the actions in one round trip if the executor
	// takes batches.
	if done, err := m.initBatch(ctx, nil, sortedSegs(info.Segments), info.Actions); done {
		return err
	}
	if err := m.protectFinal(ctx, info.Segments); err != nil {
		return err
	}
	return m.runActions(ctx, info.Actions)
}

// Release implements Mapper: unmaps the local view, then the executor's.
func (m *SharedMemoryMapper) Release(ctx context.Context, r shared.ExecutorAddrRange) error {
	m.mu.Lock()
	v, ok := m.views[r.Start]
	delete(m.views, r.Start)
	m.mu.Unlock()
	var errs []error
	if ok {
		if err := syscall.Munmap(v.mem); err != nil {
			errs = append(errs, fmt.Errorf("memmgr: unmapping the local view of %v: %w", r, err))
		}
	}
	errs = append(errs, m.e.Release(ctx, r))
	return errors.Join(errs...)
}

// NewForExecutor returns a slab over the natural mapper for e: the real
// memory for an executor in this process; for a remote one, shared memory
// when shm is set (the executor must be on this machine: otherwise the
// first allocation fails saying so) or copies over the stream.
func NewForExecutor(e epc.ExecutorProcessControl, shm bool, opts SlabOptions) (*Slab, error) {
	var m Mapper
	if _, local := e.(epc.LocalMemory); local {
		im, err := NewInProcessMapper(e)
		if err != nil {
			return nil, err
		}
		m = im
	} else if shm {
		sm, err := NewSharedMemoryMapper(e)
		if err != nil {
			return nil, fmt.Errorf("memmgr: -shm: %w", err)
		}
		m = sm
	} else {
		m = NewCopyMapper(e)
	}
	return NewSlab(m, opts)
}
