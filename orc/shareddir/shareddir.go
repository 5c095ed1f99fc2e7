// Package shareddir is the controller's view of a shared executor's
// symbol directory (`gorc executor -listen ADDR -shared`; see
// docs/SHARING.md): a definition generator through which a JITDylib's
// lookups of names it does not define go to the dylibs other controllers
// published in the executor, as if those dylibs were part of this
// session's search order.
//
// The generator asks for names at seed 001's Resolved state: a name is
// defined here (as an absolute symbol) as soon as its publisher has
// assigned its address, so two modules in two processes that call each
// other can both link. Code must not run before what it links against is
// Ready in every process; the directory answers that question
// (epc.SharedDirectory.SharedAwait), which package jit asks before it runs
// anything.
package shareddir

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// Lookuper is the directory operation the generator needs
// (epc.Remote implements it).
type Lookuper interface {
	// SharedLookup waits (at most timeout) until every dylib in dylibs is
	// published, then returns each name's address in the first of them
	// that has it, 0 when none has.
	SharedLookup(ctx context.Context, dylibs, names []string, timeout time.Duration) ([]shared.ExecutorAddr, error)
}

// Generator defines the names a JITDylib's lookups do not find as the
// addresses the shared dylibs Dylibs publish, searched in order. Names no
// shared dylib publishes are left to the next generator (the process
// symbols), so a weak reference to a name nobody defines still resolves
// to zero and a required one is reported undefined.
type Generator struct {
	dir     Lookuper
	dylibs  []string
	timeout time.Duration

	mu    sync.Mutex
	found map[string]shared.ExecutorAddr
}

// New returns a generator over the shared dylibs named dylibs; each
// lookup waits at most timeout for them to be published.
func New(dir Lookuper, dylibs []string, timeout time.Duration) *Generator {
	return &Generator{dir: dir, dylibs: append([]string(nil), dylibs...), timeout: timeout, found: map[string]shared.ExecutorAddr{}}
}

// Dylibs returns the shared names searched.
func (g *Generator) Dylibs() []string { return append([]string(nil), g.dylibs...) }

// Where describes the search for messages: `shared dylibs "a", "b"`.
func (g *Generator) Where() string {
	q := make([]string, len(g.dylibs))
	for i, d := range g.dylibs {
		q[i] = fmt.Sprintf("%q", d)
	}
	if len(q) == 1 {
		return "shared dylib " + q[0]
	}
	return "shared dylibs " + strings.Join(q, ", ")
}

// Found returns how many names the directory has supplied so far.
func (g *Generator) Found() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.found)
}

// TryToGenerate implements orc.DefinitionGenerator.
func (g *Generator) TryToGenerate(ctx context.Context, kind orc.LookupKind, jd *orc.JITDylib, flags orc.JITDylibLookupFlags, set orc.SymbolLookupSet) error {
	if len(set) == 0 || len(g.dylibs) == 0 {
		return nil
	}
	names := make([]string, len(set))
	for i, ent := range set {
		names[i] = ent.Name.String()
	}
	addrs, err := g.dir.SharedLookup(ctx, g.dylibs, names, g.timeout)
	if err != nil {
		return fmt.Errorf("shareddir: looking up %s in %s: %w", list(names), g.Where(), err)
	}
	defs := orc.SymbolMap{}
	g.mu.Lock()
	for i, ent := range set {
		if a := addrs[i]; a != 0 {
			defs[ent.Name] = orc.ExecutorSymbolDef{Addr: a, Flags: orc.Exported | orc.Callable}
			g.found[names[i]] = a
		}
	}
	g.mu.Unlock()
	if len(defs) == 0 {
		return nil
	}
	return jd.Define(orc.AbsoluteSymbols(defs), nil)
}

func list(ss []string) string {
	if len(ss) > 6 {
		return strings.Join(ss[:6], ", ") + fmt.Sprintf(" and %d more", len(ss)-6)
	}
	return strings.Join(ss, ", ")
}
