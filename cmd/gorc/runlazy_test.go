//go:build cgo

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
)

// TestRunIRLazy: `gorc run -lazy` (every partitioning) prints the same
// and exits with the same status as eager `gorc run` on the repository's
// IR inputs (hand-written, LLVM's Kaleidoscope tutorial,
// and the module `gorc kaleido -emit ir` prints), in every execution mode (local, child,
// child -shm, tcp).
func TestRunIRLazy(t *testing.T) {
	dir := t.TempDir()
	kll := kaleidoIRFile(t, dir, "def fib(x) if x < 3 then 1 else fib(x-1)+fib(x-2);\nfib(15);\nextern sin(x);\nsin(1.0);\ndef unused(x) x*3;\n")
	var files []string
	for _, f := range []string{"testdata/fib.ll", "../../ir/testdata/kaleido_tutorial.ll"} {
		a, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, a)
	}
	files = append(files, kll)
	for _, file := range files {
		want := gorcRun(t, dir, file)
		if want.stdout == "" && want.status == 0 {
			t.Fatalf("eager run of %s printed nothing and returned 0: %v", file, want)
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			forEachMode(t, execModes(t), func(t *testing.T, em execMode) {
				for _, lazy := range [][]string{{"-lazy"}, {"-lazy-partition=callees"}, {"-per-module-lazy"}} {
					release, flags := em.acquire(t)
					args := append(append(append([]string{}, lazy...), flags...), file)
					got := gorcRun(t, dir, args...)
					release()
					if got.status != want.status || got.stdout != want.stdout {
						t.Errorf("gorc run %v %s = status %d stdout %q, eager gives %d %q (stderr %s)",
							args[:len(args)-1], filepath.Base(file), got.status, got.stdout, want.status, want.stdout, got.stderr)
					}
				}
			})
		})
	}
}

// TestRunIRLazyFailure: a function whose lazy link fails (it calls a
// function nothing defines) ends `gorc run -lazy` with status 1 and a
// message naming the function and the missing symbol, after the output
// printed before, in this process and in a child executor; never a hang,
// never a jump to address 0.
func TestRunIRLazyFailure(t *testing.T) {
	dir := t.TempDir()
	src := `declare i32 @printf(ptr, ...)
@s = private constant [4 x i8] c"hi\0A\00"
declare i32 @missing(i32)
define i32 @f(i32 %x) {
entry:
  %r = call i32 @missing(i32 %x)
  ret i32 %r
}
define i32 @main() {
entry:
  %p = call i32 (ptr, ...) @printf(ptr @s)
  %r = call i32 @f(i32 1)
  ret i32 %r
}
`
	file := filepath.Join(dir, "m.ll")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}} {
		r := gorcRun(t, dir, append(append([]string{"-lazy"}, mode...), file)...)
		if r.status != 1 || r.stdout != "hi\n" || !strings.Contains(r.stderr, "lazy call of f:") || !strings.Contains(r.stderr, "missing (referenced by") {
			t.Errorf("%v: status %d stdout %q stderr:\n%s\nwant status 1, \"hi\\n\" and an error naming f and missing", mode, r.status, r.stdout, r.stderr)
		}
	}
}

// TestRunIRLazyParseErrors: with -lazy a function's body is parsed when it
// is first called: an error in a body that runs is reported with
// FILE:LINE:COL and status 1; a function never called is never parsed.
func TestRunIRLazyParseErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ll")
	if err := os.WriteFile(bad, []byte("define i32 @main() {\nentry:\n  %x = fadd double 1.0, %nope\n  ret i32 0\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := gorcRun(t, dir, "-lazy", bad)
	if r.status != 1 || !strings.Contains(r.stderr, bad+":3:") || !strings.Contains(r.stderr, "lazy call of main") {
		t.Errorf("error in main's body: status %d, stderr %q; want 1 and %s:3:COL", r.status, r.stderr, bad)
	}
	unused := filepath.Join(dir, "unused.ll")
	if err := os.WriteFile(unused, []byte("define i32 @never() {\nentry:\n  ret i32 %nope\n}\ndefine i32 @main() {\nentry:\n  ret i32 7\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := gorcRun(t, dir, "-lazy", unused); r.status != 7 {
		t.Errorf("error in a function never called: status %d, stderr %q; want main's 7", r.status, r.stderr)
	}
}

// TestCorpusLazy: every corpus program (compiled -O2) gives the natively
// linked program's output and status with `gorc run -lazy` (objects whose
// definitions are all functions linked on first call) in every execution
// mode.
func TestCorpusLazy(t *testing.T) {
	if os.Getenv("GORC_CORPUS_PEER") != "" {
		t.Skip("-lazy is gorc's flag")
	}
	toolPath(t, "gcc")
	toolPath(t, "g++")
	gorcBinary(t)
	progs, err := loadPrograms(filepath.Join("..", "..", "testdata", "programs"))
	if err != nil {
		t.Fatal(err)
	}
	modes := execModes(t)
	for i := range modes {
		modes[i].flags = append(append([]string{}, modes[i].flags...), "-lazy")
	}
	for _, p := range progs {
		for _, m := range p.modesFor() {
			if m.name != "O2" {
				continue
			}
			t.Run(p.name+"/"+m.name, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				runCorpusCase(t, p, m, modes)
			})
		}
	}
}

// TestRunLazyFlags: the lazy flags parse as documented and a bad
// partitioning is a usage error naming the choices.
func TestRunLazyFlags(t *testing.T) {
	tests := []struct {
		args    []string
		lazy    bool
		part    jit.Partitioning
		wantErr string
	}{
		{[]string{"-lazy", "a.ll"}, true, jit.PartitionFunction, ""},
		{[]string{"-lazy-partition=callees", "a.ll"}, true, jit.PartitionCallees, ""},
		{[]string{"-lazy-partition", "module", "a.ll"}, true, jit.PartitionModule, ""},
		{[]string{"-per-module-lazy", "a.ll"}, true, jit.PartitionModule, ""},
		{[]string{"a.ll"}, false, jit.PartitionFunction, ""},
		{[]string{"-lazy-partition=bogus", "a.ll"}, false, 0, `unknown lazy partitioning "bogus" (want function, callees or module)`},
		{[]string{"-lazy-partition"}, false, 0, "flag -lazy-partition needs a value"},
	}
	for _, tc := range tests {
		o, err := parseRunFlags(tc.args)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: error %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		if o.lazy != tc.lazy || o.partition != tc.part {
			t.Errorf("%v: lazy %v partition %v, want %v %v", tc.args, o.lazy, o.partition, tc.lazy, tc.part)
		}
	}
}

// TestLazyOverMutualTLS: gorc run -lazy (an IR module and a lazily
// linked object) and gorc kaleido -lazy in an executor reached over
// mutual TLS.
func TestLazyOverMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, srvCrt, srvKey, cliCrt, cliKey := writePKI(t, dir)
	addr, cmd, err := startTCPExecutor(gorcBinary(t), "-tls-cert", srvCrt, "-tls-key", srvKey, "-tls-client-ca", ca)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tlsFlags := []string{"-exec", "tls://" + addr, "-tls-cert", cliCrt, "-tls-key", cliKey, "-tls-ca", ca}
	fib, err := filepath.Abs("testdata/fib.ll")
	if err != nil {
		t.Fatal(err)
	}
	want := gorcRun(t, dir, fib)
	obj := ccObj(t, dir, "lz", `#include <stdio.h>
int main(void) { printf("lazy over tls\n"); return 3; }`)
	k := filepath.Join(dir, "p.k")
	if err := os.WriteFile(k, []byte("def sq(x) x*x;\ndef unused(x) x;\nsq(12);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		argv       []string
		status     int
		stdout     string
		stderrHave string
	}{
		{append(append([]string{"run", "-lazy"}, tlsFlags...), fib), want.status, want.stdout, ""},
		{append(append([]string{"run", "-lazy"}, tlsFlags...), obj), 3, "lazy over tls\n", ""},
		{append(append([]string{"kaleido", "-lazy", "-show-stats"}, tlsFlags...), k), 0, "Evaluated to 144.000000\n", "functions compiled: 1 (lazily, of 2 definitions)"},
	} {
		r, err := runProcess(ctx, dir, append([]string{gorcBinary(t)}, c.argv...), "")
		if err != nil {
			t.Fatal(err)
		}
		if r.status != c.status || r.stdout != c.stdout || !strings.Contains(r.stderr, c.stderrHave) {
			t.Errorf("gorc %s: want status %d stdout %q stderr containing %q\n%v", strings.Join(c.argv[:2], " "), c.status, c.stdout, c.stderrHave, r)
		}
	}
}
