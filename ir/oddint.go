package ir

import (
	"fmt"
	"sync"
)

// Integers of odd widths. clang-19 reads and writes bit-fields and small
// structs through i24, i40, i48 and i56 (a struct of three chars is
// returned as an i24; a 40-bit bit-field run is loaded as an i40), and the
// vectorizers turn a <4 x i1> into an i4. The parser reads iN for N from
// 2 to 63 as a type of its own and, once a function's body is read,
// lowers every value of such a type to the standard integer that holds
// it (W: i8, i16, i32 or i64, the smallest of at least N bits), whose
// layout in memory is the same (LLVM's x86-64 data layout gives iN the
// size and alignment of W). The upper W-N bits of a lowered value are
// left undefined, as the psABI leaves them: add, sub, mul, and, or, xor,
// shl, select and phi do not read them; the operations that do are
// given their operands zero-extended (and with 2^N-1: icmp eq/ne/u*,
// lshr, udiv, urem, zext, uitofp, shift amounts) or sign-extended (shl
// then ashr by W-N: icmp s*, ashr, sdiv, srem, sext, sitofp, getelementptr
// indices). A load reads exactly (N+7)/8 bytes and a store writes them,
// in pieces of 4, 2 and 1 bytes (a volatile one as volatile pieces, as
// LLVM splits it on x86-64). Atomic accesses of odd widths are refused
// where they are read.

// oddInts are the iN types for N from 2 to 63 that are not standard.
// They are made on first use (a process that parses no such type, such
// as a cached `gorc run`, does not make them at its start).
var oddInts = sync.OnceValue(func() (ts *[64]*Type) {
	ts = new([64]*Type)
	for n := 2; n < 64; n++ {
		if IntType(n) == nil {
			ts[n] = &Type{Kind: IntKind, Bits: n}
		}
	}
	return ts
})

// oddIntType returns iN for a non-standard N of 2 to 63, else nil.
func oddIntType(n int) *Type {
	if n < 0 || n >= 64 {
		return nil
	}
	return oddInts()[n]
}

// isOddInt reports whether t is an integer type of non-standard width.
func isOddInt(t *Type) bool {
	return t != nil && t.Kind == IntKind && IntType(t.Bits) == nil
}

// oddWide is the standard integer type holding iN.
func oddWide(n int) *Type {
	switch {
	case n <= 8:
		return I8
	case n <= 16:
		return I16
	case n <= 32:
		return I32
	}
	return I64
}

// widenType is t with every odd integer type replaced by the standard one
// holding it (function and literal struct types rebuilt; named structs,
// arrays and vectors kept: their layout is the same either way).
func widenType(t *Type) *Type {
	switch {
	case t == nil:
		return t
	case isOddInt(t):
		return oddWide(t.Bits)
	case t.Kind == FuncKind:
		var ps []*Type
		for i, pt := range t.Params {
			if w := widenType(pt); w != pt {
				if ps == nil {
					ps = append([]*Type(nil), t.Params...)
				}
				ps[i] = w
			}
		}
		r := widenType(t.Ret)
		if ps == nil && r == t.Ret {
			return t
		}
		if ps == nil {
			ps = t.Params
		}
		u := *t
		u.Ret, u.Params = r, ps
		return &u
	case t.Kind == StructKind && t.Name == "":
		var fs []*Type
		for i, f := range t.Fields {
			if w := widenType(f); w != f {
				if fs == nil {
					fs = append([]*Type(nil), t.Fields...)
				}
				fs[i] = w
			}
		}
		if fs != nil {
			return StructType(fs, t.Packed)
		}
	}
	return t
}

// hasOddInt reports whether value type t is or holds an odd integer type.
func hasOddInt(t *Type) bool { return widenType(t) != t }

// widenParams gives f's parameters the widened types of its signature.
func widenParams(f *Function) {
	for _, a := range f.Params {
		a.Typ = widenType(a.Typ)
	}
}

// oddLowering is the state of lowerOddInts over one function.
type oddLowering struct {
	p    *parser
	bits map[Value]int // the width N of each odd value (before widening)
	out  []*Instr      // the block being rebuilt
}

// oddBits returns N if v is a value of odd type iN (as read), else 0.
func (l *oddLowering) oddBits(v Value) int {
	if n, ok := l.bits[v]; ok {
		return n
	}
	if t := v.Type(); isOddInt(t) {
		return t.Bits
	}
	return 0
}

func (l *oddLowering) add(op Op, t *Type, ops ...Value) *Instr {
	x := l.p.arena.alloc()
	*x = Instr{Op: op, Typ: t}
	x.Ops = append(x.opsBuf[:0:len(x.opsBuf)], ops...)
	l.out = append(l.out, x)
	return x
}

// zext is v (of odd width n, held in W) with its upper bits cleared.
func (l *oddLowering) zext(v Value, n int) Value {
	w := oddWide(n)
	return l.add(OpAnd, w, v, l.p.constInt(w, int64(uint64(1)<<n-1)))
}

// sext is v (of odd width n, held in W) with its upper bits copies of bit
// n-1.
func (l *oddLowering) sext(v Value, n int) Value {
	w := oddWide(n)
	s := l.p.constInt(w, int64(w.Bits-n))
	return l.add(OpAShr, w, l.add(OpShl, w, v, s), s)
}

// resize converts integer v of type from to type to (both standard).
func (l *oddLowering) resize(v Value, from, to *Type, signed bool) Value {
	switch {
	case from.Bits == to.Bits:
		return v
	case from.Bits > to.Bits:
		return l.add(OpTrunc, to, v)
	case signed:
		return l.add(OpSExt, to, v)
	}
	return l.add(OpZExt, to, v)
}

// lowerOddInts lowers the values of odd integer types in f's body.
func (p *parser) lowerOddInts(f *Function) {
	l := &oddLowering{p: p, bits: make(map[Value]int)}
	found := false
	for _, a := range f.Params {
		if isOddInt(a.Typ) {
			l.bits[a] = a.Typ.Bits
			found = true
		}
	}
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			if isOddInt(in.Typ) {
				l.bits[in] = in.Typ.Bits
				found = true
			} else if !found {
				for _, o := range in.Ops {
					if hasOddInt(o.Type()) {
						found = true
						break
					}
				}
				found = found || hasOddInt(in.Typ) || in.FnType != nil && hasOddInt(in.FnType)
			}
		}
	}
	if !found {
		return
	}
	widenParams(f)
	repl := make(map[Value]Value)
	for _, b := range f.Blocks {
		l.out = make([]*Instr, 0, len(b.Instrs))
		for _, in := range b.Instrs {
			if r := l.lower(in); r != nil {
				if r != dropped {
					repl[in] = r
				}
				continue
			}
			l.out = append(l.out, in)
		}
		for _, x := range l.out {
			x.Block = b
		}
		b.Instrs = l.out
	}
	// Operands: replaced values, and odd constants widened.
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			for i, o := range in.Ops {
				for {
					r, ok := repl[o]
					if !ok {
						break
					}
					o = r
				}
				switch c := o.(type) {
				case *ConstInt:
					if isOddInt(c.Typ) {
						o = p.constInt(oddWide(c.Typ.Bits), c.V)
					}
				case *Undef:
					if isOddInt(c.Typ) {
						o = &Undef{Typ: oddWide(c.Typ.Bits), Poison: c.Poison}
					}
				}
				in.Ops[i] = o
			}
		}
	}
}

// lower rewrites in, appending the instructions it needs before it to
// l.out; it returns a value to replace in with (in dropped), or nil.
func (l *oddLowering) lower(in *Instr) Value {
	p := l.p
	nres := l.oddBits(in)
	var n0 int
	if len(in.Ops) > 0 {
		n0 = l.oddBits(in.Ops[0])
	}
	if in.FnType != nil {
		in.FnType = widenType(in.FnType)
	}
	if in.Typ != nil && in.Typ.Kind == StructKind {
		in.Typ = widenType(in.Typ)
	}
	switch {
	case in.Op == OpLoad && nres > 0:
		return l.load(in, nres)
	case in.Op == OpStore && n0 > 0:
		if l.store(in, n0) {
			return dropped
		}
	case in.Op.IsBinary() && nres > 0:
		in.Typ = oddWide(nres)
		switch in.Op {
		case OpShl:
			in.Ops[1] = l.zext(in.Ops[1], nres)
		case OpLShr:
			in.Ops[0], in.Ops[1] = l.zext(in.Ops[0], nres), l.zext(in.Ops[1], nres)
		case OpAShr:
			in.Ops[0], in.Ops[1] = l.sext(in.Ops[0], nres), l.zext(in.Ops[1], nres)
		case OpUDiv, OpURem:
			in.Ops[0], in.Ops[1] = l.zext(in.Ops[0], nres), l.zext(in.Ops[1], nres)
		case OpSDiv, OpSRem:
			in.Ops[0], in.Ops[1] = l.sext(in.Ops[0], nres), l.sext(in.Ops[1], nres)
		}
	case in.Op == OpICmp && n0 > 0:
		if p := in.Pred; p == ICmpSGT || p == ICmpSGE || p == ICmpSLT || p == ICmpSLE {
			in.Ops[0], in.Ops[1] = l.sext(in.Ops[0], n0), l.sext(in.Ops[1], n0)
		} else {
			in.Ops[0], in.Ops[1] = l.zext(in.Ops[0], n0), l.zext(in.Ops[1], n0)
		}
	case in.Op.IsCast() && (n0 > 0 || nres > 0):
		return l.cast(in, n0, nres)
	case in.Op == OpGEP:
		for i := 1; i < len(in.Ops); i++ {
			if n := l.oddBits(in.Ops[i]); n > 0 {
				in.Ops[i] = l.resize(l.sext(in.Ops[i], n), oddWide(n), I64, true)
			}
		}
	case in.Op == OpAtomicRMW || in.Op == OpCmpXchg:
		if nres > 0 || n0 > 0 {
			p.failAt(token{}, "atomic operation on an odd integer type")
		}
	default:
		if nres > 0 {
			in.Typ = oddWide(nres)
		}
	}
	return nil
}

// cast lowers a cast from or to an odd integer type.
func (l *oddLowering) cast(in *Instr, n0, nres int) Value {
	x := in.Ops[0]
	from := x.Type()
	if n0 > 0 {
		from = oddWide(n0)
	}
	to := in.Typ
	if nres > 0 {
		to = oddWide(nres)
	}
	switch in.Op {
	case OpZExt, OpSExt, OpTrunc:
		signed := in.Op == OpSExt
		if n0 > 0 && in.Op != OpTrunc {
			if signed {
				x = l.sext(x, n0)
			} else {
				x = l.zext(x, n0)
			}
		}
		return l.resize(x, from, to, signed)
	case OpUIToFP, OpSIToFP:
		if in.Op == OpSIToFP {
			in.Ops[0] = l.sext(x, n0)
		} else {
			in.Ops[0] = l.zext(x, n0)
		}
	case OpIntToPtr:
		in.Ops[0] = l.resize(l.zext(x, n0), from, I64, false)
	case OpFPToUI, OpFPToSI, OpPtrToInt:
		in.Typ = to
	case OpBitcast:
		if from.Equal(to) {
			return x
		}
		l.p.failAt(token{}, "bitcast from '%v' to '%v' is not supported", in.Ops[0].Type(), in.Typ)
	default:
		in.Typ = to
	}
	return nil
}

// pieces are the standard accesses (offset, type) covering n bytes.
func pieces(n int64) (offs []int64, ts []*Type) {
	for off := int64(0); off < n; {
		s := int64(4)
		for s > n-off {
			s /= 2
		}
		offs = append(offs, off)
		ts = append(ts, IntType(int(s*8)))
		off += s
	}
	return offs, ts
}

// load lowers a load of iN: its (N+7)/8 bytes, in pieces.
func (l *oddLowering) load(in *Instr, n int) Value {
	w := oddWide(n)
	bytes := int64((n + 7) / 8)
	if bytes*8 == int64(w.Bits) {
		in.Typ = w
		return nil
	}
	offs, ts := pieces(bytes)
	var v Value
	for i, off := range offs {
		ld := l.add(OpLoad, ts[i], l.ptr(in.Ops[0], off))
		ld.Align = 1
		ld.Flags = in.Flags & FlagVolatile
		part := l.resize(ld, ts[i], w, false)
		if off > 0 {
			part = l.add(OpShl, w, part, l.p.constInt(w, off*8))
		}
		if v == nil {
			v = part
		} else {
			v = l.add(OpOr, w, v, part)
		}
	}
	return v
}

// dropped is what lower returns for an instruction replaced by others.
var dropped Value = &Undef{Typ: Void}

// store lowers a store of iN: its (N+7)/8 bytes, in pieces. It reports
// whether in was replaced.
func (l *oddLowering) store(in *Instr, n int) bool {
	w := oddWide(n)
	bytes := int64((n + 7) / 8)
	if bytes*8 == int64(w.Bits) {
		return false
	}
	v, ptr := in.Ops[0], in.Ops[1]
	if c, ok := v.(*ConstInt); ok && isOddInt(c.Typ) {
		v = l.p.constInt(w, c.V)
	}
	offs, ts := pieces(bytes)
	for i, off := range offs {
		part := v
		if off > 0 {
			part = l.add(OpLShr, w, part, l.p.constInt(w, off*8))
		}
		part = l.resize(part, w, ts[i], false)
		st := l.add(OpStore, Void, part, l.ptr(ptr, off))
		st.Align = 1
		st.Flags = in.Flags & FlagVolatile
	}
	return true
}

func (l *oddLowering) ptr(base Value, off int64) Value {
	if off == 0 {
		return base
	}
	g := l.add(OpGEP, Ptr, base, l.p.constInt(I64, off))
	g.ElemType = I8
	g.Flags = FlagInBounds
	return g
}

// oddIntrinsic reports whether an intrinsic's name has an odd integer
// type part (.i40): only the min/max/abs family is lowered for those.
func oddIntrinsic(name string) error {
	for i := 0; i+1 < len(name); i++ {
		if name[i] != '.' || name[i+1] != 'i' {
			continue
		}
		j := i + 2
		n := 0
		for j < len(name) && name[j] >= '0' && name[j] <= '9' {
			n = n*10 + int(name[j]-'0')
			j++
		}
		if j > i+2 && (j == len(name) || name[j] == '.') && n < 64 && IntType(n) == nil {
			return fmt.Errorf("intrinsic '@%s' on i%d is not supported", name, n)
		}
	}
	return nil
}
