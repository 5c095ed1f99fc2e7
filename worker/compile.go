package worker

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/internal/diag"
	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/target"
)

// Compile does what a worker does with a request: parse the IR, verify
// it, optimise the requested functions at the requested level and compile
// them for the requested target. A controller calls it itself when no
// worker can take a job, so the object is the same wherever it was made.
// Errors name the module and, where one is to blame, the function; a
// failure inside the optimiser or backend is an error, never a crash of
// the worker.
func Compile(ctx context.Context, req *Request) (rep *Reply, err error) {
	name := req.Name
	if name == "" {
		name = "<request>"
	}
	cur := ""
	defer func() {
		if r := recover(); r != nil {
			at := ""
			if cur != "" {
				at = " @" + diag.Clip(cur)
			}
			rep, err = nil, fmt.Errorf("worker: %s:%s: internal compiler error: %v", name, at, r)
		}
	}()
	t, err := target.Lookup(req.Triple)
	if err != nil {
		return nil, fmt.Errorf("worker: %s: %w", name, err)
	}
	if req.OptLevel < 0 || req.OptLevel > MaxOptLevel {
		return nil, fmt.Errorf("worker: %s: optimisation level %d (want 0 to %d)", name, req.OptLevel, MaxOptLevel)
	}
	m, err := ir.Parse(name, req.IR)
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	if err := ir.Verify(m); err != nil {
		return nil, fmt.Errorf("worker: %s: %w", name, err)
	}
	var only []*ir.Function
	if len(req.Only) > 0 {
		byName := make(map[string]*ir.Function, len(m.Funcs))
		for _, f := range m.Funcs {
			byName[f.Name] = f
		}
		only = make([]*ir.Function, 0, len(req.Only))
		seen := make(map[*ir.Function]bool, len(req.Only))
		for _, n := range req.Only {
			f := byName[n]
			if f == nil || f.IsDeclaration() {
				return nil, fmt.Errorf("worker: %s: function @%s is not defined in the request's IR", name, diag.Clip(n))
			}
			if !seen[f] {
				seen[f] = true
				only = append(only, f)
			}
		}
	} else {
		for _, f := range m.Funcs {
			if !f.IsDeclaration() {
				only = append(only, f)
			}
		}
	}
	pm := passes.ForLevel(req.OptLevel)
	for _, f := range only {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("worker: %s: optimising @%s: %w", name, diag.Clip(f.Name), err)
		}
		cur = f.Name
		if err := pm.RunFunction(f); err != nil {
			return nil, fmt.Errorf("worker: %s: optimise @%s: %w", name, diag.Clip(f.Name), err)
		}
	}
	cur = ""
	opts := target.Options{SourceName: req.Name, OmitGlobals: req.OmitGlobals}
	if len(req.Only) > 0 {
		opts.Only = only
	}
	res, err := t.Backend.Compile(ctx, m, opts)
	if err != nil {
		return nil, fmt.Errorf("worker: %s: compile: %w", name, err)
	}
	return &Reply{Object: res.Object, Functions: res.Stats.Functions, CodeBytes: res.Stats.CodeBytes}, nil
}
