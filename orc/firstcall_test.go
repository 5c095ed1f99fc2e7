package orc_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/orc"
)

// TestUnitSourceQuotedOnDemand: a symbol's source names its unit as
// `unit "NAME"` (quoted when asked, not at Define), in SymbolInfo and in
// both sides of a DuplicateDefinitionError, whatever the name holds.
func TestUnitSourceQuotedOnDemand(t *testing.T) {
	for _, name := range []string{"u1", `a"b`, "tab\there", "ünï"} {
		t.Run(name, func(t *testing.T) {
			es := newSession(t)
			jd := mustJD(t, es, "main")
			want := "unit " + strconv.Quote(name)
			u := &orc.SimpleMaterializationUnit{UnitName: name, Syms: orc.SymbolFlagsMap{es.Intern("f"): orc.Exported | orc.Callable}}
			if err := jd.Define(u, nil); err != nil {
				t.Fatal(err)
			}
			infos := jd.Symbols()
			if len(infos) != 1 || infos[0].Source != want {
				t.Fatalf("Symbols() = %+v, want one with Source %s", infos, want)
			}
			// A second strong definition: both sources named.
			u2 := &orc.SimpleMaterializationUnit{UnitName: "second", Syms: orc.SymbolFlagsMap{es.Intern("f"): orc.Exported | orc.Callable}}
			var dup *orc.DuplicateDefinitionError
			if err := jd.Define(u2, nil); !errors.As(err, &dup) || dup.ExistingSource != want || dup.NewSource != `unit "second"` {
				t.Fatalf("second Define: %v (%+v), want a duplicate of %s by unit \"second\"", err, dup, want)
			}
			// DefineReady of the same name: the existing unit is named.
			err := jd.DefineReady(orc.SymbolMap{es.Intern("f"): {Addr: 0x1000, Flags: orc.Exported}}, nil, "stubs of test")
			if !errors.As(err, &dup) || dup.ExistingSource != want || dup.NewSource != "stubs of test" {
				t.Fatalf("DefineReady: %v, want a duplicate of %s by stubs of test", err, want)
			}
		})
	}
}

// TestDefineReadyChecks: DefineReady refuses an empty name and a weak
// definition before anything is defined, and a duplicate is reported
// only when the dylib takes definitions (a removed tracker's error wins,
// as it did when the checks were separate walks).
func TestDefineReadyChecks(t *testing.T) {
	es := newSession(t)
	jd := mustJD(t, es, "main")
	if err := jd.Define(abs(es, "taken", 0x10), nil); err != nil {
		t.Fatal(err)
	}
	rt, err := jd.CreateResourceTracker()
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Remove(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		syms orc.SymbolMap
		rt   *orc.ResourceTracker
		want string // in the error
	}{
		{"empty name", orc.SymbolMap{{}: {Addr: 1, Flags: orc.Exported}}, nil, "empty symbol name"},
		{"weak", orc.SymbolMap{es.Intern("w"): {Addr: 1, Flags: orc.Exported | orc.Weak}}, nil, "weak or common"},
		{"duplicate", orc.SymbolMap{es.Intern("new"): {Addr: 1, Flags: orc.Exported}, es.Intern("taken"): {Addr: 2, Flags: orc.Exported}}, nil, `duplicate definition of symbol "taken"`},
		{"removed tracker before duplicate", orc.SymbolMap{es.Intern("taken"): {Addr: 2, Flags: orc.Exported}}, rt, "removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := jd.DefineReady(tt.syms, tt.rt, "test")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("DefineReady = %v, want an error containing %q", err, tt.want)
			}
			for n := range tt.syms {
				if n.String() != "taken" && stateOf(jd, n.String()) != "absent" {
					t.Errorf("%s was defined by a refused DefineReady", n)
				}
			}
		})
	}
	if err := jd.DefineReady(orc.SymbolMap{es.Intern("ok"): {Addr: 0x20, Flags: orc.Exported}}, nil, "test"); err != nil {
		t.Fatal(err)
	}
	if d, err := es.LookupSymbol(ctxT(t), jd, "ok"); err != nil || d.Addr != 0x20 {
		t.Fatalf("lookup of a ready definition: %v, %v", d, err)
	}
}

// TestOneSymbolUnitResponsibility: a unit of one symbol (whose entry the
// responsibility keeps instead of walking its map) gives its name and
// flags through SingleSymbol, refuses a name it does not own, resolves
// and emits, and a second one-symbol unit after Delegate still answers.
func TestOneSymbolUnitResponsibility(t *testing.T) {
	es := newSession(t)
	jd := mustJD(t, es, "main")
	f := es.Intern("f")
	var single orc.SymbolName
	var flags orc.JITSymbolFlags
	var errOther error
	u := &orc.SimpleMaterializationUnit{UnitName: "one", Syms: orc.SymbolFlagsMap{f: orc.Exported | orc.Callable}, MaterializeFunc: func(ctx context.Context, r *orc.MaterializationResponsibility) {
		var ok bool
		if single, flags, ok = r.SingleSymbol(); !ok {
			r.FailMaterialization(errors.New("SingleSymbol: not one"))
			return
		}
		errOther = r.NotifyResolved(orc.SymbolMap{es.Intern("other"): {Addr: 0x2000, Flags: orc.Exported}})
		if err := r.NotifyResolved(orc.SymbolMap{f: {Addr: 0x1000, Flags: orc.Exported | orc.Callable}}); err != nil {
			r.FailMaterialization(err)
			return
		}
		if err := r.NotifyEmitted(nil); err != nil {
			r.FailMaterialization(err)
		}
	}}
	if err := jd.Define(u, nil); err != nil {
		t.Fatal(err)
	}
	d, err := es.LookupSymbol(ctxT(t), jd, "f")
	if err != nil || d.Addr != 0x1000 {
		t.Fatalf("lookup: %v, %v", d, err)
	}
	if single != f || flags != orc.Exported|orc.Callable {
		t.Errorf("SingleSymbol = %v, %v; want f, exported|callable", single, flags)
	}
	if errOther == nil || !strings.Contains(errOther.Error(), "other") {
		t.Errorf("NotifyResolved of a name not owned = %v, want an error naming it", errOther)
	}
	if got := stateOf(jd, "f"); got != "Ready" {
		t.Errorf("state of f = %s, want Ready", got)
	}
}

// TestAppendLinkOrder: AppendLinkOrder appends the link order to dst,
// which a caller may then change without changing the dylib's order.
func TestAppendLinkOrder(t *testing.T) {
	es := newSession(t)
	main, a, b := mustJD(t, es, "main"), mustJD(t, es, "a"), mustJD(t, es, "b")
	if err := main.SetLinkOrder(orc.JITDylibSearchOrder{{JD: a}, {JD: b, Flags: orc.MatchAllSymbols}}, false); err != nil {
		t.Fatal(err)
	}
	got := main.AppendLinkOrder(orc.JITDylibSearchOrder{{JD: main, Flags: orc.MatchAllSymbols}})
	if len(got) != 3 || got[0].JD != main || got[1].JD != a || got[2].JD != b || got[2].Flags != orc.MatchAllSymbols {
		t.Fatalf("AppendLinkOrder = %v", got)
	}
	got[1].JD = b
	if lo := main.LinkOrder(); len(lo) != 2 || lo[0].JD != a {
		t.Fatalf("LinkOrder after changing AppendLinkOrder's result = %v", lo)
	}
	if got := main.AppendLinkOrder(nil); len(got) != 2 {
		t.Fatalf("AppendLinkOrder(nil) = %v", got)
	}
}
