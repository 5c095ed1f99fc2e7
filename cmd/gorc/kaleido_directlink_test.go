package main

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/orc"
)

// TestKaleidoLazyLinksDirect: gorc kaleido -lazy links a first call's
// function as its body unit's own materialization (lazy.WithDirectLink):
// the body is defined in the bodies dylib only, the impl dylib holds
// nothing, and a redefinition replaces the body there (the old version's
// code, under the body's tracker, is removed) for every caller.
func TestKaleidoLazyLinksDirect(t *testing.T) {
	ctx := context.Background()
	var errb bytes.Buffer
	r := &repl{ctx: ctx, pm: passes.ForLevel(2), stdout: &errb, stderr: &errb, file: "direct.k", level: 2, lazyMode: true}
	if code := r.open(execOptions{mode: "local"}); code != 0 {
		t.Fatalf("opening the session: status %d", code)
	}
	defer r.j.Close(ctx)
	run := func(src string) {
		t.Helper()
		p := kaleidoscope.NewParser("direct.k", []byte(src))
		p.SetLazyBodies(true)
		for {
			item, d := p.Next()
			if d != nil {
				t.Fatal(d)
			}
			if item == nil {
				break
			}
			r.run(item, p)
		}
		if r.errors != 0 {
			t.Fatalf("%s: %d errors\n%s", src, r.errors, errb.String())
		}
	}
	names := func(jd *orc.JITDylib) []string {
		var s []string
		for _, si := range jd.Symbols() {
			if si.State == orc.SymbolStateReady {
				s = append(s, si.Name.String())
			}
		}
		return s
	}
	run("def f0(x) x + 1;\ndef f1(x) f0(x) * 2;\ndef f2(x) f1(x) + f0(x);\nf2(1);\n")
	run("def f0(x) x + 10;\nf2(1);\n")
	// (The JIT'd code prints its results, 6 and 33, to the process's
	// stdout; TestKaleidoRedefinition checks the values.)
	if got := names(r.lazy.impl); len(got) != 0 {
		t.Errorf("impl dylib holds %v, want nothing (bodies linked directly)", got)
	}
	got := names(r.lazy.bodies)
	for _, want := range []string{"f0$2", "f1$1", "f2$1"} {
		if !slices.Contains(got, want) {
			t.Errorf("bodies dylib's ready symbols %v lack %s", got, want)
		}
	}
	if slices.Contains(got, "f0$1") {
		t.Errorf("bodies dylib still holds the replaced f0$1: %v", got)
	}
	if n := r.lazy.compiled.Load(); n != 4 {
		t.Errorf("%d functions compiled, want 4 (f0 twice, f1, f2)", n)
	}
}
