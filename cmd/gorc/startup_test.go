//go:build cgo

package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRunChildExecutorStartsOnce: gorc run -exec child gives its
// executor the static-TLS room in its environment, so the executor does
// not re-execute itself to get it (a second process start, ~5 ms). The
// re-execution (executor.EnsureStaticTLS) puts GLIBC_TUNABLES first in
// the environment; an environment handed down by gorc run keeps gorc's
// order with GLIBC_TUNABLES added at the end. The program prints both.
func TestRunChildExecutorStartsOnce(t *testing.T) {
	dir := t.TempDir()
	obj := ccObj(t, dir, "env", `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
extern char **environ;
int main(void) {
	const char *tun = getenv("GLIBC_TUNABLES");
	printf("first=%s\ntunables=%s\n", strncmp(environ[0], "GLIBC_TUNABLES=", 15) == 0 ? "GLIBC_TUNABLES" : "other", tun ? tun : "");
	return 0;
}`)
	gorc := gorcBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, gorc, "run", "-exec", "child", obj)
	cmd.Dir = dir
	cmd.Env = []string{"GORC_TEST_FIRST=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GLIBC_TUNABLES=") && !strings.HasPrefix(kv, "GORC_TEST_FIRST=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gorc run -exec child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "first=other\n") {
		t.Errorf("the executor re-executed itself (GLIBC_TUNABLES first in its environment):\n%s", out)
	}
	m := regexp.MustCompile(`tunables=.*glibc\.rtld\.optional_static_tls=(\d+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("the executor has no static-TLS tunable:\n%s", out)
	}
	if n, _ := strconv.ParseUint(m[1], 10, 64); n < staticTLSSurplus {
		t.Errorf("static TLS surplus %d, want at least %d", n, staticTLSSurplus)
	}
}

// TestRunShowTimesRoundTrips: with a child executor, -show-times counts
// the executor round trips made before the program runs, by operation.
func TestRunShowTimesRoundTrips(t *testing.T) {
	dir := t.TempDir()
	obj := ccObj(t, dir, "hello", `#include <stdio.h>
int main(void) { puts("hello"); return 0; }`)
	r := gorcRun(t, dir, "-show-times", "-exec", "child", obj)
	if r.status != 0 || r.stdout != "hello\n" {
		t.Fatalf("status %d, stdout %q\n%s", r.status, r.stdout, r.stderr)
	}
	m := regexp.MustCompile(`executor round trips before run (\d+) \(([^)]*)\)`).FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no round-trip count in -show-times:\n%s", r.stderr)
	}
	total, _ := strconv.Atoi(m[1])
	sum := 0
	for _, part := range strings.Split(m[2], ", ") {
		f := strings.Fields(part)
		n, err := strconv.Atoi(f[len(f)-1])
		if err != nil {
			t.Fatalf("bad count %q in %q", part, m[0])
		}
		sum += n
	}
	// Protections go one by one, or in the batch that also carries the
	// writes and finalize actions (wire op batch).
	if total == 0 || sum != total || !strings.Contains(m[2], "reserve ") || !strings.Contains(m[2], "protect ") && !strings.Contains(m[2], "batch ") {
		t.Errorf("round trips %q: total %d, sum of the operations %d", m[0], total, sum)
	}
	// In-process there is no executor to count.
	if r := gorcRun(t, dir, "-show-times", obj); strings.Contains(r.stderr, "round trips") {
		t.Errorf("in-process run counts round trips:\n%s", r.stderr)
	}
}
