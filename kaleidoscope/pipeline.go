package kaleidoscope

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
)

// PipelineStats describe a CompileOptimized run. Without code generation,
// parsing and IR generation overlap with optimisation, so Optimize is the
// time the optimiser was busy, not an addition to the wall time; with it
// (CompilePipeline's each), the front end optimises each function itself
// and code generation (Each) overlaps with both.
type PipelineStats struct {
	Front        time.Duration // parse + IR generation (wall of the front end's goroutine, less Optimize when the optimiser runs there)
	Optimize     time.Duration // optimiser busy time (passes, and verification without each)
	Each         time.Duration // time in CompilePipeline's each (code generation), and verifying the optimised IR before it
	Total        time.Duration // wall time until the optimised module is ready
	InstrsBefore int           // IR instructions before optimisation
	InstrsAfter  int           // and after
	Functions    int           // functions defined (and optimised)
	// With PipelineOptions.StageCPU (on Linux): the CPU time of each
	// stage's goroutine, the first (parse, IR generation and, with each,
	// the optimiser) and the second (each, or the optimiser without
	// it), and the second's wall time from its start to its last
	// function, so SecondWall - SecondCPU is the time it waited for work
	// (or for a core). Zero otherwise.
	FrontCPU, SecondCPU, SecondWall time.Duration
	// With StageCPU: the minor page faults of each stage's thread.
	FrontFaults, SecondFaults int64
}

// CompileOptimized is Compile followed by optimising every function with
// pm and checking it with ir.VerifyFunction (with the front end building
// SSA directly when pm begins with mem2reg), as a pipeline: a
// function is handed to the optimiser (on another goroutine) as soon as it
// is generated, while parsing goes on, so on a machine with two cores the
// front end and the optimiser run side by side. The result is the module
// Compile and pm.Run would give, in the same function order. pm is used by
// one goroutine at a time (its Stats need no locking).
//
// err reports cancellation, or an internal error (a pass failing, or
// optimised IR that does not verify); program errors are in the
// diagnostics, as with Compile.
func CompileOptimized(ctx context.Context, moduleName string, files []string, srcs [][]byte, pm *passes.Manager) (*ir.Module, []*Diagnostic, PipelineStats, error) {
	return CompilePipeline(ctx, moduleName, files, srcs, pm, nil)
}

// CompilePipeline is CompileOptimized that also hands every optimised
// function, with its module, to each (for example a backend's
// amd64.Stream.Add), in generation order, on a goroutine of its own. The
// stages are then two, not three: the front end optimises each function
// as soon as it has generated it (its IR still in that core's cache) and
// hands it to each, so on two cores the front end and optimiser run
// beside code generation, each stage on its own core. Every defined function of the
// module is given to each exactly once: the program's in generation order,
// then the runtime helpers and main. While the pipeline runs, the module
// is still growing (more functions; its globals are all there from the
// start): each may read the function it gets, the functions it calls and
// the globals, nothing else. each may drop the function's body when done
// (f.Blocks = nil) if the caller needs only the compiled code: the
// pipeline does not look at it again, and builds later functions in the
// memory of its instructions and blocks (ir.InstrArena,
// Function.ReleaseInstrs), so the IR in memory is that of the functions
// in flight, not the whole program's. each must then keep no pointer into
// that body (to keep a body, copy it, or do not drop it). An error from
// each ends the pipeline with that error.
//
// A program that defines a function again is generated twice: the first
// time the pipeline learns which functions are redefined (a function
// called before its redefinition may already be compiled, or inlined into
// its callers), then calls each(m, nil) — each must forget every function
// it was given — and compiles the program again with the redefined
// functions called through slots (Generator.Redefinable).
func CompilePipeline(ctx context.Context, moduleName string, files []string, srcs [][]byte, pm *passes.Manager, each func(*ir.Module, *ir.Function) error) (*ir.Module, []*Diagnostic, PipelineStats, error) {
	return CompilePipelineWith(ctx, moduleName, files, srcs, pm, each, PipelineOptions{})
}

// PipelineOptions adjust CompilePipelineWith. The zero value is
// CompilePipeline's behaviour.
type PipelineOptions struct {
	// NoVerify leaves out the check of every optimised function by
	// ir.VerifyFunction. The front end's IR and the passes are tested to
	// give IR the verifier accepts (unit tests, FuzzPasses with
	// passes.Manager.Verify, and every pipeline test, which verifies), so
	// a command compiling its own front end's output may trust it, as
	// clang's release builds do (-disable-llvm-verifier): a pass that
	// broke the IR would then show as a pass or code generation error
	// (both turn a panic into an error naming the function) or as wrong
	// code, not as the verifier's message. IR read from a file is not
	// compiled by this pipeline and is always verified (jit.JIT.AddIR).
	NoVerify bool
	// StageCPU locks each stage's goroutine to its thread for the
	// compile and measures the threads' CPU time (PipelineStats.FrontCPU,
	// SecondCPU): what decides the wall time of a pipeline on two cores
	// is the longer stage, which wall-clock times of a loaded machine do
	// not show. For measurements (gorc kaleido -show-times).
	StageCPU bool
}

// CompilePipelineWith is CompilePipeline with options.
func CompilePipelineWith(ctx context.Context, moduleName string, files []string, srcs [][]byte, pm *passes.Manager, each func(*ir.Module, *ir.Function) error, opts PipelineOptions) (*ir.Module, []*Diagnostic, PipelineStats, error) {
	verify := !opts.NoVerify
	m, all, st, redefined, err := compilePipeline(ctx, moduleName, files, srcs, pm, each, nil, verify, opts.StageCPU)
	if err != nil || redefined == nil {
		return m, all, st, err
	}
	if each != nil {
		if err := each(nil, nil); err != nil {
			return nil, all, st, err
		}
	}
	if pm.Inliner != nil {
		// The first pass's bodies are of functions of the first module.
		pm = pm.WithInliner(passes.NewInlineCache())
	}
	first := st.Total
	m, all, st, _, err = compilePipeline(ctx, moduleName, files, srcs, pm, each, redefined, verify, opts.StageCPU)
	st.Total += first
	return m, all, st, err
}

// cpuNow is threadCPU, zero where it is not measured.
func cpuNow() time.Duration {
	t, _ := threadCPU()
	return t
}

// handBatch is how many optimised functions the front end hands to code
// generation at a time (CompilePipeline).
const handBatch = 8

// compilePipeline is one generation of the program (CompilePipeline),
// with the functions of redefinable called through slots. If it meets
// redefinitions of other functions it returns them all in redefined
// (and the module must not be used). verify: check every optimised
// function (PipelineOptions.NoVerify). stageCPU: PipelineOptions.StageCPU.
func compilePipeline(ctx context.Context, moduleName string, files []string, srcs [][]byte, pm *passes.Manager, each func(*ir.Module, *ir.Function) error, redefinable map[string]bool, verify, stageCPU bool) (_ *ir.Module, _ []*Diagnostic, _ PipelineStats, redefined map[string]bool, _ error) {
	var st PipelineStats
	t0 := time.Now()
	g := newBatchGenerator(moduleName, redefinable)
	// When pm starts with mem2reg (-O1, -O2), the front end builds the
	// SSA form mem2reg would produce directly (Generator.SSA).
	g.SSA = len(pm.Passes) > 0 && pm.Passes[0].Name == "mem2reg"
	// ... and branches on comparisons as instcombine would make it
	// (Generator.InstCombineNext) when instcombine comes next.
	g.InstCombineNext = g.SSA && len(pm.Passes) > 1 && pm.Passes[1].Name == "instcombine"
	// Two stages, each on its own goroutine. With a code generator
	// (each), the front end optimises every function as soon as it has
	// generated it, while its IR is still in this core's cache, and
	// hands it to code generation on the other goroutine; without one,
	// the optimiser is the second stage. The channel keeps functions in
	// generation order.
	work := make(chan *ir.Function, 32)
	// Code generation gets the functions in batches of handBatch: a
	// channel send that wakes a parked receiver costs a context switch
	// on each side, and code generation, the shorter stage, waits for
	// work often; one per function was 1,400 switches at 2,000
	// functions.
	optimized := make(chan []*ir.Function, 32/handBatch)
	var batch []*ir.Function
	done := make(chan error, 1)
	var busy, back time.Duration
	// second starts the measurement of the second stage's goroutine
	// (stageCPU) and returns its end.
	second := func() func() {
		if !stageCPU {
			return func() {}
		}
		runtime.LockOSThread()
		t, c0, f0 := time.Now(), cpuNow(), threadFaults()
		return func() {
			st.SecondCPU += cpuNow() - c0
			st.SecondFaults += threadFaults() - f0
			st.SecondWall += time.Since(t)
			runtime.UnlockOSThread()
		}
	}
	before, after, nfn := 0, 0, 0
	var optErr error // the first optimiser error of the inline stage
	// optimize optimises f (once), counting the instructions and time;
	// it verifies the result unless the code generation stage will.
	optimize := func(f *ir.Function, verify bool) error {
		t := time.Now()
		before += f.NumInstrs()
		err := pm.RunFunction(f)
		if err == nil && verify {
			err = verifyOptimized(f)
		}
		after += f.NumInstrs()
		busy += time.Since(t)
		return err
	}
	// handOff is what the front end does with each function it completes.
	var handOff func(f *ir.Function)
	if each == nil {
		handOff = func(f *ir.Function) { work <- f }
		go func() {
			end := second()
			var first error
			for f := range work {
				if first == nil {
					first = optimize(f, verify)
				}
			}
			end() // (before the send: st is read after it)
			done <- first
		}()
	} else {
		handOff = func(f *ir.Function) {
			if optErr != nil {
				return
			}
			if optErr = optimize(f, false); optErr == nil {
				if batch == nil {
					batch = make([]*ir.Function, 0, handBatch)
				}
				if batch = append(batch, f); len(batch) == handBatch {
					optimized <- batch
					batch = nil
				}
			}
		}
		go func() {
			end := second()
			var first error
			for fs := range optimized {
				for _, f := range fs {
					if first != nil {
						break // drain
					}
					t := time.Now()
					// The optimised IR is verified here rather than by the
					// front end, whose stage is the longer of the two (and
					// the walk brings the function into this core's cache
					// for code generation).
					// each's backend numbers the values itself:
					// the verifier need not put the IDs back.
					if verify {
						first = verifyOptimizedScratch(f)
					}
					if first == nil {
						first = each(g.Module, f)
					}
					// each dropped the body: its instructions are built over.
					f.ReleaseInstrs()
					back += time.Since(t)
				}
			}
			end() // (before the send: st is read after it)
			done <- first
		}()
	}
	sent := make(map[*ir.Function]bool)
	// When each may drop what it has compiled, the functions are built
	// in recycled memory: each function's instructions come from chunks
	// that go back to the arena once each has dropped its body
	// (Function.ReleaseInstrs).
	var arena *ir.InstrArena
	if each != nil {
		arena = new(ir.InstrArena)
		g.b.Arena = arena
		defer func() { g.b.Arena = nil }()
	}
	g.defined = func(f *ir.Function) {
		if len(g.Redefined) > 0 {
			return // this generation will be thrown away
		}
		sent[f] = true
		nfn++
		if arena != nil {
			arena.Detach(f)
		}
		handOff(f)
	}
	if pm.ReadsModule() {
		// A pass that reads other functions (the inliner) must not run
		// while they are being generated: optimise at the end.
		g.defined = nil
	}
	var frontCPU time.Duration
	var frontFaults int64
	if stageCPU {
		runtime.LockOSThread()
		frontCPU, frontFaults = cpuNow(), threadFaults()
	}
	all, cerr := g.addSources(ctx, moduleName, files, srcs)
	if stageCPU {
		st.FrontCPU = cpuNow() - frontCPU
		st.FrontFaults = threadFaults() - frontFaults
		runtime.UnlockOSThread()
	}
	g.defined = nil
	m := g.Finish()
	st.Front = time.Since(t0)
	if each != nil {
		st.Front -= busy // the optimiser ran on this goroutine
	}
	close(work)
	if len(batch) > 0 {
		optimized <- batch
	}
	close(optimized)
	werr := <-done // the second stage is finished with every function it got
	if optErr != nil {
		werr = optErr
	}
	st.Optimize = busy
	st.InstrsBefore, st.InstrsAfter, st.Functions = before, after, nfn
	if cerr != nil {
		return nil, all, st, nil, cerr
	}
	if werr != nil {
		return nil, all, st, nil, werr
	}
	if len(g.Redefined) > 0 {
		return nil, all, st, g.Redefinable, nil
	}
	// What the optimiser has not seen: the runtime helpers, main.
	t := time.Now()
	for _, f := range m.Funcs {
		if f.IsDeclaration() || sent[f] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, all, st, nil, fmt.Errorf("kaleidoscope: optimising @%s: %w", f.Name, err)
		}
		st.InstrsBefore += f.NumInstrs()
		if err := optimizeOne(pm, f, verify); err != nil {
			return nil, all, st, nil, err
		}
		st.InstrsAfter += f.NumInstrs()
		st.Functions++
	}
	st.Optimize += time.Since(t)
	if each != nil {
		t := time.Now()
		for _, f := range m.Funcs {
			if f.IsDeclaration() || sent[f] {
				continue
			}
			if err := each(m, f); err != nil {
				return nil, all, st, nil, err
			}
		}
		back += time.Since(t)
	}
	st.Each = back
	st.Total = time.Since(t0)
	return m, all, st, nil, nil
}

// Passes returns the optimisation pipeline gorc kaleido uses at level
// (0, 1 or 2): passes.ForLevel's, and at -O2 and above that pipeline with
// inlining of small functions defined earlier (passes.ForLevel(3)) through
// a fresh passes.InlineCache. The cache holds copies of the optimised
// bodies of the small functions the manager has optimised, so the
// pipeline still optimises one function at a time, in generation order,
// beside the front end (CompilePipeline), and a function's IR may be
// dropped once compiled. The callees are those of the same module (the
// batch program) or of the session (the REPL's earlier items); a session
// that replaces a definition must invalidate the functions that inlined
// it (InlineCache.InlinedInto).
func Passes(level int) *passes.Manager {
	if level < 2 {
		return passes.ForLevel(level)
	}
	return passes.ForLevel(3).WithInliner(passes.NewInlineCache())
}

func optimizeOne(pm *passes.Manager, f *ir.Function, verify bool) error {
	if err := pm.RunFunction(f); err != nil || !verify {
		return err
	}
	return verifyOptimized(f)
}

// verifyOptimized checks f's optimised IR (ir.VerifyFunction).
func verifyOptimized(f *ir.Function) error {
	if err := ir.VerifyFunction(f); err != nil {
		return fmt.Errorf("kaleidoscope: internal error: optimised IR does not verify: %w", err)
	}
	return nil
}

// verifyOptimizedScratch is verifyOptimized before code generation, which
// overwrites the instructions' scratch IDs (ir.VerifyFunctionScratch).
func verifyOptimizedScratch(f *ir.Function) error {
	if err := ir.VerifyFunctionScratch(f); err != nil {
		return fmt.Errorf("kaleidoscope: internal error: optimised IR does not verify: %w", err)
	}
	return nil
}
