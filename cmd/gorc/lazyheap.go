package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// lazyRunGCPercent is the collector's GOGC for the part of a lazy run
// after its start-up (lazyRunHeap).
const lazyRunGCPercent = 200

// lazyFirstGoalPercent sets the collector's first goal after a lazy
// run's start-up: (1+lazyFirstGoalPercent/100) times the heap at the
// switch (firstGCPercent). It is what keeps a run that makes few first
// calls from marking its start-up's heap (at 10,000 functions of which
// 1% are called, the heap is 8 MB at the switch and the calls allocate
// some 3 MB after it), whatever lazyRunGCPercent is.
const lazyFirstGoalPercent = 200

// lazyRunHeap switches a lazy run's heap from its start-up policy to its
// run policy, and returns the GOGC it set (0: none, the user set GOGC or
// GOMEMLIMIT, which are left alone as at start-up).
//
// The start-up (parsing, declaring every function) runs with the
// collector off under a soft limit of 1 GiB, as a batch compile does: it
// allocates a bounded amount, mostly kept. What follows is open-ended:
// each first call compiles and links one function, allocating some
// 10–40 KB of which about a fifth stays live, for as many functions as
// the program calls (in a REPL session, for as long as it runs). With the
// collector off, every byte of that is fresh memory, one page fault per
// 4 KiB on the calling thread, and the heap only grows. With the
// collector on at GOGC=200, the heap stays within three times what is
// live and compiled functions' garbage is reused. Session 19 chose
// GOGC=400 and a first goal of five times the heap (half the page faults
// of the collector off); session 21 measured 200 and three times:
// another 37% fewer page faults at 4,000 functions all called, 20% at
// 1,000, for 2–5% more task-clock (the collector, mostly on the idle
// core) and wall time within noise (docs/RATIONALE.md, "Session 21,
// issue 10: the Go heap of a lazy run").
// The 1 GiB soft limit stays.
//
// The collector has not run since the start-up's heap was readied
// (prepareHeap), so what it knows as live is about nothing, and
// lazyRunGCPercent alone would start a collection at once, marking the
// whole start-up heap even in a run that then makes a few first calls. So the first
// goal is three times the heap now (everything allocated so far counted
// as live: lazyFirstGoalPercent), and GOGC is set to lazyRunGCPercent
// once that first collection is done.
func lazyRunHeap() int {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	// (Reading the setting leaves the collector off meanwhile.)
	wasOff := debug.SetGCPercent(-1) < 0
	pct := lazyRunGCPercent
	if wasOff {
		// Not when the collector was already on (gorc run -lazy of
		// objects only): then what it found live is current.
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		if s[0].Value.Kind() == metrics.KindUint64 && s[1].Value.Kind() == metrics.KindUint64 {
			pct = firstGCPercent(s[0].Value.Uint64(), s[1].Value.Uint64())
		}
	}
	debug.SetGCPercent(pct)
	if pct != lazyRunGCPercent {
		// Back to lazyRunGCPercent after the first collection (the
		// sentinel is unreachable at once; its cleanup runs after the
		// collection that finds it so).
		type sentinel struct {
			p *sentinel
			_ [48]byte
		}
		runtime.AddCleanup(&sentinel{}, func(int) { debug.SetGCPercent(lazyRunGCPercent) }, 0)
	}
	return pct
}

// firstGCPercent is the GOGC that puts the collector's next goal at
// (1+lazyFirstGoalPercent/100) times now, the bytes of heap objects, given
// marked, what the last collection found live (the goal is
// marked·(1+GOGC/100)); at least lazyFirstGoalPercent.
func firstGCPercent(marked, now uint64) int {
	marked = max(marked, 1<<20) // small heaps: the runtime's goal is at least 4 MiB anyway
	if now <= marked {
		return lazyFirstGoalPercent
	}
	return max(lazyFirstGoalPercent, int((100+lazyFirstGoalPercent)*now/marked)-100)
}
