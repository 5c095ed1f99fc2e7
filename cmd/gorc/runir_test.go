//go:build cgo

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunIR runs IR files through `gorc run` and compares stdout and exit
// status with lli-19 on the same file: LLVM-style IR written by hand
// (testdata/fib.ll) and the module `gorc kaleido -emit ir` prints.
func TestRunIR(t *testing.T) {
	lli := toolPath(t, "lli-19")
	dir := t.TempDir()
	kll := kaleidoIRFile(t, dir, "def fib(x) if x < 3 then 1 else fib(x-1)+fib(x-2);\nfib(15);\nextern sin(x);\nsin(1.0);\n")
	emitted, err := os.ReadFile(kll)
	if err != nil {
		t.Fatal(err)
	}
	fib, err := filepath.Abs("testdata/fib.ll")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, file := range []string{fib, kll} {
		want, err := runProcess(ctx, dir, []string{lli, file}, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range [][]string{nil, {"-exec", "child"}} {
			got := gorcRun(t, dir, append(mode, file)...)
			if got.status != want.status || got.stdout != want.stdout {
				t.Errorf("gorc run %v %s = status %d stdout %q, lli-19 gives %d %q (stderr %s)",
					mode, filepath.Base(file), got.status, got.stdout, want.status, want.stdout, got.stderr)
			}
		}
	}
	if !strings.Contains(string(emitted), "Evaluated to") && !strings.Contains(string(emitted), "@printf") {
		t.Errorf("emitted IR prints no results:\n%s", emitted)
	}
}

// TestRunIRErrors: a malformed IR file gives FILE:LINE:COL and nothing runs.
func TestRunIRErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ll")
	src := "define i32 @main() {\nentry:\n  %x = fadd double 1.0, %nope\n  ret i32 0\n}\n"
	if err := os.WriteFile(bad, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	r := gorcRun(t, dir, bad)
	if r.status == 0 || !strings.Contains(r.stderr, bad+":3:") {
		t.Errorf("status %d, stderr %q; want a failure naming %s:3:COL", r.status, r.stderr, bad)
	}
}

// kaleidoIRFile writes src to DIR/k.k, has `gorc kaleido -emit ir` print
// its module, and returns the path of that module written to DIR/k.ll.
func kaleidoIRFile(t *testing.T, dir, src string) string {
	t.Helper()
	kal := filepath.Join(dir, "k.k")
	if err := os.WriteFile(kal, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := gorcBinary(t) // built (once) before the clock starts
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	emitted, err := runProcess(ctx, dir, []string{bin, "kaleido", "-emit", "ir", kal}, "")
	if err != nil || emitted.status != 0 {
		t.Fatalf("kaleido -emit ir: %v %v", err, emitted)
	}
	kll := filepath.Join(dir, "k.ll")
	if err := os.WriteFile(kll, []byte(emitted.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	return kll
}
