//go:build cgo

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The programs of TestFaultForkLazy. Each is a main object that defines
// data (so `gorc run -lazy` links it eagerly) and objects of functions
// only, linked lazily on a first call; as one .ll file every function is
// its own lazy partition.
const (
	// forkSeqMain: a forked child's first call of a lazy function, a
	// grandchild's, the program's data private to each process after
	// fork (both ways), vfork and posix_spawn of a non-JIT'd program.
	forkSeqMain = `#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
extern int counter;
int forks_made; /* a data symbol: this object is linked eagerly */
extern int early(int), later(int), deep(int);
extern char **environ;
static int status_of(pid_t p) {
	int st;
	if (waitpid(p, &st, 0) != p) return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
int main(void) {
	printf("early %d\n", early(1));
	counter = 1;
	fflush(stdout);
	int pfd[2];
	if (pipe(pfd) != 0) return 1;
	pid_t p = fork();
	if (p == 0) {
		char c;
		if (read(pfd[0], &c, 1) != 1) _exit(2);
		printf("child early %d counter %d\n", early(2), counter);
		counter = 5;
		fflush(stdout);
		printf("child later %d\n", later(7));
		fflush(stdout);
		_exit(0);
	}
	counter = 9;
	if (write(pfd[1], "x", 1) != 1) return 1;
	int st = status_of(p);
	printf("parent: child status %d counter %d later %d\n", st, counter, later(2));
	fflush(stdout);
	p = fork();
	if (p == 0) {
		pid_t g = fork();
		if (g == 0) {
			printf("grandchild deep %d\n", deep(3));
			fflush(stdout);
			_exit(0);
		}
		int s = status_of(g);
		printf("child: grandchild status %d\n", s);
		fflush(stdout);
		_exit(s == 70 ? 0 : 1);
	}
	printf("parent: child status %d\n", status_of(p));
	fflush(stdout);
	pid_t v = vfork();
	if (v == 0) {
		execl("/bin/sh", "sh", "-c", "exit 3", (char *)0);
		_exit(127);
	}
	printf("vfork status %d\n", status_of(v));
	char *argv[] = {"sh", "-c", "exit 4", 0};
	pid_t sp;
	if (posix_spawn(&sp, "/bin/sh", 0, 0, argv, environ) != 0) return 1;
	printf("posix_spawn status %d\n", status_of(sp));
	printf("deep %d counter %d\n", deep(1), counter);
	return 0;
}
`
	forkSeqData = `int counter;
int early(int x) { return x + 100; }
`
	forkSeqLazy = `int later(int x) { return x * 3; }
int deep(int x) { return later(x) + 1; }
`
	// A native run (and eager gorc) of forkSeq.
	forkSeqNative = "early 101\nchild early 102 counter 1\nchild later 21\n" +
		"parent: child status 0 counter 9 later 6\ngrandchild deep 10\nchild: grandchild status 0\n" +
		"parent: child status 1\nvfork status 3\nposix_spawn status 4\ndeep 4 counter 9\n"
	// gorc run -lazy: later and deep are first called in forked processes.
	forkSeqLazyOut = "early 101\nchild early 102 counter 1\n" +
		"parent: child status 70 counter 9 later 6\nchild: grandchild status 70\n" +
		"parent: child status 0\nvfork status 3\nposix_spawn status 4\ndeep 4 counter 9\n"

	// forkThreadsMain: a JIT'd thread forks twice while four others make
	// first calls (in-process, each compiles on its own thread; remote,
	// each waits for the controller): the first child calls a function
	// compiled before the fork, the second one a function not yet called.
	forkThreadsMain = `#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int forks_made; /* a data symbol: this object is linked eagerly */
extern int f0(int), f1(int), f2(int), f3(int), f4(int), f5(int), f6(int), f7(int);
extern int pre(int), post(int);
static int (*const fs[8])(int) = {f0, f1, f2, f3, f4, f5, f6, f7};
static int status_of(pid_t p) {
	int st;
	if (waitpid(p, &st, 0) != p) return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
static void *work(void *a) {
	long i = (long)a, s = 0;
	for (int k = 0; k < 2000; k++) s += fs[(i + k) % 8](k);
	return (void *)s;
}
static void *forker(void *a) {
	(void)a;
	int st[2];
	for (int r = 0; r < 2; r++) {
		pid_t p = fork();
		if (p == 0) _exit(r == 0 ? pre(40) : post(1));
		st[r] = status_of(p);
		forks_made++;
	}
	printf("forker: statuses %d %d after %d forks\n", st[0], st[1], forks_made);
	return 0;
}
int main(void) {
	printf("pre %d\n", pre(1));
	fflush(stdout);
	pthread_t t[5];
	for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, work, (void *)i);
	pthread_create(&t[4], 0, forker, 0);
	long sum = 0;
	for (int i = 0; i < 5; i++) {
		void *r;
		pthread_join(t[i], &r);
		sum += (long)r;
	}
	printf("sum %ld post %d\n", sum, post(2));
	return 0;
}
`
	forkThreadsLazy = `int f0(int x) { return x + 0; }
int f1(int x) { return x + 1; }
int f2(int x) { return x + 2; }
int f3(int x) { return x + 3; }
int f4(int x) { return x + 4; }
int f5(int x) { return x + 5; }
int f6(int x) { return x + 6; }
int f7(int x) { return x + 7; }
int pre(int x) { return x + 2; }
int post(int x) { return x * 5; }
`
	forkThreadsLazyOut = "pre 3\nforker: statuses 42 70 after 2 forks\nsum 8024000 post 10\n"

	// forkConcurrent: four threads fork at once, 50 times each; each
	// child checks its copy of a global and overwrites it, each parent
	// checks the child's write did not reach it.
	forkConcurrent = `#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int g[4];
static void *w(void *a) {
	long i = (long)a;
	int bad = 0;
	for (int k = 0; k < 50; k++) {
		g[i] = k;
		pid_t p = fork();
		if (p == 0) {
			int ok = g[i] == k;
			g[i] = -1;
			_exit(ok ? 0 : 1);
		}
		int st;
		waitpid(p, &st, 0);
		if (st != 0 || g[i] != k) bad++;
	}
	return (void *)(long)bad;
}
int main(void) {
	pthread_t t[4];
	for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, w, (void *)i);
	long bad = 0;
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	printf("bad %ld\n", bad);
	return 0;
}
`
)

// forkRefusal is the whole line a forked process writes when it makes a
// lazy first call; its first group is the function's name (the
// controller leaves it beside the trampoline before the fork).
var forkRefusal = regexp.MustCompile(`^gorc: lazy call refused in process [0-9]+, which the program forked: ([A-Za-z_][A-Za-z0-9_.$]*) \(trampoline 0x[0-9a-f]+\) was first called there, and lazy code is compiled and linked only in the executor's own process \(call the function once before fork\(\), or run without -lazy\); exiting with status 70$`)

// forkRefused are the functions first called in a forked process by the
// programs of TestFaultForkLazy: a refusal must name one of them.
var forkRefused = map[string]bool{"later": true, "deep": true, "post": true}

// TestFaultForkLazy: a lazy function first called in a process the JIT'd
// program forked (child, grandchild, while other threads make first
// calls) is refused there at once — one whole line naming the forked
// process, the function and what to do, exit status 70 — and the parent's session goes
// on untouched; what was compiled before the fork runs in the child; the
// program's data is private to each process after fork (an eager run
// matches the native one); vfork and posix_spawn keep working. In every
// execution mode, for one .ll (each function a lazy partition) and for
// objects (the functions in a lazily linked object), 10 runs each so a
// hang or lost output shows. With -speculate a function may or may not be
// compiled ahead of the fork: either outcome, never a hang. Four threads
// forking at once each get their own snapshot.
func TestFaultForkLazy(t *testing.T) {
	dir := t.TempDir()
	clang := toolPath(t, "clang-19")
	ll := func(name string, srcs ...string) string {
		c := filepath.Join(dir, name+".c")
		out := filepath.Join(dir, name+".ll")
		if err := os.WriteFile(c, []byte(strings.Join(srcs, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		if b, err := exec.Command(clang, "-O0", "-S", "-emit-llvm", "-o", out, c).CombinedOutput(); err != nil {
			t.Fatalf("clang: %v\n%s", err, b)
		}
		return out
	}
	seqLL := ll("seq", forkSeqMain, forkSeqData, forkSeqLazy)
	seqObjs := []string{ccObj(t, dir, "seqmain", forkSeqMain), ccObj(t, dir, "seqdata", forkSeqData), ccObj(t, dir, "seqlazy", forkSeqLazy)}
	thrLL := ll("thr", forkThreadsMain, forkThreadsLazy)
	thrObjs := []string{ccObj(t, dir, "thrmain", forkThreadsMain), ccObj(t, dir, "thrlazy", forkThreadsLazy)}
	concLL := ll("conc", forkConcurrent)

	// Either outcome of a race with speculation, line by line.
	seqSpec := regexp.MustCompile(`^early 101
child early 102 counter 1
(child later 21
parent: child status 0|parent: child status 70) counter 9 later 6
(grandchild deep 10
child: grandchild status 0
parent: child status 1|child: grandchild status 70
parent: child status 0)
vfork status 3
posix_spawn status 4
deep 4 counter 9
$`)
	thrSpec := regexp.MustCompile(`^pre 3\nforker: statuses 42 (5|70) after 2 forks\nsum 8024000 post 10\n$`)

	cases := []struct {
		name     string
		args     []string
		want     string
		wantRe   *regexp.Regexp
		refusals int // -1: any number
	}{
		{"seq/ll", append([]string{"-lazy"}, seqLL), forkSeqLazyOut, nil, 2},
		{"seq/obj", append([]string{"-lazy"}, seqObjs...), forkSeqLazyOut, nil, 2},
		{"seq/eager", []string{seqLL}, forkSeqNative, nil, 0},
		{"seq/ll-speculate", []string{"-lazy", "-speculate", seqLL}, "", seqSpec, -1},
		{"threads/ll", append([]string{"-lazy"}, thrLL), forkThreadsLazyOut, nil, 1},
		{"threads/obj", append([]string{"-lazy"}, thrObjs...), forkThreadsLazyOut, nil, 1},
		{"threads/ll-speculate", []string{"-lazy", "-speculate", thrLL}, "", thrSpec, -1},
		{"concurrent-forks/eager", []string{concLL}, "bad 0\n", nil, 0},
	}
	runs := 10
	if testing.Short() {
		runs = 2
	}
	forEachMode(t, execModes(t), func(t *testing.T, em execMode) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for i := range runs {
					release, flags := em.acquire(t)
					args := append(append([]string{}, flags...), c.args...)
					r := gorcRunWithin(t, dir, 30*time.Second, args...)
					release()
					ok := r.status == 0 && (c.wantRe == nil && r.stdout == c.want || c.wantRe != nil && c.wantRe.MatchString(r.stdout))
					n := 0
					for _, l := range strings.SplitAfter(r.stderr, "\n") {
						if l == "" {
							continue
						}
						m := forkRefusal.FindStringSubmatch(strings.TrimSuffix(l, "\n"))
						if !strings.HasSuffix(l, "\n") || m == nil || !forkRefused[m[1]] {
							ok = false // a half-written or unexpected line, or the wrong function named
						}
						n++
					}
					if c.refusals >= 0 && n != c.refusals {
						ok = false
					}
					if !ok {
						t.Fatalf("run %d of gorc run %v (want %d refusals):\n%v", i, args, c.refusals, r)
					}
				}
			})
		}
	})
}
