//go:build cgo

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// advCase is a program of testdata/advrun: its objects' sources, the
// sources of the archive (lib.a) linked after them, the flags for both,
// its arguments and its standard input (a file of the case, or none).
type advCase struct {
	name    string
	srcs    []string
	archive []string // built with -fno-common
	cflags  []string
	libs    []string
	args    []string
	stdin   string
}

var advCases = []advCase{
	{name: "stress", srcs: []string{"main.c", "cb.c", "sorts.c", "sig.c", "data.c", "weak.c", "strong.c", "misc.c", "late.c", "ctor.c"},
		archive: []string{"arch1.c", "arch2.c"}, cflags: []string{"-fcommon"}, libs: []string{"-lm", "-ldl"}, args: []string{"3"}},
	{name: "exitnow", srcs: []string{"main.c", "fp.c"}, stdin: "main.c"},
	{name: "pexit", srcs: []string{"main.c"}, cflags: []string{"-pthread"}, libs: []string{"-lpthread"}},
	{name: "qexit", srcs: []string{"main.c"}},
	{name: "cpu", srcs: []string{"main.c"}},
	{name: "sigalt", srcs: []string{"main.c"}},
	{name: "sigproc", srcs: []string{"main.c"}, cflags: []string{"-pthread"}, libs: []string{"-lpthread"}},
	{name: "sigserve", srcs: []string{"main.c", "wait.c", "susp.c", "mix.c"}, cflags: []string{"-pthread"}, libs: []string{"-lpthread"}},
	{name: "thrproc", srcs: []string{"main.c", "procs.c", "thr.c"}, cflags: []string{"-pthread"}, libs: []string{"-lpthread"}, stdin: "input.txt"},
}

// advForms are the ways each case is compiled: gcc objects, or one .ll
// per source from clang-19, at the level given; and the gorc run flags
// each form runs with (every execution mode).
var advForms = []struct {
	name     string
	ir       bool
	opt      string
	variants [][]string
}{
	{"obj-O0", false, "-O0", [][]string{nil, {"-lazy"}}},
	{"obj-O2", false, "-O2", [][]string{nil, {"-lazy"}}},
	{"ll-O0", true, "-O0", [][]string{nil, {"-lazy"}, {"-lazy", "-speculate"}}},
	{"ll-O2", true, "-O2", [][]string{nil, {"-lazy"}, {"-lazy", "-speculate"}}},
}

// TestAdvRun runs the programs of testdata/advrun — what real C code does
// that the corpus did not (see testdata/advrun/README) — as gcc objects
// with an archive and as clang-19 IR (one .ll per source, with the same
// archive), eager and -lazy (and -lazy -speculate for IR), in every
// execution mode, and compares stdout, stderr and the exit status with
// the native build's. Each found bug of session 28 has its case here: an
// archive member defining (-fno-common) a variable the objects left
// common was never linked ("undefined symbols"); a lazily compiled IR
// function's extern_weak reference was a strong one; a weak IR function
// beat a later module's strong one with -lazy; an archive member pulled
// only by a lazily compiled function never ran its constructor; _Exit and
// quick_exit in a child or remote executor lost the status and the
// output; pthread_exit in main failed ("creating thread: errno 0");
// __builtin_cpu_supports' __cpu_model was undefined; a lazily compiled
// signal handler first called on the program's alternate signal stack
// crashed the Go runtime in process ("morestack on g0"). Session 29: a
// process-directed signal (kill, sigqueue to the program's own process)
// ran the program's handler on a Go runtime thread, and with -lazy the
// handler's first call crashed the process (sigproc). Session 30: with
// every signal blocked and one thread in sigwait, sigtimedwait or reading
// a signalfd, a signal sent to the process hung the program (relayed to
// the blocked main thread) or, left at SIG_DFL, met Go's handler;
// sigqueue to the process ran its handler late; a lazy first call after
// the program disabled its own sigaltstack crashed in Go (sigserve); a
// 64 KB pthread stack failed in a child or remote executor (thrproc).
func TestAdvRun(t *testing.T) {
	gcc := toolPath(t, "gcc")
	clang := toolPath(t, "clang-19")
	bin := gorcBinary(t)
	root, err := filepath.Abs(filepath.Join("..", "..", "testdata", "advrun"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range advCases {
		for _, f := range advForms {
			t.Run(c.name+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second)
				defer cancel()
				src := filepath.Join(root, c.name)
				dir := t.TempDir()
				compile := func(tool string, args ...string) {
					t.Helper()
					if out, err := exec.CommandContext(ctx, tool, args...).CombinedOutput(); err != nil {
						t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
					}
				}
				var objs, inputs []string
				for _, s := range c.srcs {
					o := filepath.Join(dir, strings.TrimSuffix(s, ".c")+".o")
					compile(gcc, append(append([]string{f.opt, "-w", "-c", "-o", o}, c.cflags...), filepath.Join(src, s))...)
					objs = append(objs, o)
					if f.ir {
						ll := filepath.Join(dir, strings.TrimSuffix(s, ".c")+".ll")
						compile(clang, append(append([]string{f.opt, "-w", "-S", "-emit-llvm", "-o", ll}, c.cflags...), filepath.Join(src, s))...)
						inputs = append(inputs, ll)
					}
				}
				if !f.ir {
					inputs = objs
				}
				var libs []string
				if len(c.archive) > 0 {
					var members []string
					for _, s := range c.archive {
						o := filepath.Join(dir, "lib-"+strings.TrimSuffix(s, ".c")+".o")
						compile(gcc, f.opt, "-w", "-fno-common", "-c", "-o", o, filepath.Join(src, s))
						members = append(members, o)
					}
					a := filepath.Join(dir, "lib.a")
					compile("ar", append([]string{"rcs", a}, members...)...)
					libs = append(libs, a)
				}
				libs = append(libs, c.libs...)
				exe := filepath.Join(dir, "native")
				compile(gcc, append(append(append([]string{"-o", exe}, objs...), libs...), "-lm", "-ldl")...)
				stdin := ""
				if c.stdin != "" {
					stdin = filepath.Join(src, c.stdin)
				}
				native, err := runProcess(ctx, dir, append([]string{exe}, c.args...), stdin)
				if err != nil {
					t.Fatalf("native run: %v", err)
				}
				forEachMode(t, execModes(t), func(t *testing.T, em execMode) {
					for _, v := range f.variants {
						release, flags := em.acquire(t)
						args := append(append(append(append([]string{"run"}, flags...), v...), inputs...), libs...)
						args = append(append(args, "--"), c.args...)
						got, err := runProcess(ctx, dir, append([]string{bin}, args...), stdin)
						release()
						if err != nil {
							t.Fatalf("gorc %s: %v", strings.Join(args, " "), err)
						}
						if got != native {
							t.Errorf("gorc %s:\n%v\nnative:\n%v", strings.Join(args, " "), got, native)
						}
					}
				})
			})
		}
	}
}

// TestAdvRunCommonInit checks the refusal of what gorc cannot link as a
// static linker does: a common symbol already linked and an archive
// member, pulled later for another symbol, that defines it with an
// initial value (GNU ld merges them into the member's). The error names
// the symbol, both definitions and the way out, and does not claim only
// that f is undefined (as it did).
func TestAdvRunCommonInit(t *testing.T) {
	gcc := toolPath(t, "gcc")
	bin := gorcBinary(t)
	src, err := filepath.Abs(filepath.Join("..", "..", "testdata", "advrun", "commoninit"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	main := filepath.Join(dir, "main.o")
	run(gcc, "-fcommon", "-c", "-o", main, filepath.Join(src, "main.c"))
	member := filepath.Join(dir, "member.o")
	run(gcc, "-fno-common", "-c", "-o", member, filepath.Join(src, "member.c"))
	lib := filepath.Join(dir, "lib.a")
	run("ar", "rcs", lib, member)
	// The native program: c is the member's 5.
	exe := filepath.Join(dir, "native")
	run(gcc, "-o", exe, main, lib)
	if err := exec.Command(exe).Run(); err == nil || err.(*exec.ExitError).ExitCode() != 8 {
		t.Fatalf("native: %v, want exit status 8", err)
	}
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}} {
		_, stderr, code := runGorc(t, bin, dir, append(append([]string{"run"}, mode...), main, lib), "", false)
		if code != 1 {
			t.Errorf("%v: exit status %d, want 1 (refused)", mode, code)
		}
		for _, want := range []string{`duplicate definition of symbol "c"`, "main.o", "lib.a(member.o)", "common", "-fno-common"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%v: error does not name %q:\n%s", mode, want, stderr)
			}
		}
	}
	// With the member's definition zero-initialized (as -fno-common
	// makes "int c;"), nothing is lost: the member's copy gives way to
	// the common already linked, and f is found.
	zero := filepath.Join(dir, "zero.c")
	if err := os.WriteFile(zero, []byte("int c;\nint f(void) { return 3; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	zo := filepath.Join(dir, "zero.o")
	run(gcc, "-fno-common", "-c", "-o", zo, zero)
	zlib := filepath.Join(dir, "zero.a")
	run("ar", "rcs", zlib, zo)
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}, {"-exec", "local", "-lazy"}} {
		_, stderr, code := runGorc(t, bin, dir, append(append([]string{"run"}, mode...), main, zlib), "", false)
		if code != 3 {
			t.Errorf("%v: exit status %d, want 3\n%s", mode, code, stderr)
		}
	}
}

// TestAdvRunExecStack checks that an object asking for an executable
// stack (gcc's trampolines for a nested function whose address is taken)
// is refused with an error saying so, eager and -lazy, instead of dying
// of SIGSEGV reported as a stack overflow.
func TestAdvRunExecStack(t *testing.T) {
	gcc := toolPath(t, "gcc")
	bin := gorcBinary(t)
	dir := t.TempDir()
	obj := filepath.Join(dir, "main.o")
	if out, err := exec.Command(gcc, "-O2", "-c", "-o", obj, filepath.Join("..", "..", "testdata", "advrun", "execstack", "main.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "local", "-lazy"}, {"-exec", "child"}} {
		_, stderr, code := runGorc(t, bin, dir, append(append([]string{"run"}, mode...), obj), "", false)
		if code != 1 || !strings.Contains(stderr, "main.o needs an executable stack") || strings.Contains(stderr, "SIGSEGV") {
			t.Errorf("%v: exit status %d, stderr:\n%s", mode, code, stderr)
		}
	}
}
