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
	for batch := range parseAhead(p, done, 4) {
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

// TestKaleidoLazyLargeFileDiagnostics: a file large enough for its parse
// to be cut into segments (parseSplit) reports its errors in order with
// their lines and columns, the operators defined at the top applying
// everywhere, and runs its expressions in order.
func TestKaleidoLazyLargeFileDiagnostics(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("def binary| 5 (a b) a + b;\ndef binary : 1 (x y) y;\n")
	line := 2
	var want []string
	for i := 0; i < 12000; i++ {
		switch i {
		case 3000, 6500, 11000:
			b.WriteString("def e(x) x +;\n")
			line++
			want = append(want, fmt.Sprintf("p.k:%d:13: error: expected an expression, found ';'", line))
			b.WriteString("f1(1) ~ 2;\n")
			line++
			want = append(want, fmt.Sprintf("p.k:%d:7: error: unknown unary operator '~'", line))
		}
		fmt.Fprintf(&b, "def f%d(x) # def g(x)\n  x | %d : x * 2;\n", i, i)
		line += 2
	}
	b.WriteString("f11999(1) | f3(2);\n")
	if b.Len() < parseSplitMin {
		t.Fatalf("the source (%d bytes) is too small to be cut", b.Len())
	}
	if err := os.WriteFile(filepath.Join(dir, "p.k"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runGorc(t, bin, dir, []string{"kaleido", "-lazy", "-show-stats", "p.k"}, "", false)
	if wantOut := strings.Repeat("Evaluated to 2.000000\n", 3) + "Evaluated to 6.000000\n"; out != wantOut || code != 1 {
		t.Errorf("exit %d, stdout:\n%s\nwant exit 1, stdout:\n%s", code, out, wantOut)
	}
	want = append(want, "functions compiled: 5 (lazily, of 12002 definitions)")
	if got := strings.Join(strings.Split(strings.TrimSpace(errOut), "\n")[:len(want)], "\n"); got != strings.Join(want, "\n") {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, strings.Join(want, "\n"))
	}
}
