package kaleidoscope

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
)

func benchCompile(b *testing.B, n, level int) {
	src := SyntheticProgram(n)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		m, diags, err := Compile(context.Background(), "bench", []string{"bench.k"}, [][]byte{src})
		if err != nil || len(diags) != 0 {
			b.Fatalf("%v %v", err, diags)
		}
		if err := passes.ForLevel(level).Run(context.Background(), m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "functions/s")
}

// BenchmarkCompile2000 measures parse + IR generation + -O2 of a program
// of 2,000 non-trivial functions (the compile-speed workload).
func BenchmarkCompile2000(b *testing.B) { benchCompile(b, 2000, 2) }

// BenchmarkCompile2000O0 is the same without optimisation.
func BenchmarkCompile2000O0(b *testing.B) { benchCompile(b, 2000, 0) }

// BenchmarkCompileScaling shows how cost grows from 500 to 4,000
// functions.
func BenchmarkCompileScaling(b *testing.B) {
	for _, n := range []int{500, 1000, 2000, 4000} {
		b.Run(itoa(n), func(b *testing.B) { benchCompile(b, n, 2) })
	}
}

func itoa(n int) string {
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

// TestSyntheticProgramCompiles keeps the benchmark input valid.
func TestSyntheticProgramCompiles(t *testing.T) {
	m, diags, err := Compile(context.Background(), "s", []string{"s.k"}, [][]byte{SyntheticProgram(50)})
	if err != nil || len(diags) != 0 {
		t.Fatalf("%v %v", err, diags)
	}
	if got := len(m.Funcs); got < 50 {
		t.Fatalf("%d functions", got)
	}
}

// TestSyntheticProgramCalled keeps the lazy start-up input valid: it
// compiles, the top-level expression calls pct% of the functions, and no
// function calls another but f0.
func TestSyntheticProgramCalled(t *testing.T) {
	for _, tc := range []struct {
		n     int
		pct   float64
		calls int
	}{{1000, 1, 10}, {200, 10, 20}, {50, 100, 50}, {5, 1, 1}} {
		src := SyntheticProgramCalled(tc.n, tc.pct)
		m, diags, err := Compile(context.Background(), "s", []string{"s.k"}, [][]byte{src})
		if err != nil || len(diags) != 0 {
			t.Fatalf("n=%d pct=%g: %v %v", tc.n, tc.pct, err, diags)
		}
		if got := len(m.Funcs); got < tc.n {
			t.Fatalf("n=%d: %d functions", tc.n, got)
		}
		last := src[bytes.LastIndexByte(src[:len(src)-1], '\n')+1:]
		if got := bytes.Count(last, []byte("(1, 2)")); got != tc.calls {
			t.Errorf("n=%d pct=%g: the top-level expression makes %d calls, want %d", tc.n, tc.pct, got, tc.calls)
		}
		if bytes.Contains(src, []byte("+ f1(b")) || bytes.Count(src, []byte("f0(b * 0.001, x)")) != tc.n-1 {
			t.Errorf("n=%d: functions must call only f0", tc.n)
		}
	}
}

// corpusAndSynthetic returns the programs of testdata by file name, and
// SyntheticProgram(n) as synthetic.k.
func corpusAndSynthetic(t *testing.T, n int) map[string][]byte {
	t.Helper()
	srcs := map[string][]byte{"synthetic.k": SyntheticProgram(n)}
	files, _ := filepath.Glob("testdata/*.k")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[filepath.Base(f)] = b
	}
	return srcs
}

// TestCompileOptimizedMatchesSequential: the pipelined compile gives the
// module that Compile followed by the pass manager gives, printed text
// identical, diagnostics identical, at every level (and -O3, whose inliner
// makes the pipeline optimise at the end).
func TestCompileOptimizedMatchesSequential(t *testing.T) {
	srcs := corpusAndSynthetic(t, 300)
	for name, src := range srcs {
		for level := 0; level <= 3; level++ {
			ctx := context.Background()
			m1, d1, err := Compile(ctx, name, []string{name}, [][]byte{src})
			if err != nil {
				t.Fatal(err)
			}
			if err := passes.ForLevel(level).Run(ctx, m1); err != nil {
				t.Fatal(err)
			}
			m2, d2, st, err := CompileOptimized(ctx, name, []string{name}, [][]byte{src}, passes.ForLevel(level))
			if err != nil {
				t.Fatalf("%s -O%d: %v", name, level, err)
			}
			if fmt.Sprint(d1) != fmt.Sprint(d2) {
				t.Errorf("%s -O%d: diagnostics differ:\n%v\n%v", name, level, d1, d2)
			}
			if m1.String() != m2.String() {
				t.Errorf("%s -O%d: modules differ", name, level)
			}
			if st.InstrsBefore == 0 || st.Total <= 0 {
				t.Errorf("%s -O%d: stats %+v", name, level, st)
			}
		}
	}
}

// TestCompileOptimizedCancel: a cancelled context ends the pipeline with
// the context's error, without hanging.
func TestCompileOptimizedCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, _, err := CompileOptimized(ctx, "s", []string{"s.k"}, [][]byte{SyntheticProgram(100)}, passes.ForLevel(2))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// BenchmarkCompileOptimized2000 is BenchmarkCompile2000 through the
// two-stage pipeline (front end and optimiser side by side).
func BenchmarkCompileOptimized2000(b *testing.B) {
	src := SyntheticProgram(2000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		_, diags, _, err := CompileOptimized(context.Background(), "bench", []string{"bench.k"}, [][]byte{src}, passes.ForLevel(2))
		if err != nil || len(diags) != 0 {
			b.Fatalf("%v %v", err, diags)
		}
	}
	b.ReportMetric(2000*float64(b.N)/b.Elapsed().Seconds(), "functions/s")
}

// BenchmarkCompileOptimizedInlining2000 is BenchmarkCompileOptimized2000
// with gorc kaleido's -O2 (Passes(2): tail recursion to loops and
// inlining of earlier small functions through an inline cache); compare
// the two for the inliner's compile-time cost.
func BenchmarkCompileOptimizedInlining2000(b *testing.B) {
	src := SyntheticProgram(2000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		_, diags, _, err := CompileOptimized(context.Background(), "bench", []string{"bench.k"}, [][]byte{src}, Passes(2))
		if err != nil || len(diags) != 0 {
			b.Fatalf("%v %v", err, diags)
		}
	}
	b.ReportMetric(2000*float64(b.N)/b.Elapsed().Seconds(), "functions/s")
}

// ssaCases are programs whose variables flow through every construct:
// assignments in one arm only, in both, in nested loops, to the loop
// variable, to parameters, shadowing by var and for, loops that assign
// nothing, a loop inside an if inside a loop.
var ssaCases = []string{
	"def a(x) if x < 1 then x = 5 else 0; a(0); a(3);",
	"def b(x y) if x < y then (x = 1 : y = 2) else (y = 3 : x = 4); b(1, 2);",
	"def binary : 1 (x y) y;\ndef c(n) var s = 0 in (for i = 0, i < n in s = s + i) : s; c(10);",
	"def binary : 1 (x y) y;\ndef d(n) var s = 0, t = 1 in (for i = 0, i < n in for j = 0, j < i in (s = s + j : t = t * 2)) : s + t; d(5);",
	"def binary : 1 (x y) y;\ndef e(n) var i = 7 in (for i = 0, i < n in i = i + 1) : i; e(10);",
	"def binary : 1 (x y) y;\ndef f(n) (for i = 0, i < n in n = n - 1) : n; f(10);",
	"def binary : 1 (x y) y;\ndef g(x) var x = x + 1 in (var x = x * 2 in x) + x; g(3);",
	"def binary : 1 (x y) y;\ndef h(n) var s = 0 in (for i = 0, i < n in if i < 3 then (for j = 0, j < i in s = s + 1) else s = s * 2) : s; h(6);",
	"def k(n) for i = 0, i < n in 0; k(3);",
	"def binary : 1 (x y) y;\ndef m(n) var a = 1, b = 2 in (for i = 0, (a = a + 1) < n, (b = b + 1) in 0) : a * 100 + b; m(5);",
	"def binary : 1 (x y) y;\ndef p(x) var y = 0 in (if x < 1 then (for i = 0, i < 2 in y = y + x) else (y = 9)) : y; p(0); p(2);",
}

// TestSSAMatchesMem2Reg: building SSA directly gives, after the -O1/-O2
// pipeline, exactly the module the tutorial's alloca form gives after
// mem2reg and the same pipeline — for the corpus, the compile-speed
// program and ssaCases.
func TestSSAMatchesMem2Reg(t *testing.T) {
	srcs := corpusAndSynthetic(t, 200)
	for i, c := range ssaCases {
		srcs[fmt.Sprintf("case%d.k", i)] = []byte(c)
	}
	for name, src := range srcs {
		for _, level := range []int{1, 2} {
			ctx := context.Background()
			gen := func(ssa bool) string {
				g := NewGenerator(name)
				g.SSA = ssa
				g.VerifyEach = true
				d, err := g.AddSource(ctx, name, src)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range d {
					if strings.Contains(x.Msg, "internal") {
						t.Fatalf("%s: %v", name, x)
					}
				}
				m := g.Finish()
				pm := passes.ForLevel(level)
				pm.Verify = true
				if err := pm.Run(ctx, m); err != nil {
					t.Fatalf("%s -O%d (ssa %v): %v", name, level, ssa, err)
				}
				return m.String()
			}
			if a, b := gen(false), gen(true); a != b {
				t.Errorf("%s -O%d: SSA construction and mem2reg differ:\n--- mem2reg\n%s\n--- ssa\n%s", name, level, a, b)
			}
		}
	}
}

// TestPipelineRecyclesInstructions: when each drops the body of what it
// has compiled, later functions are built in the memory of the earlier
// ones' instructions (ir.InstrArena), so the IR's memory stays bounded
// by the functions in flight, not the program's size; and what each sees
// is intact. 1,000 functions are more than the pipeline's channels hold,
// so the front end must wait for (and reuse) released functions. The
// collector is off, as in gorc kaleido, so the heap reuses nothing itself.
func TestPipelineRecyclesInstructions(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	const n = 1000
	first := map[*ir.Instr]bool{}
	seen := 0
	each := func(m *ir.Module, f *ir.Function) error {
		if err := ir.VerifyFunction(f); err != nil {
			return err
		}
		first[f.Blocks[0].Instrs[0]] = true
		seen++
		f.Blocks = nil
		return nil
	}
	_, diags, _, err := CompilePipeline(context.Background(), "s", []string{"s.k"}, [][]byte{SyntheticProgram(n)}, passes.ForLevel(2), each)
	if err != nil || len(diags) != 0 {
		t.Fatalf("%v %v", err, diags)
	}
	if seen < n {
		t.Fatalf("each saw %d functions, want at least %d", seen, n)
	}
	// Without recycling every function's first instruction is new memory.
	if len(first) > seen*3/4 {
		t.Errorf("%d functions had %d distinct first instructions: instruction memory is not reused", seen, len(first))
	}
}

// BenchmarkPassNothingToDo runs each pass of gorc kaleido's -O2 that
// changes nothing on the compile-speed program (its functions already
// optimised) over its 500 functions: what a pass costs when it has
// nothing to do (the quick checks of gvn and simplifycfg, instcombine's
// one round).
func BenchmarkPassNothingToDo(b *testing.B) {
	m, diags, _, err := CompileOptimized(context.Background(), "bench", []string{"bench.k"}, [][]byte{SyntheticProgram(500)}, Passes(2))
	if err != nil || len(diags) != 0 {
		b.Fatalf("%v %v", err, diags)
	}
	for _, name := range []string{"instcombine", "reassociate", "gvn", "simplifycfg", "tailrecurse"} {
		b.Run(name, func(b *testing.B) {
			p := passes.All[name]
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range m.Funcs {
					if p.Run(f) {
						b.Fatalf("%s changed @%s", name, f.Name)
					}
				}
			}
		})
	}
}

// BenchmarkPipelineStages2000 is gorc kaleido's batch compile of the
// 2,000-function program without code generation: CompilePipelineWith at
// -O2 with inlining, without verification, and an each that drops every
// body (so instructions are recycled), with the collector off as in gorc
// kaleido. It reports the front end's time (parse + IR generation) and
// the optimiser's per function, the two parts of the stage that runs
// beside code generation.
func BenchmarkPipelineStages2000(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	src := SyntheticProgram(2000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	each := func(m *ir.Module, f *ir.Function) error {
		if f != nil {
			f.Blocks = nil
		}
		return nil
	}
	var front, opt time.Duration
	runs := 0
	for b.Loop() {
		_, diags, st, err := CompilePipelineWith(context.Background(), "bench", []string{"bench.k"}, [][]byte{src}, Passes(2), each, PipelineOptions{NoVerify: true})
		if err != nil || len(diags) != 0 {
			b.Fatalf("%v %v", err, diags)
		}
		front += st.Front
		opt += st.Optimize
		// The collector is off: collect now and then, outside the
		// stages' time, so the heap does not only grow.
		if runs++; runs%4 == 0 {
			runtime.GC()
		}
	}
	b.ReportMetric(float64(front.Nanoseconds())/float64(b.N)/2000, "front-ns/fn")
	b.ReportMetric(float64(opt.Nanoseconds())/float64(b.N)/2000, "opt-ns/fn")
}
