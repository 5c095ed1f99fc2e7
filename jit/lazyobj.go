package jit

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/orc"
)

// lazyObjectVeto says why g must be linked eagerly, or "" if its code can
// wait for the first call of one of its functions. Only objects whose
// global definitions are all strong functions qualify: data needs its
// real address up front (a stub would stand in for code only), and
// initializers, thread-local data and COMDAT/weak definitions make an
// object's presence matter before any call.
func lazyObjectVeto(g *jitlink.LinkGraph) string {
	if g.ExecStack {
		return "an executable stack" // AddObject refuses it
	}
	if len(g.Comdats) > 0 {
		return "COMDAT groups"
	}
	for _, sec := range g.Sections {
		if sec.Has(jitlink.SectionTLS) && len(sec.Blocks) > 0 {
			return "thread-local data"
		}
		for _, p := range []string{".init_array", ".ctors", ".preinit_array", ".fini_array", ".dtors", ".init", ".fini"} {
			if (sec.Name == p || strings.HasPrefix(sec.Name, p+".")) && len(sec.Blocks) > 0 {
				return "initializers"
			}
		}
	}
	functions := 0
	for _, s := range g.Symbols {
		if s.Name == "" || s.Scope == jitlink.ScopeLocal {
			continue
		}
		switch {
		case !s.Callable:
			return fmt.Sprintf("data (%s)", s.Name)
		case s.Linkage != jitlink.LinkageStrong:
			return fmt.Sprintf("a weak definition (%s)", s.Name)
		}
		functions++
	}
	if len(g.Absolutes) > 0 {
		return "absolute symbols"
	}
	if functions == 0 {
		return "no functions"
	}
	return ""
}

// AddLazyObject adds a relocatable object whose code is linked when one
// of its functions is first called: each function it defines becomes a
// stub in the main dylib (a lazy reexport) and the object is linked into
// main.impl on the first call through any of them. An object that
// defines data, initializers, thread-local data or weak/COMDAT
// definitions is added eagerly instead (AddObject). Lazy objects see
// each other directly (linking one links the lazy objects it references);
// eager code reaches them through the stubs, so a function's address
// taken in eager code (its stub) differs from the one taken in lazy code
// (its body).
func (j *JIT) AddLazyObject(name string, data []byte) error {
	g, err := elf.Parse(name, data)
	if err != nil {
		return err
	}
	if lazyObjectVeto(g) != "" {
		return j.AddObject(name, data)
	}
	t0 := time.Now()
	if g.Low2GiB {
		j.mu.Lock()
		if j.slab != nil && !j.low {
			j.mu.Unlock()
			return fmt.Errorf("jit: %s is non-PIC small-model code (needs memory below 2 GiB) but code was already placed above; add it before linking starts", name)
		}
		j.low = true
		j.mu.Unlock()
	}
	j.mu.Lock()
	started := j.procAdd
	if !started {
		// Defined when linking starts (the slab may have to go below
		// 2 GiB for a later object; stubs need it).
		j.lazyPending = append(j.lazyPending, g)
	}
	j.objects = append(j.objects, name)
	j.times.Load += time.Since(t0)
	j.mu.Unlock()
	if started {
		return j.defineLazyObject(g)
	}
	return nil
}

// defineLazyObject adds g to main.impl and its functions to the main
// dylib as lazy reexports.
func (j *JIT) defineLazyObject(g *jitlink.LinkGraph) error {
	_, impl, err := j.LazyDylibs()
	if err != nil {
		return err
	}
	var names []string
	for _, s := range g.Symbols {
		if s.Name != "" && s.Scope != jitlink.ScopeLocal {
			names = append(names, s.Name)
		}
	}
	sort.Strings(names)
	if _, err := j.Layer.AddGraph(impl, nil, g); err != nil {
		return err
	}
	aliases := make(orc.SymbolAliasMap, len(names))
	for _, n := range names {
		sn := j.ES.Intern(n)
		aliases[sn] = orc.SymbolAliasMapEntry{Aliasee: sn, Flags: orc.Exported | orc.Callable}
	}
	if err := j.AddLazyReexports(impl, aliases); err != nil {
		return fmt.Errorf("jit: %s: %w", g.Name, err)
	}
	return nil
}
