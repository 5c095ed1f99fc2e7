package ir

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// buildCFG makes a function of n blocks whose block i branches to the
// blocks succs(i) returns (none: ret; one: br; two: conditional br).
func buildCFG(n int, succs func(i int) []int) *Function {
	m := NewModule("cfg")
	f, _ := m.NewFunction("f", FuncType(Void, []*Type{I1}, false), []string{"c"})
	blocks := make([]*Block, n)
	for i := range blocks {
		blocks[i] = f.NewBlock(fmt.Sprintf("b%d", i))
	}
	b := NewBuilder()
	for i, blk := range blocks {
		b.SetInsertPoint(blk)
		switch s := succs(i); len(s) {
		case 0:
			b.RetVoid()
		case 1:
			b.Br(blocks[s[0]])
		default:
			b.CondBr(f.Params[0], blocks[s[0]], blocks[s[1]])
		}
	}
	return f
}

// chainToExit is the shape that made the Cooper–Harvey–Kennedy algorithm
// quadratic: block i branches to block i+1 and to the exit block n-1,
// which thus has n-2 predecessors along one long dominator chain.
func chainToExit(n int) *Function {
	return buildCFG(n, func(i int) []int {
		switch {
		case i == n-1:
			return nil
		case i >= n-2:
			return []int{n - 1}
		}
		return []int{i + 1, n - 1}
	})
}

// fanToExit: a binary tree of conditional branches whose leaves all
// branch to the exit block.
func fanToExit(n int) *Function {
	return buildCFG(n, func(i int) []int {
		switch {
		case i == n-1:
			return nil
		case 2*i+2 < n-1:
			return []int{2*i + 1, 2*i + 2}
		}
		return []int{n - 1}
	})
}

// chain: a straight line of n blocks.
func chain(n int) *Function {
	return buildCFG(n, func(i int) []int {
		if i == n-1 {
			return nil
		}
		return []int{i + 1}
	})
}

// refIdom is the Cooper–Harvey–Kennedy algorithm that NewDomTree used
// before (quadratic on chainToExit), kept as the reference: the immediate
// dominator of every block by index, nil for the entry and unreachable
// blocks.
func refIdom(f *Function) []*Block {
	rpo := ReversePostorder(f)
	preds := Preds(f)
	n := len(f.Blocks)
	idom := make([]*Block, n)
	order := make([]int, n)
	for i := range order {
		order[i] = -1
	}
	for i, b := range rpo {
		order[b.Index] = i
	}
	if len(rpo) == 0 {
		return idom
	}
	entry := rpo[0]
	idom[entry.Index] = entry
	intersect := func(a, b *Block) *Block {
		for a != b {
			for order[a.Index] > order[b.Index] {
				a = idom[a.Index]
			}
			for order[b.Index] > order[a.Index] {
				b = idom[b.Index]
			}
		}
		return a
	}
	for changed := true; changed; {
		changed = false
		for _, b := range rpo[1:] {
			var nd *Block
			for _, p := range preds[b.Index] {
				if order[p.Index] < 0 || idom[p.Index] == nil {
					continue
				}
				if nd == nil {
					nd = p
				} else {
					nd = intersect(p, nd)
				}
			}
			if nd != nil && idom[b.Index] != nd {
				idom[b.Index] = nd
				changed = true
			}
		}
	}
	idom[entry.Index] = nil
	return idom
}

// bruteDominates computes dominance by definition: a dominates b if b is
// unreachable from the entry once a is removed (a == b: always).
func bruteDominates(f *Function, a, b *Block) bool {
	if a == b {
		return true
	}
	seen := make([]bool, len(f.Blocks))
	stack := []*Block{f.Blocks[0]}
	if a == f.Blocks[0] {
		return true
	}
	seen[0] = true
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == b {
			return false
		}
		for _, s := range x.Succs() {
			if s != a && !seen[s.Index] {
				seen[s.Index] = true
				stack = append(stack, s)
			}
		}
	}
	return true
}

func sameBlockSet(a, b []*Block) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[*Block]int{}
	for _, x := range a {
		in[x]++
	}
	for _, x := range b {
		in[x]--
	}
	for _, c := range in {
		if c != 0 {
			return false
		}
	}
	return true
}

// randomCFG makes a random CFG of n blocks; no block branches to the
// entry (as in LLVM IR).
func randomCFG(r *rand.Rand, n int) *Function {
	target := func() int { return 1 + r.IntN(n-1) }
	return buildCFG(n, func(i int) []int {
		if n == 1 {
			return nil
		}
		switch r.IntN(6) {
		case 0:
			return nil
		case 1, 2:
			return []int{target()}
		}
		return []int{target(), target()}
	})
}

// TestDomTreeMatchesReference compares NewDomTree, and the Lengauer–Tarjan
// algorithm it falls back on, with the old algorithm
// on random CFGs (reducible or not, with unreachable blocks, self loops
// and duplicate edges), and with dominance by definition on small ones.
func TestDomTreeMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 2000; iter++ {
		n := 1 + r.IntN(40)
		if iter%100 == 0 {
			n = 200 + r.IntN(800)
		}
		f := randomCFG(r, n)
		want := refIdom(f)
		d := NewDomTree(f)
		lt := make([]*Block, n)
		lengauerTarjan(f, Preds(f), lt, &domScratch{})
		for _, b := range f.Blocks {
			if got := d.Idom(b); got != want[b.Index] {
				t.Fatalf("iteration %d (%d blocks): idom(%s) = %v, want %v", iter, n, b.Name, got, want[b.Index])
			}
			if got := lt[b.Index]; got != want[b.Index] {
				t.Fatalf("iteration %d (%d blocks): Lengauer-Tarjan idom(%s) = %v, want %v", iter, n, b.Name, got, want[b.Index])
			}
		}
		// Frontiers against their definition: y is in DF(x) if x
		// dominates a predecessor of y but does not strictly dominate y.
		df := d.Frontiers()
		preds := Preds(f)
		for _, x := range f.Blocks {
			if !d.Reachable(x) {
				continue
			}
			var want []*Block
			for _, y := range d.RPO() {
				for _, p := range preds[y.Index] {
					if d.Reachable(p) && d.Dominates(x, p) && (x == y || !d.Dominates(x, y)) {
						want = append(want, y)
						break
					}
				}
			}
			if got := df[x.Index]; !sameBlockSet(got, want) {
				t.Fatalf("iteration %d: DF(%s) = %v, want %v", iter, x.Name, got, want)
			}
		}
		if n <= 12 {
			for _, a := range f.Blocks {
				for _, b := range f.Blocks {
					if !d.Reachable(b) || !d.Reachable(a) {
						continue
					}
					if got, want := d.Dominates(a, b), bruteDominates(f, a, b); got != want {
						t.Fatalf("iteration %d: Dominates(%s, %s) = %v, want %v", iter, a.Name, b.Name, got, want)
					}
				}
			}
		}
		d.Release()
	}
}

// TestDomTreeShapes checks the shapes of the benchmarks, and that the
// many-predecessors shape takes near-linear time (issue 14, item 8: 50k
// blocks took 51 s).
func TestDomTreeShapes(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    *Function
	}{
		{"chainToExit", chainToExit(2000)},
		{"fanToExit", fanToExit(2001)},
		{"chain", chain(2000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := refIdom(tc.f)
			d := NewDomTree(tc.f)
			defer d.Release()
			for _, b := range tc.f.Blocks {
				if got := d.Idom(b); got != want[b.Index] {
					t.Fatalf("idom(%s) = %v, want %v", b.Name, got, want[b.Index])
				}
			}
		})
	}
	t.Run("50k blocks to one", func(t *testing.T) {
		f := chainToExit(50000)
		start := time.Now()
		d := NewDomTree(f)
		el := time.Since(start)
		defer d.Release()
		if got := d.Idom(f.Blocks[len(f.Blocks)-1]); got != f.Blocks[0] {
			t.Errorf("idom(exit) = %v, want the entry", got)
		}
		// Limits that catch quadratic work (minutes on 50,000 blocks
		// under -race), not a slow machine: 3.3s for both here with
		// GOMAXPROCS=1 beside two busy loops under -race.
		if el > 30*time.Second {
			t.Errorf("NewDomTree took %v on 50,000 blocks", el)
		}
		start = time.Now()
		df := d.Frontiers()
		if el := time.Since(start); el > 30*time.Second {
			t.Errorf("Frontiers took %v on 50,000 blocks", el)
		}
		if got := df[f.Blocks[1].Index]; len(got) != 1 || got[0] != f.Blocks[len(f.Blocks)-1] {
			t.Errorf("DF(b1) = %v, want the exit", got)
		}
	})
}

func BenchmarkDomTree(b *testing.B) {
	for _, bc := range []struct {
		name string
		make func(int) *Function
		n    int
	}{
		{"chainToExit/25k", chainToExit, 25000},
		{"chainToExit/50k", chainToExit, 50000},
		{"fanToExit/50k", fanToExit, 50001},
		{"chain/50k", chain, 50000},
	} {
		f := bc.make(bc.n)
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				NewDomTree(f).Release()
			}
		})
	}
	// The common case: many small functions.
	r := rand.New(rand.NewPCG(3, 4))
	var small []*Function
	for range 200 {
		small = append(small, randomCFG(r, 5+r.IntN(36)))
	}
	b.Run("small/200x5-40", func(b *testing.B) {
		for b.Loop() {
			for _, f := range small {
				NewDomTree(f).Release()
			}
		}
	})
}

// TestNumReachableInOrder: NumReachable (with its walk in block order
// first) counts what ReversePostorder reaches, on random CFGs with
// unreachable blocks, unreachable cycles, blocks reached only through a
// later one, and more blocks than the in-order walk takes (64).
func TestNumReachableInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(30, 13))
	for iter := range 400 {
		n := 1 + rng.IntN(80)
		var sb strings.Builder
		sb.WriteString("define void @f(i1 %c) {\n")
		for i := range n {
			fmt.Fprintf(&sb, "b%d:\n", i)
			switch k := rng.IntN(5); {
			case k == 0 || i == n-1 && k < 3:
				sb.WriteString("  ret void\n")
			case k == 1:
				fmt.Fprintf(&sb, "  br label %%b%d\n", rng.IntN(n))
			default:
				// Forward edges mostly, some back: reachability in order
				// or only through a later block.
				a, b := rng.IntN(n), rng.IntN(n)
				if k == 4 && i+1 < n {
					a = i + 1 + rng.IntN(n-i-1)
				}
				fmt.Fprintf(&sb, "  br i1 %%c, label %%b%d, label %%b%d\n", a, b)
			}
		}
		sb.WriteString("}\n")
		m, err := ParseString("cfg.ll", sb.String())
		if err != nil {
			t.Fatalf("iteration %d: %v\n%s", iter, err, sb.String())
		}
		f := m.Func("f")
		if got, want := NumReachable(f), len(ReversePostorder(f)); got != want {
			t.Fatalf("iteration %d: NumReachable = %d, ReversePostorder has %d blocks\n%s", iter, got, want, sb.String())
		}
	}
}
