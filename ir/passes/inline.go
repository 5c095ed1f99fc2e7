package passes

import (
	"slices"
	"sync"

	"github.com/gorc-jit/gorc/ir"
)

// Inline limits: a callee is inlined if it has at most InlineMaxCallee
// instructions (InlineMaxLoopCallee if it has a loop: the call costs
// little beside the loop, while the copy costs compile time and code
// size), and inlining stops when the caller reaches InlineMaxCaller
// instructions.
var (
	InlineMaxCallee     = 40
	InlineMaxLoopCallee = 12
	InlineMaxCaller     = 4000
)

// Inline replaces direct calls of small functions defined in the same
// module by a copy of their body: the calling block is split after the
// call, the callee's blocks are cloned in between with parameters bound
// to the arguments, its returns branch to the continuation (through a phi
// when there are several), and its entry-block allocas move to the
// caller's entry block so that mem2reg can still promote them. Callees
// that call themselves, and the function itself, are not inlined. Run
// it after the callees were optimised (Kaleidoscope defines callees
// first, and the pass manager goes in module order), then clean up with
// instcombine, gvn, simplifycfg and dce.
func Inline(f *ir.Function) bool {
	return inlineFrom(f, func(callee *ir.Function) *ir.Function { return callee }, false)
}

// inlineFrom is Inline with the callees' bodies from body: body(callee) is
// the function whose blocks replace a call of callee, or nil (not
// inlined).
//
// checked says that every body comes from an InlineCache, which keeps
// only bodies inlinableBody accepted (Remember): a call site then needs
// only its own checks and the size limits, not a walk of the body for
// what cannot have changed (recursion, exception handling, dynamic
// stack allocation).
func inlineFrom(f *ir.Function, body func(*ir.Function) *ir.Function, checked bool) bool {
	if f.IsDeclaration() {
		return false
	}
	changed := false
	size := f.NumInstrs()
	// What straight-line inlining replaced each call by: applied to the
	// whole function once at the end (a sweep per inlined call cost
	// more than the inlining).
	var results callResults
	for bi := 0; bi < len(f.Blocks); bi++ {
		b := f.Blocks[bi]
		for i := 0; i < len(b.Instrs); i++ {
			call := b.Instrs[i]
			if call.Op != ir.OpCall {
				continue
			}
			callee, ok := call.Callee().(*ir.Function)
			if !ok || callee == f {
				continue
			}
			src := body(callee)
			if src == nil {
				continue
			}
			n := src.NumInstrs()
			if checked {
				// (The limits again: they are variables, and may have
				// changed since the body was remembered.)
				if !inlinableCall(callee, src, call) || n > InlineMaxCallee || (n > InlineMaxLoopCallee && hasLoop(src)) {
					continue
				}
			} else if !inlinable(callee, src, call) {
				continue
			}
			if size+n > InlineMaxCaller {
				continue
			}
			size += n
			changed = true
			if len(src.Blocks) == 1 {
				// A straight-line body (a one-line helper or
				// operator): its instructions replace the call in place.
				i = inlineStraight(f, b, i, src, &results) - 1
				continue
			}
			inlineCall(f, bi, i, src)
			break // b was split; its tail is the next block
		}
	}
	if results.len() > 0 {
		replaceCalls(f, &results)
	}
	if changed {
		f.Renumber()
	}
	return changed
}

// callResults maps inlined calls to what replaces their values: a few
// pairs searched in order (a function inlines a few calls, mostly), and
// a map once there are more (a map per function that inlined anything
// was a third of straight-line inlining's cost).
type callResults struct {
	pairs [8]callResult
	n     int
	m     map[*ir.Instr]ir.Value
}

type callResult struct {
	call *ir.Instr
	v    ir.Value
}

func (r *callResults) len() int { return r.n + len(r.m) }

// put records that v replaces call (each call is put once).
func (r *callResults) put(call *ir.Instr, v ir.Value) {
	if r.m == nil && r.n < len(r.pairs) {
		r.pairs[r.n] = callResult{call, v}
		r.n++
		return
	}
	if r.m == nil {
		r.m = make(map[*ir.Instr]ir.Value, 2*len(r.pairs))
		for _, p := range r.pairs[:r.n] {
			r.m[p.call] = p.v
		}
		r.n = 0
	}
	r.m[call] = v
}

// get returns what replaces call, if it was inlined.
func (r *callResults) get(call *ir.Instr) (ir.Value, bool) {
	if r.m != nil {
		v, ok := r.m[call]
		return v, ok
	}
	for _, p := range r.pairs[:r.n] {
		if p.call == call {
			return p.v, true
		}
	}
	return nil, false
}

// replaceCalls replaces every use of a call in results by its result
// (following chains: a result that is itself a replaced call).
func replaceCalls(f *ir.Function, results *callResults) {
	for _, blk := range f.Blocks {
		for _, in := range blk.Instrs {
			for k, v := range in.Ops {
				c, ok := v.(*ir.Instr)
				if !ok || c.Op != ir.OpCall {
					continue
				}
				for n := 0; n < 1000; n++ {
					r, ok := results.get(c)
					if !ok {
						break
					}
					in.Ops[k] = r
					if c, ok = r.(*ir.Instr); !ok || c.Op != ir.OpCall {
						break
					}
				}
			}
		}
	}
}

// inlinable reports whether body, the body of callee, may replace call.
func inlinable(callee, body *ir.Function, call *ir.Instr) bool {
	return inlinableCall(callee, body, call) && inlinableBody(callee, body, InlineMaxCallee)
}

// inlinableCall is inlinable's check of the call site: the call's type
// is the callee's and it passes as many arguments as body has
// parameters.
func inlinableCall(callee, body *ir.Function, call *ir.Instr) bool {
	return callee.Sig.Equal(call.FnType) && len(call.Args()) == len(body.Params)
}

// inlinableBody reports whether body, the body of callee, can be inlined
// at all: defined, not variadic, at most max instructions, not calling
// callee itself, and no dynamic stack allocation.
func inlinableBody(callee, body *ir.Function, max int) bool {
	if body.IsDeclaration() || body.Sig.Variadic || body.HasEH() {
		return false
	}
	if body.Sig.Ret.Kind == ir.StructKind || body.Sig.ByVal != nil {
		return false // fields returned one per operand; byval copies
	}
	n := body.NumInstrs()
	if n > max || (n > InlineMaxLoopCallee && hasLoop(body)) {
		return false
	}
	for _, b := range body.Blocks {
		for _, in := range b.Instrs {
			if in.Op == ir.OpCall && (in.Callee() == ir.Value(callee) || in.Callee() == ir.Value(body)) {
				return false // recursive
			}
			if in.Op == ir.OpAlloca && (b != body.Blocks[0] || len(in.Ops) > 0) || ir.IsDynamicStackCall(in) {
				return false // dynamic stack allocation
			}
		}
	}
	return true
}

// inlineStraight inlines the call at b.Instrs[i] of a callee whose body
// is one block ending in ret (its allocas go to the top of f's entry
// block), recording in results what replaces the call's value (the
// caller replaces its uses: replaceCalls). It returns the index in b of
// the first instruction after the inlined ones.
func inlineStraight(f *ir.Function, b *ir.Block, i int, src *ir.Function, results *callResults) int {
	call := b.Instrs[i]
	body := src.Blocks[0].Instrs
	// The copies of body's instructions are mem[j] for body[j]: an
	// operand is a parameter of src (the call's argument), an earlier
	// instruction of the body (its copy), or a value from outside
	// (itself).
	var mem []ir.Instr
	olds := body[:0:0]
	mapped := func(v ir.Value) ir.Value {
		switch x := v.(type) {
		case *ir.Param:
			if x.Index >= 0 && x.Index < len(src.Params) && src.Params[x.Index] == x {
				return call.Ops[1+x.Index]
			}
		case *ir.Instr:
			if k := slices.Index(olds, x); k >= 0 {
				return &mem[k]
			}
		}
		return v
	}
	var result ir.Value
	var hoisted []*ir.Instr
	// The copies are carved from one block of instructions, their
	// operands kept in the instructions' own storage (one allocation per
	// inlined call), and written straight into b in the call's place.
	// Only the instructions before the ret are copied (none for a body
	// that returns a parameter: nothing is allocated).
	ncopy, nclone := 0, 0
	for _, in := range body {
		if in.Op == ir.OpRet {
			break
		}
		ncopy++
		if in.Op != ir.OpAlloca {
			nclone++
		}
	}
	if ncopy > 0 {
		mem = make([]ir.Instr, ncopy)
	}
	// The call's slot b.Instrs[i] becomes nclone slots (what
	// slices.Replace of the call by the copies gives).
	if old := len(b.Instrs); nclone == 0 {
		copy(b.Instrs[i:], b.Instrs[i+1:])
		b.Instrs[old-1] = nil
		b.Instrs = b.Instrs[:old-1]
	} else if nclone > 1 {
		b.Instrs = slices.Grow(b.Instrs, nclone-1)[:old+nclone-1]
		copy(b.Instrs[i+nclone:], b.Instrs[i+1:old])
	}
	olds = body[:0]
	k := i
	for j, in := range body {
		if in.Op == ir.OpRet {
			if len(in.Ops) > 0 {
				result = mapped(in.Ops[0])
			}
			break
		}
		c := &mem[j]
		*c = ir.Instr{Op: in.Op, Typ: in.Typ, Name: in.Name, Pred: in.Pred, FnType: in.FnType,
			ElemType: in.ElemType, Flags: in.Flags, Align: in.Align}
		c.Ops = c.OperandSlots(len(in.Ops))
		for k, v := range in.Ops {
			c.Ops[k] = mapped(v)
		}
		olds = body[:len(olds)+1]
		if in.Op == ir.OpAlloca {
			c.Block = f.Blocks[0]
			hoisted = append(hoisted, c)
			continue
		}
		c.Block = b
		b.Instrs[k] = c
		k++
	}
	next := i + nclone
	if len(hoisted) > 0 {
		entry := f.Blocks[0]
		entry.Instrs = append(hoisted, entry.Instrs...)
		if entry == b {
			next += len(hoisted)
		}
	}
	if call.HasResult() {
		if result == nil {
			result = &ir.Undef{Typ: call.Typ}
		}
		results.put(call, result)
	}
	return next
}

// inlineCall inlines the call at f.Blocks[bi].Instrs[i].
func inlineCall(f *ir.Function, bi, i int, callee *ir.Function) {
	b := f.Blocks[bi]
	call := b.Instrs[i]
	// Split: cont gets everything after the call.
	cont := &ir.Block{Name: b.Name + ".cont", Func: f}
	cont.Instrs = append(cont.Instrs, b.Instrs[i+1:]...)
	for _, in := range cont.Instrs {
		in.Block = cont
	}
	for _, s := range cont.Succs() {
		renamePred(s, b, cont)
	}
	b.Instrs = b.Instrs[:i]

	// Clone the callee.
	vmap := make(map[ir.Value]ir.Value, callee.NumInstrs()+len(callee.Params))
	for k, p := range callee.Params {
		vmap[p] = call.Ops[1+k]
	}
	bmap := make(map[*ir.Block]*ir.Block, len(callee.Blocks))
	var clones []*ir.Block
	for _, cb := range callee.Blocks {
		nb := &ir.Block{Name: callee.Name + "." + cb.Name, Func: f}
		if cb.Name == "" {
			nb.Name = callee.Name + ".bb"
		}
		bmap[cb] = nb
		clones = append(clones, nb)
	}
	entry := f.Blocks[0]
	var hoisted []*ir.Instr
	type ret struct {
		v    ir.Value
		from *ir.Block
	}
	var rets []ret
	var copies []*ir.Instr
	for _, cb := range callee.Blocks {
		nb := bmap[cb]
		for _, in := range cb.Instrs {
			c := &ir.Instr{Op: in.Op, Typ: in.Typ, Name: in.Name, Pred: in.Pred, FnType: in.FnType,
				ElemType: in.ElemType, Flags: in.Flags, Align: in.Align}
			c.Ops = append([]ir.Value(nil), in.Ops...)
			if len(in.Blocks) > 0 {
				c.Blocks = make([]*ir.Block, len(in.Blocks))
				for k, t := range in.Blocks {
					c.Blocks[k] = bmap[t]
				}
			}
			vmap[in] = c
			copies = append(copies, c)
			if in.Op == ir.OpAlloca && cb == callee.Blocks[0] {
				c.Block = entry
				hoisted = append(hoisted, c)
				continue
			}
			if in.Op == ir.OpRet {
				var v ir.Value
				if len(in.Ops) > 0 {
					v = in.Ops[0]
				}
				rets = append(rets, ret{v, nb})
				c.Op, c.Ops, c.Blocks = ir.OpBr, nil, []*ir.Block{cont}
			}
			c.Block = nb
			nb.Instrs = append(nb.Instrs, c)
		}
	}
	for _, c := range copies {
		for k, v := range c.Ops {
			if nv, ok := vmap[v]; ok {
				c.Ops[k] = nv
			}
		}
	}
	// Branch from b into the clone.
	b.Instrs = append(b.Instrs, &ir.Instr{Op: ir.OpBr, Typ: ir.Void, Blocks: []*ir.Block{clones[0]}, Block: b})
	// The call's value.
	var result ir.Value
	if call.HasResult() {
		switch len(rets) {
		case 0:
			result = &ir.Undef{Typ: call.Typ}
		case 1:
			result = mapped(vmap, rets[0].v)
		default:
			phi := &ir.Instr{Op: ir.OpPhi, Typ: call.Typ, Name: call.Name, Block: cont}
			for _, r := range rets {
				phi.AddIncoming(mapped(vmap, r.v), r.from)
			}
			cont.Instrs = append([]*ir.Instr{phi}, cont.Instrs...)
			result = phi
		}
	}
	// Hoisted allocas go to the top of the caller's entry block.
	if len(hoisted) > 0 {
		entry.Instrs = append(hoisted, entry.Instrs...)
	}
	// Lay out: b, clones..., cont, rest.
	blocks := make([]*ir.Block, 0, len(f.Blocks)+len(clones)+1)
	blocks = append(blocks, f.Blocks[:bi+1]...)
	blocks = append(blocks, clones...)
	blocks = append(blocks, cont)
	blocks = append(blocks, f.Blocks[bi+1:]...)
	f.Blocks = blocks
	f.Renumber()
	if result != nil {
		// Uses of the call read result (one pointer comparison per
		// operand: cheaper than a replacer's map lookups).
		for _, blk := range f.Blocks {
			for _, in := range blk.Instrs {
				for k, v := range in.Ops {
					if v == ir.Value(call) {
						in.Ops[k] = result
					}
				}
			}
		}
	}
}

func mapped(vmap map[ir.Value]ir.Value, v ir.Value) ir.Value {
	if nv, ok := vmap[v]; ok {
		return nv
	}
	return v
}

// hasLoop reports whether f branches back to a block laid out before the
// branch (every loop has such an edge when blocks are in the order
// front ends and the passes keep: a loop header before its body).
func hasLoop(f *ir.Function) bool {
	if len(f.Blocks) <= 32 {
		// Most functions: look the successors up among the blocks
		// before, without building a set (this runs for every function
		// the inliner remembers).
		for i, b := range f.Blocks {
			for _, s := range b.Succs() {
				if slices.Contains(f.Blocks[:i+1], s) {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[*ir.Block]bool, len(f.Blocks))
	for _, b := range f.Blocks {
		seen[b] = true
		for _, s := range b.Succs() {
			if seen[s] {
				return true
			}
		}
	}
	return false
}

// cloneFunction returns a detached copy of f (same name, signature and
// linkage; fresh parameters, blocks and instructions; operands that are
// not f's own values, such as globals and other functions, shared).
func cloneFunction(f *ir.Function) *ir.Function {
	c := &ir.Function{Name: f.Name, Sig: f.Sig, Linkage: f.Linkage, Module: f.Module, Attrs: f.Attrs}
	vmap := make(map[ir.Value]ir.Value, f.NumInstrs()+len(f.Params))
	for _, p := range f.Params {
		np := &ir.Param{Name: p.Name, Typ: p.Typ, Index: p.Index, Func: c}
		c.Params = append(c.Params, np)
		vmap[p] = np
	}
	bmap := make(map[*ir.Block]*ir.Block, len(f.Blocks))
	for _, b := range f.Blocks {
		nb := &ir.Block{Name: b.Name, Func: c}
		bmap[b] = nb
		c.Blocks = append(c.Blocks, nb)
	}
	for _, b := range f.Blocks {
		nb := bmap[b]
		for _, in := range b.Instrs {
			ni := &ir.Instr{Op: in.Op, Typ: in.Typ, Name: in.Name, Pred: in.Pred, FnType: in.FnType,
				ElemType: in.ElemType, Flags: in.Flags, Align: in.Align, Block: nb}
			ni.Ops = append([]ir.Value(nil), in.Ops...)
			if len(in.Blocks) > 0 {
				ni.Blocks = make([]*ir.Block, len(in.Blocks))
				for k, t := range in.Blocks {
					ni.Blocks[k] = bmap[t]
				}
			}
			vmap[in] = ni
			nb.Instrs = append(nb.Instrs, ni)
		}
	}
	for _, nb := range c.Blocks {
		for _, in := range nb.Instrs {
			for k, v := range in.Ops {
				if nv, ok := vmap[v]; ok {
					in.Ops[k] = nv
				}
			}
		}
	}
	c.Renumber()
	return c
}

// InlineCache keeps copies of the optimised IR of small functions so that
// functions compiled later can inline them: what a JIT that compiles one
// definition at a time knows about the code it has already compiled.
// Remember a function right after optimising it (before its IR is
// dropped or compiled); the cache's pass (Pass) inlines the calls of
// remembered functions. A function is remembered when its optimised body
// has at most MaxCallee instructions (InlineMaxCallee by default) and can
// be inlined at all (not recursive, not variadic, no dynamic stack
// allocation). The copies are independent of the originals, so the
// originals may be handed to a code generator, or have their bodies
// dropped, while later functions are optimised.
//
// The cache records which function inlined which (InlinedInto), for a
// session that must invalidate the inlining callers when a definition is
// replaced. Its methods are safe for concurrent use.
type InlineCache struct {
	// MaxCallee is the size limit, in IR instructions, of a remembered
	// body; 0 means InlineMaxCallee.
	MaxCallee int

	mu     sync.Mutex
	bodies map[*ir.Function]*ir.Function
	users  map[*ir.Function][]*ir.Function // callee -> functions that inlined it
}

// NewInlineCache returns an empty cache.
func NewInlineCache() *InlineCache {
	return &InlineCache{bodies: map[*ir.Function]*ir.Function{}, users: map[*ir.Function][]*ir.Function{}}
}

// Remember keeps a copy of f's body if f is small enough to inline,
// replacing any copy kept before; it reports whether it kept one.
func (c *InlineCache) Remember(f *ir.Function) bool {
	max := c.MaxCallee
	if max <= 0 {
		max = InlineMaxCallee
	}
	if !inlinableBody(f, f, max) {
		c.Forget(f)
		return false
	}
	body := cloneFunction(f)
	c.mu.Lock()
	c.bodies[f] = body
	c.mu.Unlock()
	return true
}

// Forget drops the copy of f's body: calls of f compiled from now on are
// not inlined.
func (c *InlineCache) Forget(f *ir.Function) {
	c.mu.Lock()
	delete(c.bodies, f)
	c.mu.Unlock()
}

// InlinedInto returns the functions that inlined a body of f so far.
func (c *InlineCache) InlinedInto(f *ir.Function) []*ir.Function {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*ir.Function(nil), c.users[f]...)
}

// Inline is the Inline pass with the callees' bodies taken from the
// cache: only calls of remembered functions are inlined, and the callees'
// own IR is never read.
func (c *InlineCache) Inline(f *ir.Function) bool {
	var usedBuf [8]*ir.Function // (a few callees: no allocation)
	used := usedBuf[:0]
	// The callee looked up last, and what it gave: a function calls the
	// same helper (an operator) at several sites, and each site took the
	// lock and a map lookup. used lists each callee inlined once.
	var last, lastBody *ir.Function
	changed := inlineFrom(f, func(callee *ir.Function) *ir.Function {
		if callee == last {
			return lastBody
		}
		c.mu.Lock()
		b := c.bodies[callee]
		c.mu.Unlock()
		last, lastBody = callee, b
		if b != nil && !slices.Contains(used, callee) {
			used = append(used, callee)
		}
		return b
	}, true)
	if len(used) > 0 {
		c.mu.Lock()
		for _, callee := range used {
			c.users[callee] = append(c.users[callee], f)
		}
		c.mu.Unlock()
	}
	return changed
}

// Pass returns the cache's inliner as a pass named "inline" that reads no
// other function's IR (Pass.ReadsModule false).
func (c *InlineCache) Pass() Pass { return Pass{Name: "inline", Run: c.Inline} }
