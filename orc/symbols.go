package orc

import (
	"sort"
	"strings"
	"sync"

	"github.com/gorc-jit/gorc/shared"
)

// poolEntry is the single copy of an interned string.
type poolEntry struct {
	s string
}

// SymbolName is an interned symbol name. Two SymbolNames from the same
// SymbolStringPool are equal (==) exactly when their strings are equal, so
// comparing and hashing them costs a pointer. The zero SymbolName is "no
// name". Names from different pools never compare equal.
type SymbolName struct {
	e *poolEntry
}

// String returns the name's text.
func (n SymbolName) String() string {
	if n.e == nil {
		return ""
	}
	return n.e.s
}

// IsZero reports whether n is the zero SymbolName.
func (n SymbolName) IsZero() bool { return n.e == nil }

// SymbolStringPool interns symbol names. It is safe for concurrent use.
// Interned names live as long as the pool.
type SymbolStringPool struct {
	mu sync.RWMutex
	m  map[string]*poolEntry
}

// NewSymbolStringPool returns an empty pool.
func NewSymbolStringPool() *SymbolStringPool {
	return &SymbolStringPool{m: make(map[string]*poolEntry)}
}

// Intern returns the SymbolName for s, creating it if needed.
func (p *SymbolStringPool) Intern(s string) SymbolName {
	p.mu.RLock()
	e := p.m[s]
	p.mu.RUnlock()
	if e != nil {
		return SymbolName{e}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e = p.m[s]; e == nil {
		e = &poolEntry{s: strings.Clone(s)}
		p.m[e.s] = e
	}
	return SymbolName{e}
}

// InternAll interns every name of names into out (len(out) ==
// len(names)), under one lock: the names not yet in the pool are copied
// into one string and their entries made in one slice, two allocations in
// all instead of two a name (a unit of a large archive wave declares
// about 1,300 names at once). The pool keeps that string and slice as
// long as it keeps any of their names, as it keeps every name it holds.
func (p *SymbolStringPool) InternAll(names []string, out []SymbolName) {
	if len(out) != len(names) {
		panic("orc: InternAll: out and names differ in length")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	size, fresh := 0, 0
	for i, s := range names {
		if e := p.m[s]; e != nil {
			out[i] = SymbolName{e}
			continue
		}
		size += len(s)
		fresh++
	}
	if fresh == 0 {
		return
	}
	if fresh > bulkSymbols && fresh > len(p.m) {
		// A batch larger than the pool: the table is made for both
		// at once (copying the few names there costs less than
		// growing step by step while thousands go in).
		m := make(map[string]*poolEntry, len(p.m)+fresh)
		for k, v := range p.m {
			m[k] = v
		}
		p.m = m
	}
	var b strings.Builder
	b.Grow(size)
	for i, s := range names {
		if out[i].e == nil {
			b.WriteString(s)
		}
	}
	text := b.String()
	entries := make([]poolEntry, 0, fresh)
	off := 0
	for i, s := range names {
		if out[i].e != nil {
			continue
		}
		if e := p.m[s]; e != nil {
			// A name twice in names: the first made it.
			out[i] = SymbolName{e}
			off += len(s)
			continue
		}
		entries = append(entries, poolEntry{s: text[off : off+len(s)]})
		off += len(s)
		e := &entries[len(entries)-1]
		p.m[e.s] = e
		out[i] = SymbolName{e}
	}
}

// Reserve makes room for n more names, so that interning a known number
// of names does not grow the table step by step.
func (p *SymbolStringPool) Reserve(n int) {
	if n <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m := make(map[string]*poolEntry, len(p.m)+n)
	for k, v := range p.m {
		m[k] = v
	}
	p.m = m
}

// Len returns the number of interned names.
func (p *SymbolStringPool) Len() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.m)
}

// JITSymbolFlags describe a symbol definition.
type JITSymbolFlags uint8

const (
	// Exported symbols are visible to lookups that match exported
	// symbols only (other dylibs linking against this one).
	Exported JITSymbolFlags = 1 << iota
	// Callable symbols are functions.
	Callable
	// Weak definitions may be overridden by a strong definition.
	Weak
	// Common definitions behave like weak ones (the first definition
	// wins; gorc does not compare sizes).
	Common
	// MaterializationSideEffectsOnly symbols have no address: they exist
	// so that a lookup can trigger a unit's side effects (initializers).
	MaterializationSideEffectsOnly
)

// IsWeak reports whether f has the Weak flag.
func (f JITSymbolFlags) IsWeak() bool { return f&Weak != 0 }

// IsCommon reports whether f has the Common flag.
func (f JITSymbolFlags) IsCommon() bool { return f&Common != 0 }

// IsStrong reports whether f is neither weak nor common.
func (f JITSymbolFlags) IsStrong() bool { return f&(Weak|Common) == 0 }

// IsExported reports whether f has the Exported flag.
func (f JITSymbolFlags) IsExported() bool { return f&Exported != 0 }

// IsCallable reports whether f has the Callable flag.
func (f JITSymbolFlags) IsCallable() bool { return f&Callable != 0 }

// HasSideEffectsOnly reports whether f has MaterializationSideEffectsOnly.
func (f JITSymbolFlags) HasSideEffectsOnly() bool { return f&MaterializationSideEffectsOnly != 0 }

var flagNames = []string{"exported", "callable", "weak", "common", "side-effects-only"}

// String formats f as names joined by '|', or "none".
func (f JITSymbolFlags) String() string {
	if f == 0 {
		return "none"
	}
	var parts []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if rest := f &^ (1<<len(flagNames) - 1); rest != 0 {
		parts = append(parts, "unknown")
	}
	return strings.Join(parts, "|")
}

// ExecutorSymbolDef is a symbol's address in the executor and its flags.
type ExecutorSymbolDef struct {
	Addr  shared.ExecutorAddr
	Flags JITSymbolFlags
}

// SymbolMap maps names to definitions: the result of a lookup.
type SymbolMap map[SymbolName]ExecutorSymbolDef

// SymbolFlagsMap maps names to flags: the interface of a unit.
type SymbolFlagsMap map[SymbolName]JITSymbolFlags

// SymbolState is the materialization state of a symbol.
type SymbolState uint8

const (
	// SymbolStateNeverSearched: defined by a unit that has not been
	// asked to materialize yet.
	SymbolStateNeverSearched SymbolState = iota
	// SymbolStateMaterializing: its unit is running.
	SymbolStateMaterializing
	// SymbolStateResolved: its address is known; the code may not be
	// safe to run yet.
	SymbolStateResolved
	// SymbolStateEmitted: its unit finished; it waits for dependencies.
	SymbolStateEmitted
	// SymbolStateReady: it and everything it depends on is emitted.
	SymbolStateReady
)

// String returns the state's name.
func (s SymbolState) String() string {
	switch s {
	case SymbolStateNeverSearched:
		return "NeverSearched"
	case SymbolStateMaterializing:
		return "Materializing"
	case SymbolStateResolved:
		return "Resolved"
	case SymbolStateEmitted:
		return "Emitted"
	case SymbolStateReady:
		return "Ready"
	}
	return "SymbolState(?)"
}

// JITDylibLookupFlags say which symbols of a dylib a lookup may see.
type JITDylibLookupFlags uint8

const (
	// MatchExportedSymbolsOnly matches only symbols with the Exported
	// flag, as when linking against another library.
	MatchExportedSymbolsOnly JITDylibLookupFlags = iota
	// MatchAllSymbols matches every symbol, as within one library.
	MatchAllSymbols
)

// String returns the flag's name.
func (f JITDylibLookupFlags) String() string {
	if f == MatchAllSymbols {
		return "MatchAllSymbols"
	}
	return "MatchExportedSymbolsOnly"
}

// LookupKind tells generators what kind of lookup asked: a static link
// (Static) or a dlsym-style runtime lookup (DLSym).
type LookupKind uint8

const (
	// LookupKindStatic: a link-time lookup (resolving relocations).
	LookupKindStatic LookupKind = iota
	// LookupKindDLSym: a runtime lookup, as by dlsym.
	LookupKindDLSym
)

// String returns the kind's name.
func (k LookupKind) String() string {
	if k == LookupKindDLSym {
		return "DLSym"
	}
	return "Static"
}

// SymbolLookupFlags say whether a looked-up symbol must exist.
type SymbolLookupFlags uint8

const (
	// RequiredSymbol: a missing symbol fails the lookup.
	RequiredSymbol SymbolLookupFlags = iota
	// WeaklyReferencedSymbol: a missing symbol is left out of the result.
	WeaklyReferencedSymbol
)

// String returns the flag's name.
func (f SymbolLookupFlags) String() string {
	if f == WeaklyReferencedSymbol {
		return "WeaklyReferencedSymbol"
	}
	return "RequiredSymbol"
}

// SymbolLookupEntry is one name of a lookup.
type SymbolLookupEntry struct {
	Name  SymbolName
	Flags SymbolLookupFlags
}

// SymbolLookupSet is the ordered set of names a lookup searches for.
type SymbolLookupSet []SymbolLookupEntry

// NewSymbolLookupSet returns a set of required names.
func NewSymbolLookupSet(names ...SymbolName) SymbolLookupSet {
	s := make(SymbolLookupSet, 0, len(names))
	for _, n := range names {
		s = append(s, SymbolLookupEntry{Name: n, Flags: RequiredSymbol})
	}
	return s
}

// Add appends name with flags and returns the set.
func (s SymbolLookupSet) Add(name SymbolName, flags SymbolLookupFlags) SymbolLookupSet {
	return append(s, SymbolLookupEntry{Name: name, Flags: flags})
}

// Names returns the names in the set.
func (s SymbolLookupSet) Names() []SymbolName {
	out := make([]SymbolName, len(s))
	for i, e := range s {
		out[i] = e.Name
	}
	return out
}

// JITDylibSearchEntry is one dylib of a search order.
type JITDylibSearchEntry struct {
	JD    *JITDylib
	Flags JITDylibLookupFlags
}

// JITDylibSearchOrder lists dylibs in the order a lookup searches them.
type JITDylibSearchOrder []JITDylibSearchEntry

// SearchOrder builds a search order over jds, all with flags.
func SearchOrder(flags JITDylibLookupFlags, jds ...*JITDylib) JITDylibSearchOrder {
	o := make(JITDylibSearchOrder, len(jds))
	for i, jd := range jds {
		o[i] = JITDylibSearchEntry{JD: jd, Flags: flags}
	}
	return o
}

// SymbolDependenceGroup says that the symbols in Symbols (defined by the
// emitting responsibility) depend on the symbols in Dependencies: they
// become Ready only once all of those are Ready.
type SymbolDependenceGroup struct {
	Symbols      []SymbolName
	Dependencies map[*JITDylib][]SymbolName
}

func sortedNames(names []SymbolName) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n.String()
	}
	sort.Strings(out)
	return out
}
