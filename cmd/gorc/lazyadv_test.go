//go:build cgo

package main

import (
	"fmt"
	"os"
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
			// Known race (session 30, open): in an executor process the
			// note written to the program's stderr just before the crash
			// report is sometimes not forwarded (about 1 run in 10 with
			// -exec child; the report itself arrives). Until it is
			// fixed, a run that lost only the note is tried again.
			for try := 0; c.exhausted && em.remote && try < 3 && r.status == 139 && !strings.Contains(r.stderr, "stack exhausted") && !strings.Contains(r.stderr, "goroutine "); try++ {
				t.Logf("left %d: the note was not forwarded (known race); again", c.left)
				r = gorcRunWithin(t, dir, 60*time.Second, args...)
			}
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

// TestLazyFailManyThreads: 64 threads make the first call of a function
// whose lazy compile or link fails (it calls a function nothing defines;
// its body does not parse, does not verify, or uses unsupported IR):
// `gorc run -lazy` exits with status 1 after the output printed before,
// and stderr names the function and the reason, once, in every execution
// mode — never a hang. (Several threads' failures each called exit(), and
// the second exit ended the process while the first was still handing
// the controller the output and status: with tcp the message was lost
// and "executor connection lost" said instead, in 4 of 6 runs.)
func TestLazyFailManyThreads(t *testing.T) {
	dir := t.TempDir()
	drv, err := filepath.Abs("testdata/lazy_64threads.ll")
	if err != nil {
		t.Fatal(err)
	}
	bodies := []struct {
		name, src, reason string
		runs              int
	}{
		{"undef", "declare i64 @nowhere(i64)\ndefine i64 @bad(i64 %x) {\n  %r = call i64 @nowhere(i64 %x)\n  ret i64 %r\n}\n", "nowhere (referenced by", 3},
		{"parse", "define i64 @bad(i64 %x) {\n  %r = add i64 %x, %nope\n  ret i64 %r\n}\n", "parse.ll:2:", 1},
		{"verify", "define i64 @bad(i64 %x) {\nentry:\n  %c = icmp eq i64 %x, 0\n  br i1 %c, label %a, label %b\na:\n  %y = add i64 %x, 1\n  br label %b\nb:\n  %z = add i64 %y, 1\n  ret i64 %z\n}\n", "does not dominate", 1},
		{"unsupported", "define i64 @bad(i64 %x) {\n  %p = alloca i64\n  %r = atomicrmw uinc_wrap ptr %p, i64 1 seq_cst\n  ret i64 %r\n}\n", "unsupported.ll:3:", 1},
	}
	files := map[string]string{}
	for _, b := range bodies {
		f := filepath.Join(dir, b.name+".ll")
		if err := os.WriteFile(f, []byte(b.src), 0o644); err != nil {
			t.Fatal(err)
		}
		files[b.name] = f
	}
	forEachMode(t, execModes(t), func(t *testing.T, em execMode) {
		for _, b := range bodies {
			for i := 0; i < b.runs; i++ {
				release, flags := em.acquire(t)
				args := append(append([]string{"-lazy"}, flags...), drv, files[b.name])
				r := gorcRunWithin(t, dir, 60*time.Second, args...)
				release()
				if r.status != 1 || r.stdout != "start\n" || strings.Count(r.stderr, "lazy call of bad") != 1 ||
					!strings.Contains(r.stderr, b.reason) || strings.Contains(r.stderr, "connection lost") {
					t.Errorf("%s: status %d stdout %q stderr:\n%s\nwant 1, \"start\\n\" and one error naming bad and %q", b.name, r.status, r.stdout, r.stderr, b.reason)
				}
			}
		}
	})
}

// TestLazySmallStackThreads: threads created with 16 KB and 64 KB stacks
// (testdata/lazy_smallstack.c) make first calls of a lazy function, in
// every execution mode, as natively. A child executor, started with a
// 1 MB static TLS surplus that glibc carves out of every thread's stack,
// refused such stacks (pthread_create: EINVAL, with or without -lazy).
func TestLazySmallStackThreads(t *testing.T) {
	dir := t.TempDir()
	file, err := filepath.Abs("testdata/lazy_smallstack.ll")
	if err != nil {
		t.Fatal(err)
	}
	forEachMode(t, execModes(t), func(t *testing.T, em execMode) {
		for _, size := range []string{"16384", "65536"} {
			release, flags := em.acquire(t)
			args := append(append([]string{"-lazy"}, flags...), file, "--", size)
			r := gorcRunWithin(t, dir, 60*time.Second, args...)
			release()
			if want := "sum 22, attr stack size unchanged\n"; r.status != 0 || r.stdout != want {
				t.Errorf("stack %s: status %d stdout %q stderr:\n%s\nwant 0 and %q", size, r.status, r.stdout, r.stderr, want)
			}
		}
	})
}
