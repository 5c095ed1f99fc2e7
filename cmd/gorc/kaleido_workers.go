package main

import (
	"bytes"
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

// maxPartInstrs bounds a part's IR instructions (about 40 bytes of text
// each: some 10 MB, well within a protocol frame): a large program is cut
// into more parts than workers rather than into parts too large to send.
const maxPartInstrs = 250_000

// runKaleidoWorkers is batch gorc kaleido with -workers/-worker: the
// front end runs here (parse and IR generation, in SSA form when the
// level optimises) and hands out the functions in parts as it goes: once
// a part holds its share of the program (about a (2 x workers)-th,
// estimated from the source size) its IR text is printed and sent to a
// worker, which optimises and compiles it while the front end goes on.
// The objects are linked in this session; the program's output is the
// same as compiled here.
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
	srcBytes := 0
	for _, src := range srcs {
		srcBytes += len(src)
	}
	cc, _ := o.cache.open()
	s := &kaleidoStreamer{cache: cc, name: modName, triple: o.target.Triple, level: o.level}
	// The front end alone: with mem2reg first, the generator builds SSA
	// directly (kaleidoscope.Generator.SSA), as the local pipeline does;
	// the workers run the level's passes.
	pm := &passes.Manager{}
	if o.level >= 1 {
		pm, _ = passes.New("mem2reg")
	}
	each := func(m *ir.Module, f *ir.Function) error {
		if s.batch == nil {
			pool = <-poolc
			// About 5 bytes of source per IR instruction.
			s.limit = min(maxPartInstrs, max(256, srcBytes/5/(2*max(pool.Workers(), 1))))
			s.batch, s.start = pool.Start(ctx), time.Now()
		}
		s.add(m, f)
		return nil
	}
	m, diags, _, err := kaleidoscope.CompilePipeline(ctx, modName, names, srcs, pm, each)
	for _, d := range diags {
		fmt.Fprintln(stderr, d)
	}
	front := time.Since(t0)
	if err == nil && s.batch == nil { // no function at all: one part, for the globals
		pool = <-poolc
		s.batch, s.start = pool.Start(ctx), time.Now()
	}
	if err == nil {
		s.flush(m)
	}
	var objs [][]byte
	if s.batch != nil {
		var werr error
		objs, werr = s.wait()
		if err == nil {
			err = werr
		}
	}
	if pool != nil {
		// Every part is compiled: the workers can go (they exit, and are
		// waited for, before the program runs).
		pool.Close()
	}
	if err != nil {
		return kaleidoFailed(stderr, err)
	}
	status := 0
	if len(diags) > 0 {
		status = 1
	}
	if o.showTimes {
		fmt.Fprintf(stderr, "parse+irgen: %v (handing out parts as it goes)\n", front)
		s.pt.print(stderr, pool)
	}
	code, ok := linkOpened(ctx, opened, objs, nil, modName, o, nil, time.Now(), stdout, stderr)
	if status == 0 || !ok {
		status = code
	}
	return status
}

// kaleidoStreamer cuts the functions the front end completes into parts
// and hands each to the pool as soon as it is full.
type kaleidoStreamer struct {
	cache        *codecache.Cache
	name, triple string
	level        int
	limit        int // IR instructions per part
	batch        *worker.Batch
	start        time.Time
	cur          worker.Part
	size         int
	objs         [][]byte // per part (cache hits filled in)
	sent         []int    // part index of each batch job
	pt           partTimes
	keys         []codecache.Key
}

func (s *kaleidoStreamer) add(m *ir.Module, f *ir.Function) {
	s.cur.Funcs = append(s.cur.Funcs, f)
	s.size += f.NumInstrs() + 1
	if s.size >= s.limit {
		s.flush(m)
	}
}

// flush hands out the part being filled (the first part defines the
// module's globals; a program with no function still has that one).
func (s *kaleidoStreamer) flush(m *ir.Module) {
	if len(s.cur.Funcs) == 0 && len(s.objs) > 0 {
		return
	}
	t := time.Now()
	s.cur.OwnsGlobals = len(s.objs) == 0
	req := s.cur.Request(m, s.name, s.triple, s.level)
	s.pt.split += time.Since(t)
	s.pt.parts++
	s.cur, s.size = worker.Part{}, 0
	part := len(s.objs)
	s.objs = append(s.objs, nil)
	var key codecache.Key
	if s.cache != nil {
		key = req.Key()
		if obj, err := s.cache.Get(key); err == nil {
			s.objs[part] = obj
			s.pt.hits++
			s.keys = append(s.keys, key)
			return
		}
	}
	s.keys = append(s.keys, key)
	s.sent = append(s.sent, part)
	s.batch.Add(req)
}

// wait collects the parts' objects, storing the new ones in the cache.
func (s *kaleidoStreamer) wait() ([][]byte, error) {
	replies, err := s.batch.Wait()
	s.pt.remote = time.Since(s.start)
	if err != nil {
		return nil, err
	}
	for j, rep := range replies {
		part := s.sent[j]
		s.objs[part] = rep.Object
		if s.cache != nil {
			s.cache.Put(s.keys[part], rep.Object) // a failure costs only the next run's time
		}
	}
	return s.objs, nil
}

// partTimes are the phases of compileParts, for -show-times.
type partTimes struct {
	start         time.Time // compileParts called
	sliced        bool      // the parts were sliced out of the source (worker.SplitSource)
	parts         int
	split, remote time.Duration
	hits          int
}

func (pt partTimes) print(w io.Writer, pool *worker.Pool) {
	s := pool.Stats()
	if pt.sliced {
		fmt.Fprintf(w, "split into %d parts (sliced from the source, symbols read with ParseLazy): %v\n", pt.parts, pt.split)
	} else {
		fmt.Fprintf(w, "split into %d parts (IR text): %v busy\n", pt.parts, pt.split)
	}
	fmt.Fprintf(w, "optimize+codegen on %d workers (wall, from the first part): %v (%d jobs remote, %d here, %d retried, %d from the cache)\n",
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
	instrs := 0
	for _, f := range m.Funcs {
		instrs += f.NumInstrs()
	}
	k = max(k, (instrs+maxPartInstrs-1)/maxPartInstrs)
	parts := worker.Split(m, k)
	reqs := make([]*worker.Request, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Add(1)
		go func() { defer wg.Done(); reqs[i] = p.Request(m, name, triple, level) }()
	}
	wg.Wait()
	pt.parts, pt.split = len(parts), time.Since(t)
	objs, err := compileRequests(ctx, pool, cc, reqs, &pt)
	return objs, pt, err
}

// compileRequests compiles reqs with the pool, each object taken from the
// code cache cc (if not nil) when it holds the same request's, and
// returns the objects in the order of reqs.
func compileRequests(ctx context.Context, pool *worker.Pool, cc *codecache.Cache, reqs []*worker.Request, pt *partTimes) ([][]byte, error) {
	t := time.Now()
	objs := make([][]byte, len(reqs))
	keys := make([]codecache.Key, len(reqs))
	var todo []*worker.Request
	var at []int
	for i, r := range reqs {
		if cc != nil {
			keys[i] = r.Key()
			if obj, err := cc.Get(keys[i]); err == nil {
				objs[i] = obj
				pt.hits++
				continue
			} // a missing, corrupt or unreadable entry is a miss
		}
		todo = append(todo, r)
		at = append(at, i)
	}
	replies, err := pool.CompileAll(ctx, todo)
	if err != nil {
		return nil, err
	}
	for j, rep := range replies {
		i := at[j]
		objs[i] = rep.Object
		if cc != nil {
			cc.Put(keys[i], rep.Object) // a failure costs only the next run's time
		}
	}
	pt.remote = time.Since(t)
	return objs, nil
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
	if level < 0 || level > 2 {
		return j.AddIR(ctx, path, data, level)
	}
	if bytes.Contains(data, []byte(" alias ")) {
		// An alias's symbol is written beside its target's by an object
		// of the whole module; parts (Only, OmitGlobals) write none.
		return j.AddIR(ctx, path, data, level)
	}
	t0 := time.Now()
	k := p.pool.Workers()
	if k == 0 {
		k = runtime.GOMAXPROCS(0)
	}
	// Slice the definitions out of the text when that is safe (no body
	// is parsed or printed here); otherwise parse and print the parts.
	// With several modules, internal symbols must be renamed apart, which
	// slicing cannot do.
	reqs, sliced, err := worker.SplitSource(path, data, k, j.Target.Triple, level, p.modules > 1)
	if err != nil {
		return j.AddIR(ctx, path, data, level) // reports the error as without workers
	}
	var objs [][]byte
	var pt partTimes
	if sliced {
		pt = partTimes{start: time.Now(), parts: len(reqs), sliced: true}
		pt.split = time.Since(t0)
		objs, err = compileRequests(ctx, p.pool, p.cache, reqs, &pt)
	} else {
		var m *ir.Module
		m, err = ir.Parse(path, data)
		if err != nil {
			return j.AddIR(ctx, path, data, level)
		}
		if p.modules > 1 {
			// Parts reach each other's internal symbols by name (hidden
			// globals): keep the modules' apart.
			worker.RenameInternal(m, fmt.Sprintf("ll%d", p.seq))
		}
		objs, pt, err = compileParts(ctx, p.pool, p.cache, m, path, j.Target.Triple, level)
	}
	if err != nil {
		var re *worker.RemoteError
		if errors.As(err, &re) {
			return j.AddIR(ctx, path, data, level)
		}
		return err
	}
	if p.show {
		if !pt.sliced {
			fmt.Fprintf(p.stderr, "IR parse: %v\n", pt.start.Sub(t0))
		}
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
