//go:build cgo

package lazy_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// BenchmarkFirstCall measures what the first-call goal names: the cost of
// a first call of a lazily compiled IR function (stub hit → re-entry →
// optimize, compile and link the function → running) over the same call
// already compiled, in this process and in a child executor (with and
// without shared memory).
//
// Each iteration adds firstCallFuncs new lazy functions and an eagerly
// compiled caller that calls each of them once, and looks the caller up
// (its link makes the functions' stubs), all outside the timing. It then
// times ONE run of the caller (first calls back to back, on one thread)
// and one run again (every function compiled, each call through its
// stub), and reports per function: first-ns/fn, again-ns/fn and their
// difference firstcall-ns/fn, the figure the goal names. In this process
// it also reports the process's CPU time (firstcall-cpu-ns/fn), Go heap
// allocations (firstcall-allocs/fn) and minor page faults
// (firstcall-faults/fn) of the first run over the second; with a child
// executor, this process's (the controller's) CPU time and allocations
// (controller-cpu-ns/fn, controller-allocs/fn). close-ns/fn is
// the session's close (freeing every function's code) per function.
// (ns/op is the whole iteration with its set-up: not the figure to read.)
func BenchmarkFirstCall(b *testing.B) { benchmarkFirstCalls(b, false) }

// BenchmarkFirstCallChain is BenchmarkFirstCall for functions calling
// each other in a chain (fK calls fK-1; the caller calls the last), as
// `kgen` programs do: the caller's link makes one stub, and each first
// call links a function whose callee has no stub yet, so the stub is
// made during that first call (a definition generator run per first
// call), which BenchmarkFirstCall's stubs, all made before the timed
// run, leave out.
func BenchmarkFirstCallChain(b *testing.B) { benchmarkFirstCalls(b, true) }

func benchmarkFirstCalls(b *testing.B, chain bool) {
	for _, mode := range execModes {
		exec := mode.name
		b.Run(exec, func(b *testing.B) {
			ctx := context.Background()
			j, err := jit.New(ctx, mode.opts())
			if err != nil {
				b.Fatal(err)
			}
			closed := false
			defer func() {
				if !closed {
					j.Close(ctx)
				}
			}()
			n := firstCallFuncs
			var first, again, cpu time.Duration
			var allocs, faults int64
			for i := 0; i < b.N; i++ {
				caller, want := addFirstCallBatch(ctx, b, j, i, n, chain)
				// The collector is off during the runs, as gorc's lazy runs
				// have it (cmd/gorc: run.go, kaleido.go).
				runtime.GC()
				gc := debug.SetGCPercent(-1)
				c0, m0, f0 := usage()
				t0 := time.Now()
				runWant(ctx, b, j, caller, want)
				t1 := time.Now()
				c1, m1, f1 := usage()
				t2 := time.Now()
				runWant(ctx, b, j, caller, want)
				t3 := time.Now()
				c2, m2, f2 := usage()
				debug.SetGCPercent(gc)
				first += t1.Sub(t0)
				again += t3.Sub(t2)
				cpu += (c1 - c0) - (c2 - c1)
				allocs += int64(m1-m0) - int64(m2-m1)
				faults += (f1 - f0) - (f2 - f1)
			}
			per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N*n) }
			b.ReportMetric(per(first), "first-ns/fn")
			b.ReportMetric(per(again), "again-ns/fn")
			b.ReportMetric(per(first-again), "firstcall-ns/fn")
			// Closing frees every function's code (and deregisters its EH
			// frame): the cost of resource removal, per function.
			t0 := time.Now()
			closed = true
			if err := j.Close(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(per(time.Since(t0)), "close-ns/fn")
			if exec == "local" {
				b.ReportMetric(per(cpu), "firstcall-cpu-ns/fn")
				b.ReportMetric(float64(allocs)/float64(b.N*n), "firstcall-allocs/fn")
				b.ReportMetric(float64(faults)/float64(b.N*n), "firstcall-faults/fn")
			} else {
				// This process is the controller only: its CPU time and
				// allocations (the executor's are the child's).
				b.ReportMetric(per(cpu), "controller-cpu-ns/fn")
				b.ReportMetric(float64(allocs)/float64(b.N*n), "controller-allocs/fn")
			}
		})
	}
}

// firstCallFuncs is how many functions one iteration of BenchmarkFirstCall
// calls for the first time (GORC_FIRSTCALL_FUNCS overrides it).
var firstCallFuncs = func() int {
	if v, err := strconv.Atoi(os.Getenv("GORC_FIRSTCALL_FUNCS")); err == nil && v > 0 {
		return v
	}
	return 200
}()

// addFirstCallBatch adds, as iteration it, n lazy functions
// fIT_K(x) = 3x + K (one module, a partition per function) and an eager
// caller that calls each once with its argc and returns the sum's low 7
// bits; it looks the caller up (which makes the stubs) and returns its
// address and the status a run with one argument returns. With chain,
// fIT_K(x) = 3x + K + fIT_K-1(x) instead (fIT_0 calls nothing) and the
// caller calls only the last one.
func addFirstCallBatch(ctx context.Context, b *testing.B, j *jit.JIT, it, n int, chain bool) (shared.ExecutorAddr, int) {
	b.Helper()
	var lz, c strings.Builder
	want := 0
	for k := range n {
		if chain && k > 0 {
			fmt.Fprintf(&lz, "define i32 @f%d_%d(i32 %%x) {\nentry:\n  %%a = mul i32 %%x, 3\n  %%b = add i32 %%a, %d\n  %%c = call i32 @f%d_%d(i32 %%x)\n  %%d = add i32 %%b, %%c\n  ret i32 %%d\n}\n", it, k, k, it, k-1)
		} else {
			fmt.Fprintf(&lz, "define i32 @f%d_%d(i32 %%x) {\nentry:\n  %%a = mul i32 %%x, 3\n  %%b = add i32 %%a, %d\n  ret i32 %%b\n}\n", it, k, k)
		}
		want += 3 + k
	}
	called := make([]int, 0, n)
	if chain {
		called = append(called, n-1)
	} else {
		for k := range n {
			called = append(called, k)
		}
	}
	for _, k := range called {
		fmt.Fprintf(&c, "declare i32 @f%d_%d(i32)\n", it, k)
	}
	fmt.Fprintf(&c, "define i32 @callall%d(i32 %%argc) {\nentry:\n", it)
	prev := "0"
	for _, k := range called {
		fmt.Fprintf(&c, "  %%r%d = call i32 @f%d_%d(i32 %%argc)\n  %%s%d = add i32 %s, %%r%d\n", k, it, k, k, prev, k)
		prev = fmt.Sprintf("%%s%d", k)
	}
	fmt.Fprintf(&c, "  %%m = and i32 %s, 127\n  ret i32 %%m\n}\n", prev)
	if err := j.AddLazyIR(ctx, fmt.Sprintf("lazy%d.ll", it), []byte(lz.String()), 2, jit.PartitionFunction); err != nil {
		b.Fatal(err)
	}
	if err := j.AddIR(ctx, fmt.Sprintf("callall%d.ll", it), []byte(c.String()), 0); err != nil {
		b.Fatal(err)
	}
	a, err := j.Lookup(ctx, fmt.Sprintf("callall%d", it))
	if err != nil {
		b.Fatal(err)
	}
	return a, want & 127
}

func runWant(ctx context.Context, b *testing.B, j *jit.JIT, a shared.ExecutorAddr, want int) {
	st, err := j.EPC.RunAsMain(ctx, a, []string{"x"})
	if err != nil || st != want {
		b.Fatalf("run: %d %v, want %d", st, err, want)
	}
}

// usage returns this process's CPU time, Go heap allocations so far and
// minor page faults (with a child executor: the controller's only).
func usage() (time.Duration, uint64, int64) {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ms.Mallocs, ru.Minflt
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
