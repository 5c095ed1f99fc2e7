package orc_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

func TestSymbolNamesAndFlags(t *testing.T) {
	p := orc.NewSymbolStringPool()
	a1, a2, b := p.Intern("a"), p.Intern(string([]byte{'a'})), p.Intern("b")
	if a1 != a2 || a1 == b || a1.String() != "a" || p.Len() != 2 {
		t.Fatalf("interning: %v %v %v len %d", a1, a2, b, p.Len())
	}
	if !(orc.SymbolName{}).IsZero() || a1.IsZero() {
		t.Fatal("IsZero")
	}
	if orc.NewSymbolStringPool().Intern("a") == a1 {
		t.Fatal("names from different pools must differ")
	}
	tests := []struct {
		f    orc.JITSymbolFlags
		want string
	}{
		{0, "none"},
		{orc.Exported, "exported"},
		{orc.Exported | orc.Callable | orc.Weak, "exported|callable|weak"},
		{orc.Common | orc.MaterializationSideEffectsOnly, "common|side-effects-only"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("%d.String() = %q, want %q", tt.f, got, tt.want)
		}
	}
	if !orc.Weak.IsWeak() || orc.Common.IsStrong() || !orc.Exported.IsStrong() {
		t.Error("IsWeak/IsStrong")
	}
	if orc.SymbolStateResolved.String() != "Resolved" || orc.SymbolStateReady.String() != "Ready" {
		t.Error("SymbolState.String")
	}
}

func TestAbsoluteLookup(t *testing.T) {
	es := newSession(t)
	jd := mustJD(t, es, "main")
	if err := jd.Define(abs(es, "foo", 0x1000, "bar", 0x2000), nil); err != nil {
		t.Fatal(err)
	}
	if got := stateOf(jd, "foo"); got != "NeverSearched" {
		t.Fatalf("before lookup: %s", got)
	}
	d, err := es.LookupSymbol(ctxT(t), jd, "foo")
	if err != nil || d.Addr != 0x1000 || d.Flags != orc.Exported|orc.Callable {
		t.Fatalf("LookupSymbol = %v, %v", d, err)
	}
	if got := stateOf(jd, "bar"); got != "Ready" {
		t.Fatalf("bar (same unit) = %s, want Ready", got)
	}
}

func TestDefinitionRules(t *testing.T) {
	type def struct {
		unit  string
		flags orc.JITSymbolFlags
		addr  int
	}
	tests := []struct {
		name        string
		defs        []def
		wantErr     string // error substring on the last Define
		wantAddr    int
		wantDiscard map[string][]string // unit -> discarded symbols
	}{
		{
			name:    "duplicate strong",
			defs:    []def{{"a.o", orc.Exported, 1}, {"b.o", orc.Exported, 2}},
			wantErr: `duplicate definition of symbol "x" in JITDylib "main": already defined by unit "a.o", redefined by unit "b.o"`,
		},
		{
			name:        "strong overrides weak",
			defs:        []def{{"weak.o", orc.Exported | orc.Weak, 1}, {"strong.o", orc.Exported, 2}},
			wantAddr:    2,
			wantDiscard: map[string][]string{"weak.o": {"x"}},
		},
		{
			name:        "weak after strong is dropped",
			defs:        []def{{"strong.o", orc.Exported, 1}, {"weak.o", orc.Exported | orc.Weak, 2}},
			wantAddr:    1,
			wantDiscard: map[string][]string{"weak.o": {"x"}},
		},
		{
			name:        "first weak wins",
			defs:        []def{{"w1.o", orc.Exported | orc.Weak, 1}, {"w2.o", orc.Exported | orc.Weak, 2}},
			wantAddr:    1,
			wantDiscard: map[string][]string{"w2.o": {"x"}},
		},
		{
			name:        "common behaves like weak",
			defs:        []def{{"c.o", orc.Exported | orc.Common, 1}, {"s.o", orc.Exported, 2}},
			wantAddr:    2,
			wantDiscard: map[string][]string{"c.o": {"x"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := newSession(t)
			jd := mustJD(t, es, "main")
			units := map[string]*ctlUnit{}
			var err error
			for _, d := range tt.defs {
				u := newCtl(es, d.unit, d.flags, "x")
				units[d.unit] = u
				err = jd.Define(u, nil)
			}
			if tt.wantErr != "" {
				var dup *orc.DuplicateDefinitionError
				if err == nil || !errors.As(err, &dup) || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ch := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "x")
			for _, d := range tt.defs {
				u := units[d.unit]
				if d.addr != tt.wantAddr {
					if u.count.Load() != 0 {
						t.Fatalf("unit %s materialized but its definition lost", d.unit)
					}
					continue
				}
				r := u.take(t)
				resolveAll(t, r, map[string]int{"x": d.addr})
				if err := r.NotifyEmitted(nil); err != nil {
					t.Fatal(err)
				}
			}
			res := wait(t, ch)
			if res.err != nil || res.m[es.Intern("x")].Addr != shared.ExecutorAddr(tt.wantAddr) {
				t.Fatalf("lookup = %v, %v; want addr %d", res.m, res.err, tt.wantAddr)
			}
			for _, d := range tt.defs {
				got := strings.Join(units[d.unit].discards(), ",")
				want := strings.Join(tt.wantDiscard[d.unit], ",")
				if got != want {
					t.Errorf("unit %s discarded %q, want %q", d.unit, got, want)
				}
			}
		})
	}
}

func TestStrongAfterMaterializedWeakIsDuplicate(t *testing.T) {
	es := newSession(t)
	jd := mustJD(t, es, "main")
	w := map[orc.SymbolName]orc.ExecutorSymbolDef{es.Intern("x"): {Addr: 1, Flags: orc.Exported | orc.Weak}}
	if err := jd.Define(orc.AbsoluteSymbols(w), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := es.LookupSymbol(ctxT(t), jd, "x"); err != nil {
		t.Fatal(err)
	}
	err := jd.Define(abs(es, "x", 2), nil)
	var dup *orc.DuplicateDefinitionError
	if !errors.As(err, &dup) || dup.Symbol.String() != "x" {
		t.Fatalf("err = %v, want DuplicateDefinitionError", err)
	}
}

func TestSearchOrderAndExportedOnly(t *testing.T) {
	es := newSession(t)
	a, b := mustJD(t, es, "A"), mustJD(t, es, "B")
	must(t, a.Define(abs(es, "foo", 0xa1), nil))
	must(t, b.Define(abs(es, "foo", 0xb1, "bar", 0xb2), nil))
	hidden := orc.SymbolMap{es.Intern("bar"): {Addr: 0xa2, Flags: orc.Callable}} // not exported
	must(t, a.Define(orc.AbsoluteSymbols(hidden), nil))

	foo, bar := es.Intern("foo"), es.Intern("bar")
	tests := []struct {
		name  string
		order orc.JITDylibSearchOrder
		want  map[orc.SymbolName]shared.ExecutorAddr
	}{
		{"A first", orc.SearchOrder(orc.MatchExportedSymbolsOnly, a, b), map[orc.SymbolName]shared.ExecutorAddr{foo: 0xa1, bar: 0xb2}},
		{"B first", orc.SearchOrder(orc.MatchExportedSymbolsOnly, b, a), map[orc.SymbolName]shared.ExecutorAddr{foo: 0xb1, bar: 0xb2}},
		{"A all symbols", orc.SearchOrder(orc.MatchAllSymbols, a, b), map[orc.SymbolName]shared.ExecutorAddr{foo: 0xa1, bar: 0xa2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := es.Lookup(ctxT(t), tt.order, orc.NewSymbolLookupSet(foo, bar), orc.SymbolStateReady)
			if err != nil {
				t.Fatal(err)
			}
			for n, want := range tt.want {
				if m[n].Addr != want {
					t.Errorf("%s = %v, want %v", n, m[n].Addr, want)
				}
			}
		})
	}
	// Exported-only lookup of a hidden symbol in A alone: not found.
	_, err := es.Lookup(ctxT(t), orc.SearchOrder(orc.MatchExportedSymbolsOnly, a), orc.NewSymbolLookupSet(bar), orc.SymbolStateReady)
	var nf *orc.SymbolsNotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want SymbolsNotFoundError", err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestMissingSymbols(t *testing.T) {
	es := newSession(t)
	jd := mustJD(t, es, "main")
	must(t, jd.Define(abs(es, "have", 0x10), nil))
	order := orc.SearchOrder(orc.MatchAllSymbols, jd)
	have, puts, printf := es.Intern("have"), es.Intern("puts"), es.Intern("printf")

	// Weakly referenced missing symbols are simply absent (seed 004).
	set := orc.SymbolLookupSet{}.Add(have, orc.RequiredSymbol).Add(puts, orc.WeaklyReferencedSymbol)
	for _, st := range []orc.SymbolState{orc.SymbolStateResolved, orc.SymbolStateReady} {
		m, err := es.Lookup(ctxT(t), order, set, st)
		if err != nil || len(m) != 1 || m[have].Addr != 0x10 {
			t.Fatalf("state %v: got %v, %v", st, m, err)
		}
		if _, ok := m[puts]; ok {
			t.Fatal("missing weak reference present in result")
		}
	}
	// Required missing symbols: all are listed.
	_, err := es.Lookup(ctxT(t), order, orc.NewSymbolLookupSet(have, puts, printf), orc.SymbolStateReady)
	var nf *orc.SymbolsNotFoundError
	if !errors.As(err, &nf) || err.Error() != "symbols not found: [printf, puts]" {
		t.Fatalf("err = %v", err)
	}
	// Bad required state.
	if _, err := es.Lookup(ctxT(t), order, orc.NewSymbolLookupSet(have), orc.SymbolStateMaterializing); err == nil {
		t.Fatal("lookup with required state Materializing succeeded")
	}
}

func TestResolvedLookupReturnsBeforeReady(t *testing.T) {
	es := newSession(t, orc.WithDispatcher(orc.NewPoolDispatcher(2)))
	jd := mustJD(t, es, "main")
	u := newCtl(es, "f.o", orc.Exported|orc.Callable, "f")
	must(t, jd.Define(u, nil))
	order := orc.SearchOrder(orc.MatchAllSymbols, jd)

	ready := lookupAsync(es, order, orc.SymbolStateReady, "f")
	resolvedCh := make(chan asyncResult, 1)
	go func() {
		m, err := es.Lookup(context.Background(), order, orc.NewSymbolLookupSet(es.Intern("f")), orc.SymbolStateResolved)
		resolvedCh <- asyncResult{m, err}
	}()
	r := u.take(t)
	resolveAll(t, r, map[string]int{"f": 0x4000})
	// The Resolved lookup must return now, before emission.
	res := wait(t, resolvedCh)
	if res.err != nil || res.m[es.Intern("f")].Addr != 0x4000 {
		t.Fatalf("resolved lookup = %v, %v", res.m, res.err)
	}
	if !pending(ready) {
		t.Fatal("Ready lookup completed before emission")
	}
	if got := stateOf(jd, "f"); got != "Resolved" {
		t.Fatalf("state = %s", got)
	}
	must(t, r.NotifyEmitted(nil))
	if res := wait(t, ready); res.err != nil || res.m[es.Intern("f")].Addr != 0x4000 {
		t.Fatalf("ready lookup = %v, %v", res.m, res.err)
	}
	if u.count.Load() != 1 {
		t.Fatalf("materialized %d times", u.count.Load())
	}
}

func TestCycleBecomesReadyTogether(t *testing.T) {
	for _, crossDylib := range []bool{false, true} {
		name := "one dylib"
		if crossDylib {
			name = "three dylibs"
		}
		t.Run(name, func(t *testing.T) {
			es := newSession(t)
			jds := []*orc.JITDylib{mustJD(t, es, "J0"), mustJD(t, es, "J1"), mustJD(t, es, "J2")}
			if !crossDylib {
				jds = []*orc.JITDylib{jds[0], jds[0], jds[0]}
			}
			names := []string{"A", "B", "C"}
			units := make([]*ctlUnit, 3)
			var order orc.JITDylibSearchOrder
			for i, n := range names {
				units[i] = newCtl(es, n+".o", orc.Exported, n)
				must(t, jds[i].Define(units[i], nil))
				if i == 0 || crossDylib {
					order = append(order, orc.JITDylibSearchEntry{JD: jds[i], Flags: orc.MatchAllSymbols})
				}
			}
			// Start all three with Resolved lookups (as linkers do for
			// their external references), then wait for Ready of each.
			readies := make([]chan asyncResult, 3)
			for i, n := range names {
				readies[i] = lookupAsync(es, order, orc.SymbolStateReady, n)
			}
			mrs := make([]*orc.MaterializationResponsibility, 3)
			for i := range units {
				mrs[i] = units[i].take(t)
				resolveAll(t, mrs[i], map[string]int{names[i]: 0x100 * (i + 1)})
			}
			// A <- B <- C <- A: A depends on C, B on A, C on B.
			depOf := []int{2, 0, 1}
			for i := range names {
				d := depOf[i]
				g := orc.SymbolDependenceGroup{
					Symbols:      []orc.SymbolName{es.Intern(names[i])},
					Dependencies: map[*orc.JITDylib][]orc.SymbolName{jds[d]: {es.Intern(names[d])}},
				}
				must(t, mrs[i].NotifyEmitted([]orc.SymbolDependenceGroup{g}))
				for j := range names {
					want := "Ready"
					if i < 2 {
						want = "absent"
						if j <= i {
							want = "Emitted"
						} else {
							want = "Resolved"
						}
					}
					if got := stateOf(jds[j], names[j]); got != want {
						t.Fatalf("after emitting %s: %s is %s, want %s", names[i], names[j], got, want)
					}
					if (want == "Ready") == pending(readies[j]) {
						t.Fatalf("after emitting %s: lookup of %s pending=%v", names[i], names[j], pending(readies[j]))
					}
				}
			}
			for i, ch := range readies {
				if r := wait(t, ch); r.err != nil || r.m[es.Intern(names[i])].Addr != shared.ExecutorAddr(0x100*(i+1)) {
					t.Fatalf("%s: %v %v", names[i], r.m, r.err)
				}
			}
		})
	}
}

func TestFailurePropagation(t *testing.T) {
	es := newSession(t)
	jd := mustJD(t, es, "main")
	lib := mustJD(t, es, "lib")
	ua := newCtl(es, "a.o", orc.Exported, "A")
	ub := newCtl(es, "b.o", orc.Exported, "B")
	uc := newCtl(es, "c.o", orc.Exported, "C")
	must(t, jd.Define(ua, nil))
	must(t, lib.Define(ub, nil))
	must(t, jd.Define(uc, nil))
	order := orc.SearchOrder(orc.MatchAllSymbols, jd, lib)

	qa := lookupAsync(es, order, orc.SymbolStateReady, "A")
	qb := lookupAsync(es, order, orc.SymbolStateReady, "B")
	ra, rb := ua.take(t), ub.take(t)
	resolveAll(t, ra, map[string]int{"A": 0x10})
	// A depends on B (in lib); A is emitted and waits.
	must(t, ra.NotifyEmitted([]orc.SymbolDependenceGroup{{
		Symbols:      []orc.SymbolName{es.Intern("A")},
		Dependencies: map[*orc.JITDylib][]orc.SymbolName{lib: {es.Intern("B")}},
	}}))
	if !pending(qa) {
		t.Fatal("A ready before B")
	}
	rb.FailMaterialization(errors.New("relocation out of range"))

	for _, q := range []chan asyncResult{qa, qb} {
		r := wait(t, q)
		var fe *orc.FailedToMaterializeError
		if !errors.As(r.err, &fe) {
			t.Fatalf("err = %v, want FailedToMaterializeError", r.err)
		}
		want := `failed to materialize symbols: lib: [B], main: [A]: unit "b.o": relocation out of range`
		if r.err.Error() != want {
			t.Fatalf("err = %q\nwant  %q", r.err, want)
		}
	}
	if stateOf(jd, "A") != "FAILED" || stateOf(lib, "B") != "FAILED" {
		t.Fatal("symbols not marked failed")
	}
	// A later lookup of A fails at once with the same story.
	if _, err := es.LookupSymbol(ctxT(t), jd, "A"); err == nil || !strings.Contains(err.Error(), "relocation out of range") {
		t.Fatalf("lookup of failed A: %v", err)
	}
	// Emitting with a dependency on a failed symbol fails the emitter.
	qc := lookupAsync(es, order, orc.SymbolStateReady, "C")
	rc := uc.take(t)
	resolveAll(t, rc, map[string]int{"C": 0x30})
	err := rc.NotifyEmitted([]orc.SymbolDependenceGroup{{
		Symbols:      []orc.SymbolName{es.Intern("C")},
		Dependencies: map[*orc.JITDylib][]orc.SymbolName{jd: {es.Intern("A")}},
	}})
	if err == nil || !strings.Contains(err.Error(), `depends on symbol "A" in JITDylib "main", which failed`) {
		t.Fatalf("emit with failed dependency: %v", err)
	}
	if r := wait(t, qc); r.err == nil || !strings.Contains(r.err.Error(), "main: [C]") {
		t.Fatalf("query on C: %v", r.err)
	}
}

func TestMisuse(t *testing.T) {
	es := newSession(t)
	x := es.Intern("x")
	tests := []struct {
		name string
		run  func(t *testing.T, jd *orc.JITDylib, u *ctlUnit) error
		want error
		text string
	}{
		{"lookup in removed dylib", func(t *testing.T, jd *orc.JITDylib, u *ctlUnit) error {
			must(t, es.RemoveJITDylib(ctxT(t), jd))
			_, err := es.LookupSymbol(ctxT(t), jd, "x")
			return err
		}, orc.ErrJITDylibRemoved, "has been removed"},
		{"define in removed dylib", func(t *testing.T, jd *orc.JITDylib, u *ctlUnit) error {
			must(t, es.RemoveJITDylib(ctxT(t), jd))
			return jd.Define(abs(es, "y", 1), nil)
		}, orc.ErrJITDylibRemoved, ""},
		{"resolve unowned symbol", func(t *testing.T, jd *orc.JITDylib, u *ctlUnit) error {
			lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "x")
			r := u.take(t)
			err := r.NotifyResolved(orc.SymbolMap{es.Intern("other"): {Addr: 1}})
			r.FailMaterialization(err)
			return err
		}, orc.ErrResponsibility, `symbol "other" is not owned`},
		{"emit twice", func(t *testing.T, jd *orc.JITDylib, u *ctlUnit) error {
			lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "x")
			r := u.take(t)
			must(t, r.NotifyResolved(orc.SymbolMap{x: {Addr: 1}}))
			must(t, r.NotifyEmitted(nil))
			return r.NotifyEmitted(nil)
		}, orc.ErrResponsibility, "already been emitted"},
		{"resolve twice", func(t *testing.T, jd *orc.JITDylib, u *ctlUnit) error {
			lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "x")
			r := u.take(t)
			must(t, r.NotifyResolved(orc.SymbolMap{x: {Addr: 1}}))
			err := r.NotifyResolved(orc.SymbolMap{x: {Addr: 1}})
			r.FailMaterialization(err)
			return err
		}, orc.ErrResponsibility, "already resolved"},
		{"emit before resolve", func(t *testing.T, jd *orc.JITDylib, u *ctlUnit) error {
			lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "x")
			r := u.take(t)
			err := r.NotifyEmitted(nil)
			r.FailMaterialization(err)
			return err
		}, orc.ErrResponsibility, "has not been resolved"},
		{"resolve after fail", func(t *testing.T, jd *orc.JITDylib, u *ctlUnit) error {
			lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "x")
			r := u.take(t)
			r.FailMaterialization(errors.New("boom"))
			return r.NotifyResolved(orc.SymbolMap{x: {Addr: 1}})
		}, orc.ErrResponsibility, "already failed"},
		{"resolve after tracker removed", func(t *testing.T, jd *orc.JITDylib, u *ctlUnit) error {
			q := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "x")
			r := u.take(t)
			must(t, jd.DefaultResourceTracker().Remove(ctxT(t)))
			if res := wait(t, q); !errors.Is(res.err, orc.ErrResourceTrackerRemoved) {
				t.Errorf("pending lookup: %v", res.err)
			}
			return r.NotifyResolved(orc.SymbolMap{x: {Addr: 1}})
		}, orc.ErrResourceTrackerRemoved, ""},
		{"emit after dylib removed", func(t *testing.T, jd *orc.JITDylib, u *ctlUnit) error {
			lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "x")
			r := u.take(t)
			must(t, r.NotifyResolved(orc.SymbolMap{x: {Addr: 1}}))
			must(t, es.RemoveJITDylib(ctxT(t), jd))
			return r.NotifyEmitted(nil)
		}, orc.ErrJITDylibRemoved, ""},
		{"dependency never looked up", func(t *testing.T, jd *orc.JITDylib, u *ctlUnit) error {
			must(t, jd.Define(abs(es, "lazy", 5), nil))
			lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "x")
			r := u.take(t)
			must(t, r.NotifyResolved(orc.SymbolMap{x: {Addr: 1}}))
			err := r.NotifyEmitted([]orc.SymbolDependenceGroup{{Symbols: []orc.SymbolName{x}, Dependencies: map[*orc.JITDylib][]orc.SymbolName{jd: {es.Intern("lazy")}}}})
			r.FailMaterialization(err)
			return err
		}, orc.ErrResponsibility, "never been looked up"},
		{"delegate unowned", func(t *testing.T, jd *orc.JITDylib, u *ctlUnit) error {
			lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "x")
			r := u.take(t)
			_, err := r.Delegate(es.Intern("nope"))
			r.FailMaterialization(err)
			return err
		}, orc.ErrResponsibility, "not owned"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jd := mustJD(t, es, "jd"+string(rune('a'+i)))
			u := newCtl(es, "x.o", orc.Exported, "x")
			must(t, jd.Define(u, nil))
			err := tt.run(t, jd, u)
			if !errors.Is(err, tt.want) || !strings.Contains(fmtErr(err), tt.text) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.want, tt.text)
			}
		})
	}
}

func fmtErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
