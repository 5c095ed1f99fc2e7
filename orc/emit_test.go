package orc_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/orc"
)

// TestRejectedNotifyEmittedChangesNothing checks that NotifyEmitted
// validates all its dependence groups before it changes anything: after
// each rejected call the responsibility still owns its symbols, the
// session is unlocked, no symbol has reached Emitted, and a correct
// NotifyEmitted makes the waiting lookups complete.
func TestRejectedNotifyEmittedChangesNothing(t *testing.T) {
	es := newSession(t)
	other := newSession(t)
	otherJD := mustJD(t, other, "elsewhere")
	x, y := es.Intern("x"), es.Intern("y")
	tests := []struct {
		name   string
		groups func(jd *orc.JITDylib) []orc.SymbolDependenceGroup
		want   string
	}{
		{"symbol in two groups", func(jd *orc.JITDylib) []orc.SymbolDependenceGroup {
			return []orc.SymbolDependenceGroup{{Symbols: []orc.SymbolName{x}}, {Symbols: []orc.SymbolName{y, x}}}
		}, `symbol "x" appears in more than one dependence group`},
		{"unowned symbol in a group", func(jd *orc.JITDylib) []orc.SymbolDependenceGroup {
			return []orc.SymbolDependenceGroup{{Symbols: []orc.SymbolName{x}}, {Symbols: []orc.SymbolName{es.Intern("nope")}}}
		}, `symbol "nope" is not owned`},
		{"undefined dependency after a good group", func(jd *orc.JITDylib) []orc.SymbolDependenceGroup {
			return []orc.SymbolDependenceGroup{
				{Symbols: []orc.SymbolName{x}, Dependencies: map[*orc.JITDylib][]orc.SymbolName{jd: {y}}},
				{Symbols: []orc.SymbolName{y}, Dependencies: map[*orc.JITDylib][]orc.SymbolName{jd: {es.Intern("missing")}}},
			}
		}, `dependency "missing" is not defined in JITDylib`},
		{"dependency in another session", func(jd *orc.JITDylib) []orc.SymbolDependenceGroup {
			return []orc.SymbolDependenceGroup{{Symbols: []orc.SymbolName{x}, Dependencies: map[*orc.JITDylib][]orc.SymbolName{otherJD: {x}}}}
		}, "belongs to another session"},
		{"nil dependency dylib", func(jd *orc.JITDylib) []orc.SymbolDependenceGroup {
			return []orc.SymbolDependenceGroup{{Symbols: []orc.SymbolName{y}, Dependencies: map[*orc.JITDylib][]orc.SymbolName{nil: {x}}}}
		}, "dependency dylib is nil"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jd := mustJD(t, es, "jd"+string(rune('a'+i)))
			u := newCtl(es, "xy.o", orc.Exported, "x", "y")
			must(t, jd.Define(u, nil))
			q := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "x", "y")
			r := u.take(t)
			resolveAll(t, r, map[string]int{"x": 0x10, "y": 0x20})
			err := r.NotifyEmitted(tt.groups(jd))
			if !errors.Is(err, orc.ErrResponsibility) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NotifyEmitted = %v, want ErrResponsibility containing %q", err, tt.want)
			}
			if got := len(r.Symbols()); got != 2 {
				t.Errorf("after the rejected call the responsibility owns %d symbols, want 2", got)
			}
			qe := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateEmitted, "x", "y")
			if !pending(qe) {
				t.Errorf("a lookup for Emitted completed after the rejected call: %+v", <-qe)
			}
			must(t, r.NotifyEmitted([]orc.SymbolDependenceGroup{{Symbols: []orc.SymbolName{x}, Dependencies: map[*orc.JITDylib][]orc.SymbolName{jd: {y}}}}))
			if res := wait(t, qe); res.err != nil {
				t.Errorf("lookup for Emitted: %v", res.err)
			}
			res := wait(t, q)
			if res.err != nil || res.m[x].Addr != 0x10 || res.m[y].Addr != 0x20 {
				t.Errorf("lookup after emitting: %v, %v", res.m, res.err)
			}
		})
	}
}
