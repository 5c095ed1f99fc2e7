package kaleidoscope

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
)

// condPrograms are conditions of every shape: built-in comparisons as the
// condition of ifs and loops, chains and nests of them, comparisons in a
// condition's operands (an if inside a comparison inside an if's
// condition), comparisons that are not the condition's value, and
// conditions that are not comparisons.
var condPrograms = []string{
	`def f(a b) if a < b then a else b;`,
	`def f(a b) if a + 1 < b * 2 then a - b else b - a;`,
	`def f(a b) if (if a < b then a else b) < 3 then 1 else 2;`,
	`def f(a b) if (a < b) < (b < a) then 1 else 2;`,
	`def f(a b) if a < b < 1 then 1 else 2;`,
	`def f(a b) if a then b else 0;`,
	`def f(a b) if a * (b < 1) then b else 0;`,
	`def f(a b) if (a < b) + 0 then b else 0;`,
	`def f(n) var s = 0 in (for i = 0, i < n in s = s + i);`,
	`def f(n) var s = 0 in (for i = 0, i < n, 2 in s = s + (if i < 3 then i else 0));`,
	`def f(n) var s = 0 in (for i = 0, n - i in s = s + 1);`,
	`def f(n) var s = 0 in (for i = 0, (if s < 3 then i else n) < n in s = s + 1);`,
	"def binary> 10 (a b) b < a;\ndef f(a b) if a > b then (if b < a then 1 else 0) else 2;",
	"def binary | 5 (a b) if a then 1 else if b then 1 else 0;\ndef f(a b) if a < 1 | b < 2 then 3 else 4;",
	"def f(a) if a < 1 then 2 else 3;\nf(0) + f(5);",
	`def f(a) a * (1 + 2) - (3 - 4) * 0.5 + (2 * 3) * a;`,
	`def f(a) (0 - 0) + a * (0 * 0 - 0) + (1 - 1 + 2) * (a + 1.5 * 2);`,
	`def f(a) 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * 100000000000000000000 * a;`,
	`def f(a) if 1 < 2 then (if 1 + 1 < a then 3 - 3 else 4 * 4) else 5;`,
	`1 + 2 * 3;`,
}

// TestInstCombineNext: branching on a comparison's i1 directly and
// folding constants (InstCombineNext, on at -O1 and -O2) gives the IR
// optimising the general form gives, and the IR generated for a built-in
// comparison as a condition has no fcmp one.
func TestInstCombineNext(t *testing.T) {
	srcs := append([]string(nil), condPrograms...)
	files, _ := filepath.Glob("testdata/*.k")
	bench, _ := filepath.Glob("testdata/bench/*.k")
	for _, f := range append(files, bench...) {
		if strings.Contains(f, "errors") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, string(b))
	}
	srcs = append(srcs, string(SyntheticProgram(30)))
	for level := 1; level <= 2; level++ {
		for i, src := range srcs {
			on, off, err := instCombineNextAlike(level, []byte(src))
			if err != nil {
				t.Fatalf("-O%d program %d: %v", level, i, err)
			}
			if on != off {
				t.Errorf("-O%d program %d: IR with InstCombineNext differs:\n%s\nwithout:\n%s", level, i, on, off)
			}
		}
	}
	// Before optimisation: the comparison's i1 is the branch's.
	g := newBatchGenerator("c.k", nil)
	g.SSA, g.InstCombineNext = true, true
	if _, err := g.addSources(context.Background(), "c.k", []string{"c.k"}, [][]byte{[]byte(condPrograms[0] + "\n" + condPrograms[8])}); err != nil {
		t.Fatal(err)
	}
	text := g.Finish().String()
	if strings.Contains(text, "fcmp one") || !strings.Contains(text, "br i1 %cmptmp") {
		t.Errorf("generated IR with InstCombineNext:\n%s", text)
	}
}

// instCombineNextAlike compiles src at level with InstCombineNext (the
// pipeline's default) and without it (a pass between mem2reg and
// instcombine: the same optimisation), and returns both modules' IR.
func instCombineNextAlike(level int, src []byte) (on, off string, err error) {
	nop := passes.Pass{Name: "nop", Run: func(*ir.Function) bool { return false }}
	compile := func(withNop bool) (string, error) {
		pm := Passes(level)
		if withNop {
			pm.Passes = append([]passes.Pass{pm.Passes[0], nop}, pm.Passes[1:]...)
		}
		m, diags, _, err := CompileOptimized(context.Background(), "c.k", []string{"c.k"}, [][]byte{src}, pm)
		if err != nil {
			return "", err
		}
		if len(diags) != 0 {
			return "", diags[0]
		}
		return m.String(), nil
	}
	if on, err = compile(false); err != nil {
		return "", "", err
	}
	off, err = compile(true)
	return on, off, err
}

// FuzzInstCombineNext: for any program that compiles, the IR at -O1 and
// -O2 is the same with the generator's InstCombineNext as without it.
func FuzzInstCombineNext(f *testing.F) {
	for _, p := range condPrograms {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<12 {
			return
		}
		for level := 1; level <= 2; level++ {
			on, off, err := instCombineNextAlike(level, src)
			if err != nil {
				return // (a program with errors: nothing to compare)
			}
			if on != off {
				t.Fatalf("-O%d: IR with InstCombineNext differs:\n%s\nwithout:\n%s", level, on, off)
			}
		}
	})
}
