package orc

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// A MaterializationUnit lazily provides a set of symbol definitions. It is
// added to a JITDylib with Define and materialized (once) when a lookup
// first needs one of its symbols.
type MaterializationUnit interface {
	// Name names the unit in errors and dumps (e.g. an object file name).
	Name() string
	// Symbols returns the symbols the unit defines and their flags. It
	// is read once, by Define.
	Symbols() SymbolFlagsMap
	// InitSymbol returns the unit's initializer symbol (a member of
	// Symbols, usually MaterializationSideEffectsOnly), or the zero name.
	InitSymbol() SymbolName
	// Materialize produces the definitions. It must eventually call
	// r.NotifyResolved and r.NotifyEmitted, or r.FailMaterialization,
	// possibly from another goroutine after returning. ctx is cancelled
	// when the session ends.
	Materialize(ctx context.Context, r *MaterializationResponsibility)
	// Discard tells the unit that its definition of name was overridden
	// by a strong definition (or dropped in favour of an existing one)
	// and will never be requested.
	Discard(jd *JITDylib, name SymbolName)
}

// SimpleMaterializationUnit is a MaterializationUnit built from functions,
// convenient for tests and small layers.
type SimpleMaterializationUnit struct {
	UnitName        string
	Syms            SymbolFlagsMap
	Init            SymbolName
	MaterializeFunc func(ctx context.Context, r *MaterializationResponsibility)
	DiscardFunc     func(jd *JITDylib, name SymbolName)
}

// Name returns u.UnitName.
func (u *SimpleMaterializationUnit) Name() string { return u.UnitName }

// Symbols returns u.Syms.
func (u *SimpleMaterializationUnit) Symbols() SymbolFlagsMap { return u.Syms }

// InitSymbol returns u.Init.
func (u *SimpleMaterializationUnit) InitSymbol() SymbolName { return u.Init }

// Materialize calls u.MaterializeFunc, or fails if it is nil.
func (u *SimpleMaterializationUnit) Materialize(ctx context.Context, r *MaterializationResponsibility) {
	if u.MaterializeFunc == nil {
		r.FailMaterialization(fmt.Errorf("unit %q has no materializer", u.UnitName))
		return
	}
	u.MaterializeFunc(ctx, r)
}

// Discard calls u.DiscardFunc if set.
func (u *SimpleMaterializationUnit) Discard(jd *JITDylib, name SymbolName) {
	if u.DiscardFunc != nil {
		u.DiscardFunc(jd, name)
	}
}

// absoluteSymbolsUnit defines symbols at fixed addresses.
type absoluteSymbolsUnit struct {
	syms SymbolMap
}

// AbsoluteSymbols returns a unit defining syms at their given addresses
// with their given flags (process symbols, constants).
func AbsoluteSymbols(syms SymbolMap) MaterializationUnit {
	c := make(SymbolMap, len(syms))
	for n, d := range syms {
		c[n] = d
	}
	return &absoluteSymbolsUnit{syms: c}
}

func (u *absoluteSymbolsUnit) materializesInline() {}

func (u *absoluteSymbolsUnit) Name() string {
	names := make([]SymbolName, 0, len(u.syms))
	for n := range u.syms {
		names = append(names, n)
	}
	s := sortedNames(names)
	if len(s) > 3 {
		s = append(s[:3], "...")
	}
	return "absolute symbols {" + strings.Join(s, ", ") + "}"
}

func (u *absoluteSymbolsUnit) Symbols() SymbolFlagsMap {
	m := make(SymbolFlagsMap, len(u.syms))
	for n, d := range u.syms {
		m[n] = d.Flags
	}
	return m
}

func (u *absoluteSymbolsUnit) InitSymbol() SymbolName { return SymbolName{} }

func (u *absoluteSymbolsUnit) Materialize(_ context.Context, r *MaterializationResponsibility) {
	owned := r.Symbols()
	res := make(SymbolMap, len(owned))
	for n := range owned {
		res[n] = u.syms[n]
	}
	if err := r.NotifyResolved(res); err != nil {
		r.FailMaterialization(err)
		return
	}
	if err := r.NotifyEmitted(nil); err != nil {
		r.FailMaterialization(err)
	}
}

// Discard does nothing: the responsibility only ever owns live symbols.
func (u *absoluteSymbolsUnit) Discard(*JITDylib, SymbolName) {}

// SymbolAliasMapEntry is the target of an alias and the alias's flags.
type SymbolAliasMapEntry struct {
	Aliasee SymbolName
	Flags   JITSymbolFlags
}

// SymbolAliasMap maps alias names to their targets.
type SymbolAliasMap map[SymbolName]SymbolAliasMapEntry

// reexportsUnit defines aliases of symbols in a source dylib (or, when
// source is nil, in the dylib the unit is defined in).
type reexportsUnit struct {
	source      *JITDylib
	sourceFlags JITDylibLookupFlags
	aliases     SymbolAliasMap
}

// ReExports returns a unit defining each alias as the address of its
// aliasee, looked up in source with sourceFlags. The aliases become Ready
// when their aliasees do. Only the aliases some lookup asks for are looked
// up; the rest stay lazy.
func ReExports(source *JITDylib, aliases SymbolAliasMap, sourceFlags JITDylibLookupFlags) MaterializationUnit {
	c := make(SymbolAliasMap, len(aliases))
	for n, a := range aliases {
		c[n] = a
	}
	return &reexportsUnit{source: source, sourceFlags: sourceFlags, aliases: c}
}

// SymbolAliases returns a unit defining aliases of symbols in the dylib it
// is defined in (all symbols visible).
func SymbolAliases(aliases SymbolAliasMap) MaterializationUnit {
	return ReExports(nil, aliases, MatchAllSymbols)
}

func (u *reexportsUnit) materializesInline() {}

func (u *reexportsUnit) Name() string {
	src := "<this dylib>"
	if u.source != nil {
		src = u.source.name
	}
	names := make([]SymbolName, 0, len(u.aliases))
	for n := range u.aliases {
		names = append(names, n)
	}
	s := sortedNames(names)
	if len(s) > 3 {
		s = append(s[:3], "...")
	}
	return "reexports from " + src + " {" + strings.Join(s, ", ") + "}"
}

func (u *reexportsUnit) Symbols() SymbolFlagsMap {
	m := make(SymbolFlagsMap, len(u.aliases))
	for n, a := range u.aliases {
		m[n] = a.Flags
	}
	return m
}

func (u *reexportsUnit) InitSymbol() SymbolName { return SymbolName{} }

// Discard does nothing: the responsibility only ever owns live aliases.
func (u *reexportsUnit) Discard(*JITDylib, SymbolName) {}

func (u *reexportsUnit) Materialize(ctx context.Context, r *MaterializationResponsibility) {
	tgt := r.GetTargetJITDylib()
	src := u.source
	if src == nil {
		src = tgt
	}
	owned := r.Symbols()
	// Keep only the requested aliases; give the rest back, lazily.
	requested := r.RequestedSymbols()
	if len(requested) > 0 && len(requested) < len(owned) {
		want := make(map[SymbolName]bool, len(requested))
		for _, n := range requested {
			want[n] = true
		}
		rest := make(SymbolAliasMap)
		for n := range owned {
			if !want[n] {
				rest[n] = u.aliases[n]
				delete(owned, n)
			}
		}
		if err := r.Replace(&reexportsUnit{source: u.source, sourceFlags: u.sourceFlags, aliases: rest}); err != nil {
			r.FailMaterialization(err)
			return
		}
	}
	if src == tgt {
		// Aliases of aliases defined by this unit: if every alias points
		// into the unit there is a cycle; otherwise materialize those
		// separately, after the ones they point to.
		inner := make(SymbolAliasMap)
		for n := range owned {
			if a := u.aliases[n]; a.Aliasee == n {
				r.FailMaterialization(fmt.Errorf("alias %q refers to itself", n))
				return
			} else if _, self := owned[a.Aliasee]; self {
				inner[n] = a
			}
		}
		if len(inner) == len(owned) {
			names := make([]SymbolName, 0, len(inner))
			for n := range inner {
				names = append(names, n)
			}
			r.FailMaterialization(fmt.Errorf("alias cycle among [%s]", strings.Join(sortedNames(names), ", ")))
			return
		}
		if len(inner) > 0 {
			if err := r.Replace(&reexportsUnit{source: u.source, sourceFlags: u.sourceFlags, aliases: inner}); err != nil {
				r.FailMaterialization(err)
				return
			}
			for n := range inner {
				delete(owned, n)
			}
		}
	}
	var set SymbolLookupSet
	seen := make(map[SymbolName]bool)
	for n := range owned {
		a := u.aliases[n]
		if !seen[a.Aliasee] {
			seen[a.Aliasee] = true
			set = append(set, SymbolLookupEntry{Name: a.Aliasee, Flags: RequiredSymbol})
		}
	}
	sort.Slice(set, func(i, j int) bool { return set[i].Name.String() < set[j].Name.String() })
	if err := r.noteAliasWait(src, u.sourceFlags, set.Names()); err != nil {
		r.FailMaterialization(err)
		return
	}
	order := JITDylibSearchOrder{{JD: src, Flags: u.sourceFlags}}
	r.es.LookupAsync(ctx, LookupKindStatic, order, set, SymbolStateResolved, func(m SymbolMap, err error) {
		if err != nil {
			r.FailMaterialization(fmt.Errorf("resolving aliasees in %q: %w", src.name, err))
			return
		}
		res := make(SymbolMap, len(owned))
		groups := make([]SymbolDependenceGroup, 0, len(owned))
		for n, f := range owned {
			a := u.aliases[n]
			res[n] = ExecutorSymbolDef{Addr: m[a.Aliasee].Addr, Flags: f}
			groups = append(groups, SymbolDependenceGroup{
				Symbols:      []SymbolName{n},
				Dependencies: map[*JITDylib][]SymbolName{src: {a.Aliasee}},
			})
		}
		if err := r.NotifyResolved(res); err != nil {
			r.FailMaterialization(err)
			return
		}
		if err := r.NotifyEmitted(groups); err != nil {
			r.FailMaterialization(err)
		}
	}, nil)
}
