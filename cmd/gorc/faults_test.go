//go:build cgo

package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Regression tests for the executor's behaviour under faults (issue 14;
// the table in docs/EXECUTOR.md lists them). Each runs the program in the
// executor modes where the defect was seen, with a timeout that fails
// instead of hanging.

// faultModes are child mode and a TCP executor of the test's own (a
// broken session must not affect the shared pool).
func faultModes(t *testing.T) []struct {
	name  string
	flags []string
} {
	t.Helper()
	addr, cmd, err := startTCPExecutor(gorcBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return []struct {
		name  string
		flags []string
	}{
		{"child", []string{"-exec", "child"}},
		{"tcp", []string{"-exec", "tcp://" + addr}},
	}
}

// gorcRunWithin runs `gorc run ARGS` and fails the test if it does not end
// within d.
func gorcRunWithin(t *testing.T, dir string, d time.Duration, args ...string) runResult {
	t.Helper()
	bin := gorcBinary(t) // built (once) before the clock starts
	// d only tells a hang, never a slow machine: CI's loaded 2-core VM
	// under -race may need several times what the callers name.
	d = max(d, 60*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	r, err := runProcess(ctx, dir, append([]string{bin, "run"}, args...), "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFaultForkThenExit: a forked child that calls exit() must not report
// its status as the program's (nor hang in the executor's exit hook).
func TestFaultForkThenExit(t *testing.T) {
	dir := t.TempDir()
	o := ccObj(t, dir, "fork", `#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
	int s;
	pid_t p = fork();
	if (!p) { puts("child"); exit(5); }
	waitpid(p, &s, 0);
	printf("parent %d\n", WEXITSTATUS(s));
	return 0;
}`)
	for _, m := range faultModes(t) {
		t.Run(m.name, func(t *testing.T) {
			for i := range 10 {
				r := gorcRunWithin(t, dir, 15*time.Second, append(m.flags, o)...)
				if r.status != 0 || r.stdout != "child\nparent 5\n" {
					t.Fatalf("run %d:\n%v", i, r)
				}
			}
		})
	}
}

// TestFaultForkedChildOutlivesParent: over TCP, what a forked child
// writes after its parent returned still reaches the controller, before
// the parent's status.
func TestFaultForkedChildOutlivesParent(t *testing.T) {
	dir := t.TempDir()
	o := ccObj(t, dir, "outlive", `#include <stdio.h>
#include <unistd.h>
int main(void) {
	fflush(stdout);
	if (fork() == 0) {
		usleep(300000);
		printf("late child\n");
		fflush(stdout);
		_exit(0);
	}
	printf("parent done\n");
	return 3;
}`)
	m := faultModes(t)[1]
	for i := range 3 {
		r := gorcRunWithin(t, dir, 15*time.Second, append(m.flags, o)...)
		if r.status != 3 || r.stdout != "parent done\nlate child\n" {
			t.Fatalf("run %d:\n%v", i, r)
		}
	}
}

// TestFaultCloseAllDescriptors: the daemon idiom of closing every
// descriptor from 3 up — with close(), the raw close system call, or dup2
// of /dev/null over each — leaves the executor's own descriptors alone;
// the output and the status arrive.
func TestFaultCloseAllDescriptors(t *testing.T) {
	dir := t.TempDir()
	progs := map[string]string{
		"close":   `close(fd);`,
		"syscall": `syscall(SYS_close, fd);`,
		"dup2":    `if (fd != nul) dup2(nul, fd);`,
		"dup3":    `if (fd != nul) dup3(nul, fd, O_CLOEXEC);`,
	}
	for name, body := range progs {
		o := ccObj(t, dir, "closeall_"+name, `#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/syscall.h>
int main(void) {
	int nul = open("/dev/null", O_RDWR);
	for (int fd = 3; fd < 1024; fd++) { `+body+` }
	/* The program's own descriptors still close (and dup) for real. */
	int a = open("/dev/null", O_RDONLY);
	/* a+1 may be one of the executor's own descriptors (they stay open):
	   dup onto the first descriptor above a that is free. */
	int b = a + 1;
	while (fcntl(b, F_GETFD) != -1) b++;
	if (a < 0 || dup2(a, b) != b || syscall(SYS_close, b) != 0 || fcntl(b, F_GETFD) != -1) return 8;
	if (close(a) != 0 || fcntl(a, F_GETFD) != -1) return 9;
	printf("x\n");
	return 7;
}`)
		for _, m := range faultModes(t) {
			t.Run(name+"/"+m.name, func(t *testing.T) {
				r := gorcRunWithin(t, dir, 15*time.Second, append(m.flags, o)...)
				if r.status != 7 || r.stdout != "x\n" || r.stderr != "" {
					t.Fatalf("\n%v", r)
				}
			})
		}
	}
}

// TestFaultControllerGoneDuringFgets: a TCP session whose controller goes
// away while the program blocks in fgets(stdin) is torn down (its executor
// process ends, as the listener's log says), and the listener serves the
// next controller promptly.
func TestFaultControllerGoneDuringFgets(t *testing.T) {
	dir := t.TempDir()
	o := ccObj(t, dir, "fgets", `#include <stdio.h>
int main(void) {
	char b[64];
	printf("waiting\n");
	fflush(stdout);
	if (fgets(b, sizeof b, stdin)) printf("got %s", b);
	return 0;
}`)
	hello := ccObj(t, dir, "hello", `#include <stdio.h>
int main(void) { puts("hello"); return 4; }`)
	addr, log := startListener(t)
	flags := []string{"-exec", "tcp://" + addr}
	cmd := exec.Command(gorcBinary(t), append(append([]string{"run"}, flags...), o)...)
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe() // never written: the program blocks
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		line <- l
	}()
	select {
	case l := <-line:
		if l != "waiting\n" {
			t.Fatalf("first line %q, want %q", l, "waiting\n")
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the program did not start within 15s")
	}
	cmd.Process.Kill() // the controller goes away
	cmd.Wait()
	start := time.Now()
	for !strings.Contains(log.String(), "ended") {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("the session's executor did not end within 30s of the controller's death; listener log:\n%s", log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	start = time.Now()
	r := gorcRunWithin(t, dir, 60*time.Second, append(flags, hello)...)
	if r.status != 4 || r.stdout != "hello\n" {
		t.Fatalf("next controller:\n%v", r)
	}
	if d := time.Since(start); d > 30*time.Second { // a hang, not a slow machine
		t.Errorf("next controller served after %v", d)
	}
}

// TestFaultCrashReports: a crash in JIT'd code names the JIT'd function
// (child and TCP executors, and in-process: -exec local)
// — for a fault in it, for a fault in libc called from it, for a call
// through a null function pointer — and a stack overflow (on the
// program's main thread or a thread it created) is reported as one, with
// the function.
func TestFaultCrashReports(t *testing.T) {
	dir := t.TempDir()
	o := ccObj(t, dir, "crashes", `#include <pthread.h>
#include <stdlib.h>
#include <string.h>
volatile int zero = 0;
int *volatile np = 0;
void (*volatile fp)(void) = 0;
void (*volatile fbad)(void) = (void (*)(void))3;
__attribute__((noinline)) static int deep(int n) {
	volatile char buf[256];
	buf[0] = n;
	return n == 0 ? buf[0] : deep(n - 1) + buf[0];
}
__attribute__((noinline)) static void null_store(void) { *np = 1; }
__attribute__((noinline)) static void do_abort(void) { abort(); }
__attribute__((noinline)) static void do_trap(void) { __builtin_trap(); }
__attribute__((noinline)) int div_zero(int x) { return x / zero; }
__attribute__((noinline)) static void call_null(void) { fp(); zero = 1; }
__attribute__((noinline)) static void call_bad(void) { fbad(); zero = 1; }
static void *thread_deep(void *a) { (void)a; deep(100000000); return 0; }
int main(int argc, char **argv) {
	const char *k = argv[1];
	if (!strcmp(k, "deep")) return deep(100000000);
	if (!strcmp(k, "thread-deep")) { pthread_t t; pthread_create(&t, 0, thread_deep, 0); pthread_join(t, 0); }
	if (!strcmp(k, "null")) null_store();
	if (!strcmp(k, "abort")) do_abort();
	if (!strcmp(k, "ill")) do_trap();
	if (!strcmp(k, "div")) return div_zero(5);
	if (!strcmp(k, "call-null")) call_null();
	if (!strcmp(k, "call-bad")) call_bad();
	return 0;
}`)
	cases := []struct {
		kind     string
		status   int
		where    string
		overflow bool
	}{
		{"deep", 139, "in deep+", true},
		{"thread-deep", 139, "in deep+", true},
		{"null", 139, "in null_store+", false},
		{"abort", 134, "called from do_abort+", false},
		{"ill", 132, "in do_trap+", false},
		{"div", 136, "in div_zero+", false},
		{"call-null", 139, "called from call_null+", false},
		// A pc the unwinder's fallback would read (libgcc's
		// x86_64_fallback_frame_state): the report was lost when the
		// backtrace faulted inside the handler.
		{"call-bad", 139, "called from call_bad+", false},
	}
	modes := append(faultModes(t), struct {
		name  string
		flags []string
	}{"local", []string{"-exec", "local"}})
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			for _, c := range cases {
				r := gorcRunWithin(t, dir, 30*time.Second, append(m.flags, o, "--", c.kind)...)
				if r.status != c.status || !strings.Contains(r.stderr, c.where) {
					t.Errorf("%s: want status %d and %q in stderr\n%v", c.kind, c.status, c.where, r)
				}
				if got := strings.Contains(r.stderr, "stack overflow"); got != c.overflow {
					t.Errorf("%s: stderr mentions a stack overflow: %v, want %v\n%v", c.kind, got, c.overflow, r)
				}
			}
		})
	}
}

// TestFaultForkedChildCrashes: a forked child that dies of a signal dies
// alone: it sends no crash report on the session, and the program goes on.
func TestFaultForkedChildCrashes(t *testing.T) {
	dir := t.TempDir()
	o := ccObj(t, dir, "forkcrash", `#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int *volatile np = 0;
int main(void) {
	int s;
	fflush(stdout);
	pid_t p = fork();
	if (!p) { *np = 1; return 1; }
	waitpid(p, &s, 0);
	printf("child signal %d\n", WIFSIGNALED(s) ? WTERMSIG(s) : -1);
	return 0;
}`)
	for _, m := range faultModes(t) {
		t.Run(m.name, func(t *testing.T) {
			for i := range 3 {
				r := gorcRunWithin(t, dir, 15*time.Second, append(m.flags, o)...)
				if r.status != 0 || r.stdout != "child signal 11\n" || r.stderr != "" {
					t.Fatalf("run %d:\n%v", i, r)
				}
			}
		})
	}
}

// TestFaultExitFromThreadWhileStdinBlocked: exit() from a thread while
// main blocks in fgets(stdin) (holding stdin's lock) reports the status
// and the output, without waiting for the lock.
func TestFaultExitFromThreadWhileStdinBlocked(t *testing.T) {
	dir := t.TempDir()
	o := ccObj(t, dir, "threadexit", `#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static void *quit(void *a) {
	(void)a;
	usleep(200000);
	printf("from the thread\n");
	exit(3);
}
int main(void) {
	char b[64];
	pthread_t t;
	pthread_create(&t, 0, quit, 0);
	if (fgets(b, sizeof b, stdin)) printf("got %s", b);
	return 0;
}`)
	for _, m := range faultModes(t) {
		t.Run(m.name, func(t *testing.T) {
			bin := gorcBinary(t) // built (once) before the clock starts
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, append(append([]string{"run"}, m.flags...), o)...)
			cmd.Dir = dir
			stdin, err := cmd.StdinPipe() // kept open: fgets blocks
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			var so, se strings.Builder
			cmd.Stdout, cmd.Stderr = &so, &se
			cmd.WaitDelay = 2 * time.Second
			err = cmd.Run()
			if ctx.Err() != nil {
				t.Fatalf("timed out; stdout %q stderr %q", so.String(), se.String())
			}
			st := cmd.ProcessState.ExitCode()
			if st != 3 || so.String() != "from the thread\n" {
				t.Fatalf("status %d (%v), stdout %q, stderr %q; want 3 and the thread's line", st, err, so.String(), se.String())
			}
		})
	}
}

// TestCrashLocalNamesFunction: in-process (-exec local), a fatal signal in
// JIT'd code prints one line naming the JIT'd function before the signal
// kills gorc (status 128+signal), in the words a child executor's crash
// gets: "program terminated by signal SIGSEGV at pc … (fault address …),
// in boom+0x0 (crash.o)", "called from boom+…" for abort() in libc.
func TestCrashLocalNamesFunction(t *testing.T) {
	gorcBinary(t) // built before the runs' deadlines
	dir := t.TempDir()
	o := ccObj(t, dir, "crash", `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
__attribute__((noinline)) int boom(int *p) { return *p + 1; }
__attribute__((noinline)) int boom_abort(int x) { if (x) abort(); return x; }
__attribute__((noinline)) int boom_deep(int n) { volatile char b[256]; b[0] = n; return boom_deep(n + 1) + b[0]; }
int main(int argc, char **argv) {
	puts("before");
	fflush(stdout);
	if (argc > 1 && !strcmp(argv[1], "abort")) return boom_abort(argc);
	if (argc > 1 && !strcmp(argv[1], "deep")) return boom_deep(0);
	return boom((int *)16);
}`)
	cases := []struct {
		kind   string
		status int
		want   []string
	}{
		{"null", 139, []string{"gorc run: program terminated by signal SIGSEGV at pc 0x", "(fault address 0x10), in boom+0x0 (", "crash.o)\n"}},
		{"abort", 134, []string{"gorc run: program terminated by signal SIGABRT at pc 0x", ", called from boom_abort+0x", "crash.o) (pc 0x", "is outside JIT'd code)\n"}},
		{"deep", 139, []string{"gorc: stack overflow (fault address 0x", "gorc run: program terminated by signal SIGSEGV at pc 0x", ", in boom_deep+0x"}},
	}
	for _, c := range cases {
		r := gorcRunWithin(t, dir, 30*time.Second, "-exec", "local", o, "--", c.kind)
		if r.status != c.status || r.stdout != "before\n" {
			t.Errorf("%s: want status %d and stdout \"before\\n\"\n%v", c.kind, c.status, r)
		}
		for _, w := range c.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr lacks %q\n%v", c.kind, w, r)
			}
		}
		if n := strings.Count(r.stderr, "gorc run:"); n != 1 {
			t.Errorf("%s: %d report lines, want 1\n%v", c.kind, n, r)
		}
	}
}

// TestCrashLocalKaleidoNamesFunction: gorc kaleido run in-process names
// the JIT'd function of a crash, as gorc run does, and dies by the signal.
func TestCrashLocalKaleidoNamesFunction(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	cases := []struct {
		name, src string
		status    int
		want      []string
	}{
		{"abort", "extern abort();\ndef boom(x) abort();\nboom(1);\n", 134,
			[]string{"gorc kaleido: program terminated by signal SIGABRT", "called from boom+0x"}},
		{"deep", "def deep(x) deep(x+1)+1;\ndeep(1);\n", 139,
			[]string{"gorc: stack overflow", "gorc kaleido: program terminated by signal SIGSEGV", "in deep+0x"}},
	}
	// With -lazy the crash is in the first call of a function compiled
	// at that call, whose crash-location record is still queued (it is
	// made off the first call's path): the report must name it all the
	// same (as boom$1, the lazily compiled body, not boom, its stub).
	for _, mode := range []string{"eager", "lazy"} {
		for _, c := range cases {
			want := c.want
			if mode == "lazy" {
				want = nil
				for _, w := range c.want {
					want = append(want, strings.Replace(w, "+0x", "$1+0x", 1))
				}
			}
			t.Run(mode+"/"+c.name, func(t *testing.T) { crashKaleidoCase(t, bin, dir, mode == "lazy", c.name, c.src, c.status, want) })
		}
	}
}

func crashKaleidoCase(t *testing.T, bin, dir string, lazy bool, name, src string, wantStatus int, want []string) {
	c := struct {
		name, src string
		status    int
		want      []string
	}{name, src, wantStatus, want}
	{
		f := filepath.Join(dir, c.name+".k")
		if err := os.WriteFile(f, []byte(c.src), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		args := []string{"kaleido", "-no-cache", "-O0", "-exec", "local"}
		if lazy {
			args = append(args, "-lazy")
		}
		cmd := exec.CommandContext(ctx, bin, append(args, f)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		cancel()
		status := 0
		if ee, ok := err.(*exec.ExitError); ok {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				status = 128 + int(ws.Signal())
			} else {
				status = ee.ExitCode()
			}
		}
		if status != c.status {
			t.Errorf("%s: status %d, want %d\n%s", c.name, status, c.status, stderr.String())
		}
		for _, w := range c.want {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%s: stderr lacks %q:\n%s", c.name, w, stderr.String())
			}
		}
	}
}

// TestCrashSmashedStack: a function that overwrites its saved frame
// pointer, its return address and its caller's frames with garbage, then
// faults at a readable pc. libgcc's unwinder, taking the crash report's
// backtrace, faulted inside the handler on the garbage above the first
// frame and the process died with a bare status 139 and no report (2 of
// 800 mutated objects in session 20). Now the report names the function,
// stderr says the backtrace stopped, and the status is the signal's, in
// process and in child and TCP executors.
func TestCrashSmashedStack(t *testing.T) {
	dir := t.TempDir()
	o := ccObj(t, dir, "smash", `#include <stdio.h>
#include <string.h>
__attribute__((noinline)) int leaf(int x) { return x + 1; }
__attribute__((noinline)) void smash(long garbage, int keep_ret) {
	volatile long *fp = __builtin_frame_address(0);
	for (int i = 0; i < 16; i++) fp[i] = garbage + 8 * i;
	if (keep_ret) fp[1] = (long)&leaf + 1;
	*(volatile int *)16 = 1;
}
int main(int argc, char **argv) {
	puts("before");
	fflush(stdout);
	const char *k = argv[1];
	if (!strcmp(k, "low")) smash(0x1000, 0);
	if (!strcmp(k, "wild")) smash(0x4141414141414141, 0);
	if (!strcmp(k, "code")) smash(0x1000, 1);
	return leaf(0);
}`)
	modes := append(faultModes(t), struct {
		name  string
		flags []string
	}{"local", []string{"-exec", "local"}})
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			// low: return addresses in the unmapped first pages; wild:
			// non-canonical ones; code: a real return address (into
			// leaf) above a garbage frame pointer and garbage frames.
			for _, kind := range []string{"low", "wild", "code"} {
				r := gorcRunWithin(t, dir, 30*time.Second, append(m.flags, o, "--", kind)...)
				want := []string{"gorc: backtrace stopped: unreadable frame\n", "terminated by signal SIGSEGV", "(fault address 0x10)", "in smash+0x"}
				if r.status != 139 || r.stdout != "before\n" {
					t.Errorf("%s: want status 139 and stdout \"before\\n\"\n%v", kind, r)
				}
				for _, w := range want {
					if !strings.Contains(r.stderr, w) {
						t.Errorf("%s: stderr lacks %q\n%v", kind, w, r)
					}
				}
			}
		})
	}
}
