package objlayer

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

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

// closureOf extends the wave members/graphs (just pulled, parsed, not yet
// loaded into the dylib) with the further rounds of members they need from
// this archive, as long as the closure is exact (see LinkClosure). g.mu is
// held; the members it adds are marked loaded. complete reports that the
// closure was followed to its end (no round was left to the ordinary
// path): every live reference of the members is then defined by one of
// them, by the dylib, or by no member of this archive.
func (g *ArchiveGenerator) closureOf(ctx context.Context, jd *orc.JITDylib, idx map[string]int, members []int, graphs []*jitlink.LinkGraph) (_ []int, _ []*jitlink.LinkGraph, complete bool, err error) {
	for _, pg := range graphs {
		if hasVerdicts(pg) {
			return members, graphs, false, nil
		}
	}
	// Parse and walk the members the closure will probably need on every
	// core first, with no barrier between rounds; the rounds below then
	// replay the exact rules on those results (spec.take, spec.externals).
	spec := g.speculate(ctx, idx, graphs)
	var inDylib map[string]bool // names jd defines, read on first need
	// provided will hold the names of the wave's graphs and of the
	// members the rounds take, most of which the speculation parsed:
	// sized for all of those at once (sqlite: about 3,000 names), not
	// grown a step at a time.
	n := 0
	for _, pg := range graphs {
		n += countDefined(pg)
	}
	for _, p := range spec.parsed {
		if isDone(p) && p.g != nil {
			n += countDefined(p.g)
		}
	}
	provided := make(map[string]bool, n)
	for _, pg := range graphs {
		addDefined(pg, provided)
	}
	wave := graphs
	var live liveWalker
	// Whatever was parsed ahead and not linked here stays for the
	// ordinary path (a later lookup, or the rest of this one's waves).
	defer spec.keep()
	for len(wave) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, nil, false, fmt.Errorf("objlayer: archive %s: %w", g.a.Name, err)
		}
		var pending []string // live references nothing pulled defines
		seenName := map[string]bool{}
		for _, pg := range wave {
			visit := func(name string) {
				if !provided[name] && !seenName[name] {
					seenName[name] = true
					pending = append(pending, name)
				}
			}
			if names, ok := spec.ext[pg]; ok {
				for _, name := range names {
					visit(name)
				}
			} else {
				live.externals(pg, visit)
			}
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
				ok, err := o.Defines(name)
				if err != nil {
					return nil, nil, false, err
				}
				if ok {
					// Another archive may pull a member for
					// this name in the same round, whose
					// definitions change what this one pulls:
					// leave the round to the ordinary path.
					return members, graphs, false, nil
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
		ng, err := spec.take(ctx, next)
		if err != nil {
			return nil, nil, false, err
		}
		for _, pg := range ng {
			if hasVerdicts(pg) {
				// Keep the parses for the ordinary path.
				for k, i := range next {
					p := &parsedMember{done: make(chan struct{}), g: ng[k]}
					close(p.done)
					g.pre[i] = p
				}
				return members, graphs, false, nil
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
	return members, graphs, true, nil
}

// exported reports whether s is a definition the dylib sees (what
// newUnitSlot puts in a unit's symbol table).
func exported(s *jitlink.Symbol) bool {
	return s.Name != "" && s.Scope != jitlink.ScopeLocal && !isLocalOnly(s.Name)
}

// countDefined returns the number of names pg defines for the dylib (what
// addDefined adds).
func countDefined(pg *jitlink.LinkGraph) int {
	n := 0
	for _, s := range pg.Symbols {
		if exported(s) {
			n++
		}
	}
	for _, s := range pg.Absolutes {
		if exported(s) {
			n++
		}
	}
	return n
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

// closureSpec is the speculative part of a closure: the members the
// wave's graphs lead to, parsed and walked by GOMAXPROCS workers as soon
// as they are found, each member as soon as a worker is free rather than
// round after round (a round waited for its slowest member, then walked
// every graph on one core). It only gathers results: which members
// belong to the closure is decided afterwards by closureOf's rounds, with
// the exact rules, and a member they need that was not parsed here is
// parsed then. A speculative parse's error is kept with the member and
// reported only if the member is needed, as parsing it then would have.
type closureSpec struct {
	g   *ArchiveGenerator
	idx map[string]int

	mu     sync.Mutex
	cond   sync.Cond
	queue  []specTask
	active int // tasks being run
	// parsed are the members parsed (or, during the run, being parsed)
	// here, by index; seen the names already followed.
	parsed map[int]*parsedMember
	seen   map[string]struct{}
	// ext holds each walked graph's live externals, in the order
	// liveWalker.externals visits them.
	ext map[*jitlink.LinkGraph][]string
}

// specTask walks g, or parses member (then walks it) when g is nil.
type specTask struct {
	member int
	g      *jitlink.LinkGraph
}

// speculate parses and walks, on GOMAXPROCS workers, the members reachable
// from graphs through live external names the archive's index defines,
// and returns when that is done (or ctx is cancelled). g.mu is held by
// the caller, which only waits meanwhile: the workers read g.loaded and
// g.pre but do not change them.
func (g *ArchiveGenerator) speculate(ctx context.Context, idx map[string]int, graphs []*jitlink.LinkGraph) *closureSpec {
	s := &closureSpec{g: g, idx: idx, parsed: map[int]*parsedMember{}, seen: map[string]struct{}{},
		ext: make(map[*jitlink.LinkGraph][]string, len(graphs))}
	s.cond.L = &s.mu
	for _, pg := range graphs {
		s.queue = append(s.queue, specTask{g: pg})
	}
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Go(func() { s.work(ctx) })
	}
	wg.Wait()
	return s
}

// work runs tasks until the queue is empty and no task is running (one
// could still queue more).
func (s *closureSpec) work(ctx context.Context) {
	var live liveWalker
	var names []string
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && s.active > 0 {
			s.cond.Wait()
		}
		if len(s.queue) == 0 || ctx.Err() != nil {
			s.queue = nil
			s.cond.Broadcast()
			s.mu.Unlock()
			return
		}
		t := s.queue[len(s.queue)-1]
		s.queue = s.queue[:len(s.queue)-1]
		s.active++
		var p *parsedMember
		if t.g == nil {
			p = s.parsed[t.member]
		}
		s.mu.Unlock()
		pg := t.g
		if p != nil {
			p.g, p.err = s.g.parseMember(t.member)
			close(p.done)
			pg = p.g
		}
		names = names[:0]
		// A member whose definitions wait for the session's verdicts
		// ends the exact closure before its references are followed.
		walk := pg != nil && !hasVerdicts(pg)
		if walk {
			live.externals(pg, func(name string) { names = append(names, name) })
		}
		s.mu.Lock()
		if walk {
			s.ext[pg] = slices.Clone(names)
			for _, name := range names {
				if _, ok := s.seen[name]; ok {
					continue
				}
				s.seen[name] = struct{}{}
				i, ok := s.idx[name]
				if !ok || s.g.loaded[i] || s.g.pre[i] != nil || s.parsed[i] != nil {
					continue
				}
				s.parsed[i] = &parsedMember{done: make(chan struct{})}
				s.queue = append(s.queue, specTask{member: i})
			}
		}
		s.active--
		s.cond.Broadcast()
		s.mu.Unlock()
	}
}

// take returns the graphs of members (in that order), parsed here or, for
// those that were not, parsed now (g.parseMembers); the first error in
// member order is returned. g.mu is held.
func (s *closureSpec) take(ctx context.Context, members []int) ([]*jitlink.LinkGraph, error) {
	graphs := make([]*jitlink.LinkGraph, len(members))
	errs := make([]error, len(members))
	var rest []int // positions in members not parsed here
	for k, i := range members {
		if p, ok := s.parsed[i]; ok && isDone(p) {
			graphs[k], errs[k] = p.g, p.err
			delete(s.parsed, i)
			continue
		}
		rest = append(rest, k)
	}
	if len(rest) > 0 {
		todo := make([]int, len(rest))
		for t, k := range rest {
			todo[t] = members[k]
		}
		more, err := s.g.parseMembers(ctx, todo)
		if err != nil {
			// Report a speculative parse's error first if its member
			// comes first, as one parse of all members would.
			for k := 0; k < rest[0]; k++ {
				if errs[k] != nil {
					return nil, errs[k]
				}
			}
			return nil, err
		}
		for t, k := range rest {
			graphs[k] = more[t]
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return graphs, nil
}

// keep hands the members parsed here and not taken to the generator's
// parsed-ahead set (g.pre), for the ordinary path. g.mu is held.
func (s *closureSpec) keep() {
	for i, p := range s.parsed {
		if isDone(p) && s.g.pre[i] == nil && !s.g.loaded[i] {
			s.g.pre[i] = p
		}
	}
}

// isDone reports whether p's parse has finished.
func isDone(p *parsedMember) bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}
