package amd64

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gorc-jit/gorc/backend/amd64/asm"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/kaleidoscope"
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

// TestOrderByDefs: the allocation order allocate builds from the
// interval walk's definitions (orderByDefs) gives the objects that the
// counting sort over positions (sortByStart) gives, for the Kaleidoscope
// corpus and the synthetic program at -O0 and optimized.
func TestOrderByDefs(t *testing.T) {
	sameObjectsWith(t, &countingSortOnly)
	// And the orders themselves, for every function orderByDefs orders.
	n := 0
	checkOrder = func(byDefs, sorted []vreg) {
		n++
		if !slices.Equal(byDefs, sorted) {
			t.Errorf("function %d: order by definitions %v, by start %v", n, byDefs, sorted)
		}
	}
	defer func() { checkOrder = nil }()
	sameObjectsWith(t, &fullSearch)
	t.Logf("orderByDefs ordered %d functions", n)
	if n < 100 {
		t.Errorf("orderByDefs ordered %d functions, want 100 or more", n)
	}
}

// TestCallCrossingShortCut: allocOne gives an interval live across a
// call only the callee-saved registers to choose from (and spills an
// xmm one at once), as the full search concludes after trying every
// register: the objects of the Kaleidoscope corpus and of the synthetic
// program, at -O0 and optimized with and without the inliner (calls
// kept), are the same with the full search.
func TestCallCrossingShortCut(t *testing.T) { sameObjectsWith(t, &fullSearch) }

// TestLivenessPasses: allocate repeats its backward liveness pass over
// the layout only while a loop header's set changes (one pass for a
// function without a loop); the objects of the corpus are the same when
// it repeats the pass until no set changes.
func TestLivenessPasses(t *testing.T) { sameObjectsWith(t, &fullLiveness) }

// sameObjectsWith compiles the Kaleidoscope corpus and the synthetic
// program at -O0 and optimized with and without the inliner (calls kept)
// with *flag false and true, and checks that the objects are the same.
func sameObjectsWith(t *testing.T, flag *bool) {
	srcs := map[string][]byte{"synthetic.k": kaleidoscope.SyntheticProgram(40)}
	files, _ := filepath.Glob("../../kaleidoscope/testdata/*.k")
	for _, f := range files {
		if filepath.Base(f) == "errors.k" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[filepath.Base(f)] = src
	}
	pipelines := map[string]func() *passes.Manager{
		"O0":        func() *passes.Manager { return passes.ForLevel(0) },
		"O2":        func() *passes.Manager { return passes.ForLevel(2) },
		"O2+inline": func() *passes.Manager { return kaleidoscope.Passes(2) },
	}
	compile := func(name string, src []byte, pm *passes.Manager, full bool) []byte {
		m, diags, err := kaleidoscope.Compile(context.Background(), name, []string{name}, [][]byte{src})
		if err != nil || len(diags) != 0 {
			t.Fatalf("%s: %v %v", name, err, diags)
		}
		if err := pm.Run(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		*flag = full
		defer func() { *flag = false }()
		obj, err := Compile(m, Options{SourceName: name})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return obj
	}
	n := 0
	for name, src := range srcs {
		for level, pm := range pipelines {
			short, full := compile(name, src, pm(), false), compile(name, src, pm(), true)
			if !bytes.Equal(short, full) {
				t.Errorf("%s %s: the object differs with the flag set", name, level)
			}
			n++
		}
	}
	if n < 10 {
		t.Fatalf("only %d programs compiled", n)
	}
}

// TestSetBits: setBits, setRegBits and clearRegBits set and clear
// exactly the positions [from, to) of a bit set (for the Reg forms, of
// one register's set in regAlloc.occ's interleaved layout, leaving the
// other registers' words alone), within a word, across word boundaries
// and over whole words, and leave an empty range alone.
func TestSetBits(t *testing.T) {
	const words = 4
	for _, tc := range []struct{ from, to int32 }{
		{0, 1}, {0, 64}, {5, 9}, {63, 64}, {63, 65}, {64, 128}, {1, 255}, {0, 256}, {70, 200}, {10, 10}, {130, 129},
	} {
		var b [words]uint64
		setBits(b[:], tc.from, tc.to)
		for p := int32(0); p < 64*words; p++ {
			got := b[p/64]&(1<<(p%64)) != 0
			if want := p >= tc.from && p < tc.to; got != want {
				t.Fatalf("setBits(%d, %d): position %d is %v", tc.from, tc.to, p, got)
			}
		}
		for _, r := range []int{0, 7, numPhys - 1} {
			occ := make([]uint64, words*numPhys)
			setRegBits(occ, r, tc.from, tc.to)
			for i, w := range occ {
				if i%numPhys != r && w != 0 {
					t.Fatalf("setRegBits(%d, %d, %d): word %d of register %d is %#x", r, tc.from, tc.to, i/numPhys, i%numPhys, w)
				}
			}
			for p := int32(0); p < 64*words; p++ {
				got := occ[int(p/64)*numPhys+r]&(1<<(p%64)) != 0
				if want := p >= tc.from && p < tc.to; got != want {
					t.Fatalf("setRegBits(%d, %d, %d): position %d is %v", r, tc.from, tc.to, p, got)
				}
			}
			for i := range occ {
				occ[i] = ^uint64(0)
			}
			clearRegBits(occ, r, tc.from, tc.to)
			for i, w := range occ {
				if i%numPhys != r && w != ^uint64(0) {
					t.Fatalf("clearRegBits(%d, %d, %d): word %d of register %d is %#x", r, tc.from, tc.to, i/numPhys, i%numPhys, w)
				}
			}
			for p := int32(0); p < 64*words; p++ {
				got := occ[int(p/64)*numPhys+r]&(1<<(p%64)) != 0
				if want := p < tc.from || p >= tc.to; got != want {
					t.Fatalf("clearRegBits(%d, %d, %d): position %d is %v", r, tc.from, tc.to, p, got)
				}
			}
		}
	}
}

// TestOrderMasks: the masks allocBits tests hinted registers against
// hold exactly the registers of the orders it searches (rbp, dropped
// from the end of an order when it is the frame pointer, is last).
func TestOrderMasks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		order []asm.Reg
		mask  uint64
	}{
		{"gpr", gprOrder, gprOrderMask},
		{"xmm", xmmOrder, xmmOrderMask},
		{"callee-saved", calleeSavedGPRs, gprOrderMask &^ callerSavedMask},
		{"gpr, frame pointer", gprOrder[:len(gprOrder)-1], gprOrderMask &^ (1 << asm.RBP)},
		{"callee-saved, frame pointer", calleeSavedGPRs[:len(calleeSavedGPRs)-1], gprOrderMask &^ callerSavedMask &^ (1 << asm.RBP)},
	} {
		for r := asm.Reg(0); r < 64; r++ {
			if in, set := slices.Contains(tc.order, r), tc.mask&(1<<r) != 0; in != set {
				t.Errorf("%s: register %d in the order %v, in the mask %v", tc.name, r, in, set)
			}
		}
	}
}

// TestIntersects: intersects on range lists in descending order (as
// intervals keep them) agrees with a test of every pair of ranges, for
// short lists and for ones long enough (> 8) for its binary search.
func TestIntersects(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	// list returns n disjoint, non-touching ranges below 8n+8, descending.
	list := func(n int) []rng {
		var rs []rng
		p := int32(rnd.IntN(4))
		for range n {
			from := p + int32(rnd.IntN(4))
			to := from + 1 + int32(rnd.IntN(4))
			rs = append(rs, rng{from, to})
			p = to + 1
		}
		slices.Reverse(rs)
		return rs
	}
	for i := range 3000 {
		a, b := list(1+rnd.IntN(4)), list(1+rnd.IntN(20))
		want := false
		for _, x := range a {
			for _, y := range b {
				if x.from < y.to && y.from < x.to {
					want = true
				}
			}
		}
		if got := intersects(a, b); got != want {
			t.Fatalf("case %d: intersects(%v, %v) = %v, want %v", i, a, b, got, want)
		}
	}
}
