package jitlink

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gorc-jit/gorc/internal/diag"
	"github.com/gorc-jit/gorc/shared"
)

// MergeGraphs combines graphs (parsed objects, in command-line order) into
// one graph, the way a static linker combines input files: same-named
// sections (outside COMDAT groups) are concatenated in input order, so
// __start_SEC/__stop_SEC cover every object's SEC; references between the
// inputs become internal; duplicate definitions follow linker rules (a
// strong definition beats weak and common ones, the first weak one wins
// among weak ones, the largest common wins among commons, two strong ones
// are an error naming both inputs); of several COMDAT groups with one
// signature the first is kept and the others' definitions are dropped;
// .eh_frame sections are concatenated with one terminator. The inputs must
// not be used afterwards.
//
// Linking one merged graph costs one allocation and one lookup instead of
// one per object, and references between the inputs need no stubs or GOT
// entries; the adapter uses it for the objects given on the command line
// and for each set of archive members one lookup pulls in.
func MergeGraphs(name string, gs ...*LinkGraph) (*LinkGraph, error) {
	if len(gs) == 0 {
		return nil, fmt.Errorf("jitlink: MergeGraphs: no graphs")
	}
	m := NewLinkGraph(name, gs[0].Arch)
	nsyms, nsecs, nnamed, nexts := 0, 0, 0, 0
	for _, g := range gs {
		nsyms += len(g.Symbols)
		nsecs += len(g.Sections)
		nexts += len(g.Externals)
		for _, s := range g.Symbols {
			if s.Name != "" && s.Scope != ScopeLocal {
				nnamed++
			}
		}
		nnamed += len(g.Absolutes)
	}
	m.Symbols = make([]*Symbol, 0, nsyms)
	m.Sections = make([]*Section, 0, nsecs)
	// The externals left after the merge are the names no input defines
	// (libc's, for an archive closure): few next to the inputs' externals
	// (86 of 3,980 when every member of libsqlite3.a is merged), so the
	// map grows to them rather than being sized from the inputs' total:
	// a map's table is initialised in full when it is made, and a table
	// of a few thousand slots is a dozen fresh pages touched for nothing.
	m.Externals = make(map[string]*Symbol)
	// The winning definition of each name. Which graph it came from is
	// needed only for a duplicate's error, and found then (graphOf): a
	// map of symbols alone is 40% smaller than one that also keeps the
	// graph's name, and it is fresh memory on the merge's single-core path.
	defs := make(map[string]*Symbol, nnamed)
	graphOf := func(sym *Symbol) string {
		for _, g := range gs {
			if slices.Contains(g.Symbols, sym) || slices.Contains(g.Absolutes, sym) {
				return g.Name
			}
		}
		return "?"
	}
	// loser -> winner, kept in the losers themselves (Symbol.win: an
	// index into wins, in room the struct had spare), not in a map:
	// mostly the inputs' externals bound to another input's definition,
	// and every edge to one is redirected below. losers are the symbols
	// whose win is set, for resetting it.
	wins, losers := make([]*Symbol, 0, nexts), make([]*Symbol, 0, nexts)
	replace := func(lose, win *Symbol) {
		if lose.win == 0 {
			losers = append(losers, lose)
		}
		wins = append(wins, win)
		lose.win = uint32(len(wins))
	}
	defer func() {
		// (also on an error: the inputs are not used afterwards, but a
		// stale win would redirect a later merge's edges)
		for _, s := range losers {
			s.win = 0
		}
	}()
	type secKey struct {
		name     string
		prot     shared.MemProt
		flags    SectionFlags
		priority uint32
		lifetime MemLifetime
	}
	secs := map[secKey]*Section{}
	comdats := map[string]bool{}
	var eh *Section
	for _, g := range gs {
		// __start_/__stop_ symbols the reader defined for one object are
		// redone over the merged sections.
		var ss []*Symbol
		for _, s := range g.Symbols {
			if s.startStop {
				ss = append(ss, s)
			}
		}
		for _, s := range ss {
			if err := g.MakeExternal(s); err != nil {
				return nil, err
			}
		}
	}
	for _, g := range gs {
		if g.Arch != m.Arch {
			return nil, fmt.Errorf("jitlink: MergeGraphs: %s is for %s, %s for %s", g.Name, g.Arch.Name(), gs[0].Name, m.Arch.Name())
		}
		m.Low2GiB = m.Low2GiB || g.Low2GiB
		m.AllocActions = append(m.AllocActions, g.AllocActions...)
		m.Sources = append(m.Sources, g.Sources...)
		dropped := map[*ComdatGroup]bool{}
		for _, c := range g.Comdats {
			if comdats[c.Signature] {
				dropped[c] = true
				continue
			}
			comdats[c.Signature] = true
			m.Comdats = append(m.Comdats, c)
		}
		for _, s := range g.Sections {
			switch {
			case s.Has(SectionEHFrame):
				if eh == nil {
					eh = s
					eh.Ordinal = len(m.Sections)
					m.Sections = append(m.Sections, eh)
					continue
				}
				// Terminators but the last input's are dropped below.
				for _, b := range s.Blocks {
					b.Section = eh
					eh.Blocks = append(eh.Blocks, b)
				}
				continue
			case s.Comdat == nil && s.Flags&SectionSynthetic == 0:
				key := secKey{s.Name, s.Prot, s.Flags, s.Priority, s.Lifetime}
				if ex := secs[key]; ex != nil {
					for _, b := range s.Blocks {
						b.Section = ex
						ex.Blocks = append(ex.Blocks, b)
					}
					continue
				}
				secs[key] = s
			}
			s.Ordinal = len(m.Sections)
			m.Sections = append(m.Sections, s)
		}
		for _, s := range g.Symbols {
			m.Symbols = append(m.Symbols, s)
			if s.Name == "" || s.Scope == ScopeLocal {
				continue
			}
			if s.Block.Section.Comdat != nil && dropped[s.Block.Section.Comdat] {
				if d, ok := defs[s.Name]; ok {
					replace(s, d)
					continue
				}
			}
			d, ok := defs[s.Name]
			if !ok {
				defs[s.Name] = s
				continue
			}
			win, lose, err := pick(d, s)
			if err != nil {
				return nil, fmt.Errorf("jitlink: duplicate definition of %s in %s and %s", diag.Clip(s.Name), graphOf(d), g.Name)
			}
			if win.IsCommon() && lose.IsCommon() {
				win.Block.Size = max(win.Block.Size, lose.Block.Size)
				win.Size = win.Block.Size
				win.Block.Align = max(win.Block.Align, lose.Block.Align)
			}
			replace(lose, win)
			if win == s {
				defs[s.Name] = s
			}
		}
		for _, s := range g.Absolutes {
			m.Absolutes = append(m.Absolutes, s)
			if s.Name != "" && s.Scope != ScopeLocal {
				if d, ok := defs[s.Name]; ok {
					replace(s, d)
				} else {
					defs[s.Name] = s
				}
			}
		}
	}
	if eh != nil {
		eh.Blocks = dropTerminators(eh.Blocks, m)
	}
	// Externals: bind to a definition or unify by name.
	for _, g := range gs {
		for n, e := range g.Externals {
			if d, ok := defs[n]; ok {
				replace(e, d)
				continue
			}
			if ex, ok := m.Externals[n]; ok {
				ex.WeakRef = ex.WeakRef && e.WeakRef
				ex.TLS = ex.TLS || e.TLS
				replace(e, ex)
				continue
			}
			m.Externals[n] = e
		}
	}
	// Losers: follow chains to the final winner, then redirect edges.
	final := func(s *Symbol) *Symbol {
		for i := 0; i < 64 && s.win != 0; i++ {
			s = wins[s.win-1]
		}
		return s
	}
	if len(losers) > 0 {
		// On every core for a large merge (each block's edges are its
		// own; wins and the symbols' win are only read).
		forEdgeBlocks(m, func(_ *Section, b *Block) error {
			for i := range b.Edges {
				if b.Edges[i].Target.win != 0 {
					b.Edges[i].Target = final(b.Edges[i].Target)
				}
			}
			return nil
		})
		n := 0
		for _, s := range m.Symbols {
			if s.win != 0 {
				// keep the block's local name for diagnostics, but not as a
				// definition: it no longer exports anything
				s.Scope, s.Live = ScopeLocal, false
			}
			m.Symbols[n] = s
			n++
		}
		m.Symbols = m.Symbols[:n]
	}
	DefineStartStop(m)
	return m, nil
}

// pick applies the linker's duplicate-definition rules.
func pick(a, b *Symbol) (win, lose *Symbol, err error) {
	rank := func(s *Symbol) int {
		switch {
		case s.IsCommon():
			return 1
		case s.Linkage == LinkageWeak:
			return 0
		}
		return 2
	}
	ra, rb := rank(a), rank(b)
	switch {
	case ra == 2 && rb == 2:
		return nil, nil, fmt.Errorf("duplicate")
	case rb > ra:
		return b, a, nil
	case ra == 1 && rb == 1 && b.Block.Size > a.Block.Size:
		return b, a, nil
	}
	return a, b, nil
}

func isTerminator(b *Block) bool {
	return len(b.Content) == 4 && b.Content[0]|b.Content[1]|b.Content[2]|b.Content[3] == 0
}

// dropTerminators removes the .eh_frame terminator blocks of bs but the
// last block (the merged section's one terminator), and their symbols'
// liveness.
func dropTerminators(bs []*Block, m *LinkGraph) []*Block {
	var dropped map[*Block]bool
	n := 0
	for i, b := range bs {
		if i < len(bs)-1 && isTerminator(b) {
			if dropped == nil {
				dropped = map[*Block]bool{}
			}
			dropped[b] = true
			continue
		}
		bs[n] = b
		n++
	}
	if dropped != nil {
		for _, s := range m.Symbols {
			if s.Kind == SymDefined && dropped[s.Block] {
				s.Live = false
			}
		}
	}
	clear(bs[n:])
	return bs[:n]
}

// DefineStartStop defines every external __start_SEC / __stop_SEC of g
// whose SEC is a C identifier naming a non-COMDAT section of g: at the
// start of its first block and the end of its last. The ELF reader calls
// it for each object; MergeGraphs calls it again for the combined graph.
func DefineStartStop(g *LinkGraph) {
	for name, ext := range g.Externals {
		var sn string
		start := false
		switch {
		case strings.HasPrefix(name, "__start_"):
			sn, start = name[len("__start_"):], true
		case strings.HasPrefix(name, "__stop_"):
			sn = name[len("__stop_"):]
		default:
			continue
		}
		if !IsCIdentifier(sn) {
			continue
		}
		var sec *Section
		for _, s := range g.Sections {
			if s.Name == sn && s.Comdat == nil && len(s.Blocks) > 0 {
				sec = s
				break
			}
		}
		if sec == nil {
			continue
		}
		sec.Flags |= SectionKeepAlive
		if start {
			g.DefineExternal(ext, sec.Blocks[0], 0, LinkageStrong, ScopeHidden)
		} else {
			last := sec.Blocks[len(sec.Blocks)-1]
			g.DefineExternal(ext, last, last.Size, LinkageStrong, ScopeHidden)
		}
		ext.startStop = true
	}
}

// IsCIdentifier reports whether s is a C identifier (the section names
// GNU ld provides __start_/__stop_ symbols for).
func IsCIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}
