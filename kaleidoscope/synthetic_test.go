package kaleidoscope_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/kaleidoscope"
)

// TestSyntheticProgramCMatches: the C version of the compile-speed
// program, the peer tcc compiles in kaleidoscope/testdata/bench/run.sh,
// prints exactly what the Kaleidoscope program prints (run through
// lli-19 from our -O2 IR), so the benchmark compares compilers on the
// same program.
func TestSyntheticProgramCMatches(t *testing.T) {
	lliPath := lli(t)
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Fatalf("gcc is required for this test (scripts/deps.sh installs it): %v", err)
	}
	for _, n := range []int{1, 2, 300} {
		dir := t.TempDir()
		m, diags, err := kaleidoscope.Compile(context.Background(), "s", []string{"s.k"}, [][]byte{kaleidoscope.SyntheticProgram(n)})
		if err != nil || len(diags) != 0 {
			t.Fatalf("n=%d: %v %v", n, err, diags)
		}
		if err := passes.ForLevel(2).Run(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		ll := filepath.Join(dir, "s.ll")
		if err := os.WriteFile(ll, []byte(m.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd := exec.Command(lliPath, ll)
		cmd.Stderr = &stderr
		want, err := cmd.Output()
		if err != nil {
			t.Fatalf("n=%d: lli-19: %v\n%s", n, err, stderr.String())
		}
		src := filepath.Join(dir, "s.c")
		if err := os.WriteFile(src, kaleidoscope.SyntheticProgramC(n), 0o644); err != nil {
			t.Fatal(err)
		}
		bin := filepath.Join(dir, "s")
		if out, err := exec.Command(gcc, "-O0", "-Wall", "-Werror", "-o", bin, src).CombinedOutput(); err != nil {
			t.Fatalf("n=%d: gcc: %v\n%s", n, err, out)
		}
		got, err := exec.Command(bin).Output()
		if err != nil {
			t.Fatalf("n=%d: C program: %v", n, err)
		}
		if !bytes.Equal(got, want) || !bytes.HasPrefix(got, []byte("Evaluated to ")) {
			t.Errorf("n=%d: C program printed %q, the Kaleidoscope program %q", n, got, want)
		}
	}
}
