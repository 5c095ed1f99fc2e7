package kaleidoscope

import (
	"fmt"
	"strings"
)

// SyntheticProgram returns a Kaleidoscope program of n non-trivial
// functions for compile-speed measurements: each has parameters, a var
// block, a loop, two if/else expressions, arithmetic with constants and
// one call of the previous function (so running it costs O(n)); a final
// top-level expression calls the last one. The text is deterministic in n.
func SyntheticProgram(n int) []byte {
	var sb strings.Builder
	sb.WriteString("# synthetic compile-speed program\n")
	sb.WriteString("def binary> 10 (a b) b < a;\n")
	sb.WriteString("def unary-(v) 0 - v;\n")
	sb.WriteString("def binary: 1 (x y) y;\n")
	sb.WriteString("def f0(x y) x + y;\n")
	for i := 1; i < n; i++ {
		k := float64(i%97) + 0.5
		fmt.Fprintf(&sb, `def f%d(x y)
  var a = x * %g + 1, b = y - %d, c in
    (for i = 0, i < 4 in
      c = c + (if a < i then a * 2 - b * (1 + 2) else b * 0.5 + x * 3) :
      b = b + c * 0.25) :
    (if c > 100 then c - a * b else -(c + a * (y + %d))) * 0.001 + f%d(b * 0.001, x);
`, i, k, i%13, i%7, i-1)
	}
	fmt.Fprintf(&sb, "f%d(1, 2);\n", n-1)
	return []byte(sb.String())
}
