package amd64_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

// linkShapes links g (whose shapes were added to live symbols) against
// externals at the given addresses.
func linkShapes(t *testing.T, g *jitlink.LinkGraph, ext map[string]shared.ExecutorAddr) *jitlinktest.MemoryManager {
	t.Helper()
	mm := jitlinktest.NewMemoryManager(0x10000)
	lc := &jitlinktest.Context{MM: mm, Symbols: ext}
	if err := jitlink.Link(context.Background(), g, lc); err != nil {
		t.Fatal(err)
	}
	return mm
}

// ripTarget decodes one instruction of code at pc, checks its opcode and
// returns the address of its RIP-relative memory operand and its length.
func ripTarget(t *testing.T, code []byte, pc uint64, op x86asm.Op) (uint64, int) {
	t.Helper()
	in, err := x86asm.Decode(code, 64)
	if err != nil {
		t.Fatalf("decode % x: %v", code, err)
	}
	if in.Op != op {
		t.Fatalf("decode % x: %v, want %v", code, in, op)
	}
	m, ok := in.Args[0].(x86asm.Mem)
	if !ok || m.Base != x86asm.RIP || m.Index != 0 {
		t.Fatalf("%v: operand is not RIP-relative memory", in)
	}
	return pc + uint64(in.Len) + uint64(int64(int32(m.Disp))), in.Len
}

func TestArchSizes(t *testing.T) {
	a := amd64.Arch
	if a.PointerSize() != 8 || a.StubSize() != 8 || a.TrampolineSize() != 8 || a.TrampolineReturnOffset() != 6 {
		t.Errorf("sizes: pointer %d stub %d trampoline %d return offset %d",
			a.PointerSize(), a.StubSize(), a.TrampolineSize(), a.TrampolineReturnOffset())
	}
}

func TestAddPointer(t *testing.T) {
	tests := []struct {
		name   string
		target bool
		addend int64
		want   uint64
	}{
		{"external", true, 0, 0x7fff_1234_0000},
		{"external+addend", true, 16, 0x7fff_1234_0010},
		{"nil target", false, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := jitlink.NewLinkGraph("ptr", amd64.Arch)
			sec := g.AddSection("$slots", shared.ProtRead|shared.ProtWrite, jitlink.SectionSynthetic)
			var tgt *jitlink.Symbol
			if tc.target {
				tgt = g.AddExternalSymbol("ext", false)
			}
			p := amd64.Arch.AddPointer(g, sec, tgt, tc.addend)
			p.Live = true
			if p.Size != 8 || p.Block.Size != 8 || p.Block.Align != 8 {
				t.Fatalf("slot: size %d block %d align %d", p.Size, p.Block.Size, p.Block.Align)
			}
			switch {
			case tc.target && (len(p.Block.Edges) != 1 || p.Block.Edges[0].Kind != amd64.Pointer64 || p.Block.Edges[0].Target != tgt || p.Block.Edges[0].Addend != tc.addend):
				t.Fatalf("edges %+v, want one Pointer64 to ext%+d", p.Block.Edges, tc.addend)
			case !tc.target && len(p.Block.Edges) != 0:
				t.Fatalf("nil target: edges %+v", p.Block.Edges)
			}
			mm := linkShapes(t, g, map[string]shared.ExecutorAddr{"ext": 0x7fff_1234_0000})
			c, err := mm.Read(p.Address(), 8)
			if err != nil {
				t.Fatal(err)
			}
			if v := binary.LittleEndian.Uint64(c); v != tc.want {
				t.Errorf("slot holds %#x, want %#x", v, tc.want)
			}
		})
	}
}

func TestAddPointerJumpStub(t *testing.T) {
	g := jitlink.NewLinkGraph("stub", amd64.Arch)
	data := g.AddSection("$slots", shared.ProtRead|shared.ProtWrite, jitlink.SectionSynthetic)
	code := g.AddSection("$stubs", shared.ProtRead|shared.ProtExec, jitlink.SectionSynthetic)
	var slots, stubs []*jitlink.Symbol
	for i := range 3 {
		slot := amd64.Arch.AddPointer(g, data, g.AddExternalSymbol(fmt.Sprintf("f%d", i), false), 0)
		stub := amd64.Arch.AddPointerJumpStub(g, code, slot)
		stub.Live = true
		if !stub.Callable || stub.Size != 8 || stub.Block.Align != 8 {
			t.Fatalf("stub %d: callable %v size %d align %d", i, stub.Callable, stub.Size, stub.Block.Align)
		}
		e := stub.Block.Edges
		if len(e) != 1 || e[0].Kind != amd64.Delta32 || e[0].Target != slot || e[0].Offset != 2 || e[0].Addend != -4 {
			t.Fatalf("stub %d edges %+v, want Delta32 at 2 to the slot, addend -4", i, e)
		}
		slots, stubs = append(slots, slot), append(stubs, stub)
	}
	ext := map[string]shared.ExecutorAddr{"f0": 0x7f00_0000_1000, "f1": 0x7f00_0000_2000, "f2": 0x1234}
	mm := linkShapes(t, g, ext)
	for i, stub := range stubs {
		c, _ := mm.Read(stub.Address(), 8)
		slot, n := ripTarget(t, c, uint64(stub.Address()), x86asm.JMP)
		if slot != uint64(slots[i].Address()) {
			t.Errorf("stub %d jumps through %#x, want the slot at %v", i, slot, slots[i].Address())
		}
		if c[n] != 0xcc || c[n+1] != 0xcc || n != 6 {
			t.Errorf("stub %d: % x, want a 6-byte jmp padded with int3", i, c)
		}
		sc, _ := mm.Read(shared.ExecutorAddr(slot), 8)
		if v := shared.ExecutorAddr(binary.LittleEndian.Uint64(sc)); v != ext[fmt.Sprintf("f%d", i)] {
			t.Errorf("stub %d: slot holds %v", i, v)
		}
	}
}

func TestAddTrampoline(t *testing.T) {
	g := jitlink.NewLinkGraph("tramp", amd64.Arch)
	sec := g.AddSection("$trampolines", shared.ProtRead|shared.ProtExec, jitlink.SectionSynthetic)
	reentry := g.AddExternalSymbol("__gorc_reentry", false)
	var tramps []*jitlink.Symbol
	for range 4 {
		tr := amd64.Arch.AddTrampoline(g, sec, reentry)
		tr.Live = true
		if !tr.Callable || tr.Size != 8 || tr.Block.Align != 8 {
			t.Fatalf("trampoline: callable %v size %d align %d", tr.Callable, tr.Size, tr.Block.Align)
		}
		tramps = append(tramps, tr)
	}
	// One shared slot for the re-entry point, then the trampolines.
	if len(sec.Blocks) != 5 {
		t.Fatalf("%d blocks, want one re-entry slot and 4 trampolines", len(sec.Blocks))
	}
	slot := tramps[0].Block.Edges[0].Target
	for i, tr := range tramps {
		e := tr.Block.Edges
		if len(e) != 1 || e[0].Kind != amd64.Delta32 || e[0].Target != slot || e[0].Offset != 2 || e[0].Addend != -4 {
			t.Fatalf("trampoline %d edges %+v, want Delta32 at 2 to the shared slot", i, e)
		}
	}
	if e := slot.Block.Edges; len(e) != 1 || e[0].Kind != amd64.Pointer64 || e[0].Target != reentry {
		t.Fatalf("re-entry slot edges %+v", e)
	}
	const reentryAddr = 0x7fff_dead_0000
	mm := linkShapes(t, g, map[string]shared.ExecutorAddr{"__gorc_reentry": reentryAddr})
	for i, tr := range tramps {
		c, _ := mm.Read(tr.Address(), 8)
		at, n := ripTarget(t, c, uint64(tr.Address()), x86asm.CALL)
		if at != uint64(slot.Address()) {
			t.Errorf("trampoline %d calls through %#x, want the slot at %v", i, at, slot.Address())
		}
		if uint64(n) != amd64.Arch.TrampolineReturnOffset() {
			t.Errorf("trampoline %d: call is %d bytes, return offset says %d", i, n, amd64.Arch.TrampolineReturnOffset())
		}
		sc, _ := mm.Read(shared.ExecutorAddr(at), 8)
		if v := binary.LittleEndian.Uint64(sc); v != reentryAddr {
			t.Errorf("trampoline %d: slot holds %#x", i, v)
		}
	}
	// A second re-entry symbol gets its own slot.
	other := g.AddExternalSymbol("other_reentry", false)
	if tr := amd64.Arch.AddTrampoline(g, sec, other); tr.Block.Edges[0].Target == slot {
		t.Errorf("a different re-entry symbol shares the slot of __gorc_reentry")
	}
}

// TestAbsoluteStubs links "mov $ext, %eax" (R_X86_64_32) against an
// external in and out of reach of the 32-bit field: a far function is
// reached through an absolute stub, a near one directly, a throw site's
// "mov $typeinfo" becomes a jump to a FarTypeinfo thunk, and a far C++
// typeinfo in data (".long _ZTIi") is refused.
func TestAbsoluteStubs(t *testing.T) {
	tests := []struct {
		name    string
		ext     string
		addr    shared.ExecutorAddr
		stub    bool
		data    bool // the reference is in .data, not in code
		wantErr string
	}{
		{"near", "f", 0x1234_5678, false, false, ""},
		{"weak zero", "f", 0, false, false, ""},
		{"far function", "f", 0x7fff_0000_1000, true, false, ""},
		{"far typeinfo in code", "_ZTIi", 0x7fff_0000_1000, false, false, ""},
		{"far typeinfo in data", "_ZTIi", 0x7fff_0000_1000, false, true, "copy relocation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := jitlink.NewLinkGraph("abs.o", amd64.Arch)
			sec := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
			if tc.data {
				sec = g.AddSection(".data", shared.ProtRead|shared.ProtWrite, 0)
			}
			b := g.AddContentBlock(sec, []byte{0xb8, 0, 0, 0, 0, 0xc3}, 16, 0)
			g.AddDefinedSymbol(b, 0, "get", 6, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
			b.AddEdge(amd64.Pointer32, 1, g.AddExternalSymbol(tc.ext, false), 0)
			mm := jitlinktest.NewMemoryManager(0x10000)
			lc := &jitlinktest.Context{MM: mm, Symbols: map[string]shared.ExecutorAddr{tc.ext: tc.addr}}
			err := jitlink.Link(context.Background(), g, lc)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), tc.ext) {
					t.Fatalf("err = %v, want one naming %s and %q", err, tc.ext, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			code, _ := mm.Read(b.Addr, 6)
			imm := shared.ExecutorAddr(binary.LittleEndian.Uint32(code[1:]))
			ss := g.FindSection(amd64.AbsStubsSectionName)
			if strings.HasPrefix(tc.ext, "_ZTI") {
				th := g.FindSection(amd64.FarTypeinfoSectionName)
				if code[0] != 0xe9 || ss != nil || th == nil {
					t.Fatalf("throw site % x: want a jump to a FarTypeinfo thunk and no absolute stub", code)
				}
				ins := decodeAll(t, th.Blocks[0].Content[:10], 0)
				if want := fmt.Sprintf("MOVQ $0x%x, AX", uint64(tc.addr)); ins[0] != want {
					t.Errorf("thunk %v, want %s", ins, want)
				}
				return
			}
			if !tc.stub {
				if imm != tc.addr {
					t.Errorf("mov $%v, want the target %v directly", imm, tc.addr)
				}
				return
			}
			if ss == nil || len(ss.Blocks) != 2 {
				t.Fatalf("want a slot and a stub in %s", amd64.AbsStubsSectionName)
			}
			stub := ss.Blocks[1]
			if imm != stub.Addr {
				t.Fatalf("mov $%v, want the stub at %v", imm, stub.Addr)
			}
			sc, _ := mm.Read(stub.Addr, 8)
			slot, _ := ripTarget(t, sc, uint64(stub.Addr), x86asm.JMP)
			v, _ := mm.Read(shared.ExecutorAddr(slot), 8)
			if got := shared.ExecutorAddr(binary.LittleEndian.Uint64(v)); got != tc.addr {
				t.Errorf("stub jumps to %v, want %v", got, tc.addr)
			}
		})
	}
}

// TestStubBlocks: the block forms (jitlink.StubBlockArch) give stub i a
// jmp through slot i holding target i, and trampoline i a call through
// the one re-entry slot, the same shapes as the one-at-a-time methods.
func TestStubBlocks(t *testing.T) {
	ba, ok := amd64.Arch.(jitlink.StubBlockArch)
	if !ok {
		t.Fatal("x86-64 does not implement jitlink.StubBlockArch")
	}
	g := jitlink.NewLinkGraph("blocks", amd64.Arch)
	data := g.AddSection("$slots", shared.ProtRead|shared.ProtWrite, jitlink.SectionSynthetic)
	code := g.AddSection("$stubs", shared.ProtRead|shared.ProtExec, jitlink.SectionSynthetic)
	tsec := g.AddSection("$trampolines", shared.ProtRead|shared.ProtExec, jitlink.SectionSynthetic)
	targets := []shared.ExecutorAddr{0x7f00_0000_1000, 0x1234, 0x7f00_dead_0008, 0x42}
	stubs, slots := ba.AddPointerJumpStubBlock(g, code, data, targets)
	stubs.Live, slots.Live = true, true
	const n = 5
	first := ba.AddTrampolineBlock(g, tsec, g.AddExternalSymbol("__reentry", false), n)
	first.Live = true
	if !stubs.Callable || !first.Callable {
		t.Fatal("stub and trampoline blocks must be callable")
	}
	mm := linkShapes(t, g, map[string]shared.ExecutorAddr{"__reentry": 0x7fff_0000_0040})
	for i, want := range targets {
		pc := uint64(stubs.Address()) + uint64(i*amd64.Arch.StubSize())
		c, _ := mm.Read(shared.ExecutorAddr(pc), 8)
		slot, _ := ripTarget(t, c, pc, x86asm.JMP)
		if wantSlot := uint64(slots.Address()) + uint64(i*8); slot != wantSlot {
			t.Errorf("stub %d jumps through %#x, want slot %d at %#x", i, slot, i, wantSlot)
		}
		v, _ := mm.Read(shared.ExecutorAddr(slot), 8)
		if got := binary.LittleEndian.Uint64(v); got != uint64(want) {
			t.Errorf("slot %d holds %#x, want %#x", i, got, want)
		}
	}
	var reslot uint64
	for i := range n {
		pc := uint64(first.Address()) + uint64(i*amd64.Arch.TrampolineSize())
		c, _ := mm.Read(shared.ExecutorAddr(pc), 8)
		slot, l := ripTarget(t, c, pc, x86asm.CALL)
		if uint64(l) != amd64.Arch.TrampolineReturnOffset() {
			t.Errorf("trampoline %d: call is %d bytes, want the return offset %d", i, l, amd64.Arch.TrampolineReturnOffset())
		}
		if i == 0 {
			reslot = slot
		} else if slot != reslot {
			t.Errorf("trampoline %d calls through %#x, trampoline 0 through %#x", i, slot, reslot)
		}
	}
	v, _ := mm.Read(shared.ExecutorAddr(reslot), 8)
	if got := binary.LittleEndian.Uint64(v); got != 0x7fff_0000_0040 {
		t.Errorf("re-entry slot holds %#x", got)
	}
}
