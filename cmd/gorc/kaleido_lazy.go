package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gorc-jit/gorc/ir"
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
	version int                     // 0: an extern
	rt      [2]*orc.ResourceTracker // current version: bodies, impl
}

// lazyDefs compiles Kaleidoscope definitions on first call (gorc kaleido
// -lazy), as seed 000's chapter does: a definition only records its AST
// and gets a stub named after the function in the main dylib; the first
// call through the stub generates the body's IR from the AST (in a fresh
// generator, callees declared on demand), optimizes and compiles it, links
// it and repoints the stub. Defining a function again points its stub at
// the new definition (compiled on its first call), for every caller.
type lazyDefs struct {
	j            *jit.JIT
	lz           *jit.Lazy
	bodies, impl *orc.JITDylib
	level        int
	ssa          bool
	modName      string

	mu sync.Mutex
	// defs holds, per name, the extern's or the current definition's
	// prototype, the definition's version and its trackers: one table
	// entry per function (sized up front by reserve).
	defs     map[string]*lazyDef
	defined  int
	compiled atomic.Int64

	// batch: the stubs of first definitions are defined together, as one
	// lazy-reexports unit, when flush is called (before anything that can
	// call them runs): one unit, one stub block and one trampoline block
	// for a run of definitions instead of one each. Off in the REPL.
	batch   bool
	pending orc.SymbolAliasMap
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
	return &lazyDefs{
		j: j, lz: lz, bodies: bodies, impl: impl, level: level, modName: modName,
		ssa:  len(pm.Passes) > 0 && pm.Passes[0].Name == "mem2reg",
		defs: map[string]*lazyDef{},
	}, nil
}

// reserve sizes the tables for about n more definitions (a file's count
// of "def"), so that they are not grown step by step: the session's
// names (a stub and a body each), the dylibs' symbols and trackers, and
// the stubs waiting for flush.
func (l *lazyDefs) reserve(n int) {
	if n < 64 {
		return
	}
	l.j.ES.SymbolStringPool().Reserve(2 * n)
	l.bodies.Reserve(n, n)
	l.impl.Reserve(0, n)
	l.j.Main.Reserve(n, 0)
	l.mu.Lock()
	defs := make(map[string]*lazyDef, len(l.defs)+n)
	for k, v := range l.defs {
		defs[k] = v
	}
	l.defs = defs
	if l.batch && l.pending == nil {
		l.pending = make(orc.SymbolAliasMap, n)
	}
	l.mu.Unlock()
}

// declare records an extern's prototype for the generators of bodies.
func (l *lazyDefs) declare(pr *kaleidoscope.Prototype) {
	l.mu.Lock()
	if _, ok := l.defs[pr.Name]; !ok {
		l.defs[pr.Name] = &lazyDef{proto: pr}
	}
	l.mu.Unlock()
}

func (l *lazyDefs) proto(name string) *kaleidoscope.Prototype {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d := l.defs[name]; d != nil {
		return d.proto
	}
	return nil
}

// define makes def the definition of its function (the first or a new
// one). Nothing is generated or compiled until it is called. The memory
// of a replaced definition's code is released (nothing JIT'd runs between
// the items of a session, so no thread can be inside it).
func (l *lazyDefs) define(ctx context.Context, file string, def *kaleidoscope.FunctionDef) error {
	name := def.Proto.Name
	es := l.j.ES
	rtB, err := l.bodies.CreateResourceTracker()
	if err != nil {
		return err
	}
	rtI, err := l.impl.CreateResourceTracker()
	if err != nil {
		return err
	}
	l.mu.Lock()
	d := l.defs[name]
	if d == nil {
		d = &lazyDef{}
		l.defs[name] = d
	}
	old, hadOld := d.rt, d.version > 0
	d.version++
	v := d.version
	d.proto = def.Proto
	d.rt = [2]*orc.ResourceTracker{rtB, rtI}
	l.defined++
	l.mu.Unlock()
	body := es.Intern(name + "$" + strconv.Itoa(v))
	compile := func(ctx context.Context, _ []orc.SymbolName) (*jitlink.LinkGraph, error) {
		return l.compile(ctx, file, def, body.String())
	}
	u := lazy.CompileOnDemandGraph("kaleido "+name, l.j.Layer, l.impl, rtI, orc.SymbolFlagsMap{body: orc.Exported | orc.Callable}, nil, compile)
	if err := l.bodies.Define(u, rtB); err != nil {
		return err
	}
	stub := es.Intern(name)
	if v == 1 {
		l.mu.Lock()
		if l.batch {
			if l.pending == nil {
				l.pending = orc.SymbolAliasMap{}
			}
			l.pending[stub] = orc.SymbolAliasMapEntry{Aliasee: body, Flags: orc.Exported | orc.Callable}
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		return l.j.AddLazyReexports(l.bodies, orc.SymbolAliasMap{stub: {Aliasee: body, Flags: orc.Exported | orc.Callable}})
	}
	if err := l.flush(); err != nil {
		return err
	}
	if _, ok := l.lz.Stubs.FindStub(name); !ok {
		// The stub is made when the reexport is first looked up.
		if _, err := es.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, l.j.Main), orc.NewSymbolLookupSet(stub), orc.SymbolStateReady); err != nil {
			return err
		}
	}
	if err := lazy.Redirect(ctx, l.lz.CallThrough, l.lz.Stubs, name, l.bodies, body); err != nil {
		return err
	}
	if hadOld {
		if err := errors.Join(old[1].Remove(ctx), old[0].Remove(ctx)); err != nil {
			return fmt.Errorf("releasing the old definition of %s: %w", name, err)
		}
	}
	return nil
}

// flush defines the stubs of the first definitions made since the last
// flush (batch mode), as one lazy-reexports unit.
func (l *lazyDefs) flush() error {
	l.mu.Lock()
	p := l.pending
	l.pending = nil
	l.mu.Unlock()
	if len(p) == 0 {
		return nil
	}
	return l.j.AddLazyReexports(l.bodies, p)
}

// compile generates, optimizes and compiles one definition as the
// function body (its stub's current target), handing the object to the
// linker as a graph.
func (l *lazyDefs) compile(ctx context.Context, file string, def *kaleidoscope.FunctionDef, body string) (*jitlink.LinkGraph, error) {
	// A body skipped by the parser (SetLazyBodies) is parsed now, once: a
	// definition is compiled by one materialization only.
	if d := def.ParseBody(); d != nil {
		return nil, d
	}
	g := kaleidoscope.NewGenerator(l.modName)
	g.SSA = l.ssa
	g.Resolve = l.proto
	fn, d := g.Gen(file, def, nil)
	if d != nil {
		return nil, d
	}
	fn.Name = body
	pm := ir.NewModule(l.modName)
	pm.Funcs = []*ir.Function{fn}
	fn.Module = pm
	if err := passes.ForLevel(l.level).RunFunction(fn); err != nil {
		return nil, err
	}
	res, err := l.j.Target.Backend.Compile(ctx, pm, target.Options{OmitGlobals: true, SourceName: file, GraphName: body + ".o", NoObject: true})
	if err != nil {
		return nil, err
	}
	l.compiled.Add(1)
	return res.Graph, nil
}

// stats prints what -show-stats reports in lazy mode.
func (l *lazyDefs) stats(w io.Writer) {
	l.mu.Lock()
	defined := l.defined
	l.mu.Unlock()
	fmt.Fprintf(w, "functions compiled: %d (lazily, of %d definitions)\n", l.compiled.Load(), defined)
}

// lazyHeapPerByte is the heap runLazyKaleido readies per byte of source.
const lazyHeapPerByte = 24

// runLazyKaleido runs sources item by item in one session, as the REPL
// does (so a redefinition applies from the next item on), with
// definitions compiled on first call.
func runLazyKaleido(ctx context.Context, level int, eo execOptions, names []string, srcs [][]byte, showStats bool, stdout, stderr io.Writer) int {
	if eo.mode == "" {
		eo.mode = "local" // batch default (the REPL's is a child)
	}
	// Starting a lazy session allocates about 19 bytes of heap per byte
	// of source (measured at 10,000 generated functions: prototypes,
	// skipped bodies, units, stubs), with the collector off all of it
	// fresh memory: let it come in huge pages, as the eager compile does.
	size := 0
	for _, s := range srcs {
		size += len(s)
	}
	prepareHeap(lazyHeapPerByte * size)
	r := &repl{ctx: ctx, pm: passes.ForLevel(level), stdout: stdout, stderr: stderr, file: "<stdin>", level: level, lazyMode: true}
	if code := r.open(eo); code != 0 {
		return code
	}
	defer func() { r.j.Close(ctx) }()
	r.lazy.batch = true
	for i, src := range srcs {
		r.file = names[i]
		// One parser per file, item by item: an operator defined by an
		// item applies to the items after it.
		p := r.g.NewParser(r.file, src)
		// Tables sized for the file's definitions (about: a count of
		// "def", which may also be part of a name) instead of growing.
		if n := bytes.Count(src, []byte("def")); n >= 64 {
			r.lazy.reserve(n)
			r.g.ReserveDeclarations(n)
			r.defs = slices.Grow(r.defs, n)
		}
		// Bodies of definitions are parsed on first call too.
		p.SetLazyBodies(true)
		for {
			item, d := p.Next()
			if d != nil {
				fmt.Fprintln(stderr, d)
				r.errors++
				continue
			}
			if item == nil {
				break
			}
			if def, ok := item.(*kaleidoscope.FunctionDef); !ok || def.TopLevel {
				// What runs now may call the definitions so far.
				if r.fail(r.lazy.flush()) {
					continue
				}
			}
			r.run(item, p)
			if r.lost != nil {
				return executorFailureStatus(r.j, r.lost)
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
