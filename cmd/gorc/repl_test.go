//go:build cgo

package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// replEnv gives a REPL its own cache directory (for the history).
func replEnv(t *testing.T) (env []string, cache string) {
	cache = t.TempDir()
	return []string{"XDG_CACHE_HOME=" + cache}, cache
}

// replModes are the executors the REPL tests run in: the REPL's default
// (a child process), a child moving code through shared memory, and a
// TCP executor ("tcp" is replaced by a test-local one's address).
var replModes = [][]string{
	nil,
	{"-exec", "child", "-shm"},
	{"-exec", "tcp"},
}

func replModeName(mode []string) string {
	if mode == nil {
		return "default"
	}
	return strings.Join(mode, " ")
}

// TestREPLInterrupt: on a terminal, Ctrl-C while an expression runs an
// endless loop returns to the prompt within a second, saying the
// executor was restarted with the session's definitions; a function
// defined before works afterwards, and Ctrl-D then ends the session
// with status 0.
func TestREPLInterrupt(t *testing.T) {
	bin := gorcBinary(t)
	tcp := kaleidoExecutor(t, bin)
	for _, mode := range replModes {
		t.Run(replModeName(mode), func(t *testing.T) {
			env, _ := replEnv(t)
			s := startPTY(t, env, bin, append([]string{"kaleido"}, kaleidoModeArgs(mode, tcp)...)...)
			s.expect("ready> ", 20*time.Second)
			for _, def := range []string{"def inc(x) x + 1;", "extern printd(x);", "def loop(x) for i = 1, 1 in 0;"} {
				s.send(def + "\r")
				s.expect("ready> ", 10*time.Second)
			}
			s.send("printd(123456) + loop(1);\r")
			if len(mode) > 0 && mode[len(mode)-1] == "tcp" {
				// A TCP executor forwards the program's output when
				// the call ends: give the loop time to start.
				s.expect("loop(1);\r\n", 10*time.Second)
				time.Sleep(500 * time.Millisecond)
			} else {
				s.expect("123456.000000", 10*time.Second) // the loop runs now
			}
			start := time.Now()
			s.send("\x03")
			// On a line of its own after the terminal's echo of Ctrl-C.
			s.expect("^C\r\ngorc kaleido: interrupted; executor restarted, 3 definitions restored", 30*time.Second)
			s.expect("ready> ", 30*time.Second)
			// The loop never ends: a limit that catches waiting for it,
			// not a slow restart on a loaded CI machine under -race.
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("Ctrl-C took %v to return to the prompt, want promptly", d)
			}
			s.send("inc(41);\r")
			s.expect("Evaluated to 42.000000", 10*time.Second)
			s.expect("ready> ", 5*time.Second)
			s.send("\x04")
			if code := s.wait(10 * time.Second); code != 0 {
				t.Errorf("Ctrl-D: exit %d, want 0", code)
			}
		})
	}
}

// TestREPLInterruptLocal: code running in gorc's own process cannot be
// stopped; the first Ctrl-C says so and the session goes on waiting, the
// second ends gorc with 128+SIGINT.
func TestREPLInterruptLocal(t *testing.T) {
	bin := gorcBinary(t)
	env, _ := replEnv(t)
	s := startPTY(t, env, bin, "kaleido", "-exec", "local")
	s.expect("ready> ", 20*time.Second)
	s.send("extern printd(x);\r")
	s.expect("ready> ", 10*time.Second)
	s.send("printd(123456) + (for i = 1, 1 in 0);\r")
	s.expect("123456.000000", 10*time.Second)
	s.send("\x03")
	s.expect("cannot be stopped; press Ctrl-C again to quit", 5*time.Second)
	s.send("\x03")
	if code := s.wait(5 * time.Second); code != 128+2 {
		t.Errorf("second Ctrl-C: exit %d, want 130", code)
	}
}

// TestREPLCtrlCAtPrompt: Ctrl-C while typing drops the line (and an
// incomplete item's earlier lines) and shows a new prompt; Ctrl-D on an
// empty line ends the session with status 0.
func TestREPLCtrlCAtPrompt(t *testing.T) {
	bin := gorcBinary(t)
	for _, mode := range [][]string{{"-exec", "local"}, nil} {
		t.Run(replModeName(mode), func(t *testing.T) {
			env, cache := replEnv(t)
			s := startPTY(t, env, bin, append([]string{"kaleido"}, mode...)...)
			s.expect("ready> ", 20*time.Second)
			s.send("1 +\r")
			s.expect("...> ", 10*time.Second)
			s.send("2")
			s.send("\x03")
			s.expect("^C", 5*time.Second)
			s.expect("ready> ", 5*time.Second)
			s.send("xyz\x03")
			s.expect("ready> ", 5*time.Second)
			s.send("3;\r")
			s.expect("Evaluated to 3.000000", 10*time.Second)
			s.expect("ready> ", 5*time.Second)
			s.send("\x04")
			if code := s.wait(10 * time.Second); code != 0 {
				t.Errorf("Ctrl-D: exit %d, want 0", code)
			}
			if out := s.all(); strings.Contains(out, "error") || strings.Contains(out, "Evaluated to 6") {
				t.Errorf("the cancelled lines were used:\n%q", out)
			}
			// Cancelled lines are not history.
			b, _ := os.ReadFile(filepath.Join(cache, "gorc", "kaleido_history"))
			if string(b) != "1 +\n3;\n" {
				t.Errorf("history %q, want the two lines entered", b)
			}
		})
	}
}

// TestREPLCrashRestart: a crash of the executor (abort(): SIGABRT; a
// stack overflow: SIGSEGV) is reported, naming the JIT'd function it
// happened in, the executor restarted with the
// session's definitions, and the session goes on (through a pipe, in
// every mode with a separate executor; status 0 at the end).
func TestREPLCrashRestart(t *testing.T) {
	bin := gorcBinary(t)
	tcp := kaleidoExecutor(t, bin)
	input := "def inc(x) x + 1;\nextern abort();\nabort();\ninc(1);\ndef rec(x) rec(x + 1) + 1;\nrec(0);\ninc(2);\n"
	want := "ready> ready> ready> ready> Evaluated to 2.000000\nready> ready> ready> Evaluated to 3.000000\nready> "
	for _, mode := range append(replModes, []string{"-exec", "child"}) {
		args := append([]string{"kaleido", "-i"}, kaleidoModeArgs(mode, tcp)...)
		out, errOut, code := runGorc(t, bin, ".", args, input, false)
		if out != want || code != 0 {
			t.Errorf("%s: exit %d\nstdout:\n%q\nwant:\n%q\nstderr:\n%s", replModeName(mode), code, out, want, errOut)
		}
		for _, msg := range []string{"executor died: SIGABRT; restarted, 2 definitions restored", "executor died: SIGSEGV; restarted, 3 definitions restored", ", in rec+0x"} {
			if !strings.Contains(errOut, msg) {
				t.Errorf("%s: stderr lacks %q:\n%s", replModeName(mode), msg, errOut)
			}
		}
	}
}

// TestREPLCrashRestartTerminal: the same on a terminal, where the
// executor's output and gorc's messages share the screen.
func TestREPLCrashRestartTerminal(t *testing.T) {
	bin := gorcBinary(t)
	env, _ := replEnv(t)
	s := startPTY(t, env, bin, "kaleido")
	s.expect("ready> ", 20*time.Second)
	s.send("def inc(x) x + 1;\r")
	s.expect("ready> ", 10*time.Second)
	s.send("extern abort();\r")
	s.expect("ready> ", 10*time.Second)
	s.send("abort();\r")
	s.expect("executor died: SIGABRT; restarted, 2 definitions restored", 10*time.Second)
	s.expect("ready> ", 10*time.Second)
	s.send("inc(1);\r")
	s.expect("Evaluated to 2.000000", 10*time.Second)
	s.send("%quit\r")
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("%%quit: exit %d, want 0", code)
	}
}

// TestREPLHistory: lines entered in one session are recalled with the up
// arrow in the next, from the user's cache directory.
func TestREPLHistory(t *testing.T) {
	bin := gorcBinary(t)
	env, cache := replEnv(t)
	s := startPTY(t, env, bin, "kaleido", "-exec", "local")
	s.expect("ready> ", 20*time.Second)
	s.send("1 + 2;\r")
	s.expect("Evaluated to 3.000000", 10*time.Second)
	s.send("10 * 2;\r")
	s.expect("Evaluated to 20.000000", 10*time.Second)
	s.send("\x04")
	if code := s.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	b, err := os.ReadFile(filepath.Join(cache, "gorc", "kaleido_history"))
	if err != nil || string(b) != "1 + 2;\n10 * 2;\n" {
		t.Fatalf("history file: %q, %v", b, err)
	}
	s = startPTY(t, env, bin, "kaleido", "-exec", "local")
	s.expect("ready> ", 20*time.Second)
	s.send("\x1b[A\x1b[A\r") // up, up: the first line of the last session
	s.expect("Evaluated to 3.000000", 10*time.Second)
	s.send("\x1b[A\x1b[A\r") // up: "1 + 2;" again, up: "10 * 2;"
	s.expect("Evaluated to 20.000000", 10*time.Second)
	s.send("\x04")
	if code := s.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}

	// Without a cache directory the history lasts for the session and
	// nothing is written (not in the working directory either).
	before, _ := os.ReadFile(filepath.Join(cache, "gorc", "kaleido_history"))
	wd := t.TempDir()
	s = startPTYIn(t, wd, []string{"HOME=", "XDG_CACHE_HOME="}, bin, "kaleido", "-exec", "local")
	s.expect("ready> ", 20*time.Second)
	s.send("5 * 5;\r")
	s.expect("Evaluated to 25.000000", 10*time.Second)
	s.send("\x1b[A\r")
	s.expect("Evaluated to 25.000000", 10*time.Second)
	s.send("%quit\r")
	if code := s.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if ents, _ := os.ReadDir(wd); len(ents) > 0 {
		t.Errorf("without a cache directory the REPL wrote %v in its working directory", ents)
	}
	if after, _ := os.ReadFile(filepath.Join(cache, "gorc", "kaleido_history")); string(after) != string(before) {
		t.Errorf("another session's history changed: %q", after)
	}
}

// TestREPLTypedAhead: keys typed while code runs (the terminal is in its
// normal mode then, so that Ctrl-C is SIGINT) reach the line editor when
// the next prompt reads them: a line, then Ctrl-D on an empty line,
// which ends the session. The terminal's normal mode keeps Ctrl-D as an
// end-of-file mark, a NUL byte once the line editor's raw mode reads it:
// session 25's TestREPLHistory stopped at a prompt when its Ctrl-D came
// before the REPL was reading again.
func TestREPLTypedAhead(t *testing.T) {
	bin := gorcBinary(t)
	for _, mode := range [][]string{{"-exec", "local"}, nil} {
		t.Run(replModeName(mode), func(t *testing.T) {
			env, _ := replEnv(t)
			s := startPTY(t, env, bin, append([]string{"kaleido"}, mode...)...)
			s.expect("ready> ", 20*time.Second)
			s.send("extern printd(x);\r")
			s.expect("ready> ", 10*time.Second)
			// printd shows when the loop starts; the loop then runs for
			// about a second (longer on a loaded machine).
			s.send("printd(1) + (for i = 1, i < 1000000000 in 0);\r")
			s.expect("1.000000", 10*time.Second)
			s.send("2 + 3;\r")
			s.send("\x04")
			s.expect("Evaluated to 0.000000", 30*time.Second)
			s.expect("Evaluated to 5.000000", 10*time.Second)
			if code := s.wait(10 * time.Second); code != 0 {
				t.Errorf("Ctrl-D typed ahead: exit %d, want 0", code)
			}
		})
	}
}

// TestREPLHistoryFile: the history is bounded (a long file is cut to its
// newest lines), concurrent sessions append whole lines, and without a
// path nothing is written.
func TestREPLHistoryFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gorc", "kaleido_history")
	os.MkdirAll(filepath.Dir(path), 0o700)
	var b strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&b, "line %d;\n", i)
	}
	os.WriteFile(path, []byte(b.String()), 0o600)
	h := openHistory(path, 1000)
	if h.Len() != 1000 || h.At(0) != "line 1999;" || h.At(999) != "line 1000;" {
		t.Fatalf("loaded %d lines, newest %q, oldest %q", h.Len(), h.At(0), h.At(h.Len()-1))
	}
	data, _ := os.ReadFile(path)
	if lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"); len(lines) != 1000 || lines[0] != "line 1000;" {
		t.Fatalf("file not cut to the newest 1000 lines: %d lines, first %q", len(lines), lines[0])
	}
	h.record("")
	h.record("line 1999;") // a repeat
	h.record("a\x1b[Ab")
	if h.Len() != 1000 {
		t.Errorf("empty, repeated or control-character lines were kept: %d lines", h.Len())
	}

	os.Remove(path)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := openHistory(path, 1000)
			for i := range 100 {
				h.record(fmt.Sprintf("session %d item %d with some text to make the line longer;", w, i))
			}
		}()
	}
	wg.Wait()
	data, _ = os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	sort.Strings(lines)
	if len(lines) != 400 {
		t.Fatalf("%d lines after 4 sessions appended 100 each", len(lines))
	}
	for _, l := range lines {
		var w, i int
		if n, _ := fmt.Sscanf(l, "session %d item %d with some text to make the line longer;", &w, &i); n != 2 {
			t.Fatalf("torn line %q", l)
		}
	}

	h = openHistory("", 1000)
	h.record("1;")
	if h.Len() != 1 {
		t.Errorf("without a file the session still keeps its lines")
	}
}

// TestREPLCommands: %help, %defs, %undo (which also forgets an
// operator and lets a name be defined again), an unknown command, and
// %quit, in this process and in a child executor.
func TestREPLCommands(t *testing.T) {
	bin := gorcBinary(t)
	input := strings.Join([]string{
		"%help",
		"def f(x) x * 2;",
		"extern sin(x);",
		"def binary% 50 (a b) a - b;",
		"%defs",
		"7 % 2;",
		"%undo",
		"%defs",
		"%undo",
		"f(4);",
		"%undo",
		"f(4);",
		"def f(x) x * 3;",
		"f(4);",
		"%undo",
		"%undo",
		"%bogus",
		"%quit",
		"f(1);",
	}, "\n") + "\n"
	for _, mode := range [][]string{{"-exec", "local"}, nil} {
		out, errOut, code := runGorc(t, bin, ".", append([]string{"kaleido", "-i"}, mode...), input, false)
		if code != 0 {
			t.Errorf("%s: exit %d\n%s", replModeName(mode), code, errOut)
		}
		wantOut := []string{
			"%undo   undo the last definition",
			"def f(x)\nextern sin(x)\ndef binary% 50 (a b)\n",
			"Evaluated to 5.000000",
			"ready> def f(x)\nextern sin(x)\nready> ",
			"Evaluated to 8.000000",
			"Evaluated to 12.000000",
		}
		rest := out
		for _, w := range wantOut {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Errorf("%s: stdout lacks %q (in order) in:\n%s", replModeName(mode), w, out)
				break
			}
			rest = rest[i+len(w):]
		}
		if strings.Contains(rest, "Evaluated") {
			t.Errorf("%s: something ran after %%quit:\n%s", replModeName(mode), out)
		}
		wantErr := []string{
			"undone: def binary% 50 (a b)",
			"undone: extern sin(x)",
			"undone: def f(x)",
			"<stdin>:12:1: error: unknown function referenced 'f'",
			"undone: def f(x)",
			"nothing to undo",
			"unknown command %bogus (%help lists the commands)",
		}
		rest = errOut
		for _, w := range wantErr {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Errorf("%s: stderr lacks %q (in order) in:\n%s", replModeName(mode), w, errOut)
				break
			}
			rest = rest[i+len(w):]
		}
	}
}

// TestREPLInterruptReachesChildFirst: the terminal sends SIGINT to the
// whole process group, so the child executor may die of it before gorc
// handles its own: that is Ctrl-C too, not a crash. Here only the child
// gets SIGINT.
func TestREPLInterruptReachesChildFirst(t *testing.T) {
	bin := gorcBinary(t)
	cmd := exec.Command(bin, "kaleido", "-i")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	io.WriteString(stdin, "extern printd(x);\nprintd(1) + (for i = 1, 1 in 0);\n")
	var child int
	for deadline := time.Now().Add(10 * time.Second); child == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no child executor found; stderr:\n%s", stderr.String())
		}
		child = childOf(cmd.Process.Pid)
	}
	waitBusy(t, child, &stderr)
	syscall.Kill(child, syscall.SIGINT)
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(stderr.String(), "interrupted; executor restarted, 1 definition restored"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no restart after the child's SIGINT; stderr:\n%s", stderr.String())
		}
	}
	io.WriteString(stdin, "printd(5);\n")
	stdin.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit: %v\nstderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("gorc did not end; stderr:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "5.000000\nEvaluated to 0.000000") || strings.Contains(stderr.String(), "executor died") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
}

// waitBusy returns once process pid has used 50 ms of CPU time more than
// when it was called: the sign that the JIT'd endless loop runs (nothing
// else in an executor waiting for requests burns CPU). It replaces a
// fixed sleep, which on a loaded machine could signal before the loop
// started. The 30 s limit only ends a hang.
func waitBusy(t *testing.T, pid int, stderr *syncBuffer) {
	t.Helper()
	start := cpuTicks(pid)
	for deadline := time.Now().Add(30 * time.Second); cpuTicks(pid) < start+5; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d never ran (CPU ticks %d); stderr:\n%s", pid, cpuTicks(pid), stderr.String())
		}
	}
}

// cpuTicks is the user and system CPU time of process pid in clock ticks
// (1/100 s), from /proc/PID/stat; 0 if it cannot be read.
func cpuTicks(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name in parentheses may hold spaces: fields count from
	// after its closing parenthesis (state is field 3, utime 14, stime 15).
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.Atoi(f[11])
	s, _ := strconv.Atoi(f[12])
	return u + s
}

// procState is the state letter of process pid in /proc/PID/stat (R, S,
// Z, ...), or 0 if the process is gone.
func procState(pid int) byte {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	if i := strings.LastIndexByte(string(b), ')'); i >= 0 && i+2 < len(b) {
		return b[i+2]
	}
	return 0
}

// childOf returns a child process of pid (0 if none).
func childOf(pid int) int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		if fs := strings.Fields(string(b)); len(fs) > 0 {
			n, _ := strconv.Atoi(fs[0])
			return n
		}
	}
	return 0
}

// TestREPLExecutorDiedBetweenItems: an executor killed while the REPL
// waits for input is found gone by the next item, before its code runs:
// the REPL restarts it and runs that item in the new one.
func TestREPLExecutorDiedBetweenItems(t *testing.T) {
	bin := gorcBinary(t)
	cmd := exec.Command(bin, "kaleido", "-i")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	io.WriteString(stdin, "def sq(x) x * x;\nsq(3);\n")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stdout.String(), "Evaluated to 9.000000"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no result; stderr:\n%s", stderr.String())
		}
	}
	child := childOf(cmd.Process.Pid)
	if child == 0 {
		t.Fatal("no child executor")
	}
	syscall.Kill(child, syscall.SIGKILL)
	// Dead (a zombie until gorc reaps it, or gone) before the next item.
	for deadline := time.Now().Add(30 * time.Second); procState(child) != 'Z' && procState(child) != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("child %d survived SIGKILL", child)
		}
	}
	io.WriteString(stdin, "sq(4);\n")
	stdin.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit: %v\nstderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("gorc did not end; stderr:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "Evaluated to 16.000000") || !strings.Contains(stderr.String(), "executor died: SIGKILL; restarted, 1 definition restored") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
}

// TestREPLSIGINTToGorc: SIGINT to gorc alone (not its executor) while
// code runs ends the executor and the session goes on; SIGINT while gorc
// waits for lines from a pipe ends it with 128+SIGINT, as it would any
// program reading its input.
func TestREPLSIGINTToGorc(t *testing.T) {
	bin := gorcBinary(t)
	cmd := exec.Command(bin, "kaleido", "-i")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitFor := func(what string, buf *syncBuffer) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(buf.String(), what); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q; stdout:\n%s\nstderr:\n%s", what, stdout.String(), stderr.String())
			}
		}
	}
	io.WriteString(stdin, "def half(x) x * 0.5;\n")
	io.WriteString(stdin, "for i = 1, 1 in 0;\n")
	waitFor("ready> ready> ", &stdout)
	var child int
	for deadline := time.Now().Add(10 * time.Second); child == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no child executor found; stderr:\n%s", stderr.String())
		}
		child = childOf(cmd.Process.Pid)
	}
	waitBusy(t, child, &stderr)
	cmd.Process.Signal(os.Interrupt)
	waitFor("interrupted; executor restarted, 1 definition restored", &stderr)
	io.WriteString(stdin, "half(9);\n")
	waitFor("Evaluated to 4.500000\nready> ", &stdout)
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		if code := cmd.ProcessState.ExitCode(); code != 128+2 {
			t.Errorf("SIGINT while reading a pipe: exit %d, want 130\nstderr:\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("gorc did not end on SIGINT while reading a pipe; stderr:\n%s", stderr.String())
	}
}

// TestREPLRestartFails: when no new executor can be had (the TCP
// listener is gone), the REPL says so and ends the session with the
// crash's status, as before restarts existed.
func TestREPLRestartFails(t *testing.T) {
	bin := gorcBinary(t)
	lst := exec.Command(bin, "executor", "-listen", "127.0.0.1:0")
	lerr, err := lst.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := lst.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { lst.Process.Kill(); lst.Wait() }()
	buf := make([]byte, 4096)
	var said string
	for !strings.Contains(said, "\n") {
		n, err := lerr.Read(buf)
		if err != nil {
			t.Fatalf("listener: %v (%q)", err, said)
		}
		said += string(buf[:n])
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(strings.SplitN(said, "\n", 2)[0]), "gorc executor: listening on ")
	if !ok {
		t.Fatalf("listener said %q", said)
	}
	cmd := exec.Command(bin, "kaleido", "-i", "-exec", "tcp://"+addr)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	io.WriteString(stdin, "extern abort();\n1;\n")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stdout.String(), "Evaluated to 1.000000"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no result; stderr:\n%s", stderr.String())
		}
	}
	lst.Process.Kill() // the connected executor lives on; no new one can be had
	lst.Wait()
	io.WriteString(stdin, "abort();\n2;\n")
	stdin.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("gorc did not end; stderr:\n%s", stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 128+6 || !strings.Contains(stderr.String(), "executor died: SIGABRT; starting a new executor failed: ") || !strings.Contains(stderr.String(), "the executor is gone; ending the session") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
	}
	if strings.Contains(stdout.String(), "Evaluated to 2") {
		t.Errorf("an item ran after the session ended:\n%s", stdout.String())
	}
}

// TestREPLUndoRedefinition: %undo after a redefinition brings the
// previous definition back — for direct calls, for a caller compiled
// between the two definitions, and for one that inlined the old body —
// and undoing twice after two redefinitions walks back one at a time.
func TestREPLUndoRedefinition(t *testing.T) {
	bin := gorcBinary(t)
	input := strings.Join([]string{
		"def f(x) x + 1;",
		"def g(x) f(x) * 10;", // small: inlines f's first body
		"def f(x) x + 2;",
		"f(1);", // 3
		"g(1);", // 30
		"def h(x) f(x) + 1000;",
		"%undo", // h
		"%undo", // the redefinition of f
		"f(1);", // 2
		"g(1);", // 20
		"def f(x) x + 3;",
		"def f(x) x + 4;",
		"g(1);", // 50
		"%undo",
		"g(1);", // 40
		"%undo",
		"f(1);", // 2
		"g(1);", // 20
		"%defs",
	}, "\n") + "\n"
	for _, mode := range [][]string{{"-exec", "local"}, nil} {
		out, errOut, code := runGorc(t, bin, ".", append([]string{"kaleido", "-i"}, mode...), input, false)
		if code != 0 {
			t.Errorf("%s: exit %d\n%s", replModeName(mode), code, errOut)
		}
		var got []string
		for _, l := range strings.Split(out, "\n") {
			if i := strings.Index(l, "Evaluated to "); i >= 0 {
				got = append(got, strings.TrimSuffix(l[i+len("Evaluated to "):], ".000000"))
			}
		}
		want := []string{"3", "30", "2", "20", "50", "40", "2", "20"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: evaluated %q, want %q\nstdout:\n%s\nstderr:\n%s", replModeName(mode), got, want, out, errOut)
		}
		if !strings.HasSuffix(out, "def f(x)\ndef g(x)\nready> ") {
			t.Errorf("%s: %%defs after the undos is not f, g:\n%s", replModeName(mode), out)
		}
		for _, w := range []string{"undone: def h(x)", "undone: def f(x); the previous definition of f is back"} {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", replModeName(mode), w, errOut)
			}
		}
	}
}
