package orc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// recordingManager records resource-manager callbacks.
type recordingManager struct {
	mu        sync.Mutex
	removed   []orc.ResourceKey
	transfers [][2]orc.ResourceKey
	attached  map[orc.ResourceKey][]string
}

func (m *recordingManager) HandleRemoveResources(_ context.Context, _ *orc.JITDylib, k orc.ResourceKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removed = append(m.removed, k)
	delete(m.attached, k)
	return nil
}

func (m *recordingManager) HandleTransferResources(_ *orc.JITDylib, dst, src orc.ResourceKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.transfers = append(m.transfers, [2]orc.ResourceKey{dst, src})
	m.attached[dst] = append(m.attached[dst], m.attached[src]...)
	delete(m.attached, src)
}

// memUnit is a unit that "allocates memory" under its tracker key, like an
// object layer would.
func memUnit(es *orc.ExecutionSession, m *recordingManager, name string, addr int, syms ...string) *orc.SimpleMaterializationUnit {
	flags := orc.SymbolFlagsMap{}
	for _, s := range syms {
		flags[es.Intern(s)] = orc.Exported | orc.Callable
	}
	return &orc.SimpleMaterializationUnit{
		UnitName: name,
		Syms:     flags,
		MaterializeFunc: func(_ context.Context, r *orc.MaterializationResponsibility) {
			err := r.WithResourceKeyDo(func(k orc.ResourceKey) {
				m.mu.Lock()
				m.attached[k] = append(m.attached[k], name)
				m.mu.Unlock()
			})
			if err != nil {
				r.FailMaterialization(err)
				return
			}
			res := orc.SymbolMap{}
			i := 0
			for n, f := range r.Symbols() {
				res[n] = orc.ExecutorSymbolDef{Addr: shared.ExecutorAddr(addr + 8*i), Flags: f}
				i++
			}
			if err := r.NotifyResolved(res); err != nil {
				r.FailMaterialization(err)
				return
			}
			if err := r.NotifyEmitted(nil); err != nil {
				r.FailMaterialization(err)
			}
		},
	}
}

func TestRemoveAndReAdd(t *testing.T) {
	es := newSession(t)
	m := &recordingManager{attached: map[orc.ResourceKey][]string{}}
	es.RegisterResourceManager(m)
	jd := mustJD(t, es, "main")
	rt, err := jd.CreateResourceTracker()
	must(t, err)
	must(t, jd.Define(memUnit(es, m, "v1.o", 0x1000, "f", "g"), rt))
	must(t, jd.Define(memUnit(es, m, "keep.o", 0x9000, "h"), nil))
	d, err := es.LookupSymbol(ctxT(t), jd, "f")
	must(t, err)
	if d.Addr == 0 {
		t.Fatal("zero address")
	}
	_, err = es.LookupSymbol(ctxT(t), jd, "h")
	must(t, err)
	if len(m.attached[rt.Key()]) != 1 {
		t.Fatalf("attached = %v", m.attached)
	}
	must(t, rt.Remove(ctxT(t)))
	if !rt.IsRemoved() || len(m.removed) != 1 || m.removed[0] != rt.Key() || len(m.attached[rt.Key()]) != 0 {
		t.Fatalf("after remove: removed=%v attached=%v", m.removed, m.attached)
	}
	if stateOf(jd, "f") != "absent" || stateOf(jd, "g") != "absent" || stateOf(jd, "h") != "Ready" {
		t.Fatalf("states after remove: f=%s g=%s h=%s", stateOf(jd, "f"), stateOf(jd, "g"), stateOf(jd, "h"))
	}
	var nf *orc.SymbolsNotFoundError
	if _, err := es.LookupSymbol(ctxT(t), jd, "f"); !errors.As(err, &nf) {
		t.Fatalf("lookup after remove: %v", err)
	}
	if err := jd.Define(abs(es, "x", 1), rt); !errors.Is(err, orc.ErrResourceTrackerRemoved) {
		t.Fatalf("define with removed tracker: %v", err)
	}
	// Re-add the same names under a new tracker.
	rt2, err := jd.CreateResourceTracker()
	must(t, err)
	must(t, jd.Define(memUnit(es, m, "v2.o", 0x2000, "f", "g"), rt2))
	d2, err := es.LookupSymbol(ctxT(t), jd, "f")
	must(t, err)
	if d2.Addr < 0x2000 || d2.Addr >= 0x2010 {
		t.Fatalf("re-added f at %v", d2.Addr)
	}
	// Transfer rt2 to the default tracker, then remove the default one.
	def := jd.DefaultResourceTracker()
	must(t, rt2.TransferTo(def))
	if len(m.transfers) != 1 || m.transfers[0] != [2]orc.ResourceKey{def.Key(), rt2.Key()} {
		t.Fatalf("transfers = %v", m.transfers)
	}
	must(t, def.Remove(ctxT(t)))
	for _, n := range []string{"f", "g", "h"} {
		if s := stateOf(jd, n); s != "absent" {
			t.Fatalf("%s after removing default tracker: %s", n, s)
		}
	}
	if nd := jd.DefaultResourceTracker(); nd == def || nd.IsRemoved() {
		t.Fatal("no fresh default tracker")
	}
}

func TestRemoveFailsWaitingDependants(t *testing.T) {
	es := newSession(t)
	lib, app := mustJD(t, es, "lib"), mustJD(t, es, "app")
	rt, err := lib.CreateResourceTracker()
	must(t, err)
	ul := newCtl(es, "lib.o", orc.Exported, "L")
	ua := newCtl(es, "app.o", orc.Exported, "A")
	must(t, lib.Define(ul, rt))
	must(t, app.Define(ua, nil))
	qa := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, app, lib), orc.SymbolStateReady, "A", "L")
	rl, ra := ul.take(t), ua.take(t)
	resolveAll(t, ra, map[string]int{"A": 1})
	must(t, ra.NotifyEmitted([]orc.SymbolDependenceGroup{{Symbols: []orc.SymbolName{es.Intern("A")},
		Dependencies: map[*orc.JITDylib][]orc.SymbolName{lib: {es.Intern("L")}}}}))
	must(t, rt.Remove(ctxT(t)))
	r := wait(t, qa)
	if !errors.Is(r.err, orc.ErrResourceTrackerRemoved) || !strings.Contains(r.err.Error(), "app: [A]") {
		t.Fatalf("err = %v", r.err)
	}
	if err := rl.NotifyResolved(orc.SymbolMap{es.Intern("L"): {Addr: 2}}); !errors.Is(err, orc.ErrResourceTrackerRemoved) {
		t.Fatalf("resolve after removal: %v", err)
	}
}

func TestGenerators(t *testing.T) {
	es := newSession(t, orc.WithDispatcher(orc.NewPoolDispatcher(4)))
	jd := mustJD(t, es, "process")
	var calls atomic.Int32
	var mu sync.Mutex
	generated := map[string]int{}
	jd.AddGenerator(orc.DefinitionGeneratorFunc(func(_ context.Context, kind orc.LookupKind, jd *orc.JITDylib, _ orc.JITDylibLookupFlags, set orc.SymbolLookupSet) error {
		calls.Add(1)
		m := orc.SymbolMap{}
		for _, e := range set {
			if strings.HasPrefix(e.Name.String(), "libc_") {
				mu.Lock()
				generated[e.Name.String()]++
				mu.Unlock()
				m[e.Name] = orc.ExecutorSymbolDef{Addr: shared.ExecutorAddr(0x7000 + len(e.Name.String())), Flags: orc.Exported | orc.Callable}
			}
		}
		if len(m) == 0 {
			return nil
		}
		time.Sleep(time.Millisecond) // widen the race window
		return jd.Define(orc.AbsoluteSymbols(m), nil)
	}))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			set := orc.NewSymbolLookupSet(es.Intern("libc_puts"), es.Intern("libc_printf")).Add(es.Intern("missing"), orc.WeaklyReferencedSymbol)
			m, err := es.Lookup(context.Background(), orc.SearchOrder(orc.MatchExportedSymbolsOnly, jd), set, orc.SymbolStateReady)
			if err == nil && (len(m) != 2 || m[es.Intern("libc_puts")].Addr != 0x7000+9) {
				err = fmt.Errorf("bad result %v", m)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	for n, c := range generated {
		if c != 1 {
			t.Errorf("%s generated %d times", n, c)
		}
	}
	// A generator error fails the lookup with context.
	bad := mustJD(t, es, "bad")
	bad.AddGenerator(orc.DefinitionGeneratorFunc(func(context.Context, orc.LookupKind, *orc.JITDylib, orc.JITDylibLookupFlags, orc.SymbolLookupSet) error {
		return errors.New("archive member truncated")
	}))
	if _, err := es.LookupSymbol(ctxT(t), bad, "z"); err == nil || !strings.Contains(err.Error(), `generator of JITDylib "bad": archive member truncated`) {
		t.Fatalf("err = %v", err)
	}
}

func TestReExports(t *testing.T) {
	es := newSession(t)
	lib, main := mustJD(t, es, "lib"), mustJD(t, es, "main")
	must(t, lib.Define(abs(es, "real_puts", 0x500, "real_exit", 0x600), nil))
	must(t, main.Define(orc.ReExports(lib, orc.SymbolAliasMap{
		es.Intern("puts"): {Aliasee: es.Intern("real_puts"), Flags: orc.Exported | orc.Callable},
		es.Intern("exit"): {Aliasee: es.Intern("real_exit"), Flags: orc.Exported | orc.Callable},
	}, orc.MatchExportedSymbolsOnly), nil))
	must(t, main.Define(orc.SymbolAliases(orc.SymbolAliasMap{
		es.Intern("_puts"): {Aliasee: es.Intern("puts"), Flags: orc.Exported},
	}), nil))
	d, err := es.LookupSymbol(ctxT(t), main, "_puts")
	must(t, err)
	if d.Addr != 0x500 || d.Flags != orc.Exported {
		t.Fatalf("_puts = %+v", d)
	}
	// Only the requested alias was materialized; exit stays lazy.
	if s := stateOf(main, "exit"); s != "NeverSearched" {
		t.Fatalf("exit state = %s", s)
	}
	d, err = es.LookupSymbol(ctxT(t), main, "exit")
	if err != nil || d.Addr != 0x600 {
		t.Fatalf("exit = %v, %v", d, err)
	}
	// An alias whose target is missing fails with a clear error.
	must(t, main.Define(orc.ReExports(lib, orc.SymbolAliasMap{es.Intern("gone"): {Aliasee: es.Intern("nowhere"), Flags: orc.Exported}}, orc.MatchAllSymbols), nil))
	if _, err := es.LookupSymbol(ctxT(t), main, "gone"); err == nil || !strings.Contains(err.Error(), "symbols not found: [nowhere]") {
		t.Fatalf("err = %v", err)
	}
	// Aliases of aliases in the same unit work (chains are split).
	must(t, main.Define(orc.SymbolAliases(orc.SymbolAliasMap{
		es.Intern("a1"): {Aliasee: es.Intern("a2"), Flags: orc.Exported},
		es.Intern("a2"): {Aliasee: es.Intern("a3"), Flags: orc.Exported},
		es.Intern("a3"): {Aliasee: es.Intern("puts"), Flags: orc.Exported},
	}), nil))
	m, err := es.Lookup(ctxT(t), orc.SearchOrder(orc.MatchAllSymbols, main), orc.NewSymbolLookupSet(es.Intern("a1"), es.Intern("a2"), es.Intern("a3")), orc.SymbolStateReady)
	if err != nil || m[es.Intern("a1")].Addr != 0x500 || m[es.Intern("a2")].Addr != 0x500 || m[es.Intern("a3")].Addr != 0x500 {
		t.Fatalf("alias chain: %v %v", m, err)
	}
}

func TestAliasCyclesFailInsteadOfHanging(t *testing.T) {
	es := newSession(t, orc.WithDispatcher(orc.NewPoolDispatcher(2)))
	j1, j2 := mustJD(t, es, "J1"), mustJD(t, es, "J2")
	n := es.Intern
	alias := func(to string) orc.SymbolAliasMapEntry {
		return orc.SymbolAliasMapEntry{Aliasee: n(to), Flags: orc.Exported}
	}
	// One unit: a -> b -> a.
	must(t, j1.Define(orc.SymbolAliases(orc.SymbolAliasMap{n("a"): alias("b"), n("b"): alias("a")}), nil))
	// Two units in one dylib: c -> d, d -> c.
	must(t, j1.Define(orc.SymbolAliases(orc.SymbolAliasMap{n("c"): alias("d")}), nil))
	must(t, j1.Define(orc.SymbolAliases(orc.SymbolAliasMap{n("d"): alias("c")}), nil))
	// Across dylibs: J1.e -> J2.f -> J1.e.
	must(t, j1.Define(orc.ReExports(j2, orc.SymbolAliasMap{n("e"): alias("f")}, orc.MatchExportedSymbolsOnly), nil))
	must(t, j2.Define(orc.ReExports(j1, orc.SymbolAliasMap{n("f"): alias("e")}, orc.MatchExportedSymbolsOnly), nil))
	// Self alias.
	must(t, j1.Define(orc.SymbolAliases(orc.SymbolAliasMap{n("s"): alias("s")}), nil))
	for _, sym := range []string{"a", "c", "e", "s"} {
		// A cycle is found at once: the deadline only tells a hang.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := es.LookupSymbol(ctx, j1, sym)
		cancel()
		t.Logf("%s: %v", sym, err)
		if err == nil || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "alias") {
			t.Errorf("lookup of %s: %v", sym, err)
		}
	}
}

func TestDelegateReplace(t *testing.T) {
	es := newSession(t)
	jd := mustJD(t, es, "main")
	u := newCtl(es, "multi.o", orc.Exported, "a", "b", "c")
	must(t, jd.Define(u, nil))
	qa := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "a", "b")
	r := u.take(t)
	if got := fmt.Sprint(r.RequestedSymbols()); got != "[a b]" {
		t.Fatalf("requested = %s", got)
	}
	// c is not requested: hand it back lazily.
	var cMaterialized atomic.Int32
	must(t, r.Replace(&orc.SimpleMaterializationUnit{UnitName: "c-later", Syms: orc.SymbolFlagsMap{es.Intern("c"): orc.Exported},
		MaterializeFunc: func(_ context.Context, r *orc.MaterializationResponsibility) {
			cMaterialized.Add(1)
			must(t, r.NotifyResolved(orc.SymbolMap{es.Intern("c"): {Addr: 0xc}}))
			must(t, r.NotifyEmitted(nil))
		}}))
	if s := stateOf(jd, "c"); s != "NeverSearched" {
		t.Fatalf("c after replace: %s", s)
	}
	// b is delegated to a separate responsibility.
	rb, err := r.Delegate(es.Intern("b"))
	must(t, err)
	if _, err := r.Delegate(es.Intern("b")); !errors.Is(err, orc.ErrResponsibility) {
		t.Fatalf("delegating b twice: %v", err)
	}
	// a's materializer discovers an extra symbol.
	must(t, r.DefineMaterializing(orc.SymbolFlagsMap{es.Intern("a.extra"): orc.Exported}))
	if err := r.DefineMaterializing(orc.SymbolFlagsMap{es.Intern("b"): orc.Exported}); err == nil {
		t.Fatal("DefineMaterializing of existing strong symbol succeeded")
	}
	resolveAll(t, r, map[string]int{"a": 0xa, "a.extra": 0xae})
	must(t, r.NotifyEmitted(nil))
	if !pending(qa) {
		t.Fatal("lookup done before b emitted")
	}
	resolveAll(t, rb, map[string]int{"b": 0xb})
	must(t, rb.NotifyEmitted(nil))
	res := wait(t, qa)
	if res.err != nil || res.m[es.Intern("a")].Addr != 0xa || res.m[es.Intern("b")].Addr != 0xb {
		t.Fatalf("lookup = %v %v", res.m, res.err)
	}
	if d, err := es.LookupSymbol(ctxT(t), jd, "a.extra"); err != nil || d.Addr != 0xae {
		t.Fatalf("a.extra = %v %v", d, err)
	}
	if d, err := es.LookupSymbol(ctxT(t), jd, "c"); err != nil || d.Addr != 0xc || cMaterialized.Load() != 1 {
		t.Fatalf("c = %v %v (materialized %d)", d, err, cMaterialized.Load())
	}
	if u.count.Load() != 1 {
		t.Fatalf("unit materialized %d times", u.count.Load())
	}
}

func TestExactlyOnceUnderConcurrency(t *testing.T) {
	es := newSession(t, orc.WithDispatcher(orc.NewPoolDispatcher(4)))
	jd := mustJD(t, es, "main")
	const n = 50
	var counts [n]atomic.Int32
	for i := 0; i < n; i++ {
		i := i
		must(t, jd.Define(&orc.SimpleMaterializationUnit{
			UnitName: fmt.Sprintf("u%d", i),
			Syms:     orc.SymbolFlagsMap{es.Intern(fmt.Sprintf("s%d", i)): orc.Exported},
			MaterializeFunc: func(_ context.Context, r *orc.MaterializationResponsibility) {
				counts[i].Add(1)
				time.Sleep(100 * time.Microsecond)
				resolveAll(t, r, map[string]int{fmt.Sprintf("s%d", i): 0x1000 + i})
				must(t, r.NotifyEmitted(nil))
			},
		}, nil))
	}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var set orc.SymbolLookupSet
			for i := 0; i < n; i++ {
				set = set.Add(es.Intern(fmt.Sprintf("s%d", i)), orc.RequiredSymbol)
			}
			m, err := es.Lookup(context.Background(), orc.SearchOrder(orc.MatchAllSymbols, jd), set, orc.SymbolStateReady)
			if err != nil {
				t.Error(err)
				return
			}
			for i := 0; i < n; i++ {
				if m[es.Intern(fmt.Sprintf("s%d", i))].Addr != shared.ExecutorAddr(0x1000+i) {
					t.Errorf("s%d wrong", i)
				}
			}
		}()
	}
	wg.Wait()
	for i := range counts {
		if c := counts[i].Load(); c != 1 {
			t.Errorf("unit %d materialized %d times", i, c)
		}
	}
}

func TestPanickingMaterializerFails(t *testing.T) {
	var reported atomic.Int32
	es := newSession(t, orc.WithDispatcher(orc.NewPoolDispatcher(2)), orc.WithErrorReporter(func(error) { reported.Add(1) }))
	jd := mustJD(t, es, "main")
	must(t, jd.Define(&orc.SimpleMaterializationUnit{UnitName: "bad.o", Syms: orc.SymbolFlagsMap{es.Intern("p"): orc.Exported},
		MaterializeFunc: func(context.Context, *orc.MaterializationResponsibility) { panic("oops") }}, nil))
	_, err := es.LookupSymbol(ctxT(t), jd, "p")
	if err == nil || !strings.Contains(err.Error(), `unit "bad.o" panicked while materializing: oops`) || reported.Load() != 1 {
		t.Fatalf("err = %v, reported %d", err, reported.Load())
	}
}

func TestEndSessionFailsPendingLookups(t *testing.T) {
	es := orc.NewExecutionSession(orc.WithDispatcher(orc.NewPoolDispatcher(2)))
	jd := mustJD(t, es, "main")
	u := newCtl(es, "slow.o", orc.Exported, "s")
	must(t, jd.Define(u, nil))
	q := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "s")
	r := u.take(t)
	must(t, es.EndSession(ctxT(t)))
	if res := wait(t, q); !errors.Is(res.err, orc.ErrResourceTrackerRemoved) {
		t.Fatalf("pending lookup: %v", res.err)
	}
	if err := r.NotifyResolved(orc.SymbolMap{es.Intern("s"): {Addr: 1}}); err == nil {
		t.Fatal("resolve after EndSession succeeded")
	}
	if _, err := es.CreateJITDylib("again"); !errors.Is(err, orc.ErrSessionEnded) {
		t.Fatalf("create after end: %v", err)
	}
}

func TestLookupContextCancel(t *testing.T) {
	es := newSession(t, orc.WithDispatcher(orc.NewPoolDispatcher(1)))
	jd := mustJD(t, es, "main")
	u := newCtl(es, "never.o", orc.Exported, "n")
	must(t, jd.Define(u, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := es.LookupSymbol(ctx, jd, "n"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	u.take(t).FailMaterialization(errors.New("test over"))
}

func TestDumpAndLinkOrder(t *testing.T) {
	es := newSession(t)
	main, lib := mustJD(t, es, "main"), mustJD(t, es, "lib")
	must(t, main.AddToLinkOrder(lib, orc.MatchExportedSymbolsOnly))
	if lo := main.LinkOrder(); len(lo) != 2 || lo[0].JD != main || lo[1].JD != lib {
		t.Fatalf("link order = %v", lo)
	}
	must(t, main.SetLinkOrder(orc.SearchOrder(orc.MatchExportedSymbolsOnly, lib), true))
	if lo := main.LinkOrder(); len(lo) != 2 || lo[0].JD != main || lo[0].Flags != orc.MatchAllSymbols {
		t.Fatalf("link order = %v", lo)
	}
	must(t, main.Define(abs(es, "hello", 0x401000, "world", 0x402000), nil))
	_, err := es.LookupSymbol(ctxT(t), main, "hello")
	must(t, err)
	must(t, main.Define(newCtl(es, "lazy.o", orc.Exported|orc.Weak, "later"), nil))
	var b bytes.Buffer
	must(t, main.Dump(&b))
	out := b.String()
	for _, want := range []string{`JITDylib "main" (3 symbols)`, "link order: main(MatchAllSymbols) lib(MatchExportedSymbolsOnly)",
		"hello", "0x0000000000401000 Ready", "later", "NeverSearched", "exported|weak", `unit "lazy.o"`} {
		if !strings.Contains(out, want) {
			t.Errorf("dump lacks %q:\n%s", want, out)
		}
	}
	if es.GetJITDylibByName("lib") != lib || es.GetJITDylibByName("nope") != nil {
		t.Fatal("GetJITDylibByName")
	}
	if _, err := es.CreateJITDylib("lib"); err == nil {
		t.Fatal("duplicate dylib name accepted")
	}
}

func TestAddGeneratorFirst(t *testing.T) {
	es := newSession(t)
	jd := mustJD(t, es, "main")
	gen := func(addr shared.ExecutorAddr) orc.DefinitionGenerator {
		return orc.DefinitionGeneratorFunc(func(_ context.Context, _ orc.LookupKind, jd *orc.JITDylib, _ orc.JITDylibLookupFlags, set orc.SymbolLookupSet) error {
			m := orc.SymbolMap{}
			for _, e := range set {
				m[e.Name] = orc.ExecutorSymbolDef{Addr: addr, Flags: orc.Exported | orc.Callable}
			}
			return jd.Define(orc.AbsoluteSymbols(m), nil)
		})
	}
	jd.AddGenerator(gen(0x1000))      // the process, say
	jd.AddGeneratorFirst(gen(0x2000)) // definitions of jd's own
	d, err := es.LookupSymbol(ctxT(t), jd, "sin")
	must(t, err)
	if d.Addr != 0x2000 {
		t.Fatalf("sin at %v, want the first generator's 0x2000", d.Addr)
	}
}
