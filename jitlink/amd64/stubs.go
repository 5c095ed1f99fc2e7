package amd64

import (
	"github.com/gorc-jit/gorc/jitlink"
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
