package lazy

import (
	"context"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/gorc-jit/gorc/orc"
)

// WalkCallees is a Planner's walk: it visits roots and, transitively, the
// callees that take reports, breadth first and each name once, until take
// has accepted max names or ctx ends. take returns the callees of a name
// it accepts (ok true) or skips it (ok false: compiled, claimed, or in
// error). rest is what was queued but not visited, in order and as often
// as it was queued (a later walk sees each name once): the next batch's
// roots.
func WalkCallees(ctx context.Context, roots []string, max int, take func(name string) (callees iter.Seq[string], ok bool)) (rest []string) {
	seen := make(map[string]bool, 2*max)
	queue := roots
	for taken := 0; len(queue) > 0 && taken < max && ctx.Err() == nil; {
		n := queue[0]
		queue = queue[1:]
		if seen[n] {
			continue
		}
		seen[n] = true
		callees, ok := take(n)
		if !ok {
			continue
		}
		taken++
		for c := range callees {
			if !seen[c] {
				queue = append(queue, c)
			}
		}
	}
	for _, n := range queue {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	return rest
}

// Planner chooses the next speculative batch (LLVM ORC's Speculator
// with an IRSpeculationLayer, in batches): starting from roots (the
// functions found called by code compiled so far), it claims up to max
// functions not compiled or claimed yet, walking their direct callees
// transitively, defines them in jd as one unit (one module compiled, one
// graph linked: the compiler's caches stay warm and the per-module costs
// are shared) and returns the unit's symbols, to be looked up, and the
// functions it reached but left out (the next batch's roots). The unit
// should be partitioned Whole: a first call that reaches the batch before
// the speculator's lookup starts it then compiles the batch, not its
// function alone (which left the rest to be taken one by one, each a cold
// compile, by the next first calls of a chain). A function
// a planner leaves out of a batch (a first call took it, or it has an
// error) is compiled, or fails, on its first call as without
// speculation.
type Planner func(ctx context.Context, roots []string, max int) (jd *orc.JITDylib, syms []orc.SymbolName, rest []string)

// SpeculationBatchMin and SpeculationBatchMax bound the size of a
// speculative batch: the first is small, so that the first call's callees
// are compiled soon, and each next one twice the size, up to the
// maximum (a first call of a function in a batch being compiled waits
// for the whole batch).
const (
	SpeculationBatchMin = 8
	SpeculationBatchMax = 64
)

// Speculator compiles functions before their first call, in the
// background: Enqueue hands it the functions code just compiled calls;
// one goroutine plans batches from them (Planner) and each batch is
// materialized by a session lookup on one of workers goroutines, in place
// (that goroutine compiles and links it: no hand-off to a dispatcher
// goroutine, which on a busy machine started the batch late), at most
// workers at a time. The goroutines run from the first Enqueue to Stop. A first call of a function in a batch being
// compiled waits for it as for any materialization in progress (the
// session's symbol states); one not claimed yet is compiled at once by
// its caller. Lookups fail silently: a function whose speculative
// compile failed reports the error when, and if, it is called.
type Speculator struct {
	es     *orc.ExecutionSession
	plan   Planner
	ctx    context.Context
	cancel context.CancelFunc
	slots  chan struct{}
	wg     sync.WaitGroup

	// wake tells the loop, waiting for work, that the queue has some.
	wake chan struct{}
	// jobs hands a planned batch to one of the workers (one per slot,
	// started with the loop): long-lived goroutines, whose stacks, grown
	// by a batch's compile and link, serve the next batch as they are. A
	// goroutine per batch grew a fresh stack each time (newstack and
	// copystack were 1.5% of an all-called run of 4,000 Kaleidoscope
	// functions, eager's 0.2%).
	jobs chan specJob

	// planMu serializes the planner's runs: the loop's, and a first
	// call's (PlanInline) when the loop is not planning.
	planMu sync.Mutex

	mu      sync.Mutex
	queue   []string
	running bool // loop and workers are running
	stopped bool
	size    int // the next batch's size

	batches atomic.Int64
}

// NewSpeculator returns a speculator compiling at most workers batches
// at once (at least 1).
func NewSpeculator(es *orc.ExecutionSession, workers int, plan Planner) *Speculator {
	if workers < 1 {
		workers = 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Speculator{es: es, plan: plan, ctx: ctx, cancel: cancel, slots: make(chan struct{}, workers), wake: make(chan struct{}, 1), jobs: make(chan specJob, workers), size: SpeculationBatchMin}
}

// specJob is a planned batch: the symbols of jd its lookup requests.
type specJob struct {
	jd   *orc.JITDylib
	syms []orc.SymbolName
}

// Enqueue queues names (functions about to be called, maybe) for
// speculative compilation.
func (s *Speculator) Enqueue(names ...string) {
	if len(names) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	s.queue = append(s.queue, names...)
	if !s.running {
		// The loop and the workers run from the first names queued
		// until Stop (a program that calls nothing not compiled never
		// starts them).
		s.running = true
		s.wg.Add(1 + cap(s.slots))
		go s.loop()
		for range cap(s.slots) {
			go s.work()
		}
	}
	select {
	case s.wake <- struct{}{}:
	default: // (the loop is told already)
	}
}

// Batches returns how many batches have been planned.
func (s *Speculator) Batches() int64 { return s.batches.Load() }

// Stop ends speculation: the queue is dropped and nothing more is
// planned, the speculator's lookups waiting for a batch (one a first call
// is compiling) are cancelled, a batch its own lookup is compiling in
// place runs to its end (at most one per worker, each at most
// SpeculationBatchMax functions), and Stop returns when every goroutine
// of s has. Functions not compiled are compiled, or fail, only if called
// (a session being ended is).
func (s *Speculator) Stop() {
	s.mu.Lock()
	s.stopped = true
	s.queue = nil
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

func (s *Speculator) loop() {
	defer s.wg.Done()
	for {
		// A worker first: a batch is defined only when it can start at
		// once (a first call would otherwise take its functions one by
		// one, with cold caches).
		select {
		case s.slots <- struct{}{}:
		case <-s.ctx.Done():
			return
		}
		s.mu.Lock()
		if s.stopped {
			s.mu.Unlock()
			<-s.slots
			return
		}
		if len(s.queue) == 0 {
			// Nothing to plan: wait for Enqueue, without a slot.
			s.mu.Unlock()
			<-s.slots
			select {
			case <-s.wake:
				continue
			case <-s.ctx.Done():
				return
			}
		}
		roots := s.queue
		s.queue = nil
		size := s.size
		s.size = min(2*s.size, SpeculationBatchMax)
		s.mu.Unlock()
		s.planMu.Lock()
		jd, syms, rest := s.plan(s.ctx, roots, size)
		s.planMu.Unlock()
		if len(rest) > 0 {
			s.mu.Lock()
			if !s.stopped {
				s.queue = append(rest, s.queue...)
			}
			s.mu.Unlock()
		}
		if len(syms) == 0 {
			<-s.slots
			continue
		}
		s.batches.Add(1)
		// (Never blocks: a job holds a slot, and jobs has room for as
		// many as there are slots.)
		s.jobs <- specJob{jd, syms}
	}
}

// PlanInline plans a batch of at most max functions from roots on the
// caller's goroutine, if the planner is idle (it reports false, having
// done nothing, if the loop is planning or s is stopped): for a first
// call that finds its function claimed by no batch. Compiled on its own
// (a unit, a link and the session's work for one function), such a
// function cost about five times a batch member's CPU (an all-called
// run of 4,000 Kaleidoscope functions compiled 40–60 so, mostly while
// the speculator's goroutines had not started yet). The batch is defined
// by the planner and compiled by the caller's own lookup (the first
// call's: it is partitioned Whole); what the walk left out is queued
// for the loop.
func (s *Speculator) PlanInline(ctx context.Context, roots []string, max int) bool {
	s.mu.Lock()
	stopped := s.stopped
	s.mu.Unlock()
	if stopped || !s.planMu.TryLock() {
		return false
	}
	_, syms, rest := s.plan(context.WithValue(ctx, inlinePlanKey{}, true), roots, max)
	s.planMu.Unlock()
	if len(syms) > 0 {
		s.batches.Add(1)
	}
	s.Enqueue(rest...)
	return true
}

// inlinePlanKey marks the context of a plan made by PlanInline.
type inlinePlanKey struct{}

// PlannedInline reports whether a Planner's ctx is a first call's
// (PlanInline), not the speculator loop's: the program is not known to
// compile ahead yet.
func PlannedInline(ctx context.Context) bool {
	v, _ := ctx.Value(inlinePlanKey{}).(bool)
	return v
}

// work is a worker: it materializes the batches the loop hands it, each
// by a session lookup compiling it in place (on this goroutine: no
// hand-off to a dispatcher goroutine, which on a busy machine started
// the batch late), and frees the batch's slot.
func (s *Speculator) work() {
	defer s.wg.Done()
	for {
		select {
		case j := <-s.jobs:
			// The error is the functions': each reports it on its first
			// call, if any.
			_, _ = s.es.Lookup(orc.WithInPlaceMaterialization(s.ctx), orc.SearchOrder(orc.MatchAllSymbols, j.jd), orc.NewSymbolLookupSet(j.syms...), orc.SymbolStateReady)
			<-s.slots
		case <-s.ctx.Done():
			return
		}
	}
}
