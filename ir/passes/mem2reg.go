package passes

import "gorc/ir"

// Mem2Reg promotes entry-block allocas whose only uses are loads and
// stores of the allocated type to SSA values, inserting phis at the
// iterated dominance frontier of the stores (Cytron et al.) and renaming
// along the dominator tree. Loads before any store read undef.
func Mem2Reg(f *ir.Function) bool {
	if f.IsDeclaration() {
		return false
	}
	entry := f.Blocks[0]
	// Candidate allocas, numbered 0..n-1 via ID.
	var allocas []*ir.Instr
	idx := make(map[*ir.Instr]int)
	for _, in := range entry.Instrs {
		if in.Op == ir.OpAlloca && len(in.Ops) == 0 && in.ElemType.IsFirstClass() && in.ElemType.Kind != ir.ArrayKind {
			idx[in] = len(allocas)
			allocas = append(allocas, in)
		}
	}
	if len(allocas) == 0 {
		return false
	}
	bad := make([]bool, len(allocas))
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			for i, v := range in.Ops {
				a, ok := v.(*ir.Instr)
				if !ok {
					continue
				}
				k, ok := idx[a]
				if !ok {
					continue
				}
				switch {
				case in.Op == ir.OpLoad && i == 0 && in.Typ.Equal(a.ElemType):
				case in.Op == ir.OpStore && i == 1 && in.Ops[0] != v && in.Ops[0].Type().Equal(a.ElemType):
				default:
					bad[k] = true
				}
			}
		}
	}
	var prom []*ir.Instr
	pidx := make(map[*ir.Instr]int)
	for k, a := range allocas {
		if !bad[k] {
			pidx[a] = len(prom)
			prom = append(prom, a)
		}
	}
	if len(prom) == 0 {
		return false
	}
	dt := ir.NewDomTree(f)
	df := dt.Frontiers()
	nb := len(f.Blocks)

	// Phi placement.
	phiFor := make(map[*ir.Instr]int) // inserted phi -> promoted alloca
	newPhis := make([][]*ir.Instr, nb)
	defBlocks := make([][]*ir.Block, len(prom))
	seenDef := make([]int, nb)
	for i := range seenDef {
		seenDef[i] = -1
	}
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			if in.Op == ir.OpStore {
				if a, ok := in.Ops[1].(*ir.Instr); ok {
					if k, ok := pidx[a]; ok && seenDef[b.Index] != k {
						// seenDef dedups consecutive stores of the same alloca
						defBlocks[k] = append(defBlocks[k], b)
						seenDef[b.Index] = k
					}
				}
			}
		}
	}
	hasPhi := make([]int, nb)
	inWork := make([]int, nb)
	for i := range hasPhi {
		hasPhi[i], inWork[i] = -1, -1
	}
	for k, a := range prom {
		work := make([]*ir.Block, 0, len(defBlocks[k]))
		for _, b := range defBlocks[k] {
			if inWork[b.Index] != k {
				inWork[b.Index] = k
				work = append(work, b)
			}
		}
		for len(work) > 0 {
			b := work[len(work)-1]
			work = work[:len(work)-1]
			for _, d := range df[b.Index] {
				if hasPhi[d.Index] == k {
					continue
				}
				hasPhi[d.Index] = k
				phi := &ir.Instr{Op: ir.OpPhi, Typ: a.ElemType, Name: a.Name}
				phiFor[phi] = k
				newPhis[d.Index] = append(newPhis[d.Index], phi)
				if inWork[d.Index] != k {
					inWork[d.Index] = k
					work = append(work, d)
				}
			}
		}
	}

	// Renaming.
	rep := replacer{}
	cur := make([]ir.Value, len(prom))
	for k, a := range prom {
		cur[k] = &ir.Undef{Typ: a.ElemType}
	}
	dead := make(map[*ir.Instr]bool)
	type change struct {
		k   int
		old ir.Value
	}
	var undo []change
	set := func(k int, v ir.Value) {
		undo = append(undo, change{k, cur[k]})
		cur[k] = v
	}
	type frame struct {
		b    *ir.Block
		mark int
		kid  int
	}
	visit := func(b *ir.Block) {
		for _, phi := range newPhis[b.Index] {
			set(phiFor[phi], phi)
		}
		for _, in := range b.Instrs {
			switch in.Op {
			case ir.OpLoad:
				if a, ok := in.Ops[0].(*ir.Instr); ok {
					if k, ok := pidx[a]; ok {
						rep[in] = cur[k]
						dead[in] = true
					}
				}
			case ir.OpStore:
				if a, ok := in.Ops[1].(*ir.Instr); ok {
					if k, ok := pidx[a]; ok {
						set(k, rep.resolve(in.Ops[0]))
						dead[in] = true
					}
				}
			}
		}
		for _, s := range b.Succs() {
			for _, phi := range newPhis[s.Index] {
				phi.AddIncoming(cur[phiFor[phi]], b)
			}
		}
	}
	if len(dt.RPO()) > 0 {
		root := dt.RPO()[0]
		stack := []frame{{b: root}}
		visit(root)
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			kids := dt.Children(top.b)
			if top.kid < len(kids) {
				c := kids[top.kid]
				top.kid++
				stack = append(stack, frame{b: c, mark: len(undo)})
				visit(c)
				continue
			}
			for len(undo) > top.mark {
				u := undo[len(undo)-1]
				undo = undo[:len(undo)-1]
				cur[u.k] = u.old
			}
			stack = stack[:len(stack)-1]
		}
	}
	// Unreachable blocks: their loads read undef, their stores vanish, and
	// phis get undef entries for edges from them.
	for _, b := range f.Blocks {
		if dt.Reachable(b) {
			continue
		}
		for _, in := range b.Instrs {
			if in.Op == ir.OpLoad || in.Op == ir.OpStore {
				p := in.Ops[len(in.Ops)-1]
				if in.Op == ir.OpLoad {
					p = in.Ops[0]
				}
				if a, ok := p.(*ir.Instr); ok {
					if _, ok := pidx[a]; ok {
						if in.Op == ir.OpLoad {
							rep[in] = &ir.Undef{Typ: in.Typ}
						}
						dead[in] = true
					}
				}
			}
		}
		for _, s := range b.Succs() {
			for _, phi := range newPhis[s.Index] {
				phi.AddIncoming(&ir.Undef{Typ: phi.Typ}, b)
			}
		}
	}
	for _, a := range prom {
		dead[a] = true
	}
	// Insert the phis at the top of their blocks.
	for _, b := range f.Blocks {
		if ps := newPhis[b.Index]; len(ps) > 0 {
			for i, phi := range ps {
				b.Insert(i, phi)
			}
		}
	}
	removeInstrs(f, func(in *ir.Instr) bool { return dead[in] })
	rep.apply(f)
	return true
}
