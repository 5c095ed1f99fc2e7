package orc

import (
	"fmt"
	"maps"
	"sort"

	"github.com/gorc-jit/gorc/shared"
)

// A MaterializationResponsibility is handed to a running unit: it lists
// the symbols the unit must provide, and is how the unit reports their
// addresses (NotifyResolved), their completion and dependencies
// (NotifyEmitted) or failure (FailMaterialization). It may also split off
// symbols (Delegate), give some back as a new lazy unit (Replace) or claim
// extra symbols discovered while materializing (DefineMaterializing).
//
// Every call after the responsibility has emitted, failed, or lost its
// tracker or dylib returns an error wrapping ErrResponsibility,
// ErrResourceTrackerRemoved or ErrJITDylibRemoved. Methods are safe for
// concurrent use.
type MaterializationResponsibility struct {
	es   *ExecutionSession
	jd   *JITDylib
	unit string

	// Guarded by es.mu.
	rt      *ResourceTracker
	symbols SymbolFlagsMap
	init    SymbolName
	done    bool // emitted
	failed  bool
	defunct bool // tracker or dylib removed

	aliasWaits []*symbolEntry // reexports: aliasees this unit waits to see resolved

	// ents are the table entries of symbols, as long as symbols is the
	// set the unit's Define made them for (nil once Delegate, Replace
	// or DefineMaterializing changes it): the notifications walk them
	// instead of looking every name up in two maps.
	ents []*symbolEntry
}

// GetExecutionSession returns the session.
func (mr *MaterializationResponsibility) GetExecutionSession() *ExecutionSession { return mr.es }

// GetTargetJITDylib returns the dylib the symbols are defined in.
func (mr *MaterializationResponsibility) GetTargetJITDylib() *JITDylib { return mr.jd }

// UnitName returns the name of the unit being materialized.
func (mr *MaterializationResponsibility) UnitName() string { return mr.unit }

// Symbols returns a copy of the symbols this responsibility still owns.
func (mr *MaterializationResponsibility) Symbols() SymbolFlagsMap {
	mr.es.mu.Lock()
	defer mr.es.mu.Unlock()
	// (A clone copies the table; an object's unit owns thousands.)
	out := maps.Clone(mr.symbols)
	if out == nil {
		out = SymbolFlagsMap{}
	}
	return out
}

// SingleSymbol returns the one symbol this responsibility still owns and
// its flags, or ok false if it owns none or several: Symbols without the
// copy, for a unit that materializes one function at a time.
func (mr *MaterializationResponsibility) SingleSymbol() (name SymbolName, flags JITSymbolFlags, ok bool) {
	mr.es.mu.Lock()
	defer mr.es.mu.Unlock()
	if len(mr.symbols) != 1 {
		return SymbolName{}, 0, false
	}
	if len(mr.ents) == 1 {
		// (The entry's flags are the unit's: see appendOwnedResolvedLocked.)
		e := mr.ents[0]
		return e.name, e.def.Flags, true
	}
	for n, f := range mr.symbols {
		name, flags = n, f
	}
	return name, flags, true
}

// GetInitializerSymbol returns the unit's init symbol, or the zero name.
func (mr *MaterializationResponsibility) GetInitializerSymbol() SymbolName {
	mr.es.mu.Lock()
	defer mr.es.mu.Unlock()
	return mr.init
}

// RequestedSymbols returns the owned symbols some lookup or emitted symbol
// is waiting for, sorted by name.
func (mr *MaterializationResponsibility) RequestedSymbols() []SymbolName {
	mr.es.mu.Lock()
	defer mr.es.mu.Unlock()
	var out []SymbolName
	for n := range mr.symbols {
		if e := mr.jd.symbols[n]; e != nil && e.mr == mr && e.waitedForLocked() {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func (e *symbolEntry) waitedForLocked() bool {
	if len(e.dependants) > 0 {
		return true
	}
	for _, q := range e.queries {
		if !q.done {
			return true
		}
	}
	return false
}

func (mr *MaterializationResponsibility) errorf(op, format string, args ...any) error {
	return fmt.Errorf("unit %q in JITDylib %q: %s: %s: %w", mr.unit, mr.jd.name, op, fmt.Sprintf(format, args...), ErrResponsibility)
}

func (mr *MaterializationResponsibility) checkLocked(op string) error {
	switch {
	case mr.jd.removed:
		return fmt.Errorf("unit %q: %s: JITDylib %q: %w", mr.unit, op, mr.jd.name, ErrJITDylibRemoved)
	case mr.defunct || mr.rt.removed:
		return fmt.Errorf("unit %q in JITDylib %q: %s: %w", mr.unit, mr.jd.name, op, ErrResourceTrackerRemoved)
	case mr.failed:
		return mr.errorf(op, "materialization has already failed")
	case mr.done:
		return mr.errorf(op, "symbols have already been emitted")
	}
	return nil
}

// entryLocked returns the table entry of an owned symbol.
func (mr *MaterializationResponsibility) entryLocked(op string, n SymbolName) (*symbolEntry, JITSymbolFlags, error) {
	f, ok := mr.symbols[n]
	if !ok {
		return nil, 0, mr.errorf(op, "symbol %q is not owned by this responsibility", n)
	}
	e := mr.jd.symbols[n]
	if e == nil || e.mr != mr {
		return nil, 0, mr.errorf(op, "symbol %q is no longer owned by this responsibility", n)
	}
	return e, f, nil
}

// NotifyResolved assigns addresses to owned symbols (all at once or in
// several calls) and wakes lookups that wait for SymbolStateResolved. The
// declared flags are kept; the Flags in syms are ignored.
func (mr *MaterializationResponsibility) NotifyResolved(syms SymbolMap) error {
	var acts actions
	mr.es.mu.Lock()
	err := mr.resolveLocked(syms, &acts)
	mr.es.mu.Unlock()
	acts.run()
	return err
}

// resolveLocked is NotifyResolved under the session lock: it checks every
// symbol before changing any, and queues the woken queries on acts.
func (mr *MaterializationResponsibility) resolveLocked(syms SymbolMap, acts *actions) error {
	const op = "NotifyResolved"
	if err := mr.checkLocked(op); err != nil {
		return err
	}
	// The entries found by the checks are kept for the updates (one
	// lookup in the dylib's table a symbol, not two: a merged archive
	// wave resolves about 1,300 at once). Map order is random, but each
	// loop is over the same entries.
	type resolved struct {
		e    *symbolEntry
		addr shared.ExecutorAddr
	}
	ents := make([]resolved, 0, len(syms))
	if mr.ents != nil && len(mr.ents) == len(mr.symbols) && 2*len(syms) >= len(mr.ents) {
		// Most of the unit at once (an object's unit resolves all its
		// symbols in one call): the entries are walked and each looked
		// up in syms, one lookup a symbol instead of two. A name of
		// syms that is not among them is left to the walk below, which
		// reports it.
		for _, e := range mr.ents {
			def, ok := syms[e.name]
			if !ok {
				continue
			}
			if e.mr != mr {
				return mr.errorf(op, "symbol %q is no longer owned by this responsibility", e.name)
			}
			if e.def.Flags.HasSideEffectsOnly() {
				return mr.errorf(op, "symbol %q is materialization-side-effects-only and has no address", e.name)
			}
			if e.state >= SymbolStateResolved {
				return mr.errorf(op, "symbol %q is already resolved", e.name)
			}
			ents = append(ents, resolved{e, def.Addr})
		}
		if len(ents) != len(syms) {
			ents = ents[:0]
		}
	}
	if len(ents) != len(syms) { // (else found above: no walk of syms begun)
		for n, def := range syms {
			e, f, err := mr.entryLocked(op, n)
			if err != nil {
				return err
			}
			if f.HasSideEffectsOnly() {
				return mr.errorf(op, "symbol %q is materialization-side-effects-only and has no address", n)
			}
			if e.state >= SymbolStateResolved {
				return mr.errorf(op, "symbol %q is already resolved", n)
			}
			ents = append(ents, resolved{e, def.Addr})
		}
	}
	for _, r := range ents {
		r.e.def.Addr = r.addr
		r.e.state = SymbolStateResolved
		notifyQueriesLocked(r.e, acts)
	}
	return nil
}

// NotifyEmitted marks every owned symbol Emitted; each becomes Ready once
// everything it depends on is Ready. groups name, for sets of owned
// symbols, the symbols (in any dylib) their code uses; owned symbols in no
// group depend on nothing. Every owned symbol (except side-effects-only
// ones) must have been resolved. A dependency must exist and have been
// looked up; if it has failed, this responsibility fails too and the
// FailedToMaterializeError is returned.
func (mr *MaterializationResponsibility) NotifyEmitted(groups []SymbolDependenceGroup) error {
	var acts actions
	mr.es.mu.Lock()
	err := mr.emitLocked(groups, &acts)
	mr.es.mu.Unlock()
	acts.run()
	return err
}

// NotifyEmittedAll is NotifyEmitted with one group: every owned symbol,
// depending on deps (an object's unit, whose code is one block of
// memory). It makes the group's node from the owned symbols' entries,
// with no list of names to look up and no check that a name is in one
// group only.
func (mr *MaterializationResponsibility) NotifyEmittedAll(deps map[*JITDylib][]SymbolName) error {
	const op = "NotifyEmitted"
	var acts actions
	es := mr.es
	es.mu.Lock()
	err := func() error {
		if err := mr.checkLocked(op); err != nil {
			return err
		}
		owned, err := mr.appendOwnedResolvedLocked(op, make([]*symbolEntry, 0, len(mr.symbols)))
		if err != nil {
			return err
		}
		n := &depNode{syms: append(make([]*symbolEntry, 0, len(owned)), owned...)}
		failedDep, err := mr.addDependenciesLocked(op, n, deps)
		if err != nil {
			return err
		}
		delete(mr.jd.mrs, mr)
		if failedDep != nil {
			mr.failed = true
			cause := fmt.Errorf("unit %q depends on symbol %q in JITDylib %q, which failed: %w", mr.unit, failedDep.name, failedDep.jd.name, failedDep.err)
			return es.failSymbolsLocked(owned, cause, &acts)
		}
		mr.done = true
		es.emitNodesLocked(owned, []*depNode{n}, nil, true, &acts)
		return nil
	}()
	es.mu.Unlock()
	acts.run()
	return err
}

// emitLocked is NotifyEmitted under the session lock. It validates
// everything before changing anything, then either fails the owned
// symbols (a dependency has failed) or emits them; the query callbacks and
// materializations this causes are queued on acts, to run after unlocking.
func (mr *MaterializationResponsibility) emitLocked(groups []SymbolDependenceGroup, acts *actions) error {
	const op = "NotifyEmitted"
	if err := mr.checkLocked(op); err != nil {
		return err
	}
	// The slices and map are made here, not in the helpers, so that they
	// can stay on the stack (returned from a helper, they would escape).
	owned, err := mr.appendOwnedResolvedLocked(op, make([]*symbolEntry, 0, len(mr.symbols)))
	if err != nil {
		return err
	}
	var grouped map[*symbolEntry]int
	if len(groups) > 0 {
		// Sized for every grouped symbol at once (an object's unit puts
		// all its symbols in one group: a merged archive wave, ~1,300).
		n := 0
		for _, g := range groups {
			n += len(g.Symbols)
		}
		grouped = make(map[*symbolEntry]int, n)
	}
	nodes := make([]*depNode, len(groups))
	failedDep, err := mr.dependenceNodesLocked(op, groups, nodes, grouped)
	if err != nil {
		return err
	}
	delete(mr.jd.mrs, mr)
	if failedDep != nil {
		mr.failed = true
		cause := fmt.Errorf("unit %q depends on symbol %q in JITDylib %q, which failed: %w", mr.unit, failedDep.name, failedDep.jd.name, failedDep.err)
		return mr.es.failSymbolsLocked(owned, cause, acts)
	}
	mr.done = true
	mr.es.emitNodesLocked(owned, nodes, grouped, false, acts)
	return nil
}

// appendOwnedResolvedLocked appends the entries of the owned symbols to
// owned, checking that each is still owned and (unless side-effects-only)
// resolved.
func (mr *MaterializationResponsibility) appendOwnedResolvedLocked(op string, owned []*symbolEntry) ([]*symbolEntry, error) {
	if mr.ents != nil && len(mr.ents) == len(mr.symbols) {
		for _, e := range mr.ents {
			if e.mr != mr {
				return nil, mr.errorf(op, "symbol %q is no longer owned by this responsibility", e.name)
			}
			// (e.def.Flags are the declared flags, those of symbols:
			// both came from the unit's map, and only Replace, which
			// drops ents, changes them.)
			if !e.def.Flags.HasSideEffectsOnly() && e.state < SymbolStateResolved {
				return nil, mr.errorf(op, "symbol %q has not been resolved", e.name)
			}
			owned = append(owned, e)
		}
		return owned, nil
	}
	for n, f := range mr.symbols {
		e, _, err := mr.entryLocked(op, n)
		if err != nil {
			return nil, err
		}
		if !f.HasSideEffectsOnly() && e.state < SymbolStateResolved {
			return nil, mr.errorf(op, "symbol %q has not been resolved", n)
		}
		owned = append(owned, e)
	}
	return owned, nil
}

// dependenceNodesLocked turns each dependence group into an unwired
// dependence node in nodes (as long as groups), records in grouped the
// group index of each owned symbol it names, and returns the first failed
// dependency found (nil if none). It changes nothing in the session: an
// error leaves all as it was.
func (mr *MaterializationResponsibility) dependenceNodesLocked(op string, groups []SymbolDependenceGroup, nodes []*depNode, grouped map[*symbolEntry]int) (failedDep *symbolEntry, err error) {
	for gi, g := range groups {
		n := &depNode{}
		if len(g.Symbols) <= 1 {
			n.syms = n.one[:0:1]
		} else {
			n.syms = make([]*symbolEntry, 0, len(g.Symbols))
		}
		nodes[gi] = n
		for _, s := range g.Symbols {
			e, _, err := mr.entryLocked(op, s)
			if err != nil {
				return nil, err
			}
			if _, dup := grouped[e]; dup {
				return nil, mr.errorf(op, "symbol %q appears in more than one dependence group", s)
			}
			grouped[e] = gi
			n.syms = append(n.syms, e)
		}
		failed, err := mr.addDependenciesLocked(op, n, g.Dependencies)
		if err != nil {
			return nil, err
		}
		if failedDep == nil {
			failedDep = failed
		}
	}
	return failedDep, nil
}

// addDependenciesLocked records in n.deps the dependencies that are not
// Ready yet, one symbol per emitted dependency node (the node becomes
// Ready, or fails, as a whole: an object's references to another object's
// many functions make one edge, not hundreds). It returns the first
// failed dependency, or an error if a dependency does not exist or was
// never looked up.
func (mr *MaterializationResponsibility) addDependenciesLocked(op string, n *depNode, deps map[*JITDylib][]SymbolName) (failedDep *symbolEntry, err error) {
	var depNodes map[*depNode]struct{}
	for djd, names := range deps {
		if djd == nil || djd.es != mr.es {
			return nil, mr.errorf(op, "dependency dylib is nil or belongs to another session")
		}
		if djd.removed {
			return nil, fmt.Errorf("unit %q: %s: dependency on JITDylib %q: %w", mr.unit, op, djd.name, ErrJITDylibRemoved)
		}
		for _, dn := range names {
			d := djd.symbols[dn]
			switch {
			case d == nil:
				return nil, mr.errorf(op, "dependency %q is not defined in JITDylib %q", dn, djd.name)
			case d.err != nil:
				if failedDep == nil {
					failedDep = d
				}
			case d.state == SymbolStateNeverSearched:
				return nil, mr.errorf(op, "dependency %q in JITDylib %q has never been looked up, so it would never be materialized", dn, djd.name)
			case d.state == SymbolStateReady:
			case d.node != nil:
				if _, dup := depNodes[d.node]; dup {
					continue
				}
				if depNodes == nil {
					depNodes = make(map[*depNode]struct{})
				}
				depNodes[d.node] = struct{}{}
				fallthrough
			default:
				if n.deps == nil {
					n.deps = make(map[*symbolEntry]struct{})
				}
				n.deps[d] = struct{}{}
			}
		}
	}
	return failedDep, nil
}

// emitNodesLocked marks owned Emitted, wakes the queries waiting for that,
// and adds the dependence nodes to the graph (the owned symbols in no
// group form one more node, with no dependencies); the nodes that depend
// on nothing not Ready become Ready at once. With all, every owned
// symbol is in a node and grouped is not read.
func (es *ExecutionSession) emitNodesLocked(owned []*symbolEntry, nodes []*depNode, grouped map[*symbolEntry]int, all bool, acts *actions) {
	var loose *depNode
	for _, e := range owned {
		e.mr = nil
		e.state = SymbolStateEmitted
		if all {
			continue
		}
		if _, ok := grouped[e]; !ok {
			if loose == nil {
				loose = &depNode{}
			}
			loose.syms = append(loose.syms, e)
		}
	}
	for _, e := range owned {
		notifyQueriesLocked(e, acts)
	}
	if loose != nil {
		nodes = append(nodes, loose)
	}
	roots := nodes[:0]
	for _, n := range nodes {
		if len(n.syms) == 0 {
			continue
		}
		for _, s := range n.syms {
			delete(n.deps, s) // a group may name its own symbols
		}
		roots = append(roots, es.addNodeLocked(n))
	}
	for _, r := range roots {
		// A root merged into a later cycle has no symbols left; the
		// later root is in the list too.
		if len(r.syms) > 0 && len(r.deps) == 0 {
			es.makeReadyLocked(r, acts)
		}
	}
}

// FailMaterialization fails every symbol this responsibility still owns,
// every symbol waiting for them, and every lookup waiting on any of those,
// with a FailedToMaterializeError whose cause is err. Later calls on the
// responsibility return errors. Calling it after the responsibility is
// finished does nothing.
func (mr *MaterializationResponsibility) FailMaterialization(err error) {
	es := mr.es
	var acts actions
	es.mu.Lock()
	if mr.done || mr.failed || mr.defunct {
		es.mu.Unlock()
		return
	}
	mr.failed = true
	delete(mr.jd.mrs, mr)
	var owned []*symbolEntry
	for n := range mr.symbols {
		if e := mr.jd.symbols[n]; e != nil && e.mr == mr {
			owned = append(owned, e)
		}
	}
	if err == nil {
		err = fmt.Errorf("materialization failed")
	}
	if len(owned) > 0 {
		es.failSymbolsLocked(owned, fmt.Errorf("unit %q: %w", mr.unit, err), &acts)
	}
	es.mu.Unlock()
	acts.run()
}

// DefineMaterializing adds new symbols to the target dylib, owned by this
// responsibility (for definitions discovered while materializing). A weak
// or common symbol that already exists is skipped; a strong one is a
// DuplicateDefinitionError.
func (mr *MaterializationResponsibility) DefineMaterializing(syms SymbolFlagsMap) error {
	const op = "DefineMaterializing"
	es := mr.es
	es.mu.Lock()
	defer es.mu.Unlock()
	if err := mr.checkLocked(op); err != nil {
		return err
	}
	jd := mr.jd
	source := mr.unit // (quoted by source when needed)
	for n, f := range syms {
		if n.IsZero() {
			return mr.errorf(op, "empty symbol name")
		}
		if e := jd.symbols[n]; e != nil && f.IsStrong() {
			return &DuplicateDefinitionError{Symbol: n, JITDylib: jd.name, ExistingSource: e.source(), NewSource: unitNameSource(source)}
		}
	}
	for n, f := range syms {
		if jd.symbols[n] != nil {
			continue
		}
		jd.symbols[n] = &symbolEntry{name: n, jd: jd, def: ExecutorSymbolDef{Flags: f},
			state: SymbolStateMaterializing, origin: source, originUnit: true, rt: mr.rt, mr: mr}
		mr.symbols[n] = f
		mr.ents = nil
	}
	return nil
}

// Delegate moves names to a new responsibility for the same dylib and
// tracker, to be materialized separately.
func (mr *MaterializationResponsibility) Delegate(names ...SymbolName) (*MaterializationResponsibility, error) {
	const op = "Delegate"
	es := mr.es
	es.mu.Lock()
	defer es.mu.Unlock()
	if err := mr.checkLocked(op); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, _, err := mr.entryLocked(op, n); err != nil {
			return nil, err
		}
	}
	nmr := &MaterializationResponsibility{es: es, jd: mr.jd, unit: mr.unit, rt: mr.rt, symbols: make(SymbolFlagsMap, len(names))}
	if len(names) > 0 {
		mr.ents = nil
	}
	for _, n := range names {
		nmr.symbols[n] = mr.symbols[n]
		delete(mr.symbols, n)
		mr.jd.symbols[n].mr = nmr
		if mr.init == n {
			nmr.init, mr.init = n, SymbolName{}
		}
	}
	mr.jd.mrs[nmr] = struct{}{}
	return nmr, nil
}

// Replace hands the symbols of mu (which must be owned and not yet
// resolved) back to the dylib as a new lazy unit. If anything is already
// waiting for one of them, mu is materialized at once.
func (mr *MaterializationResponsibility) Replace(mu MaterializationUnit) error {
	const op = "Replace"
	if mu == nil {
		return mr.errorf(op, "nil materialization unit")
	}
	syms := make(SymbolFlagsMap)
	for n, f := range mu.Symbols() {
		syms[n] = f
	}
	es := mr.es
	var acts actions
	es.mu.Lock()
	if err := mr.checkLocked(op); err != nil {
		es.mu.Unlock()
		return err
	}
	waited := false
	for n := range syms {
		e, _, err := mr.entryLocked(op, n)
		if err != nil {
			es.mu.Unlock()
			return err
		}
		if e.state != SymbolStateMaterializing {
			es.mu.Unlock()
			return mr.errorf(op, "symbol %q is already %v", n, e.state)
		}
		waited = waited || e.waitedForLocked()
	}
	init := mu.InitSymbol()
	if _, ok := syms[init]; !ok {
		init = SymbolName{}
	}
	umu := &unmaterializedUnit{mu: mu, syms: syms, init: init}
	origin := mu.Name() // (quoted by source when needed)
	if len(syms) > 0 {
		mr.ents = nil
	}
	for n, f := range syms {
		delete(mr.symbols, n)
		if mr.init == n {
			mr.init = SymbolName{}
		}
		e := mr.jd.symbols[n]
		e.mr = nil
		e.umu = umu
		e.state = SymbolStateNeverSearched
		e.def.Flags = f
		e.origin, e.originUnit = origin, true
	}
	if waited {
		acts.mat = append(acts.mat, es.startUnitLocked(mr.jd, umu, mr.rt))
	}
	es.mu.Unlock()
	es.dispatchAll(acts.mat)
	return nil
}

// WithResourceKeyDo calls f with the key of the tracker this
// responsibility's symbols belong to, under the session lock, so that the
// tracker cannot be removed or transferred while f attaches resources to
// it. f must not call into the session. It fails if the tracker has been
// removed (the resources should then be freed by the caller).
func (mr *MaterializationResponsibility) WithResourceKeyDo(f func(ResourceKey)) error {
	es := mr.es
	es.mu.Lock()
	defer es.mu.Unlock()
	if mr.jd.removed || mr.defunct || mr.rt.removed {
		return fmt.Errorf("unit %q in JITDylib %q: WithResourceKeyDo: %w", mr.unit, mr.jd.name, ErrResourceTrackerRemoved)
	}
	f(mr.rt.key)
	return nil
}

// noteAliasWait records, for a reexports unit, the aliasees it is about to
// wait for (at Resolved) and fails if that closes a cycle of reexports
// units waiting for each other's symbols, which would otherwise never
// resolve.
func (mr *MaterializationResponsibility) noteAliasWait(src *JITDylib, flags JITDylibLookupFlags, names []SymbolName) error {
	es := mr.es
	es.mu.Lock()
	defer es.mu.Unlock()
	if src.removed {
		return nil // the lookup will report it
	}
	var targets []*symbolEntry
	for _, n := range names {
		e := src.symbols[n]
		if e == nil || (flags == MatchExportedSymbolsOnly && !e.def.Flags.IsExported()) {
			continue
		}
		if e.state < SymbolStateResolved {
			// Possibly not started yet: its owner is looked up when
			// another unit walks through it.
			targets = append(targets, e)
		}
	}
	seen := make(map[*MaterializationResponsibility]bool)
	stack := append([]*symbolEntry(nil), targets...)
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		m := e.mr
		if m == nil || e.state >= SymbolStateResolved {
			continue
		}
		if m == mr {
			return fmt.Errorf("alias cycle: unit %q waits, through aliases, for its own symbol %q in JITDylib %q", mr.unit, e.name, e.jd.name)
		}
		if seen[m] {
			continue
		}
		seen[m] = true
		stack = append(stack, m.aliasWaits...)
	}
	mr.aliasWaits = targets
	return nil
}
