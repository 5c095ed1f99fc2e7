package ir

import (
	"strconv"
	"strings"
)

// What clang-19's loop and SLP vectorizers emit at -O2 and -O3, read by
// splitting every vector into its elements (vector.go): element-wise
// comparisons (<N x i1> results), selects on a vector of conditions,
// bitcasts between vector shapes and to and from integers (a <16 x i1>
// to i16, a <4 x i32> to <16 x i8>), and the vector forms of the
// intrinsics: element-wise ones (llvm.smax.v4i32, llvm.fmuladd.v2f64,
// llvm.abs, ...) become one scalar intrinsic per element, lowered as a
// scalar call of it is (intrinsics.go), and llvm.vector.reduce.* becomes a
// chain of scalar operations in element order (the order the ordered
// fadd and fmul reductions require; the others are associative).

// isVectorIntrinsic reports whether name is an llvm.* intrinsic with a
// vector type in its name (a ".v4i32" or ".v2f64" part).
func isVectorIntrinsic(name string) bool {
	if !strings.HasPrefix(name, "llvm.") {
		return false
	}
	for _, part := range strings.Split(name, ".")[1:] {
		if _, ok := vectorPart(part); ok {
			return true
		}
	}
	return false
}

// vectorPart returns the scalar type suffix of an intrinsic name's
// vector part ("v4i32" gives "i32").
func vectorPart(s string) (string, bool) {
	if len(s) < 3 || s[0] != 'v' {
		return "", false
	}
	i := 1
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 1 || i == len(s) {
		return "", false
	}
	switch e := s[i:]; {
	case e == "f32" || e == "f64" || e == "p0":
		return e, true
	case e[0] == 'i' && len(e) > 1:
		if _, err := strconv.Atoi(e[1:]); err == nil {
			return e, true
		}
	}
	return "", false
}

// scalarIntrinsicName is name with each vector part replaced by its
// element type (llvm.smax.v4i32 gives llvm.smax.i32).
func scalarIntrinsicName(name string) string {
	parts := strings.Split(name, ".")
	for i, part := range parts {
		if e, ok := vectorPart(part); ok {
			parts[i] = e
		}
	}
	return strings.Join(parts, ".")
}

// skipVectorIntrinsicDecl skips a declaration (after 'declare') of an
// intrinsic on vectors: its calls are lowered where they are read and
// never refer to it. It reports whether it did.
func (p *parser) skipVectorIntrinsicDecl() bool {
	save, saveTok, savePrev := p.lx, p.tok, p.prev
	line := p.tok.line
	for p.tok.kind != tEOF && p.tok.line == line && p.tok.kind != tGlobal {
		p.next()
	}
	if p.tok.kind == tGlobal && p.tok.line == line && isVectorIntrinsic(p.tok.text) {
		name := p.tok.text
		p.next()
		var elems []*Type
		if p.acceptPunct("(") {
			for !p.isPunct(")") && p.tok.line == line {
				if len(elems) > 0 {
					p.expectPunct(",")
				}
				t := p.parseType()
				p.paramAttrs()
				if isVector(t) {
					t = t.Elem
				}
				elems = append(elems, t)
			}
		}
		p.skipLine()
		p.needScalarLibc(name, elems)
		return true
	}
	p.lx, p.tok, p.prev = save, saveTok, savePrev
	return false
}

// vectorCompare parses the operands of an icmp or fcmp on vector type t
// (predicate and type read): one comparison per element.
func (p *parser) vectorCompare(op Op, pred Pred, flags Flags, t *Type) {
	x := p.parseAgg(t)
	p.expectPunct(",")
	y := p.parseAgg(t)
	leaves := make([]Value, len(x))
	for i := range x {
		c := p.emitInstr(op, I1, x[i], y[i])
		c.Pred = pred
		c.Flags = flags
		leaves[i] = c
	}
	rt := ArrayType(t.Len, I1)
	rt.Vector = true
	p.aggRes = &aggValue{typ: rt, leaves: leaves}
}

// vectorSelect parses the rest of a select whose condition is of vector
// type ct (the type read): one select per element.
func (p *parser) vectorSelect(ct *Type, flags Flags) {
	if !ct.Elem.Equal(I1) {
		p.fail("select condition of type '%v'", ct)
	}
	cs := p.parseAgg(ct)
	p.expectPunct(",")
	tt := p.tok
	t := p.parseType()
	if !isVector(t) || t.Len != ct.Len {
		p.failAt(tt, "select of '%v' on a condition of type '%v'", t, ct)
	}
	x := p.parseAgg(t)
	p.expectPunct(",")
	t2t := p.tok
	if t2 := p.parseType(); !t2.Equal(t) {
		p.failAt(t2t, "select operands of types '%v' and '%v'", t, t2)
	}
	y := p.parseAgg(t)
	leaves := make([]Value, len(x))
	for i := range x {
		s := p.emitInstr(OpSelect, t.Elem, cs[i], x[i], y[i])
		s.Flags = flags
		leaves[i] = s
	}
	p.aggRes = &aggValue{typ: t, leaves: leaves}
}

// vectorBitcast finishes a bitcast of leaves xs (of vector type t, or a
// scalar as one leaf) to type to (a vector or a scalar) of the same size:
// the bits are regrouped through integers of at most 64 bits.
func (p *parser) vectorBitcast(tt token, t *Type, xs []Value, to *Type) {
	srcElem, srcN := t, int64(1)
	if isVector(t) {
		srcElem, srcN = t.Elem, t.Len
	}
	dstElem, dstN := to, int64(1)
	if isVector(to) {
		dstElem, dstN = to.Elem, to.Len
	}
	sw, dw := scalarBits(srcElem), scalarBits(dstElem)
	if sw == 0 || dw == 0 || sw > 64 || dw > 64 || sw*srcN != dw*dstN || srcElem.IsPtr() || dstElem.IsPtr() {
		p.failAt(tt, "bitcast from '%v' to '%v' is not supported", t, to)
	}
	// Each source element as an integer of its width.
	ints := make([]Value, len(xs))
	for i, x := range xs {
		ints[i] = x
		if srcElem.IsFloat() {
			ints[i] = p.emitInstr(OpBitcast, IntType(int(sw)), x)
		}
	}
	dt := intOfBits(dw)
	out := make([]Value, dstN)
	for j := range dstN {
		var v Value
		switch {
		case sw == dw:
			v = ints[j]
		case dw > sw:
			// Concatenate k = dw/sw source elements, the first lowest.
			k := dw / sw
			for e := range k {
				part := Value(p.emitInstr(OpZExt, dt, ints[j*k+e]))
				if e > 0 {
					part = p.emitInstr(OpShl, dt, part, p.constInt(dt, e*sw))
				}
				if v == nil {
					v = part
				} else {
					v = p.emitInstr(OpOr, dt, v, part)
				}
			}
		default:
			// Part j%k of source element j/k.
			k := sw / dw
			src := ints[j/k]
			st := intOfBits(sw)
			if sh := (j % k) * dw; sh > 0 {
				src = p.emitInstr(OpLShr, st, src, p.constInt(st, sh))
			}
			v = p.emitInstr(OpTrunc, dt, src)
		}
		if dstElem.IsFloat() {
			v = p.emitInstr(OpBitcast, dstElem, v)
		}
		out[j] = v
	}
	if !isVector(to) {
		p.aggRes = out[0]
		return
	}
	p.aggRes = &aggValue{typ: to, leaves: out}
}

// scalarBits is the width of a scalar integer or float type, or 0.
func scalarBits(t *Type) int64 {
	switch {
	case t.IsInt(), t.IsFloat():
		return int64(t.Bits)
	}
	return 0
}

// intOfBits is the integer type of n bits.
func intOfBits(n int64) *Type {
	if t := IntType(int(n)); t != nil {
		return t
	}
	return oddIntType(int(n))
}

// vectorIntrinsicCall parses the rest of a call of an intrinsic on
// vectors (the return type ret read; the callee is the current token)
// and queues its lowered form in p.emit, its result in p.aggRes.
func (p *parser) vectorIntrinsicCall(opTok token, ret *Type, flags Flags) {
	name := p.tok.text
	p.next()
	p.expectPunct("(")
	type arg = vecArg
	var args []arg
	for !p.isPunct(")") {
		if len(args) > 0 {
			p.expectPunct(",")
		}
		t := p.parseType()
		p.paramAttrs()
		if isVector(t) {
			args = append(args, arg{t: t, leaves: p.parseAgg(t)})
		} else {
			args = append(args, arg{t: t, v: p.parseValue(t)})
		}
	}
	p.next()
	for p.tok.kind == tAttrRef || p.tok.kind == tWord && p.tok.line == opTok.line && !p.isTypeStart() && !isInstrWord(p.tok.text) {
		p.next()
		if p.isPunct("(") {
			p.skipBalanced()
		}
	}
	if strings.HasPrefix(name, "llvm.vector.reduce.") {
		p.vectorReduce(opTok, name, ret, flags, len(args), func(i int) (*Type, []Value, Value) { return args[i].t, args[i].leaves, args[i].v })
		return
	}
	if strings.HasPrefix(name, "llvm.masked.") {
		ops := make([]vecArg, len(args))
		for i, a := range args {
			ops[i] = vecArg{a.t, a.leaves, a.v}
		}
		p.maskedMemory(opTok, name, ret, ops)
		return
	}
	// Element-wise: the result and every vector operand have n elements.
	if !isVector(ret) {
		p.failAt(opTok, "intrinsic '@%s' on vectors is not supported", name)
	}
	n := ret.Len
	for _, a := range args {
		if a.leaves != nil && a.t.Len != n {
			p.failAt(opTok, "intrinsic '@%s' on vectors is not supported", name)
		}
	}
	scalar := scalarIntrinsicName(name)
	leaves := make([]Value, n)
	ops := make([]Value, len(args))
	for i := range n {
		for k, a := range args {
			if a.leaves != nil {
				ops[k] = a.leaves[i]
			} else {
				ops[k] = a.v
			}
		}
		leaves[i] = p.scalarIntrinsic(opTok, scalar, ret.Elem, flags, ops...)
	}
	p.aggRes = &aggValue{typ: ret, leaves: leaves}
}

// scalarIntrinsic queues a call of intrinsic name (on scalars) lowered as
// intrinsics.go lowers it, and returns its value.
func (p *parser) scalarIntrinsic(at token, name string, ret *Type, flags Flags, args ...Value) Value {
	in := p.arena.alloc()
	pts := make([]*Type, len(args))
	for i, a := range args {
		pts[i] = a.Type()
	}
	*in = Instr{Op: OpCall, Typ: ret, Flags: flags, FnType: FuncType(ret, pts, false)}
	in.Ops = append(append(in.opsBuf[:0:len(in.opsBuf)], &fwdRef{name: name, typ: Ptr, tok: at, global: true}), args...)
	pre, drop := p.lowerIntrinsic(in, at)
	p.emit = append(p.emit, pre...)
	if drop {
		p.failAt(at, "intrinsic '@%s' on vectors is not supported", name)
	}
	if c, ok := in.Ops[0].(*fwdRef); ok && in.Op == OpCall && c.name == name {
		// Not lowered: no function of that name exists.
		p.failAt(at, "unsupported intrinsic '@%s' on vectors", name)
	}
	p.emit = append(p.emit, in)
	return in
}

// vectorReduce lowers llvm.vector.reduce.OP (args: the vector, or for
// fadd and fmul the start value and the vector).
func (p *parser) vectorReduce(at token, name string, ret *Type, flags Flags, nargs int, arg func(int) (*Type, []Value, Value)) {
	rest := strings.TrimPrefix(name, "llvm.vector.reduce.")
	op, _, _ := strings.Cut(rest, ".")
	var acc Value
	vi := 0
	if op == "fadd" || op == "fmul" {
		if nargs != 2 {
			p.failAt(at, "'@%s' takes a start value and a vector", name)
		}
		_, _, acc = arg(0)
		vi = 1
	} else if nargs != 1 {
		p.failAt(at, "'@%s' takes one vector", name)
	}
	t, xs, _ := arg(vi)
	if xs == nil || !t.Elem.Equal(ret) || acc != nil && !acc.Type().Equal(ret) {
		p.failAt(at, "'@%s' with operands of unexpected types", name)
	}
	bin := map[string]Op{"add": OpAdd, "mul": OpMul, "and": OpAnd, "or": OpOr, "xor": OpXor, "fadd": OpFAdd, "fmul": OpFMul}
	minmax := map[string]string{"smax": "smax", "smin": "smin", "umax": "umax", "umin": "umin", "fmax": "maxnum", "fmin": "minnum"}
	suffix := ret.String()
	if ret.IsFloat() {
		suffix = "f" + strconv.Itoa(ret.Bits)
	}
	for _, x := range xs {
		if acc == nil {
			acc = x
			continue
		}
		if o, ok := bin[op]; ok {
			in := p.emitInstr(o, ret, acc, x)
			if o.IsFloatBinary() {
				in.Flags = flags
			}
			acc = in
			continue
		}
		mm, ok := minmax[op]
		if !ok {
			p.failAt(at, "unsupported intrinsic '@%s'", name)
		}
		acc = p.scalarIntrinsic(at, "llvm."+mm+"."+suffix, ret, flags, acc, x)
	}
	if acc == nil {
		p.failAt(at, "'@%s' of an empty vector", name)
	}
	p.aggRes = acc
}

// vecArg is an operand of an intrinsic call on vectors.
type vecArg struct {
	t      *Type
	leaves []Value // a vector's elements
	v      Value   // a scalar
}

// maskedMemory lowers llvm.masked.load, store, gather and scatter: each
// element's access goes to its address when its mask bit is set and to a
// stack slot of the function otherwise (a select of the two addresses:
// no branch, and no access to memory the mask excludes); a load's
// element is its passthru operand where the mask is clear.
func (p *parser) maskedMemory(at token, name string, ret *Type, args []vecArg) {
	rest := strings.TrimPrefix(name, "llvm.masked.")
	kind, _, _ := strings.Cut(rest, ".")
	bad := func() { p.failAt(at, "call of '@%s' with unexpected operands", name) }
	var val, ptrs, mask, pass vecArg
	var base Value
	switch kind {
	case "load", "gather":
		if len(args) != 4 || !isVector(ret) {
			bad()
		}
		mask, pass = args[2], args[3]
		if kind == "load" {
			base = args[0].v
		} else {
			ptrs = args[0]
		}
	case "store", "scatter":
		if len(args) != 4 || !ret.IsVoid() {
			bad()
		}
		val, mask = args[0], args[3]
		if kind == "store" {
			base = args[1].v
		} else {
			ptrs = args[1]
		}
	default:
		p.failAt(at, "unsupported intrinsic '@%s'", name)
	}
	vt := ret
	if val.leaves != nil {
		vt = val.t
	}
	n := vt.Len
	if mask.leaves == nil || int64(len(mask.leaves)) != n || base == nil && (ptrs.leaves == nil || int64(len(ptrs.leaves)) != n) ||
		base != nil && !base.Type().IsPtr() || pass.t != nil && (pass.leaves == nil || !pass.t.Equal(vt)) {
		bad()
	}
	et := vt.Elem
	// The slot masked-off elements are read from and written to.
	slot := p.arena.alloc()
	*slot = Instr{Op: OpAlloca, Typ: Ptr, ElemType: et, Align: 8}
	entry := p.f.Blocks[0]
	slot.Block = entry
	entry.Instrs = append([]*Instr{slot}, entry.Instrs...)
	leaves := make([]Value, n)
	for i := range n {
		var addr Value
		if base != nil {
			addr = p.leafPtr(base, i*et.Size())
		} else {
			addr = ptrs.leaves[i]
		}
		m := mask.leaves[i]
		on, isConst := m.(*ConstInt)
		switch {
		case isConst && on.V == 0:
			if pass.leaves != nil {
				leaves[i] = pass.leaves[i]
			}
			continue
		case !isConst:
			addr = p.emitInstr(OpSelect, Ptr, m, addr, slot)
		}
		if val.leaves != nil {
			st := p.emitInstr(OpStore, Void, val.leaves[i], addr)
			st.Align = 1
			continue
		}
		ld := p.emitInstr(OpLoad, et, addr)
		ld.Align = 1
		leaves[i] = ld
		if !isConst {
			leaves[i] = p.emitInstr(OpSelect, et, m, ld, pass.leaves[i])
		}
	}
	if val.leaves == nil {
		p.aggRes = &aggValue{typ: ret, leaves: leaves}
	}
}

// needScalarLibc records the libm function that the calls of vector
// intrinsic name (its parameters' element types elems) are lowered to, so
// that a lazily parsed body finds it declared (ensureLibc).
func (p *parser) needScalarLibc(name string, elems []*Type) {
	if len(elems) == 0 || !elems[0].IsFloat() {
		return
	}
	e := elems[len(elems)-1]
	scalar := scalarIntrinsicName(name)
	ft := FuncType(e, elems, false)
	if r, ok := strings.CutPrefix(name, "llvm.vector.reduce."); ok {
		op, _, _ := strings.Cut(r, ".")
		m := map[string]string{"fmax": "maxnum", "fmin": "minnum"}[op]
		if m == "" {
			return
		}
		scalar = "llvm." + m + ".f" + strconv.Itoa(e.Bits)
		ft = FuncType(e, []*Type{e, e}, false)
	}
	fn, sig := libcFor(scalar, ft)
	if fn == "" {
		return
	}
	if p.libcNeeded == nil {
		p.libcNeeded = make(map[string]*Type)
	}
	if _, ok := p.libcNeeded[fn]; !ok {
		p.libcNeeded[fn] = sig
	}
}

// lowerSaturating lowers llvm.uadd.sat.iN and llvm.usub.sat.iN (zlib's
// gun.c at -O2), llvm.sadd.sat.iN and llvm.ssub.sat.iN (_mm_adds_epi16)
// to an add or sub, a compare and a select; in becomes the
// select. It reports whether name was one of them.
func (p *parser) lowerSaturating(in *Instr, name string) (pre []*Instr, ok bool) {
	var op Op
	signed := false
	switch {
	case strings.HasPrefix(name, "llvm.uadd.sat."):
		op = OpAdd
	case strings.HasPrefix(name, "llvm.usub.sat."):
		op = OpSub
	case strings.HasPrefix(name, "llvm.sadd.sat."):
		op, signed = OpAdd, true
	case strings.HasPrefix(name, "llvm.ssub.sat."):
		op, signed = OpSub, true
	default:
		return nil, false
	}
	t := in.Typ
	if !t.IsInt() || len(in.Ops) != 3 || !in.Ops[1].Type().Equal(t) || !in.Ops[2].Type().Equal(t) {
		return nil, false
	}
	if signed && IntType(t.Bits) == nil {
		return nil, false
	}
	a, b := in.Ops[1], in.Ops[2]
	mk := func(op Op, typ *Type, ops ...Value) *Instr {
		x := p.arena.alloc()
		*x = Instr{Op: op, Typ: typ}
		x.Ops = append(x.opsBuf[:0:len(x.opsBuf)], ops...)
		pre = append(pre, x)
		return x
	}
	r := mk(op, t, a, b)
	if signed {
		// Overflow: both operands' signs differ from the result's (add),
		// or a's differs from b's and from the result's (sub); then the
		// bound on a's side: MAX xor (a >> N-1).
		x := mk(OpXor, t, a, r)
		y := mk(OpXor, t, b, r)
		if op == OpSub {
			y = mk(OpXor, t, a, b)
		}
		zero := p.constInt(t, 0)
		ov := mk(OpICmp, I1, mk(OpAnd, t, x, y), zero)
		ov.Pred = ICmpSLT
		sat := mk(OpXor, t, mk(OpAShr, t, a, p.constInt(t, int64(t.Bits-1))), p.constInt(t, int64(uint64(1)<<(t.Bits-1)-1)))
		*in = Instr{Op: OpSelect, Typ: t, Name: in.Name}
		in.opsBuf = [3]Value{ov, sat, r}
		in.Ops = in.opsBuf[:3:3]
		return pre, true
	}
	var c *Instr
	var sat Value
	if op == OpAdd {
		c = mk(OpICmp, I1, r, a) // wrapped: the sum is below a
		c.Pred = ICmpULT
		sat = p.constInt(t, -1)
	} else {
		c = mk(OpICmp, I1, a, b) // a < b: 0
		c.Pred = ICmpULT
		sat = p.constInt(t, 0)
	}
	*in = Instr{Op: OpSelect, Typ: t, Name: in.Name}
	in.opsBuf = [3]Value{c, sat, r}
	in.Ops = in.opsBuf[:3:3]
	return pre, true
}

// gepLanes is the element count of the vector operands of a
// getelementptr (the first one's).
func (p *parser) gepLanes(lanes [][]Value) int {
	for _, l := range lanes {
		if l != nil {
			return len(l)
		}
	}
	return 0
}

// vectorGEP finishes a getelementptr with vector operands (a vector of
// pointers, as the vectorizers compute addresses to store): one scalar
// getelementptr per element, a scalar operand used by each, a vector
// operand's element by the getelementptr of its place. in holds the
// scalar operands; lanes[i], if there is one, the elements of operand i.
func (p *parser) vectorGEP(in *Instr, lanes [][]Value) {
	n := p.gepLanes(lanes)
	leaves := make([]Value, n)
	for k := range leaves {
		ops := make([]Value, len(in.Ops))
		for i, o := range in.Ops {
			if i < len(lanes) && lanes[i] != nil {
				o = lanes[i][k]
			}
			ops[i] = o
		}
		g := p.emitInstr(OpGEP, Ptr, ops...)
		g.ElemType, g.Flags = in.ElemType, in.Flags
		leaves[k] = g
	}
	t := ArrayType(int64(n), Ptr)
	t.Vector = true
	p.aggRes = &aggValue{typ: t, leaves: leaves}
}

// vectorGEPConst parses a getelementptr constant expression of vector
// type t (`<4 x ptr> getelementptr ([256 x %struct.P], ptr @ps, <4 x
// i64> zeroinitializer, <4 x i64> <i64 0, ...>, i32 1)`, an operand in
// a function): one getelementptr instruction per element, placed before
// the instruction using it; their results are the leaves.
func (p *parser) vectorGEPConst(t *Type) []Value {
	p.next() // getelementptr
	var flags Flags
	for p.tok.kind == tWord && !p.isTypeStart() {
		switch p.tok.text {
		case "inbounds":
			flags |= FlagInBounds
		case "nuw", "nusw", "inrange":
		default:
			p.fail("unexpected %v in getelementptr", p.tok)
		}
		p.next()
	}
	p.expectPunct("(")
	et := p.parseType()
	var ops []Value
	var lanes [][]Value
	for p.isPunct(",") {
		p.next()
		p.acceptWord("inrange")
		tt := p.tok
		ot := p.parseType()
		if isVector(ot) {
			for len(lanes) < len(ops) {
				lanes = append(lanes, nil)
			}
			l := p.parseAgg(ot)
			if int64(len(l)) != t.Len {
				p.failAt(tt, "getelementptr of type '%v' with a '%v' operand", t, ot)
			}
			lanes = append(lanes, l)
			ops = append(ops, nil)
			continue
		}
		ops = append(ops, p.parseValue(ot))
	}
	p.expectPunct(")")
	if len(ops) == 0 {
		p.fail("getelementptr without a base")
	}
	leaves := make([]Value, t.Len)
	for k := range leaves {
		xs := make([]Value, len(ops))
		for i, o := range ops {
			if i < len(lanes) && lanes[i] != nil {
				o = lanes[i][k]
			}
			xs[i] = o
		}
		g := p.instrTo(&p.pre, OpGEP, Ptr, xs...)
		g.ElemType, g.Flags = et, flags
		leaves[k] = g
	}
	return leaves
}
