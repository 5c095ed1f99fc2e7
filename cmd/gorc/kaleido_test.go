package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKaleidoEmitIR runs "gorc kaleido -emit ir" on a corpus program and
// the result through lli-19.
func TestKaleidoEmitIR(t *testing.T) {
	lli, err := exec.LookPath("lli-19")
	if err != nil {
		t.Fatalf("lli-19 is required (install LLVM 19 with scripts/deps.sh): %v", err)
	}
	for _, level := range []string{"-O0", "-O1", "-O2"} {
		var stdout, stderr bytes.Buffer
		code := dispatch([]string{"kaleido", level, "-emit", "ir", "../../kaleidoscope/testdata/fib.k"}, &stdout, &stderr)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", level, code, stderr.String())
		}
		ll := filepath.Join(t.TempDir(), "fib.ll")
		if err := os.WriteFile(ll, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(lli, ll).Output()
		if err != nil {
			t.Fatalf("%s: lli-19: %v", level, err)
		}
		want, _ := os.ReadFile("../../kaleidoscope/testdata/fib.stdout")
		if string(out) != string(want) {
			t.Errorf("%s: got %q, want %q", level, out, want)
		}
	}
}

func TestKaleidoErrorsAndFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"kaleido", "-emit", "ir", "../../kaleidoscope/testdata/errors.k"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d for a program with errors, want 1", code)
	}
	if !strings.Contains(stderr.String(), "errors.k:5:12: error: unknown variable name 'y'") {
		t.Errorf("stderr: %s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "define i32 @main()") {
		t.Errorf("the valid items should still be emitted")
	}
	stderr.Reset()
	if code := dispatch([]string{"kaleido", "-emit", "bogus", "x.k"}, &stdout, &stderr); code != 2 {
		t.Errorf("bad -emit: exit %d", code)
	}
	stderr.Reset()
	if code := dispatch([]string{"kaleido", "no-such-file.k"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "no-such-file.k") {
		t.Errorf("missing file: exit %d, %s", code, stderr.String())
	}
}

// TestKaleidoNative runs every corpus program with the native pipeline
// (IR -> x86-64 object -> JIT link -> run in this process) at -O0 and
// -O2 and compares stdout, stderr and exit status with the expectations.
func TestKaleidoNative(t *testing.T) {
	bin := gorcBinary(t)
	files, _ := filepath.Glob("../../kaleidoscope/testdata/*.k")
	if len(files) == 0 {
		t.Fatal("no corpus")
	}
	for _, f := range files {
		base := strings.TrimSuffix(f, ".k")
		want, err := os.ReadFile(base + ".stdout")
		if err != nil {
			t.Fatal(err)
		}
		wantErr, _ := os.ReadFile(base + ".stderr")
		wantCode := 0
		if len(wantErr) > 0 {
			wantCode = 1
		}
		// -verify checks the optimised IR, which the default trusts: the
		// same output either way.
		for _, level := range []string{"-O0", "-O2", "-O2 -verify -no-cache"} {
			cmd := exec.Command(bin, append(append([]string{"kaleido"}, strings.Fields(level)...), filepath.Base(f))...)
			cmd.Dir = filepath.Dir(f)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if stdout.String() != string(want) || stderr.String() != string(wantErr) || code != wantCode {
				t.Errorf("%s %s: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", filepath.Base(f), level, code, wantCode, stdout.String(), stderr.String())
			}
		}
	}
}

// TestKaleidoEmitObjLinksWithGCC writes an object with -emit obj, links
// it with gcc and runs it.
func TestKaleidoEmitObjLinksWithGCC(t *testing.T) {
	bin := gorcBinary(t)
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Fatalf("gcc is required: %v", err)
	}
	dir := t.TempDir()
	obj := filepath.Join(dir, "libm.o")
	if out, err := exec.Command(bin, "kaleido", "-emit", "obj", "-o", obj, "../../kaleidoscope/testdata/libm.k").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	exe := filepath.Join(dir, "libm")
	if out, err := exec.Command(gcc, "-o", exe, obj, "-lm").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	out, err := exec.Command(exe).Output()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile("../../kaleidoscope/testdata/libm.stdout")
	if string(out) != string(want) {
		t.Errorf("got %q, want %q", out, want)
	}
	asm, err := exec.Command(bin, "kaleido", "-emit", "asm", "../../kaleidoscope/testdata/fib.k").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(asm), "<fib>:") || !strings.Contains(string(asm), "call") {
		t.Errorf("-emit asm output lacks fib's code:\n%.500s", asm)
	}
}

// TestKaleidoREPL drives the interactive mode (-i) through a pipe: each
// item runs as soon as it is complete, multi-line items wait for their
// end, errors are reported and the session goes on.
func TestKaleidoREPL(t *testing.T) {
	bin := gorcBinary(t)
	input := "def fib(x)\n  if x < 3 then 1 else fib(x-1)+fib(x-2);\nfib(10);\nextern putchard(c);\nputchard(65) + putchard(10);\nfoo(1);\n4 +\n 5;\ndef binary| 5 (a b) if a then 1 else b;\n0 | 7;\n"
	cmd := exec.Command(bin, "kaleido", "-i")
	cmd.Stdin = strings.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	want := "ready> ...> ready> Evaluated to 55.000000\nready> ready> A\nEvaluated to 0.000000\nready> ready> ...> Evaluated to 9.000000\nready> ready> Evaluated to 7.000000\nready> "
	if stdout.String() != want {
		t.Errorf("stdout:\n%q\nwant:\n%q", stdout.String(), want)
	}
	if !strings.Contains(stderr.String(), "<stdin>:6:1: error: unknown function referenced 'foo'") {
		t.Errorf("stderr: %q", stderr.String())
	}
}

// kaleidoCorpus lists the corpus programs with their expected stdout,
// stderr and exit status.
type kaleidoCase struct {
	name, dir      string
	stdout, stderr string
	code           int
}

func kaleidoCorpus(t *testing.T) []kaleidoCase {
	t.Helper()
	files, _ := filepath.Glob("../../kaleidoscope/testdata/*.k")
	if len(files) == 0 {
		t.Fatal("no corpus in kaleidoscope/testdata")
	}
	var cs []kaleidoCase
	for _, f := range files {
		base := strings.TrimSuffix(f, ".k")
		want, err := os.ReadFile(base + ".stdout")
		if err != nil {
			t.Fatal(err)
		}
		wantErr, _ := os.ReadFile(base + ".stderr")
		c := kaleidoCase{name: filepath.Base(f), dir: filepath.Dir(f), stdout: string(want), stderr: string(wantErr)}
		if len(wantErr) > 0 {
			c.code = 1
		}
		cs = append(cs, c)
	}
	return cs
}

// kaleidoExecutor starts `gorc executor -listen 127.0.0.1:0` for the
// test and returns its tcp:// address; it is killed when the test ends.
func kaleidoExecutor(t *testing.T, bin string) string {
	t.Helper()
	cmd := exec.Command(bin, "executor", "-listen", "127.0.0.1:0")
	var out bytes.Buffer
	cmd.Stdout = &out // program output must be forwarded, not land here
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting gorc executor -listen: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if out.Len() > 0 {
			t.Errorf("the TCP executor printed on its own stdout (should be forwarded to the controller): %q", out.String())
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "gorc executor: listening on "); ok && !sent {
				addr <- a
				sent = true
			}
		}
		if !sent {
			close(addr)
		}
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatal("gorc executor -listen ended without saying where it listens")
		}
		return "tcp://" + a
	case <-time.After(20 * time.Second):
		t.Fatal("gorc executor -listen did not start listening within 20 s")
	}
	return ""
}

// runGorc runs gorc with args in dir, stdin from stdin, and stdout to a
// pipe or (toFile) to a regular file; it returns stdout, stderr and the
// exit status.
func runGorc(t *testing.T, bin, dir string, args []string, stdin string, toFile bool) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var f *os.File
	if toFile {
		var err error
		f, err = os.CreateTemp(t.TempDir(), "stdout")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdout = f
	}
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("gorc %s: %v", strings.Join(args, " "), err)
	}
	if toFile {
		b, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		return string(b), stderr.String(), code
	}
	return stdout.String(), stderr.String(), code
}

// kaleidoModes are the -exec settings the corpus runs under; "tcp" is
// replaced by a test-local executor's address.
var kaleidoModes = [][]string{
	{"-exec", "local"},
	{"-exec", "child"},
	{"-exec", "child", "-shm"},
	{"-exec", "tcp"},
	{"-exec", "tcp", "-shm"},
}

func kaleidoModeArgs(mode []string, tcp string) []string {
	out := append([]string{}, mode...)
	for i, a := range out {
		if a == "tcp" {
			out[i] = tcp
		}
	}
	return out
}

// TestKaleidoExecModes runs the whole corpus in every executor mode, with
// stdout a pipe and a regular file (where C stdio buffers fully): the
// program's output and the "Evaluated to" lines must come out complete and
// in program order, with the expected diagnostics and exit status.
func TestKaleidoExecModes(t *testing.T) {
	bin := gorcBinary(t)
	tcp := kaleidoExecutor(t, bin)
	cases := kaleidoCorpus(t)
	for _, mode := range kaleidoModes {
		args := kaleidoModeArgs(mode, tcp)
		t.Run(strings.Join(mode, " "), func(t *testing.T) {
			for _, c := range cases {
				for _, toFile := range []bool{false, true} {
					out, errOut, code := runGorc(t, bin, c.dir, append(append([]string{"kaleido"}, args...), c.name), "", toFile)
					if out != c.stdout || errOut != c.stderr || code != c.code {
						t.Errorf("%s (stdout to file: %v): exit %d (want %d)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", c.name, toFile, code, c.code, out, c.stdout, errOut)
					}
				}
			}
		})
	}
}

// TestKaleidoREPLExecModes feeds the REPL through a pipe with code running
// in a child and a TCP executor: prompts, program output and results
// interleave exactly as in-process.
func TestKaleidoREPLExecModes(t *testing.T) {
	bin := gorcBinary(t)
	tcp := kaleidoExecutor(t, bin)
	input := "extern putchard(c);\nextern printd(x);\ndef f(x)\n  printd(x) + putchard(33) + putchard(10);\nf(1);\nundefined(2);\nfor i = 1, i < 3 in\n  f(i);\n"
	want := "ready> ready> ready> ...> ready> 1.000000\n!\nEvaluated to 0.000000\nready> ready> ...> 1.000000\n!\n2.000000\n!\n3.000000\n!\nEvaluated to 0.000000\nready> "
	for _, mode := range kaleidoModes {
		args := append([]string{"kaleido", "-i"}, kaleidoModeArgs(mode, tcp)...)
		for _, toFile := range []bool{false, true} {
			out, errOut, code := runGorc(t, bin, ".", args, input, toFile)
			if out != want || code != 0 || !strings.Contains(errOut, "<stdin>:6:1: error: unknown function referenced 'undefined'") {
				t.Errorf("%s (stdout to file: %v): exit %d\nstdout:\n%q\nwant:\n%q\nstderr:\n%s", strings.Join(mode, " "), toFile, code, out, want, errOut)
			}
		}
	}
}

// TestKaleidoExecutorCrash: a program that kills its executor (abort())
// ends with the signal's 128+N status and a message naming it, after the
// output of the expressions before it, in file mode; the REPL says so,
// restarts the executor with the session's definitions and goes on.
func TestKaleidoExecutorCrash(t *testing.T) {
	bin := gorcBinary(t)
	tcp := kaleidoExecutor(t, bin)
	prog := "extern abort();\nextern printd(x);\nprintd(42);\nabort();\nprintd(7);\n"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "crash.k"), []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range [][]string{{"-exec", "child"}, {"-exec", "tcp"}} {
		args := kaleidoModeArgs(mode, tcp)
		// A child writes to our descriptors itself; a TCP executor's crash
		// handler sends what is left in its output pipes before it dies.
		// Either way, what the program flushed before the crash is out.
		check := func(what, got, want string) {
			if got != want {
				t.Errorf("%v %s: stdout %q, want %q", mode, what, got, want)
			}
		}
		out, errOut, code := runGorc(t, bin, dir, append(append([]string{"kaleido"}, args...), "crash.k"), "", false)
		check("file", out, "42.000000\nEvaluated to 0.000000\n")
		if code != 128+6 || !strings.Contains(errOut, "SIGABRT") {
			t.Errorf("%v file: exit %d, stderr %q: want 134 and SIGABRT named", mode, code, errOut)
		}
		out, errOut, code = runGorc(t, bin, dir, append([]string{"kaleido", "-i"}, args...), prog, false)
		check("REPL", out, "ready> ready> ready> 42.000000\nEvaluated to 0.000000\nready> ready> 7.000000\nEvaluated to 0.000000\nready> ")
		if code != 0 || !strings.Contains(errOut, "executor died: SIGABRT; restarted, 2 definitions restored") {
			t.Errorf("%v REPL: exit %d, stderr %q", mode, code, errOut)
		}
	}
}

// TestKaleidoREPLTerminal runs the REPL on a pseudo-terminal (through
// util-linux's script(1)), so that it is interactive without -i: line
// editing mode, prompts, and the program's output (written by another
// process in child and tcp modes) in order between them.
func TestKaleidoREPLTerminal(t *testing.T) {
	bin := gorcBinary(t)
	script, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("script(1) from util-linux is required to give the REPL a terminal: %v", err)
	}
	tcp := kaleidoExecutor(t, bin)
	input := "extern printd(x);\nprintd(3);\n1 +\n2;\n"
	// In order; the terminal also echoes the typed lines, at times that
	// depend on scheduling, so only the REPL's own output is checked.
	want := []string{"ready> ", "ready> ", "3.000000\r\nEvaluated to 0.000000\r\n", "ready> ", "...> ", "Evaluated to 3.000000\r\n", "ready> "}
	for _, mode := range [][]string{{"-exec", "local"}, {"-exec", "child"}, {"-exec", "tcp"}} {
		line := bin + " kaleido " + strings.Join(kaleidoModeArgs(mode, tcp), " ")
		cmd := exec.Command(script, "-qec", line, "/dev/null")
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir()) // the REPL's history goes there
		cmd.Stdin = strings.NewReader(input)
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%v: %v\n%q", mode, err, out)
			continue
		}
		rest := string(out)
		for _, w := range want {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Errorf("%v: terminal output lacks %q (in order) in\n%q", mode, w, out)
				break
			}
			rest = rest[i+len(w):]
		}
	}
}
