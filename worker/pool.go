package worker

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// Pool hands compile requests to workers. A job whose worker fails
// (killed, disconnected, no answer within Timeout) is retried on another
// worker, and compiled in this process when no worker is left, so a job
// is never lost and never waits forever; the failed worker is dropped.
// A request that does not compile (a RemoteError, or the local
// compilation's error) fails the whole batch with that error.
type Pool struct {
	// Timeout bounds one job on one worker (0: no limit).
	Timeout time.Duration
	// Logf, if set, reports dropped workers and retried jobs.
	Logf func(format string, args ...any)
	// Local compiles a job in this process (default Compile).
	Local func(ctx context.Context, req *Request) (*Reply, error)

	mu      sync.Mutex
	workers []*Conn
	stats   Stats
}

// Stats count what a pool did.
type Stats struct {
	Remote  int // jobs compiled by workers
	Local   int // jobs compiled in this process (no worker left)
	Retried int // jobs given to another worker or compiled locally after a worker failed
	Dropped int // workers dropped after a failure
}

// NewPool returns a pool of the given connections (possibly none: then
// every job is compiled locally).
func NewPool(conns ...*Conn) *Pool {
	return &Pool{workers: append([]*Conn(nil), conns...)}
}

// Add adds a worker to the pool.
func (p *Pool) Add(c *Conn) {
	p.mu.Lock()
	p.workers = append(p.workers, c)
	p.mu.Unlock()
}

// Workers returns the number of workers still in the pool.
func (p *Pool) Workers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.workers)
}

// Stats returns what the pool did so far.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Close closes every worker connection (spawned workers exit).
func (p *Pool) Close() error {
	p.mu.Lock()
	ws := p.workers
	p.workers = nil
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range ws {
		wg.Add(1)
		go func() { defer wg.Done(); c.Close() }()
	}
	wg.Wait()
	return nil
}

func (p *Pool) logf(format string, args ...any) {
	if p.Logf != nil {
		p.Logf(format, args...)
	}
}

func (p *Pool) drop(c *Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, w := range p.workers {
		if w == c {
			p.workers = append(p.workers[:i], p.workers[i+1:]...)
			p.stats.Dropped++
			break
		}
	}
}

// CompileAll compiles every request, each on one worker, at most one job
// per worker at a time, and returns the replies in the order of reqs.
// On the first request that does not compile it cancels the others and
// returns that error.
func (p *Pool) CompileAll(ctx context.Context, reqs []*Request) ([]*Reply, error) {
	b := p.Start(ctx)
	for _, r := range reqs {
		b.Add(r)
	}
	return b.Wait()
}

// Batch is a set of jobs being compiled by a pool: requests are added
// while earlier ones compile (a front end hands out parts as it produces
// them), and Wait collects the objects.
type Batch struct {
	p      *Pool
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	cond    *sync.Cond
	reqs    []*Request
	replies []*Reply
	queue   []int // jobs not taken by a worker
	here    []int // jobs to compile in this process (too large to send)
	closed  bool  // Wait called: no more jobs
	first   error
	wg      sync.WaitGroup
}

// Start starts a batch: one goroutine per worker of the pool takes jobs
// as they are added.
func (p *Pool) Start(ctx context.Context) *Batch {
	ctx, cancel := context.WithCancel(ctx)
	b := &Batch{p: p, ctx: ctx, cancel: cancel}
	b.cond = sync.NewCond(&b.mu)
	p.mu.Lock()
	ws := append([]*Conn(nil), p.workers...)
	p.mu.Unlock()
	for _, c := range ws {
		b.wg.Add(1)
		go b.serve(c)
	}
	// Wake the workers waiting for jobs when ctx ends.
	context.AfterFunc(ctx, func() {
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
	})
	return b
}

// Add queues a request.
func (b *Batch) Add(req *Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reqs = append(b.reqs, req)
	b.replies = append(b.replies, nil)
	b.queue = append(b.queue, len(b.reqs)-1)
	b.cond.Signal()
}

func (b *Batch) fail(err error) {
	b.mu.Lock()
	if b.first == nil {
		b.first = err
	}
	b.mu.Unlock()
	b.cancel()
}

// next waits for a job for a worker: ok is false once the batch is
// closed and no job is left, or ctx ended.
func (b *Batch) next() (i int, req *Request, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.queue) == 0 && !b.closed && b.ctx.Err() == nil {
		b.cond.Wait()
	}
	if len(b.queue) == 0 || b.ctx.Err() != nil {
		return 0, nil, false
	}
	i = b.queue[0]
	b.queue = b.queue[1:]
	return i, b.reqs[i], true
}

// serve runs one worker's jobs until none is left or the worker fails.
func (b *Batch) serve(c *Conn) {
	defer b.wg.Done()
	p := b.p
	for {
		i, req, ok := b.next()
		if !ok {
			return
		}
		rep, err := c.Compile(b.ctx, req, p.Timeout)
		var re *RemoteError
		switch {
		case err == nil:
			b.mu.Lock()
			b.replies[i] = rep
			b.mu.Unlock()
			p.mu.Lock()
			p.stats.Remote++
			p.mu.Unlock()
		case errors.As(err, &re):
			b.fail(fmt.Errorf("%w (compiled by %s)", err, c.Name))
			return
		case errors.Is(err, ErrRequestTooLarge):
			// Not the worker's fault, and no worker can take it.
			b.mu.Lock()
			b.here = append(b.here, i)
			b.mu.Unlock()
		case b.ctx.Err() != nil:
			p.drop(c) // the connection was closed mid-job
			return
		default:
			// The worker failed, not the job: give the job to another
			// worker (or to this process) and drop the worker.
			p.logf("gorc: %v; dropping the worker, retrying %s elsewhere", err, req.Name)
			p.drop(c)
			p.mu.Lock()
			p.stats.Retried++
			p.mu.Unlock()
			b.mu.Lock()
			b.queue = append(b.queue, i)
			b.cond.Signal()
			b.mu.Unlock()
			return
		}
	}
}

// Wait closes the batch, waits for every job and returns the replies in
// the order the requests were added. Jobs no worker took (every worker
// failed, or there were none) are compiled in this process.
func (b *Batch) Wait() ([]*Reply, error) {
	defer b.cancel()
	b.mu.Lock()
	b.closed = true
	b.cond.Broadcast()
	b.mu.Unlock()
	b.wg.Wait()
	b.mu.Lock()
	first, left, reqs, replies := b.first, append(b.queue, b.here...), b.reqs, b.replies
	b.queue, b.here = nil, nil
	b.mu.Unlock()
	if first != nil {
		return nil, first
	}
	if err := b.ctx.Err(); err != nil {
		return nil, err
	}
	if len(left) > 0 {
		if err := b.p.compileLocally(b.ctx, reqs, left, replies); err != nil {
			return nil, err
		}
	}
	for i, r := range replies {
		if r == nil { // cannot happen: every job is answered, retried or compiled here
			return nil, fmt.Errorf("worker: internal error: %s was not compiled", reqs[i].Name)
		}
	}
	return replies, nil
}

// compileLocally compiles the jobs left in this process, on as many
// goroutines as there are CPUs.
func (p *Pool) compileLocally(ctx context.Context, reqs []*Request, left []int, replies []*Reply) error {
	local := p.Local
	if local == nil {
		local = Compile
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := min(runtime.GOMAXPROCS(0), len(left))
	next := make(chan int, len(left))
	for _, i := range left {
		next <- i
	}
	close(next)
	errs := make([]error, len(reqs))
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if ctx.Err() != nil {
					return
				}
				rep, err := local(ctx, reqs[i])
				if err != nil {
					errs[i] = err
					cancel()
					return
				}
				replies[i] = rep
			}
		}()
	}
	wg.Wait()
	p.mu.Lock()
	p.stats.Local += len(left)
	p.mu.Unlock()
	for _, i := range left {
		if errs[i] != nil {
			return errs[i]
		}
	}
	return ctx.Err()
}
