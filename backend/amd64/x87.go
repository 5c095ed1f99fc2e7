package amd64

import (
	"debug/elf"
	"strconv"

	"github.com/gorc-jit/gorc/backend/amd64/asm"
	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/objfile/elfw"
)

// x86_fp80 (C's long double) through the x87 unit.
//
// Every x86_fp80 value lives in memory, 16 bytes aligned to 16, and its
// virtual register (a general one) holds that memory's address: a frame
// slot of its own for the result of an operation, a load or a call; an
// entry of .rodata.cst16 for a constant; the incoming stack argument for a parameter (the psABI's X87 class passes
// it in memory, 16-byte aligned); a frame slot of its own for a phi,
// which the predecessors copy the incoming values into (all read before
// any is written: parallel-copy semantics). A select picks one of two
// addresses. Each operation is a short run of mX87 instructions that
// load the operands onto the x87 stack, compute and pop the result into
// its slot, so the x87 stack is empty between IR instructions, at every
// call and at every return but one returning x86_fp80, which leaves the
// value in ST(0) as the psABI asks. The register allocator sees only
// the address registers (and the general or xmm registers of a
// conversion), so x87 code needs nothing from it.
//
// An address is never stale: a slot is written again only when its
// instruction runs again, and in SSA form a value is dead by then (the
// phi copies of a loop's back edge write the phis' own slots, after
// reading every incoming value).

// x87State is the per-function state of x87 selection.
type x87State struct {
	on      bool                // the function has an x86_fp80 value
	scratch int32               // frame slot for conversions (-1: none yet)
	phi     map[*ir.Instr]int32 // frame slot of each x86_fp80 phi
	// top is the value left in st(0) for the next instruction, which
	// loads it first (x87Result), or nil; blk and idx find the next
	// instruction.
	top *ir.Instr
	blk *ir.Block
	idx int
}

func (s *x87State) reset() {
	s.on = false
	s.scratch = -1
	s.top, s.blk = nil, nil
	if s.phi != nil {
		clear(s.phi)
	}
}

// mX87's operations (minst.sub). [m] is minst.addr.
const (
	x87Ld    uint8 = iota // fld tbyte [m]
	x87St                 // fstp tbyte [m]
	x87LdX                // fld a (xmm; sz 4: float, 8: double) through the scratch slot [m]
	x87StX                // fstp to dst (xmm; sz 4 or 8) through [m]
	x87Fild               // fild a (gpr, 64 bits) through [m]
	x87Fistt              // fisttp to dst (gpr, 64 bits, truncating) through [m]
	x87Op                 // the register operation asm.X87StOp(imm) on st(t) (fchs, fprem: none)
	x87Prem               // st(0) = st(0) rem st(1) (fprem loop, status word in [m]); pop st(1)
	x87Cmp                // fucomip st(0), st(1); pop; dst = predicate imm (as fcmpTab) on the flags
)

// x87Slot returns a new 16-byte frame slot.
func (fc *fnCompiler) x87Slot() int32 {
	fc.frame = append(fc.frame, frameObj{size: 16, align: 16})
	return int32(len(fc.frame) - 1)
}

func (fc *fnCompiler) x87ScratchAddr() maddr {
	if fc.x87.scratch < 0 {
		fc.x87.scratch = fc.x87Slot()
	}
	return maddr{kind: addrFrame, slot: fc.x87.scratch}
}

func (fc *fnCompiler) x87Emit(sub uint8, ad maddr) {
	fc.emit(minst{op: mX87, sub: sub, dst: noVReg, a: noVReg, b: noVReg, c: noVReg, addr: ad})
}

// x87Op emits op on st(1) (fchs and fprem: no operand).
func (fc *fnCompiler) x87Op(op asm.X87StOp) { fc.x87OpST(op, 1) }

func (fc *fnCompiler) x87OpST(op asm.X87StOp, i int32) {
	fc.emit(minst{op: mX87, sub: x87Op, dst: noVReg, a: noVReg, b: noVReg, c: noVReg, imm: int64(op), t: i})
}

// x87Use returns a register holding the address of x86_fp80 value v,
// pointing at constants in the constant pool.
func (fc *fnCompiler) x87Use(v ir.Value) vreg {
	switch v.(type) {
	case *ir.ConstFP80, *ir.ConstZero, *ir.Undef, *ir.ConstFloat:
		r := fc.newVReg(classGPR)
		fc.emit(minst{op: mLea, dst: r, a: noVReg, b: noVReg, c: noVReg, addr: fc.x87ConstAddr(v)})
		return r
	}
	return fc.use(v)
}

// x87ConstAddr returns the address of x86_fp80 constant v in the
// object's 16-byte constant pool (.rodata.cst16), or ok false when v is
// not a constant.
func (fc *fnCompiler) x87ConstAddr(v ir.Value) maddr {
	var c *ir.ConstFP80
	switch x := v.(type) {
	case *ir.ConstFP80:
		c = x
	case *ir.ConstFloat:
		c = ir.FP80FromFloat64(x.V)
	default: // zero, undef, poison
		c = &ir.ConstFP80{}
	}
	return maddr{kind: addrSym, slot: fc.mc.x87ConstSym(c), rk: asm.RelPC32}
}

func isConstF80(v ir.Value) bool {
	switch v.(type) {
	case *ir.ConstFP80, *ir.ConstZero, *ir.Undef, *ir.ConstFloat:
		return true
	}
	return false
}

// x87ConstSym returns the symbol of c in .rodata.cst16 (ten bytes and
// six of padding), one per value and object.
func (mc *moduleCompiler) x87ConstSym(c *ir.ConstFP80) int32 {
	k := [2]uint64{uint64(c.SE), c.Mant}
	if id, ok := mc.x87c[k]; ok {
		return int32(id)
	}
	if mc.x87c == nil {
		mc.x87c = make(map[[2]uint64]elfw.SymID)
	}
	sec := mc.w.Section(".rodata.cst16")
	if sec == nil {
		sec, _ = mc.w.AddSection(".rodata.cst16", elf.SHT_PROGBITS, elf.SHF_ALLOC|elf.SHF_MERGE, 16)
		sec.EntSize = 16
	}
	var b [16]byte
	tb := c.Bytes()
	copy(b[:], tb[:])
	off := sec.Append(b[:])
	id, err := mc.w.AddSymbol(elfw.Symbol{Name: ".LCPX" + strconv.Itoa(len(mc.x87c)), Section: sec, Value: off, Size: 16, Bind: elfw.BindLocal, Type: elfw.TypeObject})
	if err != nil {
		panic(err)
	}
	mc.x87c[k] = id
	return int32(id)
}

// x87Load pushes x86_fp80 value v onto the x87 stack (or finds it there:
// x87Result kept it).
func (fc *fnCompiler) x87Load(v ir.Value) {
	if t := fc.x87.top; t != nil {
		fc.x87.top = nil
		if v == ir.Value(t) {
			return
		}
		fc.x87OpST(asm.FstpST, 0) // not expected: drop it
	}
	if isConstF80(v) {
		fc.x87Emit(x87Ld, fc.x87ConstAddr(v))
		return
	}
	fc.x87Emit(x87Ld, maddr{kind: addrBase, base: fc.x87Use(v)})
}

// x87Next returns the instruction after in in its block, or nil.
func (fc *fnCompiler) x87Next(in *ir.Instr) *ir.Instr {
	b := in.Block
	if b == nil {
		return nil
	}
	is := b.Instrs
	if fc.x87.blk != b || fc.x87.idx < 0 || fc.x87.idx >= len(is) || is[fc.x87.idx] != in {
		// Instructions are selected in order: look forward from the
		// last position first, so that a block costs one pass.
		start := 0
		if fc.x87.blk == b && fc.x87.idx > 0 {
			start = fc.x87.idx
		}
		fc.x87.blk, fc.x87.idx = b, -1
		for i := start; i < len(is); i++ {
			if is[i] == in {
				fc.x87.idx = i
				break
			}
		}
		for i := 0; fc.x87.idx < 0 && i < start; i++ {
			if is[i] == in {
				fc.x87.idx = i
			}
		}
	}
	if fc.x87.idx < 0 || fc.x87.idx+1 >= len(is) {
		return nil
	}
	fc.x87.idx++
	return is[fc.x87.idx]
}

// x87FirstLoad returns the value selectX87 loads first for nx, when
// that load is nx's first x87 operation and nx will be selected, or nil.
func (fc *fnCompiler) x87FirstLoad(nx *ir.Instr) ir.Value {
	if nx == nil || len(nx.Ops) == 0 {
		return nil
	}
	if nx.Typ == ir.F80 {
		if fc.useCount(nx) == 0 {
			return nil
		}
		switch nx.Op {
		case ir.OpFAdd, ir.OpFSub, ir.OpFMul, ir.OpFDiv, ir.OpFNeg:
			return nx.Ops[0]
		case ir.OpFRem:
			if len(nx.Ops) == 2 {
				return nx.Ops[1]
			}
		}
		return nil
	}
	switch nx.Op {
	case ir.OpStore:
		if len(nx.Ops) == 2 && nx.Flags&ir.FlagAtomic == 0 {
			return nx.Ops[0]
		}
	case ir.OpRet:
		if fc.f.Sig.Ret == ir.F80 {
			return nx.Ops[0]
		}
	case ir.OpFPTrunc, ir.OpFPToSI:
		if fc.useCount(nx) > 0 && (nx.Typ == ir.F64 || nx.Typ == ir.F32 || nx.Op == ir.OpFPToSI) {
			return nx.Ops[0]
		}
	case ir.OpFPToUI:
		if fc.useCount(nx) > 0 && nx.Typ.Bits < 64 {
			return nx.Ops[0]
		}
	}
	return nil
}

// x87Result pops st(0) into a new slot for in and makes dst its address.
// When the next instruction loads in first, the value stays in st(0) as
// well (fld st(0) before the store): a store of 80 bits followed by their
// load does not forward on x86 and stalls.
func (fc *fnCompiler) x87Result(in *ir.Instr, dst vreg) {
	s := fc.x87Slot()
	ad := maddr{kind: addrFrame, slot: s}
	if v := fc.x87FirstLoad(fc.x87Next(in)); v != nil && v == ir.Value(in) {
		fc.x87OpST(asm.FldST, 0)
		fc.x87.top = in
	}
	fc.x87Emit(x87St, ad)
	if dst == noVReg {
		return
	}
	fc.emit(minst{op: mLea, dst: dst, a: noVReg, b: noVReg, c: noVReg, addr: ad})
}

// x87PopTo pops st(0) into a new slot and makes dst its address.
func (fc *fnCompiler) x87PopTo(dst vreg) {
	ad := maddr{kind: addrFrame, slot: fc.x87Slot()}
	fc.x87Emit(x87St, ad)
	fc.emit(minst{op: mLea, dst: dst, a: noVReg, b: noVReg, c: noVReg, addr: ad})
}

// isF80Const reports whether operand o is an x86_fp80 constant (a
// function whose only x86_fp80 values are constants still needs x87
// selection).
func isF80Const(o ir.Value) bool {
	switch c := o.(type) {
	case *ir.ConstFP80:
		return true
	case *ir.Undef:
		return c.Typ == ir.F80
	case *ir.ConstZero:
		return c.Typ == ir.F80
	}
	return false
}

// isF80 reports whether v is an x86_fp80 value.
func isF80(v ir.Value) bool { return v != nil && v.Type() == ir.F80 }

// selectX87 selects in if it computes or reads an x86_fp80 value,
// reporting whether it did. Only called for functions that have one.
func (fc *fnCompiler) selectX87(in *ir.Instr) bool {
	dst := noVReg
	if in.HasResult() && in.Op != ir.OpAlloca {
		dst = vreg(in.ID)
	}
	if in.Typ == ir.F80 {
		switch op := in.Op; {
		case op == ir.OpFAdd || op == ir.OpFSub || op == ir.OpFMul || op == ir.OpFDiv:
			if fc.hasOps(in, 2) {
				fc.x87Load(in.Ops[0])
				fc.x87Load(in.Ops[1])
				fc.x87Op(map[ir.Op]asm.X87StOp{ir.OpFAdd: asm.Faddp, ir.OpFSub: asm.Fsubp, ir.OpFMul: asm.Fmulp, ir.OpFDiv: asm.Fdivp}[op])
				fc.x87Result(in, dst)
			}
		case op == ir.OpFRem:
			if fc.hasOps(in, 2) {
				fc.x87Load(in.Ops[1])
				fc.x87Load(in.Ops[0])
				fc.x87Emit(x87Prem, fc.x87ScratchAddr())
				fc.x87Result(in, dst)
			}
		case op == ir.OpFNeg:
			if fc.hasOps(in, 1) {
				fc.x87Load(in.Ops[0])
				fc.x87Op(asm.Fchs)
				fc.x87Result(in, dst)
			}
		case op == ir.OpLoad:
			if fc.hasOps(in, 1) {
				fc.x87Emit(x87Ld, fc.addrOf(in.Ops[0]))
				fc.x87Result(in, dst)
			}
		case op == ir.OpSelect:
			if fc.hasOps(in, 3) {
				fc.emit(minst{op: mSelect, dst: dst, c: fc.use(in.Ops[0]), a: fc.x87Use(in.Ops[1]), b: fc.x87Use(in.Ops[2]), flags: flLateA | flLateB})
			}
		case op.IsCast():
			if fc.hasOps(in, 1) {
				fc.selectX87Cast(in, dst)
			}
		case op == ir.OpCall, op == ir.OpPhi:
			return false // lowerCall and the phi copies know x86_fp80
		case op == ir.OpExtractValue:
			return false // a field's slot address, as any field's register
		default:
			fc.failf(in, "%s of x86_fp80 is not supported", op)
		}
		return true
	}
	switch in.Op {
	case ir.OpStore:
		if !fc.hasOps(in, 2) || !isF80(in.Ops[0]) {
			return false
		}
		fc.x87Load(in.Ops[0])
		fc.x87Emit(x87St, fc.addrOf(in.Ops[1]))
	case ir.OpFCmp:
		if !fc.hasOps(in, 2) || !isF80(in.Ops[0]) {
			return false
		}
		fc.selectX87Cmp(in, dst)
	case ir.OpFPTrunc, ir.OpFPToSI, ir.OpFPToUI, ir.OpBitcast:
		if !fc.hasOps(in, 1) || !isF80(in.Ops[0]) {
			return false
		}
		fc.selectX87Cast(in, dst)
	case ir.OpRet:
		if fc.f.Sig.Ret != ir.F80 || len(in.Ops) != 1 || in.Ops[0] == nil {
			return false
		}
		// Returned in ST(0) (the psABI's X87 class).
		fc.x87Load(in.Ops[0])
		fc.emit(fc.inst(mRet, noVReg, noVReg, noVReg))
	default:
		return false
	}
	return true
}

func (fc *fnCompiler) selectX87Cmp(in *ir.Instr, dst vreg) {
	if fc.useCount(in) == 0 {
		return
	}
	info := fcmpTab[in.Pred&15]
	switch info.kind {
	case 3, 4:
		fc.emit(minst{op: mImm, dst: dst, a: noVReg, b: noVReg, c: noVReg, imm: int64(info.kind - 3)})
		return
	}
	// st(0) = the first operand of the compare ucomisd would make.
	x, y := in.Ops[0], in.Ops[1]
	if info.swap {
		x, y = y, x
	}
	fc.x87Load(y)
	fc.x87Load(x)
	fc.emit(minst{op: mX87, sub: x87Cmp, dst: dst, a: noVReg, b: noVReg, c: noVReg, imm: int64(in.Pred & 15)})
}

func (fc *fnCompiler) selectX87Cast(in *ir.Instr, dst vreg) {
	x := in.Ops[0]
	from, to := x.Type(), in.Typ
	switch in.Op {
	case ir.OpFPExt, ir.OpFPTrunc, ir.OpBitcast:
		switch {
		case from == ir.F80 && to == ir.F80:
			fc.mov(dst, fc.x87Use(x))
		case to == ir.F80 && (from == ir.F64 || from == ir.F32) && in.Op == ir.OpFPExt:
			m := minst{op: mX87, sub: x87LdX, dst: noVReg, a: fc.use(x), b: noVReg, c: noVReg, addr: fc.x87ScratchAddr(), sz: 8}
			if from == ir.F32 {
				m.sz = 4
			}
			fc.emit(m)
			fc.x87Result(in, dst)
		case from == ir.F80 && (to == ir.F64 || to == ir.F32) && in.Op == ir.OpFPTrunc:
			fc.x87Load(x)
			m := minst{op: mX87, sub: x87StX, dst: dst, a: noVReg, b: noVReg, c: noVReg, addr: fc.x87ScratchAddr(), sz: 8}
			if to == ir.F32 {
				m.sz = 4
			}
			fc.emit(m)
		default:
			fc.failf(in, "%s from %v to %v is not supported", in.Op, from, to)
		}
	case ir.OpSIToFP, ir.OpUIToFP:
		if !from.IsInt() || from.Bits > 64 {
			fc.failf(in, "conversion from %v to %v is not supported", from, to)
			return
		}
		a := fc.use(x)
		signed := in.Op == ir.OpSIToFP
		if from.Bits < 64 {
			// Exact in 64 bits, and fild reads a signed 64-bit integer.
			fc.x87Fild(fc.extend(a, from, signed && from.Bits > 1))
		} else if signed {
			fc.x87Fild(a)
		} else {
			// Unsigned 64-bit: hi*2^32 + lo, each part exact and the sum
			// too (it has at most 64 significant bits).
			hi := fc.newVReg(classGPR)
			fc.emit(minst{op: mShift, sub: uint8(asm.Shr), sz: 8, dst: hi, a: a, b: noVReg, c: noVReg, flags: flLateA | flBImm, imm: 32})
			lo := fc.extend(a, ir.I32, false)
			k := fc.newVReg(classGPR)
			fc.emit(minst{op: mImm, dst: k, a: noVReg, b: noVReg, c: noVReg, imm: 1 << 32})
			fc.x87Fild(hi)
			fc.x87Fild(k)
			fc.x87Op(asm.Fmulp)
			fc.x87Fild(lo)
			fc.x87Op(asm.Faddp)
		}
		fc.x87Result(in, dst)
	case ir.OpFPToSI, ir.OpFPToUI:
		if !to.IsInt() || to.Bits > 64 {
			fc.failf(in, "conversion from %v to %v is not supported", from, to)
			return
		}
		if in.Op == ir.OpFPToSI || to.Bits < 64 {
			// Every result in range fits a signed 64-bit integer.
			fc.x87Load(x)
			fc.x87Fistt(dst)
			return
		}
		// Unsigned 64-bit: below 2^63 as signed; from 2^63 on, x-2^63
		// converted with the top bit set.
		p := fc.x87Use(x)
		c := fc.x87Use(&ir.ConstFP80{SE: 0x403e, Mant: 1 << 63}) // 2^63
		big := fc.newVReg(classGPR)
		fc.x87Emit(x87Ld, maddr{kind: addrBase, base: c})
		fc.x87Emit(x87Ld, maddr{kind: addrBase, base: p})
		fc.emit(minst{op: mX87, sub: x87Cmp, dst: big, a: noVReg, b: noVReg, c: noVReg, imm: int64(ir.FCmpOGE)})
		lo := fc.newVReg(classGPR)
		fc.x87Emit(x87Ld, maddr{kind: addrBase, base: p})
		fc.x87Fistt(lo)
		hi := fc.newVReg(classGPR)
		fc.x87Emit(x87Ld, maddr{kind: addrBase, base: p})
		fc.x87Emit(x87Ld, maddr{kind: addrBase, base: c})
		fc.x87Op(asm.Fsubp)
		fc.x87Fistt(hi)
		top := fc.newVReg(classGPR)
		fc.emit(minst{op: mImm, dst: top, a: noVReg, b: noVReg, c: noVReg, imm: -1 << 63})
		hx := fc.newVReg(classGPR)
		fc.emit(minst{op: mAlu, sub: uint8(asm.Xor), sz: 8, dst: hx, a: hi, b: top, c: noVReg})
		fc.emit(minst{op: mSelect, dst: dst, c: big, a: hx, b: lo, flags: flLateA | flLateB})
	default:
		fc.failf(in, "%s from %v to %v is not supported", in.Op, from, to)
	}
}

func (fc *fnCompiler) x87Fild(a vreg) {
	fc.emit(minst{op: mX87, sub: x87Fild, dst: noVReg, a: a, b: noVReg, c: noVReg, addr: fc.x87ScratchAddr()})
}

func (fc *fnCompiler) x87Fistt(dst vreg) {
	fc.emit(minst{op: mX87, sub: x87Fistt, dst: dst, a: noVReg, b: noVReg, c: noVReg, addr: fc.x87ScratchAddr()})
}

// x87PhiSlot returns the frame slot of x86_fp80 phi in.
func (fc *fnCompiler) x87PhiSlot(in *ir.Instr) int32 {
	if fc.x87.phi == nil {
		fc.x87.phi = make(map[*ir.Instr]int32)
	}
	s, ok := fc.x87.phi[in]
	if !ok {
		s = fc.x87Slot()
		fc.x87.phi[in] = s
	}
	return s
}

// x87PhiCopies copies the x86_fp80 values flowing along from->to into
// the slots of to's x86_fp80 phis: every value read (pushed on the x87
// stack, or for more than eight phis as two 8-byte halves) before any
// slot is written, since an incoming value may be another phi of to (or
// a select of one).
func (fc *fnCompiler) x87PhiCopies(from, to *ir.Block) {
	type phiCopy struct {
		phi *ir.Instr
		v   ir.Value
	}
	var cs []phiCopy
	for _, phi := range to.Phis() {
		if phi.Typ != ir.F80 {
			continue
		}
		v := phi.Incoming(from)
		if v == nil {
			fc.failf(phi, "phi has no incoming value for %s", from.Ident())
			return
		}
		cs = append(cs, phiCopy{phi, v})
	}
	if len(cs) == 0 {
		return
	}
	if len(cs) <= 8 {
		// On the x87 stack: every value pushed, then popped into the
		// slots in reverse (a store of ten bytes read back as two
		// 8-byte halves would not forward).
		var slots [8]int32
		for k, c := range cs {
			fc.x87Load(c.v)
			slots[k] = fc.x87PhiSlot(c.phi)
		}
		for k := len(cs) - 1; k >= 0; k-- {
			fc.x87Emit(x87St, maddr{kind: addrFrame, slot: slots[k]})
		}
		return
	}
	type half struct {
		slot int32
		off  int32
		v    vreg
	}
	var hs []half
	for _, c := range cs {
		p := fc.x87Use(c.v)
		s := fc.x87PhiSlot(c.phi)
		for off := int32(0); off < 16; off += 8 {
			r := fc.newVReg(classGPR)
			fc.emit(minst{op: mLoad, sz: 8, dst: r, a: noVReg, b: noVReg, c: noVReg, addr: maddr{kind: addrBase, base: p, disp: off}})
			hs = append(hs, half{s, off, r})
		}
	}
	for _, h := range hs {
		fc.emit(minst{op: mStore, sz: 8, dst: noVReg, a: h.v, b: noVReg, c: noVReg, addr: maddr{kind: addrFrame, slot: h.slot, disp: h.off}})
	}
}

// x87PhiDef makes x86_fp80 phi's register the address of its slot.
func (fc *fnCompiler) x87PhiDef(phi *ir.Instr) {
	fc.emit(minst{op: mLea, dst: vreg(phi.ID), a: noVReg, b: noVReg, c: noVReg, addr: maddr{kind: addrFrame, slot: fc.x87PhiSlot(phi)}})
}

// x87CallArg stores x86_fp80 argument p (an address) in the outgoing
// stack arguments at offset stack rounded up to 16, returning the
// offset after it.
func (fc *fnCompiler) x87CallArg(p vreg, stack int64) int64 {
	stack = (stack + 15) &^ 15
	for off := int64(0); off < 16; off += 8 {
		v := fc.newVReg(classGPR)
		fc.emit(minst{op: mLoad, sz: 8, dst: v, a: noVReg, b: noVReg, c: noVReg, addr: maddr{kind: addrBase, base: p, disp: int32(off)}})
		fc.emit(minst{op: mStoreArg, sz: 8, dst: noVReg, a: v, b: noVReg, c: noVReg, imm: stack + off})
	}
	return stack + 16
}

// emitX87 emits one mX87 instruction.
func (fc *fnCompiler) emitX87(m *minst) {
	a := &fc.mc.a
	switch m.sub {
	case x87Ld:
		a.X87M(asm.Fld80, fc.mem(&m.addr))
	case x87St:
		a.X87M(asm.Fstp80, fc.mem(&m.addr))
	case x87LdX:
		ld := asm.Fld64
		if m.sz == 4 {
			ld = asm.Fld32
		}
		r, sm, ok := fc.srcLoc(m.a)
		if !ok {
			a.X87M(ld, sm) // the spill slot holds the value
			return
		}
		mm := fc.mem(&m.addr)
		if m.sz == 4 {
			a.MovssMR(mm, r)
		} else {
			a.MovsdMR(mm, r)
		}
		a.X87M(ld, mm)
	case x87StX:
		mm := fc.mem(&m.addr)
		d := fc.dstReg(m.dst)
		if m.sz == 4 {
			a.X87M(asm.Fstp32, mm)
			a.SseRM(asm.Movss, d, mm)
		} else {
			a.X87M(asm.Fstp64, mm)
			a.SseRM(asm.Movsd, d, mm)
		}
		fc.storeDst(m.dst, d)
	case x87Fild:
		r, sm, ok := fc.srcLoc(m.a)
		if !ok {
			a.X87M(asm.Fild64, sm)
			return
		}
		mm := fc.mem(&m.addr)
		a.MovMR(8, mm, r)
		a.X87M(asm.Fild64, mm)
	case x87Fistt:
		mm := fc.mem(&m.addr)
		a.X87M(asm.Fisttp64, mm)
		d := fc.dstReg(m.dst)
		a.MovRM(8, d, mm)
		fc.storeDst(m.dst, d)
	case x87Op:
		a.X87(asm.X87StOp(m.imm), uint8(m.t))
	case x87Prem:
		mm := fc.mem(&m.addr)
		again := a.NewLabel()
		a.Bind(again)
		a.X87(asm.Fprem, 0)
		a.X87M(asm.Fnstsw, mm)
		mm.Disp++
		a.TestMI8(mm, 4) // C2: the reduction is incomplete
		a.Jcc(asm.CondNE, again)
		a.X87(asm.FstpST, 1)
	case x87Cmp:
		a.X87(asm.Fucomip, 1)
		a.X87(asm.FstpST, 0)
		d := fc.dstReg(m.dst)
		info := fcmpTab[m.imm&15]
		setFCmp(a, d, info)
		fc.storeDst(m.dst, d)
	}
}
