package amd64

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortByStart: the allocation order is the virtual registers with an
// interval sorted by start position, ties by number, as a comparison sort
// gives it (registers without an interval and physical ones left out).
func TestSortByStart(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ nv, end int }{{numPhys, 2}, {numPhys + 1, 2}, {numPhys + 5, 3}, {numPhys + 200, 40}, {numPhys + 300, 2000}} {
		var ra regAlloc
		ra.ivs = make([]interval, tc.nv)
		var want []vreg
		for v := range ra.ivs {
			if rnd.IntN(4) == 0 {
				continue // no interval
			}
			from := int32(rnd.IntN(tc.end))
			ra.ivs[v].rs = []rng{{from, from + 1}}
			if v >= numPhys {
				want = append(want, vreg(v))
			}
		}
		slices.SortFunc(want, func(x, y vreg) int {
			if d := ra.ivs[x].start() - ra.ivs[y].start(); d != 0 {
				return int(d)
			}
			return int(x - y)
		})
		for range 2 { // the second time with the scratch of the first
			ra.sortByStart(tc.nv, int32(tc.end))
			if !slices.Equal(ra.order, want) && len(want)+len(ra.order) > 0 {
				t.Fatalf("nv %d end %d: order %v, want %v", tc.nv, tc.end, ra.order, want)
			}
		}
	}
}
