//go:build cgo

package main

import (
	"testing"
	"time"
)

// TestShmSlabNotInherited: with -exec child -shm the executor holds the
// slab's memfd (the controller handed it over at the spawn), but a
// process the JIT'd program forks does not keep it, and a program it
// execs (through the shell) does not inherit it.
func TestShmSlabNotInherited(t *testing.T) {
	dir := t.TempDir()
	o := ccObj(t, dir, "shmfds", `#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
static int slabs(void) {
	int n = 0;
	for (int fd = 0; fd < 1024; fd++) {
		char p[64], l[256];
		snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
		ssize_t k = readlink(p, l, sizeof l - 1);
		if (k > 0) { l[k] = 0; if (strstr(l, "memfd:gorc-slab")) n++; }
	}
	return n;
}
int main(void) {
	int self = slabs();
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) _exit(slabs());
	int st;
	waitpid(c, &st, 0);
	int forked = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	int ex = system("n=0; for f in /proc/$$/fd/*; do case $(readlink $f) in *gorc-slab*) n=$((n+1));; esac; done; exit $n");
	printf("self %d forked %d exec %d\n", self > 0, forked, WIFEXITED(ex) ? WEXITSTATUS(ex) : -1);
	return 0;
}`)
	for _, flags := range [][]string{{"-exec", "child", "-shm"}, {"-exec", "child", "-shm", "-no-cache"}} {
		r := gorcRunWithin(t, dir, 20*time.Second, append(flags, o)...)
		if r.status != 0 || r.stdout != "self 1 forked 0 exec 0\n" {
			t.Fatalf("gorc run %v:\n%v", flags, r)
		}
	}
}
