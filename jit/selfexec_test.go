//go:build cgo

package jit_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestChildExecutorDefaultCommand builds a program that uses a child
// executor with the default executor command (the program itself) and
// runs it: with jit.ServeExecutorIfChild first in main the child serves
// and the call runs in another process; without it the error says what to
// add, and nothing recurses.
func TestChildExecutorDefaultCommand(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "childprog")
	if out, err := exec.Command("go", "build", "-o", prog, "./testdata/childprog").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	obj, err := cc(dir, "poly", "double poly(double x) { return (x * x + 1.0) * x - 2.0; }")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, prog, obj).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", prog, err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "16.125 true" {
		t.Errorf("output %q, want %q", got, "16.125 true")
	}
	cmd := exec.CommandContext(ctx, prog, obj)
	cmd.Env = append(os.Environ(), "CHILDPROG_NOHOOK=1")
	out, err = cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("without the hook: no error\n%s", out)
	}
	if want := "must call jit.ServeExecutorIfChild() first in main"; !strings.Contains(string(out), want) {
		t.Errorf("without the hook: output %q does not say %q", out, want)
	}
	if n := strings.Count(string(out), "childprog:"); n > 2 {
		t.Errorf("without the hook: %d error lines, want at most 2 (parent and the one child):\n%s", n, out)
	}
}
