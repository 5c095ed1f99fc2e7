package objlayer

import (
	"sort"
	"strings"

	"github.com/gorc-jit/gorc/jitlink"
)

// MergeSectionRegistries implements __start_SEC/__stop_SEC across objects.
// A static linker concatenates the sections called SEC (a C identifier) of
// every object into one output section, and __start_SEC/__stop_SEC bound
// all of it: that is how registries (tests, plugins, commands) are built
// from several objects. A JIT that links each object separately would give
// each object only its own part. So, before linking, the graphs that
// contribute to such a registry, or refer to its bounds, are merged into
// one graph (in input order, their SEC blocks adjacent), and the bounds are
// redefined over the merged section. Graphs are merged only when that is
// safe: no global name defined twice among them and at most one with
// thread-local data; otherwise they are left alone.
func MergeSectionRegistries(gs []*jitlink.LinkGraph) []*jitlink.LinkGraph {
	// Which registry names each graph has or refers to.
	refs := map[string][]int{} // SEC -> graphs that define or reference its bounds
	has := map[string][]int{}  // SEC -> graphs with a SEC section
	for i, g := range gs {
		for _, s := range g.Sections {
			if jitlink.IsCIdentifier(s.Name) && len(s.Blocks) > 0 {
				has[s.Name] = appendOnce(has[s.Name], i)
			}
		}
		note := func(name string) {
			if sec, ok := boundSection(name); ok {
				refs[sec] = appendOnce(refs[sec], i)
			}
		}
		for n := range g.Externals {
			note(n)
		}
		for _, s := range g.Symbols {
			note(s.Name)
		}
	}
	// Union the graphs of each referenced registry.
	parent := make([]int, len(gs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	secs := map[string]bool{}
	for sec, rs := range refs {
		members := append(append([]int(nil), has[sec]...), rs...)
		if len(has[sec]) == 0 || len(uniq(members)) < 2 {
			continue
		}
		secs[sec] = true
		for _, m := range members[1:] {
			a, b := find(members[0]), find(m)
			if a != b {
				if a < b {
					parent[b] = a
				} else {
					parent[a] = b
				}
			}
		}
	}
	groups := map[int][]int{}
	for i := range gs {
		groups[find(i)] = append(groups[find(i)], i)
	}
	var out []*jitlink.LinkGraph
	for i := range gs {
		grp := groups[i]
		if len(grp) == 0 {
			continue // merged into an earlier graph
		}
		if len(grp) == 1 || !canMerge(gs, grp) {
			for _, j := range grp {
				out = append(out, gs[j])
			}
			continue
		}
		g := gs[grp[0]]
		for _, j := range grp[1:] {
			mergeInto(g, gs[j], secs)
		}
		fixBounds(g, secs)
		out = append(out, g)
	}
	return out
}

func appendOnce(xs []int, i int) []int {
	if len(xs) > 0 && xs[len(xs)-1] == i {
		return xs
	}
	return append(xs, i)
}

func uniq(xs []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func boundSection(name string) (string, bool) {
	for _, p := range []string{"__start_", "__stop_"} {
		if strings.HasPrefix(name, p) && jitlink.IsCIdentifier(name[len(p):]) {
			return name[len(p):], true
		}
	}
	return "", false
}

// canMerge checks that the graphs of grp define no global name twice and
// that at most one has thread-local data.
func canMerge(gs []*jitlink.LinkGraph, grp []int) bool {
	names := map[string]bool{}
	tls := 0
	for _, i := range grp {
		g := gs[i]
		if g.TLS != nil || hasTLS(g) {
			tls++
		}
		for _, list := range [][]*jitlink.Symbol{g.Symbols, g.Absolutes} {
			for _, s := range list {
				if s.Name == "" || s.Scope == jitlink.ScopeLocal || isLocalOnly(s.Name) {
					continue
				}
				if names[s.Name] {
					return false
				}
				names[s.Name] = true
			}
		}
		if g.Scratch != nil || g.ArchState != nil || len(g.AllocActions) > 0 {
			return false
		}
	}
	return tls <= 1
}

func hasTLS(g *jitlink.LinkGraph) bool {
	for _, s := range g.Sections {
		if s.Has(jitlink.SectionTLS) && len(s.Blocks) > 0 {
			return true
		}
	}
	return false
}

// mergeInto moves everything of b into a. Sections named in secs are
// concatenated (b's blocks after a's); other sections are appended.
func mergeInto(a, b *jitlink.LinkGraph, secs map[string]bool) {
	a.Name = a.Name + "+" + b.Name
	for _, s := range b.Sections {
		if secs[s.Name] {
			if dst := a.FindSection(s.Name); dst != nil && dst != s {
				base := uint64(0)
				for _, blk := range dst.Blocks {
					base = max(base, blk.Ordinal+blk.Size+1)
				}
				for _, blk := range s.Blocks {
					blk.Section = dst
					blk.Ordinal += base
					dst.Blocks = append(dst.Blocks, blk)
				}
				dst.Flags |= s.Flags & jitlink.SectionKeepAlive
				sort.SliceStable(dst.Blocks, func(i, j int) bool { return dst.Blocks[i].Ordinal < dst.Blocks[j].Ordinal })
				continue
			}
		}
		s.Ordinal = len(a.Sections)
		a.Sections = append(a.Sections, s)
	}
	a.Symbols = append(a.Symbols, b.Symbols...)
	a.Absolutes = append(a.Absolutes, b.Absolutes...)
	a.Comdats = append(a.Comdats, b.Comdats...)
	a.Sources = append(a.Sources, b.Sources...)
	a.Low2GiB = a.Low2GiB || b.Low2GiB
	if a.TLS == nil {
		a.TLS = b.TLS
	}
	// Externals: bind references to definitions now in the same graph and
	// share one external per name.
	for name, ext := range b.Externals {
		if other, ok := a.Externals[name]; ok {
			a.RedirectEdges(ext, other)
			other.WeakRef = other.WeakRef && ext.WeakRef
			continue
		}
		a.Externals[name] = ext
	}
	for name, ext := range a.Externals {
		if _, ok := boundSection(name); ok {
			continue // fixBounds defines these
		}
		if def := definedGlobal(a, name); def != nil {
			a.RedirectEdges(ext, def)
			delete(a.Externals, name)
		}
	}
}

func definedGlobal(g *jitlink.LinkGraph, name string) *jitlink.Symbol {
	for _, list := range [][]*jitlink.Symbol{g.Symbols, g.Absolutes} {
		for _, s := range list {
			if s.Name == name && s.Scope != jitlink.ScopeLocal {
				return s
			}
		}
	}
	return nil
}

// fixBounds makes one __start_SEC/__stop_SEC per merged registry, bounding
// the whole merged section.
func fixBounds(g *jitlink.LinkGraph, secs map[string]bool) {
	for sec := range secs {
		s := g.FindSection(sec)
		if s == nil || len(s.Blocks) == 0 {
			continue
		}
		s.Flags |= jitlink.SectionKeepAlive
		first, last := s.Blocks[0], s.Blocks[len(s.Blocks)-1]
		for _, bound := range []struct {
			name string
			blk  *jitlink.Block
			off  uint64
		}{{"__start_" + sec, first, 0}, {"__stop_" + sec, last, last.Size}} {
			var canon *jitlink.Symbol
			var dups []*jitlink.Symbol
			n := 0
			for _, sym := range g.Symbols {
				if sym.Name == bound.name {
					if canon == nil {
						canon = sym
					} else {
						dups = append(dups, sym)
						continue
					}
				}
				g.Symbols[n] = sym
				n++
			}
			g.Symbols = g.Symbols[:n]
			if ext, ok := g.Externals[bound.name]; ok {
				if canon == nil {
					g.DefineExternal(ext, bound.blk, bound.off, jitlink.LinkageStrong, jitlink.ScopeHidden)
					canon = ext
				} else {
					dups = append(dups, ext)
					delete(g.Externals, bound.name)
				}
			}
			if canon == nil {
				continue
			}
			canon.Block, canon.Offset = bound.blk, bound.off
			for _, d := range dups {
				g.RedirectEdges(d, canon)
			}
		}
	}
}
