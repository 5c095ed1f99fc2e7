package jit

import (
	"sync"

	"github.com/gorc-jit/gorc/ir"
)

// aheadWindow bounds the bodies a parseAhead holds parsed and not yet
// compiled; aheadResume is how few there must be again before its
// goroutine, stopped at the bound, is started again (so it is woken
// once per aheadWindow-aheadResume first calls, not once per call).
const (
	aheadWindow = 32
	aheadResume = 16
)

// parseAhead parses, on a goroutine of its own, the bodies of the
// functions a lazily compiled function calls, before their first call —
// and, as each is parsed, those of its callees in turn: the parse (a
// quarter of a first call's CPU) then runs on the otherwise idle core
// while the calling thread compiles, links and runs; so does its
// verification (ir.VerifyFunction). Nothing is compiled
// ahead: a body parsed and never called costs its parse, on that core,
// and its memory until the run ends. At most aheadWindow bodies are
// parsed and not compiled; the goroutine stops when it reaches that or
// runs out of work (nothing stays parked), and a compile that takes a
// parsed body starts it again. The window counts bodies parsed and never
// compiled too: a module whose callees are mostly never called stops
// parsing ahead once aheadWindow of them are parsed.
type parseAhead struct {
	lb    *ir.LazyBodies
	arena *ir.InstrArena // the goroutine's (one parse at a time)

	mu     sync.Mutex
	queue  []*ir.Function
	queued map[*ir.Function]bool // ever queued (each body is parsed once)
	// ahead: the bodies parsed ahead and not taken by a compile, each
	// with whether it passed ir.VerifyFunction there (a compile then
	// does not verify it again; one that failed is verified, and its
	// error reported, by the compile).
	ahead   map[*ir.Function]bool
	running bool
	callees []*ir.Function // the goroutine's scratch
}

func newParseAhead(lb *ir.LazyBodies) *parseAhead {
	return &parseAhead{lb: lb, arena: new(ir.InstrArena), queued: map[*ir.Function]bool{}, ahead: map[*ir.Function]bool{}}
}

// taken notes that a compile has f's body (its ParseBodyInto returned):
// a body parsed ahead leaves the window. It reports whether f was
// parsed ahead (its callees are queued then), and whether it was
// verified there.
func (pa *parseAhead) taken(f *ir.Function) (was, verified bool) {
	pa.mu.Lock()
	verified, was = pa.ahead[f]
	if was {
		delete(pa.ahead, f)
		if len(pa.ahead) <= aheadResume {
			pa.startLocked()
		}
	}
	pa.mu.Unlock()
	return was, verified
}

// calleesOf queues the callees of f, whose body a compile has just
// parsed (on the compiling goroutine, which owns it).
func (pa *parseAhead) calleesOf(f *ir.Function) {
	var buf [8]*ir.Function
	cs := buf[:0]
	for c := range f.DirectCallees() {
		if c != f && pa.lb.Pending(c) {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return
	}
	pa.mu.Lock()
	pa.queueLocked(cs)
	pa.startLocked()
	pa.mu.Unlock()
}

func (pa *parseAhead) queueLocked(cs []*ir.Function) {
	for _, c := range cs {
		if !pa.queued[c] {
			pa.queued[c] = true
			pa.queue = append(pa.queue, c)
		}
	}
}

// startLocked starts the goroutine if it is not running and has work
// and room.
func (pa *parseAhead) startLocked() {
	if !pa.running && len(pa.queue) > 0 && len(pa.ahead) < aheadWindow {
		pa.running = true
		go pa.run()
	}
}

// run parses queued bodies until the window is full or the queue empty.
func (pa *parseAhead) run() {
	// collect runs before the body is marked parsed (no compile of f
	// can be reading it yet), and a compile waiting for it sees it in
	// the window once its parse returns.
	collect := func(f *ir.Function) {
		for c := range f.DirectCallees() {
			if c != f {
				pa.callees = append(pa.callees, c)
			}
		}
		ok := ir.VerifyFunction(f) == nil
		pa.mu.Lock()
		pa.ahead[f] = ok
		pa.mu.Unlock()
	}
	for {
		pa.mu.Lock()
		if len(pa.queue) == 0 || len(pa.ahead) >= aheadWindow {
			pa.running = false
			if len(pa.queue) == 0 {
				pa.queue = nil // (its array holds no more work)
			}
			pa.mu.Unlock()
			return
		}
		f := pa.queue[0]
		pa.queue[0] = nil
		pa.queue = pa.queue[1:]
		pa.mu.Unlock()
		pa.callees = pa.callees[:0]
		if !pa.lb.ParseAheadThen(f, pa.arena, collect) {
			continue // a compile parsed it (or is parsing it)
		}
		cs := pa.callees[:0]
		for _, c := range pa.callees {
			if pa.lb.Pending(c) {
				cs = append(cs, c)
			}
		}
		pa.mu.Lock()
		pa.queueLocked(cs)
		pa.mu.Unlock()
	}
}
