package passes

import "github.com/gorc-jit/gorc/ir"

// Inline limits: a callee is inlined if it has at most InlineMaxCallee
// instructions, and inlining stops when the caller reaches
// InlineMaxCaller instructions.
var (
	InlineMaxCallee = 40
	InlineMaxCaller = 4000
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
	if f.IsDeclaration() {
		return false
	}
	changed := false
	size := f.NumInstrs()
	for bi := 0; bi < len(f.Blocks); bi++ {
		b := f.Blocks[bi]
		for i := 0; i < len(b.Instrs); i++ {
			call := b.Instrs[i]
			if call.Op != ir.OpCall {
				continue
			}
			callee, ok := call.Callee().(*ir.Function)
			if !ok || !inlinable(f, callee, call) {
				continue
			}
			n := callee.NumInstrs()
			if size+n > InlineMaxCaller {
				continue
			}
			inlineCall(f, bi, i, callee)
			size += n
			changed = true
			break // b was split; its tail is the next block
		}
	}
	if changed {
		f.Renumber()
	}
	return changed
}

func inlinable(f, callee *ir.Function, call *ir.Instr) bool {
	if callee == f || callee.IsDeclaration() || callee.Sig.Variadic || len(call.Args()) != len(callee.Params) {
		return false
	}
	if !callee.Sig.Equal(call.FnType) || callee.NumInstrs() > InlineMaxCallee {
		return false
	}
	for _, b := range callee.Blocks {
		for _, in := range b.Instrs {
			if in.Op == ir.OpCall && in.Callee() == ir.Value(callee) {
				return false // recursive
			}
			if in.Op == ir.OpAlloca && (b != callee.Blocks[0] || len(in.Ops) > 0) {
				return false // dynamic stack allocation
			}
		}
	}
	return true
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
		rep := replacer{call: result}
		rep.apply(f)
	}
}

func mapped(vmap map[ir.Value]ir.Value, v ir.Value) ir.Value {
	if nv, ok := vmap[v]; ok {
		return nv
	}
	return v
}
