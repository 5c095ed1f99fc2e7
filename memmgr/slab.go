package memmgr

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"sort"
	"sync"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// Defaults for SlabOptions.
const (
	DefaultSlabSize    = 1 << 30   // 1 GiB of address space
	DefaultLowSlabSize = 256 << 20 // for Low2GiB requests
)

// SlabOptions configures a slab allocator.
type SlabOptions struct {
	// Size of the main slab in bytes (address space; pages are committed
	// only when used). 0 means DefaultSlabSize. PC-relative 32-bit
	// references reach across a slab of up to 2 GiB.
	Size uint64
	// Low places the main slab below 2 GiB, so that non-PIC small-model
	// code (R_X86_64_32/32S) and all other code share one region.
	Low bool
	// LowSize is the size of the separate low slab reserved on demand for
	// Low2GiB requests when the main slab is not low. 0 means
	// DefaultLowSlabSize.
	LowSize uint64
	// NoLowSlab refuses Low2GiB requests unless the main slab is low (or
	// is reserved low because the first request asks for it).
	NoLowSlab bool
	// NoCodeHeap turns the code heap off: every allocation gets pages of
	// its own, as before. The code heap is used with an InProcessMapper
	// over epc.InProcess, a CopyMapper over epc.Remote (a child, TCP
	// or TLS executor that accepts op map-dual) and a SharedMemoryMapper
	// (-shm: the blocks are pages of the shared reservation, written
	// through this process's view of it).
	NoCodeHeap bool
	// CodeHeapMax is the largest allocation (segments rounded to 16
	// bytes, summed) carved from the code heap's shared, dual-mapped
	// blocks instead of getting pages of its own. 0 means
	// DefaultCodeHeapMax.
	CodeHeapMax uint64
}

// SlabStats describes a slab allocator's memory.
type SlabStats struct {
	Reserved    uint64 // bytes of address space reserved
	InUse       uint64 // bytes allocated (page-rounded; code-heap pieces: 16-byte rounded)
	FreeBlocks  int    // number of free blocks (after coalescing)
	LargestFree uint64 // largest free block
	Allocations int    // live allocations (in flight or finalized)
	HeapBlocks  int    // code-heap blocks mapped (4 MiB each, kept until Close)
	HeapInUse   uint64 // bytes of code-heap blocks allocated
}

// Slab is a slab allocator implementing jitlink.MemoryManager: one large
// reservation, sub-allocated in page-aligned chunks, freed chunks reused.
// It is safe for concurrent use.
type Slab struct {
	m    Mapper
	opts SlabOptions
	ps   uint64

	mu     sync.Mutex
	main   *region
	low    *region
	allocs map[shared.ExecutorAddr]*record

	dsoMu sync.Mutex
	dso   shared.ExecutorAddr

	closing bool // Closing was called (s.mu)

	heap *codeHeap // nil: every allocation gets pages of its own
}

var _ jitlink.MemoryManager = (*Slab)(nil)

type region struct {
	r    shared.ExecutorAddrRange
	low  bool
	free []shared.ExecutorAddrRange // sorted, coalesced
}

type record struct {
	reg      *region
	chunk    shared.ExecutorAddrRange // the whole chunk
	keep     shared.ExecutorAddrRange // standard-lifetime part: chunk start ..
	ranges   []shared.ExecutorAddrRange
	actions  []shared.AllocActionPair
	pieces   []heapPiece // a code-heap allocation: its segments' pieces
	finished bool        // Finalize succeeded
	freeing  bool        // Deallocate claimed it
}

// NewSlab returns a slab allocator over mapper. The address space is
// reserved on the first allocation (below 2 GiB if that first request is
// Low2GiB, or if opts.Low).
func NewSlab(mapper Mapper, opts SlabOptions) (*Slab, error) {
	if mapper == nil {
		return nil, errors.New("memmgr: new slab: nil mapper")
	}
	ps := mapper.PageSize()
	if ps == 0 || ps&(ps-1) != 0 {
		return nil, fmt.Errorf("memmgr: new slab: bad page size %d", ps)
	}
	if opts.Size == 0 {
		opts.Size = DefaultSlabSize
	}
	if opts.LowSize == 0 {
		opts.LowSize = DefaultLowSlabSize
	}
	opts.Size = alignUp(opts.Size, ps)
	opts.LowSize = alignUp(opts.LowSize, ps)
	if opts.Size == 0 || opts.LowSize == 0 {
		return nil, fmt.Errorf("memmgr: new slab: size overflows")
	}
	return &Slab{m: mapper, opts: opts, ps: ps, allocs: map[shared.ExecutorAddr]*record{}, heap: newCodeHeap(mapper, opts)}, nil
}

func alignUp(v, a uint64) uint64 { return (v + a - 1) &^ (a - 1) }

// layout computes per-segment offsets inside a chunk: standard-lifetime
// segments first, then finalize-lifetime ones, each page aligned (or more).
func (s *Slab) layout(req jitlink.AllocRequest) (offs []uint64, keepSize, total, align uint64, err error) {
	offs = make([]uint64, len(req.Segments))
	align = s.ps
	var off uint64
	for pass := 0; pass < 2; pass++ {
		want := jitlink.LifetimeStandard
		if pass == 1 {
			want = jitlink.LifetimeFinalize
			if off == 0 {
				off = s.ps // an anchor page: the handle stays unique until Deallocate
			}
			keepSize = off
		}
		for i, seg := range req.Segments {
			if seg.Lifetime != want {
				continue
			}
			a := seg.Align
			if a == 0 {
				a = 1
			}
			if a&(a-1) != 0 || a > 1<<30 {
				return nil, 0, 0, 0, fmt.Errorf("memmgr: allocate %q: segment %d: bad alignment %d", req.Name, i, seg.Align)
			}
			if !seg.Prot.Valid() {
				return nil, 0, 0, 0, fmt.Errorf("memmgr: allocate %q: segment %d: protection %v violates W^X", req.Name, i, seg.Prot)
			}
			if seg.Size > 1<<40 {
				return nil, 0, 0, 0, fmt.Errorf("memmgr: allocate %q: segment %d: size %#x too large", req.Name, i, seg.Size)
			}
			if a > align {
				align = a
			}
			off = alignUp(off, max(a, s.ps))
			offs[i] = off
			off += alignUp(seg.Size, s.ps)
		}
	}
	for i, seg := range req.Segments {
		if seg.Lifetime != jitlink.LifetimeStandard && seg.Lifetime != jitlink.LifetimeFinalize {
			return nil, 0, 0, 0, fmt.Errorf("memmgr: allocate %q: segment %d: unknown lifetime %d", req.Name, i, seg.Lifetime)
		}
	}
	return offs, keepSize, off, align, nil
}

// regionFor returns (reserving if needed) the region serving req. s.mu held.
func (s *Slab) regionFor(ctx context.Context, req jitlink.AllocRequest) (*region, error) {
	if s.main == nil {
		low := s.opts.Low || req.Low2GiB
		r, err := s.m.Reserve(ctx, s.opts.Size, low)
		if err != nil {
			return nil, fmt.Errorf("memmgr: reserving the slab (%d MiB, low=%v) for %q: %w", s.opts.Size>>20, low, req.Name, err)
		}
		s.main = &region{r: r, low: low, free: []shared.ExecutorAddrRange{r}}
	}
	if !req.Low2GiB || s.main.low {
		return s.main, nil
	}
	if s.opts.NoLowSlab {
		return nil, fmt.Errorf("memmgr: allocate %q: needs memory below 2 GiB (non-PIC R_X86_64_32/32S code) but the slab %v is above it; create the slab with Low set", req.Name, s.main.r)
	}
	if s.low == nil {
		r, err := s.m.Reserve(ctx, s.opts.LowSize, true)
		if err != nil {
			return nil, fmt.Errorf("memmgr: allocate %q: reserving a %d MiB slab below 2 GiB: %w", req.Name, s.opts.LowSize>>20, err)
		}
		s.low = &region{r: r, low: true, free: []shared.ExecutorAddrRange{r}}
	}
	return s.low, nil
}

// take carves size bytes aligned to align out of the free list (first fit).
// It never returns an address whose low 32 bits are all zero: libgcc's
// unwinder ignores an FDE whose pc_begin, read through a 4-byte
// encoding, is 0 in those bits (the mark of a discarded link-once
// function), so code placed there had no unwind information (found
// by TestCodeHeapEHFrame failing when the slab started 4 GiB-aligned).
func (g *region) take(size, align uint64) (shared.ExecutorAddr, bool) {
	for i, f := range g.free {
		start := alignUp(uint64(f.Start), align)
		if start&0xffffffff == 0 {
			start += max(align, heapGranule)
		}
		if start < uint64(f.Start) || start > uint64(f.End) || uint64(f.End)-start < size {
			continue
		}
		var repl []shared.ExecutorAddrRange
		if start > uint64(f.Start) {
			repl = append(repl, shared.ExecutorAddrRange{Start: f.Start, End: shared.ExecutorAddr(start)})
		}
		if end := start + size; end < uint64(f.End) {
			repl = append(repl, shared.ExecutorAddrRange{Start: shared.ExecutorAddr(end), End: f.End})
		}
		g.free = append(g.free[:i], append(repl, g.free[i+1:]...)...)
		return shared.ExecutorAddr(start), true
	}
	return 0, false
}

// put returns r to the free list, coalescing with its neighbours.
func (g *region) put(r shared.ExecutorAddrRange) error {
	if r.Size() == 0 {
		return nil
	}
	if !g.r.Contains(r.Start) || r.End > g.r.End {
		return fmt.Errorf("memmgr: internal error: freeing %v outside the slab %v", r, g.r)
	}
	i := sort.Search(len(g.free), func(i int) bool { return g.free[i].Start >= r.Start })
	if (i > 0 && g.free[i-1].End > r.Start) || (i < len(g.free) && g.free[i].Start < r.End) {
		return fmt.Errorf("memmgr: internal error: freeing %v which is (partly) free already", r)
	}
	mergePrev := i > 0 && g.free[i-1].End == r.Start
	mergeNext := i < len(g.free) && g.free[i].Start == r.End
	switch {
	case mergePrev && mergeNext:
		g.free[i-1].End = g.free[i].End
		g.free = append(g.free[:i], g.free[i+1:]...)
	case mergePrev:
		g.free[i-1].End = r.End
	case mergeNext:
		g.free[i].Start = r.Start
	default:
		g.free = append(g.free, shared.ExecutorAddrRange{})
		copy(g.free[i+1:], g.free[i:])
		g.free[i] = r
	}
	return nil
}

func (g *region) largest() uint64 {
	var l uint64
	for _, f := range g.free {
		l = max(l, f.Size())
	}
	return l
}

// Allocate implements jitlink.MemoryManager.
func (s *Slab) Allocate(ctx context.Context, req jitlink.AllocRequest) (jitlink.InFlightAlloc, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memmgr: allocate %q: %w", req.Name, err)
	}
	offs, keepSize, total, align, err := s.layout(req)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	g, err := s.regionFor(ctx, req)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	if bits.Len64(total) > 62 {
		s.mu.Unlock()
		return nil, fmt.Errorf("memmgr: allocate %q: %#x bytes is too large", req.Name, total)
	}
	if s.heap != nil && g == s.main && s.heap.eligible(req, s.ps) {
		s.mu.Unlock()
		ifa, err := s.allocHeap(ctx, req, g)
		if !errors.Is(err, errNoBlockRoom) {
			return ifa, err
		}
		// No room for a code block (a small slab): pages of its own.
		s.mu.Lock()
	}
	base, ok := g.take(total, align)
	if !ok {
		largest := g.largest()
		s.mu.Unlock()
		return nil, fmt.Errorf("memmgr: allocate %q: slab %v exhausted: need %d bytes (%d segments), largest free block is %d bytes",
			req.Name, g.r, total, len(req.Segments), largest)
	}
	rec := &record{
		reg:   g,
		chunk: shared.ExecutorAddrRange{Start: base, End: base.Add(total)},
		keep:  shared.ExecutorAddrRange{Start: base, End: base.Add(keepSize)},
	}
	s.allocs[base] = rec
	s.mu.Unlock()

	ifa := &inFlight{s: s, rec: rec, req: req, segs: make([]jitlink.Segment, len(req.Segments)), ranges: make([]shared.ExecutorAddrRange, len(req.Segments))}
	for i, seg := range req.Segments {
		ifa.ranges[i] = shared.ExecutorAddrRange{Start: base.Add(offs[i]), End: base.Add(offs[i] + alignUp(seg.Size, s.ps))}
	}
	// Segments laid out back to back are prepared together: one Prepare
	// (one protection change in this process) per run, not per segment.
	var prepared []shared.ExecutorAddrRange
	for _, run := range contiguousRuns(ifa.ranges) {
		first, last := run[0], run[len(run)-1]
		r := shared.ExecutorAddrRange{Start: ifa.ranges[first].Start, End: ifa.ranges[last].End}
		size := uint64(ifa.ranges[last].Start-r.Start) + req.Segments[last].Size
		mem, err := s.m.Prepare(ctx, r, size)
		if err != nil {
			s.free(ctx, rec, prepared, nil)
			return nil, fmt.Errorf("memmgr: allocate %q: segment %d: %w", req.Name, first, err)
		}
		prepared = append(prepared, r)
		for _, i := range run {
			off := uint64(ifa.ranges[i].Start - r.Start)
			n := req.Segments[i].Size
			ifa.segs[i] = jitlink.Segment{Addr: ifa.ranges[i].Start, Mem: mem[off : off+n : off+n]}
			if p, ok := s.m.(populater); ok && req.Segments[i].Prot&shared.ProtWrite == 0 && !req.CallerPopulates {
				// Code and read-only data are content, written in full
				// by the link; a writable segment may end in zero-fill
				// (.bss) that the program never touches, which must not
				// be committed.
				p.populate(ifa.segs[i].Mem)
			}
		}
	}
	rec.ranges = ifa.ranges
	return ifa, nil
}

// populater is a Mapper whose working memory is the executor's own pages
// (InProcessMapper): populate faults in, at once, a segment the link is
// about to fill.
type populater interface {
	populate(mem []byte)
}

// contiguousRuns groups the indices of ranges into runs of ranges that
// follow each other without a gap, in address order.
func contiguousRuns(ranges []shared.ExecutorAddrRange) [][]int {
	order := make([]int, len(ranges))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ra, rb := ranges[order[a]], ranges[order[b]]
		return ra.Start < rb.Start || ra.Start == rb.Start && ra.End < rb.End
	})
	var runs [][]int
	for k, i := range order {
		if k > 0 && ranges[order[k-1]].End == ranges[i].Start {
			runs[len(runs)-1] = append(runs[len(runs)-1], i)
			continue
		}
		runs = append(runs, []int{i})
	}
	return runs
}

// free discards ranges (running actions' Dealloc calls) and returns rec's
// chunk to its region.
func (s *Slab) free(ctx context.Context, rec *record, ranges []shared.ExecutorAddrRange, actions []shared.AllocActionPair) error {
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if rec.pieces != nil {
		// A code-heap allocation: no pages of its own to discard.
		err := s.m.Deinitialize(ctx, actions, nil)
		if err == nil && !closing && s.heap.remote != nil {
			err = s.heapScrub(ctx, rec.pieces)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.allocs, rec.chunk.Start)
		if err != nil || closing {
			return err // state unknown, or never handed out again
		}
		return s.heapPut(rec.pieces)
	}
	if closing {
		// Close releases the whole reservation: only the actions'
		// Dealloc calls (EH-frame deregistration, ...) must run.
		ranges = nil
	}
	err := s.m.Deinitialize(ctx, actions, ranges)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.allocs, rec.chunk.Start)
	if err != nil {
		// The memory's state is unknown: do not hand it out again.
		return err
	}
	if closing {
		return nil // not decommitted: never handed out again
	}
	if rec.finished {
		return rec.reg.put(rec.keep)
	}
	return rec.reg.put(rec.chunk)
}

type inFlight struct {
	s      *Slab
	rec    *record
	req    jitlink.AllocRequest
	segs   []jitlink.Segment
	ranges []shared.ExecutorAddrRange
	once   claimOnce
}

func (a *inFlight) Segments() []jitlink.Segment { return a.segs }

func (a *inFlight) claim(op string) error { return a.once.claim(op, a.req.Name) }

// claimOnce lets one of an in-flight allocation's Finalize and Abandon
// proceed, once.
type claimOnce struct {
	mu   sync.Mutex
	done bool
}

func (c *claimOnce) claim(op, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return fmt.Errorf("memmgr: %s %q: allocation already finalized or abandoned", op, name)
	}
	c.done = true
	return nil
}

// Finalize implements jitlink.InFlightAlloc.
func (a *inFlight) Finalize(ctx context.Context, actions []shared.AllocActionPair) (jitlink.FinalizedAlloc, error) {
	if err := a.claim("finalize"); err != nil {
		return jitlink.FinalizedAlloc{}, err
	}
	info := AllocInfo{Actions: actions}
	for i, seg := range a.req.Segments {
		info.Segments = append(info.Segments, SegInfo{Range: a.ranges[i], Working: a.segs[i].Mem, Prot: seg.Prot})
	}
	if err := a.s.m.Initialize(ctx, info); err != nil {
		ferr := a.s.free(ctx, a.rec, a.ranges, nil)
		return jitlink.FinalizedAlloc{}, errors.Join(fmt.Errorf("memmgr: finalize %q: %w", a.req.Name, err), ferr)
	}
	// Finalize-lifetime segments are done with: discard and reuse them.
	var scratch, keep []shared.ExecutorAddrRange
	for i, seg := range a.req.Segments {
		if seg.Lifetime == jitlink.LifetimeFinalize {
			scratch = append(scratch, a.ranges[i])
		} else {
			keep = append(keep, a.ranges[i])
		}
	}
	rest := shared.ExecutorAddrRange{Start: a.rec.keep.End, End: a.rec.chunk.End}
	var derr error
	if rest.Size() > 0 {
		derr = a.s.m.Deinitialize(ctx, nil, scratch)
	}
	var perr error
	a.s.mu.Lock()
	a.rec.finished = true
	a.rec.actions = actions
	if derr == nil {
		a.rec.ranges = keep
		if rest.Size() > 0 {
			perr = a.rec.reg.put(rest)
		}
	} else {
		// The scratch pages could not be discarded now: keep them with the
		// allocation (Deallocate retries) — the code is finalized and
		// usable, so this is not a finalize failure.
		a.rec.keep = a.rec.chunk
	}
	a.s.mu.Unlock()
	if perr != nil {
		return jitlink.FinalizedAlloc{Handle: a.rec.chunk.Start}, fmt.Errorf("memmgr: finalize %q: %w", a.req.Name, perr)
	}
	return jitlink.FinalizedAlloc{Handle: a.rec.chunk.Start}, nil
}

// Abandon implements jitlink.InFlightAlloc.
func (a *inFlight) Abandon(ctx context.Context) error {
	if err := a.claim("abandon"); err != nil {
		return err
	}
	if err := a.s.free(ctx, a.rec, a.ranges, nil); err != nil {
		return fmt.Errorf("memmgr: abandon %q: %w", a.req.Name, err)
	}
	return nil
}

// Deallocate implements jitlink.MemoryManager: for each allocation it runs
// the Dealloc calls of its actions in reverse order, then frees its memory
// for reuse. All allocations are processed, the last of allocs first (a
// stack: callers list them in the order they were finalized, and libgcc
// keeps registered EH frames in a list newest first, so deregistering
// newest first finds each frame at the list's head instead of walking
// all the frames registered before it); errors are joined.
func (s *Slab) Deallocate(ctx context.Context, allocs []jitlink.FinalizedAlloc) error {
	var errs []error
	for i := len(allocs) - 1; i >= 0; i-- {
		fa := allocs[i]
		s.mu.Lock()
		rec := s.allocs[fa.Handle]
		if rec != nil && (!rec.finished || rec.freeing) {
			rec = nil
		}
		if rec != nil {
			rec.freeing = true // a concurrent second Deallocate fails
		}
		s.mu.Unlock()
		if rec == nil {
			errs = append(errs, fmt.Errorf("memmgr: deallocate %v: not a finalized allocation of this slab", fa.Handle))
			continue
		}
		if err := s.free(ctx, rec, rec.ranges, rec.actions); err != nil {
			errs = append(errs, fmt.Errorf("memmgr: deallocate %v: %w", fa.Handle, err))
		}
	}
	return errors.Join(errs...)
}

// CodeHeapOff reports whether the slab gives every allocation pages of
// its own (no code heap: SlabOptions.NoCodeHeap, or a mapper without one).
func (s *Slab) CodeHeapOff() bool { return s.heap == nil }

// Stats returns the slab's memory figures.
func (s *Slab) Stats() SlabStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st SlabStats
	for _, g := range []*region{s.main, s.low} {
		if g == nil {
			continue
		}
		st.Reserved += g.r.Size()
		var free uint64
		for _, f := range g.free {
			free += f.Size()
		}
		st.InUse += g.r.Size() - free
		st.FreeBlocks += len(g.free)
		st.LargestFree = max(st.LargestFree, g.largest())
	}
	if s.heap != nil {
		for _, bs := range s.heap.blocks {
			for _, b := range bs {
				st.HeapBlocks++
				var free uint64
				for _, f := range b.reg.free {
					free += f.Size()
				}
				st.HeapInUse += b.reg.r.Size() - free
				st.InUse -= free // a block's free space is not in use
			}
		}
	}
	st.Allocations = len(s.allocs)
	return st
}

// Regions returns the reserved regions: the main slab and, if reserved,
// the low slab.
func (s *Slab) Regions() []shared.ExecutorAddrRange {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []shared.ExecutorAddrRange
	for _, g := range []*region{s.main, s.low} {
		if g != nil {
			out = append(out, g.r)
		}
	}
	return out
}

// Closing announces that Close follows once the allocations still live
// are deallocated (a JIT's session ends): from now on Deallocate runs the
// allocations' Dealloc actions but leaves their pages as they are instead
// of decommitting each (one system call, or one executor round trip,
// per allocation), and never hands their memory out again; Close then
// releases the reservation at once.
func (s *Slab) Closing() {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
}

// Close releases the slab's reservations. Allocations still live become
// invalid; code in them must not run any more.
func (s *Slab) Close(ctx context.Context) error {
	s.mu.Lock()
	regs := []*region{s.main, s.low}
	s.main, s.low = nil, nil
	s.allocs = map[shared.ExecutorAddr]*record{}
	if s.heap != nil {
		s.heap.blocks = map[shared.MemProt][]*heapBlock{}
	}
	s.mu.Unlock()
	s.dsoMu.Lock()
	s.dso = 0
	s.dsoMu.Unlock()
	var errs []error
	for _, g := range regs {
		if g != nil {
			if err := s.m.Release(ctx, g.r); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// DSOHandle returns the address of this slab's __dso_handle: an 8-byte
// object allocated once in the main slab and kept until Close. gcc emits
// __dso_handle references PC-relative (crtbegin.o defines it hidden), so
// it must lie within 32-bit reach of the code, i.e. in the slab; a
// process-symbols generator should resolve __dso_handle to it rather than
// to the executor's own (epc.BootstrapSymbols) one. C++ destructors
// registered with __cxa_atexit(…, &__dso_handle) run at exit either way.
func (s *Slab) DSOHandle(ctx context.Context) (shared.ExecutorAddr, error) {
	s.dsoMu.Lock()
	defer s.dsoMu.Unlock()
	if s.dso != 0 {
		return s.dso, nil
	}
	a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "__dso_handle", Segments: []jitlink.SegmentRequest{{Prot: shared.ProtRead, Size: 8, Align: 8}}})
	if err != nil {
		return 0, err
	}
	addr := a.Segments()[0].Addr
	if _, err := a.Finalize(ctx, nil); err != nil {
		return 0, err
	}
	s.dso = addr
	return addr, nil
}
