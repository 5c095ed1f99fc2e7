package passes

import (
	"math"
	"sort"

	"github.com/gorc-jit/gorc/ir"
)

// reassociable reports whether in's operation may be regrouped: integer
// add, mul, and, or, xor always; fadd and fmul only with the reassoc and
// nsz fast-math flags (regrouping changes IEEE rounding otherwise).
func reassociable(in *ir.Instr) bool {
	switch in.Op {
	case ir.OpAdd, ir.OpMul, ir.OpAnd, ir.OpOr, ir.OpXor:
		return true
	case ir.OpFAdd, ir.OpFMul:
		return in.Flags&(ir.FlagReassoc|ir.FlagNSZ) == ir.FlagReassoc|ir.FlagNSZ
	}
	return false
}

// Reassociate regroups trees of one associative, commutative operation
// (see reassociable) so that constants are combined and operands appear
// in a canonical order: ((a op b) op c) op K with a, b, c sorted by rank
// (parameters first, then instructions in reverse-postorder position) and
// all constants folded into K. This exposes constant folding and common
// subexpressions to InstCombine and GVN, as LLVM's reassociate pass does.
func Reassociate(f *ir.Function) bool {
	if f.IsDeclaration() {
		return false
	}
	any := false
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			if reassociable(in) {
				any = true
				break
			}
		}
	}
	if !any {
		return false
	}
	uses := make(map[*ir.Instr]int)
	rankOf := make(map[ir.Value]int)
	n := 1
	for _, p := range f.Params {
		rankOf[p] = n
		n++
	}
	for _, b := range ir.ReversePostorder(f) {
		for _, in := range b.Instrs {
			rankOf[in] = n
			n++
		}
	}
	user := make(map[*ir.Instr]*ir.Instr)
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			for _, v := range in.Ops {
				if d, ok := v.(*ir.Instr); ok {
					uses[d]++
					user[d] = in
				}
			}
		}
	}
	sameKind := func(a, b *ir.Instr) bool {
		if a.Op != b.Op || len(a.Ops) != 2 {
			return false
		}
		return a.Op.IsIntBinary() || a.Flags == b.Flags
	}
	changed := false
	for _, b := range f.Blocks {
		for i := 0; i < len(b.Instrs); i++ {
			root := b.Instrs[i]
			if !reassociable(root) || len(root.Ops) != 2 {
				continue
			}
			if u := user[root]; uses[root] == 1 && u != nil && u.Block == b && sameKind(u, root) {
				continue // an inner node; its tree's root handles it
			}
			// Only handle tree roots: skip nodes whose single user is the
			// same operation (they are inner nodes of a larger tree).
			var leaves []ir.Value
			inner := 0
			var walk func(v ir.Value, depth int)
			walk = func(v ir.Value, depth int) {
				if d, ok := v.(*ir.Instr); ok && d != root && sameKind(d, root) && d.Block == b && uses[d] == 1 && depth < 64 {
					inner++
					walk(d.Ops[0], depth+1)
					walk(d.Ops[1], depth+1)
					return
				}
				leaves = append(leaves, v)
			}
			walk(root.Ops[0], 0)
			walk(root.Ops[1], 0)
			if inner == 0 {
				continue
			}
			var consts []ir.Value
			var vars []ir.Value
			for _, l := range leaves {
				if isConst(l) {
					consts = append(consts, l)
				} else {
					vars = append(vars, l)
				}
			}
			sort.SliceStable(vars, func(i, j int) bool { return rankOf[vars[i]] < rankOf[vars[j]] })
			var k ir.Value
			if len(consts) > 0 {
				k = consts[0]
				for _, c := range consts[1:] {
					k = foldConst(root.Op, root.Typ, k, c)
				}
				if isIdentity(root.Op, k) {
					k = nil
				}
			}
			ordered := vars
			if k != nil {
				ordered = append(ordered, k)
			}
			if len(ordered) == 0 {
				continue
			}
			if len(ordered) == 1 {
				// the whole tree folded to one value: root = v op identity
				ordered = append(ordered, identity(root.Op, root.Typ))
			}
			// Already canonical?
			if len(consts) <= 1 && sameOrder(root, ordered, b, uses) {
				continue
			}
			if root.Op.IsIntBinary() {
				root.Flags = 0 // nsw/nuw may not hold after regrouping
			}
			acc := ordered[0]
			pos := i
			for _, v := range ordered[1 : len(ordered)-1] {
				t := &ir.Instr{Op: root.Op, Typ: root.Typ, Flags: root.Flags, Name: "reass", Ops: []ir.Value{acc, v}}
				b.Insert(pos, t)
				rankOf[t] = rankOf[root]
				uses[t] = 1
				pos++
				acc = t
			}
			root.Ops = []ir.Value{acc, ordered[len(ordered)-1]}
			i = pos
			changed = true
		}
	}
	if changed {
		DCE(f)
	}
	return changed
}

// sameOrder reports whether the tree at root already has the left-leaning
// shape with operands in the given order.
func sameOrder(root *ir.Instr, ordered []ir.Value, b *ir.Block, uses map[*ir.Instr]int) bool {
	cur := root
	for i := len(ordered) - 1; i >= 1; i-- {
		if cur.Ops[1] != ordered[i] {
			return false
		}
		if i == 1 {
			return cur.Ops[0] == ordered[0]
		}
		d, ok := cur.Ops[0].(*ir.Instr)
		if !ok || d.Op != root.Op {
			return false
		}
		cur = d
	}
	return true
}

func identity(op ir.Op, t *ir.Type) ir.Value {
	switch op {
	case ir.OpMul:
		return ir.NewInt(t, 1)
	case ir.OpAnd:
		return ir.NewInt(t, -1)
	case ir.OpFMul:
		return fconst(t, 1)
	case ir.OpFAdd:
		return fconst(t, math.Copysign(0, -1))
	}
	return ir.NewInt(t, 0)
}

func isIdentity(op ir.Op, k ir.Value) bool {
	switch op {
	case ir.OpAdd, ir.OpOr, ir.OpXor:
		return isIntConst(k, 0)
	case ir.OpMul:
		return isIntConst(k, 1)
	case ir.OpAnd:
		c, ok := constI(k)
		return ok && uint64(c)&mask(k.Type().Bits) == mask(k.Type().Bits)
	case ir.OpFMul:
		return isFloatConst(k, 1)
	case ir.OpFAdd:
		c, ok := constF(k)
		return ok && c == 0 // nsz holds for reassociable fadds
	}
	return false
}

func foldConst(op ir.Op, t *ir.Type, x, y ir.Value) ir.Value {
	in := &ir.Instr{Op: op, Typ: t, Ops: []ir.Value{x, y}}
	if v, _ := simplify(in); v != nil && isConst(v) {
		return v
	}
	return x
}
