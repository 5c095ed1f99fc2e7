//go:build cgo

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCacheSourceFromPipe: a source that is a pipe (a shell's process
// substitution, gorc kaleido <(gen), seen as /dev/fd/N) can be read only
// once. With a cache, gorc must not spend that one read on the cache key:
// the program runs as it does with -no-cache, and the image is not stored
// under a key that names no content.
func TestCacheSourceFromPipe(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Fatalf("gcc is required (run scripts/deps.sh): %v", err)
	}
	obj := filepath.Join(dir, "p.o")
	src := filepath.Join(dir, "p.c")
	os.WriteFile(src, []byte("#include <stdio.h>\nint main(void) { puts(\"from a pipe\"); return 7; }\n"), 0o644)
	if out, err := exec.Command("gcc", "-O1", "-c", "-o", obj, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	objData, err := os.ReadFile(obj)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		args     []string // the pipe is /dev/fd/3
		content  []byte
		wantOut  string
		wantCode int
	}{
		{"kaleido", []string{"kaleido"}, []byte("def f(x) x*3;\nf(2);\n"), "Evaluated to 6.000000\n", 0},
		{"kaleido child", []string{"kaleido", "-exec", "child"}, []byte("def f(x) x*3;\nf(2);\n"), "Evaluated to 6.000000\n", 0},
		{"run", []string{"run"}, objData, "from a pipe\n", 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := filepath.Join(dir, "cache-"+strings.ReplaceAll(tc.name, " ", "-"))
			for round := range 2 {
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				args := append(append([]string{}, tc.args...), "-cache", cache, "/dev/fd/3")
				cmd := exec.CommandContext(ctx, bin, args...)
				cmd.Dir = dir
				cmd.ExtraFiles = []*os.File{r}
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				if err := cmd.Start(); err != nil {
					cancel()
					t.Fatal(err)
				}
				r.Close()
				w.Write(tc.content)
				w.Close()
				err = cmd.Wait()
				timedOut := ctx.Err() != nil
				cancel()
				code := cmd.ProcessState.ExitCode()
				if timedOut {
					t.Fatalf("round %d: gorc %s timed out", round, strings.Join(args, " "))
				}
				if _, ok := err.(*exec.ExitError); err != nil && !ok {
					t.Fatal(err)
				}
				if stdout.String() != tc.wantOut || code != tc.wantCode {
					t.Fatalf("round %d: gorc %s: exit %d (want %d), stdout %q (want %q)\nstderr:\n%s",
						round, strings.Join(args, " "), code, tc.wantCode, stdout.String(), tc.wantOut, stderr.String())
				}
			}
		})
	}
}
