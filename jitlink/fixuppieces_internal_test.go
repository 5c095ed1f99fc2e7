package jitlink

import (
	"testing"
)

// TestFixupPieces checks how ApplyFixups cuts a block's edges between
// goroutines: only a block with more than a share of edges, only where its
// fixed-up edges are in offset order, only at a gap of fixupGap bytes; the
// pieces cover every edge once, in order.
func TestFixupPieces(t *testing.T) {
	tests := []struct {
		name       string
		offsets    []uint64 // one edge each; keepAlive marks keep-alive edges by index
		keepAlive  map[int]bool
		per        int
		wantPieces int
	}{
		{"spaced 16, 4 shares", spaced(4000, 16), nil, 1000, 4},
		{"spaced 16, smaller than a share", spaced(900, 16), nil, 1000, 1},
		{"dense 8: no gap to cut at", spaced(4000, 8), nil, 1000, 1},
		{"descending: left whole", reversed(spaced(4000, 16)), nil, 1000, 1},
		{"keep-alive edges at offset 0 at the end", append(spaced(4000, 16), 0, 0, 0), map[int]bool{4000: true, 4001: true, 4002: true}, 1000, 4},
		{"one gap only, before the last edge", append(spaced(3000, 8), 100000), nil, 1000, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewLinkGraph("pieces", nil)
			sec := g.AddSection(".text", 0, 0)
			b := g.AddContentBlock(sec, make([]byte, 1<<20), 16, 0)
			target := g.AddExternalSymbol("x", false)
			for i, off := range tc.offsets {
				kind := FirstArchKind
				if tc.keepAlive[i] {
					kind = KindKeepAlive
				}
				b.AddEdge(kind, off, target, 0)
			}
			ps := fixupPieces(g, tc.per)
			if len(ps) != tc.wantPieces {
				t.Fatalf("%d pieces, want %d", len(ps), tc.wantPieces)
			}
			next := 0
			last := int64(-1)
			for k, p := range ps {
				if p.b != b || p.sec != sec || p.lo != next || p.hi <= p.lo {
					t.Fatalf("piece %d: [%d, %d), want it to start at %d", k, p.lo, p.hi, next)
				}
				if k > 0 && len(ps) > 1 {
					first := int64(b.Edges[p.lo].Offset)
					if first < last+fixupGap {
						t.Fatalf("piece %d starts at offset %d, %d bytes after the previous piece's last fixed-up edge", k, first, first-last)
					}
				}
				for i := p.lo; i < p.hi; i++ {
					if b.Edges[i].Kind != KindKeepAlive {
						last = int64(b.Edges[i].Offset)
					}
				}
				next = p.hi
			}
			if next != len(b.Edges) {
				t.Fatalf("pieces end at edge %d of %d", next, len(b.Edges))
			}
		})
	}
}

func spaced(n int, step uint64) []uint64 {
	offs := make([]uint64, n)
	for i := range offs {
		offs[i] = uint64(i) * step
	}
	return offs
}

func reversed(offs []uint64) []uint64 {
	for i, j := 0, len(offs)-1; i < j; i, j = i+1, j-1 {
		offs[i], offs[j] = offs[j], offs[i]
	}
	return offs
}
