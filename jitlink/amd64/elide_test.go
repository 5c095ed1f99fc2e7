package amd64_test

import (
	"context"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

// promisingMM is a test memory manager that promises a range
// (jitlink.RangePromiser); its allocations may be made to break it.
type promisingMM struct {
	*jitlinktest.MemoryManager
	r  shared.ExecutorAddrRange
	ok bool
}

func (m *promisingMM) AllocationRange(low2GiB bool) (shared.ExecutorAddrRange, bool) {
	return m.r, m.ok && !low2GiB
}

// earlyContext resolves its Symbols early (jitlink.EarlyResolver), as
// objlayer does for a session's resolved symbols.
type earlyContext struct {
	jitlinktest.Context
	looked []string // names passed to LookupExternals
}

func (c *earlyContext) ResolveEarly(ctx context.Context, g *jitlink.LinkGraph) {
	for n, s := range g.Externals {
		if a, ok := c.Symbols[n]; ok {
			g.SetEarlyAddress(s, a)
		}
	}
}

func (c *earlyContext) LookupExternals(ctx context.Context, syms map[string]jitlink.SymbolLookupFlags) (map[string]jitlink.ExternalDef, error) {
	for n := range syms {
		c.looked = append(c.looked, n)
	}
	return c.Context.LookupExternals(ctx, syms)
}

// branchGraph is a one-function graph calling callee twice; with low, it
// also holds a 32-bit absolute pointer to itself (R_X86_64_32: the graph
// must be placed below 2 GiB).
func branchGraph(low bool) *jitlink.LinkGraph {
	g := jitlink.NewLinkGraph("branch.o", amd64.Arch)
	text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	code := []byte{0xe8, 0, 0, 0, 0, 0xe8, 0, 0, 0, 0, 0xc3, 0, 0, 0, 0, 0}
	b := g.AddMutableContentBlock(text, code, 16, 0)
	self := g.AddDefinedSymbol(b, 0, "caller", uint64(len(code)), jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
	ext := g.AddExternalSymbol("callee", false)
	b.AddEdge(amd64.BranchPCRel32, 1, ext, -4)
	b.AddEdge(amd64.BranchPCRel32, 6, ext, -4)
	if low {
		b.AddEdge(amd64.Pointer32, 11, self, 0)
	}
	return g
}

// TestStubElidedForResolvedCalleeInReach: a branch to an external whose
// address the link context gives before the passes (EarlyResolver), in
// 32-bit reach of the whole range the memory manager promises
// (RangePromiser), gets no GOT entry and no stub, and calls the callee
// directly; out of reach, without a promise, without an early answer, or
// in a graph bound below 2 GiB, it keeps its stub as before.
func TestStubElidedForResolvedCalleeInReach(t *testing.T) {
	const base = 0x10000000
	inRange := shared.ExecutorAddrRange{Start: base, End: base + 1<<30}
	for _, tc := range []struct {
		name     string
		callee   shared.ExecutorAddr
		promise  bool
		early    bool
		low      bool
		wantStub bool
	}{
		{name: "in reach", callee: base + 0x800000, promise: true, early: true},
		{name: "below the range in reach", callee: 0x1000, promise: true, early: true},
		{name: "out of reach", callee: 0x7f0000000000, promise: true, early: true, wantStub: true},
		{name: "no promise", callee: base + 0x800000, early: true, wantStub: true},
		{name: "not resolved early", callee: base + 0x800000, promise: true, wantStub: true},
		{name: "bound below 2 GiB", callee: base + 0x800000, promise: true, early: true, low: true, wantStub: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := branchGraph(tc.low)
			mm := &promisingMM{MemoryManager: jitlinktest.NewMemoryManager(base), r: inRange, ok: tc.promise}
			syms := map[string]shared.ExecutorAddr{"callee": tc.callee}
			var lctx jitlink.LinkContext = &jitlinktest.Context{MM: mm, Symbols: syms}
			ec := &earlyContext{Context: jitlinktest.Context{MM: mm, Symbols: syms}}
			if tc.early {
				lctx = ec
			}
			if err := jitlink.Link(context.Background(), g, lctx); err != nil {
				t.Fatal(err)
			}
			if len(ec.looked) > 0 {
				t.Fatalf("externals given early were looked up again: %v", ec.looked)
			}
			stubs := g.FindSection(amd64.StubsSectionName)
			if hasStub := stubs != nil && len(stubs.Blocks) > 0; hasStub != tc.wantStub {
				t.Fatalf("stub made: %v, want %v", hasStub, tc.wantStub)
			}
			if !tc.wantStub && g.FindSection(amd64.GOTSectionName) != nil {
				t.Fatal("a GOT was made for an elided stub")
			}
			caller := g.Symbols[0].Address()
			code, err := mm.Read(caller, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, off := range []uint64{1, 6} {
				to := int64(caller) + int64(off) + 4 + int64(int32(binary.LittleEndian.Uint32(code[off:])))
				if tc.wantStub && !tc.low && tc.callee < 1<<40 {
					continue // bypassed or not: either reaches the callee
				}
				if !tc.wantStub && shared.ExecutorAddr(to) != tc.callee {
					t.Fatalf("call at +%d goes to %#x, want the callee %v", off, to, tc.callee)
				}
			}
		})
	}
}

// brokenMM promises a range but allocates outside it.
type brokenMM struct{ *jitlinktest.MemoryManager }

func (brokenMM) AllocationRange(bool) (shared.ExecutorAddrRange, bool) {
	return shared.ExecutorAddrRange{Start: 0x7f0000000000, End: 0x7f0040000000}, true
}

// TestBrokenRangePromiseIsAnError: a memory manager that allocates outside
// the range it promised fails the link with an error naming the graph and
// the range (a stub left out on the promise could not reach otherwise).
func TestBrokenRangePromiseIsAnError(t *testing.T) {
	g := branchGraph(false)
	mm := brokenMM{jitlinktest.NewMemoryManager(0x10000000)}
	lctx := &earlyContext{Context: jitlinktest.Context{MM: mm, Symbols: map[string]shared.ExecutorAddr{"callee": 0x7f0000100000}}}
	err := jitlink.Link(context.Background(), g, lctx)
	if err == nil || !strings.Contains(err.Error(), "outside the range") || !strings.Contains(err.Error(), "branch.o") {
		t.Fatalf("err = %v, want the broken promise reported", err)
	}
}

// BenchmarkSmallGraphLinkEarly links a one-function graph calling one
// callee, as a lazily compiled function's: "stub" as before (the callee
// looked up after allocation, a GOT entry and a stub made), "elided" with
// the callee given early in reach of a promised range (neither made; 40
// → 27 allocations per link with the test memory manager, which
// allocates per segment).
func BenchmarkSmallGraphLinkEarly(b *testing.B) {
	const base = 0x10000000
	syms := map[string]shared.ExecutorAddr{"callee": base + 0x800000}
	for _, early := range []bool{false, true} {
		name := "stub"
		if early {
			name = "elided"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				mm := &promisingMM{MemoryManager: jitlinktest.NewMemoryManager(base), r: shared.ExecutorAddrRange{Start: base, End: base + 1<<30}, ok: true}
				var lctx jitlink.LinkContext = &jitlinktest.Context{MM: mm, Symbols: syms}
				if early {
					lctx = &earlyContext{Context: jitlinktest.Context{MM: mm, Symbols: syms}}
				}
				if err := jitlink.Link(context.Background(), branchGraph(false), lctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
