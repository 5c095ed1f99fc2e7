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

// SyntheticProgramC returns SyntheticProgram(n) written in C, for a C
// compiler as a compile-speed peer (tcc -run in
// kaleidoscope/testdata/bench/run.sh): the same functions with the same
// constants, the tutorial's semantics spelled out (the for body runs
// before the end test, which sees the variable before the step; unary
// minus is 0 - v), and main prints the top-level expression's value as
// gorc kaleido does. Its output equals the Kaleidoscope program's.
func SyntheticProgramC(n int) []byte {
	var sb strings.Builder
	sb.WriteString("/* synthetic compile-speed program, C version of SyntheticProgram */\n")
	sb.WriteString("#include <stdio.h>\n")
	sb.WriteString("static double f0(double x, double y) { return x + y; }\n")
	for i := 1; i < n; i++ {
		k := float64(i%97) + 0.5
		fmt.Fprintf(&sb, `static double f%d(double x, double y) {
	double a = x * %g + 1, b = y - %d, c = 0;
	for (double i = 0;;) {
		c = c + ((a < i) ? a * 2 - b * (1 + 2) : b * 0.5 + x * 3);
		b = b + c * 0.25;
		int more = i < 4;
		i = i + 1;
		if (!more)
			break;
	}
	return ((100 < c) ? c - a * b : 0 - (c + a * (y + %d))) * 0.001 + f%d(b * 0.001, x);
}
`, i, k, i%13, i%7, i-1)
	}
	fmt.Fprintf(&sb, "int main(void) {\n\tprintf(\"Evaluated to %%f\\n\", f%d(1, 2));\n\treturn 0;\n}\n", n-1)
	return []byte(sb.String())
}

// SyntheticProgramCalled returns a Kaleidoscope program of n functions of
// which about pct percent are called, for lazy-compilation start-up
// measurements: the functions have SyntheticProgram's bodies, but each
// calls only f0 (a leaf), not the previous function, so calling one
// function needs only itself and f0. A final top-level expression sums
// f_i(1, 2) over the called functions: every (100/pct)-th one, starting
// with the last (at least one). With pct 100 every function is called
// once, from the top level. The text is deterministic in n and pct.
func SyntheticProgramCalled(n int, pct float64) []byte {
	var sb strings.Builder
	fmt.Fprintf(&sb, "# synthetic lazy start-up program: %d functions, %g%% called\n", n, pct)
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
    (if c > 100 then c - a * b else -(c + a * (y + %d))) * 0.001 + f0(b * 0.001, x);
`, i, k, i%13, i%7)
	}
	sb.WriteString(strings.Join(calledTerms(n, pct), " + "))
	sb.WriteString(";\n")
	return []byte(sb.String())
}

// calledTerms lists the calls SyntheticProgramCalled's top-level
// expression sums.
func calledTerms(n int, pct float64) []string {
	step := 1
	if pct > 0 && pct < 100 {
		step = int(100/pct + 0.5)
	}
	var out []string
	for i := n - 1; i >= 0; i -= step {
		out = append(out, fmt.Sprintf("f%d(1, 2)", i))
	}
	return out
}
