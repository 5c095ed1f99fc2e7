package orc

import (
	"context"
	"fmt"
	"sync"
)

// DefinitionGenerator is asked to define names that no definition in a
// JITDylib covers (the hook for process symbols, archives and other
// libraries). It should call jd.Define for those names it can provide and
// return nil; names it cannot provide are simply left undefined. Generators
// of one dylib run one at a time, outside the session lock, so a generator
// never sees a name another generator of the same dylib is defining.
// Generators must not wait on lookups that need this dylib's generators.
type DefinitionGenerator interface {
	TryToGenerate(ctx context.Context, kind LookupKind, jd *JITDylib, flags JITDylibLookupFlags, set SymbolLookupSet) error
}

// DefinitionGeneratorFunc adapts a function to DefinitionGenerator.
type DefinitionGeneratorFunc func(ctx context.Context, kind LookupKind, jd *JITDylib, flags JITDylibLookupFlags, set SymbolLookupSet) error

// TryToGenerate calls f.
func (f DefinitionGeneratorFunc) TryToGenerate(ctx context.Context, kind LookupKind, jd *JITDylib, flags JITDylibLookupFlags, set SymbolLookupSet) error {
	return f(ctx, kind, jd, flags, set)
}

// query is a lodged lookup waiting for symbols to reach a state.
type query struct {
	required SymbolState
	pending  int
	result   SymbolMap
	cb       func(SymbolMap, error)
	ch       chan lookupResult // for synchronous lookups
	done     bool
}

type lookupResult struct {
	m   SymbolMap
	err error
}

// lookupChans holds the channels of synchronous lookups that have been
// received from (a lazy first call makes two lookups; each channel was
// two allocations). A lookup given up on (its context ended) keeps its
// channel out of the pool: the query may still send into it.
var lookupChans = sync.Pool{New: func() any { return make(chan lookupResult, 1) }}

func (q *query) completeLocked(acts *actions) {
	q.done = true
	if q.ch != nil {
		q.ch <- lookupResult{m: q.result}
		return
	}
	cb, m := q.cb, q.result
	acts.add(func() { cb(m, nil) })
}

func (q *query) failLocked(err error, acts *actions) {
	if q.done {
		return
	}
	q.done = true
	if q.ch != nil {
		q.ch <- lookupResult{err: err}
		return
	}
	cb := q.cb
	acts.add(func() { cb(nil, err) })
}

func (q *query) addLocked(e *symbolEntry) {
	if !e.def.Flags.HasSideEffectsOnly() {
		q.result[e.name] = e.def
	}
}

// notifyQueriesLocked hands e to every query waiting for a state e has now
// reached.
func notifyQueriesLocked(e *symbolEntry, acts *actions) {
	if len(e.queries) == 0 {
		return
	}
	keep := e.queries[:0]
	for _, q := range e.queries {
		if q.done {
			continue
		}
		if e.state >= q.required {
			q.addLocked(e)
			q.pending--
			if q.pending == 0 {
				q.completeLocked(acts)
			}
			continue
		}
		keep = append(keep, q)
	}
	clear(e.queries[len(keep):])
	if len(keep) == 0 {
		keep = nil
	}
	e.queries = keep
}

func checkRequiredState(s SymbolState) error {
	if s < SymbolStateResolved || s > SymbolStateReady {
		return fmt.Errorf("lookup: required state must be Resolved, Emitted or Ready, not %v", s)
	}
	return nil
}

// Lookup finds the names of set in the dylibs of order (first match wins)
// and waits until each has reached required (SymbolStateResolved: addresses
// assigned; SymbolStateReady: safe to run), materializing what is needed.
// A missing required name fails with *SymbolsNotFoundError; a missing
// weakly-referenced name is left out of the result. A symbol that fails
// fails the lookup with *FailedToMaterializeError. If ctx ends first,
// Lookup returns ctx.Err() (materialization continues).
func (es *ExecutionSession) Lookup(ctx context.Context, order JITDylibSearchOrder, set SymbolLookupSet, required SymbolState) (SymbolMap, error) {
	res, q, mats, err := es.startLookup(ctx, LookupKindStatic, order, set, required, nil, nil)
	if err != nil {
		return nil, err
	}
	if q != nil && len(mats) > 0 && inPlaceRequested(ctx) {
		if m, ok := es.dispatchAllButOne(mats); ok {
			es.runInPlace(m)
		}
	} else {
		es.dispatchAll(mats)
	}
	if q == nil {
		return res, nil
	}
	if bn, ok := ctx.Value(workerKey{}).(blockingNotifier); ok {
		// A materializer waiting on the pool lends its slot.
		bn.blockingBegin()
		defer bn.blockingEnd()
	}
	select {
	case r := <-q.ch:
		// Received: the query sends once (done), so the channel is
		// empty and nothing else holds it.
		lookupChans.Put(q.ch)
		return r.m, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("lookup: %w", ctx.Err())
	}
}

// LookupAsync is the asynchronous form of Lookup. onComplete is called
// exactly once, on some goroutine (possibly this one, before LookupAsync
// returns), with the result or the error. onRegistered, if not nil, is
// called once the query has been registered with every symbol it waits
// for, before the query can complete and before any materialization it
// triggers is dispatched; it runs under the session lock, so it must be
// quick and must not call into the session. It is not called if the lookup
// fails before registration (symbols not found, failed symbols). ctx is
// passed to definition generators; once the query is registered it is not
// consulted again.
func (es *ExecutionSession) LookupAsync(ctx context.Context, kind LookupKind, order JITDylibSearchOrder, set SymbolLookupSet, required SymbolState, onComplete func(SymbolMap, error), onRegistered func()) {
	if onComplete == nil {
		onComplete = func(SymbolMap, error) {}
	}
	res, q, mats, err := es.startLookup(ctx, kind, order, set, required, onComplete, onRegistered)
	if err != nil {
		onComplete(nil, err)
		return
	}
	if q == nil {
		onComplete(res, nil)
	}
	es.dispatchAll(mats)
}

// LookupSymbol looks up one symbol in jd (all symbols visible) and waits
// until it is Ready.
func (es *ExecutionSession) LookupSymbol(ctx context.Context, jd *JITDylib, name string) (ExecutorSymbolDef, error) {
	n := es.Intern(name)
	m, err := es.Lookup(ctx, JITDylibSearchOrder{{JD: jd, Flags: MatchAllSymbols}}, SymbolLookupSet{{Name: n}}, SymbolStateReady)
	if err != nil {
		return ExecutorSymbolDef{}, err
	}
	return m[n], nil
}

// ResolvedName is ResolvedNow's answer for one name: its definition and
// the dylib defining it (In) when the order already resolves it;
// otherwise In is nil and From is the index in the order where a lookup
// of the name must start.
type ResolvedName struct {
	Def  ExecutorSymbolDef
	In   *JITDylib
	From int
}

// ResolvedNow answers, without a lookup, the names of set that order
// already resolves: it walks order as Lookup would and, for each name,
// stops at the first dylib with an entry for it (under that dylib's
// flags) or at the first dylib with definition generators (which a
// lookup would run). Name i is answered (res[i].In set) when that entry
// is in state Resolved or later and has not failed; otherwise res[i].From
// is where a lookup must start (the dylibs before it neither define the
// name nor generate definitions). Nothing is materialized, no generator
// runs and no query is registered: a caller (a linker resolving a
// graph's externals, most of which are defined long before) looks up
// only what is left.
func (es *ExecutionSession) ResolvedNow(order JITDylibSearchOrder, set SymbolLookupSet) []ResolvedName {
	res := make([]ResolvedName, len(set))
	es.mu.Lock()
	defer es.mu.Unlock()
	if es.checkOrderLocked(order) != nil {
		return res // (the lookups report it)
	}
	for i, r := range set {
		for k, oe := range order {
			e := oe.JD.symbols[r.Name]
			if e == nil || (oe.Flags == MatchExportedSymbolsOnly && !e.def.Flags.IsExported()) {
				if len(oe.JD.generators) > 0 {
					res[i].From = k
					break
				}
				continue // not here: a lookup goes on to the next dylib
			}
			if e.state >= SymbolStateResolved && e.err == nil && !e.def.Flags.HasSideEffectsOnly() {
				res[i].Def, res[i].In = e.def, oe.JD
			} else {
				res[i].From = k
			}
			break
		}
	}
	return res
}

// startLookup runs generators where needed, then, under the session lock,
// either answers at once (q == nil: every symbol is in the required state)
// or registers a query q that completes through cb (nil cb: through q.ch)
// and returns the units that must be materialized.
func (es *ExecutionSession) startLookup(ctx context.Context, kind LookupKind, order JITDylibSearchOrder, set SymbolLookupSet, required SymbolState, cb func(SymbolMap, error), onRegistered func()) (SymbolMap, *query, []materialization, error) {
	if err := checkRequiredState(required); err != nil {
		return nil, nil, nil, err
	}
	if len(set) > 1 {
		set = dedupe(set)
	}
	var acts actions
	es.mu.Lock()
	if hasGeneratorsLocked(order) {
		es.mu.Unlock()
		if err := es.runGenerators(ctx, kind, order, set); err != nil {
			return nil, nil, nil, err
		}
		es.mu.Lock()
	}
	res, q, err := es.lodgeLocked(order, set, required, &acts)
	if q != nil {
		q.cb = cb
		if cb == nil {
			q.ch = lookupChans.Get().(chan lookupResult)
		}
	}
	if err == nil && onRegistered != nil {
		onRegistered()
	}
	es.mu.Unlock()
	return res, q, acts.mat, err
}

func dedupe(set SymbolLookupSet) SymbolLookupSet {
	seen := make(map[SymbolName]int, len(set))
	var out SymbolLookupSet
	for i, e := range set {
		if j, ok := seen[e.Name]; ok {
			if out == nil {
				out = append(SymbolLookupSet(nil), set[:i]...)
			}
			if e.Flags == RequiredSymbol {
				out[j].Flags = RequiredSymbol
			}
			continue
		}
		seen[e.Name] = len(seen)
		if out != nil {
			out = append(out, e)
		}
	}
	if out == nil {
		return set
	}
	return out
}

func hasGeneratorsLocked(order JITDylibSearchOrder) bool {
	for _, e := range order {
		if e.JD != nil && len(e.JD.generators) > 0 {
			return true
		}
	}
	return false
}

func (es *ExecutionSession) checkOrderLocked(order JITDylibSearchOrder) error {
	if es.ended {
		return fmt.Errorf("lookup: %w", ErrSessionEnded)
	}
	for _, e := range order {
		if e.JD == nil {
			return fmt.Errorf("lookup: nil JITDylib in search order")
		}
		if e.JD.es != es {
			return fmt.Errorf("lookup: JITDylib %q belongs to another session", e.JD.name)
		}
		if e.JD.removed {
			return fmt.Errorf("lookup in JITDylib %q: %w", e.JD.name, ErrJITDylibRemoved)
		}
	}
	return nil
}

// runGenerators gives each dylib's generators, in search order, the names
// not found in it or in an earlier dylib.
func (es *ExecutionSession) runGenerators(ctx context.Context, kind LookupKind, order JITDylibSearchOrder, set SymbolLookupSet) error {
	remaining := append(SymbolLookupSet(nil), set...)
	// take removes from remaining the names jd matches under flags and
	// returns the names jd has no entry for.
	take := func(jd *JITDylib, flags JITDylibLookupFlags) (SymbolLookupSet, error) {
		es.mu.Lock()
		defer es.mu.Unlock()
		if err := es.checkOrderLocked(JITDylibSearchOrder{{JD: jd}}); err != nil {
			return nil, err
		}
		var missing SymbolLookupSet
		keep := remaining[:0]
		for _, r := range remaining {
			e := jd.symbols[r.Name]
			switch {
			case e == nil:
				missing = append(missing, r)
				keep = append(keep, r)
			case flags == MatchExportedSymbolsOnly && !e.def.Flags.IsExported():
				keep = append(keep, r)
			}
		}
		remaining = keep
		return missing, nil
	}
	for _, oe := range order {
		if len(remaining) == 0 {
			return nil
		}
		jd := oe.JD
		missing, err := take(jd, oe.Flags)
		if err != nil {
			return err
		}
		es.mu.Lock()
		gens := jd.generators
		es.mu.Unlock()
		if len(missing) == 0 || len(gens) == 0 {
			continue
		}
		if err := jd.genMu.lock(ctx); err != nil {
			return fmt.Errorf("lookup: waiting for generators of %q: %w", jd.name, err)
		}
		for _, g := range gens {
			// Another lookup's generator may have defined some names
			// while we waited: pass only what is still undefined.
			es.mu.Lock()
			still := missing[:0]
			for _, m := range missing {
				if jd.symbols[m.Name] == nil {
					still = append(still, m)
				}
			}
			missing = still
			es.mu.Unlock()
			if len(missing) == 0 {
				break
			}
			if err := g.TryToGenerate(ctx, kind, jd, oe.Flags, append(SymbolLookupSet(nil), missing...)); err != nil {
				jd.genMu.unlock()
				return fmt.Errorf("lookup: definition generator of JITDylib %q: %w", jd.name, err)
			}
		}
		jd.genMu.unlock()
		if _, err := take(jd, oe.Flags); err != nil {
			return err
		}
	}
	return nil
}

// lodgeLocked matches set against order and fails fast on missing or
// failed symbols. If every symbol is in the required state it returns the
// result; otherwise it registers a new query (returned) with the others
// and starts the units that define them. The caller sets the query's
// completion before releasing the lock.
func (es *ExecutionSession) lodgeLocked(order JITDylibSearchOrder, set SymbolLookupSet, required SymbolState, acts *actions) (SymbolMap, *query, error) {
	if err := es.checkOrderLocked(order); err != nil {
		return nil, nil, err
	}
	var buf [8]*symbolEntry
	found := buf[:0]
	if len(set) > len(buf) {
		found = make([]*symbolEntry, 0, len(set))
	}
	found = found[:len(set)]
	left := len(set)
	for _, oe := range order {
		if left == 0 {
			break
		}
		syms := oe.JD.symbols
		for i := range set {
			if found[i] != nil {
				continue
			}
			e := syms[set[i].Name]
			if e == nil || (oe.Flags == MatchExportedSymbolsOnly && !e.def.Flags.IsExported()) {
				continue
			}
			found[i] = e
			left--
		}
	}
	var missing []SymbolName
	var failed []*symbolEntry
	for i, e := range found {
		if e == nil {
			if set[i].Flags == RequiredSymbol {
				missing = append(missing, set[i].Name)
			}
		} else if e.err != nil {
			failed = append(failed, e)
		}
	}
	if len(missing) > 0 {
		return nil, nil, &SymbolsNotFoundError{Symbols: missing}
	}
	if len(failed) > 0 {
		return nil, nil, failed[0].err
	}
	res := make(SymbolMap, len(set))
	var q *query
	for _, e := range found {
		if e == nil {
			continue
		}
		if e.state >= required {
			if !e.def.Flags.HasSideEffectsOnly() {
				res[e.name] = e.def
			}
			continue
		}
		if q == nil {
			q = &query{required: required, result: res}
		}
		e.queries = append(e.queries, q)
		q.pending++
		if e.state == SymbolStateNeverSearched && e.umu != nil {
			acts.mat = append(acts.mat, es.startUnitLocked(e.jd, e.umu, e.rt))
		}
	}
	return res, q, nil
}

// startUnitLocked moves umu's symbols to Materializing under a new
// responsibility.
func (es *ExecutionSession) startUnitLocked(jd *JITDylib, umu *unmaterializedUnit, rt *ResourceTracker) materialization {
	mr := &MaterializationResponsibility{
		es:      es,
		jd:      jd,
		rt:      rt,
		unit:    umu.mu.Name(),
		symbols: umu.syms,
		init:    umu.init,
	}
	if umu.ents != nil && len(umu.ents) == len(umu.syms) {
		// The entries Define made, all still the unit's (syms only
		// shrinks): no lookup a symbol, and the responsibility keeps
		// them for its notifications.
		for _, e := range umu.ents {
			e.umu = nil
			e.state = SymbolStateMaterializing
			e.mr = mr
		}
		mr.ents = umu.ents
	} else {
		for n := range umu.syms {
			e := jd.symbols[n]
			e.umu = nil
			e.state = SymbolStateMaterializing
			e.mr = mr
		}
	}
	umu.ents = nil
	jd.mrs[mr] = struct{}{}
	return materialization{mu: umu.mu, mr: mr}
}

// LookupFlags returns the flags of the names of set as the first matching
// dylib in order defines them, running generators but materializing
// nothing. A missing required name is a *SymbolsNotFoundError; a missing
// weakly-referenced name is left out.
func (es *ExecutionSession) LookupFlags(ctx context.Context, kind LookupKind, order JITDylibSearchOrder, set SymbolLookupSet) (SymbolFlagsMap, error) {
	if len(set) > 1 {
		set = dedupe(set)
	}
	es.mu.Lock()
	if hasGeneratorsLocked(order) {
		es.mu.Unlock()
		if err := es.runGenerators(ctx, kind, order, set); err != nil {
			return nil, err
		}
		es.mu.Lock()
	}
	defer es.mu.Unlock()
	if err := es.checkOrderLocked(order); err != nil {
		return nil, err
	}
	out := make(SymbolFlagsMap, len(set))
	var missing []SymbolName
	for _, s := range set {
		found := false
		for _, oe := range order {
			e := oe.JD.symbols[s.Name]
			if e == nil || (oe.Flags == MatchExportedSymbolsOnly && !e.def.Flags.IsExported()) {
				continue
			}
			out[s.Name] = e.def.Flags
			found = true
			break
		}
		if !found && s.Flags == RequiredSymbol {
			missing = append(missing, s.Name)
		}
	}
	if len(missing) > 0 {
		return nil, &SymbolsNotFoundError{Symbols: missing}
	}
	return out, nil
}

// ReexportsGenerator returns a generator that makes the symbols of source
// (matched with sourceFlags) visible in the dylib it is attached to, as
// lazy reexports under the same names — like linking against a shared
// library. allow, if not nil, filters the names.
func ReexportsGenerator(source *JITDylib, sourceFlags JITDylibLookupFlags, allow func(SymbolName) bool) DefinitionGenerator {
	return DefinitionGeneratorFunc(func(ctx context.Context, kind LookupKind, jd *JITDylib, _ JITDylibLookupFlags, set SymbolLookupSet) error {
		var want SymbolLookupSet
		for _, e := range set {
			if allow == nil || allow(e.Name) {
				want = append(want, SymbolLookupEntry{Name: e.Name, Flags: WeaklyReferencedSymbol})
			}
		}
		if len(want) == 0 {
			return nil
		}
		flags, err := source.es.LookupFlags(ctx, kind, JITDylibSearchOrder{{JD: source, Flags: sourceFlags}}, want)
		if err != nil {
			return fmt.Errorf("reexports generator for %q: %w", source.name, err)
		}
		if len(flags) == 0 {
			return nil
		}
		aliases := make(SymbolAliasMap, len(flags))
		for n, f := range flags {
			aliases[n] = SymbolAliasMapEntry{Aliasee: n, Flags: f}
		}
		return jd.Define(ReExports(source, aliases, sourceFlags), nil)
	})
}
