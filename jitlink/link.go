package jitlink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/gorc-jit/gorc/internal/diag"
	"github.com/gorc-jit/gorc/shared"
)

// Pass is one step of the link pipeline. Passes mutate the graph.
type Pass func(g *LinkGraph) error

// PassConfiguration lists the passes run at each phase of Link, in order.
// Architectures install their defaults (GOT/stub building, relaxation);
// the LinkContext and its plugins may add more in ModifyPassConfig.
type PassConfiguration struct {
	// PrePrune passes run before dead-stripping (mark symbols live,
	// discard COMDAT copies, merge commons).
	PrePrune []Pass
	// PostPrune passes run after dead-stripping and before allocation:
	// the last chance to add blocks (GOT entries, stubs).
	PostPrune []Pass
	// PostAllocation passes run when block addresses are known, before
	// external symbols are looked up.
	PostAllocation []Pass
	// PreFixup passes run when every address is known (relaxation).
	PreFixup []Pass
	// PostFixup passes run after fixups, before finalization (collect
	// initializers, attach AllocActions such as EH-frame registration).
	PostFixup []Pass
}

// SymbolLookupFlags say whether a looked-up symbol must exist.
type SymbolLookupFlags uint8

const (
	// LookupRequired: a missing definition is an error.
	LookupRequired SymbolLookupFlags = iota
	// LookupWeak: a missing definition resolves to address 0.
	LookupWeak
)

// ExternalDef is the resolved definition of an external symbol.
type ExternalDef struct {
	Addr shared.ExecutorAddr
}

// LinkContext connects a link to its environment (the session, through the
// adapter in orc/objlayer). Link calls its methods in this order:
// ModifyPassConfig, (ResolveEarly and MemoryManager, for an EarlyResolver),
// MemoryManager, (ResolveTLS), NotifyResolved, LookupExternals (for the
// externals not given early), (ExternalTLS), NotifyFinalized — or
// NotifyFailed once if anything goes wrong. Calls for one graph never overlap; Link may run
// concurrently for different graphs.
type LinkContext interface {
	// MemoryManager returns the allocator for this graph.
	MemoryManager() MemoryManager
	// ModifyPassConfig may add passes (plugins) after the architecture's
	// defaults have been installed.
	ModifyPassConfig(g *LinkGraph, cfg *PassConfiguration) error
	// LookupExternals resolves the graph's live external symbols. Missing
	// weak symbols may be omitted from the result (they resolve to 0);
	// a missing required symbol must be an error (listing every missing
	// name). It may block; it must honour ctx.
	LookupExternals(ctx context.Context, syms map[string]SymbolLookupFlags) (map[string]ExternalDef, error)
	// NotifyResolved is called once every defined symbol of the graph has
	// its final address (right after allocation), before externals are
	// looked up and before the content is fixed up and finalized; the
	// session can then mark the graph's definitions Resolved, so graphs
	// that depend on each other in a cycle can all proceed.
	NotifyResolved(ctx context.Context, g *LinkGraph) error
	// NotifyFinalized hands over the finalized allocation; the graph's
	// code may now run.
	NotifyFinalized(ctx context.Context, g *LinkGraph, alloc FinalizedAlloc) error
	// NotifyFailed reports the error that ended the link.
	NotifyFailed(ctx context.Context, g *LinkGraph, err error)
}

// EarlyResolver is implemented by link contexts that know, before the
// post-prune passes run, the final addresses of some of a graph's
// externals (a session's symbols that are already resolved). Link calls
// ResolveEarly after dead-stripping; it gives each external it can
// answer its address with g.SetEarlyAddress, recording then whatever it
// needs (dependencies): Link leaves those externals out of
// LookupExternals, and with a memory manager's promised range
// (RangePromiser) a pass may use their addresses to leave out stubs
// (jitlink/amd64's BuildGOTAndStubs).
type EarlyResolver interface {
	ResolveEarly(ctx context.Context, g *LinkGraph)
}

// TLSLinkContext is implemented by link contexts that can host thread-local
// data. Link calls ResolveTLS after allocation for graphs with TLS sections.
type TLSLinkContext interface {
	// ResolveTLS places the graph's TLS template (called after allocation).
	ResolveTLS(ctx context.Context, g *LinkGraph, tmpl TLSTemplate) (TLSLayout, error)
	// ExternalTLS describes an external thread-local symbol: the layout of
	// the TLS image that defines it and its offset in that image. addr is
	// what LookupExternals returned for it (the address of the symbol in
	// its defining graph's template, sym.Address() there).
	ExternalTLS(ctx context.Context, name string, addr shared.ExecutorAddr) (TLSLayout, uint64, error)
}

// TLSRef is where a thread-local symbol lives: its image's layout and its
// offset in the image.
type TLSRef struct {
	Layout TLSLayout
	Offset uint64
}

// TLSRefOf returns where thread-local symbol s lives, for defined symbols
// of g (after allocation and ResolveTLS) and for external ones (after
// resolution).
func (g *LinkGraph) TLSRefOf(s *Symbol) (TLSRef, bool) {
	if !s.TLS {
		return TLSRef{}, false
	}
	if s.Kind == SymDefined {
		if g.TLS == nil || g.TLSLayout == nil {
			return TLSRef{}, false
		}
		return TLSRef{Layout: *g.TLSLayout, Offset: uint64(s.Address() - g.TLS.InitAddr)}, true
	}
	r, ok := g.externalTLS[s]
	return r, ok
}

// TLSTemplate is a graph's thread-local storage image: InitSize bytes of
// initial data at InitAddr (in the graph's read-only memory, valid after
// finalization), followed by Size-InitSize zero bytes. Each thread needs a
// copy aligned to Align. A TLS symbol's offset in the image is
// sym.Address() - InitAddr.
type TLSTemplate struct {
	InitAddr shared.ExecutorAddr
	InitSize uint64
	Size     uint64
	Align    uint64
}

// TLSLayout says where the executor placed a graph's TLS image.
type TLSLayout struct {
	// Static is true when the image sits in the static TLS block at
	// %fs:TPOffset in every thread; the linker then turns initial-exec,
	// general- and local-dynamic accesses into %fs-relative constants.
	Static   bool
	TPOffset int64
	// Module is the tls_index module id for general/local-dynamic
	// accesses that are not relaxed.
	Module uint64
	// GetAddr is a __tls_get_addr-compatible function for this module
	// (references to __tls_get_addr in the graph are bound to it).
	GetAddr shared.ExecutorAddr
	// Why says, when !Static, why the image is not in static TLS (an
	// external symbol of a library whose TLS glibc allocates
	// dynamically); the error of an initial-exec access quotes it.
	Why string
}

// TLSGetAddrName is the name of the dynamic TLS resolver.
const TLSGetAddrName = "__tls_get_addr"

// InitKind classifies an initializer or finalizer.
type InitKind uint8

const (
	// InitPreinit: .preinit_array.
	InitPreinit InitKind = iota
	// InitArray: .init_array.
	InitArray
	// InitCtors: .ctors.
	InitCtors
	// FiniArray: .fini_array.
	FiniArray
	// FiniDtors: .dtors.
	FiniDtors
)

// InitFunc is one constructor or destructor of a graph.
type InitFunc struct {
	Kind     InitKind
	Priority uint32
	Fn       shared.ExecutorAddr
}

// Link runs the whole pipeline on g: passes, dead-stripping, allocation,
// external resolution, fixups and finalization. On failure it calls
// lctx.NotifyFailed and returns the error; allocated memory is abandoned.
func Link(ctx context.Context, g *LinkGraph, lctx LinkContext) (err error) {
	var alloc InFlightAlloc
	defer func() {
		if err != nil {
			if alloc != nil {
				if aerr := alloc.Abandon(context.WithoutCancel(ctx)); aerr != nil {
					err = errors.Join(err, aerr)
				}
			}
			lctx.NotifyFailed(ctx, g, err)
		}
	}()
	if g.Arch == nil {
		return fmt.Errorf("jitlink: %s: graph has no architecture", g.Name)
	}
	// The pass lists start in one array with room for the architecture's
	// and a link context's usual passes (appending past it reallocates as
	// usual): a small graph's link pays for every allocation.
	passes := make([]Pass, 24)
	cfg := PassConfiguration{
		PrePrune:       passes[0:0:4],
		PostPrune:      passes[4:4:10],
		PostAllocation: passes[10:10:14],
		PreFixup:       passes[14:14:18],
		PostFixup:      passes[18:18:24],
	}
	if err := g.Arch.AddDefaultPasses(g, &cfg); err != nil {
		return err
	}
	if err := lctx.ModifyPassConfig(g, &cfg); err != nil {
		return fmt.Errorf("jitlink: %s: %w", g.Name, err)
	}
	if err := runPasses(ctx, g, "pre-prune", cfg.PrePrune); err != nil {
		return err
	}
	DeadStrip(g)
	promised := false
	if g.KeepStubs {
		g.AllocRange = shared.ExecutorAddrRange{}
	} else {
		promised = promiseRange(ctx, g, lctx)
	}
	if err := runPasses(ctx, g, "post-prune", cfg.PostPrune); err != nil {
		return err
	}
	// A large graph's external lookup (the session: other objects,
	// generators, the process's symbols) runs beside its layout,
	// allocation, copy and early resolution, which do not need it
	// (startExternalLookup); it is joined before the fixups.
	ext := startExternalLookup(ctx, g, lctx)
	defer ext.abandon()
	lay, err := layout(g)
	if err != nil {
		return err
	}
	empty := len(lay.req.Segments) == 0 && len(g.AllocActions) == 0
	if !empty {
		// An empty graph (everything dead-stripped) needs no memory.
		mm := lctx.MemoryManager()
		if mm == nil {
			return fmt.Errorf("jitlink: %s: link context has no memory manager", g.Name)
		}
		alloc, err = mm.Allocate(ctx, lay.req)
		if err != nil {
			return fmt.Errorf("jitlink: %s: allocate: %w", g.Name, err)
		}
		if err := lay.assign(g, alloc.Segments()); err != nil {
			return err
		}
		if promised {
			if err := checkPromise(g, alloc.Segments()); err != nil {
				return err
			}
		}
	}
	if g.TLS != nil {
		tc, ok := lctx.(TLSLinkContext)
		if !ok {
			return fmt.Errorf("jitlink: %s: graph has thread-local data but the link context does not support TLS", g.Name)
		}
		tl, err := tc.ResolveTLS(ctx, g, *g.TLS)
		if err != nil {
			return fmt.Errorf("jitlink: %s: TLS: %w", g.Name, err)
		}
		g.TLSLayout = &tl
		if ext, ok := g.Externals[TLSGetAddrName]; ok && tl.GetAddr != 0 {
			delete(g.Externals, TLSGetAddrName)
			ext.Kind = SymAbsolute
			ext.Addr = tl.GetAddr
			g.Absolutes = append(g.Absolutes, ext)
		}
	}
	if err := runPasses(ctx, g, "post-allocation", cfg.PostAllocation); err != nil {
		return err
	}
	// Publish this graph's addresses before waiting for other graphs'
	// (as LLVM does): graphs that reference each other in a cycle each
	// resolve before any of them blocks in LookupExternals.
	if err := lctx.NotifyResolved(ctx, g); err != nil {
		return fmt.Errorf("jitlink: %s: %w", g.Name, err)
	}
	if err := ext.finish(ctx, g, lctx); err != nil {
		return err
	}
	if err := resolveExternalTLS(ctx, g, lctx); err != nil {
		return err
	}
	if err := runPasses(ctx, g, "pre-fixup", cfg.PreFixup); err != nil {
		return err
	}
	if err := ApplyFixups(g); err != nil {
		return err
	}
	collectInits(g)
	if err := runPasses(ctx, g, "post-fixup", cfg.PostFixup); err != nil {
		return err
	}
	var fa FinalizedAlloc
	if alloc != nil {
		fa, err = alloc.Finalize(ctx, g.AllocActions)
		alloc = nil // Finalize releases the memory itself on error
		if err != nil {
			return fmt.Errorf("jitlink: %s: finalize: %w", g.Name, err)
		}
	} else if len(g.AllocActions) > 0 {
		return fmt.Errorf("jitlink: %s: finalize actions were added to a graph without memory", g.Name)
	}
	if err := lctx.NotifyFinalized(ctx, g, fa); err != nil {
		return fmt.Errorf("jitlink: %s: %w", g.Name, err)
	}
	return nil
}

// promiseRange resolves g's externals early when the link context can
// (EarlyResolver), and sets g.AllocRange when moreover g has externals, is
// not bound below 2 GiB and its memory manager promises a range
// (RangePromiser). It reports whether g.AllocRange was set.
func promiseRange(ctx context.Context, g *LinkGraph, lctx LinkContext) bool {
	g.AllocRange = shared.ExecutorAddrRange{}
	er, ok := lctx.(EarlyResolver)
	if !ok || len(g.Externals) == 0 {
		return false
	}
	er.ResolveEarly(ctx, g)
	if g.Low2GiB {
		return false
	}
	rp, ok := lctx.MemoryManager().(RangePromiser)
	if !ok {
		return false
	}
	r, ok := rp.AllocationRange(false)
	if !ok || r.End <= r.Start {
		return false
	}
	g.AllocRange = r
	return true
}

// checkPromise reports an error if a segment of g's allocation lies
// outside g.AllocRange, the range its memory manager promised before
// layout (a pass may have left out stubs on that promise). A graph that
// became Low2GiB in a pass went to another region: passes that rely on
// the range check Low2GiB (jitlink/amd64's BuildGOTAndStubs does).
func checkPromise(g *LinkGraph, segs []Segment) error {
	if g.Low2GiB {
		return nil
	}
	for _, s := range segs {
		n := uint64(len(s.Mem))
		if n == 0 {
			continue
		}
		if s.Addr < g.AllocRange.Start || s.Addr.Add(n) > g.AllocRange.End {
			return fmt.Errorf("jitlink: %s: memory manager allocated %v+%#x outside the range %v it promised", g.Name, s.Addr, n, g.AllocRange)
		}
	}
	return nil
}

func runPasses(ctx context.Context, g *LinkGraph, phase string, ps []Pass) error {
	for _, p := range ps {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("jitlink: %s: %s: %w", g.Name, phase, err)
		}
		if err := p(g); err != nil {
			return fmt.Errorf("jitlink: %s: %s pass: %w", g.Name, phase, err)
		}
	}
	return nil
}

// DeadStrip removes blocks not reachable from the roots (live symbols and
// the blocks of SectionKeepAlive sections) and externals nobody references.
// Link runs it after the PrePrune passes.
func DeadStrip(g *LinkGraph) {
	var work []*Block
	mark := func(b *Block) {
		if !b.live {
			b.live = true
			work = append(work, b)
		}
	}
	for _, s := range g.Symbols {
		if s.Live {
			mark(s.Block)
		}
	}
	for _, sec := range g.Sections {
		if sec.Flags&SectionKeepAlive != 0 {
			for _, b := range sec.Blocks {
				mark(b)
			}
		}
	}
	for _, e := range g.Externals {
		e.Live = false
	}
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		for i := range b.Edges {
			t := b.Edges[i].Target
			switch t.Kind {
			case SymDefined:
				mark(t.Block)
			case SymExternal:
				t.Live = true
			}
		}
	}
	for _, sec := range g.Sections {
		n := 0
		for _, b := range sec.Blocks {
			if b.live {
				sec.Blocks[n] = b
				n++
			}
		}
		clear(sec.Blocks[n:])
		sec.Blocks = sec.Blocks[:n]
	}
	n := 0
	for _, s := range g.Symbols {
		if s.Block.live {
			g.Symbols[n] = s
			n++
		}
	}
	clear(g.Symbols[n:])
	g.Symbols = g.Symbols[:n]
	for name, e := range g.Externals {
		if !e.Live {
			delete(g.Externals, name)
		}
	}
	for _, sec := range g.Sections {
		for _, b := range sec.Blocks {
			b.live = false
		}
	}
}

func resolveExternals(ctx context.Context, g *LinkGraph, lctx LinkContext) error {
	return resolveExternalsExcept(ctx, g, lctx, nil)
}

// resolveExternalsExcept is resolveExternals for the externals whose
// names are not in done (those answered already).
func resolveExternalsExcept(ctx context.Context, g *LinkGraph, lctx LinkContext, done map[string]SymbolLookupFlags) error {
	n := 0
	for name, s := range g.Externals {
		if _, ok := done[name]; !ok && !s.early {
			n++
		}
	}
	if n == 0 {
		return nil // (none, or all given early: SetEarlyAddress)
	}
	req := make(map[string]SymbolLookupFlags, n)
	for name, s := range g.Externals {
		if _, ok := done[name]; ok || s.early {
			continue
		}
		if s.WeakRef {
			req[name] = LookupWeak
		} else {
			req[name] = LookupRequired
		}
	}
	res, err := lctx.LookupExternals(ctx, req)
	if err != nil {
		return fmt.Errorf("jitlink: %s: %w", g.Name, err)
	}
	var missing []string
	for name, s := range g.Externals {
		if _, ok := done[name]; ok || s.early {
			continue
		}
		d, ok := res[name]
		if !ok && !s.WeakRef {
			missing = append(missing, name)
			continue
		}
		s.Addr = d.Addr
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("jitlink: %s: undefined symbols: %s", g.Name, nameList(missing))
	}
	return nil
}

// externalLookup is a graph's external lookup started before its layout
// (startExternalLookup): the request, made from the externals as they
// were then, and, once done is closed, the answer.
type externalLookup struct {
	req    map[string]SymbolLookupFlags
	done   chan struct{}
	res    map[string]ExternalDef
	err    error
	cancel context.CancelFunc
	joined bool
}

// startExternalLookup starts looking up g's externals (those not given
// early) on a goroutine, for a graph with at least 2 × parallelEdges
// edges and externals to look up; it returns nil otherwise (Link then
// looks them up where it did, after the early resolution). Only the
// lookup runs there: it reads and writes nothing of g, so the layout,
// allocation, copy and PostAllocation passes go on meanwhile, and the
// early NotifyResolved still comes before Link waits for other graphs
// (finish), as a cycle of graphs needs. What a pass changes in g.Externals
// after the start is made up for by finish.
func startExternalLookup(ctx context.Context, g *LinkGraph, lctx LinkContext) *externalLookup {
	n := 0
	for _, s := range g.Externals {
		if !s.early {
			n++
		}
	}
	if n == 0 || g.TLS != nil || edgeCount(g) < 2*parallelEdges {
		return nil
	}
	x := &externalLookup{req: make(map[string]SymbolLookupFlags, n), done: make(chan struct{})}
	for name, s := range g.Externals {
		if s.early {
			continue
		}
		if s.WeakRef {
			x.req[name] = LookupWeak
		} else {
			x.req[name] = LookupRequired
		}
	}
	lctx2, cancel := context.WithCancel(ctx)
	x.cancel = cancel
	go func() {
		defer close(x.done)
		x.res, x.err = lctx.LookupExternals(lctx2, x.req)
	}()
	return x
}

// abandon cancels a lookup that Link returns without joining (an error
// before the fixups): Link does not wait for it, since what it waits for
// may wait for this graph, which fails only once Link has returned.
func (x *externalLookup) abandon() {
	if x != nil && !x.joined {
		x.cancel()
	}
}

// finish resolves g's externals: with the answer of the lookup x started
// (nil: resolveExternals now), then whatever externals appeared since
// it started, looked up as resolveExternals does. An external that was
// in the request and is no longer in g (turned into a definition or an
// absolute meanwhile) is left as it is.
func (x *externalLookup) finish(ctx context.Context, g *LinkGraph, lctx LinkContext) error {
	if x == nil {
		return resolveExternals(ctx, g, lctx)
	}
	<-x.done
	x.joined = true
	x.cancel()
	if x.err != nil {
		return fmt.Errorf("jitlink: %s: %w", g.Name, x.err)
	}
	var missing []string
	late := false
	for name, s := range g.Externals {
		if s.early {
			continue
		}
		if _, asked := x.req[name]; !asked {
			late = true
			continue
		}
		d, ok := x.res[name]
		if !ok && !s.WeakRef {
			missing = append(missing, name)
			continue
		}
		s.Addr = d.Addr
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("jitlink: %s: undefined symbols: %s", g.Name, nameList(missing))
	}
	if late {
		return resolveExternalsExcept(ctx, g, lctx, x.req)
	}
	return nil
}

func resolveExternalTLS(ctx context.Context, g *LinkGraph, lctx LinkContext) error {
	for name, s := range g.Externals {
		if !s.TLS || s.Addr == 0 {
			continue
		}
		tc, ok := lctx.(TLSLinkContext)
		if !ok {
			return fmt.Errorf("jitlink: %s: external thread-local symbol %s but the link context does not support TLS", g.Name, diag.Clip(name))
		}
		l, off, err := tc.ExternalTLS(ctx, name, s.Addr)
		if err != nil {
			return fmt.Errorf("jitlink: %s: thread-local symbol %s: %w", g.Name, diag.Clip(name), err)
		}
		if g.externalTLS == nil {
			g.externalTLS = map[*Symbol]TLSRef{}
		}
		g.externalTLS[s] = TLSRef{Layout: l, Offset: off}
	}
	return nil
}

// ApplyFixups applies every edge of every block through the graph's Arch.
// Link calls it; it is exported for tools that drive the phases themselves.
// A graph with many edges (a large archive's members linked as one) is
// fixed up on up to GOMAXPROCS goroutines, a block with more edges than a
// goroutine's share cut into pieces (fixupPieces): Arch.ApplyFixup writes
// only into the edge's own block, at most 8 bytes from its offset, and
// reads the graph. The error
// reported is the one of the first failing edge in block order, as one
// pass would report.
func ApplyFixups(g *LinkGraph) error {
	edges := edgeCount(g)
	if edges < 2*parallelEdges {
		// One goroutine: no closure to allocate (a small graph's link
		// pays for each allocation).
		for _, sec := range g.Sections {
			for _, b := range sec.Blocks {
				if err := applyBlockFixups(g, sec, b); err != nil {
					return err
				}
			}
		}
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), edges/parallelEdges)
	if workers <= 1 {
		return edgeBlockRun(g, 0, edges, func(sec *Section, b *Block) error { return applyBlockFixups(g, sec, b) })
	}
	// Runs of about edges/workers edges each, cut inside a block when it
	// has more (an eager Kaleidoscope program's .text is one block with
	// nearly all of the graph's edges): run k takes the pieces whose first
	// edge is numbered in [k*edges/workers, (k+1)*edges/workers).
	pieces := fixupPieces(g, (edges+workers-1)/workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for k := range workers {
		lo, hi := k*edges/workers, (k+1)*edges/workers
		wg.Go(func() {
			n := 0
			for _, p := range pieces {
				first := n
				n += p.hi - p.lo
				if first < lo {
					continue
				}
				if first >= hi {
					return
				}
				if err := applyEdgeFixups(g, p.sec, p.b, p.lo, p.hi); err != nil {
					errs[k] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// fixupPiece is the edges [lo, hi) of block b of section sec.
type fixupPiece struct {
	sec    *Section
	b      *Block
	lo, hi int
}

// fixupGap is how far apart, in bytes, the last fixed-up edge of one piece
// of a block and the first of the next must be: Arch.ApplyFixup writes at
// most 8 bytes from the edge's offset (amd64), so the two goroutines never
// touch the same bytes.
const fixupGap = 16

// fixupPieces lists g's blocks with edges in section and block order,
// a block of more than per edges cut into pieces of at least per edges
// where its fixed-up edges
// (keep-alive edges fix nothing) are in offset order and a cut leaves
// fixupGap bytes between the pieces; a block whose edges are not in order
// stays whole.
func fixupPieces(g *LinkGraph, per int) []fixupPiece {
	var ps []fixupPiece
	for _, sec := range g.Sections {
		for _, b := range sec.Blocks {
			es := b.Edges
			if len(es) == 0 {
				continue
			}
			if len(es) <= per {
				ps = append(ps, fixupPiece{sec, b, 0, len(es)})
				continue
			}
			first := len(ps)
			start, last := 0, int64(-1) // last: the offset of the latest fixed-up edge, -1 before the first
			for i := range es {
				if es[i].Kind == KindKeepAlive {
					continue
				}
				off := int64(es[i].Offset)
				if off < last { // out of order: the block stays whole
					ps, start = ps[:first], 0
					break
				}
				if i-start >= per && last >= 0 && off >= last+fixupGap {
					ps = append(ps, fixupPiece{sec, b, start, i})
					start = i
				}
				last = off
			}
			ps = append(ps, fixupPiece{sec, b, start, len(es)})
		}
	}
	return ps
}

// applyBlockFixups applies the edges of block b of section sec.
func applyBlockFixups(g *LinkGraph, sec *Section, b *Block) error {
	return applyEdgeFixups(g, sec, b, 0, len(b.Edges))
}

// applyEdgeFixups applies the edges [lo, hi) of block b of section sec.
func applyEdgeFixups(g *LinkGraph, sec *Section, b *Block, lo, hi int) error {
	for i := lo; i < hi; i++ {
		e := &b.Edges[i]
		if e.Kind == KindKeepAlive {
			continue
		}
		if b.Content == nil {
			return fmt.Errorf("jitlink: %s: section %s: zero-fill block at %v has relocations", g.Name, sec.Name, b.Addr)
		}
		if err := g.Arch.ApplyFixup(g, b, e); err != nil {
			return err
		}
	}
	return nil
}

// parallelEdges is how many edges a goroutine of forEdgeBlocks is worth
// (sqlite's members linked as one graph have about 25,000; a goroutine
// costs about as much as a hundred edges).
const parallelEdges = 1 << 12

// forEdgeBlocks calls f for each block of g that has edges, in section and
// block order, stopping at the first error, which it returns. A graph
// with at least 2 × parallelEdges edges is cut into runs of consecutive
// blocks with about as many edges each, one goroutine a run (up to
// GOMAXPROCS); f must then only change its own block. The error returned
// is still the first in block order (runs report theirs, the earliest
// run's wins).
func forEdgeBlocks(g *LinkGraph, f func(sec *Section, b *Block) error) error {
	return forEdgeBlocksOf(g, edgeCount(g), f)
}

// edgeCount is the number of edges of g's blocks.
func edgeCount(g *LinkGraph) int {
	edges := 0
	for _, sec := range g.Sections {
		for _, b := range sec.Blocks {
			edges += len(b.Edges)
		}
	}
	return edges
}

// forEdgeBlocksOf is forEdgeBlocks for a graph of edges edges.
func forEdgeBlocksOf(g *LinkGraph, edges int, f func(sec *Section, b *Block) error) error {
	workers := min(runtime.GOMAXPROCS(0), edges/parallelEdges)
	if workers <= 1 {
		return edgeBlockRun(g, 0, edges, f)
	}
	// Run k: the blocks whose first edge is numbered in
	// [k*edges/workers, (k+1)*edges/workers).
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() { errs[k] = edgeBlockRun(g, k*edges/workers, (k+1)*edges/workers, f) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// edgeBlockRun calls f for the blocks of g whose first edge, in section
// and block order, is numbered in [lo, hi).
func edgeBlockRun(g *LinkGraph, lo, hi int, f func(sec *Section, b *Block) error) error {
	n := 0 // edges before the current block
	for _, sec := range g.Sections {
		for _, b := range sec.Blocks {
			if len(b.Edges) == 0 {
				continue
			}
			first := n
			n += len(b.Edges)
			if first < lo {
				continue
			}
			if first >= hi {
				return nil
			}
			if err := f(sec, b); err != nil {
				return err
			}
		}
	}
	return nil
}

// collectInits fills g.Inits and g.Finis from the fixed-up init/fini
// sections, both in run order. Inits: .preinit_array first, then
// .init_array/.ctors entries stably sorted by ascending priority (.ctors
// sections contribute their entries reversed, as GNU ld places them into
// .init_array). Finis: the reverse of the .fini_array order GNU ld would
// build (ascending priority, .dtors reversed), so higher priorities and
// later entries run first.
func collectInits(g *LinkGraph) {
	g.Inits, g.Finis = g.Inits[:0], g.Finis[:0]
	for _, sec := range g.Sections {
		var kind InitKind
		switch {
		case sec.Flags&SectionPreinitArray != 0:
			kind = InitPreinit
		case sec.Flags&SectionInitArray != 0:
			kind = InitArray
		case sec.Flags&SectionCtors != 0:
			kind = InitCtors
		case sec.Flags&SectionFiniArray != 0:
			kind = FiniArray
		case sec.Flags&SectionDtors != 0:
			kind = FiniDtors
		default:
			continue
		}
		var fns []InitFunc
		for _, b := range sec.Blocks {
			for off := uint64(0); off+8 <= uint64(len(b.Content)); off += 8 {
				fn := shared.ExecutorAddr(binary.LittleEndian.Uint64(b.Content[off:]))
				if fn == 0 || fn == ^shared.ExecutorAddr(0) {
					continue // .ctors/.dtors list markers
				}
				fns = append(fns, InitFunc{Kind: kind, Priority: sec.Priority, Fn: fn})
			}
		}
		if kind == InitCtors || kind == FiniDtors {
			for i, j := 0, len(fns)-1; i < j; i, j = i+1, j-1 {
				fns[i], fns[j] = fns[j], fns[i]
			}
		}
		if kind <= InitCtors {
			g.Inits = append(g.Inits, fns...)
		} else {
			g.Finis = append(g.Finis, fns...)
		}
	}
	SortInitializers(g.Inits, g.Finis,
		func(f InitFunc) bool { return f.Kind == InitPreinit },
		func(f InitFunc) uint32 { return f.Priority })
}

// SortInitializers puts constructors and destructors into run order, as
// GNU ld's SORT_BY_INIT_PRIORITY lays out .preinit_array, .init_array and
// .fini_array and the C runtime runs them. Both slices come in layout
// order: the order of the input sections (objects in link order, then
// sections within an object) and of the entries within them, .ctors and
// .dtors entries already reversed. Afterwards inits holds the .preinit
// entries first, then the rest by ascending priority, ties in layout
// order; finis holds the reverse of that order (ascending priority, ties
// in layout order), so the highest priority and the last laid out run
// first. It is the one ordering rule: the linker uses it per graph and
// the object layer across the objects of a program.
func SortInitializers[T any](inits, finis []T, preinit func(T) bool, priority func(T) uint32) {
	sort.SliceStable(inits, func(i, j int) bool {
		a, b := inits[i], inits[j]
		if pa, pb := preinit(a), preinit(b); pa != pb {
			return pa
		}
		return priority(a) < priority(b)
	})
	sort.SliceStable(finis, func(i, j int) bool { return priority(finis[i]) < priority(finis[j]) })
	for i, j := 0, len(finis)-1; i < j; i, j = i+1, j-1 {
		finis[i], finis[j] = finis[j], finis[i]
	}
}

// maxListedNames bounds how many symbol names an error lists.
const maxListedNames = 20

// nameList formats names for an error as "[a b c]": at most
// maxListedNames of them, each clipped (diag.Clip), then how many more.
func nameList(names []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, n := range names {
		if i == maxListedNames {
			fmt.Fprintf(&b, " and %d more", len(names)-i)
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(diag.Clip(n))
	}
	b.WriteByte(']')
	return b.String()
}
