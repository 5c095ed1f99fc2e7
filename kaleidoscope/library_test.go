package kaleidoscope

import (
	"context"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

func TestCompileLibrary(t *testing.T) {
	ctx := context.Background()
	m, diags, err := CompileLibrary(ctx, "lib.k", nil, [][]byte{[]byte("extern printd(x);\ndef f(x) printd(x) + 1;\n")})
	if err != nil || len(diags) > 0 {
		t.Fatalf("%v %v", diags, err)
	}
	if m.Func("main") != nil {
		t.Error("a library module has a main")
	}
	for _, name := range []string{"printd", "putchard"} {
		if f := m.Func(name); f == nil || f.Linkage != ir.Internal {
			t.Errorf("runtime helper %s: %+v, want internal linkage", name, f)
		}
	}
	if f := m.Func("f"); f == nil || f.Linkage != ir.External {
		t.Errorf("f: want an external definition")
	}
	if err := ir.Verify(m); err != nil {
		t.Fatal(err)
	}
	// A program module keeps its public helpers and its main.
	p, _, _ := Compile(ctx, "p.k", nil, [][]byte{[]byte("def f(x) x;\nf(1);\n")})
	if p.Func("main") == nil || p.Func("printd").Linkage != ir.External {
		t.Error("program module changed")
	}
	_, diags, _ = CompileLibrary(ctx, "lib.k", nil, [][]byte{[]byte("def f(x) x;\n\n  f(1);\n")})
	if len(diags) != 1 || !strings.HasPrefix(diags[0].Error(), "lib.k:3:3: ") || !strings.Contains(diags[0].Error(), "nothing runs it") {
		t.Errorf("top-level expression: %v", diags)
	}
}
