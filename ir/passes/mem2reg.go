package passes

import (
	"slices"

	"github.com/gorc-jit/gorc/ir"
)

// promotable reports whether in is an alloca Mem2Reg may promote (if
// its uses allow).
func promotable(in *ir.Instr) bool {
	return in.Op == ir.OpAlloca && len(in.Ops) == 0 && in.ElemType.IsFirstClass() && !in.ElemType.IsAggregate()
}

// Mem2Reg promotes entry-block allocas whose only uses are loads and
// stores of the allocated type to SSA values, inserting phis at the
// iterated dominance frontier of the stores (Cytron et al.) and renaming
// along the dominator tree. Loads before any store read undef.
func Mem2Reg(f *ir.Function) bool {
	if f.IsDeclaration() {
		return false
	}
	entry := f.Blocks[0]
	// Nothing to promote (code built in SSA form): no walk over the rest.
	if !slices.ContainsFunc(entry.Instrs, promotable) {
		return false
	}
	// Scratch use of ID and Aux: ID = 0 normal, 1 dead, k+2 for promoted
	// alloca k; a removed load's Aux holds its replacement value.
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			in.ID, in.Aux = 0, nil
		}
	}
	var allocas []*ir.Instr
	for _, in := range entry.Instrs {
		if promotable(in) {
			in.ID = len(allocas) + 2
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
				if !ok || a.Op != ir.OpAlloca || a.ID < 2 {
					continue
				}
				switch {
				case in.Flags&ir.FlagVolatile != 0: // kept in memory
					bad[a.ID-2] = true
				case in.Op == ir.OpLoad && i == 0 && in.Typ.Equal(a.ElemType):
				case in.Op == ir.OpStore && i == 1 && in.Ops[0] != v && in.Ops[0].Type().Equal(a.ElemType):
				default:
					bad[a.ID-2] = true
				}
			}
		}
	}
	var prom []*ir.Instr
	for k, a := range allocas {
		if bad[k] {
			a.ID = 0
			continue
		}
		a.ID = len(prom) + 2
		prom = append(prom, a)
	}
	if len(prom) == 0 {
		return false
	}
	promoted := func(v ir.Value) int {
		if a, ok := v.(*ir.Instr); ok && a.Op == ir.OpAlloca && a.ID >= 2 {
			return a.ID - 2
		}
		return -1
	}
	resolve := func(v ir.Value) ir.Value {
		for {
			in, ok := v.(*ir.Instr)
			if !ok || in.Aux == nil {
				return v
			}
			v = in.Aux.(ir.Value)
		}
	}
	dt := ir.NewDomTree(f)
	defer dt.Release()
	df := dt.Frontiers()
	nb := len(f.Blocks)

	// Phi placement at the iterated dominance frontier of the stores.
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
				if k := promoted(in.Ops[1]); k >= 0 && seenDef[b.Index] != k {
					// seenDef dedups consecutive stores of the same alloca
					defBlocks[k] = append(defBlocks[k], b)
					seenDef[b.Index] = k
				}
			}
		}
	}
	hasPhi := make([]int, nb)
	inWork := make([]int, nb)
	for i := range hasPhi {
		hasPhi[i], inWork[i] = -1, -1
	}
	var work []*ir.Block
	for k, a := range prom {
		work = work[:0]
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

	// Renaming along the dominator tree, with an undo log of the current
	// value of each promoted alloca.
	cur := make([]ir.Value, len(prom))
	for k, a := range prom {
		cur[k] = &ir.Undef{Typ: a.ElemType}
	}
	type change struct {
		k   int
		old ir.Value
	}
	var undo []change
	set := func(k int, v ir.Value) {
		undo = append(undo, change{k, cur[k]})
		cur[k] = v
	}
	visit := func(b *ir.Block) {
		for _, phi := range newPhis[b.Index] {
			set(phiFor[phi], phi)
		}
		for _, in := range b.Instrs {
			switch in.Op {
			case ir.OpLoad:
				if k := promoted(in.Ops[0]); k >= 0 {
					in.Aux = cur[k]
					in.ID = 1
				}
			case ir.OpStore:
				if k := promoted(in.Ops[1]); k >= 0 {
					set(k, resolve(in.Ops[0]))
					in.ID = 1
				}
			}
		}
		for _, s := range b.Succs() {
			for _, phi := range newPhis[s.Index] {
				phi.AddIncoming(cur[phiFor[phi]], b)
			}
		}
	}
	walkDom(dt, &undo, visit, func(u change) { cur[u.k] = u.old })
	// Unreachable blocks: their loads read undef, their stores vanish, and
	// phis get undef entries for edges from them.
	for _, b := range f.Blocks {
		if dt.Reachable(b) {
			continue
		}
		for _, in := range b.Instrs {
			switch in.Op {
			case ir.OpLoad:
				if promoted(in.Ops[0]) >= 0 {
					in.Aux = &ir.Undef{Typ: in.Typ}
					in.ID = 1
				}
			case ir.OpStore:
				if promoted(in.Ops[1]) >= 0 {
					in.ID = 1
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
		a.ID = 1
	}
	// Insert the phis at the top of their blocks.
	for _, b := range f.Blocks {
		if ps := newPhis[b.Index]; len(ps) > 0 {
			for i, phi := range ps {
				b.Insert(i, phi)
			}
		}
	}
	removeInstrs(f, func(in *ir.Instr) bool { return in.ID == 1 })
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			for i, v := range in.Ops {
				if d, ok := v.(*ir.Instr); ok && d.Aux != nil {
					in.Ops[i] = resolve(v)
				}
			}
		}
	}
	return true
}
