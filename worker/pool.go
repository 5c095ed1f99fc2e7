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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	replies := make([]*Reply, len(reqs))
	queue := make(chan int, len(reqs))
	for i := range reqs {
		queue <- i
	}
	var (
		errMu sync.Mutex
		first error
	)
	fail := func(err error) {
		errMu.Lock()
		if first == nil {
			first = err
			cancel()
		}
		errMu.Unlock()
	}
	p.mu.Lock()
	ws := append([]*Conn(nil), p.workers...)
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				var i int
				select {
				case i = <-queue:
				default:
					return
				}
				rep, err := c.Compile(ctx, reqs[i], p.Timeout)
				var re *RemoteError
				switch {
				case err == nil:
					replies[i] = rep
					p.mu.Lock()
					p.stats.Remote++
					p.mu.Unlock()
				case errors.As(err, &re):
					fail(fmt.Errorf("%w (compiled by %s)", err, c.Name))
					return
				case ctx.Err() != nil:
					p.drop(c) // the connection was closed mid-job
					return
				default:
					// The worker failed, not the job: give the job to
					// another worker (or to this process) and drop it.
					p.logf("gorc: %v; dropping the worker, retrying %s elsewhere", err, reqs[i].Name)
					p.drop(c)
					p.mu.Lock()
					p.stats.Retried++
					p.mu.Unlock()
					queue <- i
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// What no worker took (every worker failed, or there were none).
	var left []int
	for {
		select {
		case i := <-queue:
			left = append(left, i)
			continue
		default:
		}
		break
	}
	if len(left) > 0 {
		if err := p.compileLocally(ctx, reqs, left, replies); err != nil {
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
