package orc_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

func TestInitSymbolSideEffectsOnly(t *testing.T) {
	es := newSession(t)
	jd := mustJD(t, es, "main")
	f, init := es.Intern("f"), es.Intern("__init_f.o")
	var ran atomic.Int32
	must(t, jd.Define(&orc.SimpleMaterializationUnit{
		UnitName: "f.o",
		Syms:     orc.SymbolFlagsMap{f: orc.Exported | orc.Callable, init: orc.MaterializationSideEffectsOnly},
		Init:     init,
		MaterializeFunc: func(_ context.Context, r *orc.MaterializationResponsibility) {
			ran.Add(1)
			if r.GetInitializerSymbol() != init {
				r.FailMaterialization(errors.New("init symbol not passed on"))
				return
			}
			if err := r.NotifyResolved(orc.SymbolMap{init: {Addr: 1}}); !errors.Is(err, orc.ErrResponsibility) {
				r.FailMaterialization(fmt.Errorf("resolving a side-effects-only symbol: %v", err))
				return
			}
			must(t, r.NotifyResolved(orc.SymbolMap{f: {Addr: 0xf0}}))
			must(t, r.NotifyEmitted(nil))
		},
	}, nil))
	// Looking up the init symbol runs the unit; the result has no entry
	// for it (it has no address).
	m, err := es.Lookup(ctxT(t), orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolLookupSet{}.Add(init, orc.WeaklyReferencedSymbol), orc.SymbolStateReady)
	if err != nil || len(m) != 0 || ran.Load() != 1 {
		t.Fatalf("lookup init: %v %v ran=%d", m, err, ran.Load())
	}
	if s := stateOf(jd, "f"); s != "Ready" {
		t.Fatalf("f = %s", s)
	}
	// An init symbol that is not among the unit's symbols is refused.
	err = jd.Define(&orc.SimpleMaterializationUnit{UnitName: "bad.o", Syms: orc.SymbolFlagsMap{es.Intern("g"): orc.Exported}, Init: es.Intern("nope")}, nil)
	if err == nil || !strings.Contains(err.Error(), "init symbol") {
		t.Fatalf("err = %v", err)
	}
}

func TestGeneratorArguments(t *testing.T) {
	es := newSession(t)
	a, b := mustJD(t, es, "A"), mustJD(t, es, "B")
	must(t, a.Define(abs(es, "inA", 1), nil))
	type call struct {
		jd    string
		kind  orc.LookupKind
		flags orc.JITDylibLookupFlags
		names string
	}
	var calls []call
	gen := orc.DefinitionGeneratorFunc(func(_ context.Context, kind orc.LookupKind, jd *orc.JITDylib, flags orc.JITDylibLookupFlags, set orc.SymbolLookupSet) error {
		calls = append(calls, call{jd.Name(), kind, flags, strings.Join(sortedStrings(set.Names()), ",")})
		return nil
	})
	a.AddGenerator(gen)
	b.AddGenerator(gen)
	set := orc.NewSymbolLookupSet(es.Intern("inA"), es.Intern("x")).Add(es.Intern("y"), orc.WeaklyReferencedSymbol)
	var got error
	done := make(chan struct{})
	es.LookupAsync(ctxT(t), orc.LookupKindDLSym, orc.JITDylibSearchOrder{{JD: a, Flags: orc.MatchAllSymbols}, {JD: b, Flags: orc.MatchExportedSymbolsOnly}},
		set, orc.SymbolStateReady, func(_ orc.SymbolMap, err error) { got = err; close(done) }, nil)
	<-done
	var nf *orc.SymbolsNotFoundError
	if !errors.As(got, &nf) || got.Error() != "symbols not found: [x]" {
		t.Fatalf("err = %v", got)
	}
	want := []call{{"A", orc.LookupKindDLSym, orc.MatchAllSymbols, "x,y"}, {"B", orc.LookupKindDLSym, orc.MatchExportedSymbolsOnly, "x,y"}}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Fatalf("calls = %v, want %v", calls, want)
	}
}

func sortedStrings(ns []orc.SymbolName) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.String()
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func TestEmittedStateAndDuplicateNames(t *testing.T) {
	es := newSession(t)
	jd := mustJD(t, es, "main")
	ua, ub := newCtl(es, "a.o", orc.Exported, "a"), newCtl(es, "b.o", orc.Exported, "b")
	must(t, jd.Define(ua, nil))
	must(t, jd.Define(ub, nil))
	order := orc.SearchOrder(orc.MatchAllSymbols, jd)
	// The same name twice in one lookup set is fine.
	a := es.Intern("a")
	var emitted asyncResult
	done := make(chan struct{})
	es.LookupAsync(ctxT(t), orc.LookupKindStatic, order, orc.SymbolLookupSet{{Name: a}, {Name: a, Flags: orc.WeaklyReferencedSymbol}}, orc.SymbolStateEmitted,
		func(m orc.SymbolMap, err error) { emitted = asyncResult{m, err}; close(done) }, nil)
	lookupAsync(es, order, orc.SymbolStateReady, "b")
	ra, rb := ua.take(t), ub.take(t)
	resolveAll(t, ra, map[string]int{"a": 0xa})
	resolveAll(t, rb, map[string]int{"b": 0xb})
	must(t, ra.NotifyEmitted([]orc.SymbolDependenceGroup{{Symbols: []orc.SymbolName{a}, Dependencies: map[*orc.JITDylib][]orc.SymbolName{jd: {es.Intern("b")}}}}))
	<-done
	if emitted.err != nil || emitted.m[a].Addr != 0xa || stateOf(jd, "a") != "Emitted" {
		t.Fatalf("emitted lookup: %v %v, a is %s", emitted.m, emitted.err, stateOf(jd, "a"))
	}
	must(t, rb.NotifyEmitted(nil))
	if stateOf(jd, "a") != "Ready" {
		t.Fatalf("a is %s", stateOf(jd, "a"))
	}
}

func TestTransferWhileMaterializing(t *testing.T) {
	es := newSession(t)
	m := &recordingManager{attached: map[orc.ResourceKey][]string{}}
	es.RegisterResourceManager(m)
	jd := mustJD(t, es, "main")
	src, err := jd.CreateResourceTracker()
	must(t, err)
	dst, err := jd.CreateResourceTracker()
	must(t, err)
	u := newCtl(es, "u.o", orc.Exported, "u")
	must(t, jd.Define(u, src))
	q := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "u")
	r := u.take(t)
	must(t, src.TransferTo(dst))
	var key orc.ResourceKey
	must(t, r.WithResourceKeyDo(func(k orc.ResourceKey) { key = k }))
	if key != dst.Key() {
		t.Fatalf("key = %d, want destination %d", key, dst.Key())
	}
	must(t, src.Remove(ctxT(t))) // now empty: must not affect u
	resolveAll(t, r, map[string]int{"u": 0x10})
	must(t, r.NotifyEmitted(nil))
	if res := wait(t, q); res.err != nil {
		t.Fatal(res.err)
	}
	must(t, dst.Remove(ctxT(t)))
	if stateOf(jd, "u") != "absent" {
		t.Fatal("u survived removal of its (transferred) tracker")
	}
	other := mustJD(t, es, "other")
	if err := dst.TransferTo(other.DefaultResourceTracker()); err == nil {
		t.Fatal("transfer across dylibs accepted")
	}
}

func TestRemoveJITDylibTwiceAndInOrder(t *testing.T) {
	es := newSession(t)
	a, b := mustJD(t, es, "A"), mustJD(t, es, "B")
	must(t, b.Define(abs(es, "x", 1), nil))
	must(t, es.RemoveJITDylib(ctxT(t), a))
	if err := es.RemoveJITDylib(ctxT(t), a); !errors.Is(err, orc.ErrJITDylibRemoved) {
		t.Fatalf("second removal: %v", err)
	}
	_, err := es.Lookup(ctxT(t), orc.SearchOrder(orc.MatchAllSymbols, b, a), orc.NewSymbolLookupSet(es.Intern("x")), orc.SymbolStateReady)
	if !errors.Is(err, orc.ErrJITDylibRemoved) || !strings.Contains(err.Error(), `"A"`) {
		t.Fatalf("lookup with removed dylib in order: %v", err)
	}
	if _, err := a.CreateResourceTracker(); !errors.Is(err, orc.ErrJITDylibRemoved) {
		t.Fatalf("tracker in removed dylib: %v", err)
	}
	// The name can be reused.
	a2 := mustJD(t, es, "A")
	if a2 == a || es.GetJITDylibByName("A") != a2 {
		t.Fatal("name not reusable")
	}
}

// TestConcurrentRemoval races tracker removal against materialization and
// lookups: nothing may panic, deadlock or return an unexpected error.
func TestConcurrentRemoval(t *testing.T) {
	es := newSession(t, orc.WithDispatcher(orc.NewPoolDispatcher(4)))
	jd := mustJD(t, es, "main")
	const rounds, per = 40, 20
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for round := 0; round < rounds; round++ {
		rt, err := jd.CreateResourceTracker()
		must(t, err)
		names := make([]orc.SymbolName, per)
		for i := range names {
			names[i] = es.Intern(fmt.Sprintf("r%d_%d", round, i))
			i := i
			must(t, jd.Define(&orc.SimpleMaterializationUnit{UnitName: "u", Syms: orc.SymbolFlagsMap{names[i]: orc.Exported},
				MaterializeFunc: func(ctx context.Context, r *orc.MaterializationResponsibility) {
					if err := r.NotifyResolved(orc.SymbolMap{names[i]: {Addr: shared.ExecutorAddr(i + 1)}}); err != nil {
						r.FailMaterialization(err)
						return
					}
					var set orc.SymbolLookupSet
					if i > 0 {
						set = orc.NewSymbolLookupSet(names[i-1])
					}
					es.LookupAsync(ctx, orc.LookupKindStatic, orc.SearchOrder(orc.MatchAllSymbols, jd), set, orc.SymbolStateResolved, func(_ orc.SymbolMap, err error) {
						if err != nil {
							r.FailMaterialization(err)
							return
						}
						var g []orc.SymbolDependenceGroup
						if i > 0 {
							g = []orc.SymbolDependenceGroup{{Symbols: names[i : i+1], Dependencies: map[*orc.JITDylib][]orc.SymbolName{jd: names[i-1 : i]}}}
						}
						if err := r.NotifyEmitted(g); err != nil {
							r.FailMaterialization(err)
						}
					}, nil)
				}}, rt))
		}
		var wg sync.WaitGroup
		rng := rand.New(rand.NewSource(int64(round)))
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(k int) {
				defer wg.Done()
				_, err := es.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.NewSymbolLookupSet(names[k]), orc.SymbolStateReady)
				var nf *orc.SymbolsNotFoundError
				var fe *orc.FailedToMaterializeError
				if err != nil && !errors.As(err, &nf) && !errors.As(err, &fe) && !errors.Is(err, orc.ErrResourceTrackerRemoved) {
					t.Errorf("unexpected lookup error: %v", err)
				}
			}(rng.Intn(per))
		}
		time.Sleep(time.Duration(rng.Intn(200)) * time.Microsecond)
		must(t, rt.Remove(ctx))
		wg.Wait()
		if ctx.Err() != nil {
			t.Fatal("timed out")
		}
	}
	if n := len(jd.Symbols()); n != 0 {
		t.Fatalf("%d symbols left after removing every tracker", n)
	}
}

// TestSyncLookupInsideMaterializer: with a one-worker pool, a materializer
// that synchronously looks up a symbol of another (queued) unit must not
// deadlock: the waiting worker lends its slot.
func TestSyncLookupInsideMaterializer(t *testing.T) {
	es := newSession(t, orc.WithDispatcher(orc.NewPoolDispatcher(1)))
	jd := mustJD(t, es, "main")
	const depth = 5
	names := make([]orc.SymbolName, depth)
	for i := range names {
		names[i] = es.Intern(fmt.Sprintf("f%d", i))
	}
	for i := 0; i < depth; i++ {
		i := i
		must(t, jd.Define(&orc.SimpleMaterializationUnit{UnitName: fmt.Sprintf("f%d.o", i), Syms: orc.SymbolFlagsMap{names[i]: orc.Exported},
			MaterializeFunc: func(ctx context.Context, r *orc.MaterializationResponsibility) {
				if i+1 < depth {
					// Blocking lookup of the next unit, at Ready.
					if _, err := es.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.NewSymbolLookupSet(names[i+1]), orc.SymbolStateReady); err != nil {
						r.FailMaterialization(err)
						return
					}
				}
				must(t, r.NotifyResolved(orc.SymbolMap{names[i]: {Addr: shared.ExecutorAddr(0x100 + i)}}))
				must(t, r.NotifyEmitted(nil))
			}}, nil))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := es.LookupSymbol(ctx, jd, "f0")
	if err != nil || d.Addr != 0x100 {
		t.Fatalf("f0 = %v, %v", d, err)
	}
}

func TestLookupFlagsAndReexportsGenerator(t *testing.T) {
	es := newSession(t)
	libm, main := mustJD(t, es, "libm"), mustJD(t, es, "main")
	must(t, libm.Define(abs(es, "sin", 0x5100, "cos", 0x5200), nil))
	hidden := orc.SymbolMap{es.Intern("internal"): {Addr: 0x5300, Flags: orc.Callable}}
	must(t, libm.Define(orc.AbsoluteSymbols(hidden), nil))
	sin, cos, internal, nope := es.Intern("sin"), es.Intern("cos"), es.Intern("internal"), es.Intern("nope")

	fl, err := es.LookupFlags(ctxT(t), orc.LookupKindStatic, orc.SearchOrder(orc.MatchExportedSymbolsOnly, libm),
		orc.NewSymbolLookupSet(sin).Add(internal, orc.WeaklyReferencedSymbol))
	if err != nil || len(fl) != 1 || fl[sin] != orc.Exported|orc.Callable {
		t.Fatalf("LookupFlags = %v, %v", fl, err)
	}
	if s := stateOf(libm, "sin"); s != "NeverSearched" {
		t.Fatalf("LookupFlags materialized sin: %s", s)
	}

	main.AddGenerator(orc.ReexportsGenerator(libm, orc.MatchExportedSymbolsOnly, func(n orc.SymbolName) bool { return n != cos }))
	m, err := es.Lookup(ctxT(t), orc.SearchOrder(orc.MatchExportedSymbolsOnly, main),
		orc.NewSymbolLookupSet(sin).Add(cos, orc.WeaklyReferencedSymbol).Add(internal, orc.WeaklyReferencedSymbol).Add(nope, orc.WeaklyReferencedSymbol), orc.SymbolStateReady)
	if err != nil || len(m) != 1 || m[sin].Addr != 0x5100 {
		t.Fatalf("lookup through reexports generator = %v, %v", m, err)
	}
	if s := stateOf(main, "sin"); s != "Ready" {
		t.Fatalf("sin in main: %s", s)
	}
	for _, n := range []string{"cos", "internal", "nope"} {
		if s := stateOf(main, n); s != "absent" {
			t.Fatalf("%s defined in main: %s", n, s)
		}
	}
}

// TestEndSessionUnderLoad ends a session while lookups, definitions and
// materializations are in flight: everything must return (with results or
// errors), nothing may panic or hang.
func TestEndSessionUnderLoad(t *testing.T) {
	es := orc.NewExecutionSession(orc.WithDispatcher(orc.NewPoolDispatcher(4)))
	jd := mustJD(t, es, "main")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				n := es.Intern(fmt.Sprintf("w%d_%d", w, i))
				err := jd.Define(&orc.SimpleMaterializationUnit{UnitName: n.String(), Syms: orc.SymbolFlagsMap{n: orc.Exported},
					MaterializeFunc: func(_ context.Context, r *orc.MaterializationResponsibility) {
						time.Sleep(50 * time.Microsecond)
						if err := r.NotifyResolved(orc.SymbolMap{n: {Addr: 1}}); err != nil {
							r.FailMaterialization(err)
							return
						}
						if err := r.NotifyEmitted(nil); err != nil {
							r.FailMaterialization(err)
						}
					}}, nil)
				if err != nil {
					if !errors.Is(err, orc.ErrSessionEnded) && !errors.Is(err, orc.ErrJITDylibRemoved) {
						t.Errorf("define: %v", err)
					}
					return
				}
				if _, err := es.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.NewSymbolLookupSet(n), orc.SymbolStateReady); err != nil {
					var nf *orc.SymbolsNotFoundError
					if !errors.Is(err, orc.ErrSessionEnded) && !errors.Is(err, orc.ErrJITDylibRemoved) &&
						!errors.Is(err, orc.ErrResourceTrackerRemoved) && !errors.As(err, &nf) {
						t.Errorf("lookup: %v", err)
					}
					return
				}
			}
		}(w)
	}
	time.Sleep(20 * time.Millisecond)
	if err := es.EndSession(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("workers did not finish after EndSession")
	}
}
