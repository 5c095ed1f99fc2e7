//go:build cgo

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestKaleidoSpeculateCorpus: the Kaleidoscope corpus gives the same
// output, diagnostics and status with -lazy -speculate as without, in
// every executor mode (errors.k left out, as for -lazy).
func TestKaleidoSpeculateCorpus(t *testing.T) {
	bin := gorcBinary(t)
	tcp := kaleidoExecutor(t, bin)
	for _, mode := range kaleidoModes {
		args := kaleidoModeArgs(mode, tcp)
		t.Run(strings.Join(mode, " "), func(t *testing.T) {
			for _, c := range kaleidoCorpus(t) {
				if c.name == "errors.k" {
					continue
				}
				out, errOut, code := runGorc(t, bin, c.dir, append(append([]string{"kaleido", "-lazy", "-speculate"}, args...), c.name), "", false)
				if out != c.stdout || errOut != c.stderr || code != c.code {
					t.Errorf("%s: exit %d (want %d)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", c.name, code, c.code, out, c.stdout, errOut)
				}
			}
		})
	}
}

// specChainSource is a chain of n functions called from the top level
// (as kgen's all-called programs): f_i calls f_{i-1}, f_i(x) = x + i.
func specChainSource(n int) string {
	var b strings.Builder
	b.WriteString("def f0(x) x;\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "def f%d(x) f%d(x) + 1;\n", i, i-1)
	}
	fmt.Fprintf(&b, "f%d(1);\n", n-1)
	return b.String()
}

var specStats = regexp.MustCompile(`speculation: (\d+) functions compiled on demand, (\d+) speculatively`)

// TestKaleidoSpeculateCompilesEachOnce: with -lazy -speculate every
// function of an all-called chain is compiled exactly once, on demand or
// speculatively (-show-stats: the two counts add up to the definitions),
// and the result is right, in this process and in a child.
func TestKaleidoSpeculateCompilesEachOnce(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	const n = 500
	if err := os.WriteFile(filepath.Join(dir, "c.k"), []byte(specChainSource(n)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}} {
		out, errOut, code := runGorc(t, bin, dir, append(append([]string{"kaleido", "-lazy", "-speculate", "-show-stats"}, mode...), "c.k"), "", false)
		if want := fmt.Sprintf("Evaluated to %d.000000\n", n); out != want || code != 0 {
			t.Errorf("%v: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", mode, code, out, want, errOut)
		}
		if !strings.Contains(errOut, fmt.Sprintf("functions compiled: %d (lazily, of %d definitions)", n, n)) {
			t.Errorf("%v: not every function compiled exactly once:\n%s", mode, errOut)
		}
		m := specStats.FindStringSubmatch(errOut)
		if m == nil {
			t.Fatalf("%v: no speculation statistics:\n%s", mode, errOut)
		}
		demand, _ := strconv.Atoi(m[1])
		spec, _ := strconv.Atoi(m[2])
		// (The first call's function may be compiled on demand or, the
		// planner idle, in a batch it plans itself: lazy.PlanInline.)
		if demand+spec != n {
			t.Errorf("%v: %d on demand + %d speculatively, want %d in all", mode, demand, spec, n)
		}
	}
}

// TestKaleidoSpeculateRedefinitionAndFailure: redefinitions apply to
// every caller, and a definition that cannot be compiled is reported only
// when first called (not when speculation meets it), in batch files and
// the REPL, in this process and in a child: the programs and output of
// TestKaleidoLazyRedefinition and TestKaleidoLazyFailure.
func TestKaleidoSpeculateRedefinitionAndFailure(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	redef := "def f(x) x;\ndef g(x) f(x);\ng(1);\ndef f(x) x*2;\ng(1);\ndef h(x) f(x) + 100;\ndef f(x) x*3;\nh(1);\ng(1);\n"
	redefWant := "Evaluated to 1.000000\nEvaluated to 2.000000\nEvaluated to 103.000000\nEvaluated to 3.000000\n"
	// q calls the broken bad only in a branch not taken: q runs, bad is
	// met by speculation (it cannot compile) and reported only when called.
	fail := "def f(x) x + y;\ndef g(x) nosuch(x);\ndef bad(x) x + zz;\ndef q(x) if x < 0 then bad(x) else x + 1;\n1;\nq(1);\nf(1);\n2;\ng(2);\n3;\ndef f(x) x + 10;\nf(1);\n"
	failWant := "Evaluated to 1.000000\nEvaluated to 2.000000\nEvaluated to 2.000000\nEvaluated to 3.000000\nEvaluated to 11.000000\n"
	if err := os.WriteFile(filepath.Join(dir, "r.k"), []byte(redef), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "e.k"), []byte(fail), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}} {
		for _, repl := range []bool{false, true} {
			args := append([]string{"kaleido", "-lazy", "-speculate"}, mode...)
			what := fmt.Sprint("batch ", mode)
			in, file := "", "e.k"
			if repl {
				args = append(args, "-i")
				what = fmt.Sprint("REPL ", mode)
				file = "<stdin>"
			}
			in = redef
			rargs := args
			if !repl {
				rargs, in = append(args, "r.k"), ""
			}
			out, errOut, code := runGorc(t, bin, dir, rargs, in, false)
			if got := strings.ReplaceAll(out, "ready> ", ""); got != redefWant || code != 0 {
				t.Errorf("%s redefinition: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", what, code, got, redefWant, errOut)
			}
			in = fail
			fargs, wantCode := args, 0
			if !repl {
				fargs, in, wantCode = append(args, "e.k"), "", 1
			}
			out, errOut, code = runGorc(t, bin, dir, fargs, in, false)
			if got := strings.ReplaceAll(out, "ready> ", ""); got != failWant || code != wantCode {
				t.Errorf("%s failure: exit %d (want %d)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", what, code, wantCode, got, failWant, errOut)
			}
			for _, msg := range []string{"lazy call of f:", file + ":1:14: error: unknown variable name 'y'", "lazy call of g:", file + ":2:10: error: unknown function referenced 'nosuch'"} {
				if !strings.Contains(errOut, msg) {
					t.Errorf("%s failure: stderr lacks %q:\n%s", what, msg, errOut)
				}
			}
			if strings.Contains(errOut, "zz") || strings.Contains(errOut, "bad") {
				t.Errorf("%s failure: bad, never called, reported:\n%s", what, errOut)
			}
		}
	}
}

// TestKaleidoSpeculateExit: a program that ends while speculation is
// compiling a long chain it never calls (referenced in a branch not
// taken) exits at once with its result, in this process and in a child
// (whose session is closed: speculation stops first).
func TestKaleidoSpeculateExit(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	const n = 4000
	src := strings.TrimSuffix(specChainSource(n), fmt.Sprintf("f%d(1);\n", n-1)) +
		fmt.Sprintf("def top(x) if x < 0 then f%d(x) else 7;\ntop(1);\n", n-1)
	if err := os.WriteFile(filepath.Join(dir, "x.k"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}} {
		start := time.Now()
		out, errOut, code := runGorc(t, bin, dir, append(append([]string{"kaleido", "-lazy", "-speculate", "-show-stats"}, mode...), "x.k"), "", false)
		el := time.Since(start)
		if out != "Evaluated to 7.000000\n" || code != 0 {
			t.Errorf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", mode, code, out, errOut)
		}
		// (A generous bound: the machine may be loaded; a hang would be
		// the test's timeout.)
		if el > 20*time.Second {
			t.Errorf("%v: took %v to exit", mode, el)
		}
		if specStats.FindStringSubmatch(errOut) == nil {
			t.Errorf("%v: no speculation statistics:\n%s", mode, errOut)
		}
	}
}

// TestKaleidoSpeculateUndefinedExtern: a function calling an extern that
// nothing defines is left out of speculative batches. Before, caller's
// compile queued top, and the batch of top, good2, good1 and bad failed
// to link for nosuchfn, so that the first call of top failed though it
// never calls bad; now caller(1) runs and caller(500) fails naming the
// symbol, as without -speculate. (spin gives the planner the time to
// take top before its first call.)
func TestKaleidoSpeculateUndefinedExtern(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	const src = `extern nosuchfn(x);
def binary : 1 (x y) y;
def good1(x) x+1;
def bad(x) nosuchfn(x);
def good2(x) good1(x)*2;
def top(x) if x < 100 then good2(x) else bad(x);
def spin(n) var s = 0 in (for i = 0, i < n in s = s + i);
def caller(x) spin(3000000) : top(x);
caller(1);
caller(500);
`
	if err := os.WriteFile(filepath.Join(dir, "u.k"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}} {
		for range 2 {
			out, errOut, code := runGorc(t, bin, dir, append(append([]string{"kaleido", "-lazy", "-speculate"}, mode...), "u.k"), "", false)
			if want := "Evaluated to 4.000000\n"; out != want || code != 1 {
				t.Errorf("%v: exit %d (want 1)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", mode, code, out, want, errOut)
			}
			if !strings.Contains(errOut, "lazy call of bad:") || !strings.Contains(errOut, "nosuchfn (referenced by") {
				t.Errorf("%v: stderr does not name bad and nosuchfn:\n%s", mode, errOut)
			}
		}
	}
}

// TestKaleidoSpeculateRedefineDirectCallee: the functions of a
// speculative batch call each other directly (not through their stubs);
// redefining one of them still changes what every caller gets, also the
// batch's members that called the old code directly (they are compiled
// again), in batch files and the REPL, in this process and in a child.
// spin gives the planner the time to batch top and f9 … f2 before top's
// first call (-show-stats: most functions compiled speculatively).
func TestKaleidoSpeculateRedefineDirectCallee(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("def binary : 1 (x y) y;\n")
	b.WriteString("def spin(n) var s = 0 in (for i = 0, i < n in s = s + i);\n")
	b.WriteString("def f0(x) x;\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "def f%d(x) f%d(x) + 1;\n", i, i-1)
	}
	b.WriteString("def top(x) f9(x);\n")
	b.WriteString("def caller(x) spin(3000000) : top(x);\n")
	b.WriteString("caller(0);\n")
	// f5 and then f2 redefined: top → f9 → … → f5 called the old f5's
	// code directly.
	b.WriteString("def f5(x) f4(x) + 100;\ncaller(0);\ntop(0);\nf7(0);\n")
	b.WriteString("def f2(x) f1(x) + 1000;\ncaller(0);\nf9(0);\nf5(0);\n")
	src := b.String()
	want := "Evaluated to 9.000000\n" +
		"Evaluated to 108.000000\nEvaluated to 108.000000\nEvaluated to 106.000000\n" +
		"Evaluated to 1107.000000\nEvaluated to 1107.000000\nEvaluated to 1103.000000\n"
	if err := os.WriteFile(filepath.Join(dir, "d.k"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}} {
		for _, repl := range []bool{false, true} {
			args := append([]string{"kaleido", "-lazy", "-speculate", "-show-stats"}, mode...)
			in := ""
			if repl {
				args, in = append(args, "-i"), src
			} else {
				args = append(args, "d.k")
			}
			out, errOut, code := runGorc(t, bin, dir, args, in, false)
			if got := strings.ReplaceAll(out, "ready> ", ""); got != want || code != 0 {
				t.Errorf("%v repl=%v: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", mode, repl, code, got, want, errOut)
			}
			if m := specStats.FindStringSubmatch(errOut); m == nil || m[2] == "0" {
				t.Logf("%v repl=%v: nothing compiled speculatively (a loaded machine?):\n%s", mode, repl, errOut)
			}
		}
	}
}
