package orc_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// stressGraph is a random program: units of 1-3 symbols spread over three
// dylibs, each unit depending on random symbols of other units (so the
// graph has many cycles, within and across dylibs).
type stressGraph struct {
	es      *orc.ExecutionSession
	jds     []*orc.JITDylib
	order   orc.JITDylibSearchOrder
	unitOf  []int            // symbol index -> unit
	names   []orc.SymbolName // symbol index -> name
	syms    [][]int          // unit -> its symbols
	deps    [][]int          // unit -> symbols it depends on
	counts  []atomic.Int32   // unit -> materializations
	emitted []atomic.Bool    // unit -> NotifyEmitted called
}

func addrOf(sym int) shared.ExecutorAddr { return shared.ExecutorAddr(0x10000 + 16*sym) }

func newStressGraph(t testing.TB, es *orc.ExecutionSession, units int, seed int64) *stressGraph {
	rng := rand.New(rand.NewSource(seed))
	g := &stressGraph{es: es, counts: make([]atomic.Int32, units), emitted: make([]atomic.Bool, units)}
	for i := 0; i < 3; i++ {
		jd := mustJD(t, es, fmt.Sprintf("lib%d", i))
		g.jds = append(g.jds, jd)
		g.order = append(g.order, orc.JITDylibSearchEntry{JD: jd, Flags: orc.MatchAllSymbols})
	}
	g.syms = make([][]int, units)
	for u := 0; u < units; u++ {
		for k := 0; k < 1+rng.Intn(3); k++ {
			s := len(g.names)
			g.names = append(g.names, es.Intern(fmt.Sprintf("u%d_s%d", u, k)))
			g.unitOf = append(g.unitOf, u)
			g.syms[u] = append(g.syms[u], s)
		}
	}
	g.deps = make([][]int, units)
	for u := 0; u < units; u++ {
		for k := rng.Intn(4); k > 0; k-- {
			d := rng.Intn(len(g.names))
			if g.unitOf[d] != u {
				g.deps[u] = append(g.deps[u], d)
			}
		}
	}
	for u := 0; u < units; u++ {
		flags := orc.SymbolFlagsMap{}
		for _, s := range g.syms[u] {
			flags[g.names[s]] = orc.Exported | orc.Callable
		}
		must(t, g.jds[u%3].Define(&orc.SimpleMaterializationUnit{
			UnitName:        fmt.Sprintf("unit%d.o", u),
			Syms:            flags,
			MaterializeFunc: g.materializer(u),
		}, nil))
	}
	return g
}

// materializer resolves the unit's symbols, looks up its dependencies at
// Resolved state (triggering them, as a linker resolving external
// references would), then emits with one dependence group.
func (g *stressGraph) materializer(u int) func(context.Context, *orc.MaterializationResponsibility) {
	return func(ctx context.Context, r *orc.MaterializationResponsibility) {
		g.counts[u].Add(1)
		res := orc.SymbolMap{}
		for _, s := range g.syms[u] {
			res[g.names[s]] = orc.ExecutorSymbolDef{Addr: addrOf(s), Flags: orc.Exported | orc.Callable}
		}
		if err := r.NotifyResolved(res); err != nil {
			r.FailMaterialization(err)
			return
		}
		var set orc.SymbolLookupSet
		for _, d := range g.deps[u] {
			set = set.Add(g.names[d], orc.RequiredSymbol)
		}
		g.es.LookupAsync(ctx, orc.LookupKindStatic, g.order, set, orc.SymbolStateResolved, func(m orc.SymbolMap, err error) {
			if err != nil {
				r.FailMaterialization(err)
				return
			}
			grp := orc.SymbolDependenceGroup{Dependencies: map[*orc.JITDylib][]orc.SymbolName{}}
			for _, s := range g.syms[u] {
				grp.Symbols = append(grp.Symbols, g.names[s])
			}
			for _, d := range g.deps[u] {
				if m[g.names[d]].Addr != addrOf(d) {
					r.FailMaterialization(fmt.Errorf("dependency %s resolved to %v", g.names[d], m[g.names[d]].Addr))
					return
				}
				jd := g.jds[g.unitOf[d]%3]
				grp.Dependencies[jd] = append(grp.Dependencies[jd], g.names[d])
			}
			g.emitted[u].Store(true)
			if err := r.NotifyEmitted([]orc.SymbolDependenceGroup{grp}); err != nil {
				r.FailMaterialization(err)
			}
		}, nil)
	}
}

// checkReady verifies that every unit reachable from sym has emitted.
func (g *stressGraph) checkReady(sym int) error {
	seen := map[int]bool{}
	work := []int{g.unitOf[sym]}
	for len(work) > 0 {
		u := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[u] {
			continue
		}
		seen[u] = true
		if !g.emitted[u].Load() {
			return fmt.Errorf("%s is Ready but unit %d it depends on has not emitted", g.names[sym], u)
		}
		for _, d := range g.deps[u] {
			work = append(work, g.unitOf[d])
		}
	}
	return nil
}

func TestStressConcurrentLookups(t *testing.T) {
	units, lookers, rounds := 3000, 32, 8
	if testing.Short() {
		units, rounds = 600, 4
	}
	t.Run("pool", func(t *testing.T) {
		stress(t, orc.NewPoolDispatcher(8), units, lookers, rounds, 1)
	})
	// In place, materializers run inside the lookups that trigger them
	// (and their dependency lookups recurse): other interleavings.
	t.Run("in-place", func(t *testing.T) {
		stress(t, orc.InPlaceDispatcher{}, units/3, lookers/4, rounds, 2)
	})
}

func stress(t *testing.T, d orc.Dispatcher, units, lookers, rounds int, seed int64) {
	es := newSession(t, orc.WithDispatcher(d))
	g := newStressGraph(t, es, units, seed)

	// A deadlock is told by a lack of progress, not by a total time: on
	// a loaded CI machine under -race the pool case ran past a 60 s
	// total (every goroutine runnable, checking results) where it takes
	// a few seconds here.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var progress atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, lookers)
	for w := 0; w < lookers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w) + 100))
			for r := 0; r < rounds; r++ {
				n := 1 + rng.Intn(40)
				picks := make([]int, n)
				var set orc.SymbolLookupSet
				for i := range picks {
					picks[i] = rng.Intn(len(g.names))
					set = set.Add(g.names[picks[i]], orc.RequiredSymbol)
				}
				state := orc.SymbolStateReady
				if rng.Intn(4) == 0 {
					state = orc.SymbolStateResolved
				}
				m, err := es.Lookup(ctx, g.order, set, state)
				if err != nil {
					errs <- fmt.Errorf("looker %d round %d: %w", w, r, err)
					return
				}
				progress.Add(1)
				for _, p := range picks {
					if got := m[g.names[p]].Addr; got != addrOf(p) {
						errs <- fmt.Errorf("%s = %v, want %v", g.names[p], got, addrOf(p))
						return
					}
					if state == orc.SymbolStateReady {
						if err := g.checkReady(p); err != nil {
							errs <- err
							return
						}
					}
				}
			}
		}(w)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	const stall = 60 * time.Second
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last, since := progress.Load(), time.Now()
wait:
	for {
		select {
		case <-done:
			break wait
		case <-tick.C:
			if n := progress.Load(); n != last {
				last, since = n, time.Now()
			} else if time.Since(since) > stall {
				var b bytes.Buffer
				pprof.Lookup("goroutine").WriteTo(&b, 2)
				cancel()
				t.Fatalf("no lookup completed for %v (deadlock?) after %d; goroutines:\n%s", stall, n, b.String())
			}
		}
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Finally everything, at Ready: each unit materialized exactly once.
	set := orc.NewSymbolLookupSet(g.names...)
	m, err := es.Lookup(ctx, g.order, set, orc.SymbolStateReady)
	if err != nil {
		t.Fatal(err)
	}
	for s, n := range g.names {
		if m[n].Addr != addrOf(s) {
			t.Fatalf("%s = %v", n, m[n].Addr)
		}
	}
	for u := range g.counts {
		if c := g.counts[u].Load(); c != 1 {
			t.Errorf("unit %d materialized %d times", u, c)
		}
	}
	for _, jd := range g.jds {
		for _, s := range jd.Symbols() {
			if s.State != orc.SymbolStateReady || s.Failed {
				t.Fatalf("%s in %s: %v failed=%v", s.Name, jd.Name(), s.State, s.Failed)
			}
		}
	}
}
