package jit

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"strings"
	"sync"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/lazy"
	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/target"
)

// irBatch is a speculative batch of a lazy IR module (Options.Speculate):
// the functions it claimed, compiled as one module by the unit it
// defines in the module's speculation dylib.
type irBatch struct {
	// planned is closed once the batch's unit is defined (or the batch
	// dropped): a first call of a function it claimed waits for it.
	planned chan struct{}
	mu      sync.Mutex
	fns     map[string]*ir.Function // not compiled yet, by name
}

// LazySpeculated returns how many functions speculative batches of lazy
// IR modules have compiled (Options.Speculate; LazyCompiled counts them
// too).
func (j *JIT) LazySpeculated() int64 { return j.lazySpeculated.Load() }

// startSpeculation turns speculation on for lm (one function per
// partition, behind lazyIRStubs): the functions a compile finds called
// are compiled ahead, in batches, on other goroutines, until the JIT
// closes.
func (lm *lazyModule) startSpeculation(modNo int64) error {
	jd, err := lm.j.ES.CreateJITDylib(fmt.Sprintf("main.spec%d", modNo))
	if err != nil {
		return err
	}
	lm.specDylib = jd
	lm.claimed = map[string]*irBatch{}
	lm.spec = lazy.NewSpeculator(lm.j.ES, runtime.GOMAXPROCS(0), lm.planBatch)
	lm.j.OnClose(lm.spec.Stop)
	return nil
}

// pendingLocked returns the function named n if it is neither compiled
// nor claimed (lm.stubs.mu and lm.mu held), else nil.
func (lm *lazyModule) pendingLocked(n string) *ir.Function {
	if lm.claimed[n] != nil {
		return nil
	}
	if f := lm.stubs.fns[n]; f != nil {
		return f
	}
	return lm.fns[lm.j.ES.Intern(n)]
}

// speculateCallees queues the module's functions graph calls that are
// neither compiled nor claimed.
func (lm *lazyModule) speculateCallees(graph *jitlink.LinkGraph) {
	if lm.spec == nil {
		return
	}
	var names []string
	lm.stubs.mu.Lock()
	lm.mu.Lock()
	for n := range graph.Externals {
		if lm.pendingLocked(n) != nil {
			names = append(names, n)
		}
	}
	lm.mu.Unlock()
	lm.stubs.mu.Unlock()
	lm.spec.Enqueue(names...)
}

// unclaimLocked gives f back to first calls (lm.stubs.mu and lm.mu held).
func (lm *lazyModule) unclaimLocked(f *ir.Function) {
	delete(lm.claimed, f.Name)
	if _, ok := lm.stubs.fns[f.Name]; !ok {
		// It has a stub (made before or while claimed): its unit compiles it.
		lm.fns[lm.j.ES.Intern(f.Name)] = f
	}
}

// planBatch is the speculator's planner: it claims up to max functions
// from roots and their direct callees, transitively, parses and
// verifies their bodies (a function with an error is given back: its
// first call reports it) and defines them as one compile-on-demand unit
// in the speculation dylib.
func (lm *lazyModule) planBatch(ctx context.Context, roots []string, max int) (*orc.JITDylib, []orc.SymbolName, []string) {
	b := &irBatch{planned: make(chan struct{}), fns: make(map[string]*ir.Function, max)}
	defer close(b.planned)
	var members []*ir.Function
	rest := lazy.WalkCallees(ctx, roots, max, func(n string) (iter.Seq[string], bool) {
		lm.stubs.mu.Lock()
		lm.mu.Lock()
		f := lm.pendingLocked(n)
		if f != nil {
			delete(lm.fns, lm.j.ES.Intern(n))
			lm.claimed[n] = b
		}
		lm.mu.Unlock()
		lm.stubs.mu.Unlock()
		if f == nil {
			return nil, false
		}
		err := lm.bodies.ParseBody(f)
		if err == nil {
			err = ir.VerifyFunction(f)
		}
		if err != nil {
			lm.stubs.mu.Lock()
			lm.mu.Lock()
			lm.unclaimLocked(f)
			lm.mu.Unlock()
			lm.stubs.mu.Unlock()
			return nil, false
		}
		members = append(members, f)
		b.fns[n] = f
		return f.CalleeNames(), true
	})
	members = lm.dropUnresolved(ctx, b, members)
	if len(members) == 0 {
		return nil, nil, rest
	}
	syms := make(orc.SymbolFlagsMap, len(members))
	names := make([]orc.SymbolName, 0, len(members))
	for _, f := range members {
		n := lm.j.ES.Intern(f.Name)
		syms[n] = orc.Exported | orc.Callable
		names = append(names, n)
	}
	u := lazy.WithLinked(lazy.CompileOnDemandGraph(lm.name+" (speculative batch)", lm.j.Layer, lm.j.lazyImpl, nil, syms, lazy.Whole, func(ctx context.Context, part []orc.SymbolName) (*jitlink.LinkGraph, error) {
		return lm.compileBatch(ctx, b, part)
	}), lm.landed)
	if err := lm.specDylib.Define(u, nil); err != nil {
		lm.stubs.mu.Lock()
		lm.mu.Lock()
		for _, f := range members {
			lm.unclaimLocked(f)
		}
		lm.mu.Unlock()
		lm.stubs.mu.Unlock()
		return nil, nil, rest
	}
	return lm.specDylib, names, rest
}

// dropUnresolved gives back to first calls the members of batch b that
// refer to a function or global the module only declares and that
// nothing defines (MissingRefs), and returns the others. One such member
// would otherwise fail the batch's link, and with it every function of
// the batch, called or not; given back, it fails on its own first call,
// naming the symbol, as without speculation. If the lookup fails (the
// session or speculation ends), all are given back.
func (lm *lazyModule) dropUnresolved(ctx context.Context, b *irBatch, members []*ir.Function) []*ir.Function {
	missing, err := lm.j.MissingRefs(ctx, members, func(n string) bool { return lm.stubs.names[n] })
	if err == nil && len(missing) == 0 {
		return members
	}
	kept := members[:0]
	var dropped []*ir.Function
	for _, f := range members {
		if err == nil && !RefersTo(f, missing) {
			kept = append(kept, f)
			continue
		}
		dropped = append(dropped, f)
	}
	b.mu.Lock()
	for _, f := range dropped {
		delete(b.fns, f.Name)
	}
	b.mu.Unlock()
	lm.stubs.mu.Lock()
	lm.mu.Lock()
	for _, f := range dropped {
		lm.unclaimLocked(f)
	}
	lm.mu.Unlock()
	lm.stubs.mu.Unlock()
	return kept
}

// refs yields the functions and globals f's instructions use as
// operands (constant expressions are instructions by then: the parser
// and the generators make them so).
func refs(f *ir.Function) iter.Seq[ir.Value] {
	return func(yield func(ir.Value) bool) {
		for _, blk := range f.Blocks {
			for _, in := range blk.Instrs {
				for _, op := range in.Ops {
					switch op.(type) {
					case *ir.Function, *ir.Global:
						if !yield(op) {
							return
						}
					}
				}
			}
		}
	}
}

// refName is the name of a function or global that a compiled function
// refers to from outside its own module: a declared function other than
// an intrinsic, or a global without an initializer; "" for others. own
// names the caller's own definitions, which are skipped by name before
// anything else of v is read: the body of one of them may be being
// parsed (or dropped once compiled) on another goroutine, and whether it
// has a body is what that goroutine writes.
func refName(v ir.Value, own func(name string) bool) string {
	switch v := v.(type) {
	case *ir.Function:
		if strings.HasPrefix(v.Name, "llvm.") || own(v.Name) {
			return ""
		}
		if v.IsDeclaration() {
			return v.Name
		}
	case *ir.Global:
		if !own(v.Name) && v.Init == nil {
			return v.Name
		}
	}
	return ""
}

// InputsComplete tells j that no more inputs will be added (gorc run
// calls it once every input and library is in): from then on, a name
// MissingRefs finds missing stays missing, and is not looked up again by
// later speculative batches (with a child or remote executor, each such
// lookup was a round trip). Without it (a REPL, where a later definition
// may supply the name, or a JIT linking against a shared executor, where
// another process may publish it), each batch asks again. A stale
// answer would cost no correctness either way: a function left out of
// a batch is compiled, and linked with a real lookup, on its first call.
func (j *JIT) InputsComplete() { j.inputsComplete.Store(true) }

// MissingRefs returns the names of the external functions and globals
// fns refer to (declared, not defined; intrinsics aside; defined(name)
// true: the caller's own, skipped) that nothing in the main dylib, its
// definitions or its generators, defines: a graph of fns would fail to
// link for them. The names are looked up (weakly, as a link does, so
// that a missing one is no error) and those found are remembered for
// later calls, as are those missing after InputsComplete. err: the
// lookup failed (the session ends, ctx is done).
func (j *JIT) MissingRefs(ctx context.Context, fns []*ir.Function, defined func(name string) bool) (map[string]bool, error) {
	var names []string
	asked := map[string]bool{}
	for _, f := range fns {
		for v := range refs(f) {
			n := refName(v, defined)
			if n == "" || asked[n] {
				continue
			}
			asked[n] = true
			names = append(names, n)
		}
	}
	return j.MissingNames(ctx, names)
}

// MissingNames is MissingRefs for a caller that knows the external names
// its functions refer to (each once; none of its own): those nothing in
// the main dylib defines.
func (j *JIT) MissingNames(ctx context.Context, names []string) (map[string]bool, error) {
	// Read before the lookup: a name missing from a lookup that began
	// before InputsComplete may be defined by an input added since.
	final := j.inputsComplete.Load() && j.share == nil
	var set orc.SymbolLookupSet
	var missing map[string]bool
	for _, n := range names {
		if _, ok := j.resolvedRefs.Load(n); ok {
			continue
		}
		if _, ok := j.missingRefs.Load(n); ok {
			if missing == nil {
				missing = map[string]bool{}
			}
			missing[n] = true
			continue
		}
		set = set.Add(j.ES.Intern(n), orc.WeaklyReferencedSymbol)
	}
	if len(set) == 0 {
		return missing, nil
	}
	j.refLookups.Add(1)
	found, err := j.ES.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, j.Main), set, orc.SymbolStateResolved)
	if err != nil {
		return nil, err
	}
	for _, e := range set {
		if _, ok := found[e.Name]; ok {
			j.resolvedRefs.Store(e.Name.String(), true)
			continue
		}
		if missing == nil {
			missing = map[string]bool{}
		}
		missing[e.Name.String()] = true
		if final {
			j.missingRefs.Store(e.Name.String(), true)
		}
	}
	return missing, nil
}

// RefersTo reports whether f refers to a function or global named in
// names (as MissingRefs returns them: declared only, so the name alone
// tells, and nothing a concurrent body parse writes is read).
func RefersTo(f *ir.Function, names map[string]bool) bool {
	for v := range refs(f) {
		switch v := v.(type) {
		case *ir.Function:
			if names[v.Name] {
				return true
			}
		case *ir.Global:
			if names[v.Name] {
				return true
			}
		}
	}
	return false
}

// compiledAhead handles the first call of function n when a speculative
// batch claimed it: it waits for the batch to be planned, then for its
// compile (running it here if it has not started), and reports true: the
// function is in the implementation dylib. False: no batch has it.
func (lm *lazyModule) compiledAhead(ctx context.Context, n orc.SymbolName) (bool, error) {
	lm.mu.Lock()
	b := lm.claimed[n.String()]
	lm.mu.Unlock()
	if b == nil {
		return false, nil
	}
	select {
	case <-b.planned:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	lm.mu.Lock()
	b = lm.claimed[n.String()]
	lm.mu.Unlock()
	if b == nil {
		return false, nil // given back
	}
	if _, err := lm.j.ES.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, lm.specDylib), orc.NewSymbolLookupSet(n), orc.SymbolStateReady); err != nil {
		return true, err
	}
	return true, nil
}

// compileBatch optimizes and compiles the functions part of batch b as
// one module (all of them: the unit is partitioned lazy.Whole, so a first
// call that starts it before the speculator does compiles the whole
// batch). If that fails, the functions are compiled apart
// (lazy.CompileApart): only those that fail on their own fail, each with
// its own error, and the rest are linked.
func (lm *lazyModule) compileBatch(ctx context.Context, b *irBatch, part []orc.SymbolName) (*jitlink.LinkGraph, error) {
	fns := make([]*ir.Function, 0, len(part))
	b.mu.Lock()
	for _, n := range part {
		f := b.fns[n.String()]
		if f == nil {
			b.mu.Unlock()
			return nil, fmt.Errorf("speculative batch of %s: function @%s is not in it", lm.name, n)
		}
		delete(b.fns, n.String())
		fns = append(fns, f)
	}
	b.mu.Unlock()
	defer func() {
		for _, f := range fns {
			f.Blocks = nil
			f.ReleaseInstrs()
		}
	}()
	g, err := lm.compileModule(ctx, fns)
	if err != nil && len(fns) > 1 && ctx.Err() == nil {
		g, err = lazy.CompileApart(ctx, part, func(ctx context.Context, members []int) (*jitlink.LinkGraph, error) {
			sub := make([]*ir.Function, len(members))
			for i, k := range members {
				sub[i] = fns[k]
			}
			return lm.compileModule(ctx, sub)
		})
	}
	if g == nil {
		return nil, err
	}
	k := int64(len(fns))
	var pe *lazy.PartialError
	if errors.As(err, &pe) {
		k -= int64(len(pe.Failed))
	}
	lm.done.Add(k)
	lm.specCompiled.Add(k)
	lm.j.lazyCompiled.Add(k)
	lm.j.lazySpeculated.Add(k)
	return g, err
}

// compileModule optimizes and compiles fns as one module, and defines
// the stubs of the functions its graph calls.
func (lm *lazyModule) compileModule(ctx context.Context, fns []*ir.Function) (*jitlink.LinkGraph, error) {
	m := ir.NewModule(lm.name)
	for _, f := range fns {
		f.Module = m
		m.Funcs = append(m.Funcs, f)
	}
	lm.mu.Lock()
	lm.seq++
	objName := lazyGraphName(lm.name, lm.seq, m.Funcs[0].Name)
	lm.mu.Unlock()
	for _, f := range m.Funcs {
		if err := lm.pm.RunFunction(f); err != nil {
			return nil, fmt.Errorf("%s: optimize: %w", lm.name, err)
		}
	}
	res, err := lm.j.Target.Backend.Compile(ctx, m, target.Options{OmitGlobals: true, SourceName: lm.name, GraphName: objName, NoObject: true})
	if err != nil {
		return nil, fmt.Errorf("%s: compile: %w", lm.name, err)
	}
	if err := lm.stubs.defineCallees(ctx, res.Graph); err != nil {
		return nil, err
	}
	return res.Graph, nil
}

// landed points the stubs of a batch's functions at their code once
// linked (before they are Ready), so that their first calls do not
// re-enter the JIT (a function without a stub
// yet gets one leading to the call-through, which finds the code).
func (lm *lazyModule) landed(ctx context.Context, syms orc.SymbolMap) {
	lz, err := lm.j.Lazy()
	if err != nil {
		return
	}
	names := make([]string, 0, len(syms))
	addrs := make([]shared.ExecutorAddr, 0, len(syms))
	for n, d := range syms {
		names = append(names, n.String())
		addrs = append(addrs, d.Addr)
	}
	_ = lz.Stubs.UpdatePointers(ctx, names, addrs)
}
