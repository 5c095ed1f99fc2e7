//go:build cgo

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sharedLeaveA is controller A's C++ program: a static object with a
// destructor, an atexit handler, an exception thrown and caught (its EH
// frame registered), and with an argument it sleeps that many seconds in
// main (to be killed there).
const sharedLeaveA = `#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <unistd.h>
struct S { ~S() { std::printf("A: static destructor\n"); std::fflush(stdout); } } s;
static void bye() { std::printf("A: atexit handler\n"); std::fflush(stdout); }
int main(int argc, char **argv) {
	std::atexit(bye);
	try { throw std::runtime_error("a"); } catch (const std::exception &e) { std::printf("A: caught %s\n", e.what()); }
	std::fflush(stdout);
	if (argc > 1) sleep(std::atoi(argv[1]));
	return 0;
}
`

const sharedLeaveB = `#include <cstdio>
#include <stdexcept>
int main() {
	int n = 0;
	for (int i = 0; i < 1000; i++) { try { throw std::runtime_error("b"); } catch (const std::exception &) { n++; } }
	std::printf("B: caught %d\n", n);
	std::fflush(stdout);
	return 0;
}
`

func cxxObj(t *testing.T, dir, name, src string) string {
	t.Helper()
	toolPath(t, "g++")
	c := filepath.Join(dir, name+".cpp")
	o := filepath.Join(dir, name+".o")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("g++", "-c", "-O1", "-o", o, c).CombinedOutput(); err != nil {
		t.Fatalf("g++: %v\n%s", err, out)
	}
	return o
}

// TestSharedExecutorControllerLeavesNothing: controller A (C++ with an
// exception, a static destructor and an atexit handler) exits or is
// killed mid-run, and its memory is freed (nobody links against it).
// Then B throws and catches exceptions (the unwinder must not walk A's
// EH frame in freed memory: before the fix B died of SIGABRT,
// "terminate called after throwing"), and a third program's exit()
// ends the executor with its status (before: A's handlers were called in
// freed memory, SIGSEGV). A's handlers run when it leaves, once.
func TestSharedExecutorControllerLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	a, b := cxxObj(t, dir, "a", sharedLeaveA), cxxObj(t, dir, "b", sharedLeaveB)
	q := ccObj(t, dir, "q", "#include <stdlib.h>\nint main(void) { exit(7); }\n")
	for _, killed := range []bool{false, true} {
		name := map[bool]string{false: "exits", true: "killed"}[killed]
		t.Run(name, func(t *testing.T) {
			x := startSharedExecutor(t)
			if killed {
				pa := startGorc(t, dir, "run", "-exec", x.addr, a, "-lstdc++", "--", "3")
				deadline := time.Now().Add(30 * time.Second)
				for !strings.Contains(x.out.String(), "A: caught a") {
					if time.Now().After(deadline) {
						t.Fatalf("A's main did not start:\n%v", pa.stderr.String())
					}
					time.Sleep(20 * time.Millisecond)
				}
				if err := pa.cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
			} else if r := gorcRunWithin(t, dir, 60*time.Second, "-exec", x.addr, a, "-lstdc++"); r.status != 0 {
				t.Fatalf("A: %v", r)
			}
			// A's memory is freed (exits: it releases it; killed in main:
			// when main returns) after its handlers ran.
			x.waitLog(t, 30*time.Second, "finalized", "other DSO handles before freeing its memory")
			if r := gorcRunWithin(t, dir, 60*time.Second, "-exec", x.addr, b, "-lstdc++"); r.status != 0 {
				t.Fatalf("B: %v\nexecutor stdout:\n%s", r, x.out.String())
			}
			r := gorcRunWithin(t, dir, 60*time.Second, "-exec", x.addr, q)
			if !strings.Contains(r.stderr, "executor exited with status 7") {
				t.Errorf("exit(7) did not end the executor with status 7: %v", r)
			}
			out := x.out.String()
			for _, want := range []string{"B: caught 1000", "A: static destructor", "A: atexit handler"} {
				if strings.Count(out, want) != 1 {
					t.Errorf("executor stdout has %q %d times, want once:\n%s", want, strings.Count(out, want), out)
				}
			}
		})
	}
}
