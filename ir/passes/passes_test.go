package passes

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

var update = flag.Bool("update", false, "rewrite the .want files of TestPassesOnText")

// pipelineFor reads the "; RUN: passes" line of a test file.
func pipelineFor(t *testing.T, src string) *Manager {
	t.Helper()
	line, _, _ := strings.Cut(src, "\n")
	spec, ok := strings.CutPrefix(line, "; RUN: ")
	if !ok {
		t.Fatalf("first line must be '; RUN: passes', got %q", line)
	}
	var pm *Manager
	switch spec {
	case "O1":
		pm = ForLevel(1)
	case "O2":
		pm = ForLevel(2)
	default:
		var err error
		if pm, err = New(spec); err != nil {
			t.Fatal(err)
		}
	}
	pm.Verify = true
	return pm
}

// TestPassesOnText runs each testdata/NAME.ll through the passes named on
// its RUN line and compares the printed result with NAME.want. When the
// module has a main, lli-19 runs the input and the output, which must
// agree in stdout and exit status.
func TestPassesOnText(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.ll")
	if len(files) < 10 {
		t.Fatalf("expected pass tests in testdata, found %d", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".ll")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := ir.Parse(file, src)
			if err != nil {
				t.Fatal(err)
			}
			if err := ir.Verify(m); err != nil {
				t.Fatalf("input does not verify: %v", err)
			}
			pm := pipelineFor(t, string(src))
			if err := pm.Run(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			got := m.String()
			wantFile := strings.TrimSuffix(file, ".ll") + ".want"
			if *update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", wantFile, got, want)
			}
			// Idempotence: running the pipeline again must keep valid IR.
			if err := pm.Run(context.Background(), m); err != nil {
				t.Fatalf("second run: %v", err)
			}
			if m.Func("main") != nil {
				checkSameBehaviour(t, string(src), got)
			}
		})
	}
}

func checkSameBehaviour(t *testing.T, before, after string) {
	t.Helper()
	lli, err := exec.LookPath("lli-19")
	if err != nil {
		t.Fatalf("lli-19 is required (install LLVM 19 with scripts/deps.sh): %v", err)
	}
	run := func(text string) (string, int) {
		p := filepath.Join(t.TempDir(), "m.ll")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		cmd := exec.Command(lli, p)
		cmd.Stdout = &out
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if stderr.Len() > 0 {
			t.Fatalf("lli-19: %s", stderr.String())
		}
		return out.String(), code
	}
	o1, c1 := run(before)
	o2, c2 := run(after)
	if o1 != o2 || c1 != c2 {
		t.Errorf("behaviour changed: before %q exit %d, after %q exit %d", o1, c1, o2, c2)
	}
}

func TestNewRejectsUnknownPass(t *testing.T) {
	if _, err := New("mem2reg,frobnicate"); err == nil || !strings.Contains(err.Error(), `unknown pass "frobnicate"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestRunHonoursContext(t *testing.T) {
	m, err := ir.ParseString("c.ll", "define void @f() {\nentry:\n  ret void\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ForLevel(2).Run(ctx, m); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("err = %v", err)
	}
}

// TestRunReportsBrokenIR checks that a pass meeting malformed IR reports
// an error instead of panicking.
func TestRunReportsBrokenIR(t *testing.T) {
	m := ir.NewModule("b")
	f, _ := m.NewFunction("f", ir.FuncType(ir.F64, nil, false), nil)
	blk := f.NewBlock("entry")
	phi := &ir.Instr{Op: ir.OpPhi, Typ: ir.F64, Ops: []ir.Value{ir.NewFloat(1), ir.NewFloat(2)}} // no blocks
	blk.Append(phi)
	blk.Append(&ir.Instr{Op: ir.OpBr, Typ: ir.Void, Blocks: []*ir.Block{nil}})
	if err := ForLevel(2).Run(context.Background(), m); err == nil {
		t.Log("passes tolerated the malformed function")
	} else if !strings.Contains(err.Error(), "passes:") {
		t.Fatalf("unexpected error: %v", err)
	}
	if err := ir.Verify(m); err == nil {
		t.Fatal("Verify accepted a phi without blocks and a branch to nil")
	}
}

// TestO3InlinesKaleidoscopeStyleHelpers checks the -O3 pipeline on a
// helper-heavy module: the helper calls disappear and lli-19 still gives
// the same result.
func TestO3InlinesKaleidoscopeStyleHelpers(t *testing.T) {
	src := `define double @"binary|"(double %a, double %b) {
entry:
  %c = fcmp one double %a, 0.000000e+00
  br i1 %c, label %t, label %e

t:
  ret double 1.000000e+00

e:
  %d = fcmp one double %b, 0.000000e+00
  %r = uitofp i1 %d to double
  ret double %r
}

define double @f(double %x) {
entry:
  %c = fcmp olt double %x, 3.000000e+00
  %b = uitofp i1 %c to double
  %o = call double @"binary|"(double %b, double %x)
  ret double %o
}

define i32 @main() {
entry:
  %a = call double @f(double 0.000000e+00)
  %b = call double @f(double 5.000000e+00)
  %s = fadd double %a, %b
  %i = fptosi double %s to i32
  ret i32 %i
}
`
	m, err := ir.ParseString("o3.ll", src)
	if err != nil {
		t.Fatal(err)
	}
	pm := ForLevel(3)
	pm.Verify = true
	if err := pm.Run(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	out := m.String()
	body := m.Func("f").String()
	if strings.Contains(body, "call") {
		t.Errorf("binary| was not inlined into f:\n%s", body)
	}
	checkSameBehaviour(t, src, out)
}
