//go:build cgo

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/kaleidoscope"
)

// TestKaleidoLazyStubsOnlyReferred: a lazy session declares nothing to
// the JIT per definition; a stub is made only for a function that linked
// code refers to (here the two the expressions call and the one they
// call), so start-up does not grow with the definitions never called.
func TestKaleidoLazyStubsOnlyReferred(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&b, "def f%d(x) x + %d;\n", i, i)
	}
	b.WriteString("def g(x) f7(x) * 2;\ng(1);\nf300(1);\n")
	if err := os.WriteFile(filepath.Join(dir, "p.k"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}} {
		out, errOut, code := runGorc(t, bin, dir, append(append([]string{"kaleido", "-lazy", "-show-stats"}, mode...), "p.k"), "", false)
		if want := "Evaluated to 16.000000\nEvaluated to 301.000000\n"; out != want || code != 0 {
			t.Errorf("%v: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", mode, code, out, want, errOut)
		}
		for _, want := range []string{"functions compiled: 3 (lazily, of 501 definitions)", "stubs made: 3 "} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%v: -show-stats does not say %q:\n%s", mode, want, errOut)
			}
		}
	}
}

// TestKaleidoLazyDefinitionBeforeLibrary: a definition named like a C
// library function is the one its callers reach, with -lazy as without
// (its stub is made on demand, and that comes before the process's
// symbols).
func TestKaleidoLazyDefinitionBeforeLibrary(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	src := "def sin(x) x + 1;\ndef cos(x) sin(x) * 10;\nsin(1);\ncos(2);\n"
	if err := os.WriteFile(filepath.Join(dir, "p.k"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "Evaluated to 2.000000\nEvaluated to 30.000000\n"
	for _, lazy := range [][]string{nil, {"-lazy"}} {
		out, errOut, code := runGorc(t, bin, dir, append(append([]string{"kaleido"}, lazy...), "p.k"), "", false)
		if out != want || code != 0 {
			t.Errorf("%v: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", lazy, code, out, want, errOut)
		}
	}
}

// TestParseAhead: items parsed ahead on a goroutine come in source order
// and parse as they do one by one, a binary operator defined on the way
// included (the parser waits for its precedence to be set), while bodies
// skipped before are parsed meanwhile (the race detector).
func TestParseAhead(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 600; i++ {
		fmt.Fprintf(&b, "def f%d(x) x + %d;\n", i, i)
		if i == 300 {
			b.WriteString("def binary| 5 (a b) if a then 1 else b;\ndef g(x) x | 0 | x;\nf3(1);\n")
		}
	}
	b.WriteString("def h(x) x | 2 * 3;\nh(0);\n")
	src := []byte(b.String())
	describe := func(it kaleidoscope.Item, p *kaleidoscope.Parser) string {
		def, ok := it.(*kaleidoscope.FunctionDef)
		if !ok {
			return fmt.Sprint(it)
		}
		if d := def.ParseBody(); d != nil {
			return d.Error()
		}
		if def.Proto.Kind == kaleidoscope.ProtoBinary {
			p.SetPrecedence(def.Proto.OperatorChar(), def.Proto.Precedence)
		}
		return fmt.Sprintf("%v %v", def.Proto, def.Body)
	}
	var want []string
	p := kaleidoscope.NewParser("t.k", src)
	p.SetLazyBodies(true)
	for {
		it, d := p.Next()
		if it == nil && d == nil {
			break
		}
		if d != nil {
			t.Fatal(d)
		}
		want = append(want, describe(it, p))
	}
	done := make(chan struct{})
	defer close(done)
	p = kaleidoscope.NewParser("t.k", src)
	p.SetLazyBodies(true)
	var got []string
	for batch := range parseAhead(p, done) {
		for _, it := range batch.items {
			if it.diag != nil {
				t.Fatal(it.diag)
			}
			got = append(got, describe(it.item, batch.p))
		}
		if batch.ack != nil {
			close(batch.ack)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("parsed ahead:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
