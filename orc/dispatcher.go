package orc

import (
	"context"
	"sync"
)

// A Dispatcher runs tasks (materializations) for an ExecutionSession.
// Dispatch must not block waiting for the task to finish unless the
// dispatcher runs tasks in place.
type Dispatcher interface {
	// Dispatch runs task, now or later, on some goroutine.
	Dispatch(task func())
	// Shutdown waits until every dispatched task has finished or ctx is
	// done. Tasks dispatched after Shutdown run in place.
	Shutdown(ctx context.Context) error
}

// InPlaceDispatcher runs each task on the goroutine that dispatches it.
// Materializations then run inside the lookup that triggers them, which
// makes tests deterministic.
type InPlaceDispatcher struct{}

// Dispatch runs task immediately.
func (InPlaceDispatcher) Dispatch(task func()) { task() }

// Shutdown returns nil: nothing is outstanding.
func (InPlaceDispatcher) Shutdown(context.Context) error { return nil }

// PoolDispatcher runs tasks on at most n goroutines. The queue is
// unbounded, so Dispatch never blocks; workers exit when the queue is
// empty, so an idle pool holds no goroutines.
//
// A materializer that calls the session's Lookup with the context it was
// given lends its slot to a new worker while it waits, so synchronous
// lookups inside materializers cannot exhaust the pool. (LookupAsync is
// still cheaper: it does not park a goroutine.)
type PoolDispatcher struct {
	mu      sync.Mutex
	queue   []func()
	head    int
	running int // workers alive
	blocked int // workers waiting in a Lookup
	max     int
	closed  bool
	idle    chan struct{} // closed when running == 0 after shutdown
}

// NewPoolDispatcher returns a dispatcher with at most n workers (n < 1
// means 1).
func NewPoolDispatcher(n int) *PoolDispatcher {
	if n < 1 {
		n = 1
	}
	return &PoolDispatcher{max: n}
}

// Dispatch queues task.
func (p *PoolDispatcher) Dispatch(task func()) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		task()
		return
	}
	p.queue = append(p.queue, task)
	spawn := p.running-p.blocked < p.max
	if spawn {
		p.running++
	}
	p.mu.Unlock()
	if spawn {
		go p.worker()
	}
}

func (p *PoolDispatcher) worker() {
	for {
		p.mu.Lock()
		if p.head == len(p.queue) {
			p.queue, p.head = p.queue[:0], 0
			p.running--
			if p.running == 0 && p.idle != nil {
				close(p.idle)
				p.idle = nil
			}
			p.mu.Unlock()
			return
		}
		t := p.queue[p.head]
		p.queue[p.head] = nil
		p.head++
		if p.head >= 1024 && p.head*2 >= len(p.queue) {
			// Under continuous load the queue never drains: compact
			// it so its backing array does not grow without bound.
			n := copy(p.queue, p.queue[p.head:])
			clear(p.queue[n:])
			p.queue, p.head = p.queue[:n], 0
		}
		p.mu.Unlock()
		t()
	}
}

// Shutdown stops accepting queued work and waits for the workers.
func (p *PoolDispatcher) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	if p.running == 0 {
		p.mu.Unlock()
		return nil
	}
	if p.idle == nil {
		p.idle = make(chan struct{})
	}
	idle := p.idle
	p.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// blockingNotifier is implemented by dispatchers that can replace a worker
// while its task waits for a lookup.
type blockingNotifier interface {
	blockingBegin()
	blockingEnd()
}

type workerKey struct{}

func (p *PoolDispatcher) blockingBegin() {
	p.mu.Lock()
	p.blocked++
	spawn := p.head < len(p.queue) && p.running-p.blocked < p.max
	if spawn {
		p.running++
	}
	p.mu.Unlock()
	if spawn {
		go p.worker()
	}
}

func (p *PoolDispatcher) blockingEnd() {
	p.mu.Lock()
	p.blocked--
	p.mu.Unlock()
}
