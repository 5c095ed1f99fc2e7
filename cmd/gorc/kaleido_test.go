package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
		for _, level := range []string{"-O0", "-O2"} {
			cmd := exec.Command(bin, "kaleido", level, filepath.Base(f))
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
