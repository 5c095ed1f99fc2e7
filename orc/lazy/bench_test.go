//go:build cgo

package lazy_test

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
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
			open := func() *jit.JIT {
				j, err := jit.New(ctx, jit.Options{Exec: exec, ExecutorCommand: []string{os.Args[0]}})
				if err != nil {
					b.Fatal(err)
				}
				return j
			}
			j := open()
			defer func() { j.Close(ctx) }()
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
					// One session for any number of functions: they share
					// code blocks (memmgr's code heap), so the executor's
					// mappings stay far below vm.max_map_count.
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
// identical body), each called callsPerRun times per run.
const callLoops = `
extern long f(long), g(long);
int through_stub(int argc, char **argv) {
	long s = 0;
	for (long i = 0; i < 10000000; i++) s += f(i);
	return (int)(s & 0x7f);
}
int direct(int argc, char **argv) {
	long s = 0;
	for (long i = 0; i < 10000000; i++) s += g(i);
	return (int)(s & 0x7f);
}`

const callsPerRun = 10_000_000

// BenchmarkCallThroughStub: a call through a compiled function's stub
// against a direct call to the same code, in this process. Each iteration
// runs both loops (10 million calls each, so starting the run's thread is
// noise), in alternating order, and the metrics are ns per call of each
// and their difference, "stub-extra-ns/call" (the cost of the stub's
// indirect jump), over the same iterations: both see the same load. The
// times are the process's CPU time (getrusage), which preemption by other
// processes does not inflate.
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
	var loops [2]shared.ExecutorAddr // through the stub, direct
	for i, name := range []string{"through_stub", "direct"} {
		a, err := j.Lookup(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := j.EPC.RunAsMain(ctx, a, nil); err != nil { // compiles f
			b.Fatal(err)
		}
		loops[i] = a
	}
	// CPU time of this process (user + system), not wall time: on a
	// loaded machine the run's thread is preempted, and wall time would
	// count the time other processes ran. Little else runs in this
	// process during a run (the controller waits for it).
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	var spent [2]time.Duration
	for i := 0; i < b.N; i++ {
		for k := range 2 {
			which := (i + k) % 2 // alternate which goes first
			t0 := cpu()
			if _, err := j.EPC.RunAsMain(ctx, loops[which], nil); err != nil {
				b.Fatal(err)
			}
			spent[which] += cpu() - t0
		}
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) / callsPerRun }
	b.ReportMetric(per(spent[0]), "stub-ns/call")
	b.ReportMetric(per(spent[1]), "direct-ns/call")
	b.ReportMetric(per(spent[0])-per(spent[1]), "stub-extra-ns/call")
}
