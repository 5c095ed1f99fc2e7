package orc_test

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// names returns prefix0 … prefix(n-1).
func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

// nameAddr is the address the tests give name: its FNV-1a hash, aligned.
func nameAddr(name string) shared.ExecutorAddr {
	h := fnv.New64a()
	h.Write([]byte(name))
	return shared.ExecutorAddr(h.Sum64()&^0xf | 0x1000)
}

// resolveNames resolves names of r, each at nameAddr.
func resolveNames(r *orc.MaterializationResponsibility, es *orc.ExecutionSession, ns []string) error {
	m := orc.SymbolMap{}
	for _, n := range ns {
		m[es.Intern(n)] = orc.ExecutorSymbolDef{Addr: nameAddr(n)}
	}
	return r.NotifyResolved(m)
}

// TestNotifyEmittedAll drives a unit of many symbols (Define's path for a
// unit whose names are all new, whose entries the responsibility keeps)
// through NotifyResolved and NotifyEmittedAll, and through the changes of
// its symbol set that make the responsibility find entries by name again
// (Delegate, DefineMaterializing, Replace): every symbol must end Ready
// with its address, or the call must fail naming the symbol and leave the
// responsibility owning what it owned.
func TestNotifyEmittedAll(t *testing.T) {
	const n = 200 // more than the tables' pre-growth threshold
	tests := []struct {
		name string
		// run drives r after the lookup started it; it returns the
		// names that must end Ready.
		run func(t *testing.T, es *orc.ExecutionSession, jd *orc.JITDylib, r *orc.MaterializationResponsibility, all []string) []string
	}{
		{"all at once", func(t *testing.T, es *orc.ExecutionSession, jd *orc.JITDylib, r *orc.MaterializationResponsibility, all []string) []string {
			must(t, resolveNames(r, es, all))
			must(t, r.NotifyEmittedAll(nil))
			return all
		}},
		{"resolved in a small and a large call", func(t *testing.T, es *orc.ExecutionSession, jd *orc.JITDylib, r *orc.MaterializationResponsibility, all []string) []string {
			must(t, resolveNames(r, es, all[:3]))
			must(t, resolveNames(r, es, all[3:]))
			must(t, r.NotifyEmittedAll(nil))
			return all
		}},
		{"a large resolve naming an unowned symbol", func(t *testing.T, es *orc.ExecutionSession, jd *orc.JITDylib, r *orc.MaterializationResponsibility, all []string) []string {
			err := resolveNames(r, es, append(append([]string(nil), all...), "stranger"))
			if !errors.Is(err, orc.ErrResponsibility) || !strings.Contains(err.Error(), `"stranger" is not owned`) {
				t.Fatalf("NotifyResolved with an unowned name = %v", err)
			}
			if got := stateOf(jd, all[0]); got != "Materializing" {
				t.Errorf("after the rejected resolve %s is %s, want Materializing", all[0], got)
			}
			must(t, resolveNames(r, es, all))
			must(t, r.NotifyEmittedAll(nil))
			return all
		}},
		{"a symbol resolved twice", func(t *testing.T, es *orc.ExecutionSession, jd *orc.JITDylib, r *orc.MaterializationResponsibility, all []string) []string {
			must(t, resolveNames(r, es, all[:1]))
			err := resolveNames(r, es, all)
			if !errors.Is(err, orc.ErrResponsibility) || !strings.Contains(err.Error(), "already resolved") {
				t.Fatalf("second resolve = %v", err)
			}
			must(t, resolveNames(r, es, all[1:]))
			must(t, r.NotifyEmittedAll(nil))
			return all
		}},
		{"emitted before every symbol is resolved", func(t *testing.T, es *orc.ExecutionSession, jd *orc.JITDylib, r *orc.MaterializationResponsibility, all []string) []string {
			must(t, resolveNames(r, es, all[:n-1]))
			err := r.NotifyEmittedAll(nil)
			if !errors.Is(err, orc.ErrResponsibility) || !strings.Contains(err.Error(), fmt.Sprintf("%q has not been resolved", all[n-1])) {
				t.Fatalf("NotifyEmittedAll with %s unresolved = %v", all[n-1], err)
			}
			if got := len(r.Symbols()); got != n {
				t.Errorf("after the rejected call the responsibility owns %d symbols, want %d", got, n)
			}
			must(t, resolveNames(r, es, all[n-1:]))
			must(t, r.NotifyEmittedAll(nil))
			return all
		}},
		{"after Delegate", func(t *testing.T, es *orc.ExecutionSession, jd *orc.JITDylib, r *orc.MaterializationResponsibility, all []string) []string {
			var half []orc.SymbolName
			for _, s := range all[n/2:] {
				half = append(half, es.Intern(s))
			}
			d, err := r.Delegate(half...)
			must(t, err)
			must(t, resolveNames(r, es, all[:n/2]))
			must(t, r.NotifyEmittedAll(nil))
			if got := stateOf(jd, all[n-1]); got != "Materializing" {
				t.Errorf("a delegated symbol is %s after the first half emitted, want Materializing", got)
			}
			must(t, resolveNames(d, es, all[n/2:]))
			must(t, d.NotifyEmittedAll(nil))
			return all
		}},
		{"after DefineMaterializing", func(t *testing.T, es *orc.ExecutionSession, jd *orc.JITDylib, r *orc.MaterializationResponsibility, all []string) []string {
			must(t, r.DefineMaterializing(orc.SymbolFlagsMap{es.Intern("extra"): orc.Exported}))
			more := append(append([]string(nil), all...), "extra")
			must(t, resolveNames(r, es, more))
			must(t, r.NotifyEmittedAll(nil))
			return more
		}},
		{"after Replace", func(t *testing.T, es *orc.ExecutionSession, jd *orc.JITDylib, r *orc.MaterializationResponsibility, all []string) []string {
			back := newCtl(es, "back.o", orc.Exported, all[n-2:]...)
			must(t, r.Replace(back))
			must(t, resolveNames(r, es, all[:n-2]))
			must(t, r.NotifyEmittedAll(nil))
			// The lookup waits for the replaced two: the new unit runs.
			b := back.take(t)
			must(t, resolveNames(b, es, all[n-2:]))
			must(t, b.NotifyEmittedAll(nil))
			return all
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := newSession(t)
			jd := mustJD(t, es, fmt.Sprintf("jd%d", i))
			all := names("f", n)
			u := newCtl(es, "many.o", orc.Exported|orc.Callable, all...)
			must(t, jd.Define(u, nil))
			q := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, all...)
			r := u.take(t)
			ready := tt.run(t, es, jd, r, all)
			res := wait(t, q)
			if res.err != nil {
				t.Fatalf("lookup: %v", res.err)
			}
			for _, s := range ready {
				if got := stateOf(jd, s); got != "Ready" {
					t.Errorf("%s is %s, want Ready", s, got)
				}
			}
			for _, s := range all {
				if got, want := res.m[es.Intern(s)].Addr, nameAddr(s); got != want {
					t.Errorf("%s at %#x, want %#x", s, got, want)
				}
			}
		})
	}
}

// TestNotifyEmittedAllDependencies checks NotifyEmittedAll's one group
// against its dependencies: an unready one keeps the unit Emitted until it
// is Ready, a failed one fails the unit, and one never looked up is an
// error that changes nothing.
func TestNotifyEmittedAllDependencies(t *testing.T) {
	es := newSession(t)
	jd := mustJD(t, es, "main")
	all := names("g", 100)
	u := newCtl(es, "g.o", orc.Exported, all...)
	dep := newCtl(es, "dep.o", orc.Exported, "d")
	idle := newCtl(es, "idle.o", orc.Exported, "never")
	must(t, jd.Define(u, nil))
	must(t, jd.Define(dep, nil))
	must(t, jd.Define(idle, nil))
	q := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, append([]string{"d"}, all...)...)
	r, dr := u.take(t), dep.take(t)
	must(t, resolveNames(r, es, all))
	err := r.NotifyEmittedAll(map[*orc.JITDylib][]orc.SymbolName{jd: {es.Intern("never")}})
	if !errors.Is(err, orc.ErrResponsibility) || !strings.Contains(err.Error(), "never been looked up") {
		t.Fatalf("NotifyEmittedAll on a dependency never looked up = %v", err)
	}
	must(t, r.NotifyEmittedAll(map[*orc.JITDylib][]orc.SymbolName{jd: {es.Intern("d"), es.Intern(all[0])}}))
	if got := stateOf(jd, all[7]); got != "Emitted" {
		t.Fatalf("%s is %s while its dependency is unresolved, want Emitted", all[7], got)
	}
	if !pending(q) {
		t.Fatal("the lookup completed before the dependency was Ready")
	}
	must(t, resolveNames(dr, es, []string{"d"}))
	must(t, dr.NotifyEmittedAll(nil))
	if res := wait(t, q); res.err != nil {
		t.Fatalf("lookup: %v", res.err)
	}
	if got := stateOf(jd, all[7]); got != "Ready" {
		t.Errorf("%s is %s after its dependency became Ready", all[7], got)
	}

	// A failed dependency fails the unit.
	jd2 := mustJD(t, es, "second")
	u2 := newCtl(es, "h.o", orc.Exported, names("h", 80)...)
	bad := newCtl(es, "bad.o", orc.Exported, "b")
	must(t, jd2.Define(u2, nil))
	must(t, jd2.Define(bad, nil))
	q2 := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd2), orc.SymbolStateReady, "h0")
	qb := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd2), orc.SymbolStateReady, "b")
	r2, br := u2.take(t), bad.take(t)
	br.FailMaterialization(errors.New("boom"))
	if res := wait(t, qb); res.err == nil {
		t.Fatal("lookup of the failed symbol succeeded")
	}
	must(t, resolveNames(r2, es, names("h", 80)))
	err = r2.NotifyEmittedAll(map[*orc.JITDylib][]orc.SymbolName{jd2: {es.Intern("b")}})
	var fe *orc.FailedToMaterializeError
	if !errors.As(err, &fe) {
		t.Fatalf("NotifyEmittedAll on a failed dependency = %v, want a FailedToMaterializeError", err)
	}
	if res := wait(t, q2); res.err == nil {
		t.Fatal("lookup of a symbol depending on a failed one succeeded")
	}
	if got := stateOf(jd2, "h5"); got != "FAILED" {
		t.Errorf("h5 is %s, want FAILED", got)
	}
}
