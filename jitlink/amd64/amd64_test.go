package amd64_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

// fixture builds a graph with one 16-byte data block at P and a target
// symbol at S (absolute), applies one edge and returns the bytes.
func applyOne(t *testing.T, kind jitlink.EdgeKind, P, S shared.ExecutorAddr, A int64, size uint64) ([]byte, error) {
	g := jitlink.NewLinkGraph("t.o", amd64.Arch)
	sec := g.AddSection(".data", shared.ProtRead|shared.ProtWrite, 0)
	b := g.AddMutableContentBlock(sec, make([]byte, 16), 1, 0)
	b.Addr = P
	tgt := g.AddAbsoluteSymbol("target", S, jitlink.LinkageStrong, jitlink.ScopeDefault, false)
	tgt.Size = size
	b.AddEdge(kind, 4, tgt, A)
	err := amd64.ApplyFixup(g, b, &b.Edges[0])
	return b.Content[4:], err
}

func TestFixups(t *testing.T) {
	le := binary.LittleEndian
	u32 := func(v uint32) []byte { b := make([]byte, 4); le.PutUint32(b, v); return b }
	u64 := func(v uint64) []byte { b := make([]byte, 8); le.PutUint64(b, v); return b }
	tests := []struct {
		name    string
		kind    jitlink.EdgeKind
		P, S    shared.ExecutorAddr
		A       int64
		want    []byte
		wantErr string
	}{
		{"Pointer64", amd64.Pointer64, 0x1000, 0x7fff_1234_5678, 8, u64(0x7fff_1234_5680), ""},
		{"Pointer32", amd64.Pointer32, 0x1000, 0xffff_fff0, 0, u32(0xffff_fff0), ""},
		{"Pointer32 overflow", amd64.Pointer32, 0x1000, 0x1_0000_0000, 0, nil, "unsigned 32-bit"},
		{"Pointer32Signed", amd64.Pointer32Signed, 0x1000, 0x7fff_fff0, 0, u32(0x7fff_fff0), ""},
		{"Pointer32Signed overflow", amd64.Pointer32Signed, 0x1000, 0x8000_0000, 0, nil, "below 2 GiB"},
		{"Delta32", amd64.Delta32, 0x1000, 0x2000, -4, u32(0x2000 - 4 - 0x1004), ""},
		{"Delta32 negative", amd64.Delta32, 0x9000, 0x2000, -4, u32(0xffff8ff8), ""},
		{"Delta32 overflow", amd64.Delta32, 0x1000, 0x1_0000_2000, -4, nil, "signed 32-bit"},
		{"Delta64", amd64.Delta64, 0x1000, 0x7fff_0000_0000, 0, u64(0x7fff_0000_0000 - 0x1004), ""},
		{"NegDelta32", amd64.NegDelta32, 0x1000, 0x800, 0, u32(0x1004 - 0x800), ""},
		{"BranchPCRel32", amd64.BranchPCRel32, 0x1000, 0x1100, -4, u32(0x1100 - 4 - 0x1004), ""},
		{"Size32", amd64.Size32, 0x1000, 0, 3, u32(67), ""},
		{"Size64", amd64.Size64, 0x1000, 0, 0, u64(64), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := applyOne(t, tc.kind, tc.P, tc.S, tc.A, 64)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				for _, part := range []string{"t.o", "section .data", "offset 0x4", amd64.KindName(tc.kind), "target", "value"} {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("error %q does not name %q", err, part)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got[:len(tc.want)], tc.want) {
				t.Errorf("wrote % x, want % x", got[:len(tc.want)], tc.want)
			}
		})
	}
}

func TestFixupPastEnd(t *testing.T) {
	g := jitlink.NewLinkGraph("t.o", amd64.Arch)
	sec := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	b := g.AddMutableContentBlock(sec, make([]byte, 6), 1, 0)
	tgt := g.AddAbsoluteSymbol("x", 0, jitlink.LinkageStrong, jitlink.ScopeDefault, false)
	b.AddEdge(amd64.Pointer64, 2, tgt, 0)
	if err := amd64.ApplyFixup(g, b, &b.Edges[0]); err == nil || !strings.Contains(err.Error(), "past the end") {
		t.Fatalf("got %v", err)
	}
}

// linkCode links code (one function block at 0x10000) whose edges target
// an external "ext" at extAddr, and returns the linked function bytes.
func linkCode(t *testing.T, code []byte, edges []jitlink.Edge, extAddr shared.ExecutorAddr, opts ...func(*jitlink.LinkGraph)) (*jitlink.LinkGraph, []byte) {
	t.Helper()
	g := jitlink.NewLinkGraph("code.o", amd64.Arch)
	for _, o := range opts {
		o(g)
	}
	sec := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	b := g.AddContentBlock(sec, code, 16, 0)
	g.AddDefinedSymbol(b, 0, "f", uint64(len(code)), jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
	ext := g.AddExternalSymbol("ext", false)
	for _, e := range edges {
		b.AddEdge(e.Kind, e.Offset, ext, e.Addend)
	}
	mm := jitlinktest.NewMemoryManager(0x10000)
	lc := &jitlinktest.Context{MM: mm, Symbols: map[string]shared.ExecutorAddr{"ext": extAddr}}
	if err := jitlink.Link(context.Background(), g, lc); err != nil {
		t.Fatal(err)
	}
	out, err := mm.Read(0x10000, uint64(len(code)))
	if err != nil {
		t.Fatal(err)
	}
	return g, out
}

func decodeAll(t *testing.T, code []byte, pc uint64) []string {
	var out []string
	for len(code) > 0 {
		in, err := x86asm.Decode(code, 64)
		if err != nil {
			t.Fatalf("decode % x: %v", code, err)
		}
		out = append(out, x86asm.GoSyntax(in, pc, nil))
		code = code[in.Len:]
		pc += uint64(in.Len)
	}
	return out
}

func TestGOTLoadRelaxation(t *testing.T) {
	// mov ext@GOTPCREL(%rip), %rax ; call *ext@GOTPCREL(%rip) ; jmp *ext@GOTPCREL(%rip)
	code := []byte{0x48, 0x8b, 0x05, 0, 0, 0, 0, 0xff, 0x15, 0, 0, 0, 0, 0xff, 0x25, 0, 0, 0, 0}
	edges := []jitlink.Edge{
		{Kind: amd64.RequestGOTAndTransformToPCRel32GOTLoadREXRelaxable, Offset: 3, Addend: -4},
		{Kind: amd64.RequestGOTAndTransformToPCRel32GOTLoadRelaxable, Offset: 9, Addend: -4},
		{Kind: amd64.RequestGOTAndTransformToPCRel32GOTLoadRelaxable, Offset: 15, Addend: -4},
	}
	// In reach: relaxed to direct forms.
	_, near := linkCode(t, append([]byte(nil), code...), edges, 0x50000)
	got := strings.Join(decodeAll(t, near, 0x10000), "; ")
	want := "LEAQ 0x3fff9(IP), AX; CALL 0x50000; JMP 0x50000; NOPL"
	if got != want {
		t.Errorf("near: %s, want %s", got, want)
	}
	if near[7] != 0x67 || near[8] != 0xe8 {
		t.Errorf("call not rewritten to addr32 call: % x", near[7:9])
	}
	// Out of reach: through the GOT, unchanged opcodes.
	g, far := linkCode(t, append([]byte(nil), code...), edges, 0x7fff_0000_0000)
	if !bytes.Equal(far[:3], code[:3]) || !bytes.Equal(far[7:9], code[7:9]) || !bytes.Equal(far[13:15], code[13:15]) {
		t.Errorf("far: opcodes changed: % x", far)
	}
	gotSec := g.FindSection(amd64.GOTSectionName)
	if gotSec == nil || len(gotSec.Blocks) != 2 {
		t.Fatalf("want a GOT header and one entry")
	}
	ent := gotSec.Blocks[1]
	if binary.LittleEndian.Uint64(ent.Content) != 0x7fff_0000_0000 {
		t.Errorf("GOT entry holds %#x", binary.LittleEndian.Uint64(ent.Content))
	}
	disp := int64(int32(binary.LittleEndian.Uint32(far[3:])))
	if shared.ExecutorAddr(0x10000+7+disp) != ent.Addr {
		t.Errorf("mov does not address the GOT entry")
	}
}

func TestStubBypass(t *testing.T) {
	code := []byte{0xe8, 0, 0, 0, 0, 0xc3}
	edges := []jitlink.Edge{{Kind: amd64.BranchPCRel32, Offset: 1, Addend: -4}}
	_, near := linkCode(t, append([]byte(nil), code...), edges, 0x90000)
	if d := int32(binary.LittleEndian.Uint32(near[1:])); 0x10005+int64(d) != 0x90000 {
		t.Errorf("near call goes to %#x, want the target directly", 0x10005+int64(d))
	}
	g, far := linkCode(t, append([]byte(nil), code...), edges, 0x7fff_0000_0000)
	stub := g.FindSection(amd64.StubsSectionName).Blocks[0]
	if d := int32(binary.LittleEndian.Uint32(far[1:])); shared.ExecutorAddr(0x10005+int64(d)) != stub.Addr {
		t.Errorf("far call should go to the stub at %v", stub.Addr)
	}
}

// TestKeepStubs: a graph recorded for a replay in another process
// (LinkGraph.KeepStubs) keeps the stub and GOT entry of an external in
// reach outside its Stable range (a shared library that ASLR may place
// out of reach next time), and still reaches one inside it directly.
func TestKeepStubs(t *testing.T) {
	call := []byte{0xe8, 0, 0, 0, 0, 0xc3}
	callEdges := []jitlink.Edge{{Kind: amd64.BranchPCRel32, Offset: 1, Addend: -4}}
	mov := []byte{0x48, 0x8b, 0x05, 0, 0, 0, 0, 0xc3} // mov ext@GOTPCREL(%rip), %rax
	movEdges := []jitlink.Edge{{Kind: amd64.RequestGOTAndTransformToPCRel32GOTLoadREXRelaxable, Offset: 3, Addend: -4}}
	keep := func(stable shared.ExecutorAddrRange) func(*jitlink.LinkGraph) {
		return func(g *jitlink.LinkGraph) { g.KeepStubs, g.Stable = true, stable }
	}
	inside := shared.ExecutorAddrRange{Start: 0x10000, End: 0x100000}
	outside := shared.ExecutorAddrRange{Start: 0x10000, End: 0x20000}
	for _, tc := range []struct {
		name   string
		stable shared.ExecutorAddrRange
		direct bool
	}{
		{"target in the stable range", inside, true},
		{"target outside it", outside, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, out := linkCode(t, append([]byte(nil), call...), callEdges, 0x50000, keep(tc.stable))
			to := 0x10005 + int64(int32(binary.LittleEndian.Uint32(out[1:])))
			stubs := g.FindSection(amd64.StubsSectionName)
			if tc.direct != (to == 0x50000) {
				t.Errorf("call goes to %#x (target 0x50000, direct wanted: %v)", to, tc.direct)
			}
			if !tc.direct && (stubs == nil || shared.ExecutorAddr(to) != stubs.Blocks[0].Addr) {
				t.Errorf("call goes to %#x, not to the stub", to)
			}
			_, out = linkCode(t, append([]byte(nil), mov...), movEdges, 0x50000, keep(tc.stable))
			if relaxed := out[1] == 0x8d; relaxed != tc.direct {
				t.Errorf("GOT load % x: relaxed to lea %v, want %v", out[:7], relaxed, tc.direct)
			}
		})
	}
}

func TestKindNames(t *testing.T) {
	seen := map[string]bool{}
	for k := amd64.Pointer64; k <= amd64.TLSModuleID64; k++ {
		n := amd64.KindName(k)
		if n == "" || strings.HasPrefix(n, "kind(") || seen[n] {
			t.Errorf("kind %d: name %q", k, n)
		}
		seen[n] = true
	}
}

// TestFarDataThunks links instructions that address a far external
// PC-relatively and checks the rewritten code and thunks.
func TestFarDataThunks(t *testing.T) {
	tests := []struct {
		name   string
		code   []byte // one instruction at 0, disp32 at off, then ret
		off    uint64
		addend int64
		want   string // the thunk's instruction, x86asm Go syntax
	}{
		{"load r64", []byte{0x48, 0x8b, 0x05, 0, 0, 0, 0, 0xc3}, 3, -4, "MOVQ 0(R11), AX"},
		{"load r11 uses r10", []byte{0x4c, 0x8b, 0x1d, 0, 0, 0, 0, 0xc3}, 3, -4, "MOVQ 0(R10), R11"},
		{"store r32", []byte{0x89, 0x15, 0, 0, 0, 0, 0xc3}, 2, -4, "MOVL DX, 0(R11)"},
		{"cmp imm8", []byte{0x83, 0x3d, 0, 0, 0, 0, 0x05, 0xc3}, 2, -5, "CMPL 0(R11), $0x5"},
		{"movss", []byte{0xf3, 0x0f, 0x10, 0x05, 0, 0, 0, 0, 0xc3}, 4, -4, "MOVSS 0(R11), X0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := jitlink.NewLinkGraph("far.o", amd64.Arch)
			sec := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
			b := g.AddContentBlock(sec, append([]byte(nil), tc.code...), 16, 0)
			g.AddDefinedSymbol(b, 0, "f", uint64(len(tc.code)), jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
			b.AddEdge(amd64.Delta32, tc.off, g.AddExternalSymbol("ext", false), tc.addend)
			mm := jitlinktest.NewMemoryManager(0x10000)
			lc := &jitlinktest.Context{MM: mm, Symbols: map[string]shared.ExecutorAddr{"ext": 0x7fff_0000_1000}}
			if err := jitlink.Link(context.Background(), g, lc); err != nil {
				t.Fatal(err)
			}
			code, _ := mm.Read(0x10000, uint64(len(tc.code)))
			if code[0] != 0xe9 {
				t.Fatalf("instruction not replaced by a jump: % x", code)
			}
			th := g.FindSection(amd64.ThunksSectionName).Blocks[0]
			ins := decodeAll(t, th.Content, uint64(th.Addr))
			if len(ins) < 7 || ins[3] != tc.want {
				t.Fatalf("thunk: %v, want instruction %q", ins, tc.want)
			}
			// The slot holds ext plus the operand's offset from the symbol
			// (the addend beyond the PC adjustment, here 0).
			slots := g.FindSection(amd64.GOTSectionName).Blocks
			v := binary.LittleEndian.Uint64(slots[len(slots)-1].Content)
			if v != 0x7fff_0000_1000 {
				t.Errorf("slot holds %#x", v)
			}
			if !strings.HasPrefix(ins[6], "JMP ") {
				t.Errorf("thunk does not end with a jump back: %v", ins)
			}
		})
	}
}
