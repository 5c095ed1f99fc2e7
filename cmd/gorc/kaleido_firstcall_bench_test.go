package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/kaleidoscope"
)

// BenchmarkKaleidoFirstCall measures a first call of gorc kaleido -lazy
// as a whole — body parse, IR, passes, backend, stubs, link, session —
// per function, in this process: a session defines SyntheticProgram(n)
// (bodies skipped by the parser, as the command line's are), then one
// call of the last function, whose chain reaches every one, compiles all
// n (timed), and the same call again (timed, subtracted: the code's own
// run). Each iteration runs two sessions, in turn: one whose first calls
// link each function's graph as its unit's own materialization
// (lazy.WithDirectLink, "direct-"), one that adds it to the impl dylib and
// looks it up there ("impl-", as before), so that a loaded machine weighs
// on both alike. Reports, per function and for each: wall ns, process CPU
// ns, Go allocations and minor page faults. (The JIT'd code's output goes
// to /dev/null.)
func BenchmarkKaleidoFirstCall(b *testing.B) {
	const n = 200
	src := kaleidoscope.SyntheticProgram(n)
	type sums struct {
		wall, cpu    time.Duration
		allocs, flts int64
	}
	var got [2]sums
	defer func() { lazyLinkViaImpl = false }()
	quiet(b, func() {
		for i := 0; i < b.N; i++ {
			for k, viaImpl := range []bool{false, true} {
				lazyLinkViaImpl = viaImpl
				w, c, a, f := kaleidoFirstCalls(b, src, n)
				got[k].wall += w
				got[k].cpu += c
				got[k].allocs += a
				got[k].flts += f
			}
		}
	})
	per := float64(b.N * n)
	for k, how := range []string{"direct", "impl"} {
		b.ReportMetric(float64(got[k].wall.Nanoseconds())/per, how+"-ns/fn")
		b.ReportMetric(float64(got[k].cpu.Nanoseconds())/per, how+"-cpu-ns/fn")
		b.ReportMetric(float64(got[k].allocs)/per, how+"-allocs/fn")
		b.ReportMetric(float64(got[k].flts)/per, how+"-faults/fn")
	}
}

// quiet runs f with the process's standard output (file descriptor 1,
// where JIT'd code prints) on /dev/null.
func quiet(b *testing.B, f func()) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer null.Close()
	saved, err := syscall.Dup(1)
	if err != nil {
		b.Fatal(err)
	}
	defer syscall.Close(saved)
	if err := syscall.Dup2(int(null.Fd()), 1); err != nil {
		b.Fatal(err)
	}
	defer syscall.Dup2(saved, 1)
	f()
}

// kaleidoFirstCalls runs one session of BenchmarkKaleidoFirstCall and
// returns the first calls' wall time, process CPU time, Go allocations
// and minor page faults, the second call's subtracted.
func kaleidoFirstCalls(b *testing.B, src []byte, n int) (time.Duration, time.Duration, int64, int64) {
	b.StopTimer()
	defer b.StartTimer()
	ctx := context.Background()
	r := &repl{ctx: ctx, pm: passes.ForLevel(2), stdout: io.Discard, stderr: io.Discard, file: "bench.k", level: 2, lazyMode: true}
	if code := r.open(execOptions{mode: "local"}); code != 0 {
		b.Fatalf("opening the session: status %d", code)
	}
	defer r.j.Close(ctx)
	p := kaleidoscope.NewParser("bench.k", src)
	p.SetLazyBodies(true)
	for {
		item, d := p.Next()
		if d != nil {
			b.Fatal(d)
		}
		if item == nil {
			break
		}
		if def, ok := item.(*kaleidoscope.FunctionDef); ok && def.TopLevel {
			continue
		}
		r.run(item, p)
	}
	cp := kaleidoscope.NewParser("call.k", []byte(fmt.Sprintf("f%d(1, 2);\n", n-1)))
	call, d := cp.Next()
	if d != nil {
		b.Fatal(d)
	}
	runtime.GC()
	gc := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(gc)
	c0, m0, f0 := processUsage()
	t0 := time.Now()
	r.run(call, cp)
	t1 := time.Now()
	c1, m1, f1 := processUsage()
	r.run(call, cp)
	t2 := time.Now()
	c2, m2, f2 := processUsage()
	if r.errors != 0 {
		b.Fatalf("f%d(1, 2): %d errors", n-1, r.errors)
	}
	if got := r.lazy.compiled.Load(); got != int64(n+3) {
		b.Fatalf("%d functions compiled, want %d", got, n+3)
	}
	return t1.Sub(t0) - t2.Sub(t1), (c1 - c0) - (c2 - c1), int64(m1-m0) - int64(m2-m1), (f1 - f0) - (f2 - f1)
}

// processUsage returns this process's CPU time, Go heap allocations so
// far and minor page faults.
func processUsage() (time.Duration, uint64, int64) {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ms.Mallocs, ru.Minflt
}
