package main

import (
	"context"
	"testing"
)

// TestLazyCompileDropsTree: compiling a definition whose body the parser
// skipped parses the body for the compile only; the definition the
// session keeps stays in its skipped form (no syntax tree: the trees of
// compiled functions were most of an all-called lazy run's live heap),
// and compiling it again, as %undo may, gives the same graph.
func TestLazyCompileDropsTree(t *testing.T) {
	l, defs := lazyCompileDefs(t, 40, 2)
	ctx := context.Background()
	for _, def := range defs {
		g, err := l.compile(ctx, "bench.k", def, def.Proto.Name+"$1")
		if err != nil {
			t.Fatalf("%s: %v", def.Proto.Name, err)
		}
		if def.Body != nil {
			t.Fatalf("%s: the kept definition holds the syntax tree of its compiled body", def.Proto.Name)
		}
		first := graphText(g)
		g, err = l.compile(ctx, "bench.k", def, def.Proto.Name+"$1")
		if err != nil {
			t.Fatalf("%s, again: %v", def.Proto.Name, err)
		}
		if again := graphText(g); again != first {
			t.Fatalf("%s compiled again differs:\n%s\nfirst:\n%s", def.Proto.Name, again, first)
		}
	}
}
