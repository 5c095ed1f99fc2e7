// Package objlayer joins the JIT linker (package jitlink) and the execution
// session (package orc), as LLVM's ObjectLinkingLayer does: an object added
// to a JITDylib becomes a MaterializationUnit whose symbols come from the
// object's symbol table; materializing it parses nothing twice, links the
// graph through a jitlink.LinkContext built on the session (external
// symbols are looked up across the dylib's link order), reports addresses
// and dependencies to the session, and keeps the memory under the unit's
// resource tracker so that removing the tracker frees it.
//
// Linker semantics that a static link gives a program are implemented
// here, on top of the session's weak-definition rules: COMDAT groups and
// weak definitions (the first definition wins; losing copies become
// references), common symbols (the chosen copy grows to the largest size
// and alignment seen), EH-frame registration, thread-local storage through
// the executor's TLS manager, and initializers/finalizers collected in the
// order a real linker would lay out .init_array/.fini_array across all
// objects. Generators for static archives and process symbols live in
// generators.go.
package objlayer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// Plugin observes and extends the links of a Layer, as LLVM's
// ObjectLinkingLayer::Plugin does.
type Plugin interface {
	// ModifyPassConfig may add passes to the link of g.
	ModifyPassConfig(r *orc.MaterializationResponsibility, g *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error
	// NotifyEmitted is called after g's memory is finalized.
	NotifyEmitted(r *orc.MaterializationResponsibility, g *jitlink.LinkGraph) error
}

// Initializer is one constructor or destructor collected from a linked
// object, with the keys that order it across objects.
type Initializer struct {
	Fn       shared.ExecutorAddr
	Priority uint32
	Preinit  bool
	Object   string // the object it came from
	// Key is the resource tracker the object was linked under.
	Key   orc.ResourceKey
	order int // the object's link order (command line, then archive loads)
	index int // position within the object
}

// Undefined is a required symbol that no definition satisfied.
type Undefined struct {
	Name string
	By   string // the object that referenced it
}

// vectorABISuffix is ir.VectorABISuffix (this package does not import
// ir): the suffix of functions with vectors in their signatures.
const vectorABISuffix = "$gorc.vecabi"

// UndefinedError lists every undefined symbol of a link and which object
// referenced it.
type UndefinedError struct {
	Syms []Undefined
}

func (e *UndefinedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "undefined symbols (%d):", len(e.Syms))
	for _, u := range e.Syms {
		fmt.Fprintf(&b, "\n  %s (referenced by %s)", u.Name, u.By)
		if base, ok := strings.CutSuffix(u.Name, vectorABISuffix); ok {
			fmt.Fprintf(&b, ": %s has a vector parameter or result, which gorc passes in its own convention, so it must be defined in IR (.ll) too, not in native code", base)
		}
	}
	return b.String()
}

// Layer is the object linking layer. Create it with New; it is safe for
// concurrent use.
type Layer struct {
	es *orc.ExecutionSession
	e  epc.ExecutorProcessControl

	mu        sync.Mutex
	mm        jitlink.MemoryManager
	plugins   []Plugin
	allocs    map[orc.ResourceKey][]jitlink.FinalizedAlloc
	commons   map[string]commonSize
	tls       map[string]jitlink.TLSRef
	extTLS    map[string]epc.ExternalTLS // thread-local symbols of the executor's libraries (ExternalTLS)
	tlsWait   func() error               // SetLibraryWait
	inits     []Initializer
	finis     []Initializer
	undefined map[Undefined]orc.ResourceKey // and the tracker of the referrer
	nextOrder int
	linked    int
	inflight  int
	idle      *sync.Cond // signalled when inflight drops to 0
	mods      modules    // per-tracker records for unloading (unload.go)
	// modLog holds the records of mods not yet applied (recordModule
	// runs off the first call's path); readers of mods flush it first.
	modLog *Backlog[modRecord]
}

type commonSize struct{ size, align uint64 }

// New returns a layer that links into memory from mm and reaches the
// executor through e (EH-frame registration, TLS). The layer registers
// itself as a resource manager of es.
func New(es *orc.ExecutionSession, e epc.ExecutorProcessControl, mm jitlink.MemoryManager) *Layer {
	l := &Layer{
		es:        es,
		e:         e,
		mm:        mm,
		allocs:    map[orc.ResourceKey][]jitlink.FinalizedAlloc{},
		commons:   map[string]commonSize{},
		tls:       map[string]jitlink.TLSRef{},
		extTLS:    map[string]epc.ExternalTLS{},
		undefined: map[Undefined]orc.ResourceKey{},
	}
	l.idle = sync.NewCond(&l.mu)
	l.modLog = NewBacklog(modBatch, l.applyModRecords)
	es.RegisterResourceManager(l)
	return l
}

// SetMemoryManager replaces the memory manager used by links that start
// afterwards (a facade may create the slab lazily, once it knows whether
// non-PIC objects need it below 2 GiB).
func (l *Layer) SetMemoryManager(mm jitlink.MemoryManager) {
	l.mu.Lock()
	l.mm = mm
	l.mu.Unlock()
}

// AddPlugin adds a plugin to every later link.
func (l *Layer) AddPlugin(p Plugin) {
	l.mu.Lock()
	l.plugins = append(l.plugins, p)
	l.mu.Unlock()
}

// Add parses the relocatable object data, named name in diagnostics, and
// defines its symbols in rt's dylib (jd's default tracker when rt is nil).
// The object is linked when one of its symbols is first looked up, or when
// its init symbol (returned) is.
func (l *Layer) Add(jd *orc.JITDylib, rt *orc.ResourceTracker, name string, data []byte) (orc.SymbolName, error) {
	g, err := elf.Parse(name, data)
	if err != nil {
		return orc.SymbolName{}, err
	}
	return l.AddGraph(jd, rt, g)
}

// AddGraph defines the symbols of an already parsed graph (see Add).
func (l *Layer) AddGraph(jd *orc.JITDylib, rt *orc.ResourceTracker, g *jitlink.LinkGraph) (orc.SymbolName, error) {
	var slot int
	if rt != nil {
		jd = rt.JITDylib()
		// The init symbol's name is recycled when rt is removed, so
		// adding and removing objects does not grow the name pool.
		slot = l.takeInitSlot(rt.Key())
	}
	u := l.newUnitSlot(g, slot)
	if err := jd.Define(u, rt); err != nil {
		if rt != nil {
			l.releaseInitSlot(rt.Key(), slot)
		}
		return orc.SymbolName{}, fmt.Errorf("objlayer: %s: %w", g.Name, err)
	}
	return u.init, nil
}

// initFlags are the section flags of initializers and finalizers.
const initFlags = jitlink.SectionInitArray | jitlink.SectionFiniArray | jitlink.SectionPreinitArray | jitlink.SectionCtors | jitlink.SectionDtors

// AddGraphNoInit is AddGraph for a caller that looks up the graph's own
// symbols to materialize it (a compile-on-demand unit looking up the
// functions it compiled) and so needs no init symbol: the unit gets none
// unless the graph has initializer or finalizer sections, which saves an
// interned name, a symbol-table entry and its notifications per object
// (one per lazily compiled function). It returns the init symbol when
// one was made.
func (l *Layer) AddGraphNoInit(jd *orc.JITDylib, rt *orc.ResourceTracker, g *jitlink.LinkGraph) (orc.SymbolName, error) {
	for _, sec := range g.Sections {
		if sec.Flags&initFlags != 0 {
			return l.AddGraph(jd, rt, g)
		}
	}
	if rt != nil {
		jd = rt.JITDylib()
	}
	u := l.newUnitSlot(g, -1)
	if err := jd.Define(u, rt); err != nil {
		return orc.SymbolName{}, fmt.Errorf("objlayer: %s: %w", g.Name, err)
	}
	return orc.SymbolName{}, nil
}

// isLocalOnly reports names that stay private to their graph even though
// the reader gives them global-looking scope: the linker-synthesized
// section bounds.
func isLocalOnly(name string) bool {
	return strings.HasPrefix(name, "__start_") || strings.HasPrefix(name, "__stop_")
}

func (l *Layer) newUnit(g *jitlink.LinkGraph) *objectUnit { return l.newUnitSlot(g, 0) }

// newUnitSlot makes the unit of g; its init symbol is named after slot
// (a recycled number from takeInitSlot), or after its link order when
// slot is 0; slot -1: no init symbol (AddGraphNoInit).
func (l *Layer) newUnitSlot(g *jitlink.LinkGraph, slot int) *objectUnit {
	l.mu.Lock()
	order := l.nextOrder
	l.nextOrder++
	l.mu.Unlock()
	n := 1 // the init symbol
	for _, s := range g.Symbols {
		if s.Name != "" && s.Scope != jitlink.ScopeLocal {
			n++
		}
	}
	// (discarded is made by the first Discard: most units have none.)
	u := &objectUnit{l: l, g: g, order: order, syms: make(orc.SymbolFlagsMap, n+len(g.Absolutes)),
		named: make([]namedSymbol, 0, n-1+len(g.Absolutes))}
	flags := make([]orc.JITSymbolFlags, 0, cap(u.named))
	add := func(s *jitlink.Symbol) {
		if s.Name == "" || s.Scope == jitlink.ScopeLocal || isLocalOnly(s.Name) {
			return
		}
		f := orc.Exported
		if s.Callable {
			f |= orc.Callable
		}
		if s.IsCommon() {
			f |= orc.Common
			l.mu.Lock()
			c := l.commons[s.Name]
			c.size = max(c.size, s.Size)
			c.align = max(c.align, s.Block.Align)
			l.commons[s.Name] = c
			l.mu.Unlock()
		} else if s.Linkage == jitlink.LinkageWeak {
			f |= orc.Weak
		}
		u.named = append(u.named, namedSymbol{s: s})
		flags = append(flags, f)
	}
	for _, s := range g.Symbols {
		add(s)
	}
	for _, s := range g.Absolutes {
		add(s)
	}
	// The names are interned together (one lock, two allocations).
	strs := make([]string, len(u.named))
	for i, d := range u.named {
		strs[i] = d.s.Name
	}
	names := make([]orc.SymbolName, len(u.named))
	l.es.InternAll(strs, names)
	for i := range u.named {
		u.named[i].name = names[i]
		u.syms[names[i]] = flags[i]
	}
	switch {
	case slot < 0:
		return u
	case slot != 0:
		u.init = l.es.Intern("$.gorc.init.r" + strconv.Itoa(slot) + "." + g.Name)
	default:
		u.init = l.es.Intern("$.gorc.init." + strconv.Itoa(order) + "." + g.Name)
	}
	u.syms[u.init] = orc.MaterializationSideEffectsOnly
	return u
}

// newUnitOne is newUnitSlot(g, -1) for a graph that must declare
// exactly the one definition n (EmitGraph for a responsibility of one
// symbol, a lazily compiled function): the name is n's, already
// interned, so the session's intern table is not searched again, and
// the unit has no syms map (it is linked for a responsibility, never
// defined). It returns nil if g declares anything else, or a common
// symbol.
func (l *Layer) newUnitOne(g *jitlink.LinkGraph, n orc.SymbolName) *objectUnit {
	var def *jitlink.Symbol
	for _, ss := range [2][]*jitlink.Symbol{g.Symbols, g.Absolutes} {
		for _, s := range ss {
			if s.Name == "" || s.Scope == jitlink.ScopeLocal || isLocalOnly(s.Name) {
				continue
			}
			if def != nil || s.Name != n.String() || s.IsCommon() {
				return nil
			}
			def = s
		}
	}
	if def == nil {
		return nil
	}
	l.mu.Lock()
	order := l.nextOrder
	l.nextOrder++
	l.mu.Unlock()
	// (No syms map: the unit is linked for r, never defined, so nothing
	// asks for its Symbols.)
	u := &objectUnit{l: l, g: g, order: order}
	u.one[0] = namedSymbol{s: def, name: n}
	u.named = u.one[:]
	return u
}

// objectUnit is the MaterializationUnit of one object.
type objectUnit struct {
	l     *Layer
	g     *jitlink.LinkGraph
	order int
	syms  orc.SymbolFlagsMap
	init  orc.SymbolName

	mu        sync.Mutex
	discarded map[string]bool

	members int          // objects merged into g (0: one)
	refs    []memberRefs // merged graphs: each member's external references

	// named are g's definitions the unit declares (those of syms but
	// the init symbol), with their interned names, in g's order
	// (Symbols, then Absolutes): prepare and NotifyResolved match the
	// graph against what the session left the unit by these, with no
	// map from name strings (a merged archive wave declares about 1,300).
	named []namedSymbol
	one   [1]namedSymbol // named's storage for a one-definition unit (newUnitOne)

	// queued: Queued has counted this unit's next link in l.inflight;
	// Materialize takes the count over (or counts the link itself).
	queued atomic.Bool

	// linkAs, if set, is the dylib whose search order resolves the
	// graph's external references (EmitGraph); else the target's.
	linkAs *orc.JITDylib
	// linked, if set, is told the addresses of the unit's definitions
	// once its memory is finalized, before they are emitted
	// (EmitGraphLinked).
	linked func(ctx context.Context, syms orc.SymbolMap)
}

// namedSymbol is a definition of a unit's graph and its interned name.
type namedSymbol struct {
	s    *jitlink.Symbol
	name orc.SymbolName
}

// memberRefs are the external references of one object merged into a
// unit's graph (the member's own map, untouched after the merge).
type memberRefs struct {
	name      string
	externals map[string]*jitlink.Symbol
}

// referrer names the object of u that referenced the external name (only
// needed to report undefined symbols).
func (u *objectUnit) referrer(name string) string {
	for _, r := range u.refs {
		if _, ok := r.externals[name]; ok {
			return r.name
		}
	}
	return u.g.Name
}

func (u *objectUnit) Name() string                { return u.g.Name }
func (u *objectUnit) Symbols() orc.SymbolFlagsMap { return u.syms }
func (u *objectUnit) InitSymbol() orc.SymbolName  { return u.init }

func (u *objectUnit) Discard(jd *orc.JITDylib, name orc.SymbolName) {
	u.mu.Lock()
	if u.discarded == nil {
		u.discarded = map[string]bool{}
	}
	u.discarded[name.String()] = true
	u.mu.Unlock()
}

// YieldToCommon reports whether this unit's strong definition of name may
// become a reference to a common definition of it already linked (an
// archive member defining "int x;" with -fno-common, pulled for another
// of its symbols after an object's tentative "int x;" was linked): GNU ld
// merges the two into the strong one; here the common already has its
// address, so the strong one may yield when that changes nothing: it is
// zero-initialized data no larger than the common.
func (u *objectUnit) YieldToCommon(name orc.SymbolName) bool {
	n := name.String()
	for _, d := range u.named {
		s := d.s
		if s.Name != n {
			continue
		}
		if s.Callable || s.Block == nil || s.Kind != jitlink.SymDefined {
			return false
		}
		if !s.Block.IsZeroFill() {
			end := s.Offset + s.Size
			if end > uint64(len(s.Block.Content)) {
				return false
			}
			for _, c := range s.Block.Content[s.Offset:end] {
				if c != 0 {
					return false
				}
			}
		}
		u.l.mu.Lock()
		c, ok := u.l.commons[n]
		u.l.mu.Unlock()
		return ok && s.Size <= c.size
	}
	return false
}

var _ orc.CommonYielder = (*objectUnit)(nil)

var _ orc.QueueObserver = (*objectUnit)(nil)

// Queued counts the link as in flight from the moment the session hands
// the unit to its dispatcher: a lookup that fails because another object
// failed returns at once, and Quiesce must then still wait for this link,
// whose goroutine may not have started, so that Undefined lists its
// missing names too.
func (u *objectUnit) Queued() {
	if !u.queued.Swap(true) {
		u.l.addInflight()
	}
}

func (l *Layer) addInflight() {
	l.mu.Lock()
	l.inflight++
	l.mu.Unlock()
}

func (u *objectUnit) Materialize(ctx context.Context, r *orc.MaterializationResponsibility) {
	l := u.l
	if !u.queued.Swap(false) {
		l.addInflight() // (materialized without the session's Queued call)
	}
	defer func() {
		l.mu.Lock()
		l.inflight--
		if l.inflight == 0 {
			l.idle.Broadcast()
		}
		l.mu.Unlock()
	}()
	if err := u.link(ctx, r); err != nil {
		r.FailMaterialization(err)
	}
}

// link links u's graph as r's materialization.
func (u *objectUnit) link(ctx context.Context, r *orc.MaterializationResponsibility) error {
	lc, err := u.prepare(r)
	if err == nil {
		lc.dso, err = u.l.moduleHandle(ctx, r)
	}
	if err != nil {
		return err
	}
	return jitlink.Link(ctx, u.g, lc)
}

// EmitGraph links g as the materialization of r itself (LLVM's
// ObjectLinkingLayer::emit), where AddGraphNoInit would define g's
// symbols in a dylib of their own for r's unit to look up: a lazy
// compile's function, compiled by the unit that owns it, is linked
// without a second unit, a second lookup and the dependence between the
// two. External references are resolved as for a graph added to linkAs
// (linkAs, then its link order); the memory is r's tracker's. r must own
// exactly g's definitions, and g have no initializers: otherwise EmitGraph
// returns ok false and leaves r as it was (the caller adds g as usual).
// The error is the link's; r has not been failed, and is the caller's to
// fail.
func (l *Layer) EmitGraph(ctx context.Context, r *orc.MaterializationResponsibility, g *jitlink.LinkGraph, linkAs *orc.JITDylib) (ok bool, err error) {
	return l.EmitGraphLinked(ctx, r, g, linkAs, nil)
}

// EmitGraphLinked is EmitGraph that, when linked is not nil, tells linked
// the addresses of r's symbols once g's memory is finalized and before
// they are emitted (so before any waiter sees them Ready): a lazy
// session points the functions' stubs at their code there (as
// lazy.WithLinked does for a unit that adds its graph to impl).
func (l *Layer) EmitGraphLinked(ctx context.Context, r *orc.MaterializationResponsibility, g *jitlink.LinkGraph, linkAs *orc.JITDylib, linked func(ctx context.Context, syms orc.SymbolMap)) (ok bool, err error) {
	for _, sec := range g.Sections {
		if sec.Flags&initFlags != 0 {
			return false, nil
		}
	}
	var u *objectUnit
	if n, _, one := r.SingleSymbol(); one {
		if u = l.newUnitOne(g, n); u == nil {
			return false, nil
		}
	} else {
		u = l.newUnitSlot(g, -1)
		owned := r.Symbols()
		if len(owned) != len(u.syms) {
			return false, nil
		}
		for n := range u.syms {
			if _, ok := owned[n]; !ok {
				return false, nil
			}
		}
	}
	u.linkAs, u.linked = linkAs, linked
	l.addInflight()
	defer func() {
		l.mu.Lock()
		l.inflight--
		if l.inflight == 0 {
			l.idle.Broadcast()
		}
		l.mu.Unlock()
	}()
	return true, u.link(ctx, r)
}

// prepare applies the session's verdicts to the graph before linking:
// definitions this unit no longer owns (another object's weak, COMDAT or
// common definition won, or a strong one overrode ours) become external
// references; owned commons grow to the largest size seen; owned symbols
// are kept alive.
func (u *objectUnit) prepare(r *orc.MaterializationResponsibility) (*linkContext, error) {
	g := u.g
	owned := r.Symbols()
	u.mu.Lock()
	discarded := u.discarded
	u.mu.Unlock()
	// The graph is as newUnitSlot saw it (nothing changes it before its
	// materialization): its declared definitions are u.named.
	var lose []*jitlink.Symbol
	// kept: the declared definitions the unit still owns, each looked up
	// once here for this walk, the one below and NotifyResolved's.
	kept := make([]keptSymbol, 0, len(u.named))
	for i, d := range u.named {
		f, ok := owned[d.name]
		if !ok || discarded[d.s.Name] {
			lose = append(lose, d.s)
			continue
		}
		kept = append(kept, keptSymbol{i: int32(i), f: f})
	}
	for _, s := range lose {
		if err := g.MakeExternal(s); err != nil {
			return nil, err
		}
	}
	u.l.mu.Lock()
	commons := u.l.commons
	for _, k := range kept {
		// (A discarded name's symbol was lost above: it is external now,
		// as it was when this walk looked the name up again.)
		s := u.named[k.i].s
		if s.Kind == jitlink.SymDefined {
			s.Live = true
			if s.IsCommon() {
				c := commons[s.Name]
				if err := g.ResizeCommon(s, c.size, c.align); err != nil {
					u.l.mu.Unlock()
					return nil, err
				}
			}
		}
	}
	mm := u.l.mm
	plugins := append([]Plugin(nil), u.l.plugins...)
	u.l.mu.Unlock()
	if mm == nil {
		return nil, fmt.Errorf("objlayer: %s: %w", g.Name, ErrNoMemoryManager)
	}
	return &linkContext{u: u, r: r, mm: mm, plugins: plugins, owned: owned, kept: kept}, nil
}

// keptSymbol is a declared definition of a unit (u.named[i]) that its
// materialization owns, with its flags.
type keptSymbol struct {
	i int32
	f orc.JITSymbolFlags
}

// linkContext is the jitlink.LinkContext of one materialization.
type linkContext struct {
	u       *objectUnit
	r       *orc.MaterializationResponsibility
	mm      jitlink.MemoryManager
	plugins []Plugin
	owned   orc.SymbolFlagsMap
	kept    []keptSymbol // of u.named, those in owned and not discarded (prepare)

	tlsBlock *epc.TLSBlock
	tlsReq   epc.TLSRequest      // what tlsBlock was allocated for
	tlsKept  bool                // tlsBlock is recorded under the tracker
	dso      shared.ExecutorAddr // the tracker's module DSO handle, or 0
	resolved bool
	deps     map[*orc.JITDylib][]orc.SymbolName
	tlsExt   []string                // the graph's external thread-local symbols (ModifyPassConfig)
	order    orc.JITDylibSearchOrder // searchOrder's, once made
	// syms: what NotifyResolved told r, kept for u.linked.
	syms orc.SymbolMap
}

var _ jitlink.TLSLinkContext = (*linkContext)(nil)

func (c *linkContext) MemoryManager() jitlink.MemoryManager { return c.mm }

func (c *linkContext) ModifyPassConfig(g *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error {
	// Addresses are final once memory is allocated: tell the session
	// then, before looking anything up, so that objects referring to each
	// other (a cycle) find each other Resolved instead of waiting.
	cfg.PostAllocation = append(cfg.PostAllocation, c.notifyResolvedEarly)
	cfg.PostFixup = append(cfg.PostFixup, c.addActions)
	for n, s := range g.Externals {
		if s.TLS {
			c.tlsExt = append(c.tlsExt, n) // (LookupExternals asks the executor about them first)
		}
	}
	for _, p := range c.plugins {
		if err := p.ModifyPassConfig(c.r, g, cfg); err != nil {
			return err
		}
	}
	return nil
}

func (c *linkContext) notifyResolvedEarly(g *jitlink.LinkGraph) error {
	if err := c.NotifyResolved(context.Background(), g); err != nil {
		return err
	}
	c.resolved = true
	return nil
}

// addActions attaches the executor-side actions of a finalized graph:
// EH-frame registration and the TLS initialization image.
func (c *linkContext) addActions(g *jitlink.LinkGraph) error {
	e := c.u.l.e
	if r := g.EHFrameRange(); r.Size() > 0 {
		a, err := epc.EHFrameActions(e, r)
		if err != nil {
			return fmt.Errorf("EH frame: %w", err)
		}
		g.AllocActions = append(g.AllocActions, a)
	}
	if g.TLS != nil && g.TLS.InitSize > 0 && c.tlsBlock != nil {
		a, err := epc.TLSImageAction(e, *c.tlsBlock, 0, g.TLS.InitAddr, g.TLS.InitSize)
		if err != nil {
			return fmt.Errorf("TLS image: %w", err)
		}
		g.AllocActions = append(g.AllocActions, a)
	}
	if c.dso != 0 {
		a, err := moduleActions(e, c.dso, g)
		if err != nil {
			return fmt.Errorf("module range: %w", err)
		}
		g.AllocActions = append(g.AllocActions, a...)
	}
	return nil
}

// searchOrder is the order externals are looked up in: the target dylib,
// then its link order, each with all its symbols visible. It is made
// once a link (ResolveEarly and LookupExternals both ask), in one slice
// with the link order copied into it (JITDylib.AppendLinkOrder).
func (c *linkContext) searchOrder() orc.JITDylibSearchOrder {
	if c.order != nil {
		return c.order
	}
	jd := c.r.GetTargetJITDylib()
	if c.u.linkAs != nil {
		jd = c.u.linkAs
	}
	order := make(orc.JITDylibSearchOrder, 1, 6)
	order[0] = orc.JITDylibSearchEntry{JD: jd, Flags: orc.MatchAllSymbols}
	order = jd.AppendLinkOrder(order)
	if len(order) > 1 && order[1].JD == jd {
		order = order[1:] // (the link order begins with jd itself)
	}
	for i := range order {
		order[i].Flags = orc.MatchAllSymbols
	}
	c.order = order
	return order
}

var _ jitlink.EarlyResolver = (*linkContext)(nil)

// ResolveEarly gives the graph's externals that the session has already
// resolved (a lazily compiled function's callee stubs, the runtime)
// their addresses before the post-prune passes (jitlink.EarlyResolver),
// recording the dependencies as LookupExternals would: the link looks
// up only the rest, and a branch to one in reach needs no GOT entry and
// stub. It only reads the session (ResolvedNow): nothing is looked up or
// materialized.
func (c *linkContext) ResolveEarly(ctx context.Context, g *jitlink.LinkGraph) {
	es := c.u.l.es
	set := make(orc.SymbolLookupSet, 0, len(g.Externals))
	// The externals' symbols, beside set: not looked up by name again
	// (a lazily compiled function has a few; more go to the heap).
	var buf [8]*jitlink.Symbol
	syms := buf[:0]
	for n, s := range g.Externals {
		if s.TLS || n == dsoHandleName {
			continue // (ExternalTLS and the module handle need LookupExternals)
		}
		set = append(set, orc.SymbolLookupEntry{Name: es.Intern(n), Flags: orc.WeaklyReferencedSymbol})
		syms = append(syms, s)
	}
	if len(set) == 0 {
		return
	}
	now := es.ResolvedNow(c.searchOrder(), set)
	// Each dylib's list is stored in deps when the walk moves on to
	// another dylib (and at the end), not at every name: they mostly
	// come from one.
	var inJD *orc.JITDylib
	var list []orc.SymbolName
	for i, e := range set {
		r := now[i]
		if r.In == nil {
			continue
		}
		g.SetEarlyAddress(syms[i], r.Def.Addr)
		if c.deps == nil {
			c.deps = map[*orc.JITDylib][]orc.SymbolName{}
		}
		if r.In != inJD {
			if inJD != nil {
				c.deps[inJD] = list
			}
			inJD, list = r.In, c.deps[r.In]
			if list == nil {
				list = make([]orc.SymbolName, 0, len(set)-i) // (room for the rest at once)
			}
		}
		list = append(list, e.Name)
	}
	if inJD != nil {
		c.deps[inJD] = list
	}
}

// LookupExternals resolves the graph's externals through the session,
// dylib by dylib along the target dylib's link order, so that each
// dependency is recorded against the dylib that defined it. Every name is
// looked up as weakly referenced; missing required names are collected
// into one UndefinedError (and recorded in the layer, see Undefined).
func (c *linkContext) LookupExternals(ctx context.Context, syms map[string]jitlink.SymbolLookupFlags) (map[string]jitlink.ExternalDef, error) {
	es := c.u.l.es
	if len(c.tlsExt) > 0 {
		c.u.l.resolveLibraryTLS(ctx, c.tlsExt)
	}
	order := c.searchOrder()
	res := make(map[string]jitlink.ExternalDef, len(syms))
	if c.deps == nil {
		c.deps = map[*orc.JITDylib][]orc.SymbolName{} // (ResolveEarly may have begun it)
	}
	set := make(orc.SymbolLookupSet, 0, len(syms))
	for n := range syms {
		if n == dsoHandleName && c.dso != 0 {
			// An unloadable module's own handle (crtbegin.o defines it
			// hidden in every DSO): its C++ destructors register under it.
			res[dsoHandleName] = jitlink.ExternalDef{Addr: c.dso}
			continue
		}
		set = append(set, orc.SymbolLookupEntry{Name: es.Intern(n), Flags: orc.WeaklyReferencedSymbol})
	}
	// Most externals (the runtime, callees' stubs) are defined and
	// resolved long before (and then given by ResolveEarly, which is
	// called first): take them without a lookup, and look up only the
	// rest, from the first dylib that might define them.
	now := es.ResolvedNow(order, set)
	// (pending is made for the first name not resolved yet: after a
	// lazily compiled function's compile has defined its callees' stubs,
	// usually none.)
	var pending map[orc.SymbolName]string
	start := len(order)
	for i, e := range set {
		if r := now[i]; r.In != nil {
			res[e.Name.String()] = jitlink.ExternalDef{Addr: r.Def.Addr}
			c.deps[r.In] = append(c.deps[r.In], e.Name)
			continue
		}
		if pending == nil {
			pending = make(map[orc.SymbolName]string, len(set)-i)
		}
		pending[e.Name] = e.Name.String()
		start = min(start, now[i].From)
	}
	for k := min(start, len(order)); k < len(order); k++ {
		ent := order[k]
		if len(pending) == 0 {
			break
		}
		var set orc.SymbolLookupSet
		for n := range pending {
			set = set.Add(n, orc.WeaklyReferencedSymbol)
		}
		found, err := es.Lookup(ctx, orc.JITDylibSearchOrder{{JD: ent.JD, Flags: orc.MatchAllSymbols}}, set, orc.SymbolStateResolved)
		if err != nil {
			// Another object failed. Still find this object's own
			// missing symbols (one lookup each, only on this error
			// path), so the final report lists every undefined name.
			c.recordMissing(ctx, order[k:], pending, syms)
			return nil, err
		}
		for n, d := range found {
			res[pending[n]] = jitlink.ExternalDef{Addr: d.Addr}
			c.deps[ent.JD] = append(c.deps[ent.JD], n)
			delete(pending, n)
		}
	}
	var missing []Undefined
	for _, n := range pending {
		if syms[n] == jitlink.LookupRequired {
			missing = append(missing, Undefined{Name: n, By: c.u.referrer(n)})
		}
	}
	if len(missing) > 0 {
		sort.Slice(missing, func(i, j int) bool { return missing[i].Name < missing[j].Name })
		key := c.trackerKey()
		c.u.l.mu.Lock()
		for _, m := range missing {
			c.u.l.undefined[m] = key
		}
		c.u.l.mu.Unlock()
		return nil, &UndefinedError{Syms: missing}
	}
	return res, nil
}

// recordMissing records the required names of pending that no definition
// or generator in order (the rest of the search order, from the dylib
// whose lookup failed) provides: a name defined by a later dylib (a
// library's) is not missing.
func (c *linkContext) recordMissing(ctx context.Context, order orc.JITDylibSearchOrder, pending map[orc.SymbolName]string, syms map[string]jitlink.SymbolLookupFlags) {
	es := c.u.l.es
	for n, name := range pending {
		if syms[name] != jitlink.LookupRequired {
			continue
		}
		set := orc.SymbolLookupSet{}.Add(n, orc.WeaklyReferencedSymbol)
		found, err := es.Lookup(ctx, order, set, orc.SymbolStateResolved)
		if err == nil && len(found) == 0 {
			key := c.trackerKey()
			c.u.l.mu.Lock()
			c.u.l.undefined[Undefined{Name: name, By: c.u.referrer(name)}] = key
			c.u.l.mu.Unlock()
		}
	}
}

func (c *linkContext) NotifyResolved(ctx context.Context, g *jitlink.LinkGraph) error {
	if c.resolved {
		return nil
	}
	syms := make(orc.SymbolMap, len(c.owned))
	var tls map[string]jitlink.TLSRef
	for _, k := range c.kept {
		d := c.u.named[k.i]
		s := d.s
		if s.Kind == jitlink.SymExternal {
			continue // lost to another definition (prepare)
		}
		syms[d.name] = orc.ExecutorSymbolDef{Addr: s.Address(), Flags: k.f}
		if ref, ok := g.TLSRefOf(s); ok {
			if tls == nil {
				tls = map[string]jitlink.TLSRef{}
			}
			tls[s.Name] = ref
		}
	}
	// Every owned name but the init symbol is one of u.named (which
	// are never side-effects-only): when syms has as many names, each
	// owned name with an address has one, and the walk is not needed.
	expect := len(c.owned)
	if _, ok := c.owned[c.u.init]; ok && !c.u.init.IsZero() {
		expect--
	}
	if len(syms) != expect {
		for n, f := range c.owned {
			if _, ok := syms[n]; !ok && !f.HasSideEffectsOnly() {
				return fmt.Errorf("objlayer: %s: symbol %s was declared but is not defined after dead-stripping", g.Name, n)
			}
		}
	}
	if len(tls) > 0 {
		c.u.l.mu.Lock()
		for n, r := range tls {
			c.u.l.tls[n] = r
		}
		c.u.l.mu.Unlock()
	}
	if c.u.linked != nil {
		c.syms = syms
	}
	return c.r.NotifyResolved(syms)
}

func (c *linkContext) NotifyFinalized(ctx context.Context, g *jitlink.LinkGraph, alloc jitlink.FinalizedAlloc) error {
	l := c.u.l
	var key orc.ResourceKey
	err := c.r.WithResourceKeyDo(func(k orc.ResourceKey) {
		key = k
		l.mu.Lock()
		l.allocs[k] = append(l.allocs[k], alloc)
		// Queued under the session lock, so a removal or transfer of
		// k (which flushes the backlog first) cannot miss it.
		l.modLog.Add(modRecord{key: k, jd: c.r.GetTargetJITDylib(), object: g.Name, owned: c.owned, deps: c.deps})
		if c.tlsBlock != nil {
			l.keepTLSLocked(k, c.tlsReq, *c.tlsBlock)
			c.tlsKept = true
		}
		// Under the session lock too: recorded after it, a removal
		// of k in between left the initializers of freed code listed
		// (and a transfer left them under the old key).
		l.recordInitsLocked(c.u, g, k)
		l.mu.Unlock()
	})
	if err != nil {
		// The tracker was removed while linking: free the memory now.
		return errors.Join(err, c.mm.Deallocate(context.WithoutCancel(ctx), []jitlink.FinalizedAlloc{alloc}))
	}
	if finalizedHook != nil {
		finalizedHook(key)
	}
	if c.u.linked != nil {
		c.u.linked(ctx, c.syms)
	}
	for _, p := range c.plugins {
		if err := p.NotifyEmitted(c.r, g); err != nil {
			return err
		}
	}
	// One group, every owned symbol (c.owned, unless the session took
	// some back meanwhile, which objlayer does not do).
	return c.r.NotifyEmittedAll(c.deps)
}

// finalizedHook, when set (by a test), is called by NotifyFinalized once
// the graph's records are kept under key, before the plugins are told.
var finalizedHook func(key orc.ResourceKey)

func (c *linkContext) NotifyFailed(ctx context.Context, g *jitlink.LinkGraph, err error) {
	if c.tlsBlock != nil && !c.tlsKept {
		c.u.l.releaseTLS(c.tlsReq, *c.tlsBlock)
	}
}

func (c *linkContext) ResolveTLS(ctx context.Context, g *jitlink.LinkGraph, t jitlink.TLSTemplate) (jitlink.TLSLayout, error) {
	l := c.u.l
	e := l.e
	req := epc.TLSRequest{Size: max(t.Size, 1), Align: t.Align, ImageSize: t.InitSize}
	// glibc never gives static TLS back: reuse the block of a removed
	// object with the same shape before taking new surplus.
	b, ok := l.takeFreeTLS(req)
	if !ok {
		var err error
		if b, err = e.AllocateTLS(ctx, req); err != nil {
			return jitlink.TLSLayout{}, err
		}
	}
	c.tlsReq, c.tlsBlock = req, &b
	return jitlink.TLSLayout{Static: true, TPOffset: b.TPOffset, Module: b.ModuleID, GetAddr: e.BootstrapSymbols()[epc.TLSGetAddrName]}, nil
}

func (c *linkContext) ExternalTLS(ctx context.Context, name string, addr shared.ExecutorAddr) (jitlink.TLSLayout, uint64, error) {
	l := c.u.l
	l.mu.Lock()
	ref, ok := l.tls[name]
	x, lib := l.extTLS[name]
	l.mu.Unlock()
	if ok {
		return ref.Layout, ref.Offset, nil
	}
	if !lib {
		// Not asked before the lookup (ModifyPassConfig did not see it): ask
		// now. (The lookup's dlsym may have made the module's TLS
		// dynamic: general-dynamic accesses still work.)
		l.resolveLibraryTLS(ctx, []string{name})
		l.mu.Lock()
		x, lib = l.extTLS[name]
		l.mu.Unlock()
	}
	if !lib {
		return jitlink.TLSLayout{}, 0, fmt.Errorf("thread-local symbol %s is not defined by a JIT'd object or a loaded library", name)
	}
	tl := jitlink.TLSLayout{Static: x.Static, TPOffset: x.TPOffset - int64(x.Offset), Module: x.ModuleID,
		GetAddr: l.e.BootstrapSymbols()[epc.TLSGetAddrName]}
	if !x.Static {
		tl.Why = fmt.Sprintf("%s is defined in %s, whose TLS is dynamic: %s", name, x.Library, x.Why)
	}
	return tl, x.Offset, nil
}

// SetLibraryWait sets a function the layer calls before it asks the
// executor about thread-local symbols of its libraries: one that returns
// once the shared libraries still loading are loaded (as the process
// symbol generator waits for them, jit.WaitBeforeProcessSymbols).
func (l *Layer) SetLibraryWait(wait func() error) {
	l.mu.Lock()
	l.tlsWait = wait
	l.mu.Unlock()
}

// resolveLibraryTLS asks the executor, in one request, where the
// thread-local symbols names not defined by JIT'd objects nor asked
// before live in its loaded libraries (epc.ExternalTLSResolver), and
// records those found. It runs before the graph's externals are looked
// up: the executor's dlsym of a thread-local symbol allocates its
// module's block dynamically, after which glibc never puts it in static
// TLS (and initial-exec accesses could not be linked). Errors are left
// for ExternalTLS to report (the symbol is then not found).
func (l *Layer) resolveLibraryTLS(ctx context.Context, names []string) {
	tr, ok := l.e.(epc.ExternalTLSResolver)
	if !ok {
		return
	}
	l.mu.Lock()
	wait := l.tlsWait
	l.mu.Unlock()
	if wait != nil && wait() != nil {
		return // (the lookup reports the library's failure)
	}
	var ask []string
	l.mu.Lock()
	for _, n := range names {
		_, jit := l.tls[n]
		_, lib := l.extTLS[n]
		if !jit && !lib {
			ask = append(ask, n)
		}
	}
	l.mu.Unlock()
	if len(ask) == 0 {
		return
	}
	rs, err := tr.ResolveExternalTLS(ctx, ask)
	if err != nil {
		return
	}
	l.mu.Lock()
	for i, r := range rs {
		if r.Found {
			l.extTLS[ask[i]] = r
		}
	}
	l.mu.Unlock()
}

// recordInitsLocked records the constructors and destructors of g,
// linked under key. l.mu held (and the session's lock: see
// NotifyFinalized).
func (l *Layer) recordInitsLocked(u *objectUnit, g *jitlink.LinkGraph, key orc.ResourceKey) {
	l.linked += max(u.members, 1)
	for i, f := range g.Inits {
		l.inits = append(l.inits, Initializer{Fn: f.Fn, Priority: f.Priority, Preinit: f.Kind == jitlink.InitPreinit, Object: g.Name, Key: key, order: u.order, index: i})
	}
	// g.Finis is in run order; store it in .fini_array order.
	n := len(g.Finis)
	for i := range g.Finis {
		f := g.Finis[n-1-i]
		l.finis = append(l.finis, Initializer{Fn: f.Fn, Priority: f.Priority, Object: g.Name, Key: key, order: u.order, index: i})
	}
}

// Initializers returns the constructors and destructors of every object
// linked so far, in run order across objects: preinit first, then by
// ascending priority, then in link order (as GNU ld's
// SORT_BY_INIT_PRIORITY lays out .init_array); destructors in the reverse
// of the .fini_array order ld would build.
func (l *Layer) Initializers() (inits, finis []Initializer) {
	l.mu.Lock()
	inits = append([]Initializer(nil), l.inits...)
	finis = append([]Initializer(nil), l.finis...)
	l.mu.Unlock()
	// Objects finish linking in any order: put the entries in the layout
	// order of a static link (objects in link order, entries within an
	// object in its own layout order), then apply the linker's rule.
	layout := func(xs []Initializer) func(i, j int) bool {
		return func(i, j int) bool {
			a, b := xs[i], xs[j]
			if a.order != b.order {
				return a.order < b.order
			}
			return a.index < b.index
		}
	}
	sort.SliceStable(inits, layout(inits))
	sort.SliceStable(finis, layout(finis))
	jitlink.SortInitializers(inits, finis,
		func(x Initializer) bool { return x.Preinit },
		func(x Initializer) uint32 { return x.Priority })
	return inits, finis
}

// TakeInitializers returns Initializers and forgets them, so that a later
// call returns only those of objects linked since (for REPL-style use).
func (l *Layer) TakeInitializers() (inits, finis []Initializer) {
	inits, finis = l.Initializers()
	l.mu.Lock()
	l.inits, l.finis = nil, nil
	l.mu.Unlock()
	return inits, finis
}

// Undefined returns every undefined symbol recorded by failed links, with
// the object that referenced it, sorted by name. It returns nil when
// nothing was missing.
func (l *Layer) Undefined() error {
	l.mu.Lock()
	var syms []Undefined
	for u := range l.undefined {
		syms = append(syms, u)
	}
	l.mu.Unlock()
	if len(syms) == 0 {
		return nil
	}
	sort.Slice(syms, func(i, j int) bool {
		if syms[i].Name != syms[j].Name {
			return syms[i].Name < syms[j].Name
		}
		return syms[i].By < syms[j].By
	})
	return &UndefinedError{Syms: syms}
}

// Quiesce waits until no link of this layer is in progress, so that
// Undefined sees every object's missing symbols after a failed lookup
// (the lookup fails as soon as one object fails; others may still be
// linking).
func (l *Layer) Quiesce() {
	l.mu.Lock()
	for l.inflight > 0 {
		l.idle.Wait()
	}
	l.mu.Unlock()
}

// Linked returns the number of graphs linked so far.
func (l *Layer) Linked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.linked
}

// HandleRemoveResources frees the memory of every graph linked under key
// (running its deallocation actions: EH frames deregistered, module
// ranges dropped) and forgets its initializers, definitions and
// references.
func (l *Layer) HandleRemoveResources(ctx context.Context, jd *orc.JITDylib, key orc.ResourceKey) error {
	l.modLog.Flush()
	l.mu.Lock()
	allocs := l.allocs[key]
	delete(l.allocs, key)
	l.forgetKeyLocked(key)
	mm := l.mm
	l.mu.Unlock()
	if len(allocs) == 0 || mm == nil {
		return nil
	}
	if err := mm.Deallocate(ctx, allocs); err != nil {
		return fmt.Errorf("objlayer: free memory of JITDylib %s: %w", jd.Name(), err)
	}
	return nil
}

// HandleTransferResources moves the allocations of src to dst.
func (l *Layer) HandleTransferResources(jd *orc.JITDylib, dst, src orc.ResourceKey) {
	l.modLog.Flush()
	l.mu.Lock()
	l.allocs[dst] = append(l.allocs[dst], l.allocs[src]...)
	delete(l.allocs, src)
	l.transferKeyLocked(dst, src)
	l.mu.Unlock()
}

// dsoHandleName is the symbol C++ code registers its static destructors
// under (__cxa_atexit(dtor, obj, &__dso_handle)).
const dsoHandleName = "__dso_handle"

// ErrNoMemoryManager is returned when a link starts before a memory
// manager was set.
var ErrNoMemoryManager = errors.New("objlayer: no memory manager")
