package orc

import (
	"context"
	"fmt"
	"io"
	"maps"
	"sort"
	"strconv"
)

// A JITDylib is a symbol table in the session, the JIT's analogue of a
// shared library. Symbols are added by Define; its link order is the
// search order layers use to resolve the external references of code
// added to it.
type JITDylib struct {
	es   *ExecutionSession
	name string

	// Guarded by es.mu.
	symbols    map[SymbolName]*symbolEntry
	linkOrder  JITDylibSearchOrder
	generators []DefinitionGenerator
	defaultRT  *ResourceTracker
	trackers   map[*ResourceTracker]struct{}
	mrs        map[*MaterializationResponsibility]struct{}
	removed    bool

	// genMu serializes definition generators of this dylib.
	genMu chanMutex
}

// chanMutex is a mutex whose Lock can be abandoned when a context ends.
type chanMutex struct{ ch chan struct{} }

func (m *chanMutex) init() {
	if m.ch == nil {
		m.ch = make(chan struct{}, 1)
	}
}

func (m *chanMutex) lock(ctx context.Context) error {
	select {
	case m.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m *chanMutex) unlock() { <-m.ch }

// symbolEntry is a symbol table entry. All fields are guarded by es.mu.
type symbolEntry struct {
	name   SymbolName
	jd     *JITDylib
	def    ExecutorSymbolDef // Flags are the declared flags
	state  SymbolState
	err    error  // non-nil once failed
	origin string // what defined it, for error messages (source)
	// originUnit: origin is the name of the unit that defined it, to be
	// quoted as `unit "NAME"` when a message needs it (source): quoting
	// it at every Define was 1.5 k instructions and an allocation of
	// each lazily compiled function's first call.
	originUnit bool
	rt         *ResourceTracker

	umu *unmaterializedUnit            // state NeverSearched
	mr  *MaterializationResponsibility // state Materializing or Resolved

	queries    []*query              // lookups waiting for a later state
	node       *depNode              // state Emitted: its dependence node
	dependants map[*depNode]struct{} // emitted nodes waiting for this symbol
	removed    bool
}

// bulkSymbols is the size of a batch of names above which Define and
// InternAll make their table for the whole batch at once, and above which
// a unit's entries are kept for its materialization (unmaterializedUnit's
// ents).
const bulkSymbols = 64

type unmaterializedUnit struct {
	mu   MaterializationUnit
	syms SymbolFlagsMap
	init SymbolName
	// ents are the entries of syms when Define made them all (nil
	// otherwise); they are the unit's entries as long as syms keeps
	// its length (syms only shrinks).
	ents []*symbolEntry
	one  [1]*symbolEntry // ents' storage for a one-symbol unit
}

// Name returns the dylib's name.
func (jd *JITDylib) Name() string { return jd.name }

// String returns the dylib's name.
func (jd *JITDylib) String() string { return jd.name }

// ExecutionSession returns the session that owns jd.
func (jd *JITDylib) ExecutionSession() *ExecutionSession { return jd.es }

// Reserve makes room in jd's tables for about symbols more symbols and
// trackers more resource trackers, so that defining a known number of
// them does not grow the tables step by step.
func (jd *JITDylib) Reserve(symbols, trackers int) {
	jd.es.mu.Lock()
	defer jd.es.mu.Unlock()
	if symbols > 0 {
		m := make(map[SymbolName]*symbolEntry, len(jd.symbols)+symbols)
		for k, v := range jd.symbols {
			m[k] = v
		}
		jd.symbols = m
	}
	if trackers > 0 {
		m := make(map[*ResourceTracker]struct{}, len(jd.trackers)+trackers)
		for k, v := range jd.trackers {
			m[k] = v
		}
		jd.trackers = m
	}
}

// IsRemoved reports whether jd has been removed.
func (jd *JITDylib) IsRemoved() bool {
	jd.es.mu.Lock()
	defer jd.es.mu.Unlock()
	return jd.removed
}

// SetLinkOrder replaces jd's link order. If linkAgainstSelfFirst, jd itself
// (MatchAllSymbols) is put first unless order already names it.
func (jd *JITDylib) SetLinkOrder(order JITDylibSearchOrder, linkAgainstSelfFirst bool) error {
	jd.es.mu.Lock()
	defer jd.es.mu.Unlock()
	if jd.removed {
		return fmt.Errorf("set link order of %q: %w", jd.name, ErrJITDylibRemoved)
	}
	var lo JITDylibSearchOrder
	if linkAgainstSelfFirst {
		self := false
		for _, e := range order {
			self = self || e.JD == jd
		}
		if !self {
			lo = append(lo, JITDylibSearchEntry{JD: jd, Flags: MatchAllSymbols})
		}
	}
	for _, e := range order {
		if e.JD == nil {
			return fmt.Errorf("set link order of %q: nil JITDylib", jd.name)
		}
		lo = append(lo, e)
	}
	jd.linkOrder = lo
	return nil
}

// AddToLinkOrder appends other to jd's link order.
func (jd *JITDylib) AddToLinkOrder(other *JITDylib, flags JITDylibLookupFlags) error {
	jd.es.mu.Lock()
	defer jd.es.mu.Unlock()
	if jd.removed {
		return fmt.Errorf("add to link order of %q: %w", jd.name, ErrJITDylibRemoved)
	}
	if other == nil {
		return fmt.Errorf("add to link order of %q: nil JITDylib", jd.name)
	}
	jd.linkOrder = append(jd.linkOrder[:len(jd.linkOrder):len(jd.linkOrder)], JITDylibSearchEntry{JD: other, Flags: flags})
	return nil
}

// LinkOrder returns a copy of jd's link order.
func (jd *JITDylib) LinkOrder() JITDylibSearchOrder {
	jd.es.mu.Lock()
	defer jd.es.mu.Unlock()
	return append(JITDylibSearchOrder(nil), jd.linkOrder...)
}

// AppendLinkOrder appends jd's link order to dst and returns the result
// (LinkOrder without a slice of its own, for a caller that builds a
// search order from it).
func (jd *JITDylib) AppendLinkOrder(dst JITDylibSearchOrder) JITDylibSearchOrder {
	jd.es.mu.Lock()
	defer jd.es.mu.Unlock()
	return append(dst, jd.linkOrder...)
}

// AddGenerator appends g to jd's definition generators.
func (jd *JITDylib) AddGenerator(g DefinitionGenerator) {
	jd.es.mu.Lock()
	defer jd.es.mu.Unlock()
	jd.genMu.init()
	jd.generators = append(jd.generators[:len(jd.generators):len(jd.generators)], g)
}

// AddGeneratorFirst puts g before jd's other definition generators, so
// that it is asked first about a name jd does not define: a generator
// standing for definitions that belong in jd itself (declared lazily, see
// jit.AddLazyIR) must win over the process and archive generators, as a
// definition made with Define does.
func (jd *JITDylib) AddGeneratorFirst(g DefinitionGenerator) {
	jd.es.mu.Lock()
	defer jd.es.mu.Unlock()
	jd.genMu.init()
	gens := make([]DefinitionGenerator, 0, len(jd.generators)+1)
	jd.generators = append(append(gens, g), jd.generators...)
}

// DefaultResourceTracker returns the tracker Define uses when given nil.
// After the default tracker is removed, a new one takes its place.
func (jd *JITDylib) DefaultResourceTracker() *ResourceTracker {
	jd.es.mu.Lock()
	defer jd.es.mu.Unlock()
	return jd.defaultRT
}

// CreateResourceTracker returns a new tracker for definitions in jd.
func (jd *JITDylib) CreateResourceTracker() (*ResourceTracker, error) {
	jd.es.mu.Lock()
	defer jd.es.mu.Unlock()
	if jd.removed {
		return nil, fmt.Errorf("create resource tracker in %q: %w", jd.name, ErrJITDylibRemoved)
	}
	return jd.es.newTrackerLocked(jd), nil
}

func unitSource(mu MaterializationUnit) string { return unitNameSource(mu.Name()) }

// unitNameSource is unitSource of a unit named name.
func unitNameSource(name string) string {
	// (strconv.Quote is fmt's %q without fmt's cost.)
	return "unit " + strconv.Quote(name)
}

// source names what defined e, for messages.
func (e *symbolEntry) source() string {
	if e.originUnit {
		return unitNameSource(e.origin)
	}
	return e.origin
}

// CommonYielder is implemented by a unit whose strong definition of a
// name may give way to a common definition of it that is already
// materialized (Define then discards the unit's definition, as it does a
// weak one, instead of failing with a DuplicateDefinitionError): a static
// linker would have merged the common into the strong definition, which
// is no longer possible once the common has its address.
type CommonYielder interface {
	YieldToCommon(name SymbolName) bool
}

// Define adds the definitions of mu to jd under tracker rt (nil: the
// default tracker), following linker rules: a second strong definition is a
// DuplicateDefinitionError; a strong definition replaces a weak or common
// one that has not been materialized (the old unit's Discard is called); a
// weak or common definition of an existing name is dropped (the new unit's
// Discard is called). Nothing is materialized until a lookup needs it.
func (jd *JITDylib) Define(mu MaterializationUnit, rt *ResourceTracker) error {
	if mu == nil {
		return fmt.Errorf("define in %q: nil materialization unit", jd.name)
	}
	// The unit's map is copied whole (a clone copies the table, where
	// inserting name by name rehashes each: an eager program's object
	// declares thousands), and checked in the walk below.
	syms := maps.Clone(mu.Symbols())
	if syms == nil {
		syms = SymbolFlagsMap{}
	}
	init := mu.InitSymbol()
	if !init.IsZero() {
		if _, ok := syms[init]; !ok {
			return fmt.Errorf("define %s in %q: init symbol %q is not among the unit's symbols", unitSource(mu), jd.name, init)
		}
	}
	es := jd.es
	var acts actions
	es.mu.Lock()
	// (unitSource only for an error: a Define that succeeds makes it once,
	// below, for the entries' origin.)
	if err := jd.checkDefineLocked(rt, mu); err != nil {
		es.mu.Unlock()
		return err
	}
	if rt == nil {
		rt = jd.defaultRT
	}
	var override []*symbolEntry
	var discardNew []SymbolName
	fresh := 0 // names jd has no entry for
	for n, f := range syms {
		if n.IsZero() {
			es.mu.Unlock()
			return fmt.Errorf("define %s in %q: empty symbol name", unitSource(mu), jd.name)
		}
		e := jd.symbols[n]
		if e == nil {
			fresh++
			continue
		}
		if f.IsStrong() {
			if e.def.Flags.IsCommon() && e.state > SymbolStateNeverSearched && e.err == nil {
				if y, ok := mu.(CommonYielder); ok && y.YieldToCommon(n) {
					discardNew = append(discardNew, n)
					continue
				}
			}
			if e.def.Flags.IsStrong() || e.state > SymbolStateNeverSearched || e.err != nil || e.umu == nil {
				es.mu.Unlock()
				reason := ""
				if e.def.Flags.IsCommon() {
					reason = "the existing one is a common (tentative) definition, already linked, and the new one has an initial value or is larger: a static linker would merge them into the new one; compile with -fno-common or give both the same initializer"
				}
				return &DuplicateDefinitionError{Symbol: n, JITDylib: jd.name, ExistingSource: e.source(), NewSource: unitSource(mu), Reason: reason}
			}
			override = append(override, e)
		} else {
			discardNew = append(discardNew, n)
		}
	}
	for _, n := range discardNew {
		delete(syms, n)
		if n == init {
			init = SymbolName{}
		}
		acts.add(func() { mu.Discard(jd, n) })
	}
	for _, e := range override {
		old := e.umu
		delete(old.syms, e.name)
		if old.init == e.name {
			old.init = SymbolName{}
		}
		n := e.name
		acts.add(func() { old.mu.Discard(jd, n) })
	}
	if len(syms) > 0 {
		umu := &unmaterializedUnit{mu: mu, syms: syms, init: init}
		origin := mu.Name() // (quoted by source when needed)
		// The new entries come from one slice: one allocation, not one
		// an entry (a merged archive wave defines ~1,300 names at once).
		// An entry removed later keeps the slice alive until all are.
		entries := make([]symbolEntry, fresh)
		if fresh > bulkSymbols && fresh > len(jd.symbols) {
			// More new names than the table holds: it is made for
			// both at once (copying the few there costs less than
			// growing step by step while thousands go in).
			m := make(map[SymbolName]*symbolEntry, len(jd.symbols)+fresh)
			for k, v := range jd.symbols {
				m[k] = v
			}
			jd.symbols = m
		}
		if fresh == len(syms) {
			// Every name is new (an object's unit, as a rule): no
			// second lookup, and a large unit keeps its entries, so
			// that its materialization finds them without the table
			// (a small one, a lazily compiled function's, is not worth
			// the slice).
			if len(syms) > bulkSymbols {
				umu.ents = make([]*symbolEntry, len(syms))
			} else if len(syms) == 1 {
				// One symbol (a lazily compiled function's unit):
				// its entry is kept without a slice of its own, and
				// the notifications and SingleSymbol walk no map.
				umu.ents = umu.one[:]
			}
			i := 0
			for n, f := range syms {
				e := &entries[i]
				*e = symbolEntry{name: n, jd: jd, def: ExecutorSymbolDef{Flags: f}, state: SymbolStateNeverSearched, origin: origin, originUnit: true, rt: rt, umu: umu}
				jd.symbols[n] = e
				if umu.ents != nil {
					umu.ents[i] = e
				}
				i++
			}
		} else {
			for n, f := range syms {
				e := jd.symbols[n]
				if e == nil {
					e = &entries[0]
					entries = entries[1:]
					*e = symbolEntry{name: n, jd: jd}
					jd.symbols[n] = e
				}
				e.def = ExecutorSymbolDef{Flags: f}
				e.state = SymbolStateNeverSearched
				e.origin, e.originUnit = origin, true
				e.rt = rt
				e.umu = umu
			}
		}
	}
	es.mu.Unlock()
	acts.run()
	return nil
}

// DefineReady defines syms in jd at their given addresses, Ready at once,
// under tracker rt (nil: the default tracker), naming origin as their
// source in messages. It is what defining orc.AbsoluteSymbols(syms) and
// looking them up does, without the unit, the materialization
// responsibility and the lookup: for a caller that has already made the
// definitions (a lazy layer's stubs, made in its definition generator).
// Every name must be new in jd and strong (not weak or common): an
// existing name is a DuplicateDefinitionError and nothing is defined.
func (jd *JITDylib) DefineReady(syms SymbolMap, rt *ResourceTracker, origin string) error {
	es := jd.es
	es.mu.Lock()
	defer es.mu.Unlock()
	// One walk checks the names and finds a duplicate (reported after
	// the dylib's and tracker's state, as before): each walk of a map
	// costs a lazily compiled function's stub definition ~270
	// instructions.
	var dup SymbolName
	var dupE *symbolEntry
	for n, d := range syms {
		if n.IsZero() {
			return fmt.Errorf("define ready symbols of %s in %q: empty symbol name", origin, jd.name)
		}
		if !d.Flags.IsStrong() {
			return fmt.Errorf("define ready symbol %s of %s in %q: weak or common", n, origin, jd.name)
		}
		if dupE == nil {
			if e := jd.symbols[n]; e != nil {
				dup, dupE = n, e
			}
		}
	}
	if err := jd.checkDefineReadyLocked(rt, origin); err != nil {
		return err
	}
	if rt == nil {
		rt = jd.defaultRT
	}
	if dupE != nil {
		return &DuplicateDefinitionError{Symbol: dup, JITDylib: jd.name, ExistingSource: dupE.source(), NewSource: origin}
	}
	for n, d := range syms {
		jd.symbols[n] = &symbolEntry{name: n, jd: jd, def: d, state: SymbolStateReady, origin: origin, rt: rt}
	}
	return nil
}

// checkDefineReadyLocked is checkDefineLocked for DefineReady's origin.
func (jd *JITDylib) checkDefineReadyLocked(rt *ResourceTracker, origin string) error {
	if !jd.es.ended && !jd.removed && (rt == nil || rt.jd == jd && !rt.removed) {
		return nil
	}
	switch {
	case jd.es.ended:
		return fmt.Errorf("define %s in %q: %w", origin, jd.name, ErrSessionEnded)
	case jd.removed:
		return fmt.Errorf("define %s in %q: %w", origin, jd.name, ErrJITDylibRemoved)
	case rt.jd != jd:
		return fmt.Errorf("define %s in %q: resource tracker belongs to JITDylib %q", origin, jd.name, rt.jd.name)
	default:
		return fmt.Errorf("define %s in %q: %w", origin, jd.name, ErrResourceTrackerRemoved)
	}
}

func (jd *JITDylib) checkDefineLocked(rt *ResourceTracker, mu MaterializationUnit) error {
	if !jd.es.ended && !jd.removed && (rt == nil || rt.jd == jd && !rt.removed) {
		return nil
	}
	what := unitSource(mu)
	if jd.es.ended {
		return fmt.Errorf("define %s in %q: %w", what, jd.name, ErrSessionEnded)
	}
	if jd.removed {
		return fmt.Errorf("define %s in %q: %w", what, jd.name, ErrJITDylibRemoved)
	}
	if rt != nil {
		if rt.jd != jd {
			return fmt.Errorf("define %s in %q: resource tracker belongs to JITDylib %q", what, jd.name, rt.jd.name)
		}
		if rt.removed {
			return fmt.Errorf("define %s in %q: %w", what, jd.name, ErrResourceTrackerRemoved)
		}
	}
	return nil
}

// SymbolInfo describes one symbol for inspection (Symbols, Dump).
type SymbolInfo struct {
	Name   SymbolName
	Def    ExecutorSymbolDef
	State  SymbolState
	Failed bool
	Source string
}

// Symbols returns a snapshot of jd's symbol table, sorted by name.
func (jd *JITDylib) Symbols() []SymbolInfo {
	jd.es.mu.Lock()
	out := make([]SymbolInfo, 0, len(jd.symbols))
	for _, e := range jd.symbols {
		out = append(out, SymbolInfo{Name: e.name, Def: e.def, State: e.state, Failed: e.err != nil, Source: e.source()})
	}
	jd.es.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name.String() < out[j].Name.String() })
	return out
}

// Dump writes a human-readable listing of jd's symbols and their states.
func (jd *JITDylib) Dump(w io.Writer) error {
	syms := jd.Symbols()
	lo := jd.LinkOrder()
	if _, err := fmt.Fprintf(w, "JITDylib %q (%d symbols)\n  link order:", jd.name, len(syms)); err != nil {
		return err
	}
	for _, e := range lo {
		fmt.Fprintf(w, " %s(%s)", e.JD.name, e.Flags)
	}
	fmt.Fprintln(w)
	for _, s := range syms {
		state := s.State.String()
		if s.Failed {
			state = "FAILED"
		}
		addr := "                  "
		if s.State >= SymbolStateResolved && !s.Def.Flags.HasSideEffectsOnly() {
			addr = fmt.Sprintf("0x%016x", uint64(s.Def.Addr))
		}
		if _, err := fmt.Fprintf(w, "  %-32s %s %-13s %-24s %s\n", s.Name, addr, state, s.Def.Flags, s.Source); err != nil {
			return err
		}
	}
	return nil
}

// Dump writes every dylib's symbol table (see JITDylib.Dump).
func (es *ExecutionSession) Dump(w io.Writer) error {
	for _, jd := range es.JITDylibs() {
		if err := jd.Dump(w); err != nil {
			return err
		}
	}
	return nil
}
