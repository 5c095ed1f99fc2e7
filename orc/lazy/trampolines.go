package lazy

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc/epc"
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

	// Name slots (SetNameSlots): the executor's service registering a
	// block's slots, how to write them, and the blocks that have them.
	nameSvc    shared.ExecutorAddr
	nameMem    epc.MemoryAccess
	nameBlocks []nameBlock
}

// NameSlotSize is the room kept per trampoline for the name of the
// function it stands for (longer names are cut).
const NameSlotSize = 64

// nameBlock is a block of trampolines with name slots: the first
// trampoline, how many, and where their slots start.
type nameBlock struct {
	first shared.ExecutorAddr
	n     uint64
	names shared.ExecutorAddr
}

// SetNameSlots makes each block of trampolines linked from now on carry a
// name slot per trampoline, registered with the executor's service svc
// (executor.LazyNamesName), and WriteNames fill them through mem: a
// process the program forked names the function of a refused lazy first
// call from them (it cannot ask the controller). Use it only where a
// write is cheap: in process, or an executor that sends writes with its
// next message (epc.OrderedBatcher).
func (p *TrampolinePool) SetNameSlots(svc shared.ExecutorAddr, mem epc.MemoryAccess) {
	p.mu.Lock()
	p.nameSvc, p.nameMem = svc, mem
	p.mu.Unlock()
}

// WriteNames writes names[i] into the name slot of trampoline tr[i] (cut
// to NameSlotSize-1 bytes), as one write per run of adjacent slots. A
// trampoline without a slot is skipped.
func (p *TrampolinePool) WriteNames(ctx context.Context, tr []shared.ExecutorAddr, names []string) error {
	p.mu.Lock()
	mem, blocks := p.nameMem, p.nameBlocks
	p.mu.Unlock()
	if mem == nil || len(blocks) == 0 {
		return nil
	}
	size := uint64(p.arch.TrampolineSize())
	if len(tr) == 1 {
		// One trampoline (a stub made for a callee during a first
		// call): its slot written at once, without the lists and the
		// sort below.
		t := tr[0]
		for _, b := range blocks {
			if t >= b.first && uint64(t-b.first) < b.n*size && uint64(t-b.first)%size == 0 {
				buf := make([]byte, NameSlotSize)
				copy(buf[:NameSlotSize-1], names[0])
				return writeNameOps(ctx, mem, []epc.MemOp{{Kind: epc.MemOpWrite, Addr: b.names.Add(uint64(t-b.first) / size * NameSlotSize), Data: buf}})
			}
		}
		return nil
	}
	type slot struct {
		at   shared.ExecutorAddr
		name string
	}
	slots := make([]slot, 0, len(tr))
	for i, t := range tr {
		for _, b := range blocks {
			if t >= b.first && uint64(t-b.first) < b.n*size && uint64(t-b.first)%size == 0 {
				slots = append(slots, slot{b.names.Add(uint64(t-b.first) / size * NameSlotSize), names[i]})
				break
			}
		}
	}
	slices.SortFunc(slots, func(a, b slot) int { return int(a.at - b.at) })
	var ops []epc.MemOp
	for i := 0; i < len(slots); {
		j := i + 1
		for j < len(slots) && slots[j].at == slots[j-1].at.Add(NameSlotSize) {
			j++
		}
		buf := make([]byte, (j-i)*NameSlotSize)
		for k := i; k < j; k++ {
			copy(buf[(k-i)*NameSlotSize:(k-i+1)*NameSlotSize-1], slots[k].name)
		}
		ops = append(ops, epc.MemOp{Kind: epc.MemOpWrite, Addr: slots[i].at, Data: buf})
		i = j
	}
	return writeNameOps(ctx, mem, ops)
}

// writeNameOps writes WriteNames' runs of slots through mem.
func writeNameOps(ctx context.Context, mem epc.MemoryAccess, ops []epc.MemOp) error {
	if ob, ok := mem.(epc.OrderedBatcher); ok {
		_, err := ob.BatchBeforeNext(ctx, ops)
		if !errors.Is(err, epc.ErrBatchUnsupported) {
			return err
		}
	}
	for _, op := range ops {
		if err := mem.Write(ctx, op.Addr, op.Data); err != nil {
			return err
		}
	}
	return nil
}

// nameActions are the finalize and deallocate actions registering and
// forgetting a block's name slots with the executor.
func nameActions(svc shared.ExecutorAddr, names shared.ExecutorAddr, first shared.ExecutorAddr, n, stride uint64) shared.AllocActionPair {
	arg := func(remove uint64) []byte {
		b := make([]byte, 48)
		for i, v := range []uint64{uint64(names), n * NameSlotSize, uint64(first), n, stride, remove} {
			binary.LittleEndian.PutUint64(b[8*i:], v)
		}
		return b
	}
	return shared.AllocActionPair{Finalize: shared.WrapperCall{Fn: svc, Arg: arg(0)}, Dealloc: shared.WrapperCall{Fn: svc, Arg: arg(1)}}
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
	var post jitlink.Pass
	var names *jitlink.Block
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
		if p.nameSvc != 0 {
			// And their name slots, registered when the block is
			// finalized (the executor keys them by return address).
			nsec := g.AddSection("$trampoline-names", shared.ProtRead|shared.ProtWrite, jitlink.SectionSynthetic)
			names = g.AddZeroFillBlock(nsec, uint64(n)*NameSlotSize, 8, 0)
			g.AddAnonymousSymbol(names, 0, uint64(n)*NameSlotSize).Live = true
			post = func(g *jitlink.LinkGraph) error {
				g.AllocActions = append(g.AllocActions, nameActions(p.nameSvc, names.Addr, first.Address().Add(p.ReturnOffset()), uint64(n), size))
				return nil
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
	alloc, err := linkSyntheticPost(ctx, g, p.mm, map[string]shared.ExecutorAddr{reentrySymbol: p.reentry}, post)
	if err != nil {
		return fmt.Errorf("lazy: growing the trampoline pool by %d: %w", n, err)
	}
	p.allocs = append(p.allocs, alloc)
	at()
	if names != nil {
		p.nameBlocks = append(p.nameBlocks, nameBlock{first: tr[0], n: uint64(n), names: names.Addr})
	}
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
	p.allocs, p.free, p.closed, p.nameBlocks = nil, nil, true, nil
	p.mu.Unlock()
	if len(allocs) == 0 {
		return nil
	}
	return p.mm.Deallocate(ctx, allocs)
}
