package target_test

import (
	"context"
	"testing"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/jitlink"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/target"
)

// TestGraphsSurviveCompilerReuse: compiling one function at a time to
// graphs (as a lazy JIT does: each compile reuses the writer and the
// compiler state the one before released), every graph equals the graph
// parsed from the object written for the same function, and stays so
// while the later functions are compiled (graphs alias their writer's
// section contents, which must never be reused).
func TestGraphsSurviveCompilerReuse(t *testing.T) {
	tg, err := target.Host()
	if err != nil {
		t.Fatal(err)
	}
	src := kaleidoscope.SyntheticProgram(60)
	m, diags, err := kaleidoscope.Compile(context.Background(), "s.k", []string{"s.k"}, [][]byte{src})
	if err != nil || m == nil {
		t.Fatalf("%v %v", err, diags)
	}
	if err := passes.ForLevel(2).Run(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var graphs []*jitlink.LinkGraph
	var dumps []string
	for _, f := range m.Funcs {
		if f.IsDeclaration() {
			continue
		}
		opts := target.Options{Only: []*ir.Function{f}, OmitGlobals: true, SourceName: "s.k"}
		obj, err := tg.Backend.Compile(ctx, m, opts)
		if err != nil {
			t.Fatal(err)
		}
		want, err := jelf.Parse(f.Name+".o", obj.Object)
		if err != nil {
			t.Fatal(err)
		}
		opts.GraphName, opts.NoObject = f.Name+".o", true
		res, err := tg.Backend.Compile(ctx, m, opts)
		if err != nil {
			t.Fatal(err)
		}
		d := dumpGraph(res.Graph)
		if w := dumpGraph(want); d != w {
			t.Fatalf("@%s: the graph differs from the parsed object's:\n%s", f.Name, firstDiff(d, w))
		}
		graphs = append(graphs, res.Graph)
		dumps = append(dumps, d)
	}
	for i, g := range graphs {
		if d := dumpGraph(g); d != dumps[i] {
			t.Fatalf("graph %d changed while later functions were compiled:\n%s", i, firstDiff(d, dumps[i]))
		}
	}
}
