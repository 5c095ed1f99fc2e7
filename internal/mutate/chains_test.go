package mutate

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestLongChainsThroughPipeline runs long dependency chains (a .ll
// function of N chained integer adds, one of N fast-math fadds, and a .k
// expression of N terms) through the whole compile-and-link path with the
// goroutine stack limited to 64 MB: no stage may recurse per instruction
// or per term (issue 14, item 6).
func TestLongChainsThroughPipeline(t *testing.T) {
	n := 100000
	if raceEnabled {
		n = 20000
	}
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	var ll, fll strings.Builder
	ll.WriteString("define i64 @f(i64 %a) {\nentry:\n  %v0 = add i64 %a, 1\n")
	fll.WriteString("define double @g(double %a) {\nentry:\n  %v0 = fadd fast double %a, 1.0\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&ll, "  %%v%d = add i64 %%v%d, %%a\n", i, i-1)
		fmt.Fprintf(&fll, "  %%v%d = fadd fast double %%v%d, %%a\n", i, i-1)
	}
	fmt.Fprintf(&ll, "  ret i64 %%v%d\n}\n", n-1)
	fmt.Fprintf(&fll, "  ret double %%v%d\n}\n", n-1)
	k := strings.Repeat("x*2+1-", n) + "x;"
	for _, tc := range []struct {
		name string
		run  func(context.Context, string, []byte) error
		src  string
	}{
		{"add chain.ll", compileIR, ll.String()},
		{"fadd chain.ll", compileIR, fll.String()},
		{"chain.k", compileKaleido, "def f(x) " + k},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			if err := runWithTimeout(tc.run, tc.name, []byte(tc.src), 5*time.Minute); err != nil {
				t.Fatal(err)
			}
			t.Logf("%d instructions/terms in %v", n, time.Since(start))
		})
	}
}
