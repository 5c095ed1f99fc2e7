package passes

import (
	"math"

	"gorc/ir"
)

// gvnKey identifies a pure computation: operation, type, predicate, flags
// and operands. Constants are keyed by value, other operands by identity.
type gvnKey struct {
	op    ir.Op
	pred  ir.Pred
	flags ir.Flags
	typ   string
	elem  string
	a, b  any
	c     any
	n     int
}

func operandKey(v ir.Value) any {
	switch c := v.(type) {
	case *ir.ConstFloat:
		return struct {
			bits uint64
			b    int
		}{math.Float64bits(c.V), c.Typ.Bits}
	case *ir.ConstInt:
		return struct {
			v int64
			b int
		}{c.V, c.Typ.Bits}
	}
	return v
}

func typeKey(t *ir.Type) string {
	switch t {
	case ir.F64:
		return "d"
	case ir.I1:
		return "b"
	case ir.Ptr:
		return "p"
	case ir.I32:
		return "w"
	case ir.I64:
		return "q"
	}
	if t == nil {
		return ""
	}
	return t.String()
}

// numbered assigns each non-constant operand a stable order for
// commutative canonicalisation.
func keyOf(in *ir.Instr, order map[ir.Value]int) (gvnKey, bool) {
	switch {
	case in.Op.IsBinary(), in.Op == ir.OpFCmp, in.Op == ir.OpICmp, in.Op == ir.OpFNeg, in.Op.IsCast(), in.Op == ir.OpSelect, in.Op == ir.OpGEP:
	default:
		return gvnKey{}, false
	}
	if len(in.Ops) > 3 || len(in.Ops) == 0 {
		return gvnKey{}, false
	}
	k := gvnKey{op: in.Op, pred: in.Pred, flags: in.Flags, typ: typeKey(in.Typ), n: len(in.Ops)}
	if in.ElemType != nil {
		k.elem = in.ElemType.String()
	}
	ops := in.Ops
	x, y := ops[0], ir.Value(nil)
	if len(ops) > 1 {
		y = ops[1]
	}
	if in.Op.IsCommutative() && y != nil && rank(y, order) < rank(x, order) {
		x, y = y, x
	}
	k.a = operandKey(x)
	if y != nil {
		k.b = operandKey(y)
	}
	if len(ops) > 2 {
		k.c = operandKey(ops[2])
	}
	return k, true
}

func rank(v ir.Value, order map[ir.Value]int) int {
	if isConst(v) {
		return math.MaxInt32
	}
	if r, ok := order[v]; ok {
		return r
	}
	return -1
}

// GVN removes redundant pure computations: an instruction that repeats
// one computed in a dominating block (or earlier in the same block) with
// the same operands is replaced by the earlier result. Commutative
// operands are compared in canonical order. Within a block it also
// forwards a stored or loaded value to a later load from the same pointer
// when no store to another pointer or call intervenes, and deletes
// identical phis of one block.
func GVN(f *ir.Function) bool {
	if f.IsDeclaration() {
		return false
	}
	dt := ir.NewDomTree(f)
	order := make(map[ir.Value]int, f.NumInstrs()+len(f.Params))
	n := 0
	for _, p := range f.Params {
		order[p] = n
		n++
	}
	for _, b := range dt.RPO() {
		for _, in := range b.Instrs {
			order[in] = n
			n++
		}
	}
	rep := replacer{}
	dead := make(map[*ir.Instr]bool)
	table := make(map[gvnKey]*ir.Instr)
	type undo struct {
		k    gvnKey
		prev *ir.Instr
		had  bool
	}
	var log []undo
	type frame struct {
		b    *ir.Block
		mark int
		kid  int
	}
	visit := func(b *ir.Block) {
		// identical phis
		phis := b.Phis()
		for i, p := range phis {
			for _, q := range phis[:i] {
				if !dead[q] && samePhi(p, q, rep) {
					rep[p] = q
					dead[p] = true
					break
				}
			}
		}
		avail := make(map[ir.Value]ir.Value) // ptr -> value known in memory
		for _, in := range b.Instrs {
			for i, v := range in.Ops {
				if _, ok := rep[v]; ok {
					in.Ops[i] = rep.resolve(v)
				}
			}
			switch in.Op {
			case ir.OpLoad:
				if v, ok := avail[in.Ops[0]]; ok && v.Type().Equal(in.Typ) {
					rep[in] = v
					dead[in] = true
					continue
				}
				avail[in.Ops[0]] = in
				continue
			case ir.OpStore:
				clear(avail)
				avail[in.Ops[1]] = in.Ops[0]
				continue
			case ir.OpCall:
				clear(avail)
				continue
			}
			k, ok := keyOf(in, order)
			if !ok {
				continue
			}
			if prev, found := table[k]; found {
				rep[in] = prev
				dead[in] = true
				continue
			}
			prev, had := table[k]
			log = append(log, undo{k, prev, had})
			table[k] = in
		}
	}
	if rpo := dt.RPO(); len(rpo) > 0 {
		stack := []frame{{b: rpo[0], mark: len(log)}}
		visit(rpo[0])
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			kids := dt.Children(top.b)
			if top.kid < len(kids) {
				c := kids[top.kid]
				top.kid++
				stack = append(stack, frame{b: c, mark: len(log)})
				visit(c)
				continue
			}
			for len(log) > top.mark {
				u := log[len(log)-1]
				log = log[:len(log)-1]
				if u.had {
					table[u.k] = u.prev
				} else {
					delete(table, u.k)
				}
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(dead) == 0 {
		return false
	}
	rep.apply(f)
	removeInstrs(f, func(in *ir.Instr) bool { return dead[in] })
	return true
}

func samePhi(p, q *ir.Instr, rep replacer) bool {
	if !p.Typ.Equal(q.Typ) || len(p.Ops) != len(q.Ops) {
		return false
	}
	for i := range p.Ops {
		v := q.Incoming(p.Blocks[i])
		if v == nil || !sameValue(rep.resolve(v), rep.resolve(p.Ops[i])) {
			return false
		}
	}
	return true
}
