package passes

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// TestInlineManyStraightCalls: a function that inlines more straight-line
// calls than callResults keeps in its array (so the map takes over), and
// calls whose arguments are the results of other inlined calls (chains of
// replaced values, through a body that only returns its parameter),
// comes out with no calls left, every use pointing at the inlined values,
// and valid IR.
func TestInlineManyStraightCalls(t *testing.T) {
	for _, n := range []int{1, 3, 8, 9, 20} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var sb strings.Builder
			sb.WriteString("define double @sq(double %x) {\nentry:\n  %m = fmul double %x, %x\n  ret double %m\n}\n")
			sb.WriteString("define double @id(double %x) {\nentry:\n  ret double %x\n}\n")
			sb.WriteString("define double @f(double %a) {\nentry:\n")
			prev := "%a"
			for i := range n {
				// sq(id(prev)) then id of that: each call's argument is
				// the result of the call inlined before it.
				fmt.Fprintf(&sb, "  %%i%d = call double @id(double %s)\n", i, prev)
				fmt.Fprintf(&sb, "  %%s%d = call double @sq(double %%i%d)\n", i, i)
				fmt.Fprintf(&sb, "  %%j%d = call double @id(double %%s%d)\n", i, i)
				prev = fmt.Sprintf("%%j%d", i)
			}
			fmt.Fprintf(&sb, "  ret double %s\n}\n", prev)
			m, err := ir.ParseString("many.ll", sb.String())
			if err != nil {
				t.Fatal(err)
			}
			f := m.Func("f")
			if !Inline(f) {
				t.Fatal("nothing inlined")
			}
			if err := ir.VerifyFunction(f); err != nil {
				t.Fatalf("%v\n%s", err, f)
			}
			muls := 0
			var last *ir.Instr
			for _, b := range f.Blocks {
				for _, in := range b.Instrs {
					switch in.Op {
					case ir.OpCall:
						t.Errorf("call left: %s", in)
					case ir.OpFMul:
						// Each multiplies the one before (or %a) by itself.
						want := ir.Value(f.Params[0])
						if last != nil {
							want = last
						}
						if in.Ops[0] != want || in.Ops[1] != want {
							t.Errorf("multiplication %d multiplies %v and %v, want %v", muls, in.Ops[0], in.Ops[1], want)
						}
						last = in
						muls++
					case ir.OpRet:
						if in.Ops[0] != ir.Value(last) {
							t.Errorf("returns %v, want the last multiplication", in.Ops[0])
						}
					}
				}
			}
			if muls != n {
				t.Errorf("%d multiplications, want %d:\n%s", muls, n, f)
			}
		})
	}
}

// TestInlineStraightAllocs: inlining straight-line bodies from an
// InlineCache allocates the copies (one allocation per call whose callee
// has instructions before its ret; their operands are kept in the copies)
// and nothing for a callee that only returns a parameter, nor for the
// list of callees used (recorded in InlinedInto): six calls, three
// allocations.
func TestInlineStraightAllocs(t *testing.T) {
	const runs = 20
	var sb strings.Builder
	sb.WriteString("define double @sq(double %x) {\nentry:\n  %m = fmul double %x, %x\n  ret double %m\n}\n")
	sb.WriteString("define double @id(double %x) {\nentry:\n  ret double %x\n}\n")
	for k := range runs + 1 { // AllocsPerRun runs once more to warm up
		fmt.Fprintf(&sb, "define double @f%d(double %%a) {\nentry:\n", k)
		sb.WriteString("  %i0 = call double @id(double %a)\n  %s0 = call double @sq(double %i0)\n" +
			"  %i1 = call double @id(double %s0)\n  %s1 = call double @sq(double %i1)\n" +
			"  %i2 = call double @id(double %s1)\n  %s2 = call double @sq(double %i2)\n" +
			"  ret double %s2\n}\n")
	}
	m, err := ir.ParseString("allocs.ll", sb.String())
	if err != nil {
		t.Fatal(err)
	}
	c := NewInlineCache()
	if !c.Remember(m.Func("sq")) || !c.Remember(m.Func("id")) {
		t.Fatal("sq or id not remembered")
	}
	k := 0
	allocs := testing.AllocsPerRun(runs, func() {
		if !c.Inline(m.Func(fmt.Sprintf("f%d", k))) {
			t.Fatal("nothing inlined")
		}
		k++
	})
	// (Minus the name's Sprintf; InlinedInto's lists grow by doubling,
	// under one allocation per run on average.)
	if got, want := allocs-1, 3.0; got > want && !raceEnabled {
		t.Errorf("inlining six calls allocated %v times, want at most %v", got, want)
	}
	for j := range k {
		f := m.Func(fmt.Sprintf("f%d", j))
		if err := ir.VerifyFunction(f); err != nil {
			t.Fatalf("%v\n%s", err, f)
		}
		if n := f.NumInstrs(); n != 4 {
			t.Errorf("%d instructions after inlining, want 4 (three fmul and the ret):\n%s", n, f)
		}
	}
}
