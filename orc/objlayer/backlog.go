package objlayer

import "sync"

// Backlog applies bookkeeping records off the path of the thread that
// produces them: Add queues a record (a few stores under a lock), and
// once batch records are queued a goroutine applies them in order on
// another core. A reader of what the records build calls Flush first:
// it applies, on the reader's goroutine, everything queued before it, so
// the reader sees every record added before Flush was called. Records are
// applied one batch at a time, in the order they were added.
//
// Batching is what makes it worth doing for a lazily compiled function's
// few records: waking a goroutine per record would cost its producer
// about what applying the record does.
type Backlog[T any] struct {
	apply func([]T) // applies a batch; called with no Backlog lock held
	batch int

	applying sync.Mutex // held while a batch is taken and applied (keeps order)
	mu       sync.Mutex
	q        []T
	spare    []T  // the last applied batch's array, for the next queue
	running  bool // a goroutine is draining q
}

// NewBacklog returns a backlog that applies its records with apply, in
// batches of at least batch (1 or less: a goroutine per record).
func NewBacklog[T any](batch int, apply func([]T)) *Backlog[T] {
	return &Backlog[T]{apply: apply, batch: max(batch, 1)}
}

// Add queues x. It never blocks on apply (only on the queue's lock), so
// it may be called under other locks that apply does not take.
func (b *Backlog[T]) Add(x T) {
	b.mu.Lock()
	if b.q == nil && b.spare != nil {
		b.q, b.spare = b.spare[:0], nil
	}
	b.q = append(b.q, x)
	start := len(b.q) >= b.batch && !b.running
	if start {
		b.running = true
	}
	b.mu.Unlock()
	if start {
		go b.drain()
	}
}

// drain applies batches until the queue is empty.
func (b *Backlog[T]) drain() {
	for {
		if !b.applyOnce(true) {
			return
		}
	}
}

// applyOnce applies what is queued and reports whether there was
// anything; with stop, an empty queue clears running (under the same
// lock, so an Add that sees running still set knows the drain will see
// its record).
func (b *Backlog[T]) applyOnce(stop bool) bool {
	b.applying.Lock()
	defer b.applying.Unlock()
	b.mu.Lock()
	q := b.q
	b.q = nil
	if len(q) == 0 {
		if stop {
			b.running = false
		}
		b.mu.Unlock()
		return false
	}
	b.mu.Unlock()
	b.apply(q)
	clear(q)
	b.mu.Lock()
	b.spare = q
	b.mu.Unlock()
	return true
}

// Flush applies every record added before it was called (on this
// goroutine, or by waiting for the batch being applied). apply's locks
// must not be held by the caller.
func (b *Backlog[T]) Flush() {
	b.applyOnce(false)
}

// Len returns the number of records queued and not yet applied.
func (b *Backlog[T]) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.q)
}
