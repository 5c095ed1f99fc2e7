package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// redefinitionCases: defining a function again replaces it for every
// caller, already compiled ones included, from that point of the program
// on (DESIGN.md), whether or not the callers inlined the old definition.
var redefinitionCases = []struct {
	name, src, want string
}{
	// f is small: at -O2 g inlines it, unless f is known to be redefined.
	{"inlined", "def f(x) x; def g(x) f(x); g(1); def f(x) x*2; g(1);", "1 2"},
	// f is recursive, never inlined: g calls it.
	{"called", "def f(x) if x < 1 then 0 else x + f(x-1); def g(x) f(x) + 1; g(3); def f(x) x*100; g(3); f(2);", "7 301 200"},
	// Through two levels of callers, and a third definition.
	{"transitive", "def f(x) x+1; def g(x) f(x)*2; def h(x) g(x)+g(x); h(1); def f(x) x+2; h(1); def f(x) 0; h(1);", "8 12 0"},
	// A user-defined operator, inlined into a loop.
	{"operator", "def binary : 1 (x y) y; def s(n) var a = 0 in (for i = 0, i < n in a = a + i) : a; s(3); def binary : 1 (x y) x; s(3);", "6 0"},
	// A redefinition may be recursive itself.
	{"recursive", "def f(x) 1; def f(x) if x < 1 then 0 else 2 + f(x-1); f(3);", "6"},
	// Declared by extern, called by g before its first definition.
	{"extern", "extern f(x); def g(x) f(x) + 1; def f(x) 1; g(0); def f(x) 2; g(0);", "2 3"},
	// After many functions: the code generator has started on the
	// module before the redefined function's slot is made.
	{"late", manyFunctions(2000) + "def f(x) x; def g(x) f(x); g(1); def f(x) x*2; g(1);", "1 2"},
}

// manyFunctions returns n small function definitions.
func manyFunctions(n int) string {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "def h%d(x y) var a = x * %d in (for i = 0, i < 3 in a = a + y) + a;\n", i, i)
	}
	return sb.String()
}

// evaluated returns the values of the "Evaluated to" lines of out.
func evaluated(out string) string {
	var vals []string
	for _, l := range strings.Split(out, "\n") {
		if i := strings.Index(l, "Evaluated to "); i >= 0 {
			v := strings.Fields(l[i+len("Evaluated to "):])[0]
			vals = append(vals, strings.TrimSuffix(strings.TrimRight(v, "0"), "."))
		}
	}
	return strings.Join(vals, " ")
}

func TestKaleidoRedefinition(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	for _, c := range redefinitionCases {
		if err := os.WriteFile(filepath.Join(dir, c.name+".k"), []byte(c.src), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, flags := range [][]string{{"-O2"}, {"-O0"}, {"-lazy"}, {"-lazy", "-O0"}} {
			args := append(append([]string{"kaleido", "-no-cache"}, flags...), c.name+".k")
			stdout, stderr, code := runGorc(t, bin, dir, args, "", false)
			if code != 0 {
				t.Errorf("%s %v: exit %d: %s", c.name, flags, code, stderr)
				continue
			}
			if got := evaluated(stdout); got != c.want {
				t.Errorf("%s %v: evaluated to %q, want %q", c.name, flags, got, c.want)
			}
		}
	}
}

// TestKaleidoREPLRedefinition: the same in the REPL (-i), eager (where
// a redefinition rebuilds the session) and -lazy (stubs), in a child
// executor and in this process.
func TestKaleidoREPLRedefinition(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	for _, c := range redefinitionCases {
		for _, flags := range [][]string{{"-i"}, {"-i", "-exec", "local"}, {"-i", "-lazy"}, {"-i", "-O0"}} {
			args := append([]string{"kaleido", "-no-cache"}, flags...)
			stdout, stderr, code := runGorc(t, bin, dir, args, strings.ReplaceAll(c.src, "; ", ";\n"), false)
			if code != 0 || strings.Contains(stderr, "error") {
				t.Errorf("%s %v: exit %d: %s", c.name, flags, code, stderr)
				continue
			}
			if got := evaluated(stdout); got != c.want {
				t.Errorf("%s %v: evaluated to %q, want %q", c.name, flags, got, c.want)
			}
		}
	}
}

// TestKaleidoRedefinitionEmitIR: the IR of a program with redefinitions
// (slots, indirect calls) is valid for lli-19 and computes the same.
func TestKaleidoRedefinitionEmitIR(t *testing.T) {
	lli, err := exec.LookPath("lli-19")
	if err != nil {
		t.Fatalf("lli-19 is required (install LLVM 19 with scripts/deps.sh): %v", err)
	}
	dir := t.TempDir()
	for _, c := range redefinitionCases {
		src := filepath.Join(dir, c.name+".k")
		if err := os.WriteFile(src, []byte(c.src), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		if code := dispatch([]string{"kaleido", "-no-cache", "-emit", "ir", src}, &stdout, &stderr); code != 0 {
			t.Fatalf("%s: exit %d: %s", c.name, code, stderr.String())
		}
		ll := filepath.Join(dir, c.name+".ll")
		if err := os.WriteFile(ll, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(lli, ll).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: lli-19: %v\n%s", c.name, err, out)
		}
		if got := evaluated(string(out)); got != c.want {
			t.Errorf("%s: lli-19 evaluated to %q, want %q", c.name, got, c.want)
		}
	}
}

// TestKaleidoEmitIRBenchLLI: with inlining, the IR printed by -emit ir
// for the corpus and the code-speed programs stays valid for lli-19, and
// computes what the C twins of the benchmarks (gcc -O2) and the corpus's
// expected outputs say.
func TestKaleidoEmitIRBenchLLI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the code-speed programs (seconds each)")
	}
	lli, err := exec.LookPath("lli-19")
	if err != nil {
		t.Fatalf("lli-19 is required (install LLVM 19 with scripts/deps.sh): %v", err)
	}
	dir := t.TempDir()
	progs, _ := filepath.Glob("../../kaleidoscope/testdata/*.k")
	bench, _ := filepath.Glob("../../kaleidoscope/testdata/bench/*.k")
	for _, p := range append(progs, bench...) {
		name := strings.TrimSuffix(filepath.Base(p), ".k")
		var want []byte
		if strings.Contains(p, "/bench/") {
			bin := filepath.Join(dir, name)
			if out, err := exec.Command("gcc", "-O2", "-o", bin, strings.TrimSuffix(p, ".k")+".c", "-lm").CombinedOutput(); err != nil {
				t.Fatalf("%s: gcc: %v\n%s", name, err, out)
			}
			if want, err = exec.Command(bin).Output(); err != nil {
				t.Fatalf("%s: C twin: %v", name, err)
			}
		} else if want, err = os.ReadFile(strings.TrimSuffix(p, ".k") + ".stdout"); err != nil {
			continue
		}
		var stdout, stderr bytes.Buffer
		dispatch([]string{"kaleido", "-no-cache", "-emit", "ir", p}, &stdout, &stderr)
		ll := filepath.Join(dir, name+".ll")
		if err := os.WriteFile(ll, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(lli, ll).Output()
		if err != nil {
			t.Fatalf("%s: lli-19: %v", name, err)
		}
		if !bytes.Equal(out, want) {
			t.Errorf("%s: lli-19 printed %q, want %q", name, out, want)
		}
	}
}
