package kaleidoscope_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/kaleidoscope"
)

func lli(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("lli-19")
	if err != nil {
		t.Fatalf("lli-19 is required for this test and was not found; install LLVM 19 with scripts/deps.sh: %v", err)
	}
	return p
}

// compileCorpus compiles testdata/NAME.k at the given level and returns
// the IR text and the diagnostics (one per line).
func compileCorpus(t *testing.T, name string, level int) (string, string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name+".k"))
	if err != nil {
		t.Fatal(err)
	}
	m, diags, err := kaleidoscope.Compile(context.Background(), name+".k", []string{name + ".k"}, [][]byte{src})
	if err != nil {
		t.Fatal(err)
	}
	pm := passes.ForLevel(level)
	pm.Verify = true
	if err := pm.Run(context.Background(), m); err != nil {
		t.Fatalf("-O%d: %v", level, err)
	}
	if err := ir.Verify(m); err != nil {
		t.Fatalf("-O%d: %v", level, err)
	}
	var sb strings.Builder
	for _, d := range diags {
		sb.WriteString(d.Error())
		sb.WriteByte('\n')
	}
	return m.String(), sb.String()
}

// TestCorpusWithLLI compiles every program in testdata to IR at -O0 and
// -O2, runs both with lli-19 and compares stdout with NAME.stdout and the
// diagnostics with NAME.stderr (no .stderr file: no diagnostics expected).
func TestCorpusWithLLI(t *testing.T) {
	lliPath := lli(t)
	files, _ := filepath.Glob("testdata/*.k")
	if len(files) < 8 {
		t.Fatalf("corpus too small: %d programs", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".k")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", name+".stdout"))
			if err != nil {
				t.Fatal(err)
			}
			wantErr, _ := os.ReadFile(filepath.Join("testdata", name+".stderr"))
			for _, level := range []int{0, 2} {
				text, diags := compileCorpus(t, name, level)
				if diags != string(wantErr) {
					t.Errorf("-O%d diagnostics:\n%s\nwant:\n%s", level, diags, wantErr)
				}
				llFile := filepath.Join(t.TempDir(), name+".ll")
				if err := os.WriteFile(llFile, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(lliPath, llFile)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("-O%d: lli-19 failed: %v\n%s", level, err, stderr.String())
				}
				if !bytes.Equal(out, want) {
					t.Errorf("-O%d: lli-19 output differs from %s.stdout:\n%s", level, name, firstDiff(string(out), string(want)))
				}
			}
		})
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n got: %q\nwant: %q", i+1, a, b)
		}
	}
	return "(no difference in lines)"
}

// TestO2Shrinks checks that -O2 really optimises the tutorial programs:
// no allocas, loads or stores remain (mem2reg), and the IR is smaller.
func TestO2Shrinks(t *testing.T) {
	for _, name := range []string{"fib", "var", "loops", "mandel"} {
		o0, _ := compileCorpus(t, name, 0)
		o2, _ := compileCorpus(t, name, 2)
		for _, op := range []string{" alloca ", " load ", "store "} {
			if strings.Contains(o2, op) {
				t.Errorf("%s -O2 still contains %q", name, op)
			}
		}
		if len(o2) >= len(o0) {
			t.Errorf("%s: -O2 IR (%d bytes) not smaller than -O0 (%d bytes)", name, len(o2), len(o0))
		}
	}
}

// TestLLVMOptimizedIRAccepted feeds LLVM's own output back: each corpus
// program's -O0 IR goes through opt-19 -O2 (which adds attribute groups,
// function attributes, tail calls, metadata-free LLVM syntax of its own),
// the result is parsed by gorc's IR parser, verified, optimised again by
// gorc's -O2, printed, and run by lli-19: the output must not change.
func TestLLVMOptimizedIRAccepted(t *testing.T) {
	lliPath := lli(t)
	opt, err := exec.LookPath("opt-19")
	if err != nil {
		t.Fatalf("opt-19 is required (install LLVM 19 with scripts/deps.sh): %v", err)
	}
	files, _ := filepath.Glob("testdata/*.k")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".k")
		text, _ := compileCorpus(t, name, 0)
		dir := t.TempDir()
		in := filepath.Join(dir, "in.ll")
		llvmOut := filepath.Join(dir, "llvm.ll")
		if err := os.WriteFile(in, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(opt, "-passes=default<O2>", "-S", in, "-o", llvmOut).CombinedOutput(); err != nil {
			t.Fatalf("%s: opt-19: %v\n%s", name, err, out)
		}
		src, err := os.ReadFile(llvmOut)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ir.Parse(name+".llvm.ll", src)
		if err != nil {
			t.Fatalf("%s: gorc cannot parse opt-19's output: %v", name, err)
		}
		if err := ir.Verify(m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pm := passes.ForLevel(2)
		pm.Verify = true
		if err := pm.Run(context.Background(), m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		final := filepath.Join(dir, "final.ll")
		if err := os.WriteFile(final, []byte(m.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(lliPath, final).Output()
		if err != nil {
			t.Fatalf("%s: lli-19: %v", name, err)
		}
		want, _ := os.ReadFile(filepath.Join("testdata", name+".stdout"))
		if !bytes.Equal(out, want) {
			t.Errorf("%s: output changed:\n%s", name, firstDiff(string(out), string(want)))
		}
	}
}
