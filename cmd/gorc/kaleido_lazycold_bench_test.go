package main

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/target"
)

// threadCPU is the calling thread's CPU time (the goroutine must be locked
// to its thread): unlike the wall clock, it leaves out the time the
// thread waits for a core on a loaded machine.
func threadCPU(tb testing.TB) time.Duration {
	const clockThreadCPUTimeID = 3 // CLOCK_THREAD_CPUTIME_ID
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		tb.Fatal(e)
	}
	return time.Duration(ts.Nano())
}

// evictBytes is several times the second-level cache of a core of the
// project's machines (the 2-core VM: 1 MiB of L2 per core, 32 MiB of L3
// shared): writing it between two compiles leaves none of the compiler's
// data in the first two levels and part of it in the third, as the link,
// the session and the JIT'd code between two first calls of a lazy run
// do (they touch less memory, but run other code: the first-level
// instruction cache and the branch predictors, which they also disturb,
// are not evicted here).
const evictBytes = 8 << 20

// evict writes and reads buf a cache line at a time and returns a sum
// so that the loop is kept.
func evict(buf []byte) byte {
	var s byte
	for i := 0; i < len(buf); i += 64 {
		buf[i]++
		s += buf[i]
	}
	return s
}

// BenchmarkLazyCompileKaleidoCold is BenchmarkLazyCompileKaleido with the
// data caches evicted before every other compile: it reports the compile's
// time when it follows another compile (warm-ns/fn, as an eager batch
// compiles its functions back to back) and when it follows 8 MiB of
// unrelated memory traffic (cold-ns/fn, as a lazy first call follows the
// previous call's link, the session and the JIT'd code), alternating so
// that the machine's load weighs on both alike; with -test.v, per stage
// too (parse, gen, passes, backend: compileStaged). Only the compiles are
// timed, in the thread's CPU time (the wall clock of a loaded machine
// counts the waits for a core).
func BenchmarkLazyCompileKaleidoCold(b *testing.B) {
	l, defs := lazyCompileDefs(b, 2*b.N+4, 2)
	ctx := context.Background()
	buf := make([]byte, evictBytes)
	var sink byte
	var stages [2][nStages]time.Duration // [warm, cold][stage]
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < 2*b.N; i++ {
		c := i % 2
		if c == 1 {
			sink += evict(buf)
		}
		def := defs[4+i]
		if err := l.compileStaged(ctx, b, def, &stages[c]); err != nil {
			b.Fatal(err)
		}
	}
	_ = sink
	for c, mode := range []string{"warm", "cold"} {
		var all time.Duration
		for s, d := range stages[c] {
			all += d
			if testing.Verbose() {
				b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), mode+"-"+stageNames[s]+"-ns/fn")
			}
		}
		b.ReportMetric(float64(all.Nanoseconds())/float64(b.N), mode+"-ns/fn")
	}
}

// The stages of a lazy compile that compileStaged times.
const (
	stageParse   = iota // the skipped body parsed
	stageGen            // its IR generated
	stagePasses         // optimized
	stageBackend        // compiled to machine code and handed over as a graph
	nStages
)

var stageNames = [nStages]string{"parse", "gen", "passes", "backend"}

// compileStaged is lazyDefs.compile, step for step, adding the thread CPU
// time of each step to stages.
func (l *lazyDefs) compileStaged(ctx context.Context, tb testing.TB, def *kaleidoscope.FunctionDef, stages *[nStages]time.Duration) error {
	t0 := threadCPU(tb)
	c := l.takeCompiler()
	defer l.putCompiler(c)
	c.def = *def
	own := &c.def
	defer func() { c.def = kaleidoscope.FunctionDef{} }()
	if d := own.ParseBodyWith(c.bp); d != nil {
		return d
	}
	t1 := threadCPU(tb)
	fn, d := c.fg.Gen("bench.k", own, def.Proto.Name+"$1")
	if d != nil {
		return d
	}
	defer c.fg.Release(fn)
	t2 := threadCPU(tb)
	if err := l.pm.RunFunction(fn); err != nil {
		return err
	}
	t3 := threadCPU(tb)
	if _, err := l.j.Target.Backend.Compile(ctx, fn.Module, target.Options{OmitGlobals: true, SourceName: "bench.k", GraphName: def.Proto.Name + "$1.o", NoObject: true}); err != nil {
		return err
	}
	t4 := threadCPU(tb)
	stages[stageParse] += t1 - t0
	stages[stageGen] += t2 - t1
	stages[stagePasses] += t3 - t2
	stages[stageBackend] += t4 - t3
	return nil
}
