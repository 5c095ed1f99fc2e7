//go:build cgo

package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// widePrograms are the C programs of testdata/irwide, which use what
// session 27 taught the .ll reader: __int128 arithmetic (a wyhash mix, a
// 64.64 fixed-point square root, a 128-bit factorial, division through
// libgcc), long double classification (isinf, signbit, fpclassify: i80
// bitcasts and llvm.is.fpclass), long double _Complex results (ST0 and
// ST1, from the module's functions and libm's cexpl, csqrtl, cpowl), SSE
// intrinsics, vector_size types and saturating adds (llvm.sadd.sat;
// helpers with <4 x float>, <2 x double> and <2 x i64> parameters and
// results), vectors of pointers (getelementptr on vectors, from -O2).
// from is the first of realLevels each is compiled at (vecgep's -O0 has
// no vectors).
var widePrograms = []struct {
	name string
	from int
}{
	{"i128", 0}, {"ldclass", 0}, {"ldcomplex", 0}, {"sse", 0}, {"vecgep", 1},
}

// TestCWideFromClangIR compiles the programs of testdata/irwide with
// clang-19 at the levels of TestCRealFromClangIR, links the same IR
// natively, and checks that gorc run, eager and -lazy, in this process
// and in a child executor, prints what the native program prints.
func TestCWideFromClangIR(t *testing.T) {
	clang := toolPath(t, "clang-19")
	gorcBinary(t)
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "irwide"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range widePrograms {
		for _, lv := range realLevels[p.from:] {
			t.Run(p.name+"/"+lv.name, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				c := aggCase{name: p.name, src: filepath.Join(dir, p.name+".c"), libs: []string{"-lm"}}
				runRealCase(t, clang, c, lv.flags, lv.modes)
			})
		}
	}
}

// TestI128ABINative runs testdata/irwide/abi's main.c and lib.c with each
// side native (a clang-19 object) or compiled by gorc from clang-19's IR,
// at -O0 and -O2: i128 arguments in registers and on the stack and i128
// results cross the boundary both ways, and every mix prints what the
// native program prints.
func TestI128ABINative(t *testing.T) {
	bin := gorcBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	want, levels := twoSources(t, ctx, "abi", "-O0", "-O2")
	if strings.Count(want.stdout, "\n") != 3 {
		t.Fatalf("native run: %v", want)
	}
	for _, o := range []string{"-O0", "-O2"} {
		files := levels[o]
		for _, mix := range [][2]string{{"main.ll", "lib.o"}, {"main.o", "lib.ll"}, {"main.ll", "lib.ll"}} {
			for _, lazy := range []bool{false, true} {
				args := []string{bin, "run"}
				if lazy {
					args = append(args, "-lazy")
				}
				args = append(args, files[mix[0]], files[mix[1]])
				got, err := runProcess(ctx, t.TempDir(), args, "")
				if err != nil {
					t.Fatal(err)
				}
				if got.status != 0 || got.stdout != want.stdout {
					t.Errorf("%s %s+%s lazy=%v: got %v, want %q", o, mix[0], mix[1], lazy, got, want.stdout)
				}
			}
		}
	}
}

// twoSources builds testdata/irwide/NAME's main.c and lib.c with clang-19:
// natively into one program, run for the expected output, and at each of
// levels into main.o, main.ll, lib.o and lib.ll (files[level][name]).
func twoSources(t *testing.T, ctx context.Context, name string, levels ...string) (want runResult, files map[string]map[string]string) {
	t.Helper()
	clang := toolPath(t, "clang-19")
	src, err := filepath.Abs(filepath.Join("..", "..", "testdata", "irwide", name))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	build := func(args ...string) {
		t.Helper()
		if out, err := exec.CommandContext(ctx, clang, args...).CombinedOutput(); err != nil {
			t.Fatalf("clang-19 %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	exe := filepath.Join(dir, "native")
	build("-O2", "-o", exe, filepath.Join(src, "main.c"), filepath.Join(src, "lib.c"))
	if want, err = runProcess(ctx, dir, []string{exe}, ""); err != nil || want.status != 0 {
		t.Fatalf("native run: %v %v", err, want)
	}
	files = map[string]map[string]string{}
	for _, o := range levels {
		files[o] = map[string]string{}
		for _, n := range []string{"main", "lib"} {
			obj := filepath.Join(dir, n+o+".o")
			ll := filepath.Join(dir, n+o+".ll")
			build(o, "-c", "-o", obj, filepath.Join(src, n+".c"))
			build(o, "-S", "-emit-llvm", "-o", ll, filepath.Join(src, n+".c"))
			files[o][n+".o"], files[o][n+".ll"] = obj, ll
		}
	}
	return want, files
}

// TestVectorABIBoundary runs testdata/irwide/vecabi, whose main.c calls
// lib.c's functions taking and returning __m128 and __m128i: with both
// sides IR (gorc's own convention on both sides) the output is the native
// program's; with a native lib.o the link fails naming the function and
// why, instead of passing the vectors where native code does not look.
func TestVectorABIBoundary(t *testing.T) {
	bin := gorcBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	want, levels := twoSources(t, ctx, "vecabi", "-O0", "-O2")
	if want.stdout != "1.5 2.5 3.5 4.5\n13 23 33 43\n" {
		t.Fatalf("native run: %v", want)
	}
	for _, o := range []string{"-O0", "-O2"} {
		files := levels[o]
		for _, lazy := range []bool{false, true} {
			run := func(a, b string) runResult {
				args := []string{bin, "run"}
				if lazy {
					args = append(args, "-lazy")
				}
				got, err := runProcess(ctx, t.TempDir(), append(args, files[a], files[b]), "")
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			if got := run("main.ll", "lib.ll"); got.status != 0 || got.stdout != want.stdout {
				t.Errorf("%s IR+IR lazy=%v: got %v, want %q", o, lazy, got, want.stdout)
			}
			got := run("main.ll", "lib.o")
			if got.status != 1 || got.stdout != "" || !strings.Contains(got.stderr, "vadd has a vector parameter or result") {
				t.Errorf("%s IR+native lazy=%v: got %v, want exit 1 naming vadd's vector convention", o, lazy, got)
			}
			if got := run("main.o", "lib.ll"); got.status != 1 || got.stdout != "" || !strings.Contains(got.stderr, "vadd") {
				t.Errorf("%s native+IR lazy=%v: got %v, want exit 1 naming vadd", o, lazy, got)
			}
		}
	}
}
