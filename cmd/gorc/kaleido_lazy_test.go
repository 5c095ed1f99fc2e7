//go:build cgo

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKaleidoLazyCorpus: the Kaleidoscope corpus gives the same output,
// diagnostics and status with -lazy as without, in every executor mode
// (errors.k is left out: with -lazy a definition is only checked when it
// is first called, and defining a function again replaces it).
func TestKaleidoLazyCorpus(t *testing.T) {
	bin := gorcBinary(t)
	tcp := kaleidoExecutor(t, bin)
	for _, mode := range kaleidoModes {
		args := kaleidoModeArgs(mode, tcp)
		t.Run(strings.Join(mode, " "), func(t *testing.T) {
			for _, c := range kaleidoCorpus(t) {
				if c.name == "errors.k" {
					continue
				}
				out, errOut, code := runGorc(t, bin, c.dir, append(append([]string{"kaleido", "-lazy"}, args...), c.name), "", false)
				if out != c.stdout || errOut != c.stderr || code != c.code {
					t.Errorf("%s: exit %d (want %d)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", c.name, code, c.code, out, c.stdout, errOut)
				}
			}
		})
	}
}

// TestKaleidoLazyCompilesOnlyCalled: with -lazy a function is compiled
// when first called, once, and a function never called is never compiled
// (counted by -show-stats), in this process and in a child executor.
func TestKaleidoLazyCompilesOnlyCalled(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	src := "def sq(x) x*x;\ndef never(x) x + nosuchvariable;\ndef alsonever(x) sq(x) + 1;\ndef twice(x) sq(x) + sq(x);\ntwice(3);\ntwice(4);\nsq(5);\n"
	if err := os.WriteFile(filepath.Join(dir, "p.k"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}} {
		out, errOut, code := runGorc(t, bin, dir, append(append([]string{"kaleido", "-lazy", "-show-stats"}, mode...), "p.k"), "", false)
		want := "Evaluated to 18.000000\nEvaluated to 32.000000\nEvaluated to 25.000000\n"
		if out != want || code != 0 {
			t.Errorf("%v: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", mode, code, out, want, errOut)
		}
		if !strings.Contains(errOut, "functions compiled: 2 (lazily, of 4 definitions)") {
			t.Errorf("%v: -show-stats does not say 2 of 4 functions were compiled:\n%s", mode, errOut)
		}
	}
}

// TestKaleidoLazyRedefinition: defining a function again replaces it for
// every caller, including callers already compiled against it, in a batch
// file and in the REPL, in this process and in a child executor.
func TestKaleidoLazyRedefinition(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	src := "def f(x) x;\ndef g(x) f(x);\ng(1);\ndef f(x) x*2;\ng(1);\ndef h(x) f(x) + 100;\ndef f(x) x*3;\nh(1);\ng(1);\n"
	if err := os.WriteFile(filepath.Join(dir, "r.k"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "Evaluated to 1.000000\nEvaluated to 2.000000\nEvaluated to 103.000000\nEvaluated to 3.000000\n"
	// The example: g is compiled only after f was redefined.
	short := "def f(x) x;\ndef g(x) f(x);\ndef f(x) x*2;\ng(1);\n"
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}} {
		out, errOut, code := runGorc(t, bin, dir, append(append([]string{"kaleido", "-lazy"}, mode...), "r.k"), "", false)
		if out != want || code != 0 {
			t.Errorf("batch %v: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", mode, code, out, want, errOut)
		}
		out, errOut, code = runGorc(t, bin, dir, append([]string{"kaleido", "-lazy", "-i"}, mode...), src, false)
		if got := strings.ReplaceAll(out, "ready> ", ""); got != want || code != 0 {
			t.Errorf("REPL %v: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", mode, code, got, want, errOut)
		}
		out, errOut, code = runGorc(t, bin, dir, append([]string{"kaleido", "-lazy", "-i"}, mode...), short, false)
		if got := strings.ReplaceAll(out, "ready> ", ""); got != "Evaluated to 2.000000\n" || code != 0 {
			t.Errorf("REPL %v, g compiled after the redefinition: exit %d\nstdout:\n%s\nstderr:\n%s", mode, code, got, errOut)
		}
	}
}

// TestKaleidoLazyFailure: a definition that cannot be compiled (an
// unknown variable, an unknown callee) is reported when first called,
// naming the function and the reason; the session goes on with the next
// item (REPL and batch; batch exits 1), and a new definition of the
// failed function works, in this process and in a child.
func TestKaleidoLazyFailure(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	src := "def f(x) x + y;\ndef g(x) nosuch(x);\n1;\nf(1);\n2;\ng(2);\n3;\ndef f(x) x + 10;\nf(1);\n"
	if err := os.WriteFile(filepath.Join(dir, "e.k"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "Evaluated to 1.000000\nEvaluated to 2.000000\nEvaluated to 3.000000\nEvaluated to 11.000000\n"
	check := func(what, out, errOut string, code, wantCode int, file string) {
		t.Helper()
		if got := strings.ReplaceAll(out, "ready> ", ""); got != want || code != wantCode {
			t.Errorf("%s: exit %d (want %d)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", what, code, wantCode, got, want, errOut)
		}
		for _, msg := range []string{"lazy call of f:", file + ":1:14: error: unknown variable name 'y'", "lazy call of g:", file + ":2:10: error: unknown function referenced 'nosuch'"} {
			if !strings.Contains(errOut, msg) {
				t.Errorf("%s: stderr lacks %q:\n%s", what, msg, errOut)
			}
		}
	}
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}} {
		out, errOut, code := runGorc(t, bin, dir, append(append([]string{"kaleido", "-lazy"}, mode...), "e.k"), "", false)
		check(fmt.Sprint("batch ", mode), out, errOut, code, 1, "e.k")
		out, errOut, code = runGorc(t, bin, dir, append([]string{"kaleido", "-lazy", "-i"}, mode...), src, false)
		check(fmt.Sprint("REPL ", mode), out, errOut, code, 0, "<stdin>")
	}
}

// TestKaleidoLazyDefinitionErrors: with -lazy, what can be checked when a
// definition is seen still is, naming the place (a runtime builtin or
// main redefined, a redefinition with another number of parameters), and
// the session goes on; operators defined lazily work.
func TestKaleidoLazyDefinitionErrors(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	src := "def printd(x) x;\ndef main() 1;\nextern q(x);\ndef q(x) x+1;\nq(1);\ndef q(x y) x;\nq(2);\ndef unary-(v) 0-v;\n-3;\ndef binary> 10 (a b) b < a;\n3 > 2;\nextern printd(x);\nprintd(4);\n"
	if err := os.WriteFile(filepath.Join(dir, "d.k"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "Evaluated to 2.000000\nEvaluated to 3.000000\nEvaluated to -3.000000\nEvaluated to 1.000000\n4.000000\nEvaluated to 0.000000\n"
	wantErr := "d.k:1:5: error: redefinition of function 'printd' (a runtime builtin)\nd.k:2:5: error: 'main' is reserved by the runtime\nd.k:6:5: error: conflicting declaration of 'q': 2 parameters, previously 1\n"
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}} {
		out, errOut, code := runGorc(t, bin, dir, append(append([]string{"kaleido", "-lazy"}, mode...), "d.k"), "", false)
		if out != want || errOut != wantErr || code != 1 {
			t.Errorf("%v: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s", mode, code, out, want, errOut, wantErr)
		}
	}
}

// TestKaleidoLazyREPLRestartAndUndo: with -lazy the REPL's session
// survives a crashed executor (definitions replayed lazily in the new
// one) and %undo brings the previous definition back.
func TestKaleidoLazyREPLRestartAndUndo(t *testing.T) {
	bin := gorcBinary(t)
	input := "def f(x) x*2;\nf(1);\nextern abort();\nabort();\nf(3);\ndef f(x) x*10;\nf(3);\n%undo\nf(3);\n"
	out, errOut, _ := runGorc(t, bin, t.TempDir(), []string{"kaleido", "-lazy", "-i", "-exec", "child"}, input, false)
	want := "Evaluated to 2.000000\nEvaluated to 6.000000\nEvaluated to 30.000000\nEvaluated to 6.000000\n"
	if got := strings.ReplaceAll(out, "ready> ", ""); got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s\nstderr:\n%s", got, want, errOut)
	}
	for _, msg := range []string{"restarted, 2 definitions restored", "the previous definition of f is back"} {
		if !strings.Contains(errOut, msg) {
			t.Errorf("stderr lacks %q:\n%s", msg, errOut)
		}
	}
}
