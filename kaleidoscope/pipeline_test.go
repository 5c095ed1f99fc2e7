package kaleidoscope

import (
	"context"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
)

// TestPipelineCatchesBadOptimisation: a pass that leaves invalid IR
// (here: it drops the terminator of the entry block of the function
// named f3) ends the pipeline with the verifier's internal error, with and
// without a code generation stage, and the code generation stage never
// gets the broken function.
func TestPipelineCatchesBadOptimisation(t *testing.T) {
	src := SyntheticProgram(20)
	breaker := passes.Pass{Name: "breaker", Run: func(f *ir.Function) bool {
		if f.Name != "f3" {
			return false
		}
		entry := f.Blocks[0]
		entry.Instrs = entry.Instrs[:len(entry.Instrs)-1]
		return true
	}}
	for _, withEach := range []bool{false, true} {
		pm := passes.ForLevel(2)
		pm.Passes = append(pm.Passes, breaker)
		var each func(*ir.Module, *ir.Function) error
		got := 0
		if withEach {
			each = func(_ *ir.Module, f *ir.Function) error {
				if f != nil && f.Name == "f3" {
					t.Error("code generation was given the function that does not verify")
				}
				got++
				return nil
			}
		}
		_, diags, _, err := CompilePipeline(context.Background(), "s.k", []string{"s.k"}, [][]byte{src}, pm, each)
		if len(diags) != 0 {
			t.Fatalf("each=%v: diagnostics %v", withEach, diags)
		}
		if err == nil || !strings.Contains(err.Error(), "optimised IR does not verify") || !strings.Contains(err.Error(), "f3") {
			t.Errorf("each=%v: error %v, want the verifier's internal error naming f3", withEach, err)
		}
		if withEach && got == 0 {
			t.Errorf("code generation got no function at all")
		}
	}
}

// TestPipelineNoVerify: with PipelineOptions.NoVerify the optimised IR is
// not checked (the broken function of TestPipelineCatchesBadOptimisation
// reaches code generation, which here accepts it), and a program the
// passes keep valid compiles to the same IR with and without the check.
func TestPipelineNoVerify(t *testing.T) {
	src := SyntheticProgram(20)
	breaker := passes.Pass{Name: "breaker", Run: func(f *ir.Function) bool {
		if f.Name != "f3" {
			return false
		}
		entry := f.Blocks[0]
		entry.Instrs = entry.Instrs[:len(entry.Instrs)-1]
		return true
	}}
	pm := passes.ForLevel(2)
	pm.Passes = append(pm.Passes, breaker)
	sawF3 := false
	each := func(_ *ir.Module, f *ir.Function) error {
		if f != nil && f.Name == "f3" {
			sawF3 = true
		}
		return nil
	}
	if _, _, _, err := CompilePipelineWith(context.Background(), "s.k", []string{"s.k"}, [][]byte{src}, pm, each, PipelineOptions{NoVerify: true}); err != nil {
		t.Fatalf("NoVerify: %v", err)
	}
	if !sawF3 {
		t.Error("NoVerify: code generation was not given f3")
	}

	text := func(opts PipelineOptions) string {
		t.Helper()
		m, diags, _, err := CompilePipelineWith(context.Background(), "s.k", []string{"s.k"}, [][]byte{src}, Passes(2), nil, opts)
		if err != nil || len(diags) != 0 {
			t.Fatalf("%+v: %v %v", opts, err, diags)
		}
		return m.String()
	}
	if a, b := text(PipelineOptions{}), text(PipelineOptions{NoVerify: true}); a != b {
		t.Errorf("the IR differs with NoVerify:\n%s\nwithout:\n%s", b, a)
	}
}
