package objlayer

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc"
)

// LinkClosure makes g link, for each lookup that needs its members, the
// whole closure of members those members need from this archive as one
// graph (one wave), instead of one wave per round of external lookups:
// GNU ld's archive loop, run over the parsed members before any of them is
// linked. others are the dylib's other archive generators (whatever their
// order), and no generator other than archives may come before g: the
// closure stops at a round that needs a name another archive defines.
//
// The closure pulls exactly the members the wave-by-wave search would,
// because it follows the same rules: a member is pulled for a name its
// already-pulled members reference from live code (dead-stripping
// mirrored) and that nothing in the dylib and no pulled member defines. It is only followed where those rules cannot depend
// on the session's verdicts: it stops (leaving the rest to the ordinary
// wave-by-wave path) before a member with weak, common or COMDAT
// definitions, and at a round that needs a name another archive defines
// (its member, pulled in the same round, could define names this round
// would otherwise pull). Objects added to the dylib while the link runs are not seen by
// a closure computed before they were added.
func (g *ArchiveGenerator) LinkClosure(others ...*ArchiveGenerator) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closure = true
	g.others = nil
	for _, o := range others {
		if o != g {
			g.others = append(g.others, o)
		}
	}
}

// defines reports whether the archive's symbol index names name.
func (g *ArchiveGenerator) defines(name string) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	idx, err := g.symbolIndex()
	if err != nil {
		return false, err
	}
	_, ok := idx[name]
	return ok, nil
}

// closureOf extends the wave members/graphs (just pulled, parsed, not yet
// loaded into the dylib) with the further rounds of members they need from
// this archive, as long as the closure is exact (see LinkClosure). g.mu is
// held; the members it adds are marked loaded.
func (g *ArchiveGenerator) closureOf(ctx context.Context, jd *orc.JITDylib, idx map[string]int, members []int, graphs []*jitlink.LinkGraph) ([]int, []*jitlink.LinkGraph, error) {
	for _, pg := range graphs {
		if hasVerdicts(pg) {
			return members, graphs, nil
		}
	}
	var inDylib map[string]bool // names jd defines, read on first need
	provided := map[string]bool{}
	for _, pg := range graphs {
		addDefined(pg, provided)
	}
	wave := graphs
	var live liveWalker
	for len(wave) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("objlayer: archive %s: %w", g.a.Name, err)
		}
		var pending []string // live references nothing pulled defines
		seenName := map[string]bool{}
		for _, pg := range wave {
			live.externals(pg, func(name string) {
				if !provided[name] && !seenName[name] {
					seenName[name] = true
					pending = append(pending, name)
				}
			})
		}
		want := false // does the round need a member of this archive?
		for _, name := range pending {
			if i, ok := idx[name]; ok && !g.loaded[i] {
				want = true
				break
			}
		}
		if !want {
			break
		}
		if inDylib == nil {
			syms := jd.Symbols()
			inDylib = make(map[string]bool, len(syms))
			for _, s := range syms {
				inDylib[s.Name.String()] = true
			}
		}
		var next []int
		queued := map[int]bool{}
		for _, name := range pending {
			if inDylib[name] {
				continue
			}
			for _, o := range g.others {
				ok, err := o.defines(name)
				if err != nil {
					return nil, nil, err
				}
				if ok {
					// Another archive may pull a member for
					// this name in the same round, whose
					// definitions change what this one pulls:
					// leave the round to the ordinary path.
					return members, graphs, nil
				}
			}
			if i, ok := idx[name]; ok && !g.loaded[i] && !queued[i] {
				queued[i] = true
				next = append(next, i)
			}
		}
		if len(next) == 0 {
			break
		}
		ng, err := g.parseMembers(ctx, next)
		if err != nil {
			return nil, nil, err
		}
		for _, pg := range ng {
			if hasVerdicts(pg) {
				// Keep the parses for the ordinary path.
				for k, i := range next {
					p := &parsedMember{done: make(chan struct{}), g: ng[k]}
					close(p.done)
					g.pre[i] = p
				}
				return members, graphs, nil
			}
		}
		for _, i := range next {
			g.loaded[i] = true
		}
		for _, pg := range ng {
			addDefined(pg, provided)
		}
		members = append(members, next...)
		graphs = append(graphs, ng...)
		wave = ng
	}
	return members, graphs, nil
}

// exported reports whether s is a definition the dylib sees (what
// newUnitSlot puts in a unit's symbol table).
func exported(s *jitlink.Symbol) bool {
	return s.Name != "" && s.Scope != jitlink.ScopeLocal && !isLocalOnly(s.Name)
}

// addDefined adds the names pg defines for the dylib to set.
func addDefined(pg *jitlink.LinkGraph, set map[string]bool) {
	for _, s := range pg.Symbols {
		if exported(s) {
			set[s.Name] = true
		}
	}
	for _, s := range pg.Absolutes {
		if exported(s) {
			set[s.Name] = true
		}
	}
}

// hasVerdicts reports whether linking pg depends on the session's verdicts
// between definitions (weak, common or COMDAT ones may lose to another
// object's, which changes what pg references after dead-stripping), so
// that its references cannot be known before it is defined.
func hasVerdicts(pg *jitlink.LinkGraph) bool {
	if len(pg.Comdats) > 0 {
		return true
	}
	for _, s := range pg.Symbols {
		if exported(s) && (s.Linkage == jitlink.LinkageWeak || s.IsCommon()) {
			return true
		}
	}
	for _, s := range pg.Absolutes {
		if exported(s) && s.Linkage == jitlink.LinkageWeak {
			return true
		}
	}
	return false
}

// liveWalker finds the externals a graph's link would look up: those
// referenced from blocks reachable from the roots jitlink.DeadStrip starts
// from, with every exported definition live (as prepare makes a unit's
// owned symbols). It does not modify the graphs; its maps are reused from
// one graph to the next.
type liveWalker struct {
	seen    map[*jitlink.Block]struct{}
	size    int // the number of blocks seen was made for
	visited map[string]struct{}
	work    []*jitlink.Block
}

func (w *liveWalker) mark(b *jitlink.Block) {
	if b == nil {
		return
	}
	if _, ok := w.seen[b]; !ok {
		w.seen[b] = struct{}{}
		w.work = append(w.work, b)
	}
}

// externals calls visit once with each live external name of pg.
func (w *liveWalker) externals(pg *jitlink.LinkGraph, visit func(name string)) {
	n := 0
	for _, sec := range pg.Sections {
		n += len(sec.Blocks)
	}
	if n > w.size {
		w.seen = make(map[*jitlink.Block]struct{}, n)
		w.size = n
	} else {
		clear(w.seen) // keeps the map's room
	}
	if w.visited == nil {
		w.visited = make(map[string]struct{}, len(pg.Externals))
	} else {
		clear(w.visited)
	}
	for _, s := range pg.Symbols {
		if s.Live || exported(s) {
			w.mark(s.Block)
		}
	}
	for _, sec := range pg.Sections {
		if sec.Flags&jitlink.SectionKeepAlive != 0 {
			for _, b := range sec.Blocks {
				w.mark(b)
			}
		}
	}
	for len(w.work) > 0 {
		b := w.work[len(w.work)-1]
		w.work = w.work[:len(w.work)-1]
		for i := range b.Edges {
			t := b.Edges[i].Target
			switch t.Kind {
			case jitlink.SymDefined:
				w.mark(t.Block)
			case jitlink.SymExternal:
				if _, ok := w.visited[t.Name]; !ok {
					w.visited[t.Name] = struct{}{}
					visit(t.Name)
				}
			}
		}
	}
}
