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
	names := make([]orc.SymbolName, 0, len(owned))
	for n := range owned {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b orc.SymbolName) int { return strings.Compare(a.String(), b.String()) })
	reqs := make([]CallThrough, len(names))
	for i, n := range names {
		stubName := n.String()
		gen := u.stubs.generation(stubName)
		reqs[i] = CallThrough{JD: u.source, Name: u.aliases[n].Aliasee, What: stubName, Notify: func(ctx context.Context, body shared.ExecutorAddr) error {
			return u.stubs.updateIfCurrent(ctx, stubName, gen, body)
		}}
	}
	tramps, err := u.ctm.GetCallThroughTrampolines(ctx, reqs)
	if err != nil {
		r.FailMaterialization(fmt.Errorf("%s: %w", u.Name(), err))
		return
	}
	inits := make(map[string]shared.ExecutorAddr, len(names))
	for i, n := range names {
		inits[n.String()] = tramps[i]
	}
	stubs, err := u.stubs.CreateStubs(ctx, inits)
	if err != nil {
		r.FailMaterialization(fmt.Errorf("%s: %w", u.Name(), err))
		return
	}
	defs := make(orc.SymbolMap, len(names))
	for _, n := range names {
		defs[n] = orc.ExecutorSymbolDef{Addr: stubs[n.String()].Addr, Flags: owned[n]}
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
