//go:build cgo

package lazy_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc"
)

// BenchmarkFirstCall measures the first call of a lazily compiled IR
// function: stub hit → re-entry → optimize, compile and link the function
// → run it, in this process and in a child executor. "first" runs a new
// function each iteration; "again" calls an already compiled one the same
// way (a fresh executor thread per call), the baseline to subtract.
func BenchmarkFirstCall(b *testing.B) {
	for _, exec := range []string{"local", "child"} {
		b.Run(exec, func(b *testing.B) {
			ctx := context.Background()
			j, err := jit.New(ctx, jit.Options{Exec: exec, ExecutorCommand: []string{os.Args[0]}})
			if err != nil {
				b.Fatal(err)
			}
			defer j.Close(ctx)
			add := func(i int) uint64 {
				src := fmt.Sprintf("define i32 @f%d(i32 %%argc) {\nentry:\n  %%a = mul i32 %%argc, 3\n  %%b = add i32 %%a, %d\n  ret i32 %%b\n}\n", i, i)
				if err := j.AddLazyIR(ctx, fmt.Sprintf("f%d.ll", i), []byte(src), 2, jit.PartitionFunction); err != nil {
					b.Fatal(err)
				}
				a, err := j.Lookup(ctx, fmt.Sprintf("f%d", i))
				if err != nil {
					b.Fatal(err)
				}
				return uint64(a)
			}
			run := func(a uint64, want int) {
				st, err := j.EPC.RunAsMain(ctx, jitAddr(a), []string{"x"})
				if err != nil || st != want {
					b.Fatalf("run: %d %v, want %d", st, err, want)
				}
			}
			next := 1 // each function is new (the benchmark runs several times)
			b.Run("first", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					n := next
					next++
					a := add(n)
					b.StartTimer()
					run(a, 3+n)
				}
			})
			a0 := add(0)
			run(a0, 3)
			b.Run("again", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					run(a0, 3)
				}
			})
		})
	}
}

// callLoops: the same function reached through a lazy stub (f, after its
// first call compiled it) and directly (g, a plain reexport of an
// identical body), each called a million times per run.
const callLoops = `
extern long f(long), g(long);
int through_stub(int argc, char **argv) {
	long s = 0;
	for (long i = 0; i < 1000000; i++) s += f(i);
	return (int)(s & 0x7f);
}
int direct(int argc, char **argv) {
	long s = 0;
	for (long i = 0; i < 1000000; i++) s += g(i);
	return (int)(s & 0x7f);
}`

// BenchmarkCallThroughStub: a call through a compiled function's stub
// against a direct call to the same code (ns/call reported), in this
// process.
func BenchmarkCallThroughStub(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	mainObj := cc(b, dir, "loops", callLoops)
	libObj := cc(b, dir, "fg", "long f(long x) { return x ^ 5; }\nlong g(long x) { return x ^ 5; }")
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close(ctx)
	lib, _ := j.ES.CreateJITDylib("lib")
	if _, err := j.Layer.Add(lib, nil, "fg.o", libObj); err != nil {
		b.Fatal(err)
	}
	f, g := j.ES.Intern("f"), j.ES.Intern("g")
	if err := j.AddLazyReexports(lib, orc.SymbolAliasMap{f: {Aliasee: f, Flags: orc.Exported | orc.Callable}}); err != nil {
		b.Fatal(err)
	}
	if err := j.Main.Define(orc.ReExports(lib, orc.SymbolAliasMap{g: {Aliasee: g, Flags: orc.Exported | orc.Callable}}, orc.MatchAllSymbols), nil); err != nil {
		b.Fatal(err)
	}
	if err := j.AddObject("loops.o", mainObj); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"through_stub", "direct"} {
		a, err := j.Lookup(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := j.EPC.RunAsMain(ctx, a, nil); err != nil { // compiles f
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			t0 := time.Now()
			for i := 0; i < b.N; i++ {
				if _, err := j.EPC.RunAsMain(ctx, a, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(t0).Nanoseconds())/float64(b.N)/1e6, "ns/call")
		})
	}
}
