package lazy

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc"
)

// ObjectAdder adds a relocatable object to a dylib (objlayer.Layer does).
type ObjectAdder interface {
	Add(jd *orc.JITDylib, rt *orc.ResourceTracker, name string, data []byte) (orc.SymbolName, error)
}

// CompileFunc compiles the given functions (a partition) to one
// relocatable object defining them, and names it for diagnostics.
type CompileFunc func(ctx context.Context, fns []orc.SymbolName) (name string, obj []byte, err error)

// PartitionFunc chooses what to compile when some functions of a unit are
// requested: it returns a set containing requested and drawn from owned.
// nil means exactly the requested functions.
type PartitionFunc func(requested []orc.SymbolName, owned orc.SymbolFlagsMap) []orc.SymbolName

// Whole is a PartitionFunc that compiles every function a unit owns
// whichever is requested: a speculative batch is compiled as one module
// by whoever starts it (the speculator, or a first call that got there
// first), never function by function.
func Whole(_ []orc.SymbolName, owned orc.SymbolFlagsMap) []orc.SymbolName {
	all := make([]orc.SymbolName, 0, len(owned))
	for n := range owned {
		all = append(all, n)
	}
	return all
}

// CompileOnDemand returns a unit owning the functions syms whose code is
// produced only when one of them is looked up (LLVM's CompileOnDemandLayer
// partitions, seed 003): it picks a partition with partition, hands what
// is left back to the session as a new unit, compiles the partition with
// compile, adds the object to impl through layer (under implRT when it is
// not nil, so that removing that tracker frees the code) and defines the
// functions at their addresses in impl. Define it in a dylib that lazy
// reexports (LazyReexports) point into, so that the first call triggers
// it; impl should link against the dylib holding the reexports, so that
// a partition reaches functions not compiled yet through their stubs.
func CompileOnDemand(name string, layer ObjectAdder, impl *orc.JITDylib, implRT *orc.ResourceTracker, syms orc.SymbolFlagsMap, partition PartitionFunc, compile CompileFunc) orc.MaterializationUnit {
	u := newCodUnit(name, impl, syms, partition)
	u.implRT, u.objs, u.compileObj = implRT, layer, compile
	return u
}

// GraphAdder adds an already built link graph to a dylib
// (objlayer.Layer.AddGraph does).
type GraphAdder interface {
	AddGraph(jd *orc.JITDylib, rt *orc.ResourceTracker, g *jitlink.LinkGraph) (orc.SymbolName, error)
}

// noInitAdder is a GraphAdder that can add a graph without an init
// symbol, for a caller that looks up the graph's own symbols
// (objlayer.Layer.AddGraphNoInit).
type noInitAdder interface {
	AddGraphNoInit(jd *orc.JITDylib, rt *orc.ResourceTracker, g *jitlink.LinkGraph) (orc.SymbolName, error)
}

// graphEmitter is a GraphAdder that can link a graph as the
// materialization of a responsibility itself (objlayer.Layer.EmitGraph).
type graphEmitter interface {
	EmitGraph(ctx context.Context, r *orc.MaterializationResponsibility, g *jitlink.LinkGraph, linkAs *orc.JITDylib) (bool, error)
}

// linkedEmitter is a graphEmitter that can tell a unit's linked hook the
// addresses before they are emitted (objlayer.Layer.EmitGraphLinked).
type linkedEmitter interface {
	EmitGraphLinked(ctx context.Context, r *orc.MaterializationResponsibility, g *jitlink.LinkGraph, linkAs *orc.JITDylib, linked func(ctx context.Context, syms orc.SymbolMap)) (bool, error)
}

// GraphCompileFunc compiles the given functions (a partition) straight
// to the link graph of an object defining them (named for diagnostics),
// without writing and re-reading the object. It may return a nil graph
// with no error when the functions are (being) defined in impl already
// (a speculative compile took them): the unit then only looks them up.
type GraphCompileFunc func(ctx context.Context, fns []orc.SymbolName) (*jitlink.LinkGraph, error)

// PartialError is what a GraphCompileFunc returns, beside the graph of
// the partition's other functions, when some functions of a partition of
// several failed to compile on their own (a speculative batch compiled
// apart after the batch failed): the unit fails only those, each with
// its own error, and links the rest. Without a graph it fails them all.
type PartialError struct {
	Failed map[orc.SymbolName]error
}

func (e *PartialError) Error() string {
	names := make([]orc.SymbolName, 0, len(e.Failed))
	for n := range e.Failed {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i].String() < names[j].String() })
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Failed[n].Error())
	}
	return b.String()
}

// CompileOnDemandGraph is CompileOnDemand for a compiler that hands its
// object to the linker as a graph (target.Options.GraphName): each
// partition's graph is added to impl through layer.
func CompileOnDemandGraph(name string, layer GraphAdder, impl *orc.JITDylib, implRT *orc.ResourceTracker, syms orc.SymbolFlagsMap, partition PartitionFunc, compile GraphCompileFunc) orc.MaterializationUnit {
	u := newCodUnit(name, impl, syms, partition)
	u.implRT, u.graphs, u.compileGraph = implRT, layer, compile
	return u
}

// WithLinked makes a unit made by CompileOnDemand or
// CompileOnDemandGraph tell linked the addresses of each partition's
// functions once they are linked and before they are Ready (a speculative
// compile points their stubs at them there, so that no first call finds a
// stub still leading to the JIT). It returns u.
func WithLinked(u orc.MaterializationUnit, linked func(ctx context.Context, syms orc.SymbolMap)) orc.MaterializationUnit {
	if c, ok := u.(*codUnit); ok {
		c.linked = linked
	}
	return u
}

// WithDirectLink makes a unit made by CompileOnDemandGraph of one function
// (a partition per function) link that function's graph as its own
// materialization when its layer can (objlayer.Layer.EmitGraph), instead
// of adding it to impl and looking it up there: one unit, one lookup and
// one set of notifications per first call instead of two. A unit of
// several functions (a speculative batch) does the same for each
// partition when the layer can also tell its linked hook (WithLinked)
// the addresses before they are emitted (objlayer.Layer.EmitGraphLinked);
// its functions a compile left out (a *PartialError) fail first, each
// with its own error. External
// references are resolved as in impl; the code's memory is then under
// the unit's own tracker, not implRT (a caller that removes one removes
// both, as gorc kaleido -lazy's redefinition does). It returns u.
func WithDirectLink(u orc.MaterializationUnit) orc.MaterializationUnit {
	if c, ok := u.(*codUnit); ok {
		c.direct = true
	}
	return u
}

func newCodUnit(name string, impl *orc.JITDylib, syms orc.SymbolFlagsMap, partition PartitionFunc) *codUnit {
	c := make(orc.SymbolFlagsMap, len(syms))
	for n, f := range syms {
		c[n] = f
	}
	return &codUnit{name: name, impl: impl, syms: c, partition: partition}
}

// codUnit is CompileOnDemand's unit (objs and compileObj set) or
// CompileOnDemandGraph's (graphs and compileGraph set). The layer and
// compile function are fields, not a closure over them: a lazy session
// makes a unit per function a compiled function calls, and each closure
// and method value was an allocation.
type codUnit struct {
	name      string
	impl      *orc.JITDylib
	implRT    *orc.ResourceTracker
	syms      orc.SymbolFlagsMap
	partition PartitionFunc

	// linked, if set, is told the addresses of the partition's functions
	// once linked, before they are Ready (WithLinked).
	linked func(ctx context.Context, syms orc.SymbolMap)
	// direct: a one-function partition's graph is linked as the unit's
	// own materialization when the layer can (WithDirectLink).
	direct bool

	objs         ObjectAdder
	compileObj   CompileFunc
	graphs       GraphAdder
	compileGraph GraphCompileFunc
}

// build compiles a partition and adds its object to impl. A graph is
// added without an init symbol when the layer can (noInitAdder): the
// unit looks up the partition's functions, so the object needs none to
// be materialized.
func (u *codUnit) build(ctx context.Context, part []orc.SymbolName) error {
	if u.compileGraph != nil {
		g, err := u.compileGraph(ctx, part)
		var pe *PartialError
		if g == nil || (err != nil && !errors.As(err, &pe)) {
			// (nil: the partition's functions were added to impl by
			// other means, a speculative compile.)
			return err
		}
		if aerr := u.addGraph(g); aerr != nil {
			return aerr
		}
		return err // nil, or the *PartialError of the functions left out
	}
	name, obj, err := u.compileObj(ctx, part)
	if err != nil {
		return err
	}
	_, err = u.objs.Add(u.impl, u.implRT, name, obj)
	return err
}

// addGraph adds a partition's graph to impl.
func (u *codUnit) addGraph(g *jitlink.LinkGraph) error {
	if l, ok := u.graphs.(noInitAdder); ok {
		_, err := l.AddGraphNoInit(u.impl, u.implRT, g)
		return err
	}
	_, err := u.graphs.AddGraph(u.impl, u.implRT, g)
	return err
}

// linkDirect compiles the one function part and links its graph as r's
// materialization (WithDirectLink). done is false when the graph was
// added to impl instead (or, nil, by other means), to be looked up there.
func (u *codUnit) linkDirect(ctx context.Context, r *orc.MaterializationResponsibility, part []orc.SymbolName, em graphEmitter) (done bool, err error) {
	g, err := u.compileGraph(ctx, part)
	if err != nil || g == nil {
		return false, err
	}
	if ok, err := em.EmitGraph(ctx, r, g, u.impl); ok {
		return true, err
	}
	return false, u.addGraph(g)
}

// linkBatchDirect compiles partition part (of several functions) and
// links its graph as r's materialization (WithDirectLink), telling
// u.linked, if set, the addresses before they are emitted: one unit,
// one lookup and one set of notifications per batch, not two. Functions
// the compile left out (a *PartialError) are failed each with its own
// error first. done is false when the graph was added to impl instead
// (or, nil, by other means), to be looked up there: rest is then the
// partition left to look up (nil: nothing, r has failed or is done).
func (u *codUnit) linkBatchDirect(ctx context.Context, r *orc.MaterializationResponsibility, part []orc.SymbolName, em linkedEmitter) (done bool, rest []orc.SymbolName, err error) {
	g, err := u.compileGraph(ctx, part)
	var pe *PartialError
	if err != nil && !errors.As(err, &pe) {
		return false, part, err
	}
	if pe != nil {
		if part = failApart(r, part, pe); part == nil {
			return false, nil, nil
		}
	}
	if g == nil {
		// (Added to impl by other means, to be looked up there.)
		return false, part, nil
	}
	if ok, err := em.EmitGraphLinked(ctx, r, g, u.impl, u.linked); ok {
		return true, nil, err
	}
	return false, part, u.addGraph(g)
}

func (u *codUnit) Name() string                { return u.name }
func (u *codUnit) Symbols() orc.SymbolFlagsMap { return u.syms }
func (u *codUnit) InitSymbol() orc.SymbolName  { return orc.SymbolName{} }
func (u *codUnit) Discard(_ *orc.JITDylib, n orc.SymbolName) {
	delete(u.syms, n)
}

func (u *codUnit) Materialize(ctx context.Context, r *orc.MaterializationResponsibility) {
	var part []orc.SymbolName
	var owned orc.SymbolFlagsMap
	var oneFlags orc.JITSymbolFlags
	if n, f, ok := r.SingleSymbol(); ok {
		// One function (a partition per function): it is the partition,
		// and nothing is handed back (no copy of the owned map).
		part, oneFlags = []orc.SymbolName{n}, f
	} else {
		owned = r.Symbols()
		if part = u.choose(r, owned); part == nil {
			return
		}
	}
	flagsOf := func(n orc.SymbolName) orc.JITSymbolFlags {
		if owned == nil {
			return oneFlags
		}
		return owned[n]
	}
	fail := func(err error) {
		r.FailMaterialization(fmt.Errorf("lazy compile of %s: %w", describeSyms(part), err))
	}
	if em, ok := u.graphs.(graphEmitter); ok && u.direct && owned == nil && u.compileGraph != nil && u.linked == nil {
		done, err := u.linkDirect(ctx, r, part, em)
		if err != nil {
			fail(err)
			return
		}
		if done {
			return
		}
	} else if em, ok := u.graphs.(linkedEmitter); ok && u.direct && owned != nil && u.compileGraph != nil {
		// A batch (a speculative one): its graph is linked as r's own
		// materialization too, the linked hook told the addresses
		// before they are emitted.
		done, rest, err := u.linkBatchDirect(ctx, r, part, em)
		if err != nil {
			fail(err)
			return
		}
		if done {
			return
		}
		if part = rest; part == nil {
			return
		}
	} else if err := u.build(ctx, part); err != nil {
		var pe *PartialError
		if !errors.As(err, &pe) {
			fail(err)
			return
		}
		if part = failApart(r, part, pe); part == nil {
			return
		}
	}
	es := r.GetExecutionSession()
	m, err := es.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, u.impl), orc.NewSymbolLookupSet(part...), orc.SymbolStateReady)
	if err != nil {
		fail(err)
		return
	}
	defs := make(orc.SymbolMap, len(part))
	for _, n := range part {
		d := m[n]
		d.Flags = flagsOf(n)
		defs[n] = d
	}
	if u.linked != nil {
		u.linked(ctx, defs)
	}
	if err := r.NotifyResolved(defs); err != nil {
		fail(err)
		return
	}
	if err := r.NotifyEmitted([]orc.SymbolDependenceGroup{{Symbols: part, Dependencies: map[*orc.JITDylib][]orc.SymbolName{u.impl: part}}}); err != nil {
		fail(err)
	}
}

// failApart fails the functions of part that pe names, each with its
// own error (r.Delegate gives each its own responsibility), so that only
// their callers see an error, and returns the others. It returns nil if
// nothing is left or delegating failed (r has then failed).
func failApart(r *orc.MaterializationResponsibility, part []orc.SymbolName, pe *PartialError) []orc.SymbolName {
	keep := make([]orc.SymbolName, 0, len(part))
	for _, n := range part {
		ferr, bad := pe.Failed[n]
		if !bad {
			keep = append(keep, n)
			continue
		}
		fr, err := r.Delegate(n)
		if err != nil {
			r.FailMaterialization(fmt.Errorf("lazy compile of %s: %w", describeSyms(part), err))
			return nil
		}
		fr.FailMaterialization(fmt.Errorf("lazy compile of %s: %w", n, ferr))
	}
	if len(keep) == 0 {
		r.FailMaterialization(pe) // (owns nothing now: only forgotten)
		return nil
	}
	return keep
}

// CompileApart is the fallback of a batch of functions (a speculative
// batch) whose compile as one module failed: each function is compiled
// on its own, only to see whether it compiles (the graph is dropped),
// and those that do are compiled again together. It returns their graph
// and, if some failed, a *PartialError naming those, each with its own
// error (with no graph when none compiled), for a GraphCompileFunc to
// return: the unit then fails only those. compile compiles the members
// of the batch at the given indexes (of names) as one module. If the
// functions compile apart but not together, or ctx ends, it returns
// compile's error (the batch fails as a whole, as before).
func CompileApart(ctx context.Context, names []orc.SymbolName, compile func(ctx context.Context, members []int) (*jitlink.LinkGraph, error)) (*jitlink.LinkGraph, error) {
	var failed map[orc.SymbolName]error
	ok := make([]int, 0, len(names))
	for i, n := range names {
		if _, err := compile(ctx, []int{i}); err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			if failed == nil {
				failed = map[orc.SymbolName]error{}
			}
			failed[n] = err
			continue
		}
		ok = append(ok, i)
	}
	if len(ok) == 0 {
		return nil, &PartialError{Failed: failed}
	}
	g, err := compile(ctx, ok)
	if err != nil {
		return nil, err
	}
	if len(failed) > 0 {
		return g, &PartialError{Failed: failed}
	}
	return g, nil
}

// choose picks the partition to compile among owned (the requested
// functions and what the partition function adds), sorted by name, and
// hands the rest back to the session as a new unit. It returns nil if
// that failed (r has then failed).
func (u *codUnit) choose(r *orc.MaterializationResponsibility, owned orc.SymbolFlagsMap) []orc.SymbolName {
	requested := r.RequestedSymbols()
	part := requested
	if u.partition != nil {
		part = u.partition(requested, owned)
	}
	if len(part) == 0 {
		part = requested
	}
	in := make(map[orc.SymbolName]bool, len(part))
	for _, n := range part {
		if _, ok := owned[n]; ok {
			in[n] = true
		}
	}
	for _, n := range requested {
		in[n] = true
	}
	part = make([]orc.SymbolName, 0, len(in))
	for n := range in {
		part = append(part, n)
	}
	sort.Slice(part, func(i, j int) bool { return part[i].String() < part[j].String() })
	if len(part) < len(owned) {
		rest := make(orc.SymbolFlagsMap, len(owned)-len(part))
		for n, f := range owned {
			if !in[n] {
				rest[n] = f
			}
		}
		nu := *u
		nu.syms = rest
		if err := r.Replace(&nu); err != nil {
			r.FailMaterialization(err)
			return nil
		}
	}
	return part
}

// describeSyms names up to three symbols for messages.
func describeSyms(names []orc.SymbolName) string {
	s := make([]string, 0, 4)
	for i, n := range names {
		if i == 3 {
			s = append(s, fmt.Sprintf("and %d more", len(names)-3))
			break
		}
		s = append(s, n.String())
	}
	return strings.Join(s, ", ")
}
