//go:build cgo

package lazy_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
)

// firstCallsPerRun is how many lazily compiled functions one run of
// BenchmarkFirstCallsInOneRun calls for the first time.
const firstCallsPerRun = 100

// firstCallsModule returns an IR module of n small functions p_i (each
// lazily compiled on its first call) and p_drive, which calls each once
// and returns the sum of their results for argc = 1.
func firstCallsModule(p string, n int) (src string, want int) {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "define i32 @%s_%d(i32 %%x) {\nentry:\n  %%a = mul i32 %%x, 3\n  %%b = add i32 %%a, %d\n  ret i32 %%b\n}\n", p, i, i%7)
		want += 3 + i%7
	}
	fmt.Fprintf(&b, "define i32 @%s_drive(i32 %%argc) {\nentry:\n", p)
	prev := "0"
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  %%r%d = call i32 @%s_%d(i32 %%argc)\n  %%s%d = add i32 %s, %%r%d\n", i, p, i, i, prev, i)
		prev = fmt.Sprintf("%%s%d", i)
	}
	fmt.Fprintf(&b, "  ret i32 %s\n}\n", prev)
	return b.String(), want
}

// BenchmarkFirstCallsInOneRun times first calls back to back inside one
// run of JIT'd code: a driver calls firstCallsPerRun functions never
// called before (each a stub hit → re-entry → compile, link → running),
// then the same run again with all of them compiled. The metric
// "first-call-ns" is (first run − second run) / firstCallsPerRun: the
// lazy cost of one first call with no executor thread start in it. The
// in-process figure is the compile-and-link floor the remote modes add
// their protocol cost to.
func BenchmarkFirstCallsInOneRun(b *testing.B) {
	for _, mode := range execModes {
		b.Run(mode.name, func(b *testing.B) {
			ctx := context.Background()
			j, err := jit.New(ctx, mode.opts())
			if err != nil {
				b.Fatal(err)
			}
			defer j.Close(ctx)
			var lazy time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				p := fmt.Sprintf("m%d", i)
				src, want := firstCallsModule(p, firstCallsPerRun)
				if err := j.AddLazyIR(ctx, p+".ll", []byte(src), 2, jit.PartitionFunction); err != nil {
					b.Fatal(err)
				}
				drive, err := j.Lookup(ctx, p+"_drive")
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				var took [2]time.Duration
				for k := range took {
					t0 := time.Now()
					st, err := j.EPC.RunAsMain(ctx, drive, []string{"x"})
					took[k] = time.Since(t0)
					if err != nil || st != want {
						b.Fatalf("run %d of %s: %d %v, want %d", k, p, st, err, want)
					}
				}
				lazy += took[0] - took[1]
			}
			b.ReportMetric(float64(lazy.Nanoseconds())/float64(b.N)/firstCallsPerRun, "first-call-ns")
		})
	}
}
