package amd64_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

// callGraph builds a graph whose code calls n externals (each twice, and
// the first also through a GOT load), as a lazily compiled function's
// graph calls its callees.
func callGraph(n int) (*jitlink.LinkGraph, *jitlink.Block, []*jitlink.Symbol) {
	g := jitlink.NewLinkGraph("calls.o", amd64.Arch)
	text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	code := make([]byte, 10*n+8)
	b := g.AddMutableContentBlock(text, code, 16, 0)
	g.AddDefinedSymbol(b, 0, "caller", uint64(len(code)), jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
	exts := make([]*jitlink.Symbol, n)
	for i := range exts {
		exts[i] = g.AddExternalSymbol(fmt.Sprintf("callee%d", i), false)
		code[10*i] = 0xe8
		b.AddEdge(amd64.BranchPCRel32, uint64(10*i+1), exts[i], -4)
		code[10*i+5] = 0xe8
		b.AddEdge(amd64.BranchPCRel32, uint64(10*i+6), exts[i], -4)
	}
	copy(code[10*n:], []byte{0x48, 0x8b, 0x05}) // mov callee0@GOTPCREL(%rip), %rax
	b.AddEdge(amd64.RequestGOTAndTransformToPCRel32GOTLoadREXRelaxable, uint64(10*n+3), exts[0], -4)
	return g, b, exts
}

// TestGOTAndStubsForCallees: each external called gets one stub jumping
// through one GOT entry that points at it, shared by its calls and its GOT
// load, for graphs small enough to reserve for their entries up front,
// past the slice of pairs, and past the reservation.
func TestGOTAndStubsForCallees(t *testing.T) {
	for _, n := range []int{1, 3, 16, 17, 20, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			g, b, exts := callGraph(n)
			if err := amd64.BuildGOTAndStubs(g); err != nil {
				t.Fatal(err)
			}
			stubs, got := g.FindSection(amd64.StubsSectionName), g.FindSection(amd64.GOTSectionName)
			if stubs == nil || got == nil || len(stubs.Blocks) != n || len(got.Blocks) != n+1 {
				t.Fatalf("stubs %v, GOT %v: want %d stubs and %d GOT blocks (with the header)", stubs, got, n, n+1)
			}
			for i, ext := range exts {
				e1, e2 := b.Edges[2*i], b.Edges[2*i+1]
				if e1.Target != e2.Target || e1.Target.Block == nil || e1.Target.Block.Section != stubs {
					t.Fatalf("callee%d: calls go to %v and %v, want one stub", i, e1.Target, e2.Target)
				}
				stubEdge := e1.Target.Block.Edges[0]
				ent := stubEdge.Target
				if ent.Block.Section != got || len(ent.Block.Edges) != 1 || ent.Block.Edges[0].Target != ext {
					t.Fatalf("callee%d: stub jumps through %v, not a GOT entry for it", i, ent)
				}
				if i == 0 && b.Edges[2*n].Target != ent {
					t.Fatalf("callee0: GOT load uses %v, the stub %v", b.Edges[2*n].Target, ent)
				}
			}
		})
	}
}

// TestGOTAndStubsSmallGraphAllocs: the GOT and stubs of a small graph
// (three callees) take a bounded number of allocations; they took a map
// pair each way and arena chunks per entry (32 before, 14 after).
func TestGOTAndStubsSmallGraphAllocs(t *testing.T) {
	base := testing.AllocsPerRun(50, func() { callGraph(3) })
	with := testing.AllocsPerRun(50, func() {
		g, _, _ := callGraph(3)
		if err := amd64.BuildGOTAndStubs(g); err != nil {
			t.Fatal(err)
		}
	})
	if n := with - base; n > 16 {
		t.Errorf("BuildGOTAndStubs of a 3-callee graph: %.0f allocations, want at most 16", n)
	}
	t.Logf("%.0f allocations", with-base)
}

func BenchmarkGOTAndStubsSmallGraph(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		g, _, _ := callGraph(3)
		if err := amd64.BuildGOTAndStubs(g); err != nil {
			b.Fatal(err)
		}
	}
}

// linkSmall links a one-function graph calling one callee (twice, and
// through a GOT load), as a lazily compiled function's graph is linked.
func linkSmall(tb testing.TB) {
	g, _, _ := callGraph(1)
	lctx := &jitlinktest.Context{
		MM:      jitlinktest.NewMemoryManager(0x10000),
		Symbols: map[string]shared.ExecutorAddr{"callee0": 0x20000},
	}
	if err := jitlink.Link(context.Background(), g, lctx); err != nil {
		tb.Fatal(err)
	}
}

// TestSmallGraphLinkAllocs: the whole link of a one-function graph (the
// test's memory manager and link context included) takes a bounded
// number of allocations. It took 44; the layout plan's slices inline,
// no fixup closure, the passes' state without Scratch maps, the GOT entry
// and stub reserved inside that state and a section's first block list
// inline and the GOT header from the reserved bytes brought it to 32.
func TestSmallGraphLinkAllocs(t *testing.T) {
	base := testing.AllocsPerRun(50, func() { callGraph(1) })
	with := testing.AllocsPerRun(50, func() { linkSmall(t) })
	if n := with - base; n > smallLinkAllocs {
		t.Errorf("link of a one-function graph: %.0f allocations, want at most %d", n, smallLinkAllocs)
	}
	t.Logf("%.0f allocations", with-base)
}

// smallLinkAllocs bounds TestSmallGraphLinkAllocs.
const smallLinkAllocs = 35

func BenchmarkSmallGraphLink(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		linkSmall(b)
	}
}
