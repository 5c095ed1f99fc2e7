package lazy

import (
	"context"
	"fmt"
	"sync"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// DefaultTrampolineBlock is the number of trampolines a pool adds at a
// time when it runs out.
const DefaultTrampolineBlock = 256

// reentrySymbol is the name the trampoline graphs use for the re-entry
// point (resolved to the address given to NewTrampolinePool).
const reentrySymbol = "__gorc_reentry"

// TrampolinePool hands out trampolines that call the executor's re-entry
// point. It grows on demand by linking a block of trampolines (at least
// blockSize, or as many as one request needs) in one allocation. It is
// safe for concurrent use.
type TrampolinePool struct {
	arch      jitlink.Arch
	mm        jitlink.MemoryManager
	reentry   shared.ExecutorAddr
	blockSize int

	mu     sync.Mutex
	free   []shared.ExecutorAddr
	allocs []jitlink.FinalizedAlloc
	closed bool
}

// NewTrampolinePool returns a pool of trampolines (arch's shape) calling
// reentry, linked into memory from mm, blockSize at a time (0:
// DefaultTrampolineBlock).
func NewTrampolinePool(arch jitlink.Arch, mm jitlink.MemoryManager, reentry shared.ExecutorAddr, blockSize int) *TrampolinePool {
	if blockSize <= 0 {
		blockSize = DefaultTrampolineBlock
	}
	return &TrampolinePool{arch: arch, mm: mm, reentry: reentry, blockSize: blockSize}
}

// ReturnOffset is the offset from a trampoline's address to the return
// address the re-entry point receives from it.
func (p *TrampolinePool) ReturnOffset() uint64 { return p.arch.TrampolineReturnOffset() }

// Get returns n trampolines, growing the pool if needed.
func (p *TrampolinePool) Get(ctx context.Context, n int) ([]shared.ExecutorAddr, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errClosed
	}
	if p.reentry == 0 {
		return nil, fmt.Errorf("lazy: the executor has no re-entry point (%s)", reentrySymbol)
	}
	if len(p.free) < n {
		// Grown under the lock: concurrent requests wait for one block
		// instead of each linking their own.
		if err := p.growLocked(ctx, max(p.blockSize, n-len(p.free))); err != nil {
			return nil, err
		}
	}
	out := make([]shared.ExecutorAddr, n)
	copy(out, p.free[len(p.free)-n:])
	p.free = p.free[:len(p.free)-n]
	return out, nil
}

// Release gives trampolines back for reuse. The caller must be sure no
// thread can still enter them with their old meaning.
func (p *TrampolinePool) Release(addrs ...shared.ExecutorAddr) {
	p.mu.Lock()
	p.free = append(p.free, addrs...)
	p.mu.Unlock()
}

// Blocks returns how many blocks of trampolines the pool has linked.
func (p *TrampolinePool) Blocks() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.allocs)
}

func (p *TrampolinePool) growLocked(ctx context.Context, n int) error {
	g := jitlink.NewLinkGraph(fmt.Sprintf("<trampolines #%d>", len(p.allocs)+1), p.arch)
	sec := g.AddSection("$trampolines", shared.ProtRead|shared.ProtExec, jitlink.SectionSynthetic)
	re := g.AddExternalSymbol(reentrySymbol, false)
	tr := make([]shared.ExecutorAddr, n)
	var at func()
	if ba, ok := p.arch.(jitlink.StubBlockArch); ok {
		// One block of n trampolines.
		first := ba.AddTrampolineBlock(g, sec, re, n)
		first.Live = true
		size := uint64(p.arch.TrampolineSize())
		at = func() {
			for i := range tr {
				tr[i] = first.Address().Add(uint64(i) * size)
			}
		}
	} else {
		syms := make([]*jitlink.Symbol, n)
		for i := range syms {
			syms[i] = p.arch.AddTrampoline(g, sec, re)
			syms[i].Live = true
		}
		at = func() {
			for i, s := range syms {
				tr[i] = s.Address()
			}
		}
	}
	alloc, err := linkSynthetic(ctx, g, p.mm, map[string]shared.ExecutorAddr{reentrySymbol: p.reentry})
	if err != nil {
		return fmt.Errorf("lazy: growing the trampoline pool by %d: %w", n, err)
	}
	p.allocs = append(p.allocs, alloc)
	at()
	// Hand out in address order (free is used as a stack).
	for i := n - 1; i >= 0; i-- {
		p.free = append(p.free, tr[i])
	}
	return nil
}

// Close releases the pool's memory. No trampoline may be entered after.
func (p *TrampolinePool) Close(ctx context.Context) error {
	p.mu.Lock()
	allocs := p.allocs
	p.allocs, p.free, p.closed = nil, nil, true
	p.mu.Unlock()
	if len(allocs) == 0 {
		return nil
	}
	return p.mm.Deallocate(ctx, allocs)
}
