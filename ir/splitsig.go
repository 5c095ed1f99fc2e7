package ir

// Values in two registers across calls. A signature's <2 x float> is a
// double (vector.go); the other vectors of up to 16 bytes (__m128,
// __m128i, __m128d and vector_size(16) types: <4 x float>, <2 x double>,
// <4 x i32>, <8 x i16>, <16 x i8>, <2 x i64>, and the 8-byte ones) and
// the integers of 65 to 128 bits (wideint.go) are split into eightbytes:
// a parameter becomes one or two parameters, a result one value or a
// struct of two (returned in RAX:RDX or XMM0:XMM1). An i128 parameter for
// which fewer than two of the six integer registers are left is passed
// on the stack instead, 16-byte aligned (a byval pointer to a copy, which
// the backend places so), as the psABI says. An eightbyte of
// float or double elements is a double, one of integers or pointers an
// i64. For i128 this is the psABI's convention (two INTEGER eightbytes,
// RDX:RAX). For vectors it is gorc's own: the psABI passes a 16-byte
// vector in one XMM register, which the backend, keeping vectors as
// their elements, has no value for; so calls between JIT-compiled
// functions agree, and native functions taking or returning such vectors
// (none in libc or libm) must not be called. Wider vectors (__m256) are
// refused in signatures.
//
// So that a native function is never called (or calls) that way by
// mistake, a function with a split vector in its signature is linked
// under its name with VectorABISuffix appended, for its definition and
// every call: two IR functions find each other, and a native definition
// (or a native caller) is an undefined symbol naming the suffix, not a
// silently wrong result.

// VectorABISuffix is appended to the symbol name of a function whose
// signature has a vector passed in gorc's own convention (see above).
// orc/objlayer's undefined-symbol error explains it.
const VectorABISuffix = "$gorc.vecabi"

// gprCount is the number of general registers the parameters ts take
// (those not passed byval): how many of the six are used before the next.
func gprCount(ts, byvals []*Type) int {
	n := 0
	for i, t := range ts {
		if i < len(byvals) && byvals[i] != nil {
			continue
		}
		if t.IsPtr() || t.IsInt() {
			n++
		}
	}
	return n
}

// splitSig reports whether signature type t is split into eightbytes.
func splitSig(t *Type) bool {
	return isWideInt(t) || isVector(t) && !isVec2F(t)
}

// eightbytes are the types of the eightbytes split type t is passed as;
// nil (after failing at tok) for a vector that cannot be.
func (p *parser) eightbytes(tok token, t *Type) []*Type {
	if isWideInt(t) {
		return []*Type{I64, I64}
	}
	e := t.Elem
	es := e.Size()
	size := es * t.Len
	if size > 16 || !(e.IsFloat() && e != F80 || e.IsPtr() || e.IsInt() && e.Bits%8 == 0 && IntType(e.Bits) != nil) {
		p.failAt(tok, "vector type '%v' is not supported in a signature (vectors of up to 16 bytes of i8, i16, i32, i64, ptr, float or double elements)", t)
	}
	n := int((size + 7) / 8)
	ebs := make([]*Type, n)
	for i := range ebs {
		if e.IsFloat() {
			ebs[i] = F64
		} else {
			ebs[i] = I64
		}
	}
	return ebs
}

// splitCount is the number of eightbytes of split type t (checked when
// its signature was read).
func (p *parser) splitCount(t *Type) int {
	if isWideInt(t) {
		return 2
	}
	return int((t.Elem.Size()*t.Len + 7) / 8)
}

// splitRet is the return type of a function whose source return type t
// is split: its eightbyte, or a struct of two.
func (p *parser) splitRet(tok token, t *Type) *Type {
	ebs := p.eightbytes(tok, t)
	if len(ebs) == 1 {
		return ebs[0]
	}
	if ebs[0] == I64 {
		return pairType
	}
	return pairF64
}

// pairF64 is the {double, double} a 16-byte float vector is returned as.
var pairF64 = StructType([]*Type{F64, F64}, false)

// widePair is a wide integer value made of two halves while a body is
// parsed (a split parameter, a call's split result); lowerWideInts takes
// its halves.
type widePair struct {
	typ    *Type
	lo, hi Value
}

func (w *widePair) Type() *Type   { return w.typ }
func (w *widePair) Ident() string { return "<wide pair>" }

// splitValue parses an operand of split type t: the values of its
// eightbytes, their instructions appended to *dst.
func (p *parser) splitValue(dst *[]*Instr, t *Type) []Value {
	if isWideInt(t) {
		return p.wideHalves(dst, t, p.parseValue(t))
	}
	return p.packEightbytes(dst, t, p.parseAgg(t))
}

// wideHalves are the two i64 halves of wide value v (instructions that
// lowerWideInts turns into the halves themselves).
func (p *parser) wideHalves(dst *[]*Instr, t *Type, v Value) []Value {
	lo := p.instrTo(dst, OpTrunc, I64, v)
	hi := p.instrTo(dst, OpTrunc, I64, p.instrTo(dst, OpLShr, t, v, &wideConst{Typ: t, Lo: 64}))
	return []Value{lo, hi}
}

// packEightbytes packs the leaves of a vector of type t into its
// eightbytes.
func (p *parser) packEightbytes(dst *[]*Instr, t *Type, leaves []Value) []Value {
	e := t.Elem
	per := int(8 / e.Size())
	var out []Value
	for k := 0; k*per < len(leaves); k++ {
		part := leaves[k*per : min(len(leaves), (k+1)*per)]
		switch {
		case e == F64:
			out = append(out, part[0])
		case e == F32:
			hi := Value(p.constFloat(F32, 0))
			if len(part) > 1 {
				hi = part[1]
			}
			out = append(out, p.packVec2F(dst, part[0], hi))
		default:
			var acc Value
			for j, x := range part {
				if e.IsPtr() {
					x = p.instrTo(dst, OpPtrToInt, I64, x)
				} else if e != I64 {
					x = p.instrTo(dst, OpZExt, I64, x)
				}
				if j > 0 {
					x = p.instrTo(dst, OpShl, I64, x, p.constInt(I64, int64(j)*e.Size()*8))
					acc = p.instrTo(dst, OpOr, I64, acc, x)
				} else {
					acc = x
				}
			}
			out = append(out, acc)
		}
	}
	return out
}

// unpackEightbytes is the inverse of packEightbytes: the leaves of a
// vector of type t from its eightbytes.
func (p *parser) unpackEightbytes(dst *[]*Instr, t *Type, ebs []Value) []Value {
	e := t.Elem
	per := int(8 / e.Size())
	leaves := make([]Value, 0, t.Len)
	for k, eb := range ebs {
		for j := 0; j < per && k*per+j < int(t.Len); j++ {
			switch {
			case e == F64:
				leaves = append(leaves, eb)
			case e == F32:
				if j == 0 {
					lo, hi := p.unpackVec2F(dst, eb)
					leaves = append(leaves, lo)
					if k*per+1 < int(t.Len) {
						leaves = append(leaves, hi)
					}
				}
			default:
				x := eb
				if j > 0 {
					x = p.instrTo(dst, OpLShr, I64, x, p.constInt(I64, int64(j)*e.Size()*8))
				}
				switch {
				case e.IsPtr():
					x = p.instrTo(dst, OpIntToPtr, Ptr, x)
				case e != I64:
					x = p.instrTo(dst, OpTrunc, e, x)
				}
				leaves = append(leaves, x)
			}
		}
	}
	return leaves
}

// splitParam is the value a body sees for its parameter of split type t
// passed as ps.
func (p *parser) splitParam(t *Type, ps []*Param) Value {
	if isWideInt(t) {
		return &widePair{typ: t, lo: ps[0], hi: ps[1]}
	}
	vs := make([]Value, len(ps))
	for i, a := range ps {
		vs[i] = a
	}
	return &aggValue{typ: t, leaves: p.unpackEightbytes(&p.entryPre, t, vs)}
}

// splitCall finishes a call whose source result type src is split: the
// result's eightbytes taken apart.
func (p *parser) splitCall(in *Instr, src *Type) {
	p.emit = append(p.emit, in)
	ebs := []Value{in}
	if in.Typ.Kind == StructKind {
		ebs = []Value{
			p.emitInstr(OpExtractValue, in.Typ.Fields[0], in, p.constInt(I32, 0)),
			p.emitInstr(OpExtractValue, in.Typ.Fields[1], in, p.constInt(I32, 1)),
		}
	}
	if isWideInt(src) {
		p.aggRes = &widePair{typ: src, lo: ebs[0], hi: ebs[1]}
		return
	}
	p.aggRes = &aggValue{typ: src, leaves: p.unpackEightbytes(&p.emit, src, ebs)}
}
