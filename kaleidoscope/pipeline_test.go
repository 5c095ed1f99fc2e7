package kaleidoscope

import (
	"context"
	"strings"
	"testing"
	"time"

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

// TestPipelineStageCPU: with StageCPU, both stages' CPU times are
// measured (on Linux), the second stage's wall time is at least its CPU
// time, the functions reach each in the same order and the module is the
// same; without it the times are zero.
func TestPipelineStageCPU(t *testing.T) {
	src := SyntheticProgram(200)
	run := func(stage bool, withEach bool) (PipelineStats, []string, string) {
		t.Helper()
		var names []string
		var each func(*ir.Module, *ir.Function) error
		if withEach {
			each = func(_ *ir.Module, f *ir.Function) error {
				if f != nil {
					names = append(names, f.Name)
				}
				return nil
			}
		}
		m, diags, st, err := CompilePipelineWith(context.Background(), "s.k", []string{"s.k"}, [][]byte{src}, Passes(2), each, PipelineOptions{StageCPU: stage})
		if err != nil || len(diags) != 0 {
			t.Fatalf("StageCPU %v, each %v: %v %v", stage, withEach, err, diags)
		}
		return st, names, m.String()
	}
	for _, withEach := range []bool{true, false} {
		off, offNames, offIR := run(false, withEach)
		if off.FrontCPU != 0 || off.SecondCPU != 0 || off.SecondWall != 0 || off.FrontFaults != 0 || off.SecondFaults != 0 {
			t.Errorf("each %v: times without StageCPU: %+v", withEach, off)
		}
		on, onNames, onIR := run(true, withEach)
		if _, ok := threadCPU(); ok {
			if on.FrontFaults < 0 || on.SecondFaults < 0 {
				t.Errorf("each %v: negative page faults: %d, %d", withEach, on.FrontFaults, on.SecondFaults)
			}
			if on.FrontCPU <= 0 || on.SecondCPU <= 0 {
				t.Errorf("each %v: stage CPU not measured: front %v, second %v", withEach, on.FrontCPU, on.SecondCPU)
			}
			// (the clocks differ in resolution: allow a millisecond)
			if on.SecondWall+time.Millisecond < on.SecondCPU {
				t.Errorf("each %v: second stage's wall %v below its CPU %v", withEach, on.SecondWall, on.SecondCPU)
			}
		}
		if strings.Join(onNames, ",") != strings.Join(offNames, ",") {
			t.Errorf("each %v: functions reached each in another order with StageCPU", withEach)
		}
		if onIR != offIR {
			t.Errorf("each %v: the module differs with StageCPU", withEach)
		}
	}
}
