package jit

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/codecache"
	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/target"
)

// AddIR compiles a module in gorc's LLVM-IR subset (the text `gorc kaleido
// -emit ir` prints, or LLVM's own for programs within the subset): parse,
// verify, optimize at optLevel (0–2), compile to an ELF object with the
// backend of the executor's target (j.Target), and add that object like any other input. name is used
// in diagnostics (FILE:LINE:COL) and as the object's name.
//
// With Options.Cache, the object is taken from the persistent code cache
// when this build of gorc compiled the same module (name and content) for
// the same target and level before, and stored there otherwise.
//
// As with lli, IR has no link line: the module is linked against the C
// library and libm (loaded here), so calls to sin, sqrt, printf resolve.
func (j *JIT) AddIR(ctx context.Context, name string, src []byte, optLevel int) error {
	if j.opts.Cache == nil {
		// Nothing to store: the backend's object goes to the linker
		// as a graph, without writing and re-reading ELF.
		m, err := ir.Parse(name, src)
		if err != nil {
			return err
		}
		return j.addModule(ctx, name, m, optLevel)
	}
	obj, err := j.compileIR(ctx, name, src, optLevel)
	if err != nil {
		return err
	}
	return j.AddObject(name+".o", obj)
}

// AddModule compiles an IR module built in memory (by ir.Builder, a front
// end such as kaleidoscope.CompileLibrary, or ir.Parse) and adds it like
// AddIR, without printing and re-parsing it: verify, optimize at optLevel
// (0–2; the passes change m in place), compile with the target's backend,
// add the object. The module's source file name (or its name) is used in
// messages and as the object's name. As with AddIR, libm is loaded.
func (j *JIT) AddModule(ctx context.Context, m *ir.Module, optLevel int) error {
	if m == nil {
		return fmt.Errorf("jit: AddModule: nil module")
	}
	name := m.SourceFilename
	if name == "" {
		name = m.Name
	}
	if name == "" {
		name = "module"
	}
	return j.addModule(ctx, name, m, optLevel)
}

func (j *JIT) addModule(ctx context.Context, name string, m *ir.Module, optLevel int) error {
	res, err := j.compile(ctx, name, m, optLevel, target.Options{SourceName: name, GraphName: name + ".o", NoObject: true})
	if err != nil {
		return err
	}
	return j.AddGraph(res.Graph)
}

// compileIR parses an IR module and compiles it (see compileModule), or,
// with Options.Cache, takes its object from the cache (and loads libm, as
// compileModule would have).
func (j *JIT) compileIR(ctx context.Context, name string, src []byte, optLevel int) ([]byte, error) {
	key := func() codecache.Key {
		return codecache.NewKey("ir-object").String("triple", j.Target.Triple).Int("opt", int64(optLevel)).
			String("name", name).Bytes("source", src).Sum()
	}
	obj, hit, err := j.cachedCompile(ctx, key, func(ctx context.Context) ([]byte, error) {
		m, err := ir.Parse(name, src)
		if err != nil {
			return nil, err
		}
		return j.compileModule(ctx, name, m, optLevel)
	})
	if err != nil {
		return nil, err
	}
	if hit {
		if err := j.LoadDylib(ctx, "-lm"); err != nil {
			return nil, err
		}
	}
	return obj, nil
}

// compileModule verifies, optimizes and compiles m to an object with the
// target's backend, and loads libm (see AddIR).
func (j *JIT) compileModule(ctx context.Context, name string, m *ir.Module, optLevel int) ([]byte, error) {
	res, err := j.compile(ctx, name, m, optLevel, target.Options{SourceName: name})
	if err != nil {
		return nil, err
	}
	return res.Object, nil
}

// compile is compileModule with the backend's options (for a graph
// instead of bytes, or both).
func (j *JIT) compile(ctx context.Context, name string, m *ir.Module, optLevel int, opts target.Options) (*target.Result, error) {
	if err := ir.Verify(m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if optLevel < 0 || optLevel > 2 {
		return nil, fmt.Errorf("jit: %s: optimization level %d, want 0, 1 or 2", name, optLevel)
	}
	if err := passes.ForLevel(optLevel).Run(ctx, m); err != nil {
		return nil, fmt.Errorf("jit: %s: optimize: %w", name, err)
	}
	res, err := j.Target.Backend.Compile(ctx, m, opts)
	if err != nil {
		return nil, fmt.Errorf("jit: %s: compile: %w", name, err)
	}
	if err := j.LoadDylib(ctx, "-lm"); err != nil {
		return nil, err
	}
	return res, nil
}
