// Package passes is gorc's IR optimizer: function passes over github.com/gorc-jit/gorc/ir
// (mem2reg, instcombine with constant folding, reassociate, GVN/CSE, DCE,
// simplifycfg, inlining of small functions, tail recursion to loops) and a
// pass manager with -O0/-O1/-O2/-O3 pipelines.
//
// Every pass is a func(*ir.Function) bool that reports whether it changed
// the function, keeps the IR valid (ir.Verify), and needs no use lists:
// passes record replacements and rewrite operands in one sweep.
package passes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gorc-jit/gorc/internal/diag"
	"github.com/gorc-jit/gorc/ir"
)

// Pass is a named function pass.
type Pass struct {
	Name string
	Run  func(*ir.Function) bool
	// ReadsModule is set for a pass that reads other functions of the
	// module (Inline reads its callees' bodies): it must not run while
	// those functions are being generated or optimised elsewhere.
	ReadsModule bool
	// Settle, if set, is Run that also reports whether the function is
	// now a fixpoint of the pass: running it again at once would change
	// nothing. The manager uses it instead of Run, and skips a later run
	// of the pass (of the same name) in the pipeline when no pass has
	// changed the function since the one that settled it.
	Settle func(*ir.Function) (changed, settled bool)
}

// All lists the passes by name.
var All = map[string]Pass{
	"mem2reg":     {Name: "mem2reg", Run: Mem2Reg},
	"instcombine": {Name: "instcombine", Run: InstCombine, Settle: instCombine},
	"reassociate": {Name: "reassociate", Run: Reassociate},
	"gvn":         {Name: "gvn", Run: GVN},
	"dce":         {Name: "dce", Run: DCE},
	"simplifycfg": {Name: "simplifycfg", Run: SimplifyCFG},
	"inline":      {Name: "inline", Run: Inline, ReadsModule: true},
	"tailrecurse": {Name: "tailrecurse", Run: TailRecurse},
}

// Manager runs a sequence of passes over each function of a module.
type Manager struct {
	Passes []Pass
	// Verify checks every function after each pass (slow; for tests and
	// debugging) and reports the pass that broke it.
	Verify bool
	// Stats, if non-nil, accumulates per-pass run time and change counts.
	Stats map[string]*PassStats
	// Inliner, if non-nil, is the cache the inline passes take callee
	// bodies from (WithInliner); RunFunction remembers every function it
	// optimised in it, for the functions optimised after it.
	Inliner *InlineCache
}

// PassStats is the accumulated cost and effect of one pass.
type PassStats struct {
	Time    time.Duration
	Runs    int
	Changed int
	// Skipped counts the runs left out because the function was already
	// a fixpoint of the pass (Pass.Settle); they are not in Runs.
	Skipped int
}

// stats returns the statistics of the pass name, adding them to
// pm.Stats (which must not be nil) on first use.
func (pm *Manager) stats(name string) *PassStats {
	s := pm.Stats[name]
	if s == nil {
		s = &PassStats{}
		pm.Stats[name] = s
	}
	return s
}

// New returns a manager for the named passes ("mem2reg,gvn,dce").
func New(names string) (*Manager, error) {
	pm := &Manager{}
	for _, n := range strings.Split(names, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		p, ok := All[n]
		if !ok {
			return nil, fmt.Errorf("passes: unknown pass %q", n)
		}
		pm.Passes = append(pm.Passes, p)
	}
	return pm, nil
}

// Pipeline names the passes of each optimisation level.
func Pipeline(level int) string {
	switch {
	case level <= 0:
		return ""
	case level == 1:
		return "mem2reg,instcombine,simplifycfg,dce"
	case level == 2:
		return "mem2reg,instcombine,reassociate,gvn,instcombine,simplifycfg,dce"
	default:
		// -O2 plus inlining of small functions and self-recursive tail
		// calls made loops: faster code for programs built of tiny
		// helpers and recursive loops, at a compile-time cost.
		return "mem2reg,instcombine,tailrecurse,inline,instcombine,reassociate,gvn,instcombine,simplifycfg,dce"
	}
}

// WithInliner returns a copy of pm whose inline passes take the callees'
// bodies from c (InlineCache.Pass) instead of reading the callees, and
// which remembers every function it optimises in c (Manager.Inliner): a
// pipeline that inlines earlier functions into later ones, one function
// at a time, without reading any function but the one it optimises.
func (pm *Manager) WithInliner(c *InlineCache) *Manager {
	n := *pm
	n.Passes = append([]Pass(nil), pm.Passes...)
	for i, p := range n.Passes {
		if p.Name == "inline" {
			n.Passes[i] = c.Pass()
		}
	}
	n.Inliner = c
	return &n
}

// ReadsModule reports whether a pass of pm reads functions other than the
// one it optimises (Pass.ReadsModule).
func (pm *Manager) ReadsModule() bool {
	for _, p := range pm.Passes {
		if p.ReadsModule {
			return true
		}
	}
	return false
}

// ForLevel returns the manager for -O0, -O1, -O2 or -O3 (-O2 with
// inlining; higher levels are -O3).
func ForLevel(level int) *Manager {
	pm, _ := New(Pipeline(level))
	return pm
}

// Run optimises every function defined in m. It stops with ctx's error if
// ctx is cancelled between functions.
func (pm *Manager) Run(ctx context.Context, m *ir.Module) error {
	for _, f := range m.Funcs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("passes: optimising @%s: %w", f.Name, err)
		}
		if err := pm.RunFunction(f); err != nil {
			return err
		}
	}
	return nil
}

// RunFunction optimises one function. The passes expect IR that
// ir.VerifyFunction accepts; on anything else a pass may fail, which is
// reported as an error naming the pass rather than a panic.
func (pm *Manager) RunFunction(f *ir.Function) (err error) {
	if f.IsDeclaration() || f.HasEH() {
		// (Functions with invokes and landing pads are compiled as
		// written: the passes know nothing of unwind edges.)
		return nil
	}
	cur := ""
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("passes: %s on @%s failed (is the IR valid?): %v", cur, diag.Clip(f.Name), r)
		}
	}()
	// The passes (by name, with Settle) whose fixpoint f is: none has
	// changed f since they settled it.
	var settled [4]string
	nSettled := 0
	for _, p := range pm.Passes {
		cur = p.Name
		if p.Settle != nil && slices.Contains(settled[:nSettled], p.Name) {
			if pm.Stats != nil {
				pm.stats(p.Name).Skipped++
			}
			continue
		}
		var start time.Time
		if pm.Stats != nil {
			start = time.Now()
		}
		var changed bool
		if p.Settle != nil {
			var fix bool
			changed, fix = p.Settle(f)
			if changed {
				nSettled = 0
			}
			if fix && nSettled < len(settled) {
				settled[nSettled] = p.Name
				nSettled++
			}
		} else if changed = p.Run(f); changed {
			nSettled = 0
		}
		if pm.Stats != nil {
			s := pm.stats(p.Name)
			s.Time += time.Since(start)
			s.Runs++
			if changed {
				s.Changed++
			}
		}
		if pm.Verify {
			if err := ir.VerifyFunction(f); err != nil {
				return fmt.Errorf("passes: after %s: %w", p.Name, err)
			}
		}
	}
	if pm.Inliner != nil {
		cur = "inline cache"
		pm.Inliner.Remember(f)
	}
	return nil
}
