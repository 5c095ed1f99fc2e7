//go:build cgo

package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// aggCase is a C program (or an .ll file) whose clang-19 IR uses
// first-class aggregates, variadic definitions or byval: run with
// `gorc run [-lazy] FILE.ll` it must print what the native program prints
// and exit with its status.
type aggCase struct {
	name string
	src  string   // .c (compiled by clang-19 at each level) or .ll (compared with lli-19)
	args []string // the program's arguments
	libs []string // -lNAME for both links
	// stdin, when set, makes the program's standard input (written to a
	// file in the case's directory).
	stdin func() ([]byte, error)
}

func aggCases() []aggCase {
	dir := filepath.Join("..", "..", "testdata", "irprograms")
	zdir := filepath.Join("..", "..", "testdata", "zlib-examples")
	var cs []aggCase
	for _, n := range []string{"logger", "va_walk", "struct_ret", "complex", "overflow", "divmod", "tokenizer", "vm", "geometry", "rational", "minmax", "longdouble"} {
		c := aggCase{name: n, src: filepath.Join(dir, n+".c"), libs: []string{"-lm"}}
		cs = append(cs, c)
	}
	for _, n := range []string{"atomics", "threadlocal", "floatpairs"} {
		cs = append(cs, aggCase{name: n, src: filepath.Join(dir, n+".c"), libs: []string{"-lpthread", "-lm"}})
	}
	cs = append(cs,
		aggCase{name: "atomics_ll", src: filepath.Join("..", "..", "ir", "testdata", "atomics.ll")},
		aggCase{name: "atomics_pressure_ll", src: filepath.Join("..", "..", "ir", "testdata", "atomics_pressure.ll")},
		aggCase{name: "vectors_ll", src: filepath.Join("..", "..", "ir", "testdata", "vectors.ll")},
		aggCase{name: "aggregates_ll", src: filepath.Join("..", "..", "ir", "testdata", "aggregates.ll")},
		aggCase{name: "fp80_ll", src: filepath.Join("..", "..", "ir", "testdata", "fp80.ll")},
		// zlib's example programs, not written for gorc: copied from
		// Debian's zlib1g-dev (/usr/share/doc/zlib1g-dev/examples, which
		// slim images drop) into testdata/zlib-examples with their
		// licence.
		aggCase{name: "zlib_enough", src: filepath.Join(zdir, "enough.c"), args: []string{"15", "13"}},
		aggCase{name: "zlib_gznorm", src: filepath.Join(zdir, "gznorm.c"), libs: []string{"-lz"}, stdin: gzipTwice},
		aggCase{name: "zlib_gznorm_bad", src: filepath.Join(zdir, "gznorm.c"), libs: []string{"-lz"}, stdin: func() ([]byte, error) { return []byte("not gzip\n"), nil }},
	)
	for i := range cs {
		if abs, err := filepath.Abs(cs[i].src); err == nil {
			cs[i].src = abs
		}
	}
	return cs
}

// gzipTwice is two gzip members of a repeated line (gznorm joins them).
func gzipTwice() ([]byte, error) {
	var out bytes.Buffer
	for i := range 2 {
		w := gzip.NewWriter(&out)
		for j := range 50 {
			fmt.Fprintf(w, "member %d line %d: hello gzip world\n", i, j)
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
	}
	return out.Bytes(), nil
}

// aggModes are the gorc run flags each optimisation level is run with:
// eager and lazy, in this process, a child executor and a TCP one.
var aggModes = map[string][][]string{
	"O0": {{"-exec", "local"}, {"-exec", "local", "-lazy"}, {"-exec", "child", "-lazy"}, {"-exec", "tcp", "-lazy"}},
	"O1": {{"-exec", "local"}, {"-exec", "child"}, {"-exec", "local", "-lazy"}},
	"O2": {{"-exec", "local"}, {"-exec", "local", "-lazy"}, {"-exec", "tcp"}},
}

// TestCAggregatesFromClangIR runs C programs full of struct returns of
// every psABI class, _Complex numbers, overflow builtins, variadic
// functions (vsnprintf loggers, va_arg walkers past the register save
// area, va_copy, structs read with va_arg) and byval structs, from the IR
// clang-19 emits at -O0, -O1 and -O2, under gorc run eager and -lazy, in
// every execution mode, against the native build of the same IR.
func TestCAggregatesFromClangIR(t *testing.T) {
	clang := toolPath(t, "clang-19")
	lli := toolPath(t, "lli-19")
	gorcBinary(t)
	for _, c := range aggCases() {
		if _, err := os.Stat(c.src); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if strings.HasSuffix(c.src, ".ll") {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				runAggLL(t, lli, c)
			})
			continue
		}
		for _, lv := range []string{"O0", "O1", "O2"} {
			t.Run(c.name+"/"+lv, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				runAggCase(t, clang, c, lv)
			})
		}
	}
}

// aggSources returns the C files of c (a file, or every .c of a directory).
func aggSources(t *testing.T, c aggCase) []string {
	if fi, err := os.Stat(c.src); err == nil && fi.IsDir() {
		srcs, _ := filepath.Glob(filepath.Join(c.src, "*.c"))
		if len(srcs) == 0 {
			t.Fatalf("%s: no .c files", c.src)
		}
		return srcs
	}
	return []string{c.src}
}

func runAggCase(t *testing.T, clang string, c aggCase, level string) {
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	dir := t.TempDir()
	var lls []string
	for _, src := range aggSources(t, c) {
		ll := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".c")+".ll")
		args := []string{"-S", "-emit-llvm", "-" + level, "-fno-vectorize", "-fno-slp-vectorize", "-Wno-everything", "-o", ll, src}
		if out, err := exec.CommandContext(ctx, clang, args...).CombinedOutput(); err != nil {
			t.Fatalf("clang-19 %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		lls = append(lls, ll)
	}
	exe := filepath.Join(dir, "native")
	args := append(append([]string{"-o", exe}, lls...), c.libs...)
	if out, err := exec.CommandContext(ctx, clang, args...).CombinedOutput(); err != nil {
		t.Fatalf("clang-19 %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	stdin := aggStdin(t, c, dir)
	native, err := runProcess(ctx, dir, append([]string{exe}, c.args...), stdin)
	if err != nil {
		t.Fatalf("native run: %v", err)
	}
	for _, flags := range aggModes[level] {
		runAggMode(ctx, t, c, lls, flags, stdin, native, "ir-"+level)
	}
}

// runAggLL compares gorc run on a hand-written .ll with lli-19 on it.
func runAggLL(t *testing.T, lli string, c aggCase) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	dir := t.TempDir()
	want, err := runProcess(ctx, dir, []string{lli, c.src}, "")
	if err != nil {
		t.Fatalf("lli-19: %v", err)
	}
	for _, lv := range []string{"O0", "O2"} {
		for _, flags := range aggModes[lv] {
			runAggMode(ctx, t, c, []string{c.src}, flags, "", want, "lli")
		}
	}
}

func aggStdin(t *testing.T, c aggCase, dir string) string {
	if c.stdin == nil {
		return ""
	}
	data, err := c.stdin()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "stdin")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runAggMode runs gorc run FLAGS LLS... LIBS -- ARGS and compares its
// standard output and exit status with want's.
func runAggMode(ctx context.Context, t *testing.T, c aggCase, lls, flags []string, stdin string, want runResult, label string) {
	argv := []string{gorcBinary(t), "run"}
	if flags[1] == "tcp" {
		pool := tcpExecutors(t)
		addr := <-pool
		defer func() { pool <- addr }()
		argv = append(argv, "-exec", "tcp://"+addr)
		argv = append(argv, flags[2:]...)
	} else {
		argv = append(argv, flags...)
	}
	argv = append(append(argv, lls...), c.libs...)
	if len(c.args) > 0 {
		argv = append(append(argv, "--"), c.args...)
	}
	got, err := runProcess(ctx, filepath.Dir(lls[0]), argv, stdin)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(flags, " "), err)
	}
	if got.stdout != want.stdout || got.status != want.status {
		t.Errorf("%s %s: %s differs from the reference run\ncommand: %s\n=== reference ===\n%v\n=== gorc ===\n%v", label, strings.Join(flags, " "), c.name, strings.Join(argv, " "), want, got)
	}
}

// TestCAggregatesRefused checks that C constructs still outside the IR
// subset are refused with an error naming the construct and its line,
// never run wrongly.
func TestCAggregatesRefused(t *testing.T) {
	clang := toolPath(t, "clang-19")
	bin := gorcBinary(t)
	tests := []struct{ name, src, want string }{
		{"vector of eight floats", "#include <stdio.h>\ntypedef float v8 __attribute__((vector_size(32)));\nv8 twice(v8 a) { return a + a; }\nint main(void) { v8 v = twice((v8){1, 2, 3, 4, 5, 6, 7, 8}); printf(\"%g\\n\", v[3]); return 0; }\n",
			"error: vector type '<8 x float>' is not supported in a signature (vectors of up to 16 bytes"},
		{"atomic int128 under-aligned", "#include <stdio.h>\ntypedef __int128 i8a __attribute__((aligned(8)));\nint main(void) { __int128 x[2] __attribute__((aligned(16))) = {0, 0}; i8a *p = (i8a *)((char *)x + 8);\n__atomic_fetch_add(p, 1, __ATOMIC_SEQ_CST); printf(\"%d\\n\", (int)*p); return 0; }\n",
			"error: atomicrmw add of i128 with align 8 is not supported (cmpxchg16b needs 16-byte aligned memory"},
	}
	for _, tt := range tests {
		for _, lv := range []string{"O0", "O2"} {
			t.Run(tt.name+"/"+lv, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				dir := t.TempDir()
				src, ll := filepath.Join(dir, "x.c"), filepath.Join(dir, "x.ll")
				if err := os.WriteFile(src, []byte(tt.src), 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.CommandContext(ctx, clang, "-S", "-emit-llvm", "-"+lv, "-Wno-everything", "-o", ll, src).CombinedOutput(); err != nil {
					t.Fatalf("clang-19: %v\n%s", err, out)
				}
				for _, lazy := range []bool{false, true} {
					argv := []string{bin, "run", ll}
					if lazy {
						argv = []string{bin, "run", "-lazy", ll}
					}
					got, err := runProcess(ctx, dir, argv, "")
					if err != nil {
						t.Fatal(err)
					}
					if got.status != 1 || got.stdout != "" || !strings.Contains(got.stderr, "x.ll:") || !strings.Contains(got.stderr, tt.want) {
						t.Errorf("%s: want exit 1 and an error at x.ll:LINE containing %q\n%v", strings.Join(argv[1:], " "), tt.want, got)
					}
				}
			})
		}
	}
}
