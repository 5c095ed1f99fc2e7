package memmgr

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// Code-heap defaults (see SlabOptions.CodeHeapMax).
const (
	// DefaultCodeHeapMax is the largest allocation (the sum of its
	// segments, each rounded to 16 bytes) carved from shared code blocks.
	DefaultCodeHeapMax = 64 << 10
	// codeBlockSize is the size of one dual-mapped block. A block costs
	// two mappings (its executable view in the slab and its read-write
	// alias), whatever the number of functions in it.
	codeBlockSize = 4 << 20
	// heapGranule is the smallest alignment of a piece.
	heapGranule = 16
	// heapPopulateFrom is the smallest segment of a code block that
	// allocHeap populates in one madvise (Populate) before clearing it
	// (smaller ones span at most two pages: two faults at most).
	heapPopulateFrom = 8 << 10
)

// errNoBlockRoom means the slab has no room for another code block: the
// allocation gets pages of its own instead.
var errNoBlockRoom = errors.New("no room for a code block")

// dualExecutor is what an in-process executor control offers for the code
// heap (epc.InProcess): a block mapped twice, and the debug-object
// bookkeeping Decommit would otherwise do.
type dualExecutor interface {
	MapDual(ctx context.Context, r shared.ExecutorAddrRange, prot shared.MemProt) ([]byte, error)
	ForgetRange(r shared.ExecutorAddrRange)
}

// codeHeap sub-allocates small allocations from dual-mapped blocks of the
// slab: each block has its final protections for good at its slab
// address, where code runs, and is written through a read-write alias.
// One block per protection class is filled before the next is mapped.
type codeHeap struct {
	ex     dualExecutor // in-process
	remote *CopyMapper  // a child executor: content is written through it
	rem    remoteDual
	// shm: a child executor sharing the slab's memory (-shm). A block is
	// one protection change in the executor (its reservation is mapped
	// there PROT_NONE) and is written through this process's read-write
	// view of the reservation: the alias exists already.
	shm    *SharedMemoryMapper
	max    uint64
	blocks map[shared.MemProt][]*heapBlock // s.mu
	off    bool                            // the executor refused a block: pages of their own (s.mu)
}

// remoteDual is what a remote executor control offers for the code heap
// (epc.Remote): the executor maps the block twice and writes through its
// alias.
type remoteDual interface {
	MapDualBlock(ctx context.Context, r shared.ExecutorAddrRange, prot shared.MemProt) error
}

type heapBlock struct {
	reg  region // r: the executable (final) view; free list
	prot shared.MemProt
	rw   []byte // the read-write alias of reg.r
}

// heapPiece is one segment's memory in a block.
type heapPiece struct {
	blk      *heapBlock
	r        shared.ExecutorAddrRange
	finalize bool // finalize lifetime: freed once finalized
	freed    bool
}

func newCodeHeap(m Mapper, opts SlabOptions) *codeHeap {
	if opts.NoCodeHeap {
		return nil
	}
	max := opts.CodeHeapMax
	if max == 0 {
		max = DefaultCodeHeapMax
	}
	h := &codeHeap{max: max, blocks: map[shared.MemProt][]*heapBlock{}}
	switch m := m.(type) {
	case *InProcessMapper:
		ex, ok := m.e.(dualExecutor)
		if !ok {
			return nil
		}
		h.ex = ex
	case *CopyMapper:
		rem, ok := m.e.(remoteDual)
		if !ok {
			return nil
		}
		h.remote, h.rem = m, rem
	case *SharedMemoryMapper:
		h.shm = m
	default:
		return nil
	}
	return h
}

// eligible reports whether req is served by the heap: small, no alignment
// above a page, not all empty.
func (h *codeHeap) eligible(req jitlink.AllocRequest, ps uint64) bool {
	if h.off || req.Contiguous {
		return false
	}
	var total uint64
	for _, seg := range req.Segments {
		a := max(seg.Align, heapGranule)
		if a > ps || seg.Size > h.max {
			return false
		}
		total += alignUp(seg.Size, a)
	}
	return total > 0 && total <= h.max
}

// allocHeap serves req from the code heap. The caller validated req.
func (s *Slab) allocHeap(ctx context.Context, req jitlink.AllocRequest, g *region) (jitlink.InFlightAlloc, error) {
	pieces := make([]heapPiece, len(req.Segments))
	segs := make([]jitlink.Segment, len(req.Segments))
	var handle shared.ExecutorAddr
	for i, seg := range req.Segments {
		if seg.Size == 0 {
			continue
		}
		a := max(seg.Align, heapGranule)
		size := alignUp(seg.Size, heapGranule)
		blk, addr, err := s.heapTake(ctx, g, seg.Prot, size, a)
		if err != nil {
			s.mu.Lock()
			s.heapPut(pieces[:i])
			s.mu.Unlock()
			return nil, fmt.Errorf("memmgr: allocate %q: segment %d: %w", req.Name, i, err)
		}
		pieces[i] = heapPiece{blk: blk, r: shared.ExecutorAddrRange{Start: addr, End: addr.Add(size)}, finalize: seg.Lifetime == jitlink.LifetimeFinalize}
		var mem []byte
		if blk.rw == nil {
			mem = make([]byte, seg.Size) // written to the executor on Finalize
		} else {
			off := uint64(addr - blk.reg.r.Start)
			mem = blk.rw[off : off+seg.Size : off+seg.Size]
			if len(mem) >= heapPopulateFrom {
				// A block's pages are shared memory (MapDual): each
				// fresh one faulted in by the clear below was a
				// shmem fault of its own, 8% of the link's CPU in a
				// speculating run of 4,000 Kaleidoscope functions
				// (a batch of 64 is 60 KB of code). One madvise
				// allocates them at once; pages present already cost
				// a walk of their page tables.
				Populate(mem)
			}
			clear(mem)
		}
		segs[i] = jitlink.Segment{Addr: addr, Mem: mem}
		if handle == 0 {
			handle = addr
		}
	}
	for i := range segs {
		if segs[i].Mem == nil {
			segs[i].Mem = []byte{}
			segs[i].Addr = handle // empty: any address of the allocation
		}
	}
	rec := &record{reg: g, chunk: shared.ExecutorAddrRange{Start: handle, End: handle.Add(1)}, pieces: pieces}
	s.mu.Lock()
	s.allocs[handle] = rec
	s.mu.Unlock()
	return &heapInFlight{s: s, rec: rec, req: req, segs: segs}, nil
}

// heapTake carves size bytes aligned to align from a block of class prot,
// mapping a new block from region g if none has room.
func (s *Slab) heapTake(ctx context.Context, g *region, prot shared.MemProt, size, align uint64) (*heapBlock, shared.ExecutorAddr, error) {
	s.mu.Lock()
	for _, b := range s.heap.blocks[prot] {
		if a, ok := b.reg.take(size, align); ok {
			s.mu.Unlock()
			return b, a, nil
		}
	}
	base, ok := g.take(codeBlockSize, s.ps)
	s.mu.Unlock()
	if !ok {
		return nil, 0, fmt.Errorf("slab %v: %w", g.r, errNoBlockRoom)
	}
	r := shared.ExecutorAddrRange{Start: base, End: base.Add(codeBlockSize)}
	var rw []byte
	var err error
	if s.heap.ex != nil {
		rw, err = s.heap.ex.MapDual(ctx, r, prot)
	} else if s.heap.shm != nil {
		rw, err = s.shmBlock(ctx, r, prot)
	} else if err = s.heap.rem.MapDualBlock(ctx, r, prot); err != nil {
		// A shared (or older) executor refuses code blocks: every
		// allocation gets pages of its own from now on.
		s.mu.Lock()
		s.heap.off = true
		perr := g.put(r)
		s.mu.Unlock()
		if perr != nil {
			return nil, 0, perr
		}
		return nil, 0, fmt.Errorf("executor refused a code block (%v): %w", err, errNoBlockRoom)
	}
	if err != nil {
		// The range's state is unknown if mapping failed half way: it
		// stays out of the free list.
		return nil, 0, fmt.Errorf("mapping a code block: %w", err)
	}
	b := &heapBlock{reg: region{r: r, free: []shared.ExecutorAddrRange{r}}, prot: prot, rw: rw}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := b.reg.take(size, align)
	if !ok {
		return nil, 0, fmt.Errorf("internal error: %d bytes do not fit a fresh code block", size)
	}
	s.heap.blocks[prot] = append(s.heap.blocks[prot], b)
	return b, a, nil
}

// shmBlock makes the block r of a shared reservation a code block of
// class prot: its executor pages get their final protections (one
// protection change, merged by the kernel with a neighbouring block of the
// same class), and it is written through this process's view of the
// reservation, which aliases them already.
func (s *Slab) shmBlock(ctx context.Context, r shared.ExecutorAddrRange, prot shared.MemProt) ([]byte, error) {
	rw, err := s.heap.shm.Prepare(ctx, r, r.Size())
	if err != nil {
		return nil, err
	}
	if err := s.heap.shm.e.Protect(ctx, r, prot); err != nil {
		return nil, err
	}
	return rw, nil
}

// heapPut returns pieces to their blocks (s.mu held). Executable memory is
// filled with int3 so that a stray jump into freed code traps; other
// memory is zeroed. Debug objects registered inside are forgotten.
func (s *Slab) heapPut(pieces []heapPiece) error {
	var errs []error
	for i := range pieces {
		p := &pieces[i]
		if p.blk == nil || p.freed {
			continue
		}
		p.freed = true
		if p.blk.rw != nil {
			off := uint64(p.r.Start - p.blk.reg.r.Start)
			mem := p.blk.rw[off : off+p.r.Size()]
			if p.blk.prot&shared.ProtExec != 0 {
				for j := range mem {
					mem[j] = 0xcc
				}
			} else {
				clear(mem)
			}
			if s.heap.ex != nil {
				s.heap.ex.ForgetRange(p.r)
			} // (-shm: the allocation's Dealloc actions deregistered them)
		} // (a child's: filled by heapScrub; its writes forget debug objects)
		errs = append(errs, p.blk.reg.put(p.r))
	}
	return errors.Join(errs...)
}

// heapInFlight is an allocation of the code heap being linked.
type heapInFlight struct {
	s    *Slab
	rec  *record
	req  jitlink.AllocRequest
	segs []jitlink.Segment
	once claimOnce
}

func (a *heapInFlight) Segments() []jitlink.Segment { return a.segs }

func (a *heapInFlight) claim(op string) error { return a.once.claim(op, a.req.Name) }

// Finalize implements jitlink.InFlightAlloc: the content is in place and
// the pages have their final protections already; only the actions run.
func (a *heapInFlight) Finalize(ctx context.Context, actions []shared.AllocActionPair) (jitlink.FinalizedAlloc, error) {
	if err := a.claim("finalize"); err != nil {
		return jitlink.FinalizedAlloc{}, err
	}
	var err error
	if a.s.heap.remote != nil {
		err = a.s.heapTransfer(ctx, a.segs, actions)
	} else {
		err = a.s.m.Initialize(ctx, AllocInfo{Actions: actions})
	}
	if err != nil {
		ferr := a.s.free(ctx, a.rec, nil, nil)
		return jitlink.FinalizedAlloc{}, errors.Join(fmt.Errorf("memmgr: finalize %q: %w", a.req.Name, err), ferr)
	}
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	a.rec.finished = true
	a.rec.actions = actions
	var perr error
	for i := range a.rec.pieces {
		if a.rec.pieces[i].finalize {
			// Finalize-lifetime memory is not used after finalization.
			perr = errors.Join(perr, a.s.heapPut(a.rec.pieces[i:i+1]))
		}
	}
	if perr != nil {
		return jitlink.FinalizedAlloc{Handle: a.rec.chunk.Start}, fmt.Errorf("memmgr: finalize %q: %w", a.req.Name, perr)
	}
	return jitlink.FinalizedAlloc{Handle: a.rec.chunk.Start}, nil
}

// Abandon implements jitlink.InFlightAlloc.
func (a *heapInFlight) Abandon(ctx context.Context) error {
	if err := a.claim("abandon"); err != nil {
		return err
	}
	if err := a.s.free(ctx, a.rec, nil, nil); err != nil {
		return fmt.Errorf("memmgr: abandon %q: %w", a.req.Name, err)
	}
	return nil
}

// heapTransfer writes a child executor's pieces (through the executor's
// alias of each block) and runs the actions: one round trip when the
// executor takes batches.
func (s *Slab) heapTransfer(ctx context.Context, segs []jitlink.Segment, actions []shared.AllocActionPair) error {
	cm := s.heap.remote
	var steps []epc.MemOp
	for _, sg := range segs {
		if len(sg.Mem) > 0 {
			steps = append(steps, epc.MemOp{Kind: epc.MemOpWrite, Addr: sg.Addr, Data: sg.Mem})
		}
	}
	if done, err := cm.initBatch(ctx, steps, nil, actions); done {
		return err
	}
	for _, st := range steps {
		if err := cm.e.Write(ctx, st.Addr, st.Data); err != nil {
			return err
		}
	}
	return cm.runActions(ctx, actions)
}

// heapScrub overwrites a child executor's freed code pieces with int3
// (one round trip), so that a stray jump into freed code traps.
func (s *Slab) heapScrub(ctx context.Context, pieces []heapPiece) error {
	cm := s.heap.remote
	var steps []epc.MemOp
	for _, p := range pieces {
		if p.blk != nil && !p.freed && p.blk.prot&shared.ProtExec != 0 {
			steps = append(steps, epc.MemOp{Kind: epc.MemOpWrite, Addr: p.r.Start, Data: bytes.Repeat([]byte{0xcc}, int(p.r.Size()))})
		}
	}
	if len(steps) == 0 {
		return nil
	}
	if b, ok := cm.e.(epc.OrderedBatcher); ok {
		// Only later allocations of the pieces depend on the fill, and
		// their steps follow it.
		if _, err := b.BatchBeforeNext(ctx, steps); !errors.Is(err, epc.ErrBatchUnsupported) {
			return err
		}
	} else if b, ok := cm.e.(epc.Batcher); ok {
		if _, err := b.Batch(ctx, steps); !errors.Is(err, epc.ErrBatchUnsupported) {
			return err
		}
	}
	for _, st := range steps {
		if err := cm.e.Write(ctx, st.Addr, st.Data); err != nil {
			return err
		}
	}
	return nil
}
