package jit

import (
	"context"
	"fmt"

	"gorc/ir"
	"gorc/ir/passes"
	"gorc/target"
)

// AddIR compiles a module in gorc's LLVM-IR subset (the text `gorc kaleido
// -emit ir` prints, or LLVM's own for programs within the subset): parse,
// verify, optimize at optLevel (0–2), compile to an ELF object with the
// backend of the executor's target (j.Target), and add that object like any other input. name is used
// in diagnostics (FILE:LINE:COL) and as the object's name.
//
// As with lli, IR has no link line: the module is linked against the C
// library and libm (loaded here), so calls to sin, sqrt, printf resolve.
func (j *JIT) AddIR(ctx context.Context, name string, src []byte, optLevel int) error {
	m, err := ir.Parse(name, src)
	if err != nil {
		return err
	}
	if err := ir.Verify(m); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if optLevel < 0 || optLevel > 2 {
		return fmt.Errorf("jit: %s: optimization level %d, want 0, 1 or 2", name, optLevel)
	}
	if err := passes.ForLevel(optLevel).Run(ctx, m); err != nil {
		return fmt.Errorf("jit: %s: optimize: %w", name, err)
	}
	res, err := j.Target.Backend.Compile(ctx, m, target.Options{SourceName: name})
	if err != nil {
		return fmt.Errorf("jit: %s: compile: %w", name, err)
	}
	obj := res.Object
	if err := j.LoadDylib(ctx, "-lm"); err != nil {
		return err
	}
	return j.AddObject(name+".o", obj)
}
