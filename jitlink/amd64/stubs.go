package amd64

import (
	"encoding/binary"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// The x86-64 stub shapes (jitlink.Arch's AddPointer, AddPointerJumpStub
// and AddTrampoline):
//
//	pointer:    .quad target+addend                       8 bytes, align 8
//	jump stub:  jmp *slot(%rip); int3; int3               8 bytes, align 8
//	trampoline: call *reentrySlot(%rip); int3; int3       8 bytes, align 8
//
// Both code shapes reach their slot PC-relatively (Delta32), so the slot
// must lie within ±2 GiB (the same graph or slab), while the slot's
// content is a full 64-bit address: the target or re-entry point may be
// anywhere. Trampolines of one graph share one re-entry slot per re-entry
// symbol, placed in the section of the first trampoline that needed it.
const (
	pointerSize            = 8
	stubSize               = 8
	trampolineSize         = 8
	trampolineReturnOffset = 6 // just past "ff 15 disp32"
)

var (
	jumpStubCode   = [stubSize]byte{0xff, 0x25, 0, 0, 0, 0, 0xcc, 0xcc} // jmp *disp32(%rip)
	trampolineCode = [trampolineSize]byte{0xff, 0x15, 0, 0, 0, 0, 0xcc, 0xcc}
)

type reentrySlotKey struct{ reentry *jitlink.Symbol }

func (arch) PointerSize() int               { return pointerSize }
func (arch) StubSize() int                  { return stubSize }
func (arch) TrampolineSize() int            { return trampolineSize }
func (arch) TrampolineReturnOffset() uint64 { return trampolineReturnOffset }

func (arch) AddPointer(g *jitlink.LinkGraph, sec *jitlink.Section, target *jitlink.Symbol, addend int64) *jitlink.Symbol {
	return AddPointer(g, sec, target, addend)
}

func (arch) AddPointerJumpStub(g *jitlink.LinkGraph, sec *jitlink.Section, slot *jitlink.Symbol) *jitlink.Symbol {
	return AddPointerJumpStub(g, sec, slot)
}

func (arch) AddTrampoline(g *jitlink.LinkGraph, sec *jitlink.Section, reentry *jitlink.Symbol) *jitlink.Symbol {
	return AddTrampoline(g, sec, reentry)
}

// AddPointerJumpStubBlock implements jitlink.StubBlockArch: the slots
// hold their targets as content (no edges), and stub i reaches slot i
// through one Delta32 edge to the slot block's symbol.
func (arch) AddPointerJumpStubBlock(g *jitlink.LinkGraph, stubSec, ptrSec *jitlink.Section, targets []shared.ExecutorAddr) (stubs, slots *jitlink.Symbol) {
	n := len(targets)
	pc := make([]byte, n*pointerSize)
	for i, t := range targets {
		binary.LittleEndian.PutUint64(pc[i*pointerSize:], uint64(t))
	}
	pb := g.AddMutableContentBlock(ptrSec, pc, pointerSize, 0)
	pb.Ordinal = blockOrdinal(ptrSec)
	slots = g.AddAnonymousSymbol(pb, 0, uint64(len(pc)))
	sc := make([]byte, n*stubSize)
	sb := g.AddMutableContentBlock(stubSec, sc, stubSize, 0)
	sb.Ordinal = blockOrdinal(stubSec)
	sb.Edges = make([]jitlink.Edge, 0, n)
	for i := range n {
		copy(sc[i*stubSize:], jumpStubCode[:])
		// disp32 at i*8+2, relative to the end of the instruction
		// (i*8+6): slot i is at slots + i*8.
		sb.AddEdge(Delta32, uint64(i*stubSize+2), slots, int64(i*pointerSize)-4)
	}
	stubs = g.AddDefinedSymbol(sb, 0, "", uint64(len(sc)), jitlink.LinkageStrong, jitlink.ScopeLocal, true, false)
	return stubs, slots
}

// AddTrampolineBlock implements jitlink.StubBlockArch.
func (arch) AddTrampolineBlock(g *jitlink.LinkGraph, sec *jitlink.Section, reentry *jitlink.Symbol, n int) *jitlink.Symbol {
	if g.Scratch == nil {
		g.Scratch = map[any]any{}
	}
	key := reentrySlotKey{reentry}
	slot, _ := g.Scratch[key].(*jitlink.Symbol)
	if slot == nil {
		slot = AddPointer(g, sec, reentry, 0)
		g.Scratch[key] = slot
	}
	c := make([]byte, n*trampolineSize)
	b := g.AddMutableContentBlock(sec, c, trampolineSize, 0)
	b.Ordinal = blockOrdinal(sec)
	b.Edges = make([]jitlink.Edge, 0, n)
	for i := range n {
		copy(c[i*trampolineSize:], trampolineCode[:])
		// Every trampoline calls through the one slot (disp32 relative
		// to the end of its own instruction, 4 bytes past the field).
		b.AddEdge(Delta32, uint64(i*trampolineSize+2), slot, -4)
	}
	return g.AddDefinedSymbol(b, 0, "", uint64(len(c)), jitlink.LinkageStrong, jitlink.ScopeLocal, true, false)
}

// AddPointer adds an 8-byte slot holding target+addend (zero if target is
// nil) to sec and returns its anonymous symbol.
func AddPointer(g *jitlink.LinkGraph, sec *jitlink.Section, target *jitlink.Symbol, addend int64) *jitlink.Symbol {
	b := g.AddMutableContentBlock(sec, make([]byte, pointerSize), pointerSize, 0)
	b.Ordinal = blockOrdinal(sec)
	if target != nil {
		b.AddEdge(Pointer64, 0, target, addend)
	}
	return g.AddAnonymousSymbol(b, 0, pointerSize)
}

// AddPointerJumpStub adds "jmp *slot(%rip)" (padded with int3 to 8 bytes)
// to sec and returns its callable anonymous symbol.
func AddPointerJumpStub(g *jitlink.LinkGraph, sec *jitlink.Section, slot *jitlink.Symbol) *jitlink.Symbol {
	code := jumpStubCode
	b := g.AddMutableContentBlock(sec, code[:], stubSize, 0)
	b.Ordinal = blockOrdinal(sec)
	b.AddEdge(Delta32, 2, slot, -4)
	return g.AddDefinedSymbol(b, 0, "", stubSize, jitlink.LinkageStrong, jitlink.ScopeLocal, true, false)
}

// AddTrampoline adds "call *slot(%rip)" (padded with int3 to 8 bytes) to
// sec, where slot is the graph's pointer to reentry (made on first use),
// and returns the trampoline's callable anonymous symbol. The return
// address the call pushes is the trampoline's address + 6.
func AddTrampoline(g *jitlink.LinkGraph, sec *jitlink.Section, reentry *jitlink.Symbol) *jitlink.Symbol {
	if g.Scratch == nil {
		g.Scratch = map[any]any{}
	}
	key := reentrySlotKey{reentry}
	slot, _ := g.Scratch[key].(*jitlink.Symbol)
	if slot == nil {
		slot = AddPointer(g, sec, reentry, 0)
		g.Scratch[key] = slot
	}
	code := trampolineCode
	b := g.AddMutableContentBlock(sec, code[:], trampolineSize, 0)
	b.Ordinal = blockOrdinal(sec)
	b.AddEdge(Delta32, 2, slot, -4)
	return g.AddDefinedSymbol(b, 0, "", trampolineSize, jitlink.LinkageStrong, jitlink.ScopeLocal, true, false)
}

// blockOrdinal gives a synthetic block appended to sec a layout position
// after the section's other blocks.
func blockOrdinal(sec *jitlink.Section) uint64 {
	n := len(sec.Blocks)
	if n < 2 {
		return 0
	}
	prev := sec.Blocks[n-2]
	return prev.Ordinal + prev.Size
}
