package objlayer

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/archive"
	"github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// ArchiveGenerator is a definition generator for a static archive: when a
// lookup reaches its dylib with names nothing defines, it adds (through
// the layer, so through the session) exactly the members that define them,
// merged into one graph (one unit) per lookup. Those members' own
// undefined references go through the same lookup process, so the archive
// is searched repeatedly until nothing new is needed, as a static linker
// does. Members are parsed concurrently, and the ones the loaded members
// refer to are parsed ahead in the background (never defined before a
// lookup asks for them).
type ArchiveGenerator struct {
	l  *Layer
	rt *orc.ResourceTracker
	a  *archive.Archive

	mu     sync.Mutex
	loaded map[int]bool
	// failed holds the error of members whose wave could not be parsed
	// (they stay loaded, never linked): a later lookup of a name they
	// define gets that error again, not an undefined symbol.
	failed map[int]error
	index  map[string]int // built from the members when the archive has no index
	// pre holds members parsed ahead of need (see prefetch), by index.
	pre map[int]*parsedMember
	// parsing counts the prefetch workers still running (Wait).
	parsing sync.WaitGroup
	// closure: link each lookup's member closure as one wave (closure.go);
	// others are the dylib's other archive generators.
	closure bool
	others  []*ArchiveGenerator
}

// parsedMember is a member parse that may still be running.
type parsedMember struct {
	done chan struct{} // closed when g and err are set
	g    *jitlink.LinkGraph
	err  error
}

// NewArchiveGenerator parses an archive (name is its path, for messages)
// whose members will be linked by l; rt (may be nil) is the tracker the
// members are added under.
func NewArchiveGenerator(l *Layer, rt *orc.ResourceTracker, name string, data []byte) (*ArchiveGenerator, error) {
	a, err := archive.Parse(name, data)
	if err != nil {
		return nil, err
	}
	return &ArchiveGenerator{l: l, rt: rt, a: a, loaded: map[int]bool{}, pre: map[int]*parsedMember{}}, nil
}

// Archive returns the parsed archive.
func (g *ArchiveGenerator) Archive() *archive.Archive { return g.a }

func (g *ArchiveGenerator) symbolIndex() (map[string]int, error) {
	if g.a.HasIndex {
		return g.a.Symbols, nil
	}
	if g.index == nil {
		g.index = map[string]int{}
		for i, m := range g.a.Members {
			if !elf.IsELFObject(m.Data) {
				continue
			}
			names, err := elf.DefinedSymbols(g.memberName(i), m.Data)
			if err != nil {
				return nil, err
			}
			for _, n := range names {
				if _, ok := g.index[n]; !ok {
					g.index[n] = i
				}
			}
		}
	}
	return g.index, nil
}

// Defines reports whether a member of the archive defines name (by its
// symbol index, or the members' symbols when it has none).
func (g *ArchiveGenerator) Defines(name string) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	idx, err := g.symbolIndex()
	if err != nil {
		return false, err
	}
	_, ok := idx[name]
	return ok, nil
}

func (g *ArchiveGenerator) memberName(i int) string {
	return fmt.Sprintf("%s(%s)", filepath.Base(g.a.Name), g.a.Members[i].Name)
}

// waveName names the graph of several members linked together:
// "libz.a(deflate.o trees.o)".
func (g *ArchiveGenerator) waveName(members []int) string {
	names := make([]string, len(members))
	for k, i := range members {
		names[k] = g.a.Members[i].Name
	}
	return fmt.Sprintf("%s(%s)", filepath.Base(g.a.Name), strings.Join(names, " "))
}

// TryToGenerate adds the members defining any of the names in set.
func (g *ArchiveGenerator) TryToGenerate(ctx context.Context, kind orc.LookupKind, jd *orc.JITDylib, flags orc.JITDylibLookupFlags, set orc.SymbolLookupSet) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	idx, err := g.symbolIndex()
	if err != nil {
		return err
	}
	var members []int
	for _, ent := range set {
		i, ok := idx[ent.Name.String()]
		if ok && g.failed[i] != nil {
			return g.failed[i]
		}
		if !ok || g.loaded[i] {
			continue
		}
		g.loaded[i] = true
		members = append(members, i)
	}
	if len(members) == 0 {
		return nil
	}
	graphs, err := g.parseMembers(ctx, members)
	if err != nil {
		return g.fail(members, err)
	}
	complete := false
	if g.closure {
		wave := members
		if members, graphs, complete, err = g.closureOf(ctx, jd, idx, members, graphs); err != nil {
			return g.fail(wave, err)
		}
	}
	// The members' own references will be looked up as soon as they
	// link: parse the members defining them now, in the background (see
	// prefetch). Names are collected before the graphs are defined, after
	// which their links may change them. After a complete closure the
	// live references need no member of this archive any more (those of
	// dead code are never looked up): nothing to parse ahead, and the
	// walk over every member's externals (sqlite: 87 members, 0.2 ms on
	// the link's path) is skipped.
	var next []int
	if !complete {
		queued := map[int]bool{}
		for _, pg := range graphs {
			for name := range pg.Externals {
				if i, ok := idx[name]; ok && !g.loaded[i] && g.pre[i] == nil && !queued[i] {
					queued[i] = true
					next = append(next, i)
				}
			}
		}
	}
	// The members one lookup needs are linked together, as one graph
	// (jitlink.MergeGraphs: a static linker's rules between them), so
	// references among them bind directly instead of through the session,
	// stubs and GOT entries, and the wave costs one allocation, one
	// external lookup and one emission instead of one per member. The
	// member order is kept, so initializers keep the link order.
	pg, refs, err := g.mergeWave(members, graphs)
	if err != nil {
		return g.fail(members, err)
	}
	u := g.l.newUnit(pg)
	u.members = len(graphs)
	u.refs = refs
	if err := jd.Define(u, g.rt); err != nil {
		return fmt.Errorf("objlayer: %s: %w", pg.Name, err)
	}
	g.prefetch(next)
	return nil
}

// fail records err as the outcome of the wave of members (marked loaded,
// never linked) and returns it. A cancelled lookup's error is not the
// members' own and is not recorded. g.mu is held.
func (g *ArchiveGenerator) fail(members []int, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if g.failed == nil {
		g.failed = map[int]error{}
	}
	for _, i := range members {
		g.failed[i] = err
	}
	return err
}

// mergeWave merges the graphs of the members one lookup loaded into one
// graph named after them. It also returns each member's name and external
// references, for reporting which member referenced an undefined symbol.
func (g *ArchiveGenerator) mergeWave(members []int, graphs []*jitlink.LinkGraph) (*jitlink.LinkGraph, []memberRefs, error) {
	if len(graphs) == 1 {
		return graphs[0], nil, nil
	}
	refs := make([]memberRefs, len(graphs))
	for k, pg := range graphs {
		refs[k] = memberRefs{name: pg.Name, externals: pg.Externals}
	}
	m, err := jitlink.MergeGraphs(g.waveName(members), graphs...)
	if err != nil {
		return nil, nil, fmt.Errorf("objlayer: %w", err)
	}
	return m, refs, nil
}

// prefetch starts parsing the members numbered members in the background
// (g.mu held). Parsing is a pure function of the member's bytes, so a
// member parsed ahead is only a head start: it is defined in the session,
// as before, only when a lookup asks for one of its names (a prefetched
// member that is never asked for is dropped). This keeps the parse off the
// path between one wave of archive loads and the next, where the dylib's
// generators run one at a time.
func (g *ArchiveGenerator) prefetch(members []int) {
	if len(members) == 0 {
		return
	}
	ps := make([]*parsedMember, len(members))
	for k, i := range members {
		ps[k] = &parsedMember{done: make(chan struct{})}
		g.pre[i] = ps[k]
	}
	workers := min(runtime.GOMAXPROCS(0), len(members))
	var next atomic.Int64
	g.parsing.Add(workers)
	for range workers {
		go func() {
			defer g.parsing.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(members) {
					return
				}
				ps[k].g, ps[k].err = g.parseMember(members[k])
				close(ps[k].done)
			}
		}()
	}
}

// Wait waits until no member is being parsed ahead of need any more. A
// prefetch may still run after the lookup that started it has finished
// (it parses the next wave speculatively); whoever releases the archive's
// bytes (jit.Options.MapInputs unmaps them) waits for it first.
func (g *ArchiveGenerator) Wait() { g.parsing.Wait() }

// parseMember parses member i into a link graph.
func (g *ArchiveGenerator) parseMember(i int) (*jitlink.LinkGraph, error) {
	m := g.a.Members[i]
	if !elf.IsELFObject(m.Data) {
		if err := elf.CheckHeader(g.memberName(i), m.Data); err != nil && elf.HasELFMagic(m.Data) {
			// Say what the member is (32-bit, an executable, corrupt).
			return nil, fmt.Errorf("objlayer: archive %s: member %s (offset %#x): %w", g.a.Name, m.Name, m.Offset, err)
		}
		return nil, fmt.Errorf("objlayer: archive %s: member %s (offset %#x) is not an ELF relocatable object", g.a.Name, m.Name, m.Offset)
	}
	return elf.Parse(g.memberName(i), m.Data)
}

// parseMembers returns the link graphs of the archive members numbered
// members, in the same order: prefetched ones (waiting for their parse if
// it still runs) and the others parsed now. One lookup often needs dozens
// of members at once (sqlite's main.o pulls in about forty), and the
// dylib's generators run one at a time, so those are parsed concurrently,
// on up to GOMAXPROCS goroutines. The first error (in member order) is
// returned.
func (g *ArchiveGenerator) parseMembers(ctx context.Context, members []int) ([]*jitlink.LinkGraph, error) {
	graphs := make([]*jitlink.LinkGraph, len(members))
	errs := make([]error, len(members))
	var todo []int // positions in members still to parse
	for k, i := range members {
		if p := g.pre[i]; p != nil {
			delete(g.pre, i)
			select {
			case <-p.done:
			case <-ctx.Done():
				return nil, fmt.Errorf("objlayer: archive %s: %w", g.a.Name, ctx.Err())
			}
			graphs[k], errs[k] = p.g, p.err
			continue
		}
		todo = append(todo, k)
	}
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	if workers <= 1 {
		for _, k := range todo {
			graphs[k], errs[k] = g.parseMember(members[k])
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					t := int(next.Add(1) - 1)
					if t >= len(todo) || ctx.Err() != nil {
						return
					}
					k := todo[t]
					graphs[k], errs[k] = g.parseMember(members[k])
				}
			})
		}
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("objlayer: archive %s: %w", g.a.Name, err)
	}
	return graphs, nil
}

// ProcessSymbolsGenerator defines, as absolute symbols, the names the
// executor process can resolve: its runtime helpers (atexit, __dso_handle
// and the other libc_nonshared.a / crt symbols) and everything dlsym finds
// in the process and the libraries it loaded (RTLD_GLOBAL). Names it
// cannot find are left undefined, so weak references resolve to zero and
// required ones are reported as undefined.
type ProcessSymbolsGenerator struct {
	e epc.ExecutorProcessControl
	// DSOHandle, if set, provides __dso_handle (JIT'd code references it
	// PC-relative, so it must lie in the slab: memmgr.Slab.DSOHandle).
	DSOHandle func(ctx context.Context) (shared.ExecutorAddr, error)
}

// NewProcessSymbolsGenerator returns a generator over e's process.
func NewProcessSymbolsGenerator(e epc.ExecutorProcessControl) *ProcessSymbolsGenerator {
	return &ProcessSymbolsGenerator{e: e}
}

// TryToGenerate looks the names up in the executor process.
func (p *ProcessSymbolsGenerator) TryToGenerate(ctx context.Context, kind orc.LookupKind, jd *orc.JITDylib, flags orc.JITDylibLookupFlags, set orc.SymbolLookupSet) error {
	names := make([]string, 0, len(set))
	for _, ent := range set {
		names = append(names, ent.Name.String())
	}
	addrs, err := p.e.LookupSymbols(ctx, 0, names)
	if err != nil {
		return fmt.Errorf("objlayer: process symbols: %w", err)
	}
	if len(addrs) != len(names) {
		return fmt.Errorf("objlayer: process symbols: executor returned %d addresses for %d names", len(addrs), len(names))
	}
	defs := orc.SymbolMap{}
	for i, ent := range set {
		a := addrs[i]
		if names[i] == "__dso_handle" && p.DSOHandle != nil {
			if a, err = p.DSOHandle(ctx); err != nil {
				return fmt.Errorf("objlayer: __dso_handle: %w", err)
			}
		}
		if a != 0 {
			defs[ent.Name] = orc.ExecutorSymbolDef{Addr: a, Flags: orc.Exported}
		}
	}
	if len(defs) == 0 {
		return nil
	}
	return jd.Define(orc.AbsoluteSymbols(defs), nil)
}
