package kaleidoscope

import (
	"strings"
	"testing"
)

// TestDeclareKept: a lazy session that keeps its definitions' prototypes
// itself (DeclareKept, Resolve) reports the same diagnostics, for the
// same items, as one whose generator records them (an Extern item per
// definition, as gorc kaleido -lazy did before).
func TestDeclareKept(t *testing.T) {
	tests := []struct {
		name, src string
		wantErrs  int
	}{
		{"fresh", "def f(x) x; def g(x y) f(x);", 0},
		{"redefined alike", "def f(x) x; def f(y) y*2;", 0},
		{"redefined with other arity", "def f(x) x; def f(x y) x;", 1},
		{"extern then definition", "extern f(x); def f(x) x; def f(x y) x;", 1},
		{"definition then extern", "def f(x) x; extern f(x y); extern f(x);", 1},
		{"reserved name", "def main(x) x;", 1},
		{"runtime builtin declared", "extern printd(x); extern printd(x y); def g(x) x;", 1},
		{"C function declared, then defined", "extern sin(x); def sin(x) x; def sin(x y) x;", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recorded := declareAll(t, tt.src, false, false)
			kept := declareAll(t, tt.src, true, false)
			if strings.Join(recorded, "\n") != strings.Join(kept, "\n") {
				t.Errorf("diagnostics differ:\nrecorded by the generator:\n%s\nkept by the caller:\n%s", strings.Join(recorded, "\n"), strings.Join(kept, "\n"))
			}
			// A first definition of an unclaimed name taken without
			// DeclareKept, as gorc kaleido -lazy does: the same.
			if fast := declareAll(t, tt.src, true, true); strings.Join(fast, "\n") != strings.Join(kept, "\n") {
				t.Errorf("diagnostics differ:\nkept by the caller:\n%s\nunclaimed names taken at once:\n%s", strings.Join(kept, "\n"), strings.Join(fast, "\n"))
			}
			if len(kept) != tt.wantErrs {
				t.Errorf("%d diagnostics, want %d: %q", len(kept), tt.wantErrs, kept)
			}
		})
	}
}

// declareAll declares the items of src as a lazy session does (a
// definition's prototype declared, its body not generated) and returns
// the diagnostics; with keep, the definitions' prototypes are kept in a
// table of the caller's that Resolve reads, as gorc kaleido -lazy does;
// with unclaimed too, a definition of a name neither the table nor the
// generator claims (Unclaimed) is recorded without DeclareKept.
func declareAll(t *testing.T, src string, keep, unclaimed bool) []string {
	t.Helper()
	g := NewGenerator("t")
	g.DeferDeclarations = true
	table := map[string]*Prototype{}
	if keep {
		g.Resolve = func(name string) *Prototype { return table[name] }
	}
	p := NewParser("t.k", []byte(src))
	var diags []string
	for {
		item, d := p.Next()
		if d != nil {
			t.Fatalf("parse: %v", d)
		}
		if item == nil {
			return diags
		}
		var diag *Diagnostic
		switch it := item.(type) {
		case *FunctionDef:
			if _, known := table[it.Proto.Name]; keep && unclaimed && !known && g.Unclaimed(it.Proto.Name) {
				diag = nil
			} else if keep {
				diag = g.DeclareKept("t.k", it.Proto)
			} else {
				_, diag = g.Gen("t.k", &Extern{Proto: it.Proto}, p)
			}
			if diag == nil {
				table[it.Proto.Name] = it.Proto
			}
		case *Extern:
			_, diag = g.Gen("t.k", it, p)
			if diag == nil {
				if _, ok := table[it.Proto.Name]; !ok {
					table[it.Proto.Name] = it.Proto
				}
			}
		}
		if diag != nil {
			diags = append(diags, diag.Error())
		}
	}
}

// TestUnclaimed: which names a lazy session may take a first definition
// of without DeclareKept's checks.
func TestUnclaimed(t *testing.T) {
	tests := []struct {
		name, src, fn string
		deferDecls    bool
		want          bool
	}{
		{"fresh", "", "f", true, true},
		{"reserved", "", "main", true, false},
		{"runtime builtin", "", "printd", true, false},
		{"declared by an extern", "extern f(x);", "f", true, false},
		{"C function declared", "extern sin(x);", "sin", true, false},
		{"other name declared", "extern g(x);", "f", true, true},
		{"declarations not deferred", "", "f", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewGenerator("t")
			g.DeferDeclarations = tt.deferDecls
			g.Runtime()
			p := NewParser("t.k", []byte(tt.src))
			for {
				item, d := p.Next()
				if d != nil {
					t.Fatalf("parse: %v", d)
				}
				if item == nil {
					break
				}
				if _, d := g.Gen("t.k", item, p); d != nil {
					t.Fatalf("gen: %v", d)
				}
			}
			if got := g.Unclaimed(tt.fn); got != tt.want {
				t.Errorf("Unclaimed(%q) = %v, want %v", tt.fn, got, tt.want)
			}
		})
	}
}
