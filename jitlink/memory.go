package jitlink

import (
	"context"

	"github.com/gorc-jit/gorc/shared"
)

// This file is the contract between the linker and whatever provides
// executor memory (package memmgr: a slab allocator over an executor
// connection). The linker lays a graph's blocks out into segments, one per
// protection and lifetime, asks the MemoryManager for them, writes fixed-up
// content into the working memory and finalizes.

// MemLifetime says how long a segment must live.
type MemLifetime uint8

const (
	// LifetimeStandard memory lives until the allocation is deallocated.
	LifetimeStandard MemLifetime = iota
	// LifetimeFinalize memory is needed only until finalization has run its
	// actions (scratch data read by a finalize action); it is freed then.
	LifetimeFinalize
)

// SegmentRequest asks for one segment of executor memory.
type SegmentRequest struct {
	Prot     shared.MemProt // protections after finalization (W^X)
	Lifetime MemLifetime
	Size     uint64 // bytes, content and zero-fill together
	Align    uint64 // power of two; at least 1
}

// AllocRequest asks for all segments of one link graph.
type AllocRequest struct {
	Name     string // the graph's name, for diagnostics
	Segments []SegmentRequest
	// Low2GiB requires every segment to lie below 2 GiB, for non-PIC
	// small-model code (R_X86_64_32 / R_X86_64_32S). An allocator that
	// cannot satisfy it must fail with a clear error.
	Low2GiB bool
	// Contiguous requires the segments to lie one after another, in
	// order, in one span (a replayed linked image, whose fixups assume
	// the recorded distances): an allocator that carves small requests
	// from shared blocks must give this one pages of its own.
	Contiguous bool
	// CallerPopulates says the caller faults in the working memory of
	// the segments it writes in full itself (memmgr.Populate, each of
	// its copying goroutines its own part, beside other work): an
	// allocator that would populate them at allocation leaves them.
	CallerPopulates bool
}

// Segment is one allocated segment: its executor address and the working
// memory the linker writes. Mem has len == Size and starts zeroed.
type Segment struct {
	Addr shared.ExecutorAddr
	Mem  []byte
}

// InFlightAlloc is an allocation between Allocate and Finalize.
type InFlightAlloc interface {
	// Segments returns the allocated segments in request order.
	Segments() []Segment
	// Finalize copies working memory to the executor (if it is not already
	// shared), applies the final protections and runs the actions'
	// Finalize calls in order. On error the memory is released.
	Finalize(ctx context.Context, actions []shared.AllocActionPair) (FinalizedAlloc, error)
	// Abandon releases the allocation without finalizing it.
	Abandon(ctx context.Context) error
}

// FinalizedAlloc is an opaque handle to finalized memory.
type FinalizedAlloc struct {
	Handle shared.ExecutorAddr
}

// MemoryManager allocates executor memory for link graphs. Implementations
// must be safe for concurrent use.
type MemoryManager interface {
	Allocate(ctx context.Context, req AllocRequest) (InFlightAlloc, error)
	// Deallocate runs the Dealloc actions of each allocation in reverse
	// order and releases its memory.
	Deallocate(ctx context.Context, allocs []FinalizedAlloc) error
}

// RangePromiser is implemented by memory managers that can say, before a
// graph is laid out, which address range its allocation will land in.
// Link asks for it only when the link context resolves externals early
// (EarlyResolver): with both facts a pass can prove a branch to an
// already-resolved external in 32-bit reach and leave out its GOT entry
// and stub (jitlink/amd64's BuildGOTAndStubs).
type RangePromiser interface {
	// AllocationRange returns the range every allocation of a request
	// with this Low2GiB setting will lie in, or false if the manager
	// cannot promise one (nothing reserved yet, more than one region
	// possible). Link checks the promise after allocation.
	AllocationRange(low2GiB bool) (shared.ExecutorAddrRange, bool)
}
