package ir

import (
	"strconv"
	"strings"
)

// First-class aggregates: values of struct (and array) type in registers,
// as clang emits them for small structs returned by value, _Complex
// numbers and the llvm.*.with.overflow intrinsics. The passes and the
// backend never see them as values: the parser splits each aggregate into
// its scalar leaves (depth first, one per int, float or pointer field) as
// it reads it:
//
//   - extractvalue picks leaves, insertvalue replaces some (no
//     instruction at all);
//   - phi, select, load and store become one instruction per leaf (a load
//     or store at the field's offset, through getelementptr i8);
//   - undef, poison, zeroinitializer and constant structs become one
//     constant per leaf;
//   - llvm.{s,u}{add,sub,mul}.with.overflow.iN become the arithmetic and
//     the overflow test;
//   - ret of a struct becomes OpRet with one operand per field; a call
//     returning a struct keeps its struct type and is followed by one
//     OpExtractValue per field. These two are the only places a struct
//     type reaches the backend, which returns the fields in registers as
//     LLVM does for x86-64 (integers in RAX, RDX; floats in XMM0, XMM1).
//     Such a struct must be flat (scalar fields only), which is how clang
//     spells every struct it returns in registers.
//
// Struct values as call arguments or function parameters (which clang
// never emits for x86-64: it passes structs as coerced scalars or byval
// pointers) are rejected naming the line.

// aggValue is an aggregate value while a body is parsed: its leaves. It
// never reaches the module.
type aggValue struct {
	typ    *Type
	leaves []Value
}

func (a *aggValue) Type() *Type   { return a.typ }
func (a *aggValue) Ident() string { return "<aggregate>" }

// maxAggLeaves bounds the number of scalars an aggregate value splits
// into (each becomes an instruction for every phi, load or store of it).
const maxAggLeaves = 64

// leafSep separates an aggregate's name from a leaf's index in the keys of
// parser.locals and parser.fwd ("x\x001": leaf 1 of %x).
const leafSep = "\x00"

// displayName is the name a key of parser.locals stands for in messages.
func displayName(key string) string {
	name, _, _ := strings.Cut(key, leafSep)
	return name
}

// isAggType reports whether values of t are split into leaves.
func isAggType(t *Type) bool { return t.Kind == StructKind || t.Kind == ArrayKind }

// leafTypes appends the scalar leaf types of t to dst, failing at tok for
// types that cannot be a value (opaque structs, void, labels) or that
// have more than maxAggLeaves leaves.
func (p *parser) leafTypes(tok token, t *Type, dst []*Type) []*Type {
	budget := maxAggNodes
	return p.leafTypesIn(tok, t, dst, &budget)
}

// maxAggNodes bounds the types leafTypes visits for one aggregate: a DAG
// of named types ({ %T1, %T1 }, ...) or nested arrays of empty structs
// have few leaves but exponentially many nodes.
const maxAggNodes = 4096

func (p *parser) leafTypesIn(tok token, t *Type, dst []*Type, budget *int) []*Type {
	if *budget--; *budget < 0 {
		p.failAt(tok, "aggregate value of type '%v' is too deeply nested (not supported)", t)
	}
	switch t.Kind {
	case StructKind:
		if t.Opaque {
			p.failAt(tok, "a value of opaque struct type '%v'", t)
		}
		for _, f := range t.Fields {
			dst = p.leafTypesIn(tok, f, dst, budget)
		}
	case ArrayKind:
		if t.Len > maxAggLeaves {
			p.failAt(tok, "aggregate value of type '%v' has more than %d scalar fields (not supported)", t, maxAggLeaves)
		}
		for i := int64(0); i < t.Len; i++ {
			dst = p.leafTypesIn(tok, t.Elem, dst, budget)
		}
	case IntKind, FloatKind, PtrKind:
		dst = append(dst, t)
	default:
		p.failAt(tok, "invalid type '%v' inside an aggregate value", t)
	}
	if len(dst) > maxAggLeaves {
		p.failAt(tok, "aggregate value of type '%v' has more than %d scalar fields (not supported)", t, maxAggLeaves)
	}
	return dst
}

// leafCount is the number of scalar leaves of t (checked by leafTypes).
func leafCount(t *Type) int {
	switch t.Kind {
	case StructKind:
		n := 0
		for _, f := range t.Fields {
			n += leafCount(f)
		}
		return n
	case ArrayKind:
		return int(t.Len) * leafCount(t.Elem)
	}
	return 1
}

// leafOffsets appends the byte offset of each leaf of t, at base, to dst.
func leafOffsets(t *Type, base int64, dst []int64) []int64 {
	switch t.Kind {
	case StructKind:
		for i, f := range t.Fields {
			dst = leafOffsets(f, base+t.FieldOffset(i), dst)
		}
	case ArrayKind:
		for i := int64(0); i < t.Len; i++ {
			dst = leafOffsets(t.Elem, base+i*t.Elem.Size(), dst)
		}
	default:
		dst = append(dst, base)
	}
	return dst
}

// parseIndices parses the ", i, j, ..." constant index list of
// extractvalue and insertvalue into t, returning the first leaf, the
// number of leaves and the type of the element it names.
func (p *parser) parseIndices(t *Type) (start, n int, et *Type) {
	et = t
	any := false
	for p.isPunct(",") && !p.peekMeta() {
		p.next()
		tok := p.tok
		idx := p.parseIntLit()
		any = true
		switch et.Kind {
		case StructKind:
			if idx < 0 || idx >= int64(len(et.Fields)) {
				p.failAt(tok, "index %d out of range for type '%v'", idx, et)
			}
			for _, f := range et.Fields[:idx] {
				start += leafCount(f)
			}
			et = et.Fields[idx]
		case ArrayKind:
			if idx < 0 || idx >= et.Len {
				p.failAt(tok, "index %d out of range for type '%v'", idx, et)
			}
			start += int(idx) * leafCount(et.Elem)
			et = et.Elem
		default:
			p.failAt(tok, "index into non-aggregate type '%v'", et)
		}
	}
	if !any {
		p.fail("expected an index, found %v", p.tok)
	}
	return start, leafCount(et), et
}

// parseAgg parses an operand of aggregate type t and returns its leaves.
func (p *parser) parseAgg(t *Type) []Value {
	tok := p.tok
	lts := p.leafTypes(tok, t, nil)
	switch tok.kind {
	case tLocal:
		p.next()
		if v, ok := p.locals[tok.text]; ok {
			a, ok := v.(*aggValue)
			if !ok || !a.typ.Equal(t) {
				p.failAt(tok, "'%%%s' defined with type '%v' but expected '%v'", tok.text, v.Type(), t)
			}
			return a.leaves
		}
		// Used before its definition (a phi's operand, or blocks out of
		// dominance order): a forward reference per leaf, resolved as
		// scalar ones are (defineValue names the leaves).
		leaves := make([]Value, len(lts))
		for i, lt := range lts {
			key := tok.text + leafSep + strconv.Itoa(i)
			if r, ok := p.fwd[key]; ok {
				if !r.typ.Equal(lt) {
					p.failAt(tok, "'%%%s' used with two different types", tok.text)
				}
				leaves[i] = r
				continue
			}
			r := &fwdRef{name: key, typ: lt, tok: tok}
			p.fwd[key] = r
			leaves[i] = r
		}
		return leaves
	case tGlobal:
		p.failAt(tok, "global '@%s' has type ptr, expected '%v'", tok.text, t)
	case tWord:
		switch tok.text {
		case "undef", "poison":
			p.next()
			leaves := make([]Value, len(lts))
			for i, lt := range lts {
				leaves[i] = &Undef{Typ: lt, Poison: tok.text == "poison"}
			}
			return leaves
		case "zeroinitializer":
			p.next()
			leaves := make([]Value, len(lts))
			for i, lt := range lts {
				leaves[i] = p.zeroLeaf(lt)
			}
			return leaves
		}
	}
	if isVector(t) && p.isPunct("<") {
		return p.vectorConst(t)
	}
	if isVector(t) && t.Elem.IsPtr() && tok.kind == tWord && tok.text == "getelementptr" && p.f != nil {
		return p.vectorGEPConst(t)
	}
	c := p.parseConstant(t)
	leaves := p.flattenConst(tok, c, nil)
	if len(leaves) != len(lts) {
		p.failAt(tok, "constant of type '%v' does not match its type", t)
	}
	return leaves
}

// zeroLeaf is the zero of scalar type t.
func (p *parser) zeroLeaf(t *Type) Value {
	switch t.Kind {
	case FloatKind:
		if t == F80 {
			return &ConstFP80{}
		}
		return p.constFloat(t, 0)
	case PtrKind:
		return &ConstNull{}
	}
	return p.constInt(t, 0)
}

// flattenConst appends the leaves of constant c to dst.
func (p *parser) flattenConst(tok token, c Value, dst []Value) []Value {
	switch x := c.(type) {
	case *ConstAggregate:
		for _, e := range x.Elems {
			dst = p.flattenConst(tok, e, dst)
		}
		return dst
	case *ConstBytes:
		for _, b := range x.Data {
			dst = append(dst, p.constInt(I8, int64(b)))
		}
		return dst
	case *ConstZero:
		if isAggType(x.Typ) {
			for _, lt := range p.leafTypes(tok, x.Typ, nil) {
				dst = append(dst, p.zeroLeaf(lt))
			}
			return dst
		}
		return append(dst, p.zeroLeaf(x.Typ))
	case *Undef:
		if isAggType(x.Typ) {
			for _, lt := range p.leafTypes(tok, x.Typ, nil) {
				dst = append(dst, &Undef{Typ: lt, Poison: x.Poison})
			}
			return dst
		}
	case *ConstExpr:
		return append(dst, p.materialize(x))
	}
	return append(dst, c)
}

// parseElem parses an element of a constant aggregate: a nested aggregate
// stays a constant inside a function body (flattenConst splits it).
func (p *parser) parseElem(t *Type) Value {
	if p.f != nil && isAggType(t) {
		return p.parseConstant(t)
	}
	return p.parseValue(t)
}

// newInstr allocates an instruction of the body being parsed and queues it
// in p.emit, where the instruction being parsed would have gone.
func (p *parser) emitInstr(op Op, typ *Type, ops ...Value) *Instr {
	x := p.arena.alloc()
	*x = Instr{Op: op, Typ: typ}
	x.Ops = append(x.opsBuf[:0:len(x.opsBuf)], ops...)
	p.emit = append(p.emit, x)
	return x
}

// leafPtr returns ptr advanced by off bytes (getelementptr i8), queued in
// p.emit.
func (p *parser) leafPtr(ptr Value, off int64) Value {
	if off == 0 {
		return ptr
	}
	g := p.emitInstr(OpGEP, Ptr, ptr, p.constInt(I64, off))
	g.ElemType = I8
	g.Flags = FlagInBounds
	return g
}

// aggInstr parses the rest of an instruction on aggregate values (op's
// word consumed), queueing the instructions it becomes in p.emit and its
// result in p.aggRes.
func (p *parser) aggInstr(opTok token, w string) {
	switch w {
	case "extractvalue":
		t := p.parseType()
		if !isAggType(t) {
			p.failAt(opTok, "extractvalue from non-aggregate type '%v'", t)
		}
		leaves := p.parseAgg(t)
		start, n, et := p.parseIndices(t)
		if isAggType(et) {
			p.aggRes = &aggValue{typ: et, leaves: leaves[start : start+n : start+n]}
		} else {
			p.aggRes = leaves[start]
		}
	case "insertvalue":
		t := p.parseType()
		if !isAggType(t) {
			p.failAt(opTok, "insertvalue into non-aggregate type '%v'", t)
		}
		leaves := append([]Value(nil), p.parseAgg(t)...)
		p.expectPunct(",")
		vt := p.tok
		xt := p.parseType()
		var xs []Value
		if isAggType(xt) {
			xs = p.parseAgg(xt)
		} else {
			xs = []Value{p.parseValue(xt)}
		}
		start, n, et := p.parseIndices(t)
		if !et.Equal(xt) || n != len(xs) {
			p.failAt(vt, "insertvalue of a '%v' into a field of type '%v'", xt, et)
		}
		copy(leaves[start:start+n], xs)
		p.aggRes = &aggValue{typ: t, leaves: leaves}
	}
}

// aggPhi parses the incoming list of a phi of aggregate type t into one
// phi per leaf.
func (p *parser) aggPhi(t *Type, flags Flags) {
	lts := p.leafTypes(p.prev, t, nil)
	phis := make([]*Instr, len(lts))
	for i, lt := range lts {
		phis[i] = p.emitInstr(OpPhi, lt)
		phis[i].Flags = flags
		phis[i].Ops, phis[i].Blocks = phis[i].opsBuf[:0:2], phis[i].blkBuf[:0:2]
	}
	for {
		p.expectPunct("[")
		vs := p.parseAgg(t)
		p.expectPunct(",")
		if p.tok.kind != tLocal {
			p.fail("expected a block label in phi, found %v", p.tok)
		}
		b := p.getBlock(p.tok.text, p.tok)
		p.next()
		p.expectPunct("]")
		for i, v := range vs {
			phis[i].AddIncoming(v, b)
		}
		if !p.isPunct(",") || p.peekMeta() {
			break
		}
		p.next()
	}
	leaves := make([]Value, len(phis))
	for i, x := range phis {
		leaves[i] = x
	}
	p.aggRes = &aggValue{typ: t, leaves: leaves}
	p.emitPhis = true
}

// aggSelect is select of aggregate type t: one select per leaf.
func (p *parser) aggSelect(c Value, t *Type, flags Flags) {
	x := p.parseAgg(t)
	p.expectPunct(",")
	t2 := p.parseType()
	if !t2.Equal(t) {
		p.fail("select operands of types '%v' and '%v'", t, t2)
	}
	y := p.parseAgg(t)
	leaves := make([]Value, len(x))
	for i := range x {
		s := p.emitInstr(OpSelect, x[i].Type(), c, x[i], y[i])
		s.Flags = flags
		leaves[i] = s
	}
	p.aggRes = &aggValue{typ: t, leaves: leaves}
}

// aggLoad is a load of aggregate type t from ptr: a load per leaf.
func (p *parser) aggLoad(tok token, t *Type, ptr Value, flags Flags) {
	lts := p.leafTypes(tok, t, nil)
	offs := leafOffsets(t, 0, nil)
	leaves := make([]Value, len(lts))
	for i, lt := range lts {
		l := p.emitInstr(OpLoad, lt, p.leafPtr(ptr, offs[i]))
		l.Flags = flags & FlagVolatile
		if !naturallyAligned(t) {
			l.Align = 1
		}
		leaves[i] = l
	}
	p.aggRes = &aggValue{typ: t, leaves: leaves}
}

// aggStore is a store of aggregate value leaves, of type t, to ptr.
func (p *parser) aggStore(t *Type, leaves []Value, ptr Value, flags Flags) {
	offs := leafOffsets(t, 0, nil)
	for i, v := range leaves {
		s := p.emitInstr(OpStore, Void, v, p.leafPtr(ptr, offs[i]))
		s.Flags = flags & FlagVolatile
		if !naturallyAligned(t) {
			s.Align = 1
		}
	}
}

// naturallyAligned reports whether every leaf of t lies at a multiple of
// its alignment (not so in packed structs).
func naturallyAligned(t *Type) bool {
	switch t.Kind {
	case StructKind:
		for i, f := range t.Fields {
			if t.Packed && t.FieldOffset(i)%f.Align() != 0 || !naturallyAligned(f) {
				return false
			}
		}
	case ArrayKind:
		return naturallyAligned(t.Elem)
	}
	return true
}

// flatStruct reports whether t is a struct whose fields are all scalars:
// the struct types a function may return (in registers).
func flatStruct(t *Type) bool {
	if t.Kind != StructKind || t.Opaque {
		return false
	}
	for _, f := range t.Fields {
		switch f.Kind {
		case IntKind, FloatKind, PtrKind:
		default:
			return false
		}
	}
	return true
}

// aggCall finishes a call returning struct type ret: a call of a
// with.overflow intrinsic is lowered; any other call keeps its struct
// result, followed by one extractvalue per field.
func (p *parser) aggCall(in *Instr, at token) {
	name := calleeName(in)
	if strings.HasPrefix(name, "llvm.") {
		if p.overflowIntrinsic(in, name) {
			return
		}
		if !p.x86Asm(in, name) {
			p.failAt(at, "unsupported intrinsic '@%s' (see docs/IR.md for the intrinsics gorc lowers)", name)
		}
	}
	ret := in.Typ
	if !flatStruct(ret) {
		p.failAt(at, "calls returning '%v' are not supported (a returned struct must have scalar fields only)", ret)
	}
	p.emit = append(p.emit, in)
	leaves := make([]Value, len(ret.Fields))
	for i, f := range ret.Fields {
		leaves[i] = p.emitInstr(OpExtractValue, f, in, p.constInt(I32, int64(i)))
	}
	p.aggRes = &aggValue{typ: ret, leaves: leaves}
}

// overflowIntrinsic lowers llvm.{s,u}{add,sub,mul}.with.overflow.iN
// (result { iN, i1 }): the wrapped result, and whether it overflowed.
func (p *parser) overflowIntrinsic(in *Instr, name string) bool {
	rest, ok := strings.CutPrefix(name, "llvm.")
	if !ok {
		return false
	}
	base, _, ok := strings.Cut(rest, ".with.overflow.")
	if !ok || len(base) != 4 || (base[0] != 's' && base[0] != 'u') {
		return false
	}
	signed := base[0] == 's'
	op := base[1:]
	ret := in.Typ
	args := in.Ops[1:]
	if len(ret.Fields) != 2 || !ret.Fields[0].IsInt() || !ret.Fields[1].Equal(I1) || len(args) != 2 ||
		!args[0].Type().Equal(ret.Fields[0]) || !args[1].Type().Equal(ret.Fields[0]) {
		return false
	}
	t := ret.Fields[0]
	a, b := args[0], args[1]
	cmp := func(pr Pred, x, y Value) *Instr {
		c := p.emitInstr(OpICmp, I1, x, y)
		c.Pred = pr
		return c
	}
	zero := p.constInt(t, 0)
	var r, ov Value
	switch op {
	case "add", "sub":
		o := OpAdd
		if op == "sub" {
			o = OpSub
		}
		r = p.emitInstr(o, t, a, b)
		switch {
		case !signed && op == "add":
			ov = cmp(ICmpULT, r, a) // wrapped: the sum is below an operand
		case !signed:
			ov = cmp(ICmpULT, a, b) // borrowed
		case op == "add":
			// Both operands' signs differ from the result's.
			x := p.emitInstr(OpXor, t, a, r)
			y := p.emitInstr(OpXor, t, b, r)
			ov = cmp(ICmpSLT, p.emitInstr(OpAnd, t, x, y), zero)
		default:
			// The operands' signs differ and the result's differs from a's.
			x := p.emitInstr(OpXor, t, a, b)
			y := p.emitInstr(OpXor, t, a, r)
			ov = cmp(ICmpSLT, p.emitInstr(OpAnd, t, x, y), zero)
		}
	case "mul":
		r = p.emitInstr(OpMul, t, a, b)
		if t.Bits <= 32 {
			// Exact in 64 bits: overflow iff the product does not fit.
			ext := OpZExt
			if signed {
				ext = OpSExt
			}
			wa := p.emitInstr(ext, I64, a)
			wb := p.emitInstr(ext, I64, b)
			w := p.emitInstr(OpMul, I64, wa, wb)
			back := p.emitInstr(ext, I64, r)
			ov = cmp(ICmpNE, w, back)
		} else {
			// 64 bits: r / a != b for a != 0 (and a != -1 when signed,
			// where the division could trap: then overflow iff b = MIN).
			one := p.constInt(t, 1)
			aZero := cmp(ICmpEQ, a, zero)
			bad := aZero
			if signed {
				aM1 := cmp(ICmpEQ, a, p.constInt(t, -1))
				bad = p.emitInstr(OpOr, I1, aZero, aM1)
				d := p.emitInstr(OpSelect, t, bad, one, a)
				q := p.emitInstr(OpSDiv, t, r, d)
				ne := cmp(ICmpNE, q, b)
				good := p.emitInstr(OpXor, I1, bad, True)
				ovN := p.emitInstr(OpAnd, I1, good, ne)
				bMin := cmp(ICmpEQ, b, p.constInt(t, -1<<63))
				ovM := p.emitInstr(OpAnd, I1, aM1, bMin)
				ov = p.emitInstr(OpOr, I1, ovN, ovM)
			} else {
				d := p.emitInstr(OpSelect, t, bad, one, a)
				q := p.emitInstr(OpUDiv, t, r, d)
				ne := cmp(ICmpNE, q, b)
				good := p.emitInstr(OpXor, I1, bad, True)
				ov = p.emitInstr(OpAnd, I1, good, ne)
			}
		}
	default:
		return false
	}
	p.aggRes = &aggValue{typ: ret, leaves: []Value{r, ov}}
	return true
}
