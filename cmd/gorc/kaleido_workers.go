package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/gorc-jit/gorc/codecache"
	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/worker"
)

// runKaleidoWorkers is batch gorc kaleido with -workers/-worker: the
// front end runs here (parse and IR generation, in SSA form when the
// level optimises), the module is cut into one part per worker, the
// workers optimise and compile the parts, and the objects are linked in
// this session. The program's output is the same as compiled here.
func runKaleidoWorkers(ctx context.Context, o kaleidoOptions, modName string, names []string, srcs [][]byte, opened *chan jitOrErr, stdout, stderr io.Writer) int {
	t0 := time.Now()
	poolc := make(chan *worker.Pool, 1)
	go func() { poolc <- o.workers.open(ctx, "kaleido", o.workerTLS, stderr) }()
	var pool *worker.Pool
	defer func() {
		if pool == nil {
			pool = <-poolc
		}
		pool.Close()
	}()
	// The front end alone: with mem2reg first, the generator builds SSA
	// directly (kaleidoscope.Generator.SSA), as the local pipeline does;
	// the workers run the level's passes.
	pm := &passes.Manager{}
	if o.level >= 1 {
		pm, _ = passes.New("mem2reg")
	}
	m, diags, _, err := kaleidoscope.CompilePipeline(ctx, modName, names, srcs, pm, nil)
	for _, d := range diags {
		fmt.Fprintln(stderr, d)
	}
	if err != nil {
		return kaleidoFailed(stderr, err)
	}
	status := 0
	if len(diags) > 0 {
		status = 1
	}
	front := time.Since(t0)
	pool = <-poolc
	cc, _ := o.cache.open()
	objs, pt, err := compileParts(ctx, pool, cc, m, modName, o.target.Triple, o.level)
	if err != nil {
		return kaleidoFailed(stderr, err)
	}
	if o.showTimes {
		fmt.Fprintf(stderr, "parse+irgen: %v\n", front)
		pt.print(stderr, pool)
	}
	code, ok := linkOpened(ctx, opened, objs, modName, o, time.Now(), stdout, stderr)
	if status == 0 || !ok {
		status = code
	}
	return status
}

// partTimes are the phases of compileParts, for -show-times.
type partTimes struct {
	start         time.Time // compileParts called
	parts         int
	split, remote time.Duration
	hits          int
}

func (pt partTimes) print(w io.Writer, pool *worker.Pool) {
	s := pool.Stats()
	fmt.Fprintf(w, "split into %d parts (IR text): %v\n", pt.parts, pt.split)
	fmt.Fprintf(w, "optimize+codegen on %d workers (wall): %v (%d jobs remote, %d here, %d retried, %d from the cache)\n",
		pool.Workers(), pt.remote, s.Remote, s.Local, s.Retried, pt.hits)
}

// compileParts cuts m into one part per worker (GOMAXPROCS parts when no
// worker is left) and compiles them with the pool, each object taken from
// the code cache cc (if not nil) when it holds the same request's. The
// objects come back in part order.
func compileParts(ctx context.Context, pool *worker.Pool, cc *codecache.Cache, m *ir.Module, name, triple string, level int) ([][]byte, partTimes, error) {
	t := time.Now()
	pt := partTimes{start: t}
	k := pool.Workers()
	if k == 0 {
		k = runtime.GOMAXPROCS(0)
	}
	parts := worker.Split(m, k)
	reqs := make([]*worker.Request, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Add(1)
		go func() { defer wg.Done(); reqs[i] = p.Request(m, name, triple, level) }()
	}
	wg.Wait()
	pt.parts, pt.split = len(parts), time.Since(t)
	t = time.Now()
	objs := make([][]byte, len(reqs))
	var keys []codecache.Key
	var todo []*worker.Request
	var at []int
	for i, r := range reqs {
		if cc != nil {
			k := r.Key()
			keys = append(keys, k)
			if obj, err := cc.Get(k); err == nil {
				objs[i] = obj
				pt.hits++
				continue
			} else if !errors.Is(err, codecache.ErrNotFound) {
				// A corrupt or unreadable entry is a miss.
				_ = err
			}
		}
		todo = append(todo, r)
		at = append(at, i)
	}
	replies, err := pool.CompileAll(ctx, todo)
	if err != nil {
		return nil, pt, err
	}
	for j, rep := range replies {
		i := at[j]
		objs[i] = rep.Object
		if cc != nil {
			cc.Put(keys[i], rep.Object) // a failure costs only the next run's time
		}
	}
	pt.remote = time.Since(t)
	return objs, pt, nil
}

// irParts compiles gorc run's IR inputs with compile workers.
type irParts struct {
	pool    *worker.Pool
	cache   *codecache.Cache
	show    bool
	stderr  io.Writer
	modules int // IR inputs in all (their internal symbols are renamed when more than one)
	seq     int
}

// add compiles the IR file path in parts on the workers and adds the
// objects to j, as j.AddIR would the one object (libm is loaded too). An
// input that does not parse or compile is given to j.AddIR after all, so
// that the error is reported exactly as without workers.
func (p *irParts) add(ctx context.Context, j *jit.JIT, path string, level int) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if jit.IsBinaryInput(data) {
		return j.AddInput(path) // an object or archive named .ll
	}
	p.seq++
	t0 := time.Now()
	m, err := ir.Parse(path, data)
	if err != nil || level < 0 || level > 2 {
		return j.AddIR(ctx, path, data, level)
	}
	if p.modules > 1 {
		// Parts reach each other's internal symbols by name (hidden
		// globals): keep the modules' apart.
		worker.RenameInternal(m, fmt.Sprintf("ll%d", p.seq))
	}
	objs, pt, err := compileParts(ctx, p.pool, p.cache, m, path, j.Target.Triple, level)
	if err != nil {
		var re *worker.RemoteError
		if errors.As(err, &re) {
			return j.AddIR(ctx, path, data, level)
		}
		return err
	}
	if p.show {
		fmt.Fprintf(p.stderr, "IR parse: %v\n", pt.start.Sub(t0))
		pt.print(p.stderr, p.pool)
	}
	for i, obj := range objs {
		name := path + ".o"
		if len(objs) > 1 {
			name = fmt.Sprintf("%s#%d.o", path, i+1)
		}
		if err := j.AddObject(name, obj); err != nil {
			return err
		}
	}
	return j.LoadDylib(ctx, "-lm")
}
