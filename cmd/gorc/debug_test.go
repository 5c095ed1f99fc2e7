//go:build cgo

package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hotSrc is the program the debugger and profiler tests run: main prints
// "running in PID", then calls hot_loop ROUNDS times (argv[1], default 1).
const hotSrc = `#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

long hot_loop(long n) {
	long s = 0; /* LINE:body */
	for (long i = 0; i < n; i++)
		s += i * i % 7;
	return s;
}

int main(int argc, char **argv) {
	long rounds = argc > 1 ? atol(argv[1]) : 1;
	long s = 0;
	printf("running in %d\n", (int)getpid());
	fflush(stdout);
	for (long r = 0; r < rounds; r++)
		s += hot_loop(1000000); /* LINE:call */
	printf("sum %ld\n", s);
	return 0;
}
`

// hotLine returns the line of hotSrc that carries the marker LINE:tag.
func hotLine(t *testing.T, tag string) int {
	t.Helper()
	for i, l := range strings.Split(hotSrc, "\n") {
		if strings.Contains(l, "LINE:"+tag+" ") {
			return i + 1
		}
	}
	t.Fatalf("hotSrc has no line marked %s", tag)
	return 0
}

// hotObject compiles hotSrc with gcc -g -O0 in dir (as hot.c, so the
// debug info names hot.c) and returns the object's path.
func hotObject(t *testing.T, dir string) string {
	t.Helper()
	toolPath(t, "gcc")
	if err := os.WriteFile(filepath.Join(dir, "hot.c"), []byte(hotSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("gcc", "-g", "-O0", "-c", "hot.c", "-o", "hot.o")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	return filepath.Join(dir, "hot.o")
}

// debugTool returns the path of gdb or perf. It skips the test when the
// tool is missing outside CI; in CI (CI set, as CI systems do) the tool
// must be there (scripts/deps.sh installs it).
func debugTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%s is not installed (scripts/deps.sh installs it); skipping outside CI", name)
		}
		t.Fatalf("%s is required in CI (scripts/deps.sh installs it): %v", name, err)
	}
	return p
}

// runTool runs argv in dir with a timeout and returns its combined output.
func runTool(t *testing.T, dir string, timeout time.Duration, argv ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), fmt.Errorf("%s: timed out after %v", strings.Join(argv, " "), timeout)
	}
	return string(out), err
}

// checkBacktrace checks gdb's output: the breakpoint in hot_loop was hit
// at its first line and the backtrace shows hot_loop and its caller main
// with source lines of hot.c.
func checkBacktrace(t *testing.T, out string) {
	t.Helper()
	body, call := hotLine(t, "body"), hotLine(t, "call")
	for _, re := range []string{
		`[Bb]reakpoint 1, hot_loop \(n=1000000\) at [^\n]*hot\.c:` + strconv.Itoa(body),
		`#0 +hot_loop \(n=1000000\) at [^\n]*hot\.c:` + strconv.Itoa(body),
		`#1 +0x[0-9a-f]+ in main \(argc=2, argv=0x[0-9a-f]+\) at [^\n]*hot\.c:` + strconv.Itoa(call),
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("gdb output does not match %s\n--- gdb output ---\n%s", re, out)
		}
	}
}

// gdbArgs are the options every gdb run of the tests uses: no init
// files, and breakpoints on functions that are not loaded yet are made
// pending (gdb asks otherwise, and batch mode answers no): JIT'd code
// appears only once gorc has linked it.
var gdbArgs = []string{"-batch", "-nx", "-ex", "set breakpoint pending on"}

// `gdb --args gorc run hot.o` in-process, without gorc flags: gorc
// registers hot.o's debug object through the GDB JIT interface, so the
// breakpoint resolves when hot.o is linked, is hit, and bt shows hot.c's
// lines.
func TestGDBBreakpointInProcess(t *testing.T) {
	gdb := debugTool(t, "gdb")
	dir := t.TempDir()
	obj := hotObject(t, dir)
	args := append(append([]string{gdb}, gdbArgs...), "-ex", "break hot_loop", "-ex", "run", "-ex", "bt", "-ex", "continue",
		"--args", gorcBinary(t), "run", obj, "--", "1")
	out, err := runTool(t, dir, 2*time.Minute, args...)
	if err != nil {
		t.Fatalf("gdb: %v\n%s", err, out)
	}
	checkBacktrace(t, out)
	if !strings.Contains(out, "sum 1999998") || !strings.Contains(out, "exited normally") {
		t.Errorf("the program did not run to its end under gdb:\n%s", out)
	}
}

// executorChildOf returns the PID of a process whose parent is ppid and whose
// command line contains arg, waiting up to 10s for it to appear.
func executorChildOf(t *testing.T, ppid int, arg string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
			if err != nil {
				continue
			}
			// pid (comm) state ppid ...: comm may hold spaces; parse after ')'.
			s := string(stat)
			i := strings.LastIndexByte(s, ')')
			if i < 0 {
				continue
			}
			f := strings.Fields(s[i+1:])
			if len(f) < 2 || f[1] != strconv.Itoa(ppid) {
				continue
			}
			cl, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			if strings.Contains(string(cl), arg) {
				return pid
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no child of process %d with %q in its command line appeared within 10s", ppid, arg)
	return 0
}

// startRunning starts gorc run with args and waits for the program to
// print "running in PID" (its code is linked and registered by then). The
// process is killed at the end of the test.
func startRunning(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(gorcBinary(t), append([]string{"run"}, args...)...)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	so, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(so).ReadString('\n')
		line <- l
	}()
	select {
	case l := <-line:
		if !strings.HasPrefix(l, "running in ") {
			t.Fatalf("gorc run %v: first line %q, want \"running in PID\"", args, l)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("gorc run %v: the program did not start within 30s", args)
	}
	return cmd
}

// gdb attached to the process running JIT'd code finds the debug objects
// registered before it attached, in every mode: in-process (gorc run
// itself), a child executor (code moved over the pipe or through shared
// memory), and a TCP executor's session process.
func TestGDBAttachToExecutor(t *testing.T) {
	gdb := debugTool(t, "gdb")
	dir := t.TempDir()
	obj := hotObject(t, dir)
	for _, mode := range []string{"local", "child", "child-shm", "tcp"} {
		t.Run(mode, func(t *testing.T) {
			var pid int
			switch mode {
			case "local":
				pid = startRunning(t, dir, obj, "--", "1000000000").Process.Pid
			case "child", "child-shm":
				flags := []string{"-exec", "child"}
				if mode == "child-shm" {
					flags = append(flags, "-shm")
				}
				cmd := startRunning(t, dir, append(flags, obj, "--", "1000000000")...)
				pid = executorChildOf(t, cmd.Process.Pid, "executor")
			case "tcp":
				addr, ln, err := startTCPExecutor(gorcBinary(t))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					ln.Process.Kill()
					ln.Wait()
				})
				startRunning(t, dir, "-exec", "tcp://"+addr, obj, "--", "1000000000")
				pid = executorChildOf(t, ln.Process.Pid, "executor")
			}
			t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
			brk := "break"
			if mode == "child-shm" {
				// The code lies in a shared read-only mapping, where
				// the kernel lets no debugger write a breakpoint
				// instruction: a hardware breakpoint needs no write.
				brk = "hbreak"
			}
			args := append(append([]string{gdb}, gdbArgs...), "-p", strconv.Itoa(pid), "-ex", brk+" hot_loop", "-ex", "continue", "-ex", "bt")
			out, err := runTool(t, dir, time.Minute, args...)
			if err != nil {
				t.Fatalf("gdb: %v\n%s", err, out)
			}
			checkBacktrace(t, out)
		})
	}
}

// A weak definition that loses to a strong one is not placed; its copy in
// the debug object keeps address 0. gdb must still stop at the placed
// definition (and not crash, which it does when the unplaced section
// loses SHF_ALLOC).
func TestGDBBreakpointAtWinningDefinition(t *testing.T) {
	gdb := debugTool(t, "gdb")
	dir := t.TempDir()
	toolPath(t, "gcc")
	for name, src := range map[string]string{
		"wa.c": "__attribute__((weak)) int pick(int x) { return x + 1; }\nint use_a(int x) { return pick(x) * 2; }\n",
		"wb.c": "#include <stdio.h>\nint pick(int x) { return x + 100; }\nint use_a(int x);\nint main(void) { printf(\"result %d\\n\", use_a(1)); return 0; }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("gcc", "-g", "-O0", "-ffunction-sections", "-c", "wa.c", "wb.c")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	args := append(append([]string{gdb}, gdbArgs...), "-ex", "break pick", "-ex", "run", "-ex", "bt", "-ex", "continue",
		"--args", gorcBinary(t), "run", "wa.o", "wb.o")
	out, err := runTool(t, dir, 2*time.Minute, args...)
	if err != nil {
		t.Fatalf("gdb: %v\n%s", err, out)
	}
	for _, re := range []string{
		`Breakpoint 1(\.[0-9]+)?, pick \(x=1\) at [^\n]*wb\.c:2`,
		`#1 +0x[0-9a-f]+ in use_a \(x=1\) at [^\n]*wa\.c:2`,
		`result 202`,
		`exited normally`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("gdb output does not match %s\n--- gdb output ---\n%s", re, out)
		}
	}
}

// An archive member with debug information is registered when a lookup
// pulls it in (archive members are linked in merged waves).
func TestGDBBreakpointInArchiveMember(t *testing.T) {
	gdb := debugTool(t, "gdb")
	dir := t.TempDir()
	toolPath(t, "gcc")
	toolPath(t, "ar")
	for name, src := range map[string]string{
		"lib1.c": "int lib_twice(int x) {\n\treturn 2 * x;\n}\n",
		"lib2.c": "int lib_twice(int x);\nint lib_fn(int x) {\n\treturn lib_twice(x) + 1;\n}\n",
		"m.c":    "#include <stdio.h>\nint lib_fn(int x);\nint main(void) {\n\tprintf(\"result %d\\n\", lib_fn(3));\n\treturn 0;\n}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, argv := range [][]string{
		{"gcc", "-g", "-O0", "-c", "lib1.c", "lib2.c", "m.c"},
		{"ar", "rcs", "libx.a", "lib1.o", "lib2.o"},
	} {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", argv, err, out)
		}
	}
	args := append(append([]string{gdb}, gdbArgs...), "-ex", "break lib_twice", "-ex", "run", "-ex", "bt", "-ex", "continue",
		"--args", gorcBinary(t), "run", "m.o", "libx.a")
	out, err := runTool(t, dir, 2*time.Minute, args...)
	if err != nil {
		t.Fatalf("gdb: %v\n%s", err, out)
	}
	for _, re := range []string{
		`Breakpoint 1(\.[0-9]+)?, lib_twice \(x=3\) at [^\n]*lib1\.c:2`,
		`#1 +0x[0-9a-f]+ in lib_fn \(x=3\) at [^\n]*lib2\.c:3`,
		`#2 +0x[0-9a-f]+ in main \(\) at [^\n]*m\.c:4`,
		`result 7`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("gdb output does not match %s\n--- gdb output ---\n%s", re, out)
		}
	}
}
