package passes

import (
	"math"
	"sync"

	"github.com/gorc-jit/gorc/ir"
)

// DCE deletes instructions whose results are unused and which have no side
// effects (everything but calls, stores and terminators), including
// cycles of dead phis: it marks live values from the side-effecting roots
// and sweeps the rest.
func DCE(f *ir.Function) bool {
	if f.IsDeclaration() {
		return false
	}
	// Marks live instructions in the scratch ID field (1 = live): a map
	// per function cost more than the whole walk.
	wp := workPool.Get().(*[]*ir.Instr)
	work := (*wp)[:0]
	defer func() {
		clear(work[:cap(work)]) // keep no instructions alive
		*wp = work[:0]
		workPool.Put(wp)
	}()
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			in.ID = 0
			if in.HasSideEffects() {
				in.ID = 1
				work = append(work, in)
			}
		}
	}
	for len(work) > 0 {
		in := work[len(work)-1]
		work = work[:len(work)-1]
		for _, v := range in.Ops {
			if d, ok := v.(*ir.Instr); ok && d.ID != 1 {
				d.ID = 1
				work = append(work, d)
			}
		}
	}
	// The sweep (removeInstrs with the test inline): blocks with nothing
	// dead are not written.
	changed := false
	for _, b := range f.Blocks {
		j := 0
		for i, in := range b.Instrs {
			if in.ID != 1 {
				continue
			}
			if j != i {
				b.Instrs[j] = in
			}
			j++
		}
		if j < len(b.Instrs) {
			clear(b.Instrs[j:])
			b.Instrs = b.Instrs[:j]
			changed = true
		}
	}
	return changed
}

// InstCombine folds constant expressions and applies local algebraic
// simplifications that are exact under IEEE-754 (x*1 = x, x+(-0) = x,
// -(-x) = x, fcmp one (uitofp i1 c), 0 = c, fcmp one (uitofp i1 a) *
// (uitofp i1 b), 0 = a & b, select on a constant, phis
// whose inputs agree, integer identities), and canonicalises commutative
// operations and comparisons to put constants on the right. It repeats
// until nothing changes: rounds over the function in reverse postorder,
// the last one either changing nothing or one after which a further
// round provably would not (no operand replaced after its user was
// visited, every rewrite in place left in a form simplify leaves alone),
// which saves most functions the confirming round.
func InstCombine(f *ir.Function) bool {
	changed, _ := instCombine(f)
	return changed
}

// instCombine is InstCombine that also reports whether it stopped because
// a round changed nothing (f is a fixpoint: running it again changes
// nothing) rather than at its limit of rounds (Pass.Settle).
func instCombine(f *ir.Function) (changed, settled bool) {
	changed, settled, _ = instCombineRounds(f)
	return changed, settled
}

// instCombineRounds is instCombine that also counts the rounds it ran
// (walks over every instruction).
func instCombineRounds(f *ir.Function) (changed, settled bool, rounds int) {
	if f.IsDeclaration() {
		return false, true, 0
	}
	// InstCombine never changes the CFG (it rewrites operands and
	// deletes instructions, never a terminator's targets), so one block
	// order serves every round. A replaced instruction holds its
	// replacement in its Aux slot (a map from values was a third of the
	// pass's time).
	buf := rpoPool.Get().(*[]*ir.Block)
	rpo := ir.ReversePostorderInto(f, *buf)
	defer func() {
		clear(rpo) // keep no blocks alive
		*buf = rpo[:0]
		rpoPool.Put(buf)
	}()
	// Every block is in rpo unless some are unreachable; only then does
	// a round need resolveAndSweep's walk over f.Blocks (see below).
	// The round's state comes from a pool (it would not stay on the
	// stack: its methods write it through a pointer).
	r := icRoundPool.Get().(*icRound)
	*r = icRound{allReachable: len(rpo) == len(f.Blocks), phis: r.phis[:0]}
	defer func() {
		if r.probe != nil {
			probePool.Put(r.probe)
			r.probe = nil
		}
		icRoundPool.Put(r)
	}()
	// keptAux: some instruction still in f holds a replacement in its
	// Aux slot (a replaced one with side effects, which is not deleted),
	// so the slots must be cleared before the next round and at the end.
	r.keptAux = true // (whatever the previous pass left)
	for round := 0; round < 16; round++ {
		rounds++
		if r.keptAux {
			clearAux(f)
			r.keptAux = false
		}
		// final: a further round would change nothing (see below), so
		// this one need not be followed by a confirming round.
		r.replaced, r.progress, r.final = false, false, true
		r.phis = r.phis[:0]
		for _, b := range rpo {
			r.block(b)
		}
		if !r.progress {
			clear(r.phis)
			return changed, true, rounds
		}
		changed = true
		if r.replaced {
			if !r.allReachable {
				if resolveAndSweep(f) {
					r.final = false
				}
			} else if resolvePhis(r.phis) {
				r.final = false
			}
		}
		clear(r.phis)
		if r.final {
			// Every instruction this round kept was simplified with
			// its final operands (no operand was replaced after its
			// user was visited), and every one rewritten in place is
			// one simplify leaves alone: the next round would change
			// nothing.
			if r.keptAux {
				clearAux(f)
			}
			return true, true, rounds
		}
	}
	if r.keptAux {
		clearAux(f)
	}
	return changed, false, rounds
}

// icRound is the state of one of instcombine's rounds, which its walk over
// a block (block) updates: kept out of the walk's registers, which the
// call of simplify for every instruction would otherwise save and
// restore (most of the walk's own instructions).
type icRound struct {
	// allReachable: every block is in the round's order.
	allReachable bool
	// replaced: an instruction was replaced this round; progress:
	// something changed; final: no further round is needed (see
	// instCombineRounds); keptAux: see instCombineRounds.
	replaced, progress, final, keptAux bool
	// phis are the phis visited in the round: the only instructions
	// whose operands may be replaced after their visit (a value from a
	// back edge) when every block is in the order.
	phis  []*ir.Instr // (cleared after each round)
	probe *probeInstr // settledAfterRewrite's scratch, from probePool
}

// block is the round's walk over b: operands resolved (once something
// was replaced), instructions simplified, and a replaced instruction
// without side effects, dead once its uses point at the replacement,
// deleted (with every block reachable; the kept ones move down).
func (r *icRound) block(b *ir.Block) {
	instrs := b.Instrs
	j := 0
	for i, in := range instrs {
		if r.replaced {
			for k, v := range in.Ops {
				if x, ok := v.(*ir.Instr); ok && x.Aux != nil {
					in.Ops[k] = resolveAux(x)
				}
			}
		}
		if in.HasResult() && r.simplify(in) {
			continue // deleted
		}
		if j != i {
			instrs[j] = in
		}
		j++
	}
	if j < len(instrs) {
		clear(instrs[j:])
		b.Instrs = instrs[:j]
	}
}

// simplify simplifies in (which has a result) for the round and reports
// whether in is to be deleted.
func (r *icRound) simplify(in *ir.Instr) (deleted bool) {
	if in.Op == ir.OpPhi {
		r.phis = append(r.phis, in)
	}
	v, mod := simplify(in)
	if v != nil && v != ir.Value(in) {
		in.Aux = v
		r.replaced, r.progress = true, true
		if r.allReachable && !in.HasSideEffects() {
			return true
		}
		r.keptAux = true
	} else if mod {
		r.progress = true
		if r.probe == nil {
			r.probe = probePool.Get().(*probeInstr)
		}
		if r.final && !settledAfterRewrite(in, r.probe) {
			r.final = false
		}
	}
	return false
}

// resolvePhis points the operands of phis at their final replacements
// after a round over every block of a function in reverse postorder,
// which resolved every other operand when it visited its user: in SSA
// form a value that is not a phi's incoming value is defined before its
// uses in that order, so only a phi (through a back edge) can have an
// operand replaced after its visit. It reports what resolveAndSweep
// would (an operand of a kept, not replaced, instruction changed).
func resolvePhis(phis []*ir.Instr) (late bool) {
	for _, in := range phis {
		for i, v := range in.Ops {
			if x, ok := v.(*ir.Instr); ok && x.Aux != nil {
				in.Ops[i] = resolveAux(x)
				late = late || in.Aux == nil
			}
		}
	}
	return late
}

// resolveAndSweep points every operand of f at its final replacement
// (resolveAux) and deletes the replaced instructions without side effects
// (they are dead), in one walk over f's instructions: a replaced
// instruction's Aux slot is all the deletion reads, and resolving operands
// never changes an Aux slot, so this is the separate resolving walk
// followed by removeInstrs, without the second pass over every block.
//
// It reports whether it changed an operand of an instruction it kept:
// that instruction was simplified with an operand that was replaced later
// in the round (a phi's value from a back edge, or any instruction of a
// block the walk in reverse postorder did not visit), so another round
// may simplify it further.
func resolveAndSweep(f *ir.Function) (late bool) {
	for _, b := range f.Blocks {
		j := 0
		for _, in := range b.Instrs {
			for i, v := range in.Ops {
				if x, ok := v.(*ir.Instr); ok && x.Aux != nil {
					in.Ops[i] = resolveAux(x)
					late = late || in.Aux == nil
				}
			}
			if in.Aux != nil && !in.HasSideEffects() {
				continue
			}
			b.Instrs[j] = in
			j++
		}
		clear(b.Instrs[j:])
		b.Instrs = b.Instrs[:j]
	}
	return late
}

// settledAfterRewrite reports whether simplify, which has just rewritten
// in in place, would leave it alone if run on it again: it runs simplify
// on a copy of in (in probe, reused, with the operands in probe's own
// storage), so in is not touched. A rewrite that leaves a form simplify takes
// further (x/-1 to x*-1 to fneg x, icmp's swap of a constant to the
// right before the zext rule) then takes the next round, as before; one
// that does not (most: commutative operands swapped, fsub -0, x to fneg
// x) needs no confirming round.
func settledAfterRewrite(in *ir.Instr, probe *probeInstr) bool {
	p := &probe.in
	*p = *in
	p.Aux = nil
	p.Ops = append(probe.ops[:0:len(probe.ops)], in.Ops...)
	v, mod := simplify(p)
	*probe = probeInstr{} // keep no values alive
	return v == nil && !mod
}

// probeInstr is settledAfterRewrite's copy of an instruction, with room
// for its operands.
type probeInstr struct {
	in  ir.Instr
	ops [4]ir.Value
}

// icRoundPool recycles instcombine's round states.
var icRoundPool = sync.Pool{New: func() any { return &icRound{phis: make([]*ir.Instr, 0, 16)} }}

// probePool recycles settledAfterRewrite's copies.
var probePool = sync.Pool{New: func() any { return new(probeInstr) }}

// workPool recycles DCE's work lists.
var workPool = sync.Pool{New: func() any { return new([]*ir.Instr) }}

// rpoPool recycles instcombine's block orders.
var rpoPool = sync.Pool{New: func() any { return new([]*ir.Block) }}

// clearAux empties the Aux slot of every instruction of f, writing only
// those that are not empty (most are: an interface's two words stored
// with a write barrier's check for each instruction cost more than the
// test).
func clearAux(f *ir.Function) {
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			if in.Aux != nil {
				in.Aux = nil
			}
		}
	}
}

// resolveAux follows the replacements recorded in Aux slots from x (as
// replacer.resolve does for a map).
func resolveAux(x *ir.Instr) ir.Value {
	var v ir.Value = x
	for i := 0; i < 1000; i++ {
		in, ok := v.(*ir.Instr)
		if !ok || in.Aux == nil {
			return v
		}
		n := in.Aux.(ir.Value)
		if n == v {
			return v
		}
		v = n
	}
	return v
}

func evalFCmp(p ir.Pred, a, b float64) bool {
	uno := math.IsNaN(a) || math.IsNaN(b)
	switch p {
	case ir.FCmpFalse:
		return false
	case ir.FCmpTrue:
		return true
	case ir.FCmpOEQ:
		return !uno && a == b
	case ir.FCmpOGT:
		return !uno && a > b
	case ir.FCmpOGE:
		return !uno && a >= b
	case ir.FCmpOLT:
		return !uno && a < b
	case ir.FCmpOLE:
		return !uno && a <= b
	case ir.FCmpONE:
		return !uno && a != b
	case ir.FCmpORD:
		return !uno
	case ir.FCmpUNO:
		return uno
	case ir.FCmpUEQ:
		return uno || a == b
	case ir.FCmpUGT:
		return uno || a > b
	case ir.FCmpUGE:
		return uno || a >= b
	case ir.FCmpULT:
		return uno || a < b
	case ir.FCmpULE:
		return uno || a <= b
	case ir.FCmpUNE:
		return uno || a != b
	}
	return false
}

func mask(bits int) uint64 {
	if bits >= 64 {
		return ^uint64(0)
	}
	return 1<<uint(bits) - 1
}

func evalICmp(p ir.Pred, bits int, a, b int64) bool {
	ua, ub := uint64(a)&mask(bits), uint64(b)&mask(bits)
	switch p {
	case ir.ICmpEQ:
		return ua == ub
	case ir.ICmpNE:
		return ua != ub
	case ir.ICmpUGT:
		return ua > ub
	case ir.ICmpUGE:
		return ua >= ub
	case ir.ICmpULT:
		return ua < ub
	case ir.ICmpULE:
		return ua <= ub
	case ir.ICmpSGT:
		return a > b
	case ir.ICmpSGE:
		return a >= b
	case ir.ICmpSLT:
		return a < b
	case ir.ICmpSLE:
		return a <= b
	}
	return false
}

// inversePred returns the predicate that is true exactly when p is false.
func inversePred(p ir.Pred) ir.Pred {
	switch p {
	case ir.FCmpFalse:
		return ir.FCmpTrue
	case ir.FCmpTrue:
		return ir.FCmpFalse
	case ir.FCmpOEQ:
		return ir.FCmpUNE
	case ir.FCmpUNE:
		return ir.FCmpOEQ
	case ir.FCmpOGT:
		return ir.FCmpULE
	case ir.FCmpULE:
		return ir.FCmpOGT
	case ir.FCmpOGE:
		return ir.FCmpULT
	case ir.FCmpULT:
		return ir.FCmpOGE
	case ir.FCmpOLT:
		return ir.FCmpUGE
	case ir.FCmpUGE:
		return ir.FCmpOLT
	case ir.FCmpOLE:
		return ir.FCmpUGT
	case ir.FCmpUGT:
		return ir.FCmpOLE
	case ir.FCmpONE:
		return ir.FCmpUEQ
	case ir.FCmpUEQ:
		return ir.FCmpONE
	case ir.FCmpORD:
		return ir.FCmpUNO
	case ir.FCmpUNO:
		return ir.FCmpORD
	case ir.ICmpEQ:
		return ir.ICmpNE
	case ir.ICmpNE:
		return ir.ICmpEQ
	case ir.ICmpUGT:
		return ir.ICmpULE
	case ir.ICmpULE:
		return ir.ICmpUGT
	case ir.ICmpUGE:
		return ir.ICmpULT
	case ir.ICmpULT:
		return ir.ICmpUGE
	case ir.ICmpSGT:
		return ir.ICmpSLE
	case ir.ICmpSLE:
		return ir.ICmpSGT
	case ir.ICmpSGE:
		return ir.ICmpSLT
	case ir.ICmpSLT:
		return ir.ICmpSGE
	}
	return p
}

func fconst(t *ir.Type, v float64) *ir.ConstFloat {
	if t.Bits == 32 {
		v = float64(float32(v))
	}
	return &ir.ConstFloat{Typ: t, V: v}
}

func isFloatConst(v ir.Value, want float64) bool {
	c, ok := constF(v)
	return ok && c == want && math.Signbit(c) == math.Signbit(want)
}

// isFloat is isFloatConst of a value whose constF gave c, ok.
func isFloat(c float64, ok bool, want float64) bool {
	return ok && c == want && math.Signbit(c) == math.Signbit(want)
}

func isIntConst(v ir.Value, want int64) bool {
	c, ok := constI(v)
	return ok && c == want
}

// simplify returns a value to replace in with (or nil), and whether in was
// modified in place.
func simplify(in *ir.Instr) (ir.Value, bool) {
	ops := in.Ops
	switch op := in.Op; {
	case op.IsFloatBinary():
		if len(ops) != 2 {
			return nil, false
		}
		x, y := ops[0], ops[1]
		a, aok := constF(x)
		b, bok := constF(y)
		if aok && bok {
			var r float64
			switch op {
			case ir.OpFAdd:
				r = a + b
			case ir.OpFSub:
				r = a - b
			case ir.OpFMul:
				r = a * b
			case ir.OpFDiv:
				r = a / b
			case ir.OpFRem:
				r = math.Mod(a, b)
			}
			if in.Typ.Bits == 32 {
				r = float64(float32(r))
			}
			return fconst(in.Typ, r), false
		}
		mod := false
		if op.IsCommutative() && aok && !bok {
			in.Ops[0], in.Ops[1] = y, x
			x, y = y, x
			b, bok = a, aok
			mod = true
		}
		// b (bok) is y's constant, and a (aok) x's where x was not
		// swapped (fsub): isFloat tests them as isFloatConst would.
		switch op {
		case ir.OpFAdd:
			if isFloat(b, bok, math.Copysign(0, -1)) {
				return x, mod
			}
			if in.Flags&ir.FlagNSZ != 0 && isFloat(b, bok, 0) {
				return x, mod
			}
		case ir.OpFSub:
			if isFloat(b, bok, 0) {
				return x, mod
			}
			if isFloat(a, aok, math.Copysign(0, -1)) {
				// (In place: in's operand list is its own, as the
				// swaps above assume.)
				in.Ops[0] = y
				in.Op, in.Ops = ir.OpFNeg, in.Ops[:1]
				return nil, true
			}
		case ir.OpFMul:
			if isFloat(b, bok, 1) {
				return x, mod
			}
			if isFloat(b, bok, -1) {
				in.Ops[0] = x
				in.Op, in.Ops = ir.OpFNeg, in.Ops[:1]
				return nil, true
			}
			if isFloat(b, bok, 2) {
				// x*2 -> x+x (exact)
				in.Ops[0], in.Ops[1] = x, x
				in.Op = ir.OpFAdd
				return nil, true
			}
		case ir.OpFDiv:
			if isFloat(b, bok, 1) {
				return x, mod
			}
			if bok && b != 0 && !math.IsInf(b, 0) && !math.IsNaN(b) {
				// x / 2^k -> x * 2^-k (exact when the reciprocal is exact)
				fr, exp := math.Frexp(b)
				if math.Abs(fr) == 0.5 && exp-1 > -1022 && exp-1 < 1023 {
					in.Op = ir.OpFMul
					in.Ops = []ir.Value{x, fconst(in.Typ, 1/b)}
					return nil, true
				}
			}
		}
		return nil, mod
	case op == ir.OpFNeg:
		if len(ops) != 1 {
			return nil, false
		}
		if a, ok := constF(ops[0]); ok {
			return fconst(in.Typ, -a), false
		}
		if d, ok := ops[0].(*ir.Instr); ok && d.Op == ir.OpFNeg && len(d.Ops) == 1 {
			return d.Ops[0], false
		}
	case op.IsIntBinary():
		return simplifyInt(in)
	case op == ir.OpFCmp:
		if len(ops) != 2 {
			return nil, false
		}
		if in.Pred == ir.FCmpTrue {
			return ir.True, false
		}
		if in.Pred == ir.FCmpFalse {
			return ir.False, false
		}
		a, aok := constF(ops[0])
		b, bok := constF(ops[1])
		if aok && bok {
			return boolConst(evalFCmp(in.Pred, a, b)), false
		}
		mod := false
		if aok && !bok {
			in.Ops[0], in.Ops[1] = ops[1], ops[0]
			in.Pred = in.Pred.Swapped()
			mod = true
		}
		// fcmp one/une (uitofp i1 c), 0.0 -> c ; oeq/ueq -> not c
		if isFloatConst(in.Ops[1], 0) || isFloatConst(in.Ops[1], math.Copysign(0, -1)) {
			if d, ok := in.Ops[0].(*ir.Instr); ok && (d.Op == ir.OpUIToFP || d.Op == ir.OpSIToFP) && len(d.Ops) == 1 && d.Ops[0].Type().Equal(ir.I1) {
				c := d.Ops[0]
				switch in.Pred {
				case ir.FCmpONE, ir.FCmpUNE:
					return c, mod
				case ir.FCmpOEQ, ir.FCmpUEQ:
					// c is never NaN: rewrite as xor c, true
					in.Op, in.Pred, in.Ops, in.Flags = ir.OpXor, 0, []ir.Value{c, ir.True}, 0
					return nil, true
				}
			}
			// fcmp one/une (fmul (uitofp i1 a), (uitofp i1 b)), 0.0 ->
			// and a, b: the product of two booleans is 1.0 or +0.0
			// (Kaleidoscope's (x < y) * (z < w) as a condition).
			if d, ok := in.Ops[0].(*ir.Instr); ok && d.Op == ir.OpFMul && len(d.Ops) == 2 && (in.Pred == ir.FCmpONE || in.Pred == ir.FCmpUNE) {
				a, aok := boolOfUIToFP(d.Ops[0])
				b, bok := boolOfUIToFP(d.Ops[1])
				if aok && bok {
					in.Op, in.Pred, in.Ops, in.Flags = ir.OpAnd, 0, []ir.Value{a, b}, 0
					return nil, true
				}
			}
		}
		return nil, mod
	case op == ir.OpICmp:
		if len(ops) != 2 {
			return nil, false
		}
		a, aok := constI(ops[0])
		b, bok := constI(ops[1])
		if aok && bok && ops[0].Type().IsInt() {
			return boolConst(evalICmp(in.Pred, ops[0].Type().Bits, a, b)), false
		}
		if ops[0] == ops[1] {
			switch in.Pred {
			case ir.ICmpEQ, ir.ICmpUGE, ir.ICmpULE, ir.ICmpSGE, ir.ICmpSLE:
				return ir.True, false
			default:
				return ir.False, false
			}
		}
		if aok && !bok {
			in.Ops[0], in.Ops[1] = ops[1], ops[0]
			in.Pred = in.Pred.Swapped()
			return nil, true
		}
		// icmp ne (zext i1 c), 0 -> c
		if isIntConst(ops[1], 0) {
			if d, ok := ops[0].(*ir.Instr); ok && d.Op == ir.OpZExt && d.Ops[0].Type().Equal(ir.I1) {
				if in.Pred == ir.ICmpNE {
					return d.Ops[0], false
				}
			}
		}
	case op.IsCast():
		if len(ops) != 1 {
			return nil, false
		}
		return foldCast(in)
	case op == ir.OpSelect:
		if len(ops) != 3 {
			return nil, false
		}
		if c, ok := constI(ops[0]); ok {
			if c&1 != 0 {
				return ops[1], false
			}
			return ops[2], false
		}
		if ops[1] == ops[2] {
			return ops[1], false
		}
	case op == ir.OpPhi:
		var same ir.Value
		for _, v := range ops {
			if v == ir.Value(in) {
				continue
			}
			if _, ok := v.(*ir.Undef); ok {
				continue
			}
			if same == nil {
				same = v
			} else if !sameValue(same, v) {
				return nil, false
			}
		}
		if same == nil {
			if len(ops) == 0 {
				return nil, false
			}
			return &ir.Undef{Typ: in.Typ}, false
		}
		// Replacing a phi by a value defined in another block is only safe
		// if that value dominates the phi; instructions from undef-fed
		// paths might not, so only fold undef-free phis to instructions.
		if _, isInstr := same.(*ir.Instr); isInstr {
			for _, v := range ops {
				if _, ok := v.(*ir.Undef); ok {
					return nil, false
				}
			}
		}
		return same, false
	}
	return nil, false
}

// sameValue reports whether a and b are the same value or equal constants.
// boolOfUIToFP returns c if v is uitofp i1 c.
func boolOfUIToFP(v ir.Value) (ir.Value, bool) {
	if d, ok := v.(*ir.Instr); ok && d.Op == ir.OpUIToFP && len(d.Ops) == 1 && d.Ops[0].Type().Equal(ir.I1) {
		return d.Ops[0], true
	}
	return nil, false
}

func sameValue(a, b ir.Value) bool {
	if a == b {
		return true
	}
	switch x := a.(type) {
	case *ir.ConstFloat:
		y, ok := b.(*ir.ConstFloat)
		return ok && x.Typ.Equal(y.Typ) && math.Float64bits(x.V) == math.Float64bits(y.V)
	case *ir.ConstInt:
		y, ok := b.(*ir.ConstInt)
		return ok && x.Typ.Equal(y.Typ) && x.V == y.V
	}
	return false
}

func boolConst(b bool) *ir.ConstInt {
	if b {
		return ir.True
	}
	return ir.False
}

func simplifyInt(in *ir.Instr) (ir.Value, bool) {
	if len(in.Ops) != 2 || !in.Typ.IsInt() {
		return nil, false
	}
	t := in.Typ
	x, y := in.Ops[0], in.Ops[1]
	a, aok := constI(x)
	b, bok := constI(y)
	bits := t.Bits
	if aok && bok {
		ua, ub := uint64(a)&mask(bits), uint64(b)&mask(bits)
		var r int64
		switch in.Op {
		case ir.OpAdd:
			r = a + b
		case ir.OpSub:
			r = a - b
		case ir.OpMul:
			r = a * b
		case ir.OpAnd:
			r = a & b
		case ir.OpOr:
			r = a | b
		case ir.OpXor:
			r = a ^ b
		case ir.OpSDiv, ir.OpSRem:
			if b == 0 || (b == -1 && a == ir.NormInt(t, math.MinInt64)) {
				return nil, false
			}
			if in.Op == ir.OpSDiv {
				r = a / b
			} else {
				r = a % b
			}
		case ir.OpUDiv, ir.OpURem:
			if ub == 0 {
				return nil, false
			}
			if in.Op == ir.OpUDiv {
				r = int64(ua / ub)
			} else {
				r = int64(ua % ub)
			}
		case ir.OpShl, ir.OpLShr, ir.OpAShr:
			if ub >= uint64(bits) {
				return nil, false
			}
			switch in.Op {
			case ir.OpShl:
				r = int64(ua << ub)
			case ir.OpLShr:
				r = int64(ua >> ub)
			default:
				r = a >> ub
			}
		}
		return ir.NewInt(t, r), false
	}
	mod := false
	if in.Op.IsCommutative() && aok && !bok {
		in.Ops[0], in.Ops[1] = y, x
		x, y = y, x
		b, bok = a, aok
		mod = true
	}
	switch in.Op {
	case ir.OpAdd, ir.OpOr, ir.OpXor, ir.OpSub, ir.OpShl, ir.OpLShr, ir.OpAShr:
		if bok && b == 0 {
			return x, mod
		}
		if (in.Op == ir.OpSub || in.Op == ir.OpXor) && x == y {
			return ir.NewInt(t, 0), mod
		}
		if in.Op == ir.OpOr && x == y {
			return x, mod
		}
	case ir.OpMul:
		if bok && b == 1 {
			return x, mod
		}
		if bok && b == 0 {
			return ir.NewInt(t, 0), mod
		}
	case ir.OpAnd:
		if bok && b == 0 {
			return ir.NewInt(t, 0), mod
		}
		if bok && uint64(b)&mask(bits) == mask(bits) {
			return x, mod
		}
		if x == y {
			return x, mod
		}
	case ir.OpSDiv, ir.OpUDiv:
		if bok && b == 1 {
			return x, mod
		}
	}
	// xor (fcmp/icmp p), true -> the inverse comparison, if single-use is
	// unknown we build it in place of the xor.
	if in.Op == ir.OpXor && t.Bits == 1 && bok && b&1 == 1 {
		if d, ok := x.(*ir.Instr); ok && (d.Op == ir.OpFCmp || d.Op == ir.OpICmp) {
			in.Op, in.Pred, in.Ops, in.Flags = d.Op, inversePred(d.Pred), []ir.Value{d.Ops[0], d.Ops[1]}, d.Flags
			return nil, true
		}
	}
	return nil, mod
}

func foldCast(in *ir.Instr) (ir.Value, bool) {
	x := in.Ops[0]
	to := in.Typ
	from := x.Type()
	if to == ir.F80 {
		return nil, false // float64 folding would round: x86_fp80 constants are never folded
	}
	if a, ok := constI(x); ok && from.IsInt() {
		u := uint64(a) & mask(from.Bits)
		switch in.Op {
		case ir.OpUIToFP:
			return fconst(to, float64(u)), false
		case ir.OpSIToFP:
			if from.Bits == 1 {
				return fconst(to, -float64(u)), false
			}
			return fconst(to, float64(a)), false
		case ir.OpZExt:
			return ir.NewInt(to, int64(u)), false
		case ir.OpSExt:
			if from.Bits == 1 {
				return ir.NewInt(to, -int64(u)), false
			}
			return ir.NewInt(to, a), false
		case ir.OpTrunc:
			return ir.NewInt(to, a), false
		}
	}
	if a, ok := constF(x); ok && to.IsInt() {
		t := math.Trunc(a)
		switch in.Op {
		case ir.OpFPToSI:
			lim := math.Ldexp(1, to.Bits-1)
			if !math.IsNaN(t) && t >= -lim && t < lim {
				return ir.NewInt(to, int64(t)), false
			}
		case ir.OpFPToUI:
			lim := math.Ldexp(1, to.Bits)
			if !math.IsNaN(t) && t >= 0 && t < lim && t < math.Ldexp(1, 63) {
				return ir.NewInt(to, int64(uint64(t))), false
			}
		}
	}
	if a, ok := constF(x); ok && to.IsFloat() {
		switch in.Op {
		case ir.OpFPExt, ir.OpFPTrunc:
			return fconst(to, a), false
		}
	}
	if in.Op == ir.OpBitcast && from.Equal(to) {
		return x, false
	}
	return nil, false
}
