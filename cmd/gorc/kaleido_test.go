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
