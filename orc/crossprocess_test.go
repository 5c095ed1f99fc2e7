package orc_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// TestCrossSessionResolvedExchange is seed 004's scenario: two JIT
// "processes" (sessions) load modules that reference each other (A in one
// uses B in the other and vice versa). Each materializer publishes its
// address as soon as it is assigned and asks the other session for the
// address it needs with a Resolved-state lookup, which returns before the
// other side has finished — so the mutual reference does not deadlock.
func TestCrossSessionResolvedExchange(t *testing.T) {
	es1 := newSession(t, orc.WithDispatcher(orc.NewPoolDispatcher(1)))
	es2 := newSession(t, orc.WithDispatcher(orc.NewPoolDispatcher(1)))
	jd1, jd2 := mustJD(t, es1, "proc1"), mustJD(t, es2, "proc2")

	fixups := make(chan string, 2)
	define := func(es *orc.ExecutionSession, jd *orc.JITDylib, name string, addr shared.ExecutorAddr, otherES *orc.ExecutionSession, otherJD *orc.JITDylib, other string) {
		sym := es.Intern(name)
		must(t, jd.Define(&orc.SimpleMaterializationUnit{
			UnitName: name + ".o",
			Syms:     orc.SymbolFlagsMap{sym: orc.Exported | orc.Callable},
			MaterializeFunc: func(ctx context.Context, r *orc.MaterializationResponsibility) {
				if err := r.NotifyResolved(orc.SymbolMap{sym: {Addr: addr}}); err != nil {
					r.FailMaterialization(err)
					return
				}
				o := otherES.Intern(other)
				m, err := otherES.Lookup(ctx, orc.SearchOrder(orc.MatchExportedSymbolsOnly, otherJD), orc.NewSymbolLookupSet(o), orc.SymbolStateResolved)
				if err != nil {
					r.FailMaterialization(err)
					return
				}
				fixups <- fmt.Sprintf("%s -> %s at %v", name, other, m[o].Addr)
				if err := r.NotifyEmitted(nil); err != nil {
					r.FailMaterialization(err)
				}
			},
		}, nil))
	}
	define(es1, jd1, "A", 0x1000, es2, jd2, "B")
	define(es2, jd2, "B", 0x2000, es1, jd1, "A")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := es1.LookupSymbol(ctx, jd1, "A")
	if err != nil || a.Addr != 0x1000 {
		t.Fatalf("A = %v, %v", a, err)
	}
	b, err := es2.LookupSymbol(ctx, jd2, "B")
	if err != nil || b.Addr != 0x2000 {
		t.Fatalf("B = %v, %v", b, err)
	}
	got := map[string]bool{<-fixups: true, <-fixups: true}
	for _, want := range []string{"A -> B at 0x2000", "B -> A at 0x1000"} {
		if !got[want] {
			t.Errorf("missing fixup %q in %v", want, got)
		}
	}
}
