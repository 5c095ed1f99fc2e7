package ir

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// x86_fp80: C's long double on x86-64, the x87 unit's 80-bit extended
// format (sign, 15-bit exponent, 64-bit significand with an explicit
// integer bit), stored in 16 bytes aligned to 16 as clang's datalayout
// (f80:128) and the psABI say.

// F80 is the x86_fp80 type (a FloatKind type of 80 bits).
var F80 = &Type{Kind: FloatKind, Bits: 80}

// ConstFP80 is an x86_fp80 constant: its 80 bits, the sign and exponent
// in SE and the significand (integer bit included) in Mant. It prints
// as LLVM prints one, 0xK followed by SE's four and Mant's sixteen hex
// digits. It is a type of its own, not a ConstFloat, so that the
// optimizer, which folds ConstFloat arithmetic in float64, never folds
// long double arithmetic with the wrong precision.
type ConstFP80 struct {
	SE   uint16
	Mant uint64
}

func (*ConstFP80) Type() *Type { return F80 }
func (*ConstFP80) isConst()    {}

// Ident prints the constant as LLVM does: 0xK3FFF8000000000000000 is 1.0.
func (c *ConstFP80) Ident() string {
	return fmt.Sprintf("0xK%04X%016X", c.SE, c.Mant)
}

// Bytes returns the constant's ten bytes in memory order (little endian:
// significand, then sign and exponent).
func (c *ConstFP80) Bytes() [10]byte {
	var b [10]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(c.Mant >> (8 * i))
	}
	b[8], b[9] = byte(c.SE), byte(c.SE>>8)
	return b
}

// FP80FromFloat64 returns the x86_fp80 constant equal to v (exact: every
// double is an x86_fp80 value; a NaN keeps its payload, quiet bit
// included, as the x87 unit's fld of a double does).
func FP80FromFloat64(v float64) *ConstFP80 {
	b := math.Float64bits(v)
	sign := uint16(b>>63) << 15
	exp := int(b>>52) & 0x7ff
	frac := b & (1<<52 - 1)
	switch {
	case exp == 0 && frac == 0:
		return &ConstFP80{SE: sign}
	case exp == 0x7ff:
		return &ConstFP80{SE: sign | 0x7fff, Mant: 1<<63 | frac<<11}
	case exp == 0:
		// Subnormal double: normalise (the x87 format has the range).
		n := bits.LeadingZeros64(frac) - 11 // shift that sets bit 52
		frac <<= uint(n)
		return &ConstFP80{SE: sign | uint16(1-1023-n+16383), Mant: frac << 11}
	}
	return &ConstFP80{SE: sign | uint16(exp-1023+16383), Mant: 1<<63 | frac<<11}
}

// fp80Const parses an x86_fp80 constant at tok: LLVM's 0xK form (up to
// four hex digits of sign and exponent, then up to sixteen of the
// significand). Like LLVM, it refuses decimal and 0x (double) spellings
// for x86_fp80.
func (p *parser) fp80Const(tok token) Constant {
	p.next()
	s := tok.text
	if strings.HasPrefix(s, "0xK") || strings.HasPrefix(s, "0XK") {
		h := s[3:]
		if h == "" || len(h) > 20 {
			p.failAt(tok, "invalid x86_fp80 constant %s (0xK and at most 20 hex digits)", s)
		}
		var se, m uint64
		var err error
		n := min(4, len(h))
		if se, err = strconv.ParseUint(h[:n], 16, 16); err != nil {
			p.failAt(tok, "invalid x86_fp80 constant %s", s)
		}
		if len(h) > 4 {
			if m, err = strconv.ParseUint(h[4:], 16, 64); err != nil {
				p.failAt(tok, "invalid x86_fp80 constant %s", s)
			}
		}
		return &ConstFP80{SE: uint16(se), Mant: m}
	}
	p.failAt(tok, "x86_fp80 constants are written 0xK followed by 20 hex digits (as LLVM prints them), found %s", s)
	return nil
}

// Masks of llvm.is.fpclass (LLVM's FPClassTest bits).
const (
	fcNan    = 0x003 // signalling and quiet NaN
	fcInf    = 0x204 // -inf, +inf
	fcFinite = 0x1f8 // normal, subnormal, zero of both signs
)

// lowerIsFPClass turns in, a call of llvm.is.fpclass on x with the
// class mask, into comparisons, for the masks clang emits for isnan,
// isinf and isfinite (and their complements), reporting whether it did.
// (clang uses the intrinsic for long double, whose invalid encodings
// the x87 unit compares unordered, as LLVM classifies them with NaNs.)
func (p *parser) lowerIsFPClass(in *Instr, x Value, mask int64, newInstr func(op Op, typ *Type, ops ...Value) *Instr) bool {
	t := x.Type()
	inf := func(neg bool) Value {
		v := math.Inf(1)
		if neg {
			v = math.Inf(-1)
		}
		if t == F80 {
			return FP80FromFloat64(v)
		}
		return p.constFloat(t, v)
	}
	cmp := func(pred Pred, a, b Value) *Instr {
		c := newInstr(OpFCmp, I1, a, b)
		c.Pred = pred
		return c
	}
	set := func(op Op, pred Pred, a, b Value) {
		*in = Instr{Op: op, Typ: I1, Name: in.Name, Pred: pred}
		in.setOps2(a, b)
	}
	switch mask & 0x3ff {
	case fcNan:
		set(OpFCmp, FCmpUNO, x, x)
	case 0x3ff &^ fcNan:
		set(OpFCmp, FCmpORD, x, x)
	case fcInf:
		set(OpOr, 0, cmp(FCmpOEQ, x, inf(false)), cmp(FCmpOEQ, x, inf(true)))
	case 0x3ff &^ fcInf: // not infinite: finite or NaN
		set(OpAnd, 0, cmp(FCmpUNE, x, inf(false)), cmp(FCmpUNE, x, inf(true)))
	case fcFinite:
		set(OpAnd, 0, cmp(FCmpOLT, x, inf(false)), cmp(FCmpOGT, x, inf(true)))
	case 0x3ff &^ fcFinite: // infinite or NaN
		set(OpOr, 0, cmp(FCmpUGE, x, inf(false)), cmp(FCmpULE, x, inf(true)))
	case 0:
		set(OpAnd, 0, False, False)
	default:
		return p.fpClassTests(in, x, mask&0x3ff, inf, cmp, newInstr)
	}
	return true
}

// fpClassTests lowers llvm.is.fpclass for any other mask (fpclassify's
// normal and subnormal tests, a class of one sign): each class of the
// mask is tested by comparisons, and where the mask names one sign of it,
// the sign bit too (a bitcast to an integer, i80 for long double).
func (p *parser) fpClassTests(in *Instr, x Value, mask int64, inf func(bool) Value, cmp func(Pred, Value, Value) *Instr, newInstr func(op Op, typ *Type, ops ...Value) *Instr) bool {
	t := x.Type()
	if mask&fcNan != 0 && mask&fcNan != fcNan {
		return false // signalling or quiet NaN alone
	}
	var minNorm, negMinNorm, zero Value
	switch t {
	case F80:
		minNorm, negMinNorm, zero = &ConstFP80{SE: 1, Mant: 1 << 63}, &ConstFP80{SE: 0x8001, Mant: 1 << 63}, &ConstFP80{}
	case F64:
		minNorm, negMinNorm, zero = p.constFloat(t, 0x1p-1022), p.constFloat(t, -0x1p-1022), p.constFloat(t, 0)
	case F32:
		minNorm, negMinNorm, zero = p.constFloat(t, 0x1p-126), p.constFloat(t, -0x1p-126), p.constFloat(t, 0)
	default:
		return false
	}
	var sign Value // x's sign bit set
	neg := func() Value {
		if sign == nil {
			it := IntType(t.Bits)
			var z Value
			if t == F80 {
				it = wideIntType(80)
				z = &wideConst{Typ: it}
			} else {
				z = p.constInt(it, 0)
			}
			b := newInstr(OpBitcast, it, x)
			c := newInstr(OpICmp, I1, b, z)
			c.Pred = ICmpSLT
			sign = c
		}
		return sign
	}
	and := func(a, b Value) Value { return newInstr(OpAnd, I1, a, b) }
	or := func(a, b Value) Value { return newInstr(OpOr, I1, a, b) }
	var acc Value
	class := func(negBit, posBit int64, test func() Value) {
		nb, pb := mask&(1<<negBit) != 0, mask&(1<<posBit) != 0
		if !nb && !pb {
			return
		}
		v := test()
		switch {
		case nb && !pb:
			v = and(v, neg())
		case pb && !nb:
			v = and(v, newInstr(OpXor, I1, neg(), True))
		}
		if acc == nil {
			acc = v
		} else {
			acc = or(acc, v)
		}
	}
	if mask&fcNan != 0 {
		acc = cmp(FCmpUNO, x, x)
	}
	class(2, 9, func() Value { return or(cmp(FCmpOEQ, x, inf(false)), cmp(FCmpOEQ, x, inf(true))) })
	class(3, 8, func() Value {
		pos := and(cmp(FCmpOGE, x, minNorm), cmp(FCmpOLT, x, inf(false)))
		ng := and(cmp(FCmpOLE, x, negMinNorm), cmp(FCmpOGT, x, inf(true)))
		return or(pos, ng)
	})
	class(4, 7, func() Value {
		return and(and(cmp(FCmpOLT, x, minNorm), cmp(FCmpOGT, x, negMinNorm)), cmp(FCmpONE, x, zero))
	})
	class(5, 6, func() Value { return cmp(FCmpOEQ, x, zero) })
	*in = Instr{Op: OpAnd, Typ: I1, Name: in.Name}
	in.setOps2(acc, True)
	return true
}
