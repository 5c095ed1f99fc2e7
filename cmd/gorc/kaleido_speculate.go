package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/lazy"
	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/target"
)

// specBatch is one speculative batch of gorc kaleido -lazy -speculate:
// the IR of its functions, generated when it was planned, in the order
// they were claimed (by slices, not maps by name: a batch's
// bookkeeping by body name was a string hash per function at each step).
type specBatch struct {
	// planned is closed when the batch's unit is defined (or the batch
	// dropped): a first call of a function it claimed waits for it.
	planned chan struct{}
	mu      sync.Mutex
	fns     []*ir.Function // under mu once defined; nil: taken or dropped
	// calls holds the calls of declared functions in each function's
	// IR (recorded once, when it is generated: the planner walks their
	// callees, looks up the names nothing defines, and the compile makes
	// the calls between members direct).
	calls [][]*ir.Instr
	// at is the index (in fns, calls and claimed) of each function's
	// interned body name; claimed its function and version. Both are
	// set before the batch's unit is defined, and only read after.
	at      map[orc.SymbolName]int
	claimed []batchMember
	file    string // the first function's file (diagnostics)
	// members are the functions the batch claimed, at the versions it
	// compiles (set when its unit is defined, under lazyDefs.mu): their
	// code calls each other directly, so redefining one of them
	// invalidates them all (lazyDefs.define). Cleared then.
	members []batchMember
}

// batchMember is a function a speculative batch compiles, at version v
// (name: its name in lazyDefs.defs).
type batchMember struct {
	d    *lazyDef
	v    int
	name string
}

// startSpeculation turns on speculative compilation (-speculate): the
// callees of each function compiled are compiled ahead of their first
// call, in batches, on other goroutines. It stops when the JIT closes.
func (l *lazyDefs) startSpeculation() {
	l.speculate = lazy.NewSpeculator(l.j.ES, runtime.GOMAXPROCS(0), l.planBatch)
	l.j.OnClose(l.speculate.Stop)
}

// specOf returns the speculative batch that claimed version v of d's
// function and is being planned, or nil (d may be nil).
func (d *lazyDef) specOf(v int) *specBatch {
	if d == nil || d.version != v {
		return nil
	}
	return d.spec
}

// speculateCallees queues the defined functions fn calls that no unit
// holds yet (-speculate), as soon as fn's IR is generated: the
// speculator plans them while fn is optimized, compiled and linked.
func (l *lazyDefs) speculateCallees(fn *ir.Function) {
	if l.speculate == nil {
		return
	}
	var names []string
	l.mu.Lock()
	for n := range fn.CalleeNames() {
		if d := l.defs[n]; d != nil && d.version != 0 && !d.unit && d.spec == nil && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	l.mu.Unlock()
	l.speculate.Enqueue(names...)
}

// planBatch is the speculator's planner: it claims up to max functions
// from roots and their callees, transitively, generates their IR (a
// function whose body has an error is left to its first call, which
// reports it), and defines the ones still claimed (a first call may have
// taken some meanwhile) as one compile-on-demand unit in the bodies
// dylib, under trackers of the batch.
func (l *lazyDefs) planBatch(ctx context.Context, roots []string, max int) (*orc.JITDylib, []orc.SymbolName, []string) {
	b := &specBatch{fns: make([]*ir.Function, 0, max), calls: make([][]*ir.Instr, 0, max), planned: make(chan struct{})}
	defer close(b.planned)
	type member struct {
		d    *lazyDef
		v    int
		name string
		body string
	}
	members := make([]member, 0, max)
	if l.specC == nil {
		// (Made by the first plan: a program whose compiled functions
		// call nothing not compiled yet never needs it.)
		l.specC = &lazyCompiler{fg: kaleidoscope.NewFunctionGenerator(l.modName, l.ssa, l.proto), bp: kaleidoscope.NewBodyParser()}
	}
	c := l.specC
	c.fg.NewBatch()
	rest := lazy.WalkCallees(ctx, roots, max, func(name string) (iter.Seq[string], bool) {
		l.mu.Lock()
		d := l.defs[name]
		if d == nil || d.version == 0 || d.unit || d.spec != nil {
			l.mu.Unlock()
			return nil, false
		}
		d.spec = b
		v, def, file := d.version, d.def, d.file
		l.mu.Unlock()
		body := bodyName(name, v)
		c.def = *def
		own := &c.def
		var fn *ir.Function
		diag := own.ParseBodyWith(c.bp)
		if diag == nil {
			fn, diag = c.fg.GenDetached(file, own, body)
		}
		c.def = kaleidoscope.FunctionDef{}
		if diag != nil {
			l.mu.Lock()
			if d.spec == b {
				d.spec = nil
			}
			l.mu.Unlock()
			return nil, false
		}
		if b.file == "" {
			b.file = file
		}
		calls := declCalls(fn)
		b.fns = append(b.fns, fn)
		b.calls = append(b.calls, calls)
		members = append(members, member{d, v, name, body})
		return func(yield func(string) bool) {
			for _, in := range calls {
				if !yield(in.Ops[0].(*ir.Function).Name) {
					return
				}
			}
		}, true
	})
	// A member calling an extern nothing defines would fail the batch's
	// link, and every function in it: it is left to its first call,
	// which reports it as without speculation.
	var dropped map[*lazyDef]bool
	if len(members) > 0 {
		// (Kaleidoscope's IR refers to other functions only by calls.)
		var ext []string
		asked := map[string]bool{}
		l.mu.Lock()
		for i := range members {
			for _, in := range b.calls[i] {
				n := in.Ops[0].(*ir.Function).Name
				if asked[n] || strings.HasPrefix(n, "llvm.") {
					continue
				}
				asked[n] = true
				if d := l.defs[n]; d == nil || d.version == 0 {
					ext = append(ext, n)
				}
			}
		}
		l.mu.Unlock()
		missing, err := l.j.MissingNames(ctx, ext)
		for i, m := range members {
			if err != nil || callsAny(b.calls[i], missing) {
				if dropped == nil {
					dropped = map[*lazyDef]bool{}
				}
				dropped[m.d] = true
			}
		}
	}
	es := l.j.ES
	l.mu.Lock()
	defer l.mu.Unlock()
	var bodies []string
	var at []int
	var claimed []*lazyDef
	for i, m := range members {
		if m.d.spec != b || m.d.version != m.v || dropped[m.d] {
			// Taken by a first call, redefined, or left to its first call.
			if m.d.spec == b {
				m.d.spec = nil
			}
			b.fns[i], b.calls[i] = nil, nil
			continue
		}
		m.d.spec = nil
		bodies = append(bodies, m.body)
		at = append(at, i)
		claimed = append(claimed, m.d)
	}
	if len(bodies) == 0 {
		return nil, nil, rest
	}
	// (One lock of the pool for the batch's names, all of them new.)
	names := make([]orc.SymbolName, len(bodies))
	es.InternAll(bodies, names)
	syms := make(orc.SymbolFlagsMap, len(names))
	b.at = make(map[orc.SymbolName]int, len(names))
	b.claimed = make([]batchMember, len(members))
	for k, n := range names {
		syms[n] = orc.Exported | orc.Callable
		i := at[k]
		b.at[n] = i
		b.claimed[i] = batchMember{members[i].d, members[i].v, members[i].name}
	}
	// From the first batch defined on, the run compiles ahead, as an
	// eager compile does: the heap readied at start-up is faulted in
	// ahead, as eager's is (populateReadied, once), on the core left
	// idle while the program waits for a batch. A run that defines no
	// batch never pays it (10,000 functions of which 1% are called: the
	// planner runs for the top-level calls' callees, but first calls
	// have taken them all; populating there faulted in 64 MB). As much
	// as an eager compile of the same sources faults in (the readied
	// heap is lazyHeapPerByte a byte of source; an all-called run uses
	// about eagerPopulatePerByte of it, as eager does): pages zeroed and
	// not used are CPU for nothing.
	// (Not for a first call's batch, PlanInline: a run of 10,000
	// functions of which 1% are called plans one for each first call.)
	if !lazy.PlannedInline(ctx) {
		populateReadied(min(readiedBytes()/lazyHeapPerByte*eagerPopulatePerByte, maxEagerPopulate))
	}
	unclaim := func() {
		for _, d := range claimed {
			d.unit, d.shared, d.rt, d.batch = false, false, [2]*orc.ResourceTracker{}, nil
		}
		b.members = nil
	}
	rtB, err := l.bodies.CreateResourceTracker()
	if err != nil {
		return nil, nil, rest
	}
	rtI, err := l.impl.CreateResourceTracker()
	if err != nil {
		return nil, nil, rest
	}
	for _, d := range claimed {
		d.unit, d.shared, d.rt, d.batch = true, true, [2]*orc.ResourceTracker{rtB, rtI}, b
		b.members = append(b.members, batchMember{d: d, v: d.version})
	}
	u := lazy.WithDirectLink(lazy.WithLinked(lazy.CompileOnDemandGraph("kaleido speculative batch", l.j.Layer, l.impl, rtI, syms, lazy.Whole, func(ctx context.Context, part []orc.SymbolName) (*jitlink.LinkGraph, error) {
		return l.compileBatch(ctx, b, part)
	}), func(ctx context.Context, syms orc.SymbolMap) { l.landed(ctx, b, syms) }))
	if err := l.bodies.Define(u, rtB); err != nil {
		unclaim()
		return nil, nil, rest
	}
	return l.bodies, names, rest
}

// compileBatch optimizes and compiles the functions part of batch b (all
// of them: the unit is partitioned lazy.Whole, so a first call that starts
// it before the speculator does compiles the whole batch) as one module.
// If that fails, they are compiled apart (lazy.CompileApart): only those
// that fail on their own fail, each with its own error.
func (l *lazyDefs) compileBatch(ctx context.Context, b *specBatch, part []orc.SymbolName) (*jitlink.LinkGraph, error) {
	fns := make([]*ir.Function, 0, len(part))
	calls := make([][]*ir.Instr, 0, len(part))
	b.mu.Lock()
	for _, n := range part {
		i, ok := b.at[n]
		if !ok || b.fns[i] == nil {
			b.mu.Unlock()
			return nil, fmt.Errorf("speculative batch: no IR for %s", n)
		}
		fns = append(fns, b.fns[i])
		calls = append(calls, b.calls[i])
		b.fns[i], b.calls[i] = nil, nil
	}
	b.mu.Unlock()
	undo := directCalls(fns, calls)
	defer func() {
		for _, fn := range fns {
			fn.Blocks = nil
			fn.ReleaseInstrs()
		}
	}()
	g, err := l.compileModule(ctx, b, fns, part)
	if err != nil && len(fns) > 1 && ctx.Err() == nil {
		// Compiled apart, a member may be left out: its callees in the
		// batch are called through their stubs again.
		undo()
		g, err = lazy.CompileApart(ctx, part, func(ctx context.Context, members []int) (*jitlink.LinkGraph, error) {
			sub := make([]*ir.Function, len(members))
			names := make([]orc.SymbolName, len(members))
			for i, k := range members {
				sub[i], names[i] = fns[k], part[k]
			}
			return l.compileModule(ctx, b, sub, names)
		})
	}
	if g == nil {
		return nil, err
	}
	k := int64(len(fns))
	var pe *lazy.PartialError
	if errors.As(err, &pe) {
		k -= int64(len(pe.Failed))
	}
	l.specCompiled.Add(k)
	return g, err
}

// compileModule optimizes and compiles fns (named names in the batch) as
// one module, and stubs the functions its graph calls.
func (l *lazyDefs) compileModule(ctx context.Context, b *specBatch, fns []*ir.Function, names []orc.SymbolName) (*jitlink.LinkGraph, error) {
	m := ir.NewModule(l.modName)
	for _, fn := range fns {
		fn.Module = m
		m.Funcs = append(m.Funcs, fn)
	}
	for _, fn := range m.Funcs {
		if err := l.pm.RunFunction(fn); err != nil {
			return nil, err
		}
	}
	res, err := l.j.Target.Backend.Compile(ctx, m, target.Options{OmitGlobals: true, SourceName: b.file, GraphName: names[0].String() + "+batch.o", NoObject: true})
	if err != nil {
		return nil, err
	}
	if err := l.stubCallees(ctx, res.Graph); err != nil {
		return nil, err
	}
	return res.Graph, nil
}

// landed points the stubs of batch b's functions at their code once
// linked, before they are Ready, for the current versions (a
// redefinition, under l.mu too, repoints them after), so that their
// first calls do not re-enter the JIT. (A failure leaves
// a stub at its call-through, which then finds the code.)
func (l *lazyDefs) landed(ctx context.Context, b *specBatch, syms orc.SymbolMap) {
	names := make([]string, 0, len(syms))
	addrs := make([]shared.ExecutorAddr, 0, len(syms))
	l.mu.Lock()
	defer l.mu.Unlock()
	for n, def := range syms {
		i, ok := b.at[n]
		if !ok {
			continue
		}
		if m := b.claimed[i]; m.d.version == m.v && m.d.stubbed {
			names = append(names, m.name)
			addrs = append(addrs, def.Addr)
		}
	}
	_ = l.lz.Stubs.UpdatePointers(ctx, names, addrs)
}

// directCalls makes the calls between the functions fns of a speculative
// batch direct: a call of function g's declaration, where g's
// body (g$v) is in fns, calls that body instead of g's stub (calls holds
// the calls of declarations in each function, declCalls). The link then
// needs neither a stub of its own nor g's lazy stub for it (a chain's
// batch makes one stub, for the callee outside it, not one per
// function), and the call does not jump through the stub. A redefinition
// of a member invalidates every member (lazyDefs.define): their code
// calls the old body.
func directCalls(fns []*ir.Function, calls [][]*ir.Instr) (undo func()) {
	if len(fns) < 2 {
		return func() {}
	}
	byName := make(map[string]*ir.Function, len(fns))
	for _, fn := range fns {
		if i := strings.LastIndexByte(fn.Name, '$'); i >= 0 {
			byName[fn.Name[:i]] = fn
		}
	}
	type made struct {
		in         *ir.Instr
		decl, body *ir.Function
	}
	var done []made
	for _, cs := range calls {
		for _, in := range cs {
			decl := in.Ops[0].(*ir.Function)
			if body := byName[decl.Name]; body != nil {
				in.Ops[0] = body
				done = append(done, made{in, decl, body})
			}
		}
	}
	// undo calls the stubs again (a call the passes have since removed
	// no longer names the body and is left alone).
	return func() {
		for _, d := range done {
			if len(d.in.Ops) > 0 && d.in.Ops[0] == d.body {
				d.in.Ops[0] = d.decl
			}
		}
	}
}

// declCalls returns the calls of declared functions in fn.
func declCalls(fn *ir.Function) []*ir.Instr {
	var calls []*ir.Instr
	for _, blk := range fn.Blocks {
		for _, in := range blk.Instrs {
			if in.Op != ir.OpCall || len(in.Ops) == 0 {
				continue
			}
			if c, ok := in.Ops[0].(*ir.Function); ok && c.IsDeclaration() {
				calls = append(calls, in)
			}
		}
	}
	return calls
}

// callsAny reports whether one of calls calls a function named in names.
func callsAny(calls []*ir.Instr, names map[string]bool) bool {
	if len(names) == 0 {
		return false
	}
	for _, in := range calls {
		if names[in.Ops[0].(*ir.Function).Name] {
			return true
		}
	}
	return false
}
