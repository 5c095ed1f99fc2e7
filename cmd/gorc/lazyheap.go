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
//
// With untilReadied (gorc kaleido -lazy, with or without -speculate), when the start-up
// readied more heap than that first goal (prepareHeap: free memory,
// faulted in 2 MiB at a time), the collector instead stays off until
// the run has used up the heap the runtime has then (readiedRunLimit: a
// memory limit), then runs at lazyRunGCPercent; the return value is
// then -1. An all-called run of 2,000–4,000 functions with -speculate
// then makes no collection at all (the collection and its write
// barriers were 4% of its CPU in a profile, and 10% of it timed with
// GOGC=off); a run that goes on still collects, once that heap is used.
// Plain -lazy runs of the same programs made as many collections either
// way (two) with 36 bytes readied per byte of source, only later, with
// 6–15% more page faults; with 72 they make none either (session 29:
// docs/rationale/s29-kzall.md).
func lazyRunHeap(untilReadied bool) int {
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
	if wasOff && untilReadied {
		if limit, ok := readiedRunLimit(); ok {
			// The readied heap holds more than the first goal: the
			// collector stays off until the run has used it up (a
			// memory limit just past what is mapped now), then runs at
			// lazyRunGCPercent under the start-up's limit again.
			prev := debug.SetMemoryLimit(limit)
			type sentinel struct {
				p *sentinel
				_ [48]byte
			}
			runtime.AddCleanup(&sentinel{}, func(int) {
				debug.SetGCPercent(lazyRunGCPercent)
				debug.SetMemoryLimit(prev)
			}, 0)
			return -1
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

// readiedRunMin is the least free heap (readied by prepareHeap and not
// used by the start-up) that readiedRunLimit lets a lazy run use up
// before its first collection.
const readiedRunMin = 4 << 20

// readiedRunMargin is the least readiedRunLimit lets the heap grow past
// what the runtime has mapped at the switch.
const readiedRunMargin = 8 << 20

// readiedRunLimit returns the memory limit under which a lazy run's
// first collection comes when the heap readied for it (prepareHeap: free
// now, mapped in huge pages) is used up, if that is later than the first
// goal would put it (three times the heap now: lazyFirstGoalPercent).
// With the collector off under it, the heap grows into the readied
// memory, which does not raise what the runtime has mapped; past it,
// mapped memory grows, and the collection starts as it nears the limit:
// what the runtime has now (the readied memory, what its scavenger
// returned of it meanwhile, the rest it has mapped), and a sixteenth of
// that or readiedRunMargin, whichever is more (the runtime's scavenger
// returns memory above 95% of a limit: without a margin it would return
// the readied memory at once; an all-called run of 1,000 functions
// collected once with a sixteenth, 1.5 MB, and not with 8 MB).
func readiedRunLimit() (int64, bool) {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/memory/classes/total:bytes"},
	}
	metrics.Read(s)
	for _, x := range s {
		if x.Value.Kind() != metrics.KindUint64 {
			return 0, false
		}
	}
	heap, free := s[0].Value.Uint64(), s[1].Value.Uint64()
	total := s[2].Value.Uint64()
	grow := heap * lazyFirstGoalPercent / 100
	if free < readiedRunMin || free <= grow {
		return 0, false
	}
	return int64(total + max(total/16, readiedRunMargin)), true
}
