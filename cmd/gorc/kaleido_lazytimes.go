package main

import (
	"fmt"
	"io"
	"syscall"
	"time"
)

// lazyTimes holds the phases of a lazy batch run (gorc kaleido -lazy
// -show-times), each stamped with the time since gorc's Go code started
// (processStart) and the process's minor page faults then. The phases
// overlap in part: the session opens on a goroutine of its own while the
// first file's parse is set up and begins.
type lazyTimes struct {
	w io.Writer
	// entered: the sources are read and the heap readied (the lazy run's
	// code starts).
	entered stamp
	// openStart, openEnd: the session's open (executor, libm, the
	// runtime helpers linked), on its own goroutine; opened: the consumer
	// had it.
	openStart, openEnd time.Time
	opened             stamp
	// firstExpr: the first top-level expression was taken (every
	// definition before it was parsed and defined); zero if none.
	firstExpr stamp
	// defined: the definitions taken before it (all of them if none).
	defined int
	// exprs: the top-level expressions run, and the time taken by them
	// all (generate, compile, link and run; the run's first calls
	// included).
	exprs     int
	exprsTime time.Duration
}

// stamp is a moment of the run and the page faults until then.
type stamp struct {
	t      time.Time
	faults int64
}

func now() stamp { return stamp{time.Now(), processFaults()} }

// processFaults returns the process's minor page faults so far.
func processFaults() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Minflt
}

// since is d as printed: rounded to the microsecond.
func since(a, b time.Time) time.Duration { return b.Sub(a).Round(time.Microsecond) }

// print writes the phases: end is the run's end (before the session is
// closed, which an in-process run that exits skips), r the session.
func (t *lazyTimes) print(r *repl, end stamp) {
	w := t.w
	fmt.Fprintf(w, "lazy set-up (flags, heap readied, sources read): %v (at %v; page faults %d)\n",
		since(processStart, t.entered.t), since(processStart, t.entered.t), t.entered.faults)
	if !t.openEnd.IsZero() {
		fmt.Fprintf(w, "session open (executor, libm, runtime): %v (on its own goroutine, %v to %v)\n",
			since(t.openStart, t.openEnd), since(processStart, t.openStart), since(processStart, t.openEnd))
	}
	defEnd := end
	if !t.firstExpr.t.IsZero() {
		defEnd = t.firstExpr
	}
	l := r.lazy
	defined := t.defined
	if t.firstExpr.t.IsZero() {
		defined = l.definedSoFar()
	}
	fmt.Fprintf(w, "parse and define (%d definitions, until the first top-level expression): %v (page faults %d)\n",
		defined, since(t.entered.t, defEnd.t), defEnd.faults-t.entered.faults)
	if t.exprs > 0 {
		fmt.Fprintf(w, "top-level expressions (%d): %v, of which their code ran %v (page faults %d)\n",
			t.exprs, t.exprsTime.Round(time.Microsecond), r.evalTime.Round(time.Microsecond), end.faults-t.firstExpr.faults)
	}
	if l != nil {
		n := l.compiled.Load()
		fmt.Fprintf(w, "first calls: %d through the JIT, %d bodies compiled on demand (parse, IR, passes, code: %v busy)\n",
			l.lz.CallThrough.Reentries(), n, time.Duration(l.compileTime.Load()).Round(time.Microsecond))
	}
	fmt.Fprintf(w, "total (since gorc started): %v, page faults %d\n", since(processStart, end.t), end.faults)
}

// definedSoFar returns how many definitions l has taken (0 for nil).
func (l *lazyDefs) definedSoFar() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.defined
}
