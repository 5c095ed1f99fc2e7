package jitlink_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

// fixupGraph builds a graph of blocks (in two sections) holding n 8-byte
// pointer slots in all, 16 a block, each slot's edge pointing at one of 64
// externals (resolved far away) with the slot number as addend. The slots
// numbered in bad get a 32-bit PC-relative edge instead, which cannot
// reach its target: an error naming target "bad<slot>".
func fixupGraph(n int, bad ...int) *jitlink.LinkGraph {
	g := jitlink.NewLinkGraph("fixups", amd64.Arch)
	secs := []*jitlink.Section{
		g.AddSection(".data", shared.ProtRead|shared.ProtWrite, 0),
		g.AddSection(".data.rel", shared.ProtRead|shared.ProtWrite, 0),
	}
	var exts []*jitlink.Symbol
	for i := range 64 {
		e := g.AddExternalSymbol(fmt.Sprintf("ext%d", i), false)
		e.Addr = shared.ExecutorAddr(1<<40 + i*0x1000)
		exts = append(exts, e)
	}
	isBad := map[int]bool{}
	for _, b := range bad {
		isBad[b] = true
	}
	addr := shared.ExecutorAddr(0x10000)
	for slot := 0; slot < n; {
		k := min(16, n-slot)
		b := g.AddContentBlock(secs[(slot/16)%2], make([]byte, 8*k), 8, 0)
		b.Addr = addr
		addr += shared.ExecutorAddr(8 * k)
		for j := range k {
			if isBad[slot] {
				t := g.AddExternalSymbol(fmt.Sprintf("bad%d", slot), false)
				t.Addr = 1 << 41
				b.AddEdge(amd64.Delta32, uint64(8*j), t, 0)
			} else {
				b.AddEdge(amd64.Pointer64, uint64(8*j), exts[slot%64], int64(slot))
			}
			slot++
		}
	}
	return g
}

// TestApplyFixups checks the fixups of graphs small enough for one
// goroutine and large enough for several: every slot holds its target
// plus addend, and the error reported is that of the first failing edge
// in block order, wherever the others are.
func TestApplyFixups(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		bad     []int
		wantErr string
	}{
		{"small", 1000, nil, ""},
		{"large", 3<<14 + 7, nil, ""},
		{"small, two bad", 1000, []int{700, 300}, "bad300"},
		{"large, bad in the last part only", 3<<14 + 7, []int{49140}, "bad49140"},
		{"large, bad in the first and last parts", 3<<14 + 7, []int{49140, 5}, "bad5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := fixupGraph(tc.n, tc.bad...)
			err := jitlink.ApplyFixups(g)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), " to "+tc.wantErr+":") {
					t.Fatalf("error %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			slot := 0
			for _, b := range blocksInAddressOrder(g) {
				for off := 0; off < len(b.Content); off += 8 {
					want := uint64(1<<40+(slot%64)*0x1000) + uint64(slot)
					if got := binary.LittleEndian.Uint64(b.Content[off:]); got != want {
						t.Fatalf("slot %d: %#x, want %#x", slot, got, want)
					}
					slot++
				}
			}
			if slot != tc.n {
				t.Fatalf("%d slots checked, want %d", slot, tc.n)
			}
		})
	}
}

func blocksInAddressOrder(g *jitlink.LinkGraph) []*jitlink.Block {
	var bs []*jitlink.Block
	for _, sec := range g.Sections {
		bs = append(bs, sec.Blocks...)
	}
	for i := 1; i < len(bs); i++ {
		for j := i; j > 0 && bs[j].Addr < bs[j-1].Addr; j-- {
			bs[j], bs[j-1] = bs[j-1], bs[j]
		}
	}
	return bs
}

// TestMergeGraphsManyEdges merges graphs with enough edges for the
// references between them to be rebound on several goroutines: every
// edge to another input's definition must point at that definition, every
// edge to a name no input defines at the one merged external.
func TestMergeGraphsManyEdges(t *testing.T) {
	const inputs, blocks, perBlock = 4, 256, 16 // 16,384 edges
	var gs []*jitlink.LinkGraph
	for k := range inputs {
		g := jitlink.NewLinkGraph(fmt.Sprintf("in%d.o", k), amd64.Arch)
		text := g.AddSection(".data", shared.ProtRead|shared.ProtWrite, 0)
		next := g.AddExternalSymbol(fmt.Sprintf("f%d_0", (k+1)%inputs), false)
		libc := g.AddExternalSymbol("libc_func", false)
		for i := range blocks {
			b := g.AddContentBlock(text, make([]byte, 8*perBlock), 8, 0)
			g.AddDefinedSymbol(b, 0, fmt.Sprintf("f%d_%d", k, i), 8*perBlock, jitlink.LinkageStrong, jitlink.ScopeDefault, false, true)
			for j := range perBlock {
				target := next
				if j%2 == 1 {
					target = libc
				}
				b.AddEdge(amd64.Pointer64, uint64(8*j), target, 0)
			}
		}
		gs = append(gs, g)
	}
	m, err := jitlink.MergeGraphs("merged", gs...)
	if err != nil {
		t.Fatal(err)
	}
	libc := m.Externals["libc_func"]
	if libc == nil || len(m.Externals) != 1 {
		t.Fatalf("externals %v, want libc_func only", m.Externals)
	}
	n := 0
	for _, sec := range m.Sections {
		for _, b := range sec.Blocks {
			for j, e := range b.Edges {
				n++
				if j%2 == 1 {
					if e.Target != libc {
						t.Fatalf("edge to %v, want the merged libc_func", e.Target)
					}
					continue
				}
				if e.Target.Kind != jitlink.SymDefined || !strings.HasSuffix(e.Target.Name, "_0") {
					t.Fatalf("edge to %v (%v), want another input's f*_0 definition", e.Target, e.Target.Kind)
				}
			}
		}
	}
	if n != inputs*blocks*perBlock {
		t.Fatalf("%d edges, want %d", n, inputs*blocks*perBlock)
	}
}

// TestLayoutCopiesLargeSegments links a graph whose data segment is
// large enough for its blocks' contents to be copied on several
// goroutines (blocks of varied sizes and alignments, one zero-fill block
// among them): every block's bytes must arrive at its address, and its
// Content must be the segment's memory there.
func TestLayoutCopiesLargeSegments(t *testing.T) {
	for _, size := range []int{64 << 10, 3 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			g := jitlink.NewLinkGraph("big", amd64.Arch)
			data := g.AddSection(".data", shared.ProtRead|shared.ProtWrite, 0)
			bss := g.AddSection(".bss", shared.ProtRead|shared.ProtWrite, 0)
			var blocks []*jitlink.Block
			for total, i := 0, 0; total < size; i++ {
				n := 1 + (i*7919)%9000
				c := make([]byte, n)
				for j := range c {
					c[j] = byte(i + j*31)
				}
				b := g.AddContentBlock(data, c, uint64(1)<<(i%5), 0)
				if i%50 == 0 {
					b = g.AddZeroFillBlock(bss, uint64(n), 8, 0)
				}
				g.AddDefinedSymbol(b, 0, "", 0, jitlink.LinkageStrong, jitlink.ScopeDefault, false, true)
				blocks = append(blocks, b)
				total += n
			}
			want := make([][]byte, len(blocks))
			for i, b := range blocks {
				want[i] = append([]byte(nil), b.Content...)
			}
			mm := jitlinktest.NewMemoryManager(0x100000)
			if err := jitlink.Link(context.Background(), g, &jitlinktest.Context{MM: mm}); err != nil {
				t.Fatal(err)
			}
			for i, b := range blocks {
				if b.IsZeroFill() {
					continue
				}
				m, err := mm.Read(b.Addr, b.Size)
				if err != nil {
					t.Fatal(err)
				}
				if string(m) != string(want[i]) || string(b.Content) != string(want[i]) {
					t.Fatalf("block %d at %v: content not copied", i, b.Addr)
				}
			}
		})
	}
}

// TestApplyFixupsOneBlock checks the fixups of one block holding nearly
// all of a graph's edges (an eager Kaleidoscope program's .text), which
// ApplyFixups cuts between goroutines: every slot holds its target plus
// addend, the bytes between slots are untouched, keep-alive edges at the
// end change nothing, and the error is the first failing edge's.
func TestApplyFixupsOneBlock(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	tests := []struct {
		name    string
		n       int
		stride  uint64
		bad     []int
		wantErr string
	}{
		{"spaced, cut", 3 << 14, 16, nil, ""},
		{"dense, not cut", 3 << 14, 8, nil, ""},
		{"spaced, bad in the last part", 3 << 14, 16, []int{49000}, "bad49000"},
		{"spaced, bad in the first and last parts", 3 << 14, 16, []int{49000, 7}, "bad7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := jitlink.NewLinkGraph("oneblock", amd64.Arch)
			sec := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
			b := g.AddContentBlock(sec, make([]byte, int(tc.stride)*tc.n), 16, 0)
			b.Addr = 0x10000
			var exts []*jitlink.Symbol
			for i := range 64 {
				e := g.AddExternalSymbol(fmt.Sprintf("ext%d", i), false)
				e.Addr = shared.ExecutorAddr(1<<40 + i*0x1000)
				exts = append(exts, e)
			}
			isBad := map[int]bool{}
			for _, s := range tc.bad {
				isBad[s] = true
			}
			for slot := range tc.n {
				if isBad[slot] {
					bad := g.AddExternalSymbol(fmt.Sprintf("bad%d", slot), false)
					bad.Addr = 1 << 41
					b.AddEdge(amd64.Delta32, uint64(slot)*tc.stride, bad, 0)
					continue
				}
				b.AddEdge(amd64.Pointer64, uint64(slot)*tc.stride, exts[slot%64], int64(slot))
			}
			for i := range 3 {
				b.AddEdge(jitlink.KindKeepAlive, 0, exts[i], 0)
			}
			err := jitlink.ApplyFixups(g)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), " to "+tc.wantErr+":") {
					t.Fatalf("error %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for slot := range tc.n {
				off := uint64(slot) * tc.stride
				want := uint64(1<<40+(slot%64)*0x1000) + uint64(slot)
				if got := binary.LittleEndian.Uint64(b.Content[off:]); got != want {
					t.Fatalf("slot %d: %#x, want %#x", slot, got, want)
				}
				for _, c := range b.Content[off+8 : off+tc.stride] {
					if c != 0 {
						t.Fatalf("slot %d: the bytes after it were written", slot)
					}
				}
			}
		})
	}
}

// BenchmarkApplyFixupsOneBlock fixes up one block of 34,000 edges 16 bytes
// apart (about an eager Kaleidoscope .text of 2,000 functions); -cpu 1,2
// shows what the cut between goroutines gains when a second core is free.
func BenchmarkApplyFixupsOneBlock(b *testing.B) {
	const n = 34000
	g := jitlink.NewLinkGraph("oneblock", amd64.Arch)
	sec := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	blk := g.AddContentBlock(sec, make([]byte, 16*n), 16, 0)
	blk.Addr = 0x10000
	ext := g.AddExternalSymbol("ext", false)
	ext.Addr = 0x20000
	for i := range n {
		blk.AddEdge(amd64.Delta32, uint64(16*i), ext, -4)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := jitlink.ApplyFixups(g); err != nil {
			b.Fatal(err)
		}
	}
}
