package orc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// TestReserveKeepsContents: reserving room in the name pool and a
// dylib's tables keeps what they hold (names stay the same names,
// symbols and trackers stay defined and removable), before and after.
func TestReserveKeepsContents(t *testing.T) {
	ctx := context.Background()
	es := orc.NewExecutionSession()
	defer es.EndSession(ctx)
	jd, err := es.CreateJITDylib("main")
	if err != nil {
		t.Fatal(err)
	}
	before := es.Intern("before")
	rt, err := jd.CreateResourceTracker()
	if err != nil {
		t.Fatal(err)
	}
	if err := jd.Define(orc.AbsoluteSymbols(orc.SymbolMap{before: {Addr: 0x1000, Flags: orc.Exported}}), rt); err != nil {
		t.Fatal(err)
	}
	es.SymbolStringPool().Reserve(100)
	jd.Reserve(100, 100)
	jd.Reserve(0, 0) // nothing to do
	if es.Intern("before") != before {
		t.Fatal("a name interned before Reserve is a different name after")
	}
	m := orc.SymbolMap{}
	for i := 0; i < 100; i++ {
		m[es.Intern(fmt.Sprintf("s%d", i))] = orc.ExecutorSymbolDef{Addr: shared.ExecutorAddr(0x2000 + i), Flags: orc.Exported}
	}
	if err := jd.Define(orc.AbsoluteSymbols(m), nil); err != nil {
		t.Fatal(err)
	}
	order := orc.SearchOrder(orc.MatchExportedSymbolsOnly, jd)
	r, err := es.Lookup(ctx, order, orc.NewSymbolLookupSet(before, es.Intern("s99")), orc.SymbolStateReady)
	if err != nil {
		t.Fatal(err)
	}
	if r[before].Addr != 0x1000 || r[es.Intern("s99")].Addr != 0x2000+99 {
		t.Fatalf("lookup after Reserve: %v", r)
	}
	if err := rt.Remove(ctx); err != nil {
		t.Fatalf("removing a tracker made before Reserve: %v", err)
	}
	if _, err := es.Lookup(ctx, order, orc.NewSymbolLookupSet(before), orc.SymbolStateReady); err == nil {
		t.Fatal("a symbol of a removed tracker is still found")
	}
}
