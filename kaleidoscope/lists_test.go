package kaleidoscope

import (
	"strings"
	"testing"
)

// TestParserListsNested: argument lists and var bindings gathered on the
// parser's stacks (calls inside arguments, vars inside initialisers, an
// item that fails halfway through a list) come out whole and in order,
// whether nodes are recycled (reuse, as Generator.AddSource parses) or
// not, and an item's lists are not overwritten by the ones the same
// parse makes later in the item.
func TestParserListsNested(t *testing.T) {
	items := []struct{ src, want string }{
		{"f(1, g(2, h(3, 4), 5), 6);", "f(1, g(2, h(3, 4), 5), 6)"},
		{"f(g(), h(i(j(1))), k(2, 3));", "f(g(), h(i(j(1))), k(2, 3))"},
		{"var a = f(1, 2), b = (var c = 3, d in c + d), e in g(a, b, e);",
			"(var a = f(1, 2), b = (var c = 3, d in (c + d)), e in g(a, b, e))"},
		{"f(1, 2, (var x = g(3, 4) in x) + h(5), -k(6, 7));",
			"f(1, 2, ((var x = g(3, 4) in x) + h(5)), (-k(6, 7)))"},
		// Fails inside the second argument of an inner call, inside a
		// var: its partial lists stay on the stacks until Next drops them.
		{"var q = 1, r = f(1, g(2, ) in q;", ""},
		{"f(1, 2) + g(3, 4, 5);", "(f(1, 2) + g(3, 4, 5))"},
		{"var a = 1, b = 2 in h(a, b);", "(var a = 1, b = 2 in h(a, b))"},
	}
	var src strings.Builder
	for _, it := range items {
		src.WriteString(it.src + "\n")
	}
	for _, reuse := range []bool{false, true} {
		p := NewParser("t.k", []byte(src.String()))
		p.reuse = reuse
		for _, it := range items {
			item, d := p.Next()
			if it.want == "" {
				if d == nil {
					t.Errorf("reuse %v: %q parsed, want an error", reuse, it.src)
				}
				continue
			}
			if d != nil {
				t.Errorf("reuse %v: %q: %v", reuse, it.src, d)
				continue
			}
			if got := item.(*FunctionDef).Body.String(); got != it.want {
				t.Errorf("reuse %v: %q parsed as %s, want %s", reuse, it.src, got, it.want)
			}
			if len(p.argStack) != 0 || len(p.bindStack) != 0 {
				t.Errorf("reuse %v: %q left %d arguments and %d bindings on the stacks", reuse, it.src, len(p.argStack), len(p.bindStack))
			}
		}
		if item, d := p.Next(); item != nil || d != nil {
			t.Errorf("reuse %v: after the items: %v %v", reuse, item, d)
		}
	}
}

// TestParserReuseAllocs: with recycled nodes (as Generator.AddSource
// parses), parsing a definition again once the parser's chunks exist
// allocates nothing: argument lists and var bindings come from recycled
// chunks, unary operators from an arena.
func TestParserReuseAllocs(t *testing.T) {
	const def = "def f(x y) var a = x * 1.5 + 1, b = y - 1, c in f(b * 0.001, -x) + g(a, h(b, c), -(c + a));\n"
	src := []byte(strings.Repeat(def, 400))
	p := NewParser("t.k", src)
	p.reuse = true
	parse := func() {
		if item, d := p.Next(); item == nil || d != nil {
			t.Fatalf("%v %v", item, d)
		}
	}
	for range 10 {
		parse() // the chunks, the prototypes' slabs
	}
	// A definition's prototype and parameters come from slabs of 256:
	// about two allocations per hundred definitions.
	if n := testing.AllocsPerRun(300, parse); n > 0.1 {
		t.Errorf("parsing a definition with recycled nodes allocated %.2f times, want 0", n)
	}
}
