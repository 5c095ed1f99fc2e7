package orc_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// TestDefineReady: symbols defined Ready are found at once, with no unit
// to materialize; a duplicate, a weak symbol, a removed tracker and an
// ended session are errors that define nothing; removing the tracker
// removes them.
func TestDefineReady(t *testing.T) {
	es := newSession(t)
	jd := mustJD(t, es, "main")
	rt, err := jd.CreateResourceTracker()
	if err != nil {
		t.Fatal(err)
	}
	def := func(addr int, f orc.JITSymbolFlags) orc.ExecutorSymbolDef {
		return orc.ExecutorSymbolDef{Addr: shared.ExecutorAddr(addr), Flags: f}
	}
	ec := orc.Exported | orc.Callable
	if err := jd.DefineReady(orc.SymbolMap{es.Intern("a"): def(0x1000, ec), es.Intern("b"): def(0x2000, ec)}, rt, "stubs"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b"} {
		if got := stateOf(jd, n); got != "Ready" {
			t.Fatalf("%s after DefineReady: %s, want Ready", n, got)
		}
	}
	d, err := es.LookupSymbol(ctxT(t), jd, "b")
	if err != nil || d.Addr != 0x2000 || d.Flags != ec {
		t.Fatalf("LookupSymbol(b) = %v, %v", d, err)
	}
	removed, err := jd.CreateResourceTracker()
	if err != nil {
		t.Fatal(err)
	}
	if err := removed.Remove(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		syms orc.SymbolMap
		rt   *orc.ResourceTracker
		want string
	}{
		{"duplicate", orc.SymbolMap{es.Intern("c"): def(0x3000, ec), es.Intern("a"): def(0x4000, ec)}, nil, `duplicate definition of symbol "a"`},
		{"weak", orc.SymbolMap{es.Intern("c"): def(0x3000, ec|orc.Weak)}, nil, "weak or common"},
		{"removed tracker", orc.SymbolMap{es.Intern("c"): def(0x3000, ec)}, removed, "removed"},
	}
	for _, tt := range tests {
		err := jd.DefineReady(tt.syms, tt.rt, "more stubs")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.name, err, tt.want)
		}
		if got := stateOf(jd, "c"); got != "absent" {
			t.Errorf("%s: c is %s, want undefined", tt.name, got)
		}
	}
	var dup *orc.DuplicateDefinitionError
	if err := jd.DefineReady(orc.SymbolMap{es.Intern("a"): def(1, ec)}, nil, "again"); !errors.As(err, &dup) || dup.ExistingSource != "stubs" || dup.NewSource != "again" {
		t.Errorf("duplicate: %v, want a DuplicateDefinitionError naming both sources", err)
	}
	if err := rt.Remove(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if got := stateOf(jd, "a"); got != "absent" {
		t.Errorf("a after its tracker's removal: %s, want undefined", got)
	}
	if err := es.EndSession(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := jd.DefineReady(orc.SymbolMap{es.Intern("d"): def(1, ec)}, nil, "late"); !errors.Is(err, orc.ErrSessionEnded) {
		t.Errorf("after EndSession: %v, want ErrSessionEnded", err)
	}
}

// TestResolvedNow: names already resolved are answered without a
// lookup; a name not resolved yet, or one a definition generator might
// define first, is left with the dylib a lookup must start from.
func TestResolvedNow(t *testing.T) {
	es := newSession(t)
	a, b, c := mustJD(t, es, "a"), mustJD(t, es, "b"), mustJD(t, es, "c")
	b.AddGenerator(orc.DefinitionGeneratorFunc(func(context.Context, orc.LookupKind, *orc.JITDylib, orc.JITDylibLookupFlags, orc.SymbolLookupSet) error {
		t.Error("ResolvedNow ran a generator")
		return nil
	}))
	ec := orc.Exported | orc.Callable
	if err := a.DefineReady(orc.SymbolMap{es.Intern("x"): {Addr: 0x10, Flags: ec}, es.Intern("hidden"): {Addr: 0x20, Flags: orc.Callable}}, nil, "a's"); err != nil {
		t.Fatal(err)
	}
	if err := a.Define(abs(es, "lazy", 0x30), nil); err != nil {
		t.Fatal(err)
	}
	if err := c.DefineReady(orc.SymbolMap{es.Intern("y"): {Addr: 0x40, Flags: ec}}, nil, "c's"); err != nil {
		t.Fatal(err)
	}
	if err := b.DefineReady(orc.SymbolMap{es.Intern("inb"): {Addr: 0x50, Flags: ec}}, nil, "b's"); err != nil {
		t.Fatal(err)
	}
	order := orc.JITDylibSearchOrder{{JD: a, Flags: orc.MatchExportedSymbolsOnly}, {JD: b, Flags: orc.MatchAllSymbols}, {JD: c, Flags: orc.MatchAllSymbols}}
	set := orc.NewSymbolLookupSet(es.Intern("x"), es.Intern("y"), es.Intern("lazy"), es.Intern("hidden"), es.Intern("inb"), es.Intern("nowhere"))
	now := es.ResolvedNow(order, set)
	tests := []struct {
		name string
		addr shared.ExecutorAddr
		in   *orc.JITDylib
		from int
	}{
		{"x", 0x10, a, 0},
		{"y", 0, nil, 1},      // b has a generator
		{"lazy", 0, nil, 0},   // not materialized yet
		{"hidden", 0, nil, 1}, // not exported: b's generator comes first
		{"inb", 0x50, b, 0},
		{"nowhere", 0, nil, 1},
	}
	for i, tt := range tests {
		if r := now[i]; r.Def.Addr != tt.addr || r.In != tt.in || (tt.in == nil && r.From != tt.from) {
			t.Errorf("%s: %v in %v from %d; want %v in %v from %d", tt.name, r.Def.Addr, r.In, r.From, tt.addr, tt.in, tt.from)
		}
	}
	if got := stateOf(a, "lazy"); got != "NeverSearched" {
		t.Errorf("lazy after ResolvedNow: %s, want NeverSearched (nothing materialized)", got)
	}
}

// Definitions already made (a lazy layer's stubs, made by its definition
// generator) are defined Ready: a lookup finds them at once, and a
// linker resolving externals takes them without a lookup at all.
func ExampleJITDylib_DefineReady() {
	es := orc.NewExecutionSession()
	defer es.EndSession(context.Background())
	main, _ := es.CreateJITDylib("main")
	f := es.Intern("f")
	if err := main.DefineReady(orc.SymbolMap{f: {Addr: 0x7f0000002000, Flags: orc.Exported | orc.Callable}}, nil, "stubs"); err != nil {
		fmt.Println(err)
		return
	}
	now := es.ResolvedNow(orc.SearchOrder(orc.MatchAllSymbols, main), orc.NewSymbolLookupSet(f))
	fmt.Println(now[0].Def.Addr, now[0].In.Name())
	err := main.DefineReady(orc.SymbolMap{f: {Addr: 0x7f0000003000, Flags: orc.Exported}}, nil, "more stubs")
	fmt.Println(err)
	// Output:
	// 0x7f0000002000 main
	// duplicate definition of symbol "f" in JITDylib "main": already defined by stubs, redefined by more stubs
}
