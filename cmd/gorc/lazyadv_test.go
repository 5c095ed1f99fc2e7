//go:build cgo

package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLazyStackEdge: a lazy function first called near the end of the
// calling thread's stack (testdata/lazy_stackedge.c recurses until about
// LEFT bytes remain) runs as without -lazy when 8 KB or more are left —
// with less than 64 KB the first call is resolved on a helper thread, as
// the Go runtime's callback needs more than the few KB left (was: "fatal
// error: morestack on g0" and a Go crash dump, or a silent SIGSEGV) — and
// with less than 8 KB it ends the program with "stack exhausted in lazy
// first call of h" and SIGSEGV's status, in every execution mode.
func TestLazyStackEdge(t *testing.T) {
	dir := t.TempDir()
	file, err := filepath.Abs("testdata/lazy_stackedge.ll")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		left      int
		exhausted bool
	}{
		{1 << 20, false},
		{48 << 10, false}, // helper thread
		{12 << 10, false}, // helper thread
		{2 << 10, true},   // the re-entry's probe
	}
	forEachMode(t, execModes(t), func(t *testing.T, em execMode) {
		for _, c := range cases {
			release, flags := em.acquire(t)
			args := append(append([]string{"-lazy"}, flags...), file, "--", fmt.Sprint(c.left))
			r := gorcRunWithin(t, dir, 60*time.Second, args...)
			release()
			if c.exhausted {
				if r.status != 139 || !strings.Contains(r.stderr, "stack exhausted in lazy first call of h ") || strings.Contains(r.stderr, "goroutine ") {
					t.Errorf("left %d: status %d stderr:\n%s\nwant 139 and \"stack exhausted in lazy first call of h\", no Go crash dump", c.left, r.status, r.stderr)
				}
				continue
			}
			if want := fmt.Sprintf("%d\n", c.left+7); r.status != 0 || r.stdout != want {
				t.Errorf("left %d: status %d stdout %q stderr:\n%s\nwant 0 and %q", c.left, r.status, r.stdout, r.stderr, want)
			}
		}
	})
}
