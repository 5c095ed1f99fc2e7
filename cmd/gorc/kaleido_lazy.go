package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/lazy"
	"github.com/gorc-jit/gorc/target"
)

// lazyDef is what lazyDefs keeps of one function.
type lazyDef struct {
	proto   *kaleidoscope.Prototype
	version int                       // 0: an extern
	def     *kaleidoscope.FunctionDef // current version (version > 0)
	file    string                    // where def is
	// stubbed: the function's stub is (being) defined in the main dylib;
	// stubbing, while it is being defined, is closed once it is.
	stubbed  bool
	stubbing chan struct{}
	// rt: the current version's trackers (bodies, impl), made when its
	// body unit is defined (on the first call); nil before.
	rt [2]*orc.ResourceTracker
	// unit: the current version's body unit is (being) defined, by its
	// first call or a speculative batch; spec: the batch being planned
	// that claimed it (-speculate; a first call takes it back); shared:
	// rt is a batch's, shared with other functions (not removed on a
	// redefinition).
	unit   bool
	spec   *specBatch
	shared bool
	// batch: the speculative batch whose code is the current version's
	// (its members call each other directly); nil otherwise.
	batch *specBatch
}

// lazyDefs compiles Kaleidoscope definitions on first call (gorc kaleido
// -lazy), as seed 000's chapter does: a definition only records its AST;
// the first call through the stub named after the function generates the
// body's IR from the AST (in a reused FunctionGenerator, callees declared
// on demand), optimizes and compiles it, links it and repoints the stub.
// Defining a function again points its stub at the new definition
// (compiled on its first call), for every caller.
//
// Nothing is declared to the session per definition: the stub (a lazy
// reexport in the main dylib) is defined by a definition generator when
// code being linked first refers to the function, for all the functions
// that link refers to at once (for a compiled body's callees, by its
// compile before its link: stubCallees), and the body's compile-on-demand unit (in
// the bodies dylib, with its own resource trackers) when the stub is
// first called. A program of 10,000 definitions of which 100 are called
// makes 100 stubs and 100 units, not 10,000.
type lazyDefs struct {
	j            *jit.JIT
	lz           *jit.Lazy
	bodies, impl *orc.JITDylib
	level        int
	pm           *passes.Manager // level's passes (shared: no statistics, no inliner)
	ssa          bool
	modName      string

	// idle holds the compilers of the lazy compiles not running now
	// (takeCompiler): several first calls may compile at once, each with
	// a compiler of its own, and the next compiles reuse their memory.
	cmu  sync.Mutex
	idle []*lazyCompiler

	mu sync.Mutex
	// defs holds, per name, the extern's or the current definition's
	// prototype and AST, its version and its trackers: one table entry
	// per function (sized up front by reserve).
	defs map[string]*lazyDef
	// free is where defs' entries are carved from, a chunk at a time
	// (one allocation per 256 functions instead of one each).
	free     []lazyDef
	defined  int
	stubs    int // stubs defined (functions code referred to)
	compiled atomic.Int64
	// compileTime is the time (ns) the on-demand compiles took, summed
	// (-show-times).
	compileTime atomic.Int64

	// speculate (-speculate): compiles the callees of compiled functions
	// in batches in the background; nil without it. specC is its
	// planner's compiler (one planner at a time).
	speculate    *lazy.Speculator
	specC        *lazyCompiler
	specCompiled atomic.Int64
}

func newLazyDefs(j *jit.JIT, level int, modName string) (*lazyDefs, error) {
	lz, err := j.Lazy()
	if err != nil {
		return nil, err
	}
	bodies, impl, err := j.LazyDylibs()
	if err != nil {
		return nil, err
	}
	pm := passes.ForLevel(level)
	l := &lazyDefs{
		j: j, lz: lz, bodies: bodies, impl: impl, level: level, pm: pm, modName: modName,
		ssa:  len(pm.Passes) > 0 && pm.Passes[0].Name == "mem2reg",
		defs: map[string]*lazyDef{},
	}
	// Before the process generator: a definition named like a C library
	// function (def sin(x) ...) is the program's, as when it was defined.
	j.Main.AddGeneratorFirst(orc.DefinitionGeneratorFunc(l.generateStubs))
	bodies.AddGenerator(orc.DefinitionGeneratorFunc(l.generateBodies))
	return l, nil
}

// reserve sizes the table of definitions for about n more (a file's count
// of "def"), so that it is not grown step by step.
func (l *lazyDefs) reserve(n int) {
	if n < 64 {
		return
	}
	l.mu.Lock()
	defs := make(map[string]*lazyDef, len(l.defs)+n)
	for k, v := range l.defs {
		defs[k] = v
	}
	l.defs = defs
	l.mu.Unlock()
}

// declare records an extern's prototype for the generators of bodies.
func (l *lazyDefs) declare(pr *kaleidoscope.Prototype) {
	l.mu.Lock()
	if _, ok := l.defs[pr.Name]; !ok {
		d := l.newDef()
		d.proto = pr
		l.defs[pr.Name] = d
	}
	l.mu.Unlock()
}

// newDef returns a new entry for defs; l.mu is held.
func (l *lazyDefs) newDef() *lazyDef {
	if len(l.free) == 0 {
		l.free = make([]lazyDef, 256)
	}
	d := &l.free[0]
	l.free = l.free[1:]
	return d
}

func (l *lazyDefs) proto(name string) *kaleidoscope.Prototype {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d := l.defs[name]; d != nil {
		return d.proto
	}
	return nil
}

// bodyName is the symbol of version v of function name's body (in the
// bodies dylib; a Kaleidoscope name has no '$' but an operator's may, so
// the version follows the last one).
func bodyName(name string, v int) string { return name + "$" + strconv.Itoa(v) }

// define makes def the definition of its function (the first or a new
// one). Nothing is generated or compiled until it is called. The memory
// of a replaced definition's code is released (nothing JIT'd runs between
// the items of a session, so no thread can be inside it).
func (l *lazyDefs) define(ctx context.Context, file string, def *kaleidoscope.FunctionDef) error {
	name := def.Proto.Name
	l.mu.Lock()
	d := l.defs[name]
	if d == nil {
		d = l.newDef()
		l.defs[name] = d
	}
	old, shared := d.rt, d.shared
	// The other functions of d's speculative batch call d's code
	// directly: each gets a new version of the same definition (compiled
	// again on its next call), its stub, if any, repointed to it.
	var again []*lazyDef
	var againV []int
	if b := d.batch; b != nil {
		for _, m := range b.members {
			if m.d != d && m.d.batch == b && m.d.version == m.v {
				m.d.version++
				m.d.unit, m.d.spec, m.d.shared, m.d.rt, m.d.batch = false, nil, false, [2]*orc.ResourceTracker{}, nil
				if m.d.stubbed {
					again = append(again, m.d)
					againV = append(againV, m.d.version)
				}
			}
		}
		b.members = nil
	}
	d.unit, d.spec, d.shared, d.batch = false, nil, false, nil
	d.version++
	v := d.version
	d.proto, d.def, d.file, d.rt = def.Proto, def, file, [2]*orc.ResourceTracker{}
	stubbed := d.stubbed
	l.defined++
	l.mu.Unlock()
	if stubbed {
		// Code was linked against the stub: point it at this version.
		if err := l.repoint(ctx, name, v); err != nil {
			return err
		}
	}
	for i, m := range again {
		if err := l.repoint(ctx, m.proto.Name, againV[i]); err != nil {
			return err
		}
	}
	// (Not stubbed: the stub, when code first refers to the function,
	// points at the version current then.)
	if old[0] != nil && !shared {
		// (A batch's trackers hold other functions too: its code stays.)
		if err := errors.Join(old[1].Remove(ctx), old[0].Remove(ctx)); err != nil {
			return fmt.Errorf("releasing the old definition of %s: %w", name, err)
		}
	}
	return nil
}

// defineFirst is define for the first definition of a name the
// session's table does not hold (no extern, no earlier version, no
// stub): it reports whether it took def, with one lookup in the table;
// when it did not, define takes it as any other.
func (l *lazyDefs) defineFirst(file string, def *kaleidoscope.FunctionDef) bool {
	name := def.Proto.Name
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.defs[name]; ok {
		return false
	}
	d := l.newDef()
	d.proto, d.def, d.file, d.version = def.Proto, def, file, 1
	l.defs[name] = d
	l.defined++
	return true
}

// repoint points the stub of function name at version v's body.
func (l *lazyDefs) repoint(ctx context.Context, name string, v int) error {
	es := l.j.ES
	if _, ok := l.lz.Stubs.FindStub(name); !ok {
		// Being made by another lookup: wait for it.
		if _, err := es.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, l.j.Main), orc.NewSymbolLookupSet(es.Intern(name)), orc.SymbolStateReady); err != nil {
			return err
		}
	}
	return lazy.Redirect(ctx, l.lz.CallThrough, l.lz.Stubs, name, l.bodies, es.Intern(bodyName(name, v)))
}

// lazyLinkViaImpl, when set (by a benchmark: the cost it saves), has a
// first call add its function's graph to the impl dylib and look it up
// there, instead of linking it as its body unit's own materialization
// (lazy.WithDirectLink).
var lazyLinkViaImpl bool

// stubsDefineHook, when set (by a test), is called by generateStubs
// before it defines the stubs it took: a wider window for another lookup
// of them.
var stubsDefineHook func()

// generateStubs is the main dylib's first definition generator: it
// defines the stubs of the defined functions among names being looked up
// (code being linked refers to them), together as one batch of lazy
// reexports (made at once in this process), each leading to its current
// version's body.
func (l *lazyDefs) generateStubs(ctx context.Context, _ orc.LookupKind, jd *orc.JITDylib, _ orc.JITDylibLookupFlags, set orc.SymbolLookupSet) error {
	var aliases orc.SymbolAliasMap
	var made []*lazyDef
	// inFlight: stubs among set that another caller is defining (a
	// compile's stubCallees, which calls this outside the session's
	// lookup): waited for, so that the lookup that called this finds
	// them. (Before, it found nothing, and a speculative batch's link
	// failed with "undefined symbols: g4" while a first call's compile
	// defined g4's stub.)
	var inFlight []chan struct{}
	es := l.j.ES
	l.mu.Lock()
	for _, e := range set {
		d := l.defs[e.Name.String()]
		if d != nil && d.stubbing != nil {
			inFlight = append(inFlight, d.stubbing)
		}
		if d == nil || d.version == 0 || d.stubbed {
			continue
		}
		if aliases == nil {
			aliases = orc.SymbolAliasMap{}
		}
		d.stubbed = true
		l.stubs++
		made = append(made, d)
		aliases[e.Name] = orc.SymbolAliasMapEntry{Aliasee: es.Intern(bodyName(e.Name.String(), d.version)), Flags: orc.Exported | orc.Callable}
	}
	var done chan struct{}
	if len(made) > 0 {
		done = make(chan struct{})
		for _, d := range made {
			d.stubbing = done
		}
	}
	l.mu.Unlock()
	if aliases != nil {
		// (Ours first, then the others': two callers each waiting for
		// the other's stubs before defining their own would wait
		// forever.)
		if stubsDefineHook != nil {
			stubsDefineHook()
		}
		err := lazy.DefineLazyReexports(ctx, jd, nil, l.lz.CallThrough, l.lz.Stubs, l.bodies, aliases)
		l.mu.Lock()
		for _, d := range made {
			d.stubbing = nil
			if err != nil {
				d.stubbed = false
			}
		}
		if err != nil {
			l.stubs -= len(made)
		}
		l.mu.Unlock()
		close(done)
		if err != nil {
			return err
		}
	}
	for _, ch := range inFlight {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// generateBodies is the bodies dylib's definition generator: it defines
// the compile-on-demand unit of each current version's body being looked
// up (by a stub's first call), under trackers of its own so that a
// redefinition can free it. An older version's body is not defined: a
// call-through of a replaced stub target finds nothing.
// awaitPlanned, called with l.mu held, waits (l.mu released meanwhile)
// until the speculative batch that claimed version v of d, if any, is
// planned. It returns with l.mu held, or with ctx's error and l.mu not
// held.
func (l *lazyDefs) awaitPlanned(ctx context.Context, d *lazyDef, v int) error {
	b := d.specOf(v)
	if b == nil {
		return nil
	}
	l.mu.Unlock()
	select {
	case <-b.planned:
	case <-ctx.Done():
		return ctx.Err()
	}
	l.mu.Lock()
	return nil
}

func (l *lazyDefs) generateBodies(ctx context.Context, _ orc.LookupKind, jd *orc.JITDylib, _ orc.JITDylibLookupFlags, set orc.SymbolLookupSet) error {
	for _, e := range set {
		body := e.Name
		s := body.String()
		i := strings.LastIndexByte(s, '$')
		if i < 0 {
			continue
		}
		v, err := strconv.Atoi(s[i+1:])
		if err != nil {
			continue
		}
		name := s[:i]
		l.mu.Lock()
		d := l.defs[name]
		// A speculative batch being planned claimed it: wait for its
		// unit (being compiled now), or take the function back if the
		// batch leaves it out.
		if err := l.awaitPlanned(ctx, d, v); err != nil {
			return err
		}
		if d == nil || d.version != v || d.unit {
			l.mu.Unlock()
			continue
		}
		if l.speculate != nil && d.spec == nil {
			// (-speculate) Claimed by no batch: planned as the first of
			// a small one, with its callees, if the planner is idle (the
			// batch's unit, defined by then, answers the lookup).
			l.mu.Unlock()
			l.speculate.PlanInline(ctx, []string{name}, lazy.SpeculationBatchMin)
			l.mu.Lock()
			// (Claimed by the loop's batch meanwhile.)
			if err := l.awaitPlanned(ctx, d, v); err != nil {
				return err
			}
			if d.version != v || d.unit {
				l.mu.Unlock()
				continue
			}
		}
		d.unit, d.spec = true, nil
		def, file := d.def, d.file
		l.mu.Unlock()
		rtB, err := l.bodies.CreateResourceTracker()
		if err != nil {
			return err
		}
		rtI, err := l.impl.CreateResourceTracker()
		if err != nil {
			return err
		}
		compile := func(ctx context.Context, _ []orc.SymbolName) (*jitlink.LinkGraph, error) {
			g, err := l.compile(ctx, file, def, s)
			if err != nil {
				return nil, err
			}
			if err := l.stubCallees(ctx, g); err != nil {
				return nil, err
			}
			return g, nil
		}
		u := lazy.CompileOnDemandGraph("kaleido "+name, l.j.Layer, l.impl, rtI, orc.SymbolFlagsMap{body: orc.Exported | orc.Callable}, nil, compile)
		if !lazyLinkViaImpl {
			// (Linked as the unit's own materialization: its code is
			// then under rtB, which a redefinition removes with rtI.)
			u = lazy.WithDirectLink(u)
		}
		l.mu.Lock()
		if d.version != v {
			// Redefined meanwhile: this version is gone.
			l.mu.Unlock()
			if err := errors.Join(rtI.Remove(ctx), rtB.Remove(ctx)); err != nil {
				return err
			}
			continue
		}
		d.rt = [2]*orc.ResourceTracker{rtB, rtI}
		l.mu.Unlock()
		if err := jd.Define(u, rtB); err != nil {
			return err
		}
	}
	return nil
}

// lazyCompiler is the state one lazy compile uses and the next one
// reuses: a generator of one definition at a time, whose memory (the IR's
// instructions and blocks, the generator's tables) serves the next
// definition once a function is compiled.
type lazyCompiler struct {
	fg  *kaleidoscope.FunctionGenerator
	bp  *kaleidoscope.BodyParser // the syntax tree of the body being compiled
	def kaleidoscope.FunctionDef // the copy of the definition it hangs from
}

// takeCompiler returns an idle compiler, or a new one.
func (l *lazyDefs) takeCompiler() *lazyCompiler {
	l.cmu.Lock()
	if n := len(l.idle); n > 0 {
		c := l.idle[n-1]
		l.idle = l.idle[:n-1]
		l.cmu.Unlock()
		return c
	}
	l.cmu.Unlock()
	return &lazyCompiler{fg: kaleidoscope.NewFunctionGenerator(l.modName, l.ssa, l.proto), bp: kaleidoscope.NewBodyParser()}
}

// putCompiler makes c idle again.
func (l *lazyDefs) putCompiler(c *lazyCompiler) {
	l.cmu.Lock()
	l.idle = append(l.idle, c)
	l.cmu.Unlock()
}

// compile generates, optimizes and compiles one definition as the
// function body (its stub's current target), handing the object to the
// linker as a graph.
func (l *lazyDefs) compile(ctx context.Context, file string, def *kaleidoscope.FunctionDef, body string) (*jitlink.LinkGraph, error) {
	// A body skipped by the parser (SetLazyBodies) is parsed now, once: a
	// definition is compiled by one materialization only. It is parsed
	// into a copy of the definition, so that its syntax tree is garbage
	// once compiled (the session keeps the definition, which keeps its
	// place in the source and is parsed again if %undo brings it back):
	// the trees of compiled functions were two thirds of an all-called
	// lazy run's live heap, which the collector marks (lazyRunHeap).
	// The tree's nodes are the compiler's, taken back by its next compile.
	start := time.Now()
	defer func() { l.compileTime.Add(int64(time.Since(start))) }()
	c := l.takeCompiler()
	defer l.putCompiler(c)
	c.def = *def
	own := &c.def
	defer func() { c.def = kaleidoscope.FunctionDef{} }()
	if d := own.ParseBodyWith(c.bp); d != nil {
		return nil, d
	}
	fn, d := c.fg.Gen(file, own, body)
	if d != nil {
		return nil, d
	}
	// (-speculate: its callees are queued now, so that the speculator
	// plans them while this compile goes on.)
	l.speculateCallees(fn)
	// The IR is dropped once compiled: the graph holds bytes only.
	defer c.fg.Release(fn)
	if err := l.pm.RunFunction(fn); err != nil {
		return nil, err
	}
	res, err := l.j.Target.Backend.Compile(ctx, fn.Module, target.Options{OmitGlobals: true, SourceName: file, GraphName: body + ".o", NoObject: true})
	if err != nil {
		return nil, err
	}
	l.compiled.Add(1)
	return res.Graph, nil
}

// stubCallees defines the stubs of the defined functions that g refers
// to and that have none yet, as one batch (generateStubs), before g is
// linked: its link then finds them defined instead of running a session
// lookup and the generator for each callee (a chain of first calls made
// one such round per call). Only functions linked code refers to get a
// stub, as through the generator.
func (l *lazyDefs) stubCallees(ctx context.Context, g *jitlink.LinkGraph) error {
	var set orc.SymbolLookupSet
	l.mu.Lock()
	for n := range g.Externals {
		if d := l.defs[n]; d != nil && d.version != 0 && !d.stubbed {
			set = append(set, orc.SymbolLookupEntry{Name: l.j.ES.Intern(n)})
		}
	}
	l.mu.Unlock()
	if len(set) == 0 {
		return nil
	}
	return l.generateStubs(ctx, orc.LookupKindStatic, l.j.Main, orc.MatchAllSymbols, set)
}

// stats prints what -show-stats reports in lazy mode.
func (l *lazyDefs) stats(w io.Writer) {
	l.mu.Lock()
	defined, stubs := l.defined, l.stubs
	l.mu.Unlock()
	fmt.Fprintf(w, "functions compiled: %d (lazily, of %d definitions)\n", l.compiled.Load()+l.specCompiled.Load(), defined)
	if l.speculate != nil {
		fmt.Fprintf(w, "speculation: %d functions compiled on demand, %d speculatively (in %d batches); %d first calls through the JIT\n", l.compiled.Load(), l.specCompiled.Load(), l.speculate.Batches(), l.lz.CallThrough.Reentries())
	}
	fmt.Fprintf(w, "stubs made: %d (for the functions linked code refers to)\n", stubs)
}

// lazyHeapPerByte is the heap runLazyKaleido readies per byte of source:
// the start-up takes about 8 (below), and the run after it keeps the
// collector off until it has used up the readied memory (lazyRunHeap
// with untilReadied), then collects at lazyRunGCPercent. Readied memory
// it does not touch costs nothing (it is faulted in when first used,
// 2 MiB at a time); memory past it comes in 4 KiB pages, one fault each.
// At 12 an all-called run of 2,000 kgen functions outgrew it by 10 MB:
// 4,900 page faults, 2,300 at 36. At 72 an all-called run of 1,000 to
// 4,000 kgen functions (about 70 bytes of heap per byte of source with
// the collector off) makes no collection after its start-up and takes
// its heap in huge pages; at 36 it made two, each marking the session
// with write barriers on in the first calls' thread, and the memory past
// the first goal came in 4 KiB pages (docs/rationale/s29-kzall.md).
const lazyHeapPerByte = 72

// closeUnlessExiting closes j, except when the process ends right after
// (processExits) and j's code runs in this process: ending the session
// then only frees this process's memory (unmapping code, removing
// thousands of definitions), which the kernel does at exit anyway. A
// child or remote executor is always closed (it is told the session
// ended).
func closeUnlessExiting(ctx context.Context, j *jit.JIT, mode string) {
	if processExits && (mode == "" || mode == "local") {
		return
	}
	j.Close(ctx)
}

// runLazyKaleido runs sources item by item in one session, as the REPL
// does (so a redefinition applies from the next item on), with
// definitions compiled on first call.
// The start-up heap is readied here unless heapReady says the caller did
// (before reading the sources, so that they are read into it).
func runLazyKaleido(ctx context.Context, level int, eo execOptions, names []string, srcs [][]byte, heapReady, speculate, showStats bool, stdout, stderr io.Writer) int {
	return runLazyKaleidoTimed(ctx, level, eo, names, srcs, heapReady, speculate, showStats, nil, stdout, stderr)
}

// runLazyKaleidoTimed is runLazyKaleido; with times (-show-times), it
// stamps the run's phases and prints them on times.w at the end.
func runLazyKaleidoTimed(ctx context.Context, level int, eo execOptions, names []string, srcs [][]byte, heapReady, speculate, showStats bool, times *lazyTimes, stdout, stderr io.Writer) int {
	if times != nil {
		times.entered = now()
	}
	if eo.mode == "" {
		eo.mode = "local" // batch default (the REPL's is a child)
	}
	// A lazy session allocates about 8 bytes of heap per byte of source
	// (measured at 10,000 generated functions of which 1% are called:
	// prototypes, skipped bodies, the 1% compiled), with the collector off
	// all of it fresh memory: let it come in huge pages, as the eager
	// compile does.
	if !heapReady {
		size := 0
		for _, s := range srcs {
			size += len(s)
		}
		prepareHeap(lazyHeapPerByte * size)
	}
	r := &repl{ctx: ctx, pm: passes.ForLevel(level), stdout: stdout, stderr: stderr, file: "<stdin>", level: level, lazyMode: true, speculate: speculate}
	// The session opens on a goroutine of its own while the first file's
	// parse is set up (single-threaded scans of the source), so that the
	// two take both processors; r is not used here until it is open.
	opened := make(chan int, 1)
	go func() {
		if times == nil {
			opened <- r.open(eo)
			return
		}
		times.openStart = time.Now()
		code := r.open(eo)
		times.openEnd = time.Now()
		opened <- code
	}()
	// A count of "def" per file (which may also be part of a name): about
	// its definitions, to size tables and channels.
	ndefs := make([]int, len(srcs))
	for i, s := range srcs {
		ndefs[i] = bytes.Count(s, []byte("def"))
	}
	done := make(chan struct{})
	defer close(done)
	// The first file is parsed while the session opens: its parser needs
	// only the default precedences, which are a fresh session's. In this
	// process the open is work of its own, on the second processor: the
	// consumer parses a first segment itself once the session is open
	// (parseSplit's inlineFirst). A child or remote executor's open
	// mostly waits for the other process, which takes a processor to
	// start: all segments are parsed on goroutines of their own then,
	// from the start (an inline first segment was 2.7% slower there).
	inlineFirst := eo.mode == "local"
	var first iter.Seq[parsedBatch]
	if len(srcs) > 0 {
		p := kaleidoscope.NewParser(names[0], srcs[0])
		p.SetLazyBodies(true)
		first = parseSplit(p, srcs[0], parseSplitParts(), parseAheadCapacity(ndefs[0]), inlineFirst, done)
	}
	if code := <-opened; code != 0 {
		return code
	}
	defer func() { closeUnlessExiting(ctx, r.j, r.eo.mode) }()
	if times != nil {
		times.opened = now()
		defer func() { times.print(r, now()) }()
	}
	running := false // a top-level expression has run: past the start-up
	for i, src := range srcs {
		r.file = names[i]
		// Tables sized for the file's definitions instead of growing.
		if n := ndefs[i]; n >= 64 {
			r.lazy.reserve(n)
			r.defs = slices.Grow(r.defs, n)
		}
		// One parser per file, item by item: an operator defined by an
		// item applies to the items after it. Bodies of definitions are
		// parsed on first call too.
		items := first
		if i > 0 {
			p := r.g.NewParser(r.file, src)
			p.SetLazyBodies(true)
			items = parseSplit(p, src, parseSplitParts(), parseAheadCapacity(ndefs[i]), inlineFirst, done)
		}
		for b := range items {
			for _, it := range b.items {
				if it.diag != nil {
					fmt.Fprintln(stderr, it.diag)
					r.errors++
					continue
				}
				top := isTopLevelExpr(it.item)
				if !running && top {
					running = true
					if times != nil {
						times.firstExpr = now()
						times.defined = r.lazy.definedSoFar()
					}
					// The collector stays off until the readied heap is
					// used up, with or without -speculate: a run that
					// calls most functions makes no collection.
					lazyRunHeap(true)
				}
				var start time.Time
				if times != nil && top {
					start = time.Now()
				}
				r.run(it.item, b.p)
				if times != nil && top {
					times.exprs++
					times.exprsTime += time.Since(start)
				}
				if r.lost != nil {
					return executorFailureStatus(r.j, r.lost)
				}
			}
			if b.ack != nil {
				close(b.ack)
			}
		}
	}
	if showStats {
		r.lazy.stats(stderr)
	}
	if r.errors > 0 {
		return 1
	}
	return 0
}

// isTopLevelExpr reports whether item is a top-level expression (the
// code that runs, and makes the first calls).
func isTopLevelExpr(item kaleidoscope.Item) bool {
	def, ok := item.(*kaleidoscope.FunctionDef)
	return ok && def.TopLevel
}

// parsedItem is an item, or a diagnostic, parseAhead parsed.
type parsedItem struct {
	item kaleidoscope.Item
	diag *kaleidoscope.Diagnostic
}

// parsedBatch is a run of items parseAhead parsed, in source order. When
// ack is not nil, the last item defines a binary operator and the parser
// waits, until ack is closed, for its precedence to be set (through p, as
// running the item does) before it parses on.
type parsedBatch struct {
	items []parsedItem
	p     *kaleidoscope.Parser
	ack   chan struct{}
}

// parseAheadBatch is how many items parseAhead sends at a time.
const parseAheadBatch = 256

// parseAheadCapacity is the channel capacity that lets parseAhead send
// all the items of a source with ndefs definitions (about: a count of
// "def"; most items of a large program are definitions) without waiting,
// so that a segment after the first is parsed while the consumer is still
// busy with the one before.
func parseAheadCapacity(ndefs int) int {
	return ndefs/parseAheadBatch + 8
}

// parseAhead parses p's items on a goroutine of its own while the caller
// defines and runs the items already parsed (a lazy session's definitions
// cost little each, so parsing is most of the start-up's work before the
// first call), sending up to capacity batches before the caller takes
// one. The channel is closed after the last item, or when done is
// closed.
func parseAhead(p *kaleidoscope.Parser, done <-chan struct{}, capacity int) <-chan parsedBatch {
	ch := make(chan parsedBatch, capacity)
	go func() {
		defer close(ch)
		var b []parsedItem
		send := func(ack chan struct{}) bool {
			select {
			case ch <- parsedBatch{items: b, p: p, ack: ack}:
				b = nil
				return true
			case <-done:
				return false
			}
		}
		for {
			item, d := p.Next()
			if item == nil && d == nil {
				if len(b) > 0 {
					send(nil)
				}
				return
			}
			if b == nil {
				// A batch's array made at its full size at once
				// instead of grown step by step (9 arrays, twice the
				// memory, all fresh pages with the collector off).
				b = make([]parsedItem, 0, parseAheadBatch)
			}
			b = append(b, parsedItem{item, d})
			if definesBinaryOperator(item) {
				ack := make(chan struct{})
				if !send(ack) {
					return
				}
				select {
				case <-ack:
				case <-done:
					return
				}
				continue
			}
			if len(b) == parseAheadBatch && !send(nil) {
				return
			}
		}
	}()
	return ch
}

// definesBinaryOperator reports whether item declares or defines a binary
// operator (which changes how the items after it parse).
func definesBinaryOperator(item kaleidoscope.Item) bool {
	switch it := item.(type) {
	case *kaleidoscope.FunctionDef:
		return it.Proto.Kind == kaleidoscope.ProtoBinary
	case *kaleidoscope.Extern:
		return it.Proto.Kind == kaleidoscope.ProtoBinary
	}
	return false
}

// parseSplitMin is the smallest source parseSplit cuts into segments
// (below it one parser is about as fast; a variable for tests).
var parseSplitMin = 256 << 10

// parseSplitParts is how many segments parseSplit cuts a source into:
// one per processor (the items' consumer works meanwhile too), at most 4.
func parseSplitParts() int { return min(runtime.GOMAXPROCS(0), 4) }

// parseSplitFirstShare is the first segment's length against one of
// the others': the consumer parses the first segment itself, beside
// defining every item (after the session's open), while each other
// segment has a processor to itself; half a segment's length balanced
// the two best on 10,000 kgen functions of which 1% are called (a third
// and 0.7 were tried; docs/rationale/s27-lzstart.md).
const parseSplitFirstShare = 0.5

// fromChan is the sequence of what ch gives.
func fromChan(ch <-chan parsedBatch) iter.Seq[parsedBatch] {
	return func(yield func(parsedBatch) bool) {
		for b := range ch {
			if !yield(b) {
				return
			}
		}
	}
}

// parseInline is parseAhead run by the consumer itself, batch by batch
// as it asks for them: an item that defines a binary operator ends its
// batch, and the parse goes on once the consumer has run it (when yield
// returns), so no batch needs an ack. It reports whether the consumer
// took every batch, and whether an item defined a binary operator.
func parseInline(p *kaleidoscope.Parser, yield func(parsedBatch) bool) (ok, op bool) {
	b := make([]parsedItem, 0, parseAheadBatch)
	for {
		item, d := p.Next()
		if item == nil && d == nil {
			if len(b) > 0 && !yield(parsedBatch{items: b, p: p}) {
				return false, op
			}
			return true, op
		}
		b = append(b, parsedItem{item, d})
		defines := definesBinaryOperator(item)
		op = op || defines
		if defines || len(b) == parseAheadBatch {
			if !yield(parsedBatch{items: b, p: p}) {
				return false, op
			}
			// The consumer is done with the batch: its array serves the
			// next one.
			clear(b)
			b = b[:0]
		}
	}
}

// parseSplit is parseAhead for a fresh parser p of src (no item parsed
// yet) that parses the source in parts segments at once, predicting the
// precedences each segment starts with: src is cut
// (kaleidoscope.ItemStart) after a head holding every "binary" of the
// source's first quarter (where a program defines its operators), and
// the head's items are parsed once more beforehand, each operator taking
// the precedence it declares, to predict the precedences after the head.
// The segments after the first are parsed at once, each on a goroutine
// of its own, from the call on; with inlineFirst the head and the first
// segment are parsed by the consumer, as it asks for their items (the
// sequence's loop: a lazy session's consumer spends most of the
// start-up waiting for items, and a goroutine more than there are
// processors waits for one instead — the consumer, the session's open
// or a segment that the consumer needs first; the first segment is the
// shorter, by parseSplitFirstShare, for that), else the first segment
// is parsed on a goroutine too (all of equal length) and the head by the
// consumer. The head is parsed by p, each
// operator's item run before the parse goes on; then, if p's precedences
// are the predicted ones, the segments' items follow in order (they
// parsed as one parser would), else the segments' work is dropped and
// the rest parsed by one parser that starts with p's. A segment that
// defines an operator after all parses on with the precedence its run
// sets; the segments after it are dropped and the rest parsed from the
// next cut by one parser that starts with that segment's precedences.
// The items are those parseAhead gives, in the same order, always. A
// head longer than a quarter of the source, a small source or parts < 2
// is parseAhead. The goroutines end when done is closed or the
// sequence's loop ends early.
func parseSplit(p *kaleidoscope.Parser, src []byte, parts, capacity int, inlineFirst bool, done <-chan struct{}) iter.Seq[parsedBatch] {
	if parts < 2 || len(src) < parseSplitMin {
		return fromChan(parseAhead(p, done, 4))
	}
	head := 0
	// The first quarter only: a scan of the whole source was about a
	// quarter of the single-threaded work (read, count, set-up) before
	// the parse; an operator defined later is found by its segment's
	// parse.
	if b := lastIndex(src[:len(src)/4], "binary"); b >= 0 {
		head = kaleidoscope.ItemStart(src, b)
		if head < 0 || head > len(src)/4 {
			return fromChan(parseAhead(p, done, 4))
		}
	}
	// Segment k of parts starts at head + rest*at(k), the first one
	// (with inlineFirst) parseSplitFirstShare of the others' length.
	share := 1.0
	if inlineFirst {
		share = parseSplitFirstShare
	}
	rest := float64(len(src) - head)
	total := share + float64(parts-1)
	cuts := []int{head}
	for k := 1; k < parts; k++ {
		at := (share + float64(k-1)) / total
		c := kaleidoscope.ItemStart(src, head+int(rest*at))
		if c > cuts[len(cuts)-1] {
			cuts = append(cuts, c)
		}
	}
	if head == 0 && len(cuts) == 1 {
		return fromChan(parseAhead(p, done, 4))
	}
	// The precedences after the head, if each operator defined in it
	// takes the precedence it declares (as a definition taken does; an
	// extern sets none).
	pred := p
	if head > 0 {
		pred = p.Segment(0, head)
		for {
			item, d := pred.Next()
			if item == nil && d == nil {
				break
			}
			if def, ok := item.(*kaleidoscope.FunctionDef); ok && def.Proto.Kind == kaleidoscope.ProtoBinary {
				pred.SetPrecedence(def.Proto.OperatorChar(), def.Proto.Precedence)
			}
		}
	}
	want := pred.Precedences()
	// stop is closed when the segments' items are not wanted: by the
	// sequence's loop, or when done is closed (a consumer that never
	// loops, its session failing to open).
	stop := make(chan struct{})
	var stopOnce sync.Once
	closeStop := func() { stopOnce.Do(func() { close(stop) }) }
	go func() {
		select {
		case <-done:
			closeStop()
		case <-stop:
		}
	}()
	var segs []<-chan parsedBatch
	var qs []*kaleidoscope.Parser
	for k, c := range cuts {
		end := -1
		if k+1 < len(cuts) {
			end = cuts[k+1]
		}
		q := pred.Segment(c, end)
		qs = append(qs, q)
		if k == 0 && inlineFirst {
			segs = append(segs, nil) // parsed by the consumer
			continue
		}
		segs = append(segs, parseAhead(q, stop, capacity))
	}
	return func(yield func(parsedBatch) bool) {
		defer closeStop()
		// forward reports whether the consumer took all of ch, and
		// whether an item of ch defined an operator (parseAhead waited
		// on it).
		forward := func(ch <-chan parsedBatch) (ok, op bool) {
			for b := range ch {
				op = op || b.ack != nil
				if !yield(b) {
					return false, op
				}
			}
			return true, op
		}
		if head > 0 {
			p.SetEnd(head)
			if ok, _ := parseInline(p, yield); !ok {
				return
			}
			if p.Precedences() != want {
				// An operator's item did not set the precedence it
				// declares (an error): parse the rest again from the
				// head, with the precedences in force there.
				closeStop()
				forward(parseAhead(p.Segment(head, -1), done, 4))
				return
			}
		}
		for k, ch := range segs {
			var ok, op bool
			if ch == nil {
				ok, op = parseInline(qs[k], yield)
			} else {
				ok, op = forward(ch)
			}
			if !ok {
				return
			}
			if op && k+1 < len(segs) {
				// An operator defined in segment k: the segments after
				// it parsed without it. Its parser's precedences are set
				// (its items ran before it ended: each operator's before
				// the parse went on), and the rest is parsed again with
				// them.
				closeStop()
				forward(parseAhead(qs[k].Segment(cuts[k+1], -1), done, 4))
				return
			}
		}
	}
}

// lastIndex is bytes.LastIndex(src, s) found with forward searches:
// bytes.Index is vectorized, LastIndex is not (it was 8% of a lazy
// start-up's time on a 2.6 MB file with s near its start only).
func lastIndex(src []byte, s string) int {
	last := -1
	for off := 0; ; {
		i := bytes.Index(src[off:], []byte(s))
		if i < 0 {
			return last
		}
		last = off + i
		off = last + 1
	}
}
