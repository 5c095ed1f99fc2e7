package passes

import "github.com/gorc-jit/gorc/ir"

// TailRecurse turns self-recursive tail calls into loops: a call of f
// from f whose result is what f returns — the call is followed only by a
// branch, and from there blocks holding nothing but phis and branches
// lead to a ret of the value (the phis passing it on) — becomes a branch
// back to the top of f, where a phi for every parameter takes the call's
// arguments. Kaleidoscope's recursive loops (the tutorial's
// mandelconverger) become loops, as clang's tail-recursion elimination
// makes of their C twins. Functions with allocas or variadic ones are
// left alone.
func TailRecurse(f *ir.Function) bool {
	if f.IsDeclaration() || f.Sig.Variadic {
		return false
	}
	type site struct {
		call *ir.Instr
		blk  *ir.Block
		next *ir.Block
	}
	var sites []site
	for _, b := range f.Blocks {
		n := len(b.Instrs)
		if n < 2 {
			continue
		}
		call, br := b.Instrs[n-2], b.Instrs[n-1]
		if call.Op != ir.OpCall || call.Callee() != ir.Value(f) || len(call.Args()) != len(f.Params) || !call.FnType.Equal(f.Sig) || f.Sig.ByVal != nil {
			continue
		}
		if br.Op == ir.OpRet && len(br.Ops) == 1 && br.Ops[0] == ir.Value(call) {
			sites = append(sites, site{call, b, nil})
			continue
		}
		if br.Op != ir.OpBr || len(br.Blocks) != 1 || len(br.Ops) != 0 {
			continue
		}
		if returnsValue(call, b, br.Blocks[0]) {
			sites = append(sites, site{call, b, br.Blocks[0]})
		}
	}
	if len(sites) == 0 {
		return false
	}
	// (Looked for only where there are tail calls: a walk over every
	// instruction of every function was most of the pass.)
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			if in.Op == ir.OpAlloca || ir.IsDynamicStackCall(in) {
				return false // the callee's frame would be the caller's
			}
		}
	}
	// A new entry block jumping to the old one, which gets a phi for
	// every parameter.
	oldEntry := f.Blocks[0]
	entry := &ir.Block{Name: "tailrecurse.entry", Func: f}
	entry.Instrs = []*ir.Instr{{Op: ir.OpBr, Typ: ir.Void, Blocks: []*ir.Block{oldEntry}, Block: entry}}
	f.Blocks = append([]*ir.Block{entry}, f.Blocks...)
	phis := make([]*ir.Instr, len(f.Params))
	rep := replacer{}
	for i, p := range f.Params {
		phi := &ir.Instr{Op: ir.OpPhi, Typ: p.Typ, Name: p.Name + ".tr", Block: oldEntry}
		phi.AddIncoming(p, entry)
		phis[i] = phi
		rep[p] = phi
	}
	rep.apply(f) // before the phis are in: they keep the parameters
	oldEntry.Instrs = append(append([]*ir.Instr(nil), phis...), oldEntry.Instrs...)
	for _, s := range sites {
		for i, a := range s.call.Args() {
			phis[i].AddIncoming(a, s.blk)
		}
		if s.next != nil {
			removePhiEntriesFrom(s.next, s.blk)
		}
		n := len(s.blk.Instrs)
		s.blk.Instrs[n-2] = &ir.Instr{Op: ir.OpBr, Typ: ir.Void, Blocks: []*ir.Block{oldEntry}, Block: s.blk}
		s.blk.Instrs = s.blk.Instrs[:n-1]
	}
	f.Renumber()
	return true
}

// returnsValue reports whether, entering block next from block from with
// value v, the function returns v: next (and the blocks after it) hold
// only phis passing v on and an unconditional branch, up to a ret of v.
func returnsValue(v ir.Value, from, next *ir.Block) bool {
	for steps := 0; steps < 8; steps++ {
		cur := v
		for _, in := range next.Instrs {
			switch {
			case in.Op == ir.OpPhi:
				for i, p := range in.Blocks {
					if p == from && in.Ops[i] == v {
						cur = in
					}
				}
			case in.Op == ir.OpRet:
				return len(in.Ops) == 1 && in.Ops[0] == cur
			case in.Op == ir.OpBr && len(in.Blocks) == 1 && len(in.Ops) == 0:
				from, next, v = next, in.Blocks[0], cur
			default:
				return false
			}
		}
	}
	return false
}
