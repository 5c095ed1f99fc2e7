package orc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// BenchmarkLookupReady measures a lookup of one symbol that is already
// Ready: the fast path a linker takes for every external reference.
func BenchmarkLookupReady(b *testing.B) {
	es := orc.NewExecutionSession()
	defer es.EndSession(context.Background())
	jd, _ := es.CreateJITDylib("main")
	m := orc.SymbolMap{}
	for i := 0; i < 1000; i++ {
		m[es.Intern(fmt.Sprintf("sym%d", i))] = orc.ExecutorSymbolDef{Addr: shared.ExecutorAddr(0x1000 + i), Flags: orc.Exported}
	}
	if err := jd.Define(orc.AbsoluteSymbols(m), nil); err != nil {
		b.Fatal(err)
	}
	order := orc.SearchOrder(orc.MatchExportedSymbolsOnly, jd)
	set := orc.NewSymbolLookupSet(es.Intern("sym500"))
	ctx := context.Background()
	if _, err := es.Lookup(ctx, order, set, orc.SymbolStateReady); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := es.Lookup(ctx, order, set, orc.SymbolStateReady)
		if err != nil || len(r) != 1 {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupReadyParallel is BenchmarkLookupReady from all CPUs at
// once (contention on the session lock).
func BenchmarkLookupReadyParallel(b *testing.B) {
	es := orc.NewExecutionSession()
	defer es.EndSession(context.Background())
	jd, _ := es.CreateJITDylib("main")
	name := es.Intern("f")
	if err := jd.Define(orc.AbsoluteSymbols(orc.SymbolMap{name: {Addr: 1, Flags: orc.Exported}}), nil); err != nil {
		b.Fatal(err)
	}
	order := orc.SearchOrder(orc.MatchExportedSymbolsOnly, jd)
	set := orc.NewSymbolLookupSet(name)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := es.Lookup(context.Background(), order, set, orc.SymbolStateReady); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// benchDefineMaterializeLookup defines n one-symbol units, each depending
// on the previous unit's symbol (a chain, so the dependence graph is
// exercised), and looks all of them up at Ready in one lookup.
func benchDefineMaterializeLookup(b *testing.B, n int, d func() orc.Dispatcher) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		es := orc.NewExecutionSession(orc.WithDispatcher(d()))
		jd, _ := es.CreateJITDylib("main")
		names := make([]orc.SymbolName, n)
		for k := range names {
			names[k] = es.Intern(fmt.Sprintf("f%d", k))
		}
		for k := 0; k < n; k++ {
			k := k
			err := jd.Define(&orc.SimpleMaterializationUnit{
				UnitName: "u",
				Syms:     orc.SymbolFlagsMap{names[k]: orc.Exported | orc.Callable},
				MaterializeFunc: func(_ context.Context, r *orc.MaterializationResponsibility) {
					if err := r.NotifyResolved(orc.SymbolMap{names[k]: {Addr: shared.ExecutorAddr(0x1000 + 16*k)}}); err != nil {
						b.Error(err)
					}
					var groups []orc.SymbolDependenceGroup
					if k > 0 {
						groups = []orc.SymbolDependenceGroup{{Symbols: names[k : k+1], Dependencies: map[*orc.JITDylib][]orc.SymbolName{jd: names[k-1 : k]}}}
					}
					if err := r.NotifyEmitted(groups); err != nil {
						b.Error(err)
					}
				},
			}, nil)
			if err != nil {
				b.Fatal(err)
			}
		}
		m, err := es.Lookup(context.Background(), orc.SearchOrder(orc.MatchAllSymbols, jd), orc.NewSymbolLookupSet(names...), orc.SymbolStateReady)
		if err != nil || len(m) != n {
			b.Fatal(err, len(m))
		}
		es.EndSession(context.Background())
	}
}

// BenchmarkDefineMaterializeLookup10k: define + materialize + lookup of
// 10,000 symbols, materializers run in place.
func BenchmarkDefineMaterializeLookup10k(b *testing.B) {
	benchDefineMaterializeLookup(b, 10000, func() orc.Dispatcher { return orc.InPlaceDispatcher{} })
}

// BenchmarkDefineMaterializeLookup10kPool is the same on a 4-worker pool.
func BenchmarkDefineMaterializeLookup10kPool(b *testing.B) {
	benchDefineMaterializeLookup(b, 10000, func() orc.Dispatcher { return orc.NewPoolDispatcher(4) })
}

// BenchmarkIntern measures interning an existing name.
func BenchmarkIntern(b *testing.B) {
	p := orc.NewSymbolStringPool()
	p.Intern("sqlite3_open_v2")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.Intern("sqlite3_open_v2")
	}
}

// BenchmarkEmitWaitersOnLongChain emits, while a blocker keeps a chain of
// k emitted symbols from becoming Ready, m symbols that each depend on the
// chain's head and already have a waiter. A cycle search that always walked
// forward would cost O(k) per symbol (O(k·m) in all); the two-way search
// stops at the small backward side.
func BenchmarkEmitWaitersOnLongChain(b *testing.B) {
	const k, m = 2000, 2000
	for i := 0; i < b.N; i++ {
		es := orc.NewExecutionSession()
		jd, _ := es.CreateJITDylib("main")
		mrs := map[orc.SymbolName]*orc.MaterializationResponsibility{}
		name := func(s string, j int) orc.SymbolName { return es.Intern(fmt.Sprintf("%s%d", s, j)) }
		var all []orc.SymbolName
		add := func(n orc.SymbolName) {
			all = append(all, n)
			jd.Define(&orc.SimpleMaterializationUnit{UnitName: n.String(), Syms: orc.SymbolFlagsMap{n: orc.Exported},
				MaterializeFunc: func(_ context.Context, r *orc.MaterializationResponsibility) { mrs[n] = r }}, nil)
		}
		blocker := es.Intern("blocker")
		add(blocker)
		for j := 0; j < k; j++ {
			add(name("c", j))
		}
		for j := 0; j < m; j++ {
			add(name("x", j))
			add(name("w", j))
		}
		done := 0
		es.LookupAsync(context.Background(), orc.LookupKindStatic, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.NewSymbolLookupSet(all...), orc.SymbolStateReady,
			func(_ orc.SymbolMap, err error) {
				if err != nil {
					b.Error(err)
				}
				done++
			}, nil)
		for n, r := range mrs {
			r.NotifyResolved(orc.SymbolMap{n: {Addr: 1}})
		}
		emit := func(n, dep orc.SymbolName) {
			err := mrs[n].NotifyEmitted([]orc.SymbolDependenceGroup{{Symbols: []orc.SymbolName{n}, Dependencies: map[*orc.JITDylib][]orc.SymbolName{jd: {dep}}}})
			if err != nil {
				b.Fatal(err)
			}
		}
		emit(name("c", 0), blocker)
		for j := 1; j < k; j++ {
			emit(name("c", j), name("c", j-1))
		}
		for j := 0; j < m; j++ {
			emit(name("w", j), name("x", j))
			emit(name("x", j), name("c", k-1))
		}
		mrs[blocker].NotifyEmitted(nil)
		if done != 1 {
			b.Fatal("lookup did not complete")
		}
		es.EndSession(context.Background())
	}
}

// BenchmarkRemoveJITDylibManyTrackers: removing a dylib (or ending the
// session) whose 5,000 symbols each have their own tracker (a REPL that
// can free every definition) is one pass, not one pass per tracker.
func BenchmarkRemoveJITDylibManyTrackers(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		es := orc.NewExecutionSession()
		jd, _ := es.CreateJITDylib("main")
		for k := 0; k < 5000; k++ {
			rt, err := jd.CreateResourceTracker()
			if err != nil {
				b.Fatal(err)
			}
			m := orc.SymbolMap{es.Intern(fmt.Sprintf("f%d", k)): {Addr: shared.ExecutorAddr(0x1000 + k), Flags: orc.Exported}}
			if err := jd.Define(orc.AbsoluteSymbols(m), rt); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := es.RemoveJITDylib(ctx, jd); err != nil {
			b.Fatal(err)
		}
		es.EndSession(ctx)
	}
}

// BenchmarkObjectUnit2000 is the session's bookkeeping of an eager
// program's one object (gorc kaleido at 2,000 functions): interning
// 2,000 names in a batch, defining them as one unit, a lookup of one that
// materializes the unit, NotifyResolved of all and their emission in one
// group, by names (NotifyEmitted) and from the entries (NotifyEmittedAll).
func BenchmarkObjectUnit2000(b *testing.B) {
	const n = 2000
	strs := make([]string, n)
	for k := range strs {
		strs[k] = fmt.Sprintf("fn%d", k)
	}
	for _, all := range []bool{false, true} {
		name := "NotifyEmitted"
		if all {
			name = "NotifyEmittedAll"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				es := orc.NewExecutionSession(orc.WithDispatcher(orc.InPlaceDispatcher{}))
				jd, _ := es.CreateJITDylib("main")
				names := make([]orc.SymbolName, n)
				es.InternAll(strs, names)
				syms := make(orc.SymbolFlagsMap, n)
				for _, s := range names {
					syms[s] = orc.Exported | orc.Callable
				}
				err := jd.Define(&orc.SimpleMaterializationUnit{
					UnitName: "prog.o",
					Syms:     syms,
					MaterializeFunc: func(_ context.Context, r *orc.MaterializationResponsibility) {
						m := make(orc.SymbolMap, n)
						for k, s := range names {
							m[s] = orc.ExecutorSymbolDef{Addr: shared.ExecutorAddr(0x1000 + 16*k)}
						}
						err := r.NotifyResolved(m)
						if err != nil {
							b.Error(err)
						}
						if all {
							err = r.NotifyEmittedAll(nil)
						} else {
							err = r.NotifyEmitted([]orc.SymbolDependenceGroup{{Symbols: names}})
						}
						if err != nil {
							b.Error(err)
						}
					},
				}, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := es.Lookup(context.Background(), orc.SearchOrder(orc.MatchAllSymbols, jd), orc.NewSymbolLookupSet(names[n-1]), orc.SymbolStateReady); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				es.EndSession(context.Background())
				b.StartTimer()
			}
		})
	}
}
