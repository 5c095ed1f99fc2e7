package jitlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

// bigGraph is a graph large enough for Link to look its externals up
// beside its layout (20,000 edges): one data block of 64-bit pointers,
// the first n to externals ext0..ext(n-1), the rest to its own symbol
// def.
func bigGraph(name, def string, n int, ext func(i int) string) *jitlink.LinkGraph {
	const edges = 20000
	g := jitlink.NewLinkGraph(name, amd64.Arch)
	data := g.AddSection(".data.rel.ro", shared.ProtRead, 0)
	b := g.AddContentBlock(data, make([]byte, 8*edges), 8, 0)
	self := g.AddDefinedSymbol(b, 0, def, 8, jitlink.LinkageStrong, jitlink.ScopeDefault, false, true)
	for i := range edges {
		t := self
		if i < n {
			t = g.AddExternalSymbol(ext(i), false)
		}
		b.AddEdge(amd64.Pointer64, uint64(8*i), t, 0)
	}
	return g
}

// pointerAt reads the i-th pointer of bigGraph's block after the link.
func pointerAt(g *jitlink.LinkGraph, i int) shared.ExecutorAddr {
	for _, s := range g.Symbols {
		if s.Block != nil && len(s.Block.Content) >= 8*(i+1) {
			return shared.ExecutorAddr(binary.LittleEndian.Uint64(s.Block.Content[8*i:]))
		}
	}
	return 0
}

// TestExternalLookupBesideLayout links large graphs, whose externals Link
// looks up while it lays them out: every pointer must get its
// definition's address, a name missing must still be reported, an
// external a PostAllocation pass adds (after the lookup started) must
// still be looked up, and two large graphs that need each other's
// addresses must not wait for each other.
func TestExternalLookupBesideLayout(t *testing.T) {
	ext := func(i int) string { return fmt.Sprintf("ext%d", i) }
	syms := map[string]shared.ExecutorAddr{}
	for i := range 100 {
		syms[ext(i)] = shared.ExecutorAddr(0x1000 + 16*i)
	}
	t.Run("resolved", func(t *testing.T) {
		g := bigGraph("big.o", "big", 100, ext)
		c := &jitlinktest.Context{MM: jitlinktest.NewMemoryManager(1 << 20), Symbols: syms}
		if err := jitlink.Link(context.Background(), g, c); err != nil {
			t.Fatal(err)
		}
		for i := range 100 {
			if got, want := pointerAt(g, i), syms[ext(i)]; got != want {
				t.Fatalf("pointer %d = %v, want %v", i, got, want)
			}
		}
		if len(c.Looked) != 100 {
			t.Errorf("looked up %d names, want 100", len(c.Looked))
		}
	})
	t.Run("missing", func(t *testing.T) {
		g := bigGraph("big.o", "big", 101, ext) // ext100 is not defined
		c := &jitlinktest.Context{MM: jitlinktest.NewMemoryManager(1 << 20), Symbols: syms}
		err := jitlink.Link(context.Background(), g, c)
		if err == nil || !strings.Contains(err.Error(), "undefined symbols: [ext100]") {
			t.Fatalf("err = %v, want ext100 undefined", err)
		}
	})
	t.Run("late external", func(t *testing.T) {
		g := bigGraph("big.o", "big", 10, ext)
		c := &jitlinktest.Context{MM: jitlinktest.NewMemoryManager(1 << 20), Symbols: syms}
		c.Passes = func(g *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error {
			cfg.PostAllocation = append(cfg.PostAllocation, func(g *jitlink.LinkGraph) error {
				late := g.AddExternalSymbol(ext(50), false)
				for _, s := range g.Symbols {
					if s.Name == "big" {
						s.Block.AddEdge(amd64.Pointer64, 8*19999, late, 0)
					}
				}
				return nil
			})
			return nil
		}
		if err := jitlink.Link(context.Background(), g, c); err != nil {
			t.Fatal(err)
		}
		if got, want := pointerAt(g, 19999), syms[ext(50)]; got != want {
			t.Fatalf("late pointer = %v, want %v", got, want)
		}
	})
	t.Run("cycle", func(t *testing.T) {
		tab := &symTable{m: map[string]shared.ExecutorAddr{}}
		tab.cond = sync.NewCond(&tab.mu)
		mm := jitlinktest.NewMemoryManager(1 << 22)
		ga := bigGraph("a.o", "a", 1, func(int) string { return "b" })
		gb := bigGraph("b.o", "b", 1, func(int) string { return "a" })
		errs := make(chan error, 2)
		for _, g := range []*jitlink.LinkGraph{ga, gb} {
			go func() {
				errs <- jitlink.Link(context.Background(), g, &cycleCtx{Context: jitlinktest.Context{MM: mm}, table: tab})
			}()
		}
		for range 2 {
			select {
			case err := <-errs:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("two large graphs that need each other's addresses did not link in 30 s")
			}
		}
		if pointerAt(ga, 0) != gb.Symbols[0].Address() || pointerAt(gb, 0) != ga.Symbols[0].Address() {
			t.Errorf("a points to %v (b at %v), b to %v (a at %v)", pointerAt(ga, 0), gb.Symbols[0].Address(), pointerAt(gb, 0), ga.Symbols[0].Address())
		}
	})
	t.Run("error before the lookup is joined", func(t *testing.T) {
		// The allocation fails while the lookup waits for a name that
		// never comes: Link must return the allocation's error, not wait.
		g := bigGraph("big.o", "big", 1, func(int) string { return "never" })
		tab := &symTable{m: map[string]shared.ExecutorAddr{}}
		tab.cond = sync.NewCond(&tab.mu)
		c := &cycleCtx{Context: jitlinktest.Context{MM: failingMM{}}, table: tab}
		done := make(chan error, 1)
		go func() { done <- jitlink.Link(context.Background(), g, c) }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "no memory here") {
				t.Fatalf("err = %v, want the allocation's", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Link waited for the lookup after its allocation failed")
		}
		// (The lookup goroutine stays blocked in the test's table, which
		// ignores cancellation; a session's lookup returns on it.)
	})
}

// failingMM refuses every allocation.
type failingMM struct{}

func (failingMM) Allocate(ctx context.Context, req jitlink.AllocRequest) (jitlink.InFlightAlloc, error) {
	return nil, errors.New("no memory here")
}

func (failingMM) Deallocate(ctx context.Context, allocs []jitlink.FinalizedAlloc) error { return nil }
