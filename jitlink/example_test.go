package jitlink_test

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/shared"
)

// bumpMM is a minimal MemoryManager: it hands out consecutive page-aligned
// fake addresses and keeps the working memory as plain byte slices.
type bumpMM struct {
	next shared.ExecutorAddr
	segs []jitlink.Segment
}

func (m *bumpMM) Allocate(ctx context.Context, req jitlink.AllocRequest) (jitlink.InFlightAlloc, error) {
	var segs []jitlink.Segment
	for _, s := range req.Segments {
		m.next = (m.next + 0xfff) &^ 0xfff
		segs = append(segs, jitlink.Segment{Addr: m.next, Mem: make([]byte, s.Size)})
		m.next += shared.ExecutorAddr(s.Size)
	}
	m.segs = segs
	return bumpAlloc{segs}, nil
}

func (m *bumpMM) Deallocate(ctx context.Context, a []jitlink.FinalizedAlloc) error { return nil }

type bumpAlloc struct{ segs []jitlink.Segment }

func (a bumpAlloc) Segments() []jitlink.Segment { return a.segs }
func (a bumpAlloc) Finalize(ctx context.Context, acts []shared.AllocActionPair) (jitlink.FinalizedAlloc, error) {
	return jitlink.FinalizedAlloc{Handle: a.segs[0].Addr}, nil
}
func (a bumpAlloc) Abandon(ctx context.Context) error { return nil }

// linkCtx resolves every external to one address.
type linkCtx struct{ mm jitlink.MemoryManager }

func (c linkCtx) MemoryManager() jitlink.MemoryManager { return c.mm }
func (c linkCtx) ModifyPassConfig(g *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error {
	return nil
}
func (c linkCtx) LookupExternals(ctx context.Context, syms map[string]jitlink.SymbolLookupFlags) (map[string]jitlink.ExternalDef, error) {
	res := map[string]jitlink.ExternalDef{}
	for name := range syms {
		res[name] = jitlink.ExternalDef{Addr: 0x7fff_0000_1000} // far away: needs a stub
	}
	return res, nil
}
func (c linkCtx) NotifyResolved(ctx context.Context, g *jitlink.LinkGraph) error { return nil }
func (c linkCtx) NotifyFinalized(ctx context.Context, g *jitlink.LinkGraph, a jitlink.FinalizedAlloc) error {
	return nil
}
func (c linkCtx) NotifyFailed(ctx context.Context, g *jitlink.LinkGraph, err error) {}

// Link a hand-built graph (a function calling an external) with a custom
// MemoryManager and look at the result: the call goes through a stub.
func ExampleLink() {
	g := jitlink.NewLinkGraph("example", amd64.Arch)
	text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	// call puts; ret
	code := g.AddContentBlock(text, []byte{0xe8, 0, 0, 0, 0, 0xc3}, 16, 0)
	g.AddDefinedSymbol(code, 0, "hello", 6, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
	code.AddEdge(amd64.BranchPCRel32, 1, g.AddExternalSymbol("puts", false), -4)

	mm := &bumpMM{next: 0x10000}
	if err := jitlink.Link(context.Background(), g, linkCtx{mm}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("hello at %v: % x\n", g.FindSymbol("hello").Address(), code.Content)
	stubs := g.FindSection(amd64.StubsSectionName)
	fmt.Printf("stub at %v: % x\n", stubs.Blocks[0].Addr, stubs.Blocks[0].Content)
	// Output:
	// hello at 0x10000: e8 01 00 00 00 c3
	// stub at 0x10006: ff 25 fc 0f 00 00
}

// promisingMM is bumpMM that promises its allocations stay in the first
// GiB above its start (jitlink.RangePromiser).
type promisingMM struct{ bumpMM }

func (m *promisingMM) AllocationRange(low2GiB bool) (shared.ExecutorAddrRange, bool) {
	return shared.ExecutorAddrRange{Start: 0x10000, End: 0x10000 + 1<<30}, !low2GiB
}

// earlyCtx knows puts' address before the passes (jitlink.EarlyResolver).
type earlyCtx struct{ linkCtx }

func (c earlyCtx) ResolveEarly(ctx context.Context, g *jitlink.LinkGraph) {
	if s, ok := g.Externals["puts"]; ok {
		g.SetEarlyAddress(s, 0x2000_0000)
	}
}

// With an external given early (EarlyResolver) in reach of the range the
// memory manager promises (RangePromiser), the call needs no stub: it is
// fixed up straight to the external, and LookupExternals is not asked.
func ExampleEarlyResolver() {
	g := jitlink.NewLinkGraph("example", amd64.Arch)
	text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	code := g.AddContentBlock(text, []byte{0xe8, 0, 0, 0, 0, 0xc3}, 16, 0)
	g.AddDefinedSymbol(code, 0, "hello", 6, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
	code.AddEdge(amd64.BranchPCRel32, 1, g.AddExternalSymbol("puts", false), -4)

	mm := &promisingMM{bumpMM{next: 0x10000}}
	if err := jitlink.Link(context.Background(), g, earlyCtx{linkCtx{mm}}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("hello at %v: % x\n", g.FindSymbol("hello").Address(), code.Content)
	fmt.Println("stubs:", g.FindSection(amd64.StubsSectionName) != nil)
	// Output:
	// hello at 0x10000: e8 fb ff fe 1f c3
	// stubs: false
}
