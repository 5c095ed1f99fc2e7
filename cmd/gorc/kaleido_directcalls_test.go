package main

import (
	"context"
	"testing"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/target"
)

// batchModule generates the definitions named in members (of a lazyDefs
// made by lazyCompileSource) as a speculative batch's module does:
// each detached, named name$1, with its calls of declarations recorded.
func batchModule(t testing.TB, l *lazyDefs, members []string) (*ir.Module, [][]*ir.Instr) {
	t.Helper()
	fg := kaleidoscope.NewFunctionGenerator(l.modName, l.ssa, l.proto)
	bp := kaleidoscope.NewBodyParser()
	m := ir.NewModule(l.modName)
	var calls [][]*ir.Instr
	for _, name := range members {
		def := *l.defs[name].def
		if d := def.ParseBodyWith(bp); d != nil {
			t.Fatal(d)
		}
		fn, d := fg.GenDetached("b.k", &def, bodyName(name, 1))
		if d != nil {
			t.Fatal(d)
		}
		fn.Module = m
		m.Funcs = append(m.Funcs, fn)
		calls = append(calls, declCalls(fn))
	}
	return m, calls
}

// TestDirectCallsInBatch: in a speculative batch's module, the calls of
// a member call the member's body (a symbol the graph defines), so the
// batch's graph has no external for it; calls of functions outside the
// batch (a non-member, a C function) stay calls of declarations, which
// the link resolves to their stubs; a member calling itself is left as
// it is. The graph is the one the backend hands the linker.
func TestDirectCallsInBatch(t *testing.T) {
	const src = `extern putchard(c);
def f0(x) x + 1;
def f1(x) f0(x) * 2;
def f2(x) f1(x) + f0(x) + putchard(65);
def f3(x) if x < 1 then f2(x) else f3(x - 1);
`
	l, _ := lazyCompileSource(t, "b.k", []byte(src), 2)
	for _, tt := range []struct {
		members  []string
		external []string // callees left external
		internal []string // callees made direct
	}{
		{[]string{"f3", "f2", "f1"}, []string{"f0", "putchard"}, []string{"f2", "f1"}},
		{[]string{"f2", "f1", "f0"}, []string{"putchard"}, []string{"f1", "f0"}},
		{[]string{"f1"}, []string{"f0"}, nil},
	} {
		m, calls := batchModule(t, l, tt.members)
		undo := directCalls(m.Funcs, calls)
		for i, fn := range m.Funcs {
			for _, in := range calls[i] {
				callee := in.Ops[0].(*ir.Function)
				if !callee.IsDeclaration() && callee.Module != m {
					t.Errorf("%v: %s calls %s outside the module", tt.members, fn.Name, callee.Name)
				}
			}
		}
		res, err := l.j.Target.Backend.Compile(context.Background(), m, target.Options{OmitGlobals: true, SourceName: "b.k", GraphName: "batch.o", NoObject: true})
		if err != nil {
			t.Fatalf("%v: %v", tt.members, err)
		}
		g := res.Graph
		for _, n := range tt.external {
			if _, ok := g.Externals[n]; !ok {
				t.Errorf("%v: %s is not an external of the batch's graph (externals %v)", tt.members, n, keys(g.Externals))
			}
		}
		for _, n := range tt.internal {
			if _, ok := g.Externals[n]; ok {
				t.Errorf("%v: %s, a member, is still called through its stub", tt.members, n)
			}
		}
		if _, ok := g.Externals["f3"]; ok {
			t.Errorf("%v: f3's call of itself is external", tt.members)
		}
		// Compiled apart after a failed batch, members call stubs again.
		undo()
		for i, fn := range m.Funcs {
			for _, in := range calls[i] {
				if callee := in.Ops[0].(*ir.Function); !callee.IsDeclaration() {
					t.Errorf("%v: after undo, %s still calls %s's body", tt.members, fn.Name, callee.Name)
				}
			}
		}
	}
}

func keys[V any](m map[string]V) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	return s
}
