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
// Tasks that block waiting for other tasks (for example a materializer
// doing a synchronous Lookup whose materialization is queued behind it)
// can exhaust the pool; materializers should use LookupAsync instead.
type PoolDispatcher struct {
	mu      sync.Mutex
	queue   []func()
	head    int
	running int
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
	spawn := p.running < p.max
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
