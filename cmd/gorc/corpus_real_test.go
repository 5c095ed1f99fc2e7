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

// realPrograms are the C programs of testdata/irreal: what people
// benchmark (the benchmarks game's n-body, spectral-norm, fannkuch-redux,
// binary-trees, mandelbrot, fasta), a matrix multiply, checksums, string
// loops, qsort of structs, histograms, bit-fields, constructors, an
// interpreter, and what low-level C uses: computed goto (cgoto: a
// threaded-code interpreter), inline assembly (inlineasm), compiler
// builtins (builtins) and variable-length arrays and alloca (vla). At -O2 and -O3 clang-19's loop and SLP vectorizers turn
// their loops into vector code (and bit-fields into i24/i40/... loads).
var realPrograms = []string{
	"nbody", "spectral", "fannkuch", "binarytrees", "mandelbrot", "fasta", "matmul",
	"crc32", "sha256", "strings", "qsort", "histogram", "bitfields", "ctors", "interp",
	"cgoto", "inlineasm", "builtins", "vla",
}

// realLevels are the clang-19 flags each program is compiled with (the
// vectorizers on, as a reviewer compiles) and the gorc run modes of each.
var realLevels = []struct {
	name  string
	flags []string
	modes [][]string
}{
	{"O0", []string{"-O0"}, [][]string{{"-exec", "local"}, {"-exec", "child", "-lazy"}}},
	{"O2", []string{"-O2"}, [][]string{{"-exec", "local"}, {"-exec", "local", "-lazy"}, {"-exec", "child"}}},
	{"O3", []string{"-O3"}, [][]string{{"-exec", "local"}, {"-exec", "local", "-lazy"}, {"-exec", "child", "-lazy"}}},
	{"O3-v2", []string{"-O3", "-march=x86-64-v2"}, [][]string{{"-exec", "local", "-lazy"}}},
	{"O3-v3", []string{"-O3", "-march=x86-64-v3"}, [][]string{{"-exec", "local"}}},
}

// TestCRealFromClangIR runs the hand-written .ll files of testdata/irreal
// (what clang-19 emits at -O2 and -O3, reduced) against lli-19, and
// compiles the programs of testdata/irreal with
// clang-19 at -O0, -O2 and -O3 (and -O3 for x86-64-v2 and -v3), links the
// same IR natively, and checks that gorc run, eager and -lazy, in this
// process and in a child executor, prints what the native program prints
// and exits with its status.
func TestCRealFromClangIR(t *testing.T) {
	clang := toolPath(t, "clang-19")
	gorcBinary(t)
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "irreal"))
	if err != nil {
		t.Fatal(err)
	}
	lls, _ := filepath.Glob(filepath.Join(dir, "*.ll"))
	if len(lls) > 0 {
		lli := toolPath(t, "lli-19")
		for _, ll := range lls {
			c := aggCase{name: strings.TrimSuffix(filepath.Base(ll), ".ll") + "_ll", src: ll}
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				runAggLL(t, lli, c)
			})
		}
	}
	for _, name := range realPrograms {
		for _, lv := range realLevels {
			t.Run(name+"/"+lv.name, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				c := aggCase{name: name, src: filepath.Join(dir, name+".c"), libs: []string{"-lm"}}
				runRealCase(t, clang, c, lv.flags, lv.modes)
			})
		}
	}
	// zlib's gun.c (copied from Debian's zlib1g-dev with its licence into
	// testdata/zlib-examples): it decompresses its standard input; at -O2
	// it uses llvm.usub.sat and freeze.
	gun := aggCase{name: "zlib_gun", src: filepath.Join("..", "..", "testdata", "zlib-examples", "gun.c"), libs: []string{"-lz"}, stdin: gzipTwice}
	if abs, err := filepath.Abs(gun.src); err == nil {
		gun.src = abs
	}
	for _, lv := range realLevels[1:3] {
		t.Run(gun.name+"/"+lv.name, func(t *testing.T) {
			t.Parallel()
			limiter <- struct{}{}
			defer func() { <-limiter }()
			runRealCase(t, clang, gun, lv.flags, lv.modes)
		})
	}
}

func runRealCase(t *testing.T, clang string, c aggCase, flags []string, modes [][]string) {
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	dir := t.TempDir()
	ll := filepath.Join(dir, c.name+".ll")
	args := append(append([]string{"-S", "-emit-llvm"}, flags...), "-Wno-everything", "-o", ll, c.src)
	if out, err := exec.CommandContext(ctx, clang, args...).CombinedOutput(); err != nil {
		t.Fatalf("clang-19 %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	exe := filepath.Join(dir, "native")
	args = append([]string{"-o", exe, ll}, c.libs...)
	if out, err := exec.CommandContext(ctx, clang, args...).CombinedOutput(); err != nil {
		t.Fatalf("clang-19 %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	stdin := aggStdin(t, c, dir)
	native, err := runProcess(ctx, dir, []string{exe}, stdin)
	if err != nil {
		t.Fatalf("native run: %v", err)
	}
	if native.status != 0 || native.stdout == "" {
		t.Fatalf("native run: %v", native)
	}
	for _, m := range modes {
		runAggMode(ctx, t, c, []string{ll}, m, stdin, native, strings.Join(flags, " "))
	}
}
