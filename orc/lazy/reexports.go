package lazy

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// LazyReexports returns a unit that defines each alias at an indirect
// stub (made by stubs, named by the alias) whose pointer first leads to a
// call-through trampoline: the alias is Ready at once, and its aliasee is
// looked up in source (all symbols visible) on the first call, which
// materializes it; the stub is then repointed to it, so later calls cost
// one indirect jump. This is seed 001's lazyReexports.
//
// All aliases of the unit get their stubs together when any of them is
// first looked up (stubs and trampolines are small, and one allocation is
// cheaper than one per lookup).
func LazyReexports(ctm *CallThroughManager, stubs *StubsManager, source *orc.JITDylib, aliases orc.SymbolAliasMap) orc.MaterializationUnit {
	c := make(orc.SymbolAliasMap, len(aliases))
	for n, a := range aliases {
		c[n] = a
	}
	u := &lazyReexportsUnit{ctm: ctm, stubs: stubs, source: source, aliases: c}
	u.name = u.describe()
	return u
}

type lazyReexportsUnit struct {
	ctm     *CallThroughManager
	stubs   *StubsManager
	source  *orc.JITDylib
	aliases orc.SymbolAliasMap
	name    string // computed once: the session asks for it on every Define
}

// Name names the unit by the aliases it was made with.
func (u *lazyReexportsUnit) Name() string { return u.name }

func (u *lazyReexportsUnit) describe() string {
	names := make([]string, 0, len(u.aliases))
	for n := range u.aliases {
		names = append(names, n.String())
	}
	if len(names) > 3 {
		// The three smallest, without sorting them all.
		slices.Sort(names[:3])
		for _, n := range names[3:] {
			if n < names[2] {
				names[2] = n
				slices.Sort(names[:3])
			}
		}
		names = append(names[:3], "...")
	} else {
		sort.Strings(names)
	}
	return "lazy reexports from " + u.source.Name() + " {" + strings.Join(names, ", ") + "}"
}

func (u *lazyReexportsUnit) Symbols() orc.SymbolFlagsMap {
	m := make(orc.SymbolFlagsMap, len(u.aliases))
	for n, a := range u.aliases {
		m[n] = a.Flags
	}
	return m
}

func (u *lazyReexportsUnit) InitSymbol() orc.SymbolName { return orc.SymbolName{} }

// Discard forgets an alias overridden before it was materialized.
func (u *lazyReexportsUnit) Discard(_ *orc.JITDylib, name orc.SymbolName) { delete(u.aliases, name) }

func (u *lazyReexportsUnit) Materialize(ctx context.Context, r *orc.MaterializationResponsibility) {
	owned := r.Symbols()
	defs, err := makeReexportStubs(ctx, u.ctm, u.stubs, u.source, u.aliases, owned)
	if err != nil {
		r.FailMaterialization(fmt.Errorf("%s: %w", u.Name(), err))
		return
	}
	if err := r.NotifyResolved(defs); err != nil {
		r.FailMaterialization(err)
		return
	}
	// A stub depends on nothing: its body is only needed when called.
	if err := r.NotifyEmitted(nil); err != nil {
		r.FailMaterialization(err)
	}
}

// makeReexportStubs makes the call-through trampoline and the stub of
// each alias in owned (with its flags there), in one batch, and returns
// the aliases' definitions at their stubs.
func makeReexportStubs(ctx context.Context, ctm *CallThroughManager, sm *StubsManager, source *orc.JITDylib, aliases orc.SymbolAliasMap, owned orc.SymbolFlagsMap) (orc.SymbolMap, error) {
	return makeStubsOf(ctx, ctm, sm, source, aliases, sortedNames(owned), func(n orc.SymbolName) orc.JITSymbolFlags { return owned[n] })
}

// sortedNames returns the names of m, sorted.
func sortedNames[V any](m map[orc.SymbolName]V) []orc.SymbolName {
	names := make([]orc.SymbolName, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	if len(names) > 1 {
		slices.SortFunc(names, func(a, b orc.SymbolName) int { return strings.Compare(a.String(), b.String()) })
	}
	return names
}

// makeStubsOf is makeReexportStubs of the aliases names (sorted), with
// the flags flagsOf gives.
func makeStubsOf(ctx context.Context, ctm *CallThroughManager, sm *StubsManager, source *orc.JITDylib, aliases orc.SymbolAliasMap, names []orc.SymbolName, flagsOf func(orc.SymbolName) orc.JITSymbolFlags) (orc.SymbolMap, error) {
	reqs := make([]CallThrough, len(names))
	stubNames := make([]string, len(names))
	for i, n := range names {
		stubName := n.String()
		stubNames[i] = stubName
		gen := sm.generation(stubName)
		reqs[i] = CallThrough{JD: source, Name: aliases[n].Aliasee, What: stubName, Notify: func(ctx context.Context, body shared.ExecutorAddr) error {
			return sm.updateIfCurrent(ctx, stubName, gen, body)
		}}
	}
	tramps, err := ctm.GetCallThroughTrampolines(ctx, reqs)
	if err != nil {
		return nil, err
	}
	stubs, err := sm.createStubs(ctx, stubNames, tramps)
	if err != nil {
		return nil, err
	}
	defs := make(orc.SymbolMap, len(names))
	for i, n := range names {
		defs[n] = orc.ExecutorSymbolDef{Addr: stubs[i].Addr, Flags: flagsOf(n)}
	}
	return defs, nil
}

// DefineLazyReexports defines aliases in jd (under rt; nil: the default
// tracker) as LazyReexports does, for a caller that defines them because
// they are being looked up (a definition generator). When the stubs
// manager takes its stubs from a pool (PoolStubs: in this process, where
// a stub costs a few stores), the trampolines and stubs are made now, as
// one batch, and the aliases are defined Ready at their stubs
// (JITDylib.DefineReady): no unit, no materialization, no query. Otherwise
// (each group of stubs is a link, remotely round trips) it defines the
// LazyReexports unit, which makes them when first looked up.
//
// Made now, a stub whose definition then fails (another definition of the
// name won a race into jd) stays allocated, unused, until the manager is
// closed, as a pooled stub lost to CreateStubs' own race does.
func DefineLazyReexports(ctx context.Context, jd *orc.JITDylib, rt *orc.ResourceTracker, ctm *CallThroughManager, stubs *StubsManager, source *orc.JITDylib, aliases orc.SymbolAliasMap) error {
	if len(aliases) == 0 {
		return nil
	}
	if !stubs.pooled() {
		return jd.Define(LazyReexports(ctm, stubs, source, aliases), rt)
	}
	// (The aliases' own names and flags: no map of them to be owned, as a
	// unit's responsibility would give.)
	defs, err := makeStubsOf(ctx, ctm, stubs, source, aliases, sortedNames(aliases), func(n orc.SymbolName) orc.JITSymbolFlags { return aliases[n].Flags })
	if err != nil {
		return fmt.Errorf("lazy reexports from %s: %w", source.Name(), err)
	}
	return jd.DefineReady(defs, rt, "lazy reexports from "+source.Name())
}
