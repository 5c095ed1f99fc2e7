package ir

import (
	"fmt"
	"math/big"
	"sync"
)

// Integers of 65 to 128 bits. clang-19 reads and writes `__int128` and
// `unsigned __int128` as i128 (a 64x64-bit product is `mul i128` of two
// zero-extended i64, a 16-byte struct copied by SROA a load and a store of
// i128), and glibc's isinf, signbit and fpclassify on long double bitcast
// an x86_fp80 to i80. The parser reads iN for N from 65 to 128 as a type
// of its own and, once a function's body is read (before odd widths are
// lowered, oddint.go), lowers every value of such a type to a pair of
// values: lo, an i64 with the low 64 bits, and hi, an i64 with the upper
// N-64 (the rest of hi undefined when N < 128, as oddint.go leaves the
// upper bits of an odd width). The backend never sees a wide value:
//
//   - add and sub carry through an unsigned compare of the low halves;
//     mul is the 64x64-bit high product (a call of llvm.gorc.umulh.i64,
//     one MUL in the backend) plus the two cross products; and, or, xor, select and phi work on each half;
//   - shifts by a constant move bits between the halves; by a variable
//     amount both the <64 and >=64 forms are computed and selected;
//   - icmp eq/ne tests (lo^lo')|(hi^hi'), the ordered ones compare the
//     high halves and, where they are equal, the low ones (unsigned);
//   - udiv, sdiv, urem and srem call libgcc's __udivti3, __divti3,
//     __umodti3 and __modti3, conversions from and to floating point
//     __floattidf, __fixdfti and the like (the executor resolves libgcc's
//     symbols), each with the psABI's two eightbytes in and RDX:RAX out;
//   - load and store move the two halves (hi as the N-64 bits it holds);
//     a bitcast between x86_fp80 and i80 goes through a 16-byte stack slot.
//
// Atomics of i128 are lowered to inline asm around lock cmpxchg16b
// (wideatomic.go). Wide integers in function signatures, va_arg and intrinsics
// other than those the parser lowers to plain operations are refused
// naming the function.

// wideInts are the iN types for N from 65 to 128.
// They are made on first use, as oddInts.
var wideInts = sync.OnceValue(func() (ts *[129]*Type) {
	ts = new([129]*Type)
	for n := 65; n <= 128; n++ {
		ts[n] = &Type{Kind: IntKind, Bits: n}
	}
	return ts
})

// wideIntType returns iN for N of 65 to 128, else nil.
func wideIntType(n int) *Type {
	if n < 65 || n > 128 {
		return nil
	}
	return wideInts()[n]
}

// isWideInt reports whether t is an integer type of 65 to 128 bits.
func isWideInt(t *Type) bool { return t != nil && t.Kind == IntKind && t.Bits > 64 }

// hasWideInt reports whether t is or (as a signature or literal struct)
// holds a wide integer type.
func hasWideInt(t *Type) bool {
	switch {
	case t == nil:
		return false
	case isWideInt(t):
		return true
	case t.Kind == FuncKind:
		if hasWideInt(t.Ret) {
			return true
		}
		for _, p := range t.Params {
			if hasWideInt(p) {
				return true
			}
		}
	case t.Kind == StructKind && t.Name == "":
		for _, f := range t.Fields {
			if hasWideInt(f) {
				return true
			}
		}
	}
	return false
}

// noWideSig fails at tok if t, a type in a signature, is or holds a wide
// integer: clang-19 passes and returns __int128 as two i64 (and {i64, i64}).
func (p *parser) noWideSig(tok token, t *Type) {
	if hasWideInt(t) {
		p.failAt(tok, "integer type '%v' in a signature is not supported (clang passes __int128 as two i64)", t)
	}
}

// wideConst is a constant of a wide integer type while a body is parsed;
// it never reaches the module (lowerWideInts splits it).
type wideConst struct {
	Typ    *Type
	Lo, Hi uint64
}

func (c *wideConst) Type() *Type { return c.Typ }
func (c *wideConst) Ident() string {
	v := new(big.Int).SetUint64(c.Hi)
	v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(c.Lo))
	return v.String()
}
func (c *wideConst) isConst() {}

// wideLiteral converts decimal text to the halves of an N-bit constant
// (two's complement, bits above N dropped); ok is false if it does not
// fit in N bits signed or unsigned.
func wideLiteral(text string, n int) (lo, hi uint64, ok bool) {
	v, good := new(big.Int).SetString(text, 10)
	if !good {
		return 0, 0, false
	}
	lim := new(big.Int).Lsh(big.NewInt(1), uint(n))
	half := new(big.Int).Rsh(lim, 1)
	if v.Cmp(lim) >= 0 || v.Cmp(new(big.Int).Neg(half)) < 0 {
		return 0, 0, false
	}
	if v.Sign() < 0 {
		v.Add(v, new(big.Int).Lsh(big.NewInt(1), 128))
	}
	m := new(big.Int).SetUint64(^uint64(0))
	lo = new(big.Int).And(v, m).Uint64()
	hi = new(big.Int).Rsh(v, 64).Uint64()
	return lo, hi, true
}

// wideConstBytes is the 16 bytes of memory a wide constant is (for a
// global's initializer).
func wideConstBytes(t *Type, lo, hi uint64) *ConstBytes {
	b := make([]byte, 16)
	for i := 0; i < 8; i++ {
		b[i] = byte(lo >> (8 * i))
		b[8+i] = byte(hi >> (8 * i))
	}
	return &ConstBytes{Typ: t, Data: b[:t.Size()]}
}

// wideRef stands for a half of a wide value not lowered yet (an operand
// of a phi, or of an instruction in a block listed before its
// definition's); lowerWideInts replaces it once every block is lowered.
type wideRef struct {
	of Value
	hi bool
}

func (r *wideRef) Type() *Type   { return I64 }
func (r *wideRef) Ident() string { return "<wide>" }

// wideLowering is the state of lowerWideInts over one function.
type wideLowering struct {
	p     *parser
	f     *Function
	pairs map[Value][2]Value
	refs  map[Value]*[2]*wideRef
	repl  map[Value]Value // i64 results replaced by a half (trunc to i64)
	out   []*Instr
	slot  *Instr             // the 16-byte stack slot of fp80 bitcasts, if any
	cx    map[Value][3]Value // a lowered cmpxchg of i128: lo, hi, success
	slots []*Instr           // the 16-byte stack slots of under-aligned i128 atomics
}

func (l *wideLowering) fail(format string, args ...any) {
	l.p.failAt(token{}, "in function '@%s': %s", l.f.Name, fmt.Sprintf(format, args...))
}

func (l *wideLowering) add(op Op, t *Type, ops ...Value) *Instr {
	x := l.p.arena.alloc()
	*x = Instr{Op: op, Typ: t}
	x.Ops = append(x.opsBuf[:0:len(x.opsBuf)], ops...)
	l.out = append(l.out, x)
	return x
}

func (l *wideLowering) c64(v int64) Value { return l.p.constInt(I64, v) }

func (l *wideLowering) icmp(pr Pred, a, b Value) Value {
	c := l.add(OpICmp, I1, a, b)
	c.Pred = pr
	return c
}

// isZero64 reports whether v is the i64 constant 0.
func isZero64(v Value) bool {
	c, ok := v.(*ConstInt)
	return ok && c.V == 0
}

// get returns the halves of wide value v.
func (l *wideLowering) get(v Value) (lo, hi Value) {
	if pr, ok := l.pairs[v]; ok {
		return pr[0], pr[1]
	}
	switch c := v.(type) {
	case *widePair:
		return c.lo, c.hi
	case *wideConst:
		return l.c64(int64(c.Lo)), l.c64(int64(c.Hi))
	case *ConstInt:
		return l.c64(c.V), l.c64(c.V >> 63)
	case *ConstZero:
		return l.c64(0), l.c64(0)
	case *Undef:
		return &Undef{Typ: I64, Poison: c.Poison}, &Undef{Typ: I64, Poison: c.Poison}
	case *Instr:
		r, ok := l.refs[v]
		if !ok {
			r = &[2]*wideRef{{of: v}, {of: v, hi: true}}
			l.refs[v] = r
		}
		return r[0], r[1]
	}
	l.fail("operand %s of type '%v' is not supported", v.Ident(), v.Type())
	return nil, nil
}

// norm returns hi of an n-bit value with its bits above n-64 made zero or
// copies of bit n-65.
func (l *wideLowering) norm(hi Value, n int, signed bool) Value {
	hw := n - 64
	if hw == 64 {
		return hi
	}
	if c, ok := hi.(*ConstInt); ok {
		s := uint(64 - hw)
		if signed {
			return l.c64(c.V << s >> s)
		}
		return l.c64(int64(uint64(c.V) << s >> s))
	}
	if signed {
		s := l.c64(int64(64 - hw))
		return l.add(OpAShr, I64, l.add(OpShl, I64, hi, s), s)
	}
	return l.add(OpAnd, I64, hi, l.c64(int64(uint64(1)<<hw-1)))
}

// lowerWideInts lowers the values of wide integer types in f's body.
func (p *parser) lowerWideInts(f *Function) {
	found := false
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			if isWideInt(in.Typ) || in.FnType != nil && hasWideInt(in.FnType) {
				found = true
				break
			}
			for _, o := range in.Ops {
				if isWideInt(o.Type()) {
					found = true
					break
				}
			}
		}
		if found {
			break
		}
	}
	if !found {
		return
	}
	l := &wideLowering{p: p, f: f, pairs: make(map[Value][2]Value), refs: make(map[Value]*[2]*wideRef), repl: make(map[Value]Value)}
	for _, b := range f.Blocks {
		l.out = make([]*Instr, 0, len(b.Instrs)+8)
		for _, in := range b.Instrs {
			if !l.lower(in) {
				l.out = append(l.out, in)
			}
		}
		for _, x := range l.out {
			x.Block = b
		}
		b.Instrs = l.out
	}
	if l.slot != nil {
		e := f.Blocks[0]
		l.slot.Block = e
		e.Instrs = append([]*Instr{l.slot}, e.Instrs...)
	}
	if len(l.slots) > 0 {
		e := f.Blocks[0]
		for _, x := range l.slots {
			x.Block = e
		}
		e.Instrs = append(append([]*Instr(nil), l.slots...), e.Instrs...)
	}
	if len(l.refs) == 0 && len(l.repl) == 0 {
		return
	}
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			for i, o := range in.Ops {
				in.Ops[i] = l.resolve(o)
			}
		}
	}
}

// resolve is operand o with placeholders and replaced values followed
// to what stands for them.
func (l *wideLowering) resolve(o Value) Value {
	for range 1 << 20 {
		if r, ok := l.repl[o]; ok {
			o = r
			continue
		}
		r, ok := o.(*wideRef)
		if !ok {
			return o
		}
		pr, ok := l.pairs[r.of]
		switch {
		case !ok:
			return &Undef{Typ: I64}
		case r.hi:
			o = pr[1]
		default:
			o = pr[0]
		}
	}
	l.fail("a cycle of wide values")
	return nil
}

// set records the halves of wide instruction in.
func (l *wideLowering) set(in *Instr, lo, hi Value) { l.pairs[in] = [2]Value{lo, hi} }

// lower rewrites in, appending what replaces it to l.out; it reports
// whether in itself is dropped.
func (l *wideLowering) lower(in *Instr) bool {
	wres := isWideInt(in.Typ)
	var n0 int
	if len(in.Ops) > 0 && in.Op != OpCall {
		if t := in.Ops[0].Type(); isWideInt(t) {
			n0 = t.Bits
		}
	}
	if !wres && n0 == 0 {
		switch in.Op {
		case OpCall:
			if in.FnType != nil && hasWideInt(in.FnType) {
				l.fail("calls with %v arguments or results are not supported (i128 in a signature)", in.FnType)
			}
		case OpStore, OpGEP, OpSelect, OpICmp:
			for i, o := range in.Ops {
				if isWideInt(o.Type()) {
					if in.Op == OpGEP {
						lo, _ := l.get(o)
						in.Ops[i] = lo
						continue
					}
					l.fail("%s with a %v operand is not supported", in.Op, o.Type())
				}
			}
		case OpCmpXchg:
			if isWideInt(in.Ops[1].Type()) {
				l.cmpXchg(in)
				return true
			}
		case OpExtractValue:
			return l.extractValue(in)
		case OpRet:
		}
		return false
	}
	switch in.Op {
	case OpAdd, OpSub, OpMul, OpAnd, OpOr, OpXor:
		alo, ahi := l.get(in.Ops[0])
		blo, bhi := l.get(in.Ops[1])
		var lo, hi Value
		switch in.Op {
		case OpAdd:
			lo = l.add(OpAdd, I64, alo, blo)
			c := l.add(OpZExt, I64, l.icmp(ICmpULT, lo, alo))
			hi = l.add(OpAdd, I64, l.add(OpAdd, I64, ahi, bhi), c)
		case OpSub:
			lo = l.add(OpSub, I64, alo, blo)
			c := l.add(OpZExt, I64, l.icmp(ICmpULT, alo, blo))
			hi = l.add(OpSub, I64, l.add(OpSub, I64, ahi, bhi), c)
		case OpMul:
			lo = l.add(OpMul, I64, alo, blo)
			hi = l.mulHigh(alo, blo)
			if !isZero64(bhi) {
				hi = l.add(OpAdd, I64, hi, l.add(OpMul, I64, alo, bhi))
			}
			if !isZero64(ahi) {
				hi = l.add(OpAdd, I64, hi, l.add(OpMul, I64, ahi, blo))
			}
		default:
			lo = l.add(in.Op, I64, alo, blo)
			hi = l.add(in.Op, I64, ahi, bhi)
		}
		l.set(in, lo, hi)
	case OpShl, OpLShr, OpAShr:
		l.shift(in)
	case OpUDiv, OpSDiv, OpURem, OpSRem:
		signed := in.Op == OpSDiv || in.Op == OpSRem
		n := in.Typ.Bits
		alo, ahi := l.get(in.Ops[0])
		blo, bhi := l.get(in.Ops[1])
		ahi, bhi = l.norm(ahi, n, signed), l.norm(bhi, n, signed)
		fn := map[Op]string{OpUDiv: "__udivti3", OpSDiv: "__divti3", OpURem: "__umodti3", OpSRem: "__modti3"}[in.Op]
		lo, hi := l.callPair(fn, []*Type{I64, I64, I64, I64}, alo, ahi, blo, bhi)
		l.set(in, lo, hi)
	case OpICmp:
		l.icmpWide(in, n0)
	case OpSelect:
		alo, ahi := l.get(in.Ops[1])
		blo, bhi := l.get(in.Ops[2])
		l.set(in, l.add(OpSelect, I64, in.Ops[0], alo, blo), l.add(OpSelect, I64, in.Ops[0], ahi, bhi))
	case OpPhi:
		plo := l.add(OpPhi, I64)
		phi := l.add(OpPhi, I64)
		plo.Ops = make([]Value, len(in.Ops))
		phi.Ops = make([]Value, len(in.Ops))
		for i, o := range in.Ops {
			plo.Ops[i], phi.Ops[i] = l.get(o)
		}
		plo.Blocks = in.Blocks
		phi.Blocks = append([]*Block(nil), in.Blocks...)
		l.set(in, plo, phi)
	case OpLoad:
		if in.Flags&FlagAtomic != 0 {
			l.atomicLoad(in)
			break
		}
		l.load(in)
	case OpStore:
		if in.Flags&FlagAtomic != 0 {
			l.atomicStore(in)
			break
		}
		l.store(in)
	case OpAtomicRMW:
		l.atomicRMW(in)
	case OpExtractValue:
		if !l.extractValue(in) {
			l.fail("extractvalue of %v is not supported", in.Typ)
		}
	case OpZExt, OpSExt, OpTrunc, OpBitcast, OpPtrToInt, OpIntToPtr, OpUIToFP, OpSIToFP, OpFPToUI, OpFPToSI:
		return l.cast(in, n0)
	default:
		l.fail("%s of type %v is not supported", in.Op, in.Typ)
	}
	return true
}

// UMulHighName is the function whose call the parser emits for the upper
// 64 bits of the unsigned 128-bit product of two i64 (the backend selects
// one MUL for it; it is declared, never defined).
const UMulHighName = "llvm.gorc.umulh.i64"

// umulHighSig is UMulHighName's type.
var umulHighSig = FuncType(I64, []*Type{I64, I64}, false)

// mulHigh is the upper 64 bits of the 128-bit product of a and b: a call
// of UMulHighName (one MUL in the backend).
func (l *wideLowering) mulHigh(a, b Value) Value {
	if isZero64(a) || isZero64(b) {
		return l.c64(0)
	}
	if l.p.lazyBody && l.p.m.Lookup(UMulHighName) == nil {
		// A lazily read module without "i128 " (an i96 product, say):
		// four 32x32-bit products.
		m := l.c64(0xffffffff)
		s := l.c64(32)
		a0, a1 := l.add(OpAnd, I64, a, m), l.add(OpLShr, I64, a, s)
		b0, b1 := l.add(OpAnd, I64, b, m), l.add(OpLShr, I64, b, s)
		p00 := l.add(OpMul, I64, a0, b0)
		p01 := l.add(OpMul, I64, a0, b1)
		p10 := l.add(OpMul, I64, a1, b0)
		p11 := l.add(OpMul, I64, a1, b1)
		mid := l.add(OpAdd, I64, l.add(OpLShr, I64, p00, s), l.add(OpAnd, I64, p01, m))
		mid = l.add(OpAdd, I64, mid, l.add(OpAnd, I64, p10, m))
		hi := l.add(OpAdd, I64, p11, l.add(OpLShr, I64, p01, s))
		hi = l.add(OpAdd, I64, hi, l.add(OpLShr, I64, p10, s))
		return l.add(OpAdd, I64, hi, l.add(OpLShr, I64, mid, s))
	}
	c := l.add(OpCall, I64, l.libgcc(UMulHighName, umulHighSig), a, b)
	c.FnType = umulHighSig
	return c
}

// libgcc returns the declaration (or forward reference) of libgcc's
// function fn of type sig.
func (l *wideLowering) libgcc(fn string, sig *Type) Value {
	if v := l.p.m.Lookup(fn); v != nil {
		if f, ok := v.(*Function); !ok || !f.Sig.Equal(sig) {
			l.fail("'@%s' is declared with another type than libgcc's", fn)
		}
		return v
	}
	if l.p.lazyBody {
		l.fail("libgcc's '@%s' is needed but not declared (a lazily read module declares it when its text holds \"i128 \"; run without -lazy)", fn)
	}
	return l.p.libcRef(fn, sig)
}

// pairType is the {i64, i64} a function returns an i128 as (RDX:RAX).
var pairType = StructType([]*Type{I64, I64}, false)

// wideLibgcc are the libgcc functions a lazy parse declares for the
// i128 arithmetic of bodies it has not read (the others a lazily read
// body needs are an error naming them).
var wideLibgcc = sync.OnceValue(func() map[string]*Type {
	m := map[string]*Type{}
	div := FuncType(pairType, []*Type{I64, I64, I64, I64}, false)
	for _, fn := range []string{"__udivti3", "__divti3", "__umodti3", "__modti3"} {
		m[fn] = div
	}
	m["__floattidf"] = FuncType(F64, []*Type{I64, I64}, false)
	m["__floatuntidf"] = FuncType(F64, []*Type{I64, I64}, false)
	m["__fixdfti"] = FuncType(pairType, []*Type{F64}, false)
	m["__fixunsdfti"] = FuncType(pairType, []*Type{F64}, false)
	m[UMulHighName] = umulHighSig
	return m
})

// callPair calls libgcc's fn with args, returning an i128: its halves.
func (l *wideLowering) callPair(fn string, params []*Type, args ...Value) (lo, hi Value) {
	sig := FuncType(pairType, params, false)
	c := l.add(OpCall, pairType, append([]Value{l.libgcc(fn, sig)}, args...)...)
	c.FnType = sig
	lo = l.add(OpExtractValue, I64, c, l.p.constInt(I32, 0))
	hi = l.add(OpExtractValue, I64, c, l.p.constInt(I32, 1))
	return lo, hi
}

// shift lowers shl, lshr and ashr of a wide value.
func (l *wideLowering) shift(in *Instr) {
	n := in.Typ.Bits
	xlo, xhi := l.get(in.Ops[0])
	switch in.Op {
	case OpLShr:
		xhi = l.norm(xhi, n, false)
	case OpAShr:
		xhi = l.norm(xhi, n, true)
	}
	s, _ := l.get(in.Ops[1])
	if c, ok := s.(*ConstInt); ok {
		k := c.V & 127
		var lo, hi Value
		switch {
		case k == 0:
			lo, hi = xlo, xhi
		case k < 64:
			switch in.Op {
			case OpShl:
				lo = l.add(OpShl, I64, xlo, l.c64(k))
				hi = l.add(OpOr, I64, l.add(OpShl, I64, xhi, l.c64(k)), l.add(OpLShr, I64, xlo, l.c64(64-k)))
			case OpLShr, OpAShr:
				lo = l.add(OpOr, I64, l.add(OpLShr, I64, xlo, l.c64(k)), l.add(OpShl, I64, xhi, l.c64(64-k)))
				hi = l.add(in.Op, I64, xhi, l.c64(k))
			}
		default:
			k -= 64
			switch in.Op {
			case OpShl:
				lo, hi = l.c64(0), xlo
				if k > 0 {
					hi = l.add(OpShl, I64, xlo, l.c64(k))
				}
			case OpLShr:
				lo, hi = xhi, l.c64(0)
				if k > 0 {
					lo = l.add(OpLShr, I64, xhi, l.c64(k))
				}
			case OpAShr:
				lo, hi = xhi, l.add(OpAShr, I64, xhi, l.c64(63))
				if k > 0 {
					lo = l.add(OpAShr, I64, xhi, l.c64(k))
				}
			}
		}
		l.set(in, lo, hi)
		return
	}
	sm := l.add(OpAnd, I64, s, l.c64(63))
	inv := l.add(OpSub, I64, l.c64(63), sm)
	big := l.icmp(ICmpNE, l.add(OpAnd, I64, s, l.c64(64)), l.c64(0))
	var lo, hi Value
	switch in.Op {
	case OpShl:
		los := l.add(OpShl, I64, xlo, sm)
		his := l.add(OpOr, I64, l.add(OpShl, I64, xhi, sm), l.add(OpLShr, I64, l.add(OpLShr, I64, xlo, l.c64(1)), inv))
		lo = l.add(OpSelect, I64, big, l.c64(0), los)
		hi = l.add(OpSelect, I64, big, los, his)
	default:
		los := l.add(OpOr, I64, l.add(OpLShr, I64, xlo, sm), l.add(OpShl, I64, l.add(OpShl, I64, xhi, l.c64(1)), inv))
		his := l.add(in.Op, I64, xhi, sm)
		fill := Value(l.c64(0))
		if in.Op == OpAShr {
			fill = l.add(OpAShr, I64, xhi, l.c64(63))
		}
		lo = l.add(OpSelect, I64, big, his, los)
		hi = l.add(OpSelect, I64, big, fill, his)
	}
	l.set(in, lo, hi)
}

// icmpWide rewrites in, an icmp of two n-bit values, as an i1 computed
// from their halves; in becomes the final instruction.
func (l *wideLowering) icmpWide(in *Instr, n int) {
	signed := false
	switch in.Pred {
	case ICmpSLT, ICmpSLE, ICmpSGT, ICmpSGE:
		signed = true
	}
	alo, ahi := l.get(in.Ops[0])
	blo, bhi := l.get(in.Ops[1])
	ahi, bhi = l.norm(ahi, n, signed), l.norm(bhi, n, signed)
	if in.Pred == ICmpEQ || in.Pred == ICmpNE {
		x := l.add(OpOr, I64, l.add(OpXor, I64, alo, blo), l.add(OpXor, I64, ahi, bhi))
		in.Ops = append(in.opsBuf[:0:len(in.opsBuf)], x, l.c64(0))
		l.out = append(l.out, in)
		return
	}
	var loPred, hiPred Pred
	switch in.Pred {
	case ICmpULT, ICmpSLT:
		loPred, hiPred = ICmpULT, in.Pred
	case ICmpULE, ICmpSLE:
		loPred, hiPred = ICmpULE, map[Pred]Pred{ICmpULE: ICmpULT, ICmpSLE: ICmpSLT}[in.Pred]
	case ICmpUGT, ICmpSGT:
		loPred, hiPred = ICmpUGT, in.Pred
	case ICmpUGE, ICmpSGE:
		loPred, hiPred = ICmpUGE, map[Pred]Pred{ICmpUGE: ICmpUGT, ICmpSGE: ICmpSGT}[in.Pred]
	default:
		l.fail("icmp predicate %d on %v is not supported", in.Pred, in.Ops[0].Type())
	}
	eq := l.icmp(ICmpEQ, ahi, bhi)
	lc := l.icmp(loPred, alo, blo)
	hc := l.icmp(hiPred, ahi, bhi)
	name := in.Name
	*in = Instr{Op: OpSelect, Typ: I1, Name: name}
	in.Ops = append(in.opsBuf[:0:len(in.opsBuf)], eq, lc, hc)
	l.out = append(l.out, in)
}

// hiType is the type of the upper part of an n-bit value in memory.
func hiType(n int) *Type {
	if t := IntType(n - 64); t != nil {
		return t
	}
	return oddIntType(n - 64)
}

func (l *wideLowering) ptr8(base Value) Value {
	g := l.add(OpGEP, Ptr, base, l.c64(8))
	g.ElemType = I8
	g.Flags = FlagInBounds
	return g
}

// load lowers a load of a wide value: two loads.
func (l *wideLowering) load(in *Instr) {
	n := in.Typ.Bits
	a := in.Align
	if a == 0 || a > 8 {
		a = 8
	}
	lo := l.add(OpLoad, I64, in.Ops[0])
	lo.Align, lo.Flags = a, in.Flags&FlagVolatile
	ht := hiType(n)
	h := l.add(OpLoad, ht, l.ptr8(in.Ops[0]))
	h.Align, h.Flags = min(a, max(1, ht.Size())), in.Flags&FlagVolatile
	var hi Value = h
	if ht != I64 {
		hi = l.add(OpZExt, I64, h)
	}
	l.set(in, lo, hi)
}

// store lowers a store of a wide value: two stores.
func (l *wideLowering) store(in *Instr) {
	n := in.Ops[0].Type().Bits
	a := in.Align
	if a == 0 || a > 8 {
		a = 8
	}
	lo, hi := l.get(in.Ops[0])
	s := l.add(OpStore, Void, lo, in.Ops[1])
	s.Align, s.Flags = a, in.Flags&FlagVolatile
	ht := hiType(n)
	if ht != I64 {
		hi = l.add(OpTrunc, ht, hi)
	}
	s = l.add(OpStore, Void, hi, l.ptr8(in.Ops[1]))
	s.Align, s.Flags = min(a, max(1, ht.Size())), in.Flags&FlagVolatile
}

// fpSuffix is libgcc's letter pair for a floating-point type.
func fpSuffix(t *Type) string {
	switch {
	case t == F32:
		return "sf"
	case t == F80:
		return "xf"
	}
	return "df"
}

// cast lowers a cast to or from a wide type; it reports whether in is
// dropped.
func (l *wideLowering) cast(in *Instr, n0 int) bool {
	x := in.Ops[0]
	to := in.Typ
	wres := isWideInt(to)
	switch in.Op {
	case OpZExt, OpSExt:
		signed := in.Op == OpSExt
		if n0 > 0 {
			lo, hi := l.get(x)
			l.set(in, lo, l.norm(hi, n0, signed))
			return true
		}
		var lo Value = x
		if x.Type() != I64 {
			lo = l.add(in.Op, I64, x)
		}
		var hi Value = l.c64(0)
		if signed {
			hi = l.add(OpAShr, I64, lo, l.c64(63))
		}
		l.set(in, lo, hi)
		return true
	case OpTrunc:
		lo, hi := l.get(x)
		if wres {
			l.set(in, lo, hi)
			return true
		}
		if to == I64 {
			l.repl[in] = lo
			return true
		}
		in.Ops[0] = lo
		return false
	case OpPtrToInt:
		lo := l.add(OpPtrToInt, I64, x)
		l.set(in, lo, l.c64(0))
		return true
	case OpIntToPtr:
		lo, _ := l.get(x)
		in.Ops[0] = lo
		return false
	case OpUIToFP, OpSIToFP:
		lo, hi := l.get(x)
		hi = l.norm(hi, n0, in.Op == OpSIToFP)
		fn := "__floatti" + fpSuffix(to)
		if in.Op == OpUIToFP {
			fn = "__floatunti" + fpSuffix(to)
		}
		sig := FuncType(to, []*Type{I64, I64}, false)
		name := in.Name
		*in = Instr{Op: OpCall, Typ: to, Name: name, FnType: sig}
		in.Ops = []Value{l.libgcc(fn, sig), lo, hi}
		l.out = append(l.out, in)
		return true
	case OpFPToUI, OpFPToSI:
		fn := "__fix" + fpSuffix(x.Type()) + "ti"
		if in.Op == OpFPToUI {
			fn = "__fixuns" + fpSuffix(x.Type()) + "ti"
		}
		lo, hi := l.callPair(fn, []*Type{x.Type()}, x)
		l.set(in, lo, hi)
		return true
	case OpBitcast:
		switch {
		case wres && n0 > 0:
			lo, hi := l.get(x)
			l.set(in, lo, hi)
			return true
		case wres && x.Type() == F80 && to.Bits == 80:
			slot := l.stackSlot()
			st := l.add(OpStore, Void, x, slot)
			st.Align = 16
			lo := l.add(OpLoad, I64, slot)
			lo.Align = 16
			h := l.add(OpLoad, I16, l.ptr8(slot))
			h.Align = 8
			l.set(in, lo, l.add(OpZExt, I64, h))
			return true
		case n0 == 80 && to == F80:
			lo, hi := l.get(x)
			slot := l.stackSlot()
			s := l.add(OpStore, Void, lo, slot)
			s.Align = 16
			s = l.add(OpStore, Void, l.add(OpTrunc, I16, hi), l.ptr8(slot))
			s.Align = 8
			name := in.Name
			*in = Instr{Op: OpLoad, Typ: F80, Name: name, Align: 16}
			in.Ops = append(in.opsBuf[:0:len(in.opsBuf)], slot)
			l.out = append(l.out, in)
			return true
		}
	}
	if n0 > 0 {
		l.fail("%s from %v to %v is not supported", in.Op, x.Type(), to)
	}
	l.fail("%s from %v to %v is not supported", in.Op, x.Type(), to)
	return false
}

// stackSlot is the function's 16-byte slot for x86_fp80 bitcasts.
func (l *wideLowering) stackSlot() Value {
	if l.slot == nil {
		x := l.p.arena.alloc()
		*x = Instr{Op: OpAlloca, Typ: Ptr, ElemType: F80, Align: 16}
		x.Ops = append(x.opsBuf[:0:len(x.opsBuf)], l.c64(1))
		l.slot = x
	}
	return l.slot
}
