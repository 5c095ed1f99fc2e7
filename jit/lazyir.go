package jit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/lazy"
	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/target"
)

// Partitioning says how AddLazyIR splits a module into units compiled on
// first call.
type Partitioning int

const (
	// PartitionFunction compiles each function on its own first call.
	PartitionFunction Partitioning = iota
	// PartitionCallees compiles a called function together with its
	// direct callees (those not compiled yet).
	PartitionCallees
	// PartitionModule compiles the whole module on the first call of any
	// of its functions (lli's -per-module-lazy).
	PartitionModule
)

// ParsePartitioning reads a -lazy-partition value: function, callees or
// module.
func ParsePartitioning(s string) (Partitioning, error) {
	switch s {
	case "function", "":
		return PartitionFunction, nil
	case "callees":
		return PartitionCallees, nil
	case "module":
		return PartitionModule, nil
	}
	return 0, fmt.Errorf("unknown lazy partitioning %q (want function, callees or module)", s)
}

// LazyDylibs returns the dylibs of lazily compiled code: bodies holds the
// compile-on-demand units the main dylib's stubs point into, impl the
// compiled objects of speculative batches and of partitions of several
// functions (which see impl first, then main: a function not compiled
// yet is reached through its stub). A function compiled on its own
// (PartitionFunction) is linked as its unit's materialization
// (lazy.WithDirectLink): defined in bodies, its references resolved as
// impl's.
func (j *JIT) LazyDylibs() (bodies, impl *orc.JITDylib, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.lazyBodies != nil {
		return j.lazyBodies, j.lazyImpl, nil
	}
	if bodies, err = j.ES.CreateJITDylib("main.lazy"); err != nil {
		return nil, nil, err
	}
	if impl, err = j.ES.CreateJITDylib("main.impl"); err != nil {
		return nil, nil, err
	}
	if err := impl.SetLinkOrder(orc.SearchOrder(orc.MatchAllSymbols, j.Main), false); err != nil {
		return nil, nil, err
	}
	j.lazyBodies, j.lazyImpl = bodies, impl
	return bodies, impl, nil
}

// LazyCompiled returns how many functions lazy units have compiled.
func (j *JIT) LazyCompiled() int64 { return j.lazyCompiled.Load() }

// AddLazyIR adds an IR module whose functions are optimized at optLevel
// and compiled on first call (LLVM's LLLazyJIT.addLazyIRModule): every
// function defined in the module becomes a stub in the main dylib, and
// the partition holding it is compiled and linked when the stub is first
// called. With one function per partition (and not publishing), the stub
// is made only when linked code first refers to the function (by a
// definition generator asked before the process's symbols, or, for a
// compiled function's callees, by its compile before its link): a
// function nothing refers to costs nothing. Global variables are compiled and
// linked eagerly, as one data object, when the module is added. Internal
// functions and globals are renamed to names unique in this JIT
// (partitions reference them by name).
func (j *JIT) AddLazyIR(ctx context.Context, name string, src []byte, optLevel int, part Partitioning) error {
	// Function bodies are parsed when their partition is compiled: a
	// function never called is never parsed (a syntax error in its body
	// is then never reported).
	m, pending, err := ir.ParseLazy(name, src)
	if err != nil {
		return err
	}
	if err := ir.Verify(m); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if optLevel < 0 || optLevel > 2 {
		return fmt.Errorf("jit: %s: optimization level %d, want 0, 1 or 2", name, optLevel)
	}
	j.noteLazyIRExterns(m, pending)
	if err := j.LoadDylib(ctx, "-lm"); err != nil {
		return err
	}
	bodies, impl, err := j.LazyDylibs()
	if err != nil {
		return err
	}
	modNo := j.lazyModules.Add(1)
	defined := func(f *ir.Function) bool { return !f.IsDeclaration() || pending.Pending(f) }
	// Internal symbols are renamed to names no other symbol of the module
	// has; the table of taken names is built only when there are some.
	var taken map[string]bool
	unique := func(n string) string {
		if taken == nil {
			taken = make(map[string]bool, len(m.Funcs)+len(m.Globals))
			for _, f := range m.Funcs {
				taken[f.Name] = true
			}
			for _, g := range m.Globals {
				taken[g.Name] = true
			}
		}
		for i := 0; ; i++ {
			c := fmt.Sprintf("%s.lazy%d", n, modNo)
			if i > 0 {
				c = fmt.Sprintf("%s.lazy%d.%d", n, modNo, i)
			}
			if !taken[c] {
				taken[c] = true
				return c
			}
		}
	}
	for _, f := range m.Funcs {
		if defined(f) && (f.Linkage == ir.Internal || f.Linkage == ir.Private) {
			f.Name = unique(f.Name)
		}
	}
	for _, g := range m.Globals {
		if g.Init != nil && (g.Linkage == ir.Internal || g.Linkage == ir.Private) {
			g.Name = unique(g.Name)
		}
	}

	// Indirect functions: one graph of stubs calling their resolvers by
	// name (the resolvers' lazy stubs), before the data that may point
	// to them.
	if len(m.IFuncs) > 0 {
		for _, i := range m.IFuncs {
			if i.Linkage == ir.Internal || i.Linkage == ir.Private {
				i.Name = unique(i.Name)
				i.Func.Name = i.Name
			}
		}
		g, err := j.ifuncGraph(name, m)
		if err != nil {
			return err
		}
		if err := j.AddGraph(g); err != nil {
			return err
		}
	}

	// Global variables: one data object, linked with the eager inputs.
	if len(m.Globals) > 0 {
		dm := ir.NewModule(name)
		dm.Globals = m.Globals
		for _, g := range dm.Globals {
			g.Module = dm
		}
		res, err := j.Target.Backend.Compile(ctx, dm, target.Options{Only: []*ir.Function{}, SourceName: name, GraphName: name + ".data.o", NoObject: true})
		if err != nil {
			return fmt.Errorf("jit: %s: compile globals: %w", name, err)
		}
		if err := j.AddGraph(res.Graph); err != nil {
			return err
		}
	}

	if err := j.defineLazyAliases(name, m); err != nil {
		return err
	}

	lm := &lazyModule{j: j, name: name, opt: optLevel, pm: passes.ForLevel(optLevel), bodies: pending, fns: map[orc.SymbolName]*ir.Function{}}
	lm.compileFn = lm.compile
	if part == PartitionFunction && j.opts.Publish == "" {
		// Nothing per function now: a stub and a unit are made for a
		// function when linked code first refers to it (lazyIRStubs).
		if err := j.addLazyIRStubs(lm, m, impl, bodies, defined); err != nil {
			return err
		}
		if j.opts.Speculate && lm.stubs != nil {
			return lm.startSpeculation(modNo)
		}
		if lm.stubs != nil && !j.opts.NoParseAhead {
			lm.ahead = newParseAhead(pending)
		}
		return nil
	}
	syms := orc.SymbolFlagsMap{}
	aliases := orc.SymbolAliasMap{}
	var order []orc.SymbolName
	for _, f := range m.Funcs {
		if !defined(f) {
			continue
		}
		n := j.ES.Intern(f.Name)
		lm.fns[n] = f
		syms[n] = orc.Exported | orc.Callable
		aliases[n] = orc.SymbolAliasMapEntry{Aliasee: n, Flags: orc.Exported | orc.Callable}
		order = append(order, n)
	}
	if len(syms) == 0 {
		return nil
	}
	switch part {
	case PartitionFunction:
		// (Publishing: the stubs are what is published, so all are
		// defined now.)
		for _, n := range order {
			u := lazy.WithDirectLink(lazy.CompileOnDemandGraph(name+":"+n.String(), j.Layer, impl, nil, orc.SymbolFlagsMap{n: syms[n]}, nil, lm.compileFn))
			if err := bodies.Define(u, nil); err != nil {
				return fmt.Errorf("jit: %s: %w", name, err)
			}
		}
	case PartitionCallees, PartitionModule:
		pf := lm.withCallees
		if part == PartitionModule {
			pf = func(_ []orc.SymbolName, owned orc.SymbolFlagsMap) []orc.SymbolName {
				all := make([]orc.SymbolName, 0, len(owned))
				for n := range owned {
					all = append(all, n)
				}
				return all
			}
		}
		if err := bodies.Define(lazy.CompileOnDemandGraph(name, j.Layer, impl, nil, syms, pf, lm.compile), nil); err != nil {
			return fmt.Errorf("jit: %s: %w", name, err)
		}
	default:
		return fmt.Errorf("jit: %s: unknown partitioning %d", name, part)
	}
	return j.AddLazyReexports(bodies, aliases)
}

// ifuncGraph makes the graph that defines the ifuncs of m for a lazy
// module: each is a stub (jitlink.IFuncArch) that calls its resolver,
// by name, on the first call, as an eager object's STT_GNU_IFUNC symbol
// is linked. (Internal ifuncs have been renamed to unique names.)
func (j *JIT) ifuncGraph(name string, m *ir.Module) (*jitlink.LinkGraph, error) {
	ia, ok := j.Target.Arch.(jitlink.IFuncArch)
	if !ok {
		return nil, fmt.Errorf("jit: %s: ifunc @%s: indirect functions are not supported on %s", name, m.IFuncs[0].Name, j.Target.Arch.Name())
	}
	g := jitlink.NewLinkGraph(name+".ifunc.o", j.Target.Arch)
	text := g.AddSection(".text.gorc.ifunc", shared.ProtRead|shared.ProtExec, 0)
	data := g.AddSection(".data.gorc.ifunc", shared.ProtRead|shared.ProtWrite, 0)
	stubs := map[*ir.Function]*jitlink.Symbol{}
	for _, i := range m.IFuncs {
		stub := stubs[i.Resolver]
		if stub == nil {
			stub = ia.AddIFuncStub(g, text, data, g.AddExternalSymbol(i.Resolver.Name, false))
			stubs[i.Resolver] = stub
		}
		l, s := jitlink.LinkageStrong, jitlink.ScopeDefault
		if weakLinkage(i.Linkage) {
			l = jitlink.LinkageWeak
		}
		g.AddDefinedSymbol(stub.Block, stub.Offset, i.Name, stub.Size, l, s, true, true)
	}
	return g, nil
}

// defineLazyAliases defines the aliases of m with external, weak or
// linkonce linkage in the main dylib as aliases of their targets' names
// there (a function's stub, a global's address in the data object): the
// alias resolves to the same stub as its target, whose body is compiled
// once, on the first call through either name. (An eager object defines
// them as symbols beside their targets'; an alias with internal or
// private linkage names no symbol: its uses are its target's.)
func (j *JIT) defineLazyAliases(name string, m *ir.Module) error {
	var am orc.SymbolAliasMap
	for _, a := range m.Aliases {
		if a.Linkage == ir.Internal || a.Linkage == ir.Private {
			continue
		}
		flags := orc.Exported
		var target string
		switch t := a.Target.(type) {
		case *ir.Function:
			target = t.Name
			flags |= orc.Callable
		case *ir.Global:
			target = t.Name
		default:
			return fmt.Errorf("jit: %s: alias @%s of %s", name, a.Name, a.Target.Ident())
		}
		if weakLinkage(a.Linkage) {
			flags |= orc.Weak
		}
		if am == nil {
			am = make(orc.SymbolAliasMap)
		}
		am[j.ES.Intern(a.SymbolName())] = orc.SymbolAliasMapEntry{Aliasee: j.ES.Intern(target), Flags: flags}
	}
	if am == nil {
		return nil
	}
	if err := j.Main.Define(orc.SymbolAliases(am), nil); err != nil {
		return fmt.Errorf("jit: %s: %w", name, err)
	}
	return nil
}

// lazyIRStubs stands for the functions of a module added with AddLazyIR
// (one function per partition): as the main dylib's first definition
// generator, it defines the stubs of the module's functions among the
// names being looked up — together, as one lazy-reexports unit, whose
// stubs are made in one allocation — and each one's compile-on-demand
// unit in the bodies dylib. A function that no linked code refers to gets
// neither (start-up does not grow with the functions never called), and
// stands behind the main dylib's own definitions like a definition made
// with Define: a name defined both ways is a duplicate definition
// (checkLazyDuplicates).
type lazyIRStubs struct {
	lm           *lazyModule
	impl, bodies *orc.JITDylib

	mu    sync.Mutex
	fns   map[string]*ir.Function // defined, no stub yet
	names map[string]bool         // every function the module defines
	weak  map[string]bool         // those of them linkonce_odr or weak
}

// weakLinkage reports whether l lets another module's definition win
// (C++ inline functions and templates: linkonce_odr, as COMDAT groups
// in objects, where the first object's copy wins).
func weakLinkage(l ir.Linkage) bool { return l == ir.LinkOnceODR || l == ir.Weak }

// addLazyIRStubs adds lm's functions behind a lazyIRStubs generator.
func (j *JIT) addLazyIRStubs(lm *lazyModule, m *ir.Module, impl, bodies *orc.JITDylib, defined func(*ir.Function) bool) error {
	g := &lazyIRStubs{lm: lm, impl: impl, bodies: bodies, fns: make(map[string]*ir.Function, len(m.Funcs))}
	lm.stubs = g
	for _, f := range m.Funcs {
		if defined(f) {
			g.fns[f.Name] = f
		}
	}
	if len(g.fns) == 0 {
		return nil
	}
	g.names = make(map[string]bool, len(g.fns))
	for n, f := range g.fns {
		g.names[n] = true
		if weakLinkage(f.Linkage) {
			if g.weak == nil {
				g.weak = make(map[string]bool)
			}
			g.weak[n] = true
		}
	}
	j.mu.Lock()
	for _, other := range j.lazyIR {
		for n := range g.names {
			if other.names[n] {
				if other.weak[n] && !g.weak[n] && other.dropWeak(n) {
					// A strong definition wins over a weak one
					// whatever their order, as in a static link.
					continue
				}
				if g.weak[n] || other.weak[n] {
					// The first module's copy wins, as the first
					// object's COMDAT group does.
					delete(g.names, n)
					delete(g.fns, n)
					continue
				}
				j.mu.Unlock()
				return fmt.Errorf("jit: %s: %w", lm.name, &orc.DuplicateDefinitionError{Symbol: j.ES.Intern(n), JITDylib: j.Main.Name(), ExistingSource: other.lm.name, NewSource: lm.name})
			}
		}
	}
	started := j.procAdd
	j.mu.Unlock()
	if started {
		// Linking has started: what the main dylib defines is known.
		if err := j.checkLazyDuplicates([]*lazyIRStubs{g}); err != nil {
			return err
		}
	}
	j.mu.Lock()
	j.lazyIR = append(j.lazyIR, g)
	j.mu.Unlock()
	j.Main.AddGeneratorFirst(g)
	return nil
}

// dropWeak gives up g's weak definition of n to another module's strong
// one, unless its stub was made already (linking has started). It
// reports whether it did.
func (g *lazyIRStubs) dropWeak(n string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.fns[n]; !ok {
		return false
	}
	delete(g.fns, n)
	delete(g.names, n)
	delete(g.weak, n)
	return true
}

// checkLazyDuplicates fails if the main dylib defines a function of one
// of the lazy IR modules gs other than by its stub (as defining the stubs
// of all its functions when it was added would have).
func (j *JIT) checkLazyDuplicates(gs []*lazyIRStubs) error {
	if len(gs) == 0 {
		return nil
	}
	for _, si := range j.Main.Symbols() {
		n := si.Name.String()
		for _, g := range gs {
			g.mu.Lock()
			// Still in fns: g made no stub, so the definition is another's.
			_, dup := g.fns[n]
			if dup && g.weak[n] {
				// (An object's copy of a linkonce_odr function wins.)
				delete(g.fns, n)
				dup = false
			}
			g.mu.Unlock()
			if dup {
				return fmt.Errorf("jit: %s: %w", g.lm.name, &orc.DuplicateDefinitionError{Symbol: si.Name, JITDylib: j.Main.Name(), ExistingSource: si.Source, NewSource: g.lm.name})
			}
		}
	}
	return nil
}

// TryToGenerate defines the stubs (and units) of the module's functions
// among set.
func (g *lazyIRStubs) TryToGenerate(ctx context.Context, _ orc.LookupKind, jd *orc.JITDylib, _ orc.JITDylibLookupFlags, set orc.SymbolLookupSet) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.defineLocked(ctx, jd, len(set), func(i int) orc.SymbolName { return set[i].Name })
}

// defineCallees defines, in the main dylib, the stubs (and units) of
// the module's functions that graph refers to and that have none yet, as
// one batch, before graph is linked: its link then finds them defined
// (Ready, in this process) instead of running a session lookup and this
// generator for each. Only functions that linked code refers to get a
// stub, as through the generator.
func (g *lazyIRStubs) defineCallees(ctx context.Context, graph *jitlink.LinkGraph) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.fns) == 0 {
		return nil
	}
	var names []orc.SymbolName
	for n := range graph.Externals {
		if _, ok := g.fns[n]; ok {
			names = append(names, g.lm.j.ES.Intern(n))
		}
	}
	if len(names) == 0 {
		return nil
	}
	return g.defineLocked(ctx, g.lm.j.Main, len(names), func(i int) orc.SymbolName { return names[i] })
}

// defineLocked defines the stubs (and units) of the module's functions
// among the n names name(i) in jd (the main dylib), with g.mu held.
func (g *lazyIRStubs) defineLocked(ctx context.Context, jd *orc.JITDylib, count int, name func(int) orc.SymbolName) error {
	lm := g.lm
	var aliases orc.SymbolAliasMap
	for i := 0; i < count; i++ {
		n := name(i)
		f := g.fns[n.String()]
		if f == nil {
			continue
		}
		lm.mu.Lock()
		if lm.claimed[f.Name] == nil {
			// (Claimed by speculation: its compile is the batch's.)
			lm.fns[n] = f
		}
		lm.mu.Unlock()
		u := lazy.WithDirectLink(lazy.CompileOnDemandGraph(lm.name+":"+f.Name, lm.j.Layer, g.impl, nil, orc.SymbolFlagsMap{n: orc.Exported | orc.Callable}, nil, lm.compileFn))
		if err := g.bodies.Define(u, nil); err != nil {
			return fmt.Errorf("jit: %s: %w", lm.name, err)
		}
		delete(g.fns, f.Name)
		if aliases == nil {
			aliases = orc.SymbolAliasMap{}
		}
		aliases[n] = orc.SymbolAliasMapEntry{Aliasee: n, Flags: orc.Exported | orc.Callable}
	}
	if aliases == nil {
		return nil
	}
	lz, err := lm.j.Lazy()
	if err != nil {
		return err
	}
	if err := lazy.DefineLazyReexports(ctx, jd, nil, lz.CallThrough, lz.Stubs, g.bodies, aliases); err != nil {
		return fmt.Errorf("jit: %s: %w", lm.name, err)
	}
	return nil
}

// lazyModule is an IR module being compiled partition by partition. Each
// function is moved into the module of the one partition that compiles
// it, so partitions compile concurrently without sharing IR that changes.
type lazyModule struct {
	j      *JIT
	name   string
	opt    int
	pm     *passes.Manager // opt's passes, made once (no statistics, no inliner: safe to share)
	bodies *ir.LazyBodies  // bodies not parsed yet
	// stubs: the generator of the module's stubs (one function per
	// partition, not publishing), or nil.
	stubs *lazyIRStubs
	// compileFn is compile as a value, made once (each method value
	// handed to a compile-on-demand unit was an allocation).
	compileFn lazy.GraphCompileFunc

	// spec: -speculate's speculator (nil without); specDylib holds its
	// batches' units.
	spec         *lazy.Speculator
	specDylib    *orc.JITDylib
	specCompiled atomic.Int64

	mu  sync.Mutex
	fns map[orc.SymbolName]*ir.Function // not compiled yet
	// claimed: the functions a speculative batch took (lm.fns holds
	// none of them), by name.
	claimed map[string]*irBatch
	seq     int
	done    atomic.Int64
	// arenas: the instruction arenas of the compiles not running now
	// (a compile parses its functions' bodies into one and drops them
	// once compiled, for the next compiles to reuse).
	arenas []*ir.InstrArena
	// ahead parses the bodies of compiled functions' callees before
	// their first call (one function per partition, no speculation),
	// or is nil.
	ahead *parseAhead
}

// takeArena returns an idle instruction arena, or a new one.
func (lm *lazyModule) takeArena() *ir.InstrArena {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	if n := len(lm.arenas); n > 0 {
		a := lm.arenas[n-1]
		lm.arenas = lm.arenas[:n-1]
		return a
	}
	return new(ir.InstrArena)
}

func (lm *lazyModule) putArena(a *ir.InstrArena) {
	lm.mu.Lock()
	lm.arenas = append(lm.arenas, a)
	lm.mu.Unlock()
}

// withCallees is the PartitionCallees policy: the requested functions and
// the functions they call directly that this unit still owns.
func (lm *lazyModule) withCallees(requested []orc.SymbolName, owned orc.SymbolFlagsMap) []orc.SymbolName {
	out := append([]orc.SymbolName(nil), requested...)
	seen := map[orc.SymbolName]bool{}
	for _, n := range requested {
		seen[n] = true
	}
	lm.mu.Lock()
	defer lm.mu.Unlock()
	es := lm.j.ES
	for _, n := range requested {
		f := lm.fns[n]
		if f == nil || lm.bodies.ParseBody(f) != nil {
			continue // (compile reports the error)
		}
		for callee := range f.DirectCallees() {
			cn := es.Intern(callee.Name)
			if _, mine := owned[cn]; mine && !seen[cn] {
				seen[cn] = true
				out = append(out, cn)
			}
		}
	}
	return out
}

// lazyGraphName names the graph of a module's seq-th lazy compile, whose
// first function is first: NAME#SEQ(@FIRST).o. It is made by
// concatenation (one allocation), not fmt.Sprintf, once per first call.
func lazyGraphName(name string, seq int, first string) string {
	return name + "#" + strconv.Itoa(seq) + "(@" + first + ").o"
}

// compile optimizes and compiles one partition to the link graph of its
// object (handed to the linker without writing ELF).
func (lm *lazyModule) compile(ctx context.Context, names []orc.SymbolName) (*jitlink.LinkGraph, error) {
	for {
		if len(names) == 1 && lm.spec != nil {
			if done, err := lm.compiledAhead(ctx, names[0]); done || err != nil {
				return nil, err
			}
		}
		lm.mu.Lock()
		if len(names) != 1 || lm.spec == nil || lm.claimed[names[0].String()] == nil {
			break
		}
		// A batch claimed it after compiledAhead looked: wait for that
		// batch instead (taking it here found it gone, and the first
		// call failed: "already compiled or is not defined").
		lm.mu.Unlock()
	}
	fs := make([]*ir.Function, 0, len(names))
	for _, n := range names {
		f := lm.fns[n]
		if f == nil {
			lm.mu.Unlock()
			return nil, fmt.Errorf("function @%s of %s was already compiled or is not defined there", n, lm.name)
		}
		delete(lm.fns, n)
		fs = append(fs, f)
	}
	lm.seq++
	objName := lazyGraphName(lm.name, lm.seq, fs[0].Name)
	lm.mu.Unlock()
	pm := ir.NewModule(lm.name)
	pm.Funcs = fs
	for _, f := range fs {
		f.Module = pm
	}
	opt := lm.pm
	if opt == nil {
		opt = passes.ForLevel(lm.opt)
	}
	arena := lm.takeArena()
	defer lm.putArena(arena)
	// The functions' IR is dropped once compiled (the graph holds bytes
	// only; nothing else compiles or reads these bodies), and the memory
	// of their instructions goes back to the arena.
	defer func() {
		for _, f := range fs {
			f.Blocks = nil
			f.ReleaseInstrs()
		}
	}()
	for _, f := range fs {
		if err := lm.bodies.ParseBodyInto(f, arena); err != nil {
			return nil, err
		}
		verified := false
		if pa := lm.ahead; pa != nil {
			var ahead bool
			if ahead, verified = pa.taken(f); !ahead {
				pa.calleesOf(f)
			}
		}
		if !verified {
			if err := ir.VerifyFunction(f); err != nil {
				return nil, fmt.Errorf("%s: %w", lm.name, err)
			}
		}
		if err := opt.RunFunction(f); err != nil {
			return nil, fmt.Errorf("%s: optimize: %w", lm.name, err)
		}
	}
	// OmitGlobals: globals live in the data object; internal functions
	// become hidden globals so other partitions reach them by name.
	res, err := lm.j.Target.Backend.Compile(ctx, pm, target.Options{OmitGlobals: true, SourceName: lm.name, GraphName: objName, NoObject: true})
	if err != nil {
		return nil, fmt.Errorf("%s: compile: %w", lm.name, err)
	}
	if lm.stubs != nil {
		if err := lm.stubs.defineCallees(ctx, res.Graph); err != nil {
			return nil, err
		}
		lm.speculateCallees(res.Graph)
	}
	lm.done.Add(int64(len(fs)))
	lm.j.lazyCompiled.Add(int64(len(fs)))
	return res.Graph, nil
}

// noteLazyIRExterns records the names m declares without defining them
// (functions and globals). A static linker selects archive members by
// every undefined reference of its inputs, called or not; a lazily
// compiled function's references are seen only when it is compiled, so
// an archive member it alone needs would be linked after main started and
// its constructors would never run. LinkAll therefore looks these names
// up in the archives before the program starts (pullArchiveMembers).
func (j *JIT) noteLazyIRExterns(m *ir.Module, pending *ir.LazyBodies) {
	var names []string
	for _, f := range m.Funcs {
		if f.IsDeclaration() && !pending.Pending(f) && f.Linkage != ir.ExternWeak && !strings.HasPrefix(f.Name, "llvm.") {
			names = append(names, f.Name)
		}
	}
	for _, g := range m.Globals {
		if g.Init == nil && g.Linkage != ir.ExternWeak {
			names = append(names, g.Name)
		}
	}
	j.mu.Lock()
	j.lazyExterns = append(j.lazyExterns, names...)
	j.mu.Unlock()
}

// pullArchiveMembers adds to set the names lazy IR modules declare that an
// archive defines (noteLazyIRExterns), weakly referenced: LinkAll's lookup
// then links those members with the eager inputs, as a static linker
// would, and their initializers run before main. j.mu is held.
func (j *JIT) pullArchiveMembers(set orc.SymbolLookupSet) (orc.SymbolLookupSet, error) {
	if len(j.lazyExterns) == 0 || len(j.archives) == 0 {
		return set, nil
	}
	seen := make(map[string]bool, len(j.lazyExterns))
	for _, n := range j.lazyExterns {
		if seen[n] {
			continue
		}
		seen[n] = true
		for _, a := range j.archives {
			ok, err := a.Defines(n)
			if err != nil {
				return nil, err
			}
			if ok {
				set = set.Add(j.ES.Intern(n), orc.WeaklyReferencedSymbol)
				break
			}
		}
	}
	j.lazyExterns = nil
	return set, nil
}
