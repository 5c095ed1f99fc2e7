package jit

import (
	"context"
	"fmt"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// addBlock records a code block of one symbol under key, as NotifyEmitted
// does for a linked graph.
func (t *symtab) addBlock(key orc.ResourceKey, start shared.ExecutorAddr, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.blocks = append(t.blocks, codeBlock{start: start, end: start + 0x100, section: ".text", object: name + ".o", key: key,
		syms: []codeSym{{name: name, addr: uint64(start), size: 0x100}}})
	if t.perKey == nil {
		t.perKey = map[orc.ResourceKey]int{}
	}
	t.perKey[key]++
}

// TestSymtabRemoveTrackers: blocks of removed trackers are no longer
// found (whether compacted away or still kept as dead entries), the
// others still are, and a block linked later at a freed block's address
// wins over it.
func TestSymtabRemoveTrackers(t *testing.T) {
	ctx := context.Background()
	st := &symtab{}
	const n = 100
	for k := 1; k <= n; k++ {
		st.addBlock(orc.ResourceKey(k), shared.ExecutorAddr(0x10000+k*0x100), fmt.Sprintf("f%d", k))
	}
	check := func(when string, removed func(k int) bool) {
		t.Helper()
		for k := 1; k <= n; k++ {
			loc, ok := st.at(shared.ExecutorAddr(0x10000 + k*0x100 + 8))
			switch {
			case removed(k) && ok && loc.Symbol == fmt.Sprintf("f%d", k):
				t.Fatalf("%s: f%d still found after its tracker was removed", when, k)
			case !removed(k) && (!ok || loc.Symbol != fmt.Sprintf("f%d", k) || loc.Offset != 8):
				t.Fatalf("%s: f%d+8 gives %v %v", when, k, loc, ok)
			}
		}
	}
	// A third removed: kept as dead entries, not compacted yet.
	for k := 3; k <= n; k += 3 {
		if err := st.HandleRemoveResources(ctx, nil, orc.ResourceKey(k)); err != nil {
			t.Fatal(err)
		}
	}
	check("a third removed", func(k int) bool { return k%3 == 0 })
	// Removing a tracker with no code, or twice, changes nothing.
	for _, k := range []orc.ResourceKey{3, 1000} {
		if err := st.HandleRemoveResources(ctx, nil, k); err != nil {
			t.Fatal(err)
		}
	}
	check("no-op removals", func(k int) bool { return k%3 == 0 })
	// Most removed: compacted.
	for k := 1; k <= n; k++ {
		if k%3 != 0 && k%10 != 0 {
			if err := st.HandleRemoveResources(ctx, nil, orc.ResourceKey(k)); err != nil {
				t.Fatal(err)
			}
		}
	}
	check("most removed", func(k int) bool { return k%10 != 0 || k%3 == 0 })
	if len(st.blocks) > 2*len(st.perKey)+1 {
		t.Errorf("%d blocks kept for %d live trackers: dead entries were not compacted", len(st.blocks), len(st.perKey))
	}
	// Freed memory reused by a later link: the new block wins.
	st.addBlock(orc.ResourceKey(n+1), 0x10000+3*0x100, "g")
	if loc, ok := st.at(0x10000 + 3*0x100 + 1); !ok || loc.Symbol != "g" {
		t.Errorf("reused address gives %v %v, want g", loc, ok)
	}
	// Transfer keeps the blocks found under the new key.
	st.HandleTransferResources(nil, orc.ResourceKey(n+2), orc.ResourceKey(n+1))
	if err := st.HandleRemoveResources(ctx, nil, orc.ResourceKey(n+1)); err != nil {
		t.Fatal(err)
	}
	if loc, ok := st.at(0x10000 + 3*0x100 + 1); !ok || loc.Symbol != "g" {
		t.Errorf("after transfer: %v %v, want g", loc, ok)
	}
}

// BenchmarkSymtabRemoveMany: removing the trackers of 10,000 functions
// linked one per tracker (the end of a lazy session that compiled them
// all) one by one: linear with dead entries, quadratic with a scan of all
// blocks per removal.
func BenchmarkSymtabRemoveMany(b *testing.B) {
	ctx := context.Background()
	const n = 10000
	for range b.N {
		st := &symtab{}
		for k := 1; k <= n; k++ {
			st.addBlock(orc.ResourceKey(k), shared.ExecutorAddr(k*0x100), "f")
		}
		for k := 1; k <= n; k++ {
			if err := st.HandleRemoveResources(ctx, nil, orc.ResourceKey(k)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestSymtabRecord: record names every address of a graph's code blocks
// by the symbol covering it (symbols listed out of address order, an
// anonymous one and one in a data block ignored), for a graph of one code
// block (a lazily compiled function, found by a scan) and of many (found
// through a map); data blocks and addresses past a block are not code.
func TestSymtabRecord(t *testing.T) {
	for _, nblocks := range []int{1, 3, 8, 9, 40} {
		t.Run(fmt.Sprint(nblocks), func(t *testing.T) {
			g := jitlink.NewLinkGraph("g.o", nil) // record needs no architecture
			text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
			data := g.AddSection(".data", shared.ProtRead|shared.ProtWrite, 0)
			db := g.AddContentBlock(data, make([]byte, 0x40), 8, 0)
			db.Addr = 0x900000
			g.AddDefinedSymbol(db, 0, "d", 8, jitlink.LinkageStrong, jitlink.ScopeDefault, false, true)
			for i := range nblocks {
				b := g.AddContentBlock(text, make([]byte, 0x100), 16, 0)
				b.Addr = shared.ExecutorAddr(0x100000 + i*0x1000)
				// The later symbol first, then an anonymous one, then the first.
				g.AddDefinedSymbol(b, 0x80, fmt.Sprintf("b%d_hi", i), 0x80, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
				g.AddAnonymousSymbol(b, 0x40, 0x10)
				g.AddDefinedSymbol(b, 0, fmt.Sprintf("b%d_lo", i), 0x80, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
			}
			st := &symtab{building: 1}
			st.record(g, 7, true)
			for i := range nblocks {
				base := shared.ExecutorAddr(0x100000 + i*0x1000)
				for _, c := range []struct {
					off    uint64
					sym    string
					symOff uint64
				}{{0, fmt.Sprintf("b%d_lo", i), 0}, {0x44, fmt.Sprintf("b%d_lo", i), 0x44}, {0x80, fmt.Sprintf("b%d_hi", i), 0}, {0xff, fmt.Sprintf("b%d_hi", i), 0x7f}} {
					loc, ok := st.at(base + shared.ExecutorAddr(c.off))
					if !ok || loc.Symbol != c.sym || loc.Offset != c.symOff || loc.Object != "g.o" {
						t.Errorf("block %d +%#x: %+v %v, want %s+%#x in g.o", i, c.off, loc, ok, c.sym, c.symOff)
					}
				}
				if loc, ok := st.at(base + 0x100); ok {
					t.Errorf("block %d: the address past it is %+v", i, loc)
				}
			}
			if loc, ok := st.at(0x900000); ok {
				t.Errorf("a data block's address is code: %+v", loc)
			}
			if st.building != 0 || st.perKey[7] != nblocks {
				t.Errorf("building %d, blocks under the key %d (want 0, %d)", st.building, st.perKey[7], nblocks)
			}
		})
	}
}

// BenchmarkSymtabRecord: recording a lazily compiled function's graph
// (one code block, a few symbols), as each in-process first call does.
func BenchmarkSymtabRecord(b *testing.B) {
	g := jitlink.NewLinkGraph("f.o", nil)
	text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	blk := g.AddContentBlock(text, make([]byte, 0x60), 16, 0)
	blk.Addr = 0x100000
	g.AddDefinedSymbol(blk, 0, "f", 0x60, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
	g.AddAnonymousSymbol(blk, 0x20, 0)
	rodata := g.AddSection(".rodata", shared.ProtRead, 0)
	g.AddAnonymousSymbol(g.AddContentBlock(rodata, make([]byte, 8), 8, 0), 0, 8)
	st := &symtab{}
	b.ReportAllocs()
	for b.Loop() {
		st.building++
		st.record(g, 1, true)
		if len(st.blocks) >= 1<<16 {
			st.blocks = st.blocks[:0]
		}
	}
}
