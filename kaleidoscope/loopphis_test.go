package kaleidoscope

import (
	"context"
	"strings"
	"testing"
)

// TestLoopPhisOnlyForAssigned: a loop's header gets phis only for the
// variables it may assign (loopAssigns); the others' phis would be
// trivial and removed again. The IR is the same as with a phi for every
// variable in scope (loopScanLimit 0: no scan), unoptimised SSA and
// after -O2, on loops that assign in the body, the step or the end
// condition, through nested loops and ifs, with shadowing var bindings
// and inner loops reusing a name, and with a body too large to scan.
func TestLoopPhisOnlyForAssigned(t *testing.T) {
	big := "0" + strings.Repeat(" + x", 600)
	for _, tc := range []struct{ name, src string }{
		{"unassigned", "def f(x y) var a = x in (for i = 0, i < 4 in a * y) + a;"},
		{"body", "def f(x y) var a = x, b = y in (for i = 0, i < 4 in a = a + b) + a;"},
		{"step and end", "def f(x y) var a = x, b = y in (for i = 0, (a = a + 1) < 10, (b = b * 2) in 0) + a + b;"},
		{"nested", "def binary: 1 (x y) y; def f(x y) var a = x, b = y, c = 0 in (for i = 0, i < 4 in (for j = 0, j < i in c = c + a * j) : b = b + c) + b + c;"},
		{"if", "def f(x y) var a = x, b = y in (for i = 0, i < 4 in if a < i then b = b + 1 else a) + b;"},
		{"shadow", "def f(x y) var a = x in (for i = 0, i < 4 in var a = y in a = a + i) + a;"},
		{"inner same name", "def f(x y) var i = x in (for i = 0, i < 4 in (for i = 0, i < 2 in i)) + i;"},
		{"self", "def f(x y) var a = x in (for i = 0, i < 4 in a = a) + a;"},
		{"call", "def g(v) v * 2; def f(x y) var a = x, b = y in (for i = 0, i < 4 in b = g(a = a + b)) + a;"},
		{"too large", "def f(x y) var a = x, b = y in (for i = 0, i < 4 in b = b + " + big + ") + a + b;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			compile := func(limit int) string {
				defer func(l int) { loopScanLimit = l }(loopScanLimit)
				loopScanLimit = limit
				var out strings.Builder
				for _, level := range []int{1, 2} {
					m, diags, _, err := CompileOptimized(context.Background(), "t", []string{"t.k"}, [][]byte{[]byte(tc.src)}, Passes(level))
					if err != nil || len(diags) != 0 {
						t.Fatalf("-O%d: %v %v", level, err, diags)
					}
					out.WriteString(m.String())
				}
				return out.String()
			}
			if got, want := compile(512), compile(0); got != want {
				t.Errorf("IR differs from a phi for every variable:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
