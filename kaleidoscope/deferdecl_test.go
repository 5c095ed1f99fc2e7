package kaleidoscope

import (
	"strings"
	"testing"
)

// genItems generates every item of src with g, returning the diagnostics'
// messages joined by newlines.
func genItems(t *testing.T, g *Generator, src string) string {
	t.Helper()
	p := g.NewParser("t.k", []byte(src))
	var msgs []string
	for {
		item, d := p.Next()
		if d != nil {
			msgs = append(msgs, d.Error())
			continue
		}
		if item == nil {
			break
		}
		if _, d := g.Gen("t.k", item, p); d != nil {
			msgs = append(msgs, d.Error())
		}
	}
	return strings.Join(msgs, "\n")
}

// TestDeferDeclarations: with DeferDeclarations an extern adds no IR
// function until generated code calls it, and every program gives the
// same diagnostics and the same calls as without.
func TestDeferDeclarations(t *testing.T) {
	tests := []struct{ name, src string }{
		{"called", "extern f(x); extern g(a b); f(1) + f(2);"},
		{"conflicting", "extern f(x); extern f(a b);"},
		{"runtime builtin", "extern printd(x); extern printf(x); printd(1);"},
		{"wrong arity call", "extern f(x); f(1, 2);"},
		{"unknown", "extern f(x); h(1);"},
		{"reserved", "extern __anon_expr(x);"},
		{"operator", "extern binary| 5 (a b); 1 | 2;"},
		{"definition after extern", "extern f(x); def f(x y) x; f(1);"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eager := NewGenerator("m")
			want := genItems(t, eager, tc.src)
			lazy := NewGenerator("m")
			lazy.DeferDeclarations = true
			got := genItems(t, lazy, tc.src)
			if got != want {
				t.Fatalf("diagnostics differ:\ndeferred: %q\neager:    %q", got, want)
			}
			for _, f := range eager.Module.Funcs {
				if lf := lazy.Module.Func(f.Name); lf != nil && lf.Sig.String() != f.Sig.String() {
					t.Errorf("%s: signature %v, eager %v", f.Name, lf.Sig, f.Sig)
				}
			}
		})
	}
	g := NewGenerator("m")
	g.DeferDeclarations = true
	if msgs := genItems(t, g, "extern f(x); extern g(x); f(1);"); msgs != "" {
		t.Fatal(msgs)
	}
	if g.Module.Func("f") == nil {
		t.Error("f is called but not declared in the module")
	}
	if g.Module.Func("g") != nil {
		t.Error("g is never called but was declared in the module")
	}
}
