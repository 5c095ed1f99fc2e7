package passes

import "github.com/gorc-jit/gorc/ir"

// replacer records value replacements and applies them to a function in
// one sweep, so passes need no use lists.
type replacer map[ir.Value]ir.Value

// resolve follows replacement chains.
func (r replacer) resolve(v ir.Value) ir.Value {
	for i := 0; i < 1000; i++ {
		n, ok := r[v]
		if !ok || n == v {
			return v
		}
		v = n
	}
	return v
}

// apply rewrites every operand of f through r.
func (r replacer) apply(f *ir.Function) {
	if len(r) == 0 {
		return
	}
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			for i, v := range in.Ops {
				if _, ok := r[v]; ok {
					in.Ops[i] = r.resolve(v)
				}
			}
		}
	}
}

// renamePred makes the phis of s take the values they took from block
// from as coming from block to, for when to replaces from as a
// predecessor of s.
func renamePred(s, from, to *ir.Block) {
	for _, phi := range s.Phis() {
		for i, p := range phi.Blocks {
			if p == from {
				phi.Blocks[i] = to
			}
		}
	}
}

// removeInstrs deletes the instructions for which dead returns true.
func removeInstrs(f *ir.Function, dead func(*ir.Instr) bool) bool {
	changed := false
	for _, b := range f.Blocks {
		j := 0
		for _, in := range b.Instrs {
			if dead(in) {
				changed = true
				continue
			}
			b.Instrs[j] = in
			j++
		}
		for k := j; k < len(b.Instrs); k++ {
			b.Instrs[k] = nil
		}
		b.Instrs = b.Instrs[:j]
	}
	return changed
}

// isConst reports whether v is a constant number (int or float).
func isConst(v ir.Value) bool {
	switch v.(type) {
	case *ir.ConstInt, *ir.ConstFloat:
		return true
	}
	return false
}

func constF(v ir.Value) (float64, bool) {
	c, ok := v.(*ir.ConstFloat)
	if !ok {
		return 0, false
	}
	return c.V, true
}

func constI(v ir.Value) (int64, bool) {
	c, ok := v.(*ir.ConstInt)
	if !ok {
		return 0, false
	}
	return c.V, true
}

// removePhiEntriesFrom deletes the phi entries of blk that come from pred.
func removePhiEntriesFrom(blk, pred *ir.Block) {
	for _, phi := range blk.Phis() {
		phi.RemoveIncoming(pred)
	}
}

// removeOnePhiEntry deletes one phi entry of blk coming from pred (used
// when one of two parallel edges disappears).
func removeOnePhiEntry(blk, pred *ir.Block) {
	for _, phi := range blk.Phis() {
		for i, p := range phi.Blocks {
			if p == pred {
				phi.Ops = append(phi.Ops[:i], phi.Ops[i+1:]...)
				phi.Blocks = append(phi.Blocks[:i], phi.Blocks[i+1:]...)
				break
			}
		}
	}
}
