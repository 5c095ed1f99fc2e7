package passes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// TestInstCombineRounds: instcombine stops after the round that changed
// the function when a further round would change nothing (every rewrite
// leaves a form simplify takes no further, and no operand was replaced
// after its user was visited), and only then; the result is the
// fixpoint either way (InstCombine again changes nothing).
func TestInstCombineRounds(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		rounds int
	}{
		{"unchanged", `define double @f(double %x) {
entry:
  %a = fadd double %x, %x
  ret double %a
}`, 1},
		{"replaced", `define double @f(double %x) {
entry:
  %a = fmul double %x, 1.000000e+00
  %b = fadd double %a, %x
  ret double %b
}`, 1},
		// A constant on the left moved to the right, then fsub -0, x to
		// fneg x: forms simplify leaves alone.
		{"rewritten in place", `define double @f(double %x) {
entry:
  %a = fadd double 3.000000e+00, %x
  %b = fsub double -0.000000e+00, %a
  ret double %b
}`, 1},
		// x / -1 becomes x * -1, which the next round makes fneg x.
		{"rewrite taken further", `define double @f(double %x) {
entry:
  %a = fdiv double %x, -1.000000e+00
  ret double %a
}`, 2},
		// The loop phi's value from the back edge is replaced after the
		// phi was visited: a second round, which sees the phi's inputs
		// agree and replaces it, then settles.
		{"back edge", `define double @f(double %x, i1 %c) {
entry:
  br label %loop
loop:
  %p = phi double [ %x, %entry ], [ %y, %loop ]
  %y = fmul double %p, 1.000000e+00
  br i1 %c, label %loop, label %out
out:
  ret double %p
}`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ir.Parse("t.ll", []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			f := m.Funcs[0]
			_, settled, rounds := instCombineRounds(f)
			if !settled || rounds != tt.rounds {
				t.Errorf("settled %v after %d rounds, want true after %d", settled, rounds, tt.rounds)
			}
			if err := ir.VerifyFunction(f); err != nil {
				t.Fatal(err)
			}
			before := f.String()
			if InstCombine(f) {
				t.Errorf("a further instcombine changed the function:\n%s\nto\n%s", before, f)
			}
		})
	}
}

// TestInstCombineSettlesAtFixpoint: on every function of the pass tests
// and the compile-speed program, after mem2reg, an instcombine that says
// it settled f leaves f where a further instcombine changes nothing.
func TestInstCombineSettlesAtFixpoint(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.ll")
	files = append(files, "testdata/bench/kgen8.ll")
	n := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ir.Parse(filepath.Base(file), src)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, f := range m.Funcs {
			if f.IsDeclaration() {
				continue
			}
			if strings.Contains(string(src), "alloca") {
				Mem2Reg(f)
			}
			if _, settled, _ := instCombineRounds(f); !settled {
				continue
			}
			n++
			before := f.String()
			if InstCombine(f) {
				t.Errorf("%s @%s: instcombine said settled, but a further run changed\n%s\nto\n%s", file, f.Name, before, f)
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d functions checked", n)
	}
}
