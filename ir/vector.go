package ir

// Vectors. clang-19 passes and returns a struct of two floats (and a
// float _Complex) as <2 x float>, a struct of three or four floats as
// { <2 x float>, float } and { <2 x float>, <2 x float> }, and at -O1 and
// above operates on such pairs with vector fadd/fmul, insertelement,
// extractelement and shufflevector even without the vectorizers. The
// parser splits every vector value into its elements, as it splits
// arrays (aggregate.go): element-wise operations become one scalar
// operation per element, insertelement, extractelement and a
// constant-mask shufflevector pick and replace leaves. In signatures a
// <2 x float> is a double (the psABI passes the pair in the low eight
// bytes of one XMM register, where a double goes): packed with bitcast,
// zext, shl and or before a call or ret, unpacked with bitcast, lshr and
// trunc at a function's entry and after a call. Other vector types are
// refused in signatures.

// maxVectorLen bounds the vector types read.
const maxVectorLen = 64

// vectorType parses "N x T>" after '<' (tok).
func (p *parser) vectorType(tok token) *Type {
	n := p.parseIntLit()
	if n <= 0 || n > maxVectorLen {
		p.failAt(tok, "vector length %d is not supported (1 to %d)", n, maxVectorLen)
	}
	p.expectWord("x")
	et := p.tok
	elem := p.parseType()
	switch elem.Kind {
	case IntKind, FloatKind, PtrKind:
	default:
		p.failAt(et, "invalid vector element type '%v'", elem)
	}
	p.expectPunct(">")
	t := ArrayType(n, elem)
	t.Vector = true
	return t
}

// isVec2F reports whether t is <2 x float>.
func isVec2F(t *Type) bool {
	return t != nil && t.Kind == ArrayKind && t.Vector && t.Len == 2 && t.Elem.Kind == FloatKind && t.Elem.Bits == 32
}

// isVector reports whether t is a vector type.
func isVector(t *Type) bool { return t != nil && t.Kind == ArrayKind && t.Vector }

// abiType is the type t has in a signature: a <2 x float> is a double, a
// struct's <2 x float> fields doubles; other vectors fail at tok.
func (p *parser) abiType(tok token, t *Type) *Type {
	switch {
	case isVec2F(t):
		return F64
	case isVector(t):
		p.failAt(tok, "vector type '%v' is not supported in a signature (only <2 x float>)", t)
	case t.Kind == StructKind && t.Name == "":
		var fs []*Type
		for i, f := range t.Fields {
			if isVec2F(f) {
				if fs == nil {
					fs = append([]*Type(nil), t.Fields...)
				}
				fs[i] = F64
			} else if isVector(f) {
				p.failAt(tok, "vector type '%v' is not supported in a signature (only <2 x float>)", f)
			}
		}
		if fs != nil {
			return StructType(fs, t.Packed)
		}
	}
	return t
}

// hasVec2F reports whether a signature's type t was rewritten by abiType.
func hasVec2F(t *Type) bool {
	if isVec2F(t) {
		return true
	}
	if t.Kind == StructKind && t.Name == "" {
		for _, f := range t.Fields {
			if isVec2F(f) {
				return true
			}
		}
	}
	return false
}

// instr makes an instruction appended to *dst.
func (p *parser) instrTo(dst *[]*Instr, op Op, typ *Type, ops ...Value) *Instr {
	x := p.arena.alloc()
	*x = Instr{Op: op, Typ: typ}
	x.Ops = append(x.opsBuf[:0:len(x.opsBuf)], ops...)
	*dst = append(*dst, x)
	return x
}

// packVec2F returns a double holding floats lo and hi (lo in the low four
// bytes), its instructions appended to *dst.
func (p *parser) packVec2F(dst *[]*Instr, lo, hi Value) Value {
	l := p.instrTo(dst, OpZExt, I64, p.instrTo(dst, OpBitcast, I32, lo))
	h := p.instrTo(dst, OpZExt, I64, p.instrTo(dst, OpBitcast, I32, hi))
	h = p.instrTo(dst, OpShl, I64, h, p.constInt(I64, 32))
	return p.instrTo(dst, OpBitcast, F64, p.instrTo(dst, OpOr, I64, l, h))
}

// unpackVec2F returns the two floats a double d holds, its instructions
// appended to *dst.
func (p *parser) unpackVec2F(dst *[]*Instr, d Value) (lo, hi Value) {
	b := p.instrTo(dst, OpBitcast, I64, d)
	lo = p.instrTo(dst, OpBitcast, F32, p.instrTo(dst, OpTrunc, I32, b))
	hi = p.instrTo(dst, OpBitcast, F32, p.instrTo(dst, OpTrunc, I32, p.instrTo(dst, OpLShr, I64, b, p.constInt(I64, 32))))
	return lo, hi
}

// packLeaves turns the leaves of a value of source type t into the
// operands of its signature type (abiType): each <2 x float>'s two
// leaves packed into a double.
func (p *parser) packLeaves(dst *[]*Instr, t *Type, leaves []Value) []Value {
	if isVec2F(t) {
		return []Value{p.packVec2F(dst, leaves[0], leaves[1])}
	}
	out := make([]Value, 0, len(leaves))
	k := 0
	for _, f := range t.Fields {
		if isVec2F(f) {
			out = append(out, p.packVec2F(dst, leaves[k], leaves[k+1]))
			k += 2
			continue
		}
		n := len(p.leafTypes(p.prev, f, nil))
		out = append(out, leaves[k:k+n]...)
		k += n
	}
	return out
}

// vectorArgs parses a vector-typed operand: its leaves.
func (p *parser) vecOperand(t *Type) []Value {
	p.expectVector(t)
	return p.parseAgg(t)
}

func (p *parser) expectVector(t *Type) {
	if !isVector(t) {
		p.fail("expected a vector type, found '%v'", t)
	}
}

// vectorBinary parses the rest of an element-wise operation on vector
// type t (after the type): one operation per element.
func (p *parser) vectorBinary(op Op, flags Flags, t *Type) {
	x := p.parseAgg(t)
	p.expectPunct(",")
	y := p.parseAgg(t)
	leaves := make([]Value, len(x))
	for i := range x {
		in := p.emitInstr(op, t.Elem, x[i], y[i])
		in.Flags = flags
		leaves[i] = in
	}
	p.aggRes = &aggValue{typ: t, leaves: leaves}
}

// vectorIndex parses a constant element index of a vector of n elements.
func (p *parser) vectorIndex(n int64) int {
	tt := p.tok
	it := p.parseType()
	if !it.IsInt() {
		p.failAt(tt, "vector index of type '%v'", it)
	}
	v := p.parseValue(it)
	c, ok := v.(*ConstInt)
	if !ok {
		p.failAt(tt, "a vector index that is not a constant is not supported")
	}
	if c.V < 0 || c.V >= n {
		p.failAt(tt, "vector index %d out of range (%d elements)", c.V, n)
	}
	return int(c.V)
}

// vectorInstr parses insertelement, extractelement and shufflevector
// (the word consumed), queueing its result in p.aggRes.
func (p *parser) vectorInstr(opTok token, w string) {
	tt := p.tok
	t := p.parseType()
	if !isVector(t) {
		p.failAt(tt, "%s of non-vector type '%v'", w, t)
	}
	vs := p.parseAgg(t)
	p.expectPunct(",")
	switch w {
	case "extractelement":
		p.aggRes = vs[p.vectorIndex(t.Len)]
	case "insertelement":
		et := p.tok
		xt := p.parseType()
		if !xt.Equal(t.Elem) {
			p.failAt(et, "insertelement of a '%v' into '%v'", xt, t)
		}
		x := p.parseValue(xt)
		p.expectPunct(",")
		leaves := append([]Value(nil), vs...)
		leaves[p.vectorIndex(t.Len)] = x
		p.aggRes = &aggValue{typ: t, leaves: leaves}
	case "shufflevector":
		t2t := p.tok
		t2 := p.parseType()
		if !t2.Equal(t) {
			p.failAt(t2t, "shufflevector of '%v' and '%v'", t, t2)
		}
		ws := p.parseAgg(t2)
		p.expectPunct(",")
		mt := p.tok
		m := p.parseType()
		if !isVector(m) || !m.Elem.Equal(I32) {
			p.failAt(mt, "shufflevector mask of type '%v'", m)
		}
		mask := p.parseAgg(m)
		rt := ArrayType(m.Len, t.Elem)
		rt.Vector = true
		leaves := make([]Value, len(mask))
		for i, x := range mask {
			switch c := x.(type) {
			case *ConstInt:
				if c.V < 0 || c.V >= 2*t.Len {
					p.failAt(mt, "shufflevector mask element %d out of range", c.V)
				}
				if c.V < t.Len {
					leaves[i] = vs[c.V]
				} else {
					leaves[i] = ws[c.V-t.Len]
				}
			case *Undef:
				leaves[i] = &Undef{Typ: t.Elem, Poison: c.Poison}
			default:
				p.failAt(mt, "shufflevector mask must be constant")
			}
		}
		p.aggRes = &aggValue{typ: rt, leaves: leaves}
	}
	_ = opTok
}

// vectorConst parses a constant vector <T a, T b, ...> of type t.
func (p *parser) vectorConst(t *Type) []Value {
	p.expectPunct("<")
	leaves := make([]Value, 0, t.Len)
	for !p.isPunct(">") {
		if len(leaves) > 0 {
			p.expectPunct(",")
		}
		et := p.tok
		e := p.parseType()
		if !e.Equal(t.Elem) {
			p.failAt(et, "element of type '%v' in a constant of type '%v'", e, t)
		}
		leaves = append(leaves, p.parseValue(e))
	}
	p.next()
	if int64(len(leaves)) != t.Len {
		p.fail("constant of type '%v' has %d elements", t, len(leaves))
	}
	return leaves
}

// vectorCast parses the rest of a cast from vector type t: element-wise
// to a vector of as many elements, or a bitcast of a <2 x float> to i64
// or double.
func (p *parser) vectorCast(op Op, t *Type) {
	xs := p.parseAgg(t)
	p.expectWord("to")
	tt := p.tok
	to := p.parseType()
	switch {
	case isVector(to) && to.Len == t.Len && op != OpBitcast:
		leaves := make([]Value, len(xs))
		for i, x := range xs {
			leaves[i] = p.emitInstr(op, to.Elem, x)
		}
		p.aggRes = &aggValue{typ: to, leaves: leaves}
	case isVector(to) && to.Equal(t):
		p.aggRes = &aggValue{typ: to, leaves: xs}
	case op == OpBitcast && isVec2F(t) && (to.Equal(F64) || to.Equal(I64)):
		d := p.packVec2F(&p.emit, xs[0], xs[1])
		if to.Equal(I64) {
			d = p.instrTo(&p.emit, OpBitcast, I64, d)
		}
		p.aggRes = d
	case op == OpBitcast:
		p.vectorBitcast(tt, t, xs, to)
	default:
		p.failAt(tt, "%v from '%v' to '%v' is not supported", op, t, to)
	}
}

// vectorFromScalar finishes a bitcast of scalar x to vector type to: an
// i64 or double to <2 x float>.
func (p *parser) vectorFromScalar(tt token, op Op, x Value, to *Type) {
	t := x.Type()
	if op == OpBitcast && !(isVec2F(to) && (t.Equal(F64) || t.Equal(I64))) {
		p.vectorBitcast(tt, t, []Value{x}, to)
		return
	}
	if op != OpBitcast {
		p.failAt(tt, "%v from '%v' to '%v' is not supported", op, t, to)
	}
	if t.Equal(I64) {
		x = p.instrTo(&p.emit, OpBitcast, F64, x)
	}
	lo, hi := p.unpackVec2F(&p.emit, x)
	p.aggRes = &aggValue{typ: to, leaves: []Value{lo, hi}}
}

// vec2fCall finishes a call whose source result type src is or holds
// <2 x float>: the call returns the signature's doubles, unpacked after
// it.
func (p *parser) vec2fCall(in *Instr, at token, src *Type) {
	if isVec2F(src) {
		p.emit = append(p.emit, in)
		lo, hi := p.unpackVec2F(&p.emit, in)
		p.aggRes = &aggValue{typ: src, leaves: []Value{lo, hi}}
		return
	}
	p.aggCall(in, at)
	a, ok := p.aggRes.(*aggValue)
	if !ok || len(a.leaves) != len(src.Fields) {
		p.failAt(at, "call returning '%v' is not supported", src)
	}
	fields := a.leaves
	var leaves []Value
	for i, f := range src.Fields {
		if isVec2F(f) {
			lo, hi := p.unpackVec2F(&p.emit, fields[i])
			leaves = append(leaves, lo, hi)
		} else {
			leaves = append(leaves, fields[i])
		}
	}
	p.aggRes = &aggValue{typ: src, leaves: leaves}
}

// containsVector reports whether t is or holds a vector (not followed
// into named struct types, whose bodies refuse vectors).
func containsVector(t *Type) bool {
	switch t.Kind {
	case ArrayKind:
		return t.Vector || containsVector(t.Elem)
	case StructKind:
		if t.Name != "" {
			return false
		}
		for _, f := range t.Fields {
			if containsVector(f) {
				return true
			}
		}
	}
	return false
}
