package objlayer

// This file holds what the layer keeps per resource tracker so that a
// tracker's objects can be unloaded: which symbols each tracker's objects
// define and reference (so a removal can name the objects that still use
// them), the per-tracker DSO handle of unloadable modules, and dropping a
// removed tracker's initializers.

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// ModuleHandleFunc returns the DSO handle of the module whose objects are
// linked under key, or 0 when the tracker is not an unloadable module (its
// objects then use the process's __dso_handle).
type ModuleHandleFunc func(ctx context.Context, key orc.ResourceKey) (shared.ExecutorAddr, error)

// modules is the per-tracker bookkeeping of a Layer (guarded by Layer.mu).
type modules struct {
	handle ModuleHandleFunc
	// defs: each tracker's definitions and references, in one map
	// (a lazy session records a tracker per first call: one lookup and
	// one store of a map of thousands, not two of each).
	defs map[orc.ResourceKey]keyDefs

	// Init-symbol slots of units defined under explicit trackers: the
	// session's name pool never forgets a name, so a removed unit's
	// init-symbol name is reused by the next unit instead.
	slots     map[orc.ResourceKey][]int
	freeSlots []int
	nextSlot  int

	// Static TLS blocks of trackers' objects, and those of removed ones
	// (glibc never returns static TLS; a block is reused by the next
	// object whose TLS has the same shape).
	tls     map[orc.ResourceKey][]tlsSlot
	freeTLS []tlsSlot
}

// tlsSlot is a static TLS block and the request it was made for.
type tlsSlot struct {
	req epc.TLSRequest
	b   epc.TLSBlock
}

// keepTLSLocked records b as the TLS block of an object linked under key.
// l.mu held.
func (l *Layer) keepTLSLocked(key orc.ResourceKey, req epc.TLSRequest, b epc.TLSBlock) {
	if l.mods.tls == nil {
		l.mods.tls = map[orc.ResourceKey][]tlsSlot{}
	}
	l.mods.tls[key] = append(l.mods.tls[key], tlsSlot{req, b})
}

// releaseTLS makes a block whose object failed to link reusable.
func (l *Layer) releaseTLS(req epc.TLSRequest, b epc.TLSBlock) {
	l.mu.Lock()
	l.mods.freeTLS = append(l.mods.freeTLS, tlsSlot{req, b})
	l.mu.Unlock()
}

// takeFreeTLS returns a free block made for the same request shape (size,
// alignment, image size): a new thread starts with the new image and the
// rest zeroed, exactly as with a fresh block. Threads that already exist
// keep what the previous object left in it.
func (l *Layer) takeFreeTLS(req epc.TLSRequest) (epc.TLSBlock, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, f := range l.mods.freeTLS {
		if f.req.Size == req.Size && f.req.Align == req.Align && f.req.ImageSize == req.ImageSize {
			l.mods.freeTLS = append(l.mods.freeTLS[:i], l.mods.freeTLS[i+1:]...)
			return f.b, true
		}
	}
	return epc.TLSBlock{}, false
}

// takeInitSlot returns a free init-symbol slot (>= 1) for a unit defined
// under key.
func (l *Layer) takeInitSlot(key orc.ResourceKey) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	var s int
	if n := len(l.mods.freeSlots); n > 0 {
		s = l.mods.freeSlots[n-1]
		l.mods.freeSlots = l.mods.freeSlots[:n-1]
	} else {
		l.mods.nextSlot++
		s = l.mods.nextSlot
	}
	if l.mods.slots == nil {
		l.mods.slots = map[orc.ResourceKey][]int{}
	}
	l.mods.slots[key] = append(l.mods.slots[key], s)
	return s
}

// releaseInitSlot gives back a slot whose unit was never defined.
func (l *Layer) releaseInitSlot(key orc.ResourceKey, slot int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ss := l.mods.slots[key]
	for i, s := range ss {
		if s == slot {
			l.mods.slots[key] = append(ss[:i], ss[i+1:]...)
			break
		}
	}
	if len(l.mods.slots[key]) == 0 {
		delete(l.mods.slots, key)
	}
	l.mods.freeSlots = append(l.mods.freeSlots, slot)
}

// keyDefs are the symbols defined by a tracker's objects.
//
// names is a list, not a map: a lazy session has a tracker per compiled
// function, defining one symbol, and the list costs one 24-byte entry
// where a one-entry map cost some 250 bytes for as long as the function
// lives. Only Dependents looks names up, and it indexes them then. A
// name recorded twice (a later object of the tracker defining it again)
// is listed twice; the later entry wins (defined).
type keyDefs struct {
	jd    *orc.JITDylib
	names []defName
	refs  []symbolRef // the external symbols its objects resolved
}

// defName is a symbol and the object that defines it.
type defName struct {
	name   orc.SymbolName
	object string
}

// defined returns the objects defining each of d's names (the latest
// one where a name is listed twice).
func (d keyDefs) defined() map[orc.SymbolName]string {
	m := make(map[orc.SymbolName]string, len(d.names))
	for _, n := range d.names {
		m[n.name] = n.object
	}
	return m
}

// symbolRef is one external symbol an object resolved in a dylib.
type symbolRef struct {
	jd     *orc.JITDylib
	name   orc.SymbolName
	object string
}

// Dependent is an object that references a symbol of a tracker being
// removed.
type Dependent struct {
	Object  string          // the referencing object
	Key     orc.ResourceKey // its tracker
	Symbol  string          // the symbol it uses
	Definer string          // the object of the removed tracker that defines it
}

func (d Dependent) String() string {
	return fmt.Sprintf("%s uses %s (defined by %s)", d.Object, d.Symbol, d.Definer)
}

// SetModuleHandles makes the layer treat trackers as unloadable modules:
// for each link, f gives the DSO handle of the link's tracker; when it is
// not 0, the object's __dso_handle resolves to it and its memory is
// registered with the executor as the module's (epc.ModuleRangeActions),
// so that finalizing the module (epc.ModuleFinalizeCall) runs its C++
// static destructors, finalizers and atexit handlers.
func (l *Layer) SetModuleHandles(f ModuleHandleFunc) {
	l.mu.Lock()
	l.mods.handle = f
	l.mu.Unlock()
}

// moduleHandle returns the DSO handle of r's tracker (0: not a module).
func (l *Layer) moduleHandle(ctx context.Context, r *orc.MaterializationResponsibility) (shared.ExecutorAddr, error) {
	l.mu.Lock()
	f := l.mods.handle
	l.mu.Unlock()
	if f == nil {
		return 0, nil
	}
	var key orc.ResourceKey
	if err := r.WithResourceKeyDo(func(k orc.ResourceKey) { key = k }); err != nil {
		return 0, err
	}
	return f(ctx, key)
}

// moduleActions returns the actions registering the memory of g as the
// module dso's: the standard-lifetime part, since finalize-lifetime memory
// returns to the slab (and may serve another module) right after
// finalization. Small graphs are carved from shared code blocks
// (memmgr's code heap), so their segments need not be adjacent and other
// modules' code may lie between them: one range per run of blocks with
// gaps under 16 bytes (the heap's granule — no other piece fits there).
func moduleActions(e epc.ExecutorProcessControl, dso shared.ExecutorAddr, g *jitlink.LinkGraph) ([]shared.AllocActionPair, error) {
	var rs []shared.ExecutorAddrRange
	for _, sec := range g.Sections {
		if sec.Lifetime != jitlink.LifetimeStandard {
			continue
		}
		for _, b := range sec.Blocks {
			if b.Addr == 0 || b.Size == 0 {
				continue
			}
			rs = append(rs, shared.ExecutorAddrRange{Start: b.Addr, End: b.Addr.Add(b.Size)})
		}
	}
	if len(rs) == 0 {
		return nil, nil
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Start < rs[j].Start })
	merged := rs[:1]
	for _, r := range rs[1:] {
		last := &merged[len(merged)-1]
		if r.Start < last.End.Add(16) {
			last.End = max(last.End, r.End)
			continue
		}
		merged = append(merged, r)
	}
	out := make([]shared.AllocActionPair, 0, len(merged))
	for _, r := range merged {
		a, err := epc.ModuleRangeActions(e, dso, r)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// modRecord is what recordModuleLocked records of one linked object.
type modRecord struct {
	key    orc.ResourceKey
	jd     *orc.JITDylib
	object string
	owned  orc.SymbolFlagsMap
	deps   map[*orc.JITDylib][]orc.SymbolName
}

// modBatch is how many objects' records the layer queues before a
// goroutine applies them.
const modBatch = 32

// applyModRecords applies a batch of queued records (l.modLog's apply).
// It takes l.mu per record, not per batch: a first call's NotifyFinalized
// takes l.mu too, and must not wait for a whole batch.
func (l *Layer) applyModRecords(rs []modRecord) {
	for _, r := range rs {
		l.mu.Lock()
		l.recordModuleLocked(r.key, r.jd, r.object, r.owned, r.deps)
		l.mu.Unlock()
	}
}

// recordModule records what the object linked under key defines and
// references. l.mu held.
func (l *Layer) recordModuleLocked(key orc.ResourceKey, jd *orc.JITDylib, object string, owned orc.SymbolFlagsMap, deps map[*orc.JITDylib][]orc.SymbolName) {
	if l.mods.defs == nil {
		l.mods.defs = map[orc.ResourceKey]keyDefs{}
	}
	d, ok := l.mods.defs[key]
	if !ok {
		d = keyDefs{jd: jd}
	}
	d.names = slices.Grow(d.names, len(owned))
	for n, f := range owned {
		if !f.HasSideEffectsOnly() {
			d.names = append(d.names, defName{name: n, object: object})
		}
	}
	d.refs = appendRefs(d.refs, deps, object)
	l.mods.defs[key] = d
}

// appendRefs appends to refs the references deps records for object.
func appendRefs(refs []symbolRef, deps map[*orc.JITDylib][]orc.SymbolName, object string) []symbolRef {
	if len(deps) == 1 {
		// One dylib (a lazily compiled function's callees): one walk
		// of deps, not a counting walk first.
		for djd, names := range deps {
			refs = slices.Grow(refs, len(names))
			for _, n := range names {
				refs = append(refs, symbolRef{jd: djd, name: n, object: object})
			}
		}
		return refs
	}
	nrefs := 0
	for _, names := range deps {
		nrefs += len(names)
	}
	if nrefs == 0 {
		return refs
	}
	// Grown once to size: appending one by one left up to half of
	// each tracker's list unused.
	refs = slices.Grow(refs, nrefs)
	for djd, names := range deps {
		for _, n := range names {
			refs = append(refs, symbolRef{jd: djd, name: n, object: object})
		}
	}
	return refs
}

// Dependents returns the objects of other trackers that were linked
// against symbols defined under key (sorted by object, then symbol):
// removing key's tracker would leave their references dangling.
func (l *Layer) Dependents(key orc.ResourceKey) []Dependent {
	l.modLog.Flush()
	l.mu.Lock()
	defer l.mu.Unlock()
	d, ok := l.mods.defs[key]
	if !ok {
		return nil
	}
	var out []Dependent
	names := d.defined()
	for k, kd := range l.mods.defs {
		if k == key {
			continue
		}
		for _, r := range kd.refs {
			if r.jd != d.jd {
				continue
			}
			if definer, ok := names[r.name]; ok {
				out = append(out, Dependent{Object: r.object, Key: k, Symbol: r.name.String(), Definer: definer})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Object != out[j].Object {
			return out[i].Object < out[j].Object
		}
		return out[i].Symbol < out[j].Symbol
	})
	return out
}

// TakeInitializersOf returns the constructors and destructors of the objects
// linked under key that are not yet taken, in run order, and forgets them
// (so a later call returns only those linked since).
func (l *Layer) TakeInitializersOf(key orc.ResourceKey) (inits, finis []Initializer) {
	all, allf := l.Initializers()
	for _, f := range all {
		if f.Key == key {
			inits = append(inits, f)
		}
	}
	for _, f := range allf {
		if f.Key == key {
			finis = append(finis, f)
		}
	}
	l.mu.Lock()
	l.inits = dropKey(l.inits, key)
	l.finis = dropKey(l.finis, key)
	l.mu.Unlock()
	return inits, finis
}

func dropKey(xs []Initializer, key orc.ResourceKey) []Initializer {
	out := xs[:0]
	for _, x := range xs {
		if x.Key != key {
			out = append(out, x)
		}
	}
	clear(xs[len(out):])
	return out
}

// forgetKeyLocked drops what the layer remembers of key's objects: their
// initializers (which must never run again), their definitions and
// references and the undefined symbols they reported. l.mu held.
func (l *Layer) forgetKeyLocked(key orc.ResourceKey) {
	l.inits = dropKey(l.inits, key)
	l.finis = dropKey(l.finis, key)
	if d, ok := l.mods.defs[key]; ok {
		for _, n := range d.names {
			delete(l.tls, n.name.String())
		}
	}
	l.mods.freeTLS = append(l.mods.freeTLS, l.mods.tls[key]...)
	delete(l.mods.tls, key)
	delete(l.mods.defs, key)
	for u, k := range l.undefined {
		if k == key {
			delete(l.undefined, u)
		}
	}
	l.mods.freeSlots = append(l.mods.freeSlots, l.mods.slots[key]...)
	delete(l.mods.slots, key)
}

// trackerKey returns the key of the link's tracker (0 once it is removed).
func (c *linkContext) trackerKey() orc.ResourceKey {
	var key orc.ResourceKey
	_ = c.r.WithResourceKeyDo(func(k orc.ResourceKey) { key = k })
	return key
}

// transferKeyLocked moves key src's records to dst. l.mu held.
func (l *Layer) transferKeyLocked(dst, src orc.ResourceKey) {
	for i := range l.inits {
		if l.inits[i].Key == src {
			l.inits[i].Key = dst
		}
	}
	for i := range l.finis {
		if l.finis[i].Key == src {
			l.finis[i].Key = dst
		}
	}
	if d, ok := l.mods.defs[src]; ok {
		if dd, ok := l.mods.defs[dst]; ok {
			dd.names = append(dd.names, d.names...)
			dd.refs = append(dd.refs, d.refs...)
			l.mods.defs[dst] = dd
		} else {
			l.mods.defs[dst] = d
		}
		delete(l.mods.defs, src)
	}
	for u, k := range l.undefined {
		if k == src {
			l.undefined[u] = dst
		}
	}
	if b, ok := l.mods.tls[src]; ok {
		if l.mods.tls == nil {
			l.mods.tls = map[orc.ResourceKey][]tlsSlot{}
		}
		l.mods.tls[dst] = append(l.mods.tls[dst], b...)
		delete(l.mods.tls, src)
	}
	if s, ok := l.mods.slots[src]; ok {
		l.mods.slots[dst] = append(l.mods.slots[dst], s...)
		delete(l.mods.slots, src)
	}
}
