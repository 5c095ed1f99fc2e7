package amd64

import (
	"fmt"
	"math"
	"strings"

	"github.com/gorc-jit/gorc/backend/amd64/asm"
	"github.com/gorc-jit/gorc/ir"
)

// Instruction selection: IR -> machine IR with virtual registers.

var (
	gpArgRegs  = [...]asm.Reg{asm.RDI, asm.RSI, asm.RDX, asm.RCX, asm.R8, asm.R9}
	xmmArgRegs = [...]asm.Reg{asm.X0, asm.X1, asm.X2, asm.X3, asm.X4, asm.X5, asm.X6, asm.X7}
	// callerSaved are clobbered by every call (SysV): all xmm registers
	// and rax, rcx, rdx, rsi, rdi, r8-r11.
	callerSaved = func() []vreg {
		r := []vreg{vreg(asm.RAX), vreg(asm.RCX), vreg(asm.RDX), vreg(asm.RSI), vreg(asm.RDI), vreg(asm.R8), vreg(asm.R9), vreg(asm.R10), vreg(asm.R11)}
		for x := asm.X0; x <= asm.X15; x++ {
			r = append(r, vreg(x))
		}
		return r
	}()
)

type iselError struct {
	in  *ir.Instr
	msg string
}

func (e *iselError) Error() string { return e.msg }

func (fc *fnCompiler) failf(in *ir.Instr, format string, args ...any) {
	if fc.err == nil {
		fc.err = &iselError{in: in, msg: fmt.Sprintf(format, args...)}
	}
}

func (fc *fnCompiler) newVReg(c regClass) vreg {
	fc.class = append(fc.class, c)
	return vreg(len(fc.class) - 1)
}

func (fc *fnCompiler) emit(in minst) {
	b := &fc.blocks[fc.cur]
	b.insts = append(b.insts, in)
}

func classOf(t *ir.Type) (regClass, bool) {
	switch {
	case t.IsFloat() && (t.Bits == 64 || t.Bits == 32):
		return classXMM, true
	case t.IsInt() && t.Bits <= 64, t.IsPtr():
		return classGPR, true
	}
	return 0, false
}

// intSize is the exact byte size of an integer or pointer type.
func intSize(t *ir.Type) uint8 {
	if t.IsPtr() {
		return 8
	}
	switch {
	case t.Bits <= 8:
		return 1
	case t.Bits <= 16:
		return 2
	case t.Bits <= 32:
		return 4
	}
	return 8
}

// opSize is the operation size used for arithmetic on t: 64-bit types use
// 8, everything narrower computes in 32 bits (bits above the type's width
// are unspecified).
func opSize(t *ir.Type) uint8 {
	if intSize(t) == 8 {
		return 8
	}
	return 4
}

// mov emits a copy between registers of the same class.
func (fc *fnCompiler) mov(dst, src vreg) {
	fc.emit(minst{op: mCopy, dst: dst, a: src, b: noVReg, c: noVReg})
}

func (fc *fnCompiler) inst(op mop, dst, a, b vreg) minst {
	return minst{op: op, dst: dst, a: a, b: b, c: noVReg}
}

// use returns a vreg holding v, materializing constants and addresses at
// the current point.
func (fc *fnCompiler) use(v ir.Value) vreg {
	switch x := v.(type) {
	case *ir.Instr:
		if x.Op == ir.OpAlloca {
			r := fc.newVReg(classGPR)
			fc.emit(minst{op: mLea, dst: r, a: noVReg, b: noVReg, c: noVReg, addr: maddr{kind: addrFrame, slot: int32(x.ID)}})
			return r
		}
		if x.ID < numPhys || x.ID >= len(fc.class) {
			fc.failf(x, "use of %s before its definition or of a value without a result", x.Ident())
			return fc.newVReg(classGPR)
		}
		return vreg(x.ID)
	case *ir.Param:
		return vreg(x.ID)
	case *ir.ConstInt:
		r := fc.newVReg(classGPR)
		fc.emit(minst{op: mImm, dst: r, a: noVReg, b: noVReg, c: noVReg, imm: x.V})
		return r
	case *ir.ConstFloat:
		return fc.floatConst(fbits(x))
	case *ir.ConstNull:
		r := fc.newVReg(classGPR)
		fc.emit(minst{op: mImm, dst: r, a: noVReg, b: noVReg, c: noVReg})
		return r
	case *ir.ConstZero:
		return fc.zeroOf(x.Typ)
	case *ir.Undef:
		return fc.zeroOf(x.Typ)
	case *ir.Function, *ir.Global:
		r := fc.newVReg(classGPR)
		a := fc.symAddr(v)
		if a.kind == addrBase {
			return a.base
		}
		fc.emit(minst{op: mLea, dst: r, a: noVReg, b: noVReg, c: noVReg, addr: a})
		return r
	}
	fc.failf(nil, "unsupported operand %v", v)
	return fc.newVReg(classGPR)
}

// fbits returns the bit pattern of a float constant as the constant pool
// stores it: a double's 64 bits, or a float's 32 bits zero-extended (the
// low lane of an xmm register and what movss reads).
func fbits(c *ir.ConstFloat) uint64 {
	if c.Typ != nil && c.Typ.Bits == 32 {
		return uint64(math.Float32bits(float32(c.V)))
	}
	return math.Float64bits(c.V)
}

// isSingle reports whether t is float (f32).
func isSingle(t *ir.Type) bool { return t.IsFloat() && t.Bits == 32 }

// floatConst returns a virtual register holding a float constant. In
// loops it is one function-wide register defined at the entry, which the
// allocator rematerializes (reloads from the constant pool) instead of
// spilling.
func (fc *fnCompiler) floatConst(bits uint64) vreg {
	if fc.owner < len(fc.inLoop) && !fc.inLoop[fc.owner] {
		// Outside loops a constant is loaded where it is used.
		r := fc.newVReg(classXMM)
		fc.emit(minst{op: mFConst, dst: r, a: noVReg, b: noVReg, c: noVReg, imm: int64(bits)})
		return r
	}
	for _, c := range fc.fconsts {
		if c.bits == bits {
			return c.v
		}
	}
	r := fc.newVReg(classXMM)
	fc.fconsts = append(fc.fconsts, fconst{bits, r})
	return r
}

type fconst struct {
	bits uint64
	v    vreg
}

func (fc *fnCompiler) zeroOf(t *ir.Type) vreg {
	c, ok := classOf(t)
	if !ok {
		fc.failf(nil, "unsupported type %v", t)
	}
	if c == classXMM {
		return fc.floatConst(0)
	}
	r := fc.newVReg(c)
	fc.emit(minst{op: mImm, dst: r, a: noVReg, b: noVReg, c: noVReg})
	return r
}

// symAddr returns the address of a function or global: rip-relative when
// it is defined in this module, through the GOT otherwise.
func (fc *fnCompiler) symAddr(v ir.Value) maddr {
	if g, ok := v.(*ir.Global); ok && g.ThreadLocal {
		return fc.tlsAddr(g)
	}
	sym, defined := fc.mc.symbolFor(v)
	if defined {
		return maddr{kind: addrSym, slot: sym, rk: asm.RelPC32}
	}
	r := fc.newVReg(classGPR)
	fc.emit(minst{op: mLoad, sz: 8, dst: r, a: noVReg, b: noVReg, c: noVReg, addr: maddr{kind: addrSym, slot: sym, rk: asm.RelREXGOTPCRELX}})
	return maddr{kind: addrBase, base: r}
}

// addrOf returns a memory operand for pointer v, folding allocas, globals
// and constant getelementptr offsets.
func (fc *fnCompiler) addrOf(v ir.Value) maddr {
	switch x := v.(type) {
	case *ir.Instr:
		switch x.Op {
		case ir.OpAlloca:
			return maddr{kind: addrFrame, slot: int32(x.ID)}
		case ir.OpGEP:
			if off, ok := constGEPOffset(x); ok && fc.useCount(x) <= 1 {
				a := fc.addrOf(x.Ops[0])
				if d := int64(a.disp) + off; d == int64(int32(d)) && a.kind != addrInArg {
					a.disp = int32(d)
					return a
				}
			}
		}
	case *ir.Function, *ir.Global:
		return fc.symAddr(v)
	}
	return maddr{kind: addrBase, base: fc.use(v)}
}

func (fc *fnCompiler) useCount(in *ir.Instr) int32 {
	if in.ID >= numPhys && in.ID < len(fc.uses) {
		return fc.uses[in.ID]
	}
	return 2
}

func constGEPOffset(in *ir.Instr) (int64, bool) {
	t := in.ElemType
	var off int64
	for i, idx := range in.Ops[1:] {
		c, ok := idx.(*ir.ConstInt)
		if !ok {
			return 0, false
		}
		if i > 0 {
			switch t.Kind {
			case ir.ArrayKind:
				t = t.Elem
			case ir.StructKind:
				off += t.FieldOffset(int(c.V))
				t = t.Fields[c.V]
				continue
			default:
				return 0, false
			}
		}
		off += c.V * t.Size()
	}
	return off, true
}

// fcmpInfo describes how to test an fcmp predicate after ucomisd.
type fcmpInfo struct {
	swap bool     // compare b with a
	cc   asm.Cond // the condition to test
	kind uint8    // 0 plain, 1 oeq (ZF and not PF), 2 une (not ZF or PF), 3 false, 4 true
}

var fcmpTab = [...]fcmpInfo{
	ir.FCmpFalse: {kind: 3},
	ir.FCmpOEQ:   {kind: 1},
	ir.FCmpOGT:   {cc: asm.CondA},
	ir.FCmpOGE:   {cc: asm.CondAE},
	ir.FCmpOLT:   {swap: true, cc: asm.CondA},
	ir.FCmpOLE:   {swap: true, cc: asm.CondAE},
	ir.FCmpONE:   {cc: asm.CondNE},
	ir.FCmpORD:   {cc: asm.CondNP},
	ir.FCmpUNO:   {cc: asm.CondP},
	ir.FCmpUEQ:   {cc: asm.CondE},
	ir.FCmpUGT:   {swap: true, cc: asm.CondB},
	ir.FCmpUGE:   {swap: true, cc: asm.CondBE},
	ir.FCmpULT:   {cc: asm.CondB},
	ir.FCmpULE:   {cc: asm.CondBE},
	ir.FCmpUNE:   {kind: 2},
	ir.FCmpTrue:  {kind: 4},
}

func icmpCond(p ir.Pred) asm.Cond {
	switch p {
	case ir.ICmpEQ:
		return asm.CondE
	case ir.ICmpNE:
		return asm.CondNE
	case ir.ICmpUGT:
		return asm.CondA
	case ir.ICmpUGE:
		return asm.CondAE
	case ir.ICmpULT:
		return asm.CondB
	case ir.ICmpULE:
		return asm.CondBE
	case ir.ICmpSGT:
		return asm.CondG
	case ir.ICmpSGE:
		return asm.CondGE
	case ir.ICmpSLT:
		return asm.CondL
	}
	return asm.CondLE
}

func fitsImm32(v ir.Value) (int64, bool) {
	if c, ok := v.(*ir.ConstInt); ok && c.V == int64(int32(c.V)) {
		return c.V, true
	}
	if _, ok := v.(*ir.ConstNull); ok {
		return 0, true
	}
	return 0, false
}

// cmpOperands prepares an integer compare: a vreg, and b as vreg or
// immediate. i1 operands are masked so only bit 0 counts.
func (fc *fnCompiler) cmpOperands(in *ir.Instr) (m minst) {
	x, y := in.Ops[0], in.Ops[1]
	p := in.Pred
	if _, ok := fitsImm32(x); ok {
		if _, ok2 := fitsImm32(y); !ok2 {
			x, y = y, x
			p = p.Swapped()
		}
	}
	t := x.Type()
	sz := intSize(t)
	m = minst{op: mCmpSet, sz: sz, sub: uint8(icmpCond(p)), b: noVReg, c: noVReg}
	mask := func(r vreg) vreg {
		if t.IsInt() && t.Bits == 1 {
			d := fc.newVReg(classGPR)
			fc.emit(minst{op: mAlu, sub: uint8(asm.And), sz: 4, dst: d, a: r, b: noVReg, c: noVReg, flags: flBImm, imm: 1})
			return d
		}
		return r
	}
	m.a = mask(fc.use(x))
	if imm, ok := fitsImm32(y); ok && !(t.IsInt() && t.Bits == 1) {
		m.flags |= flBImm
		m.imm = imm
	} else {
		m.b = mask(fc.use(y))
	}
	return m
}

// fcmpOperands prepares a float compare.
func (fc *fnCompiler) fcmpOperands(in *ir.Instr) minst {
	m := minst{op: mFCmpSet, sub: uint8(in.Pred), b: noVReg, c: noVReg, sz: 8}
	if isSingle(in.Ops[0].Type()) {
		m.sz = 4
	}
	m.a = fc.use(in.Ops[0])
	if c, ok := in.Ops[1].(*ir.ConstFloat); ok && !fcmpTab[in.Pred].swap {
		m.flags |= flBConst
		m.imm = int64(fbits(c))
	} else {
		m.b = fc.use(in.Ops[1])
	}
	return m
}

func (fc *fnCompiler) selectBlock(b *ir.Block) {
	// Phi results take their values from the per-phi temporaries the
	// predecessors wrote (parallel-copy semantics).
	for _, phi := range b.Phis() {
		if fc.x87.on && phi.Typ == ir.F80 {
			fc.x87PhiDef(phi)
			continue
		}
		fc.mov(vreg(phi.ID), fc.phiTmp[phi.ID-numPhys])
	}
	fc.markFolded(b)
	for _, in := range b.Instrs {
		if in.Op == ir.OpPhi {
			continue
		}
		if fc.err != nil {
			return
		}
		if fc.isFolded(in) {
			continue
		}
		fc.selectInstr(in)
	}
}

// hasOps reports whether in has at least n operands, none of them nil
// among the first n; if not, it records the error.
func (fc *fnCompiler) hasOps(in *ir.Instr, n int) bool {
	if len(in.Ops) < n {
		fc.failf(in, "%s needs %d operands", in.Op, n)
		return false
	}
	for _, o := range in.Ops[:n] {
		if o == nil {
			fc.failf(in, "%s has a nil operand", in.Op)
			return false
		}
	}
	return true
}

// selectInstr lowers one IR instruction to machine instructions on
// virtual registers (dead pure ones to nothing). Each kind of
// instruction with more to it than a few lines has its own selectX
// method.
func (fc *fnCompiler) selectInstr(in *ir.Instr) {
	if in.HasResult() && in.Op != ir.OpAlloca && !in.HasSideEffects() && fc.useCount(in) == 0 {
		return // dead
	}
	if fc.x87.on && fc.selectX87(in) {
		return
	}
	dst := noVReg
	if in.HasResult() && in.Op != ir.OpAlloca {
		dst = vreg(in.ID)
	}
	switch op := in.Op; {
	case op == ir.OpFAdd || op == ir.OpFSub || op == ir.OpFMul || op == ir.OpFDiv:
		if fc.hasOps(in, 2) {
			fc.selectFloatArith(in, dst)
		}
	case op == ir.OpFRem:
		if fc.hasOps(in, 2) {
			name := "fmod"
			if isSingle(in.Typ) {
				name = "fmodf"
			}
			fc.lowerCall(in, fc.mc.externSym(name), nil, []ir.Value{in.Ops[0], in.Ops[1]}, false)
		}
	case op == ir.OpFNeg:
		if fc.hasOps(in, 1) {
			m := fc.inst(mFNeg, dst, fc.use(in.Ops[0]), noVReg)
			m.sz = 8
			if isSingle(in.Typ) {
				m.sz = 4
			}
			fc.emit(m)
		}
	case op == ir.OpAdd || op == ir.OpSub || op == ir.OpAnd || op == ir.OpOr || op == ir.OpXor || op == ir.OpMul:
		if fc.hasOps(in, 2) {
			fc.selectIntArith(in, dst)
		}
	case op == ir.OpShl || op == ir.OpLShr || op == ir.OpAShr:
		if fc.hasOps(in, 2) {
			fc.selectShift(in, dst)
		}
	case op == ir.OpSDiv || op == ir.OpUDiv || op == ir.OpSRem || op == ir.OpURem:
		if fc.hasOps(in, 2) {
			fc.selectDiv(in, dst)
		}
	case op == ir.OpICmp:
		if !fc.hasOps(in, 2) || fc.isFolded(in) {
			return
		}
		m := fc.cmpOperands(in)
		m.dst = dst
		fc.emit(m)
	case op == ir.OpFCmp:
		if !fc.hasOps(in, 2) || fc.isFolded(in) {
			return
		}
		m := fc.fcmpOperands(in)
		m.dst = dst
		fc.emit(m)
	case op.IsCast():
		if fc.hasOps(in, 1) {
			fc.selectCast(in, dst)
		}
	case op == ir.OpSelect:
		if fc.hasOps(in, 3) {
			fc.emit(minst{op: mSelect, dst: dst, c: fc.use(in.Ops[0]), a: fc.use(in.Ops[1]), b: fc.use(in.Ops[2]), flags: flLateA | flLateB})
		}
	case op == ir.OpCall:
		if fc.hasOps(in, 1) {
			fc.selectCall(in)
		}
	case op == ir.OpInvoke:
		if fc.hasOps(in, 1) {
			fc.selectInvoke(in)
		}
	case op == ir.OpLandingPad:
		// Its values are set on each unwind edge (selectInvoke).
	case op == ir.OpResume:
		fc.selectResume(in)
	case op == ir.OpAlloca:
		// Frame objects are laid out in allocFrame; nothing to emit.
	case op == ir.OpLoad:
		if fc.hasOps(in, 1) {
			fc.selectLoad(in, dst)
		}
	case op == ir.OpStore:
		if fc.hasOps(in, 2) {
			if in.Ordering() == ir.SeqCst {
				fc.selectAtomicStore(in)
			} else {
				fc.selectStore(in)
			}
		}
	case op == ir.OpGEP:
		if fc.hasOps(in, 1) {
			fc.selectGEP(in, dst)
		}
	case op == ir.OpBr:
		fc.selectBr(in)
	case op == ir.OpRet:
		fc.selectRet(in)
	case op == ir.OpUnreachable:
		fc.emit(fc.inst(mUd2, noVReg, noVReg, noVReg))
	case op == ir.OpAtomicRMW:
		if fc.hasOps(in, 2) {
			fc.selectAtomicRMW(in, dst)
		}
	case op == ir.OpCmpXchg:
		if fc.hasOps(in, 3) {
			fc.selectCmpXchg(in)
		}
	case op == ir.OpFence:
		if in.Ordering() == ir.SeqCst {
			fc.emit(minst{op: mAtomic, sub: atomFence, dst: noVReg, a: noVReg, b: noVReg, c: noVReg})
		}
	case op == ir.OpExtractValue:
		call, ok := in.Ops[0].(*ir.Instr)
		idx, ok2 := in.Ops[1].(*ir.ConstInt)
		if !ok || !ok2 || (!call.Op.IsCall() && call.Op != ir.OpCmpXchg && call.Op != ir.OpLandingPad) || call.Typ.Kind != ir.StructKind || idx.V < 0 || idx.V >= int64(len(call.Typ.Fields)) || call.ID < numPhys {
			fc.failf(in, "extractvalue of something other than a call returning a struct")
			return
		}
		fc.mov(dst, vreg(call.ID+int(idx.V)))
	default:
		fc.failf(in, "instruction %s is not supported by the x86-64 backend", op)
	}
}

// selectFloatArith lowers fadd, fsub, fmul and fdiv to the SSE operation
// of the type's width; a constant operand (moved second when the
// operation commutes) is read from the constant pool.
func (fc *fnCompiler) selectFloatArith(in *ir.Instr, dst vreg) {
	sd, ss := asm.Addsd, asm.Addss // double and single precision
	switch in.Op {
	case ir.OpFSub:
		sd, ss = asm.Subsd, asm.Subss
	case ir.OpFMul:
		sd, ss = asm.Mulsd, asm.Mulss
	case ir.OpFDiv:
		sd, ss = asm.Divsd, asm.Divss
	}
	sop := sd
	if isSingle(in.Typ) {
		sop = ss
	}
	m := minst{op: mSse, sub: uint8(sop), dst: dst, b: noVReg, c: noVReg}
	fc.binaryOperands(&m, in, flBConst, floatImm)
	fc.emit(m)
}

// floatImm returns the bits of a float constant, which a float operation
// reads from the constant pool.
func floatImm(v ir.Value) (int64, bool) {
	if c, ok := v.(*ir.ConstFloat); ok {
		return int64(fbits(c)), true
	}
	return 0, false
}

// binaryOperands sets m.a and m.b to in's two operands. An operand immOf
// accepts goes into m.imm (marked with flag) instead of m.b: the second
// one, or the first when the operation commutes. A register m.b of an
// operation that does not commute is read after m.dst is written
// (flLateB), so the two must not share a register.
func (fc *fnCompiler) binaryOperands(m *minst, in *ir.Instr, flag uint8, immOf func(ir.Value) (int64, bool)) {
	x, y := in.Ops[0], in.Ops[1]
	if _, ok := immOf(x); ok && in.Op.IsCommutative() {
		x, y = y, x
	}
	m.a = fc.use(x)
	if imm, ok := immOf(y); ok {
		m.flags |= flag
		m.imm = imm
	} else {
		m.b = fc.use(y)
		if !in.Op.IsCommutative() {
			m.flags |= flLateB
		}
	}
}

// selectIntArith lowers add, sub, and, or, xor and mul; an operand that
// fits a 32-bit immediate (moved second when the operation commutes)
// becomes one.
func (fc *fnCompiler) selectIntArith(in *ir.Instr, dst vreg) {
	m := minst{op: mAlu, sz: opSize(in.Typ), dst: dst, b: noVReg, c: noVReg}
	switch in.Op {
	case ir.OpAdd:
		m.sub = uint8(asm.Add)
	case ir.OpSub:
		m.sub = uint8(asm.Sub)
	case ir.OpAnd:
		m.sub = uint8(asm.And)
	case ir.OpOr:
		m.sub = uint8(asm.Or)
	case ir.OpXor:
		m.sub = uint8(asm.Xor)
	case ir.OpMul:
		m.op = mImul
	}
	fc.binaryOperands(&m, in, flBImm, fitsImm32)
	fc.emit(m)
}

// selectShift lowers shl, lshr and ashr: by a constant (masked to the
// width, as x86 does) or by CL; a narrow value shifted right is
// extended first so that the right bits come in.
func (fc *fnCompiler) selectShift(in *ir.Instr, dst vreg) {
	op := in.Op
	sz := opSize(in.Typ)
	a := fc.use(in.Ops[0])
	if op != ir.OpShl && intSize(in.Typ) < 4 {
		a = fc.extend(a, in.Typ, op == ir.OpAShr)
	}
	m := minst{op: mShift, sz: sz, dst: dst, a: a, b: noVReg, c: noVReg, flags: flLateA}
	switch op {
	case ir.OpShl:
		m.sub = uint8(asm.Shl)
	case ir.OpLShr:
		m.sub = uint8(asm.Shr)
	default:
		m.sub = uint8(asm.Sar)
	}
	if c, ok := in.Ops[1].(*ir.ConstInt); ok {
		m.flags |= flBImm
		m.imm = c.V & int64(sz*8-1)
	} else {
		fc.mov(vreg(asm.RCX), fc.use(in.Ops[1]))
		m.b = vreg(asm.RCX)
		m.flags |= flLateB
	}
	fc.emit(m)
}

// selectDiv lowers the divisions and remainders: the dividend goes in
// RAX, the quotient comes from RAX and the remainder from RDX; narrow
// operands are extended first.
func (fc *fnCompiler) selectDiv(in *ir.Instr, dst vreg) {
	op := in.Op
	signed := op == ir.OpSDiv || op == ir.OpSRem
	a, b := fc.use(in.Ops[0]), fc.use(in.Ops[1])
	if intSize(in.Typ) < 4 {
		a, b = fc.extend(a, in.Typ, signed), fc.extend(b, in.Typ, signed)
	}
	fc.mov(vreg(asm.RAX), a)
	m := minst{op: mDiv, sz: opSize(in.Typ), a: vreg(asm.RAX), b: b, dst: noVReg, c: noVReg}
	if signed {
		m.sub = 1
	}
	fc.emit(m)
	if op == ir.OpSDiv || op == ir.OpUDiv {
		fc.mov(dst, vreg(asm.RAX))
	} else {
		fc.mov(dst, vreg(asm.RDX))
	}
}

// selectCall lowers a call, direct to a function of the module (by its
// symbol) or indirect through a value.
func (fc *fnCompiler) selectCall(in *ir.Instr) {
	callee := in.Ops[0]
	ft := in.FnType
	if ft == nil {
		fc.failf(in, "call without a function type")
		return
	}
	if f, ok := callee.(*ir.Function); ok {
		if isVAStart(f) {
			fc.selectVAStart(in)
			return
		}
		if f.Name == ir.UMulHighName && f.IsDeclaration() && len(in.Ops) == 3 {
			// RDX:RAX = RAX * b: the high half.
			fc.mov(vreg(asm.RAX), fc.use(in.Ops[1]))
			fc.emit(minst{op: mDiv, sub: 2, sz: 8, a: vreg(asm.RAX), b: fc.use(in.Ops[2]), dst: noVReg, c: noVReg})
			if fc.useCount(in) > 0 {
				fc.mov(vreg(in.ID), vreg(asm.RDX))
			}
			return
		}
		if ir.IsEHTypeIDFor(f.Name) {
			fc.selectTypeIDFor(in)
			return
		}
		if ir.IsDynamicStackCall(in) {
			// Variable-length arrays: rsp moves (emit.go, mDynStack).
			switch {
			case f.Name == ir.DynAllocaName:
				if len(in.Ops) == 3 {
					fc.emit(minst{op: mDynStack, sub: 0, dst: vreg(in.ID), a: fc.use(in.Ops[1]), b: noVReg, c: noVReg})
				}
			case strings.HasPrefix(f.Name, "llvm.stacksave"):
				fc.emit(minst{op: mDynStack, sub: 1, dst: vreg(in.ID), a: noVReg, b: noVReg, c: noVReg})
			default:
				if len(in.Ops) == 2 {
					fc.emit(minst{op: mDynStack, sub: 2, dst: noVReg, a: fc.use(in.Ops[1]), b: noVReg, c: noVReg})
				}
			}
			return
		}
		if f.Name == "llvm.returnaddress" || strings.HasPrefix(f.Name, "llvm.frameaddress") {
			// The return address is the word above the incoming stack
			// arguments' first slot; the frame address is where a frame
			// pointer pushed by the prologue would be, the word below.
			if fc.useCount(in) > 0 {
				ad := maddr{kind: addrInArg, disp: -8}
				if f.Name == "llvm.returnaddress" {
					fc.emit(minst{op: mLoad, sz: 8, dst: vreg(in.ID), a: noVReg, b: noVReg, c: noVReg, addr: ad})
				} else {
					ad.disp = -16
					fc.emit(minst{op: mLea, dst: vreg(in.ID), a: noVReg, b: noVReg, c: noVReg, addr: ad})
				}
			}
			return
		}
		sym, _ := fc.mc.symbolFor(f)
		fc.lowerCall(in, sym, nil, in.Ops[1:], ft.Variadic)
	} else if ia, ok := callee.(*ir.InlineAsm); ok {
		fc.selectAsm(in, ia)
	} else {
		fc.lowerCall(in, -1, callee, in.Ops[1:], ft.Variadic)
	}
}

// accessSize is the number of bytes a load or store of a scalar of type t
// moves.
func accessSize(t *ir.Type) uint8 {
	switch {
	case t.IsInt() || t.IsPtr():
		return intSize(t)
	case isSingle(t):
		return 4
	}
	return 8
}

// selectLoad lowers a load of a scalar.
func (fc *fnCompiler) selectLoad(in *ir.Instr, dst vreg) {
	m := minst{op: mLoad, dst: dst, a: noVReg, b: noVReg, c: noVReg, addr: fc.addrOf(in.Ops[0])}
	m.sz = accessSize(in.Typ)
	fc.emit(m)
}

// selectStore lowers a store of a scalar.
func (fc *fnCompiler) selectStore(in *ir.Instr) {
	v := fc.use(in.Ops[0])
	m := minst{op: mStore, dst: noVReg, a: v, b: noVReg, c: noVReg, addr: fc.addrOf(in.Ops[1])}
	m.sz = accessSize(in.Ops[0].Type())
	fc.emit(m)
}

// selectRet moves the returned value, if any, to RAX or XMM0 (an
// integer narrower than 32 bits extended first) and returns.
func (fc *fnCompiler) selectRet(in *ir.Instr) {
	if fc.f.Sig.Ret.Kind == ir.StructKind && len(in.Ops) != 1 {
		fc.selectRetStruct(in)
		return
	}
	if k := fc.f.Sig.SRet - 1; len(in.Ops) == 0 && k >= 0 && k < len(fc.f.Params) {
		// A struct returned through the hidden sret pointer: the psABI
		// has the callee return that pointer in RAX.
		r := vreg(asm.RAX)
		fc.mov(r, fc.use(fc.f.Params[k]))
		fc.emit(fc.inst(mRet, noVReg, r, noVReg))
		return
	}
	if len(in.Ops) == 1 && in.Ops[0] != nil {
		v := fc.use(in.Ops[0])
		if t := in.Ops[0].Type(); t.IsInt() && t.Bits < 32 {
			v = fc.extend(v, t, t.Bits > 1)
		}
		r := vreg(asm.RAX)
		if fc.class[v] == classXMM {
			r = vreg(asm.X0)
		}
		fc.mov(r, v)
		fc.emit(fc.inst(mRet, noVReg, r, noVReg))
	} else {
		fc.emit(fc.inst(mRet, noVReg, noVReg, noVReg))
	}
}

// extend sign- or zero-extends a value of integer type t to 64 bits.
func (fc *fnCompiler) extend(a vreg, t *ir.Type, signed bool) vreg {
	d := fc.newVReg(classGPR)
	m := fc.inst(mExt, d, a, noVReg)
	m.sz = uint8(t.Bits)
	if t.IsPtr() {
		m.sz = 64
	}
	if signed {
		m.sub = 1
	}
	fc.emit(m)
	return d
}

func (fc *fnCompiler) selectCast(in *ir.Instr, dst vreg) {
	x := in.Ops[0]
	from, to := x.Type(), in.Typ
	switch in.Op {
	case ir.OpSIToFP, ir.OpUIToFP:
		if !to.IsFloat() || !from.IsInt() {
			fc.failf(in, "conversion from %v to %v is not supported", from, to)
			return
		}
		a := fc.use(x)
		m := fc.inst(mCvtIF, dst, a, noVReg)
		m.sz = uint8(to.Bits / 8)
		if from.Bits < 64 {
			m.a = fc.extend(a, from, in.Op == ir.OpSIToFP)
		} else if in.Op == ir.OpUIToFP {
			m.sub = 1
		}
		fc.emit(m)
	case ir.OpFPToSI, ir.OpFPToUI:
		if !from.IsFloat() || !to.IsInt() {
			fc.failf(in, "conversion from %v to %v is not supported", from, to)
			return
		}
		m := fc.inst(mCvtFI, dst, fc.use(x), noVReg)
		m.sz = uint8(from.Bits / 8)
		if in.Op == ir.OpFPToUI && to.Bits == 64 {
			m.sub = 1
		}
		fc.emit(m)
	case ir.OpZExt, ir.OpSExt:
		a := fc.use(x)
		if from.Bits >= 64 {
			fc.mov(dst, a)
			return
		}
		m := fc.inst(mExt, dst, a, noVReg)
		m.sz = uint8(from.Bits)
		if in.Op == ir.OpSExt {
			m.sub = 1
		}
		fc.emit(m)
	case ir.OpFPExt, ir.OpFPTrunc:
		if !from.IsFloat() || !to.IsFloat() {
			fc.failf(in, "%s from %v to %v is not supported", in.Op, from, to)
			return
		}
		a := fc.use(x)
		switch {
		case from.Bits == to.Bits:
			fc.mov(dst, a)
		case in.Op == ir.OpFPExt:
			fc.emit(minst{op: mFConv, sub: uint8(asm.Cvtss2sd), dst: dst, a: a, b: noVReg, c: noVReg})
		default:
			fc.emit(minst{op: mFConv, sub: uint8(asm.Cvtsd2ss), dst: dst, a: a, b: noVReg, c: noVReg})
		}
	case ir.OpTrunc, ir.OpPtrToInt, ir.OpIntToPtr:
		fc.mov(dst, fc.use(x))
	case ir.OpBitcast:
		a := fc.use(x)
		switch {
		case fc.class[a] == fc.class[dst]:
			fc.mov(dst, a)
		case fc.class[a] == classGPR:
			fc.emit(fc.inst(mMovqXR, dst, a, noVReg))
		default:
			fc.emit(fc.inst(mMovqRX, dst, a, noVReg))
		}
	default:
		fc.failf(in, "%s from %v to %v is not supported", in.Op, from, to)
	}
}

func (fc *fnCompiler) selectGEP(in *ir.Instr, dst vreg) {
	if off, ok := constGEPOffset(in); ok {
		a := fc.addrOf(in.Ops[0])
		if off == int64(int32(off)) && int64(a.disp)+off == int64(int32(int64(a.disp)+off)) {
			a.disp += int32(off)
			fc.emit(minst{op: mLea, dst: dst, a: noVReg, b: noVReg, c: noVReg, addr: a})
			return
		}
	}
	cur := fc.use(in.Ops[0])
	t := in.ElemType
	for i, idx := range in.Ops[1:] {
		if i > 0 {
			switch t.Kind {
			case ir.ArrayKind:
				t = t.Elem
			case ir.StructKind:
				c, ok := idx.(*ir.ConstInt)
				if !ok || c.V < 0 || c.V >= int64(len(t.Fields)) {
					fc.failf(in, "getelementptr index into %v is not a constant field number", t)
					return
				}
				if off := t.FieldOffset(int(c.V)); off != 0 {
					n := fc.newVReg(classGPR)
					fc.emit(minst{op: mAlu, sub: uint8(asm.Add), sz: 8, dst: n, a: cur, b: noVReg, c: noVReg, flags: flBImm, imm: off})
					cur = n
				}
				t = t.Fields[c.V]
				continue
			default:
				fc.failf(in, "getelementptr into non-aggregate type %v", t)
				return
			}
		}
		size := t.Size()
		var term vreg
		if c, ok := idx.(*ir.ConstInt); ok {
			off := c.V * size
			if off == 0 {
				continue
			}
			if off != int64(int32(off)) {
				term = fc.use(ir.NewInt(ir.I64, off))
			} else {
				n := fc.newVReg(classGPR)
				fc.emit(minst{op: mAlu, sub: uint8(asm.Add), sz: 8, dst: n, a: cur, b: noVReg, c: noVReg, flags: flBImm, imm: off})
				cur = n
				continue
			}
		} else {
			iv := fc.use(idx)
			if idx.Type().Bits < 64 {
				iv = fc.extend(iv, idx.Type(), true)
			}
			term = fc.newVReg(classGPR)
			fc.emit(minst{op: mImul, sz: 8, dst: term, a: iv, b: noVReg, c: noVReg, flags: flBImm, imm: size})
		}
		n := fc.newVReg(classGPR)
		fc.emit(minst{op: mAlu, sub: uint8(asm.Add), sz: 8, dst: n, a: cur, b: term, c: noVReg})
		cur = n
	}
	fc.mov(dst, cur)
}

// phiCopies writes the values flowing along edge from->to into the phi
// temporaries of to.
func (fc *fnCompiler) phiCopies(from, to *ir.Block) {
	if fc.x87.on {
		fc.x87PhiCopies(from, to)
	}
	for _, phi := range to.Phis() {
		if fc.x87.on && phi.Typ == ir.F80 {
			continue
		}
		v := phi.Incoming(from)
		if v == nil {
			fc.failf(phi, "phi has no incoming value for %s", from.Ident())
			return
		}
		fc.mov(fc.phiTmp[phi.ID-numPhys], fc.use(v))
	}
}

func (fc *fnCompiler) selectBr(in *ir.Instr) {
	from := in.Block
	if len(in.Ops) == 0 {
		if len(in.Blocks) != 1 || in.Blocks[0] == nil {
			fc.failf(in, "malformed br")
			return
		}
		fc.phiCopies(from, in.Blocks[0])
		fc.emit(minst{op: mJmp, dst: noVReg, a: noVReg, b: noVReg, c: noVReg, t: int32(in.Blocks[0].ID)})
		return
	}
	if len(in.Blocks) != 2 || in.Blocks[0] == nil || in.Blocks[1] == nil || in.Ops[0] == nil {
		fc.failf(in, "malformed conditional br")
		return
	}
	cond := fc.peelCond(in.Ops[0])
	var cont int32 = -1
	if c, ok := cond.(*ir.Instr); ok && fc.isFolded(c) && (c.Op == ir.OpOr || c.Op == ir.OpAnd) {
		cont = fc.newSplitBlock()
	}
	t := fc.edgeTarget(from, in.Blocks[0])
	f := fc.edgeTarget(from, in.Blocks[1])
	if cont < 0 {
		fc.condBranch(cond, t, f)
		return
	}
	c := cond.(*ir.Instr)
	c1, c2 := fc.peelCond(c.Ops[0]), fc.peelCond(c.Ops[1])
	if c.Op == ir.OpOr {
		fc.condBranch(c1, t, cont)
	} else {
		fc.condBranch(c1, cont, f)
	}
	saved := fc.cur
	fc.cur = int(cont)
	fc.condBranch(c2, t, f)
	fc.cur = saved
}

// condBranch emits a two-way branch on an i1 value, fusing a folded
// compare.
func (fc *fnCompiler) condBranch(cond ir.Value, t, f int32) {
	var m minst
	if c, ok := cond.(*ir.Instr); ok && fc.isFolded(c) && (c.Op == ir.OpICmp || c.Op == ir.OpFCmp) {
		if c.Op == ir.OpICmp {
			m = fc.cmpOperands(c)
			m.op = mCmpBr
		} else {
			m = fc.fcmpOperands(c)
			m.op = mFCmpBr
		}
	} else {
		m = fc.inst(mBr, noVReg, fc.use(cond), noVReg)
	}
	m.dst = noVReg
	m.t, m.f = t, f
	fc.emit(m)
}

func (fc *fnCompiler) isFolded(in *ir.Instr) bool {
	return in.ID >= numPhys && in.ID < len(fc.folded) && fc.folded[in.ID]
}

// single reports whether v is an instruction of block b with one use.
func (fc *fnCompiler) single(v ir.Value, b *ir.Block) (*ir.Instr, bool) {
	in, ok := v.(*ir.Instr)
	if !ok || in.Block != b || in.Op == ir.OpAlloca || in.ID < numPhys || fc.useCount(in) != 1 {
		return nil, false
	}
	return in, true
}

// peelCond looks through "fcmp one/une (uitofp i1 c), 0.0" (the way the
// Kaleidoscope front end tests a boolean) to c.
func (fc *fnCompiler) peelCond(v ir.Value) ir.Value {
	in, ok := v.(*ir.Instr)
	if !ok || !fc.isFolded(in) || in.Op != ir.OpFCmp {
		return v
	}
	if x, ok := fc.boolOfFCmp(in); ok {
		return x
	}
	return v
}

func (fc *fnCompiler) boolOfFCmp(in *ir.Instr) (ir.Value, bool) {
	if in.Pred != ir.FCmpONE && in.Pred != ir.FCmpUNE {
		return nil, false
	}
	z, ok := in.Ops[1].(*ir.ConstFloat)
	if !ok || z.V != 0 {
		return nil, false
	}
	u, ok := fc.single(in.Ops[0], in.Block)
	if !ok || u.Op != ir.OpUIToFP || !u.Ops[0].Type().IsInt() || u.Ops[0].Type().Bits != 1 {
		return nil, false
	}
	return u.Ops[0], true
}

// markFolded marks the instructions of b that its conditional branch
// absorbs: a compare (possibly behind the Kaleidoscope boolean pattern),
// or an and/or of two compares.
func (fc *fnCompiler) markFolded(b *ir.Block) {
	t := b.Terminator()
	if t == nil || t.Op != ir.OpBr || len(t.Ops) != 1 {
		return
	}
	var mark func(v ir.Value, depth int) bool
	mark = func(v ir.Value, depth int) bool {
		in, ok := fc.single(v, b)
		if !ok {
			return false
		}
		switch in.Op {
		case ir.OpICmp:
			fc.folded[in.ID] = true
			return true
		case ir.OpFCmp:
			if fc.x87.on && isF80(in.Ops[0]) {
				return false // compared on the x87 stack (x87.go)
			}
			if x, ok := fc.boolOfFCmp(in); ok {
				fc.folded[in.ID] = true
				fc.folded[in.Ops[0].(*ir.Instr).ID] = true
				mark(x, depth)
				return true
			}
			fc.folded[in.ID] = true
			return true
		case ir.OpOr, ir.OpAnd:
			if depth > 0 || !in.Typ.IsInt() || in.Typ.Bits != 1 {
				return false
			}
			x, ok1 := fc.single(fc.peelPreview(in.Ops[0]), b)
			y, ok2 := fc.single(fc.peelPreview(in.Ops[1]), b)
			if !ok1 || !ok2 || !isCmp(x) || !isCmp(y) {
				return false
			}
			fc.folded[in.ID] = true
			mark(in.Ops[0], 1)
			mark(in.Ops[1], 1)
			return true
		}
		return false
	}
	mark(t.Ops[0], 0)
}

func isCmp(in *ir.Instr) bool { return in.Op == ir.OpICmp || in.Op == ir.OpFCmp }

// peelPreview is peelCond before marking: it follows the boolean pattern
// if it applies.
func (fc *fnCompiler) peelPreview(v ir.Value) ir.Value {
	in, ok := v.(*ir.Instr)
	if !ok || in.Op != ir.OpFCmp || in.ID < numPhys || fc.useCount(in) != 1 {
		return v
	}
	if x, ok := fc.boolOfFCmp(in); ok {
		return x
	}
	return v
}

// newSplitBlock appends a machine block laid out after the current IR
// block's.
func (fc *fnCompiler) newSplitBlock() int32 {
	b := fc.addBlock()
	fc.splitOf = append(fc.splitOf, int32(fc.owner))
	return b
}

// edgeTarget returns the machine block a conditional branch from -> to
// should jump to: to itself, or a new block holding the phi copies of a
// critical edge.
func (fc *fnCompiler) edgeTarget(from, to *ir.Block) int32 {
	if len(to.Phis()) == 0 {
		return int32(to.ID)
	}
	saved := fc.cur
	fc.cur = int(fc.newSplitBlock())
	fc.phiCopies(from, to)
	fc.emit(minst{op: mJmp, dst: noVReg, a: noVReg, b: noVReg, c: noVReg, t: int32(to.ID)})
	idx := int32(fc.cur)
	fc.cur = saved
	return idx
}

// lowerCall emits a SysV call: stack arguments, argument registers, the
// call, and the copy of the result.
func (fc *fnCompiler) lowerCall(in *ir.Instr, sym int32, callee ir.Value, args []ir.Value, variadic bool) {
	fc.hasCall = true
	vals := make([]vreg, len(args))
	var f80 []bool // x86_fp80 arguments (x87.go)
	for i, a := range args {
		if a == nil {
			fc.failf(in, "call argument %d is nil", i)
			return
		}
		if _, ok := classOf(a.Type()); !ok {
			if a.Type() == ir.F80 {
				vals[i] = fc.x87Use(a) // its address
				if f80 == nil {
					f80 = make([]bool, len(args))
				}
				f80[i] = true
				continue
			}
			fc.failf(in, "call argument of type %v is not supported", a.Type())
			return
		}
		vals[i] = fc.use(a)
		if t := a.Type(); t.IsInt() && t.Bits < 32 {
			// Narrow integers are passed extended to 32 bits (clang-built
			// callees rely on it): i1 zero-extended, i8/i16 sign-extended.
			vals[i] = fc.extend(vals[i], t, t.Bits > 1)
		}
	}
	var target vreg = noVReg
	if callee != nil {
		target = fc.use(callee)
	}
	ngp, nxmm := 0, 0
	var stack int64
	ci := callInfo{sym: sym}
	if n := len(fc.calls); n < cap(fc.calls) {
		// The use list a previous function's call left in this slot.
		ci.uses = fc.calls[: n+1 : n+1][n].uses[:0]
	}
	type regArg struct {
		r vreg
		v vreg
	}
	var regs []regArg
	var byval []*ir.Type
	if in.Op.IsCall() && in.FnType != nil {
		byval = in.FnType.ByVal
	}
	for i, v := range vals {
		if i < len(byval) && byval[i] != nil {
			stack = fc.copyByVal(in, v, byval[i], stack)
			continue
		}
		if f80 != nil && f80[i] {
			stack = fc.x87CallArg(v, stack)
			continue
		}
		if fc.class[v] == classXMM {
			if nxmm < len(xmmArgRegs) {
				regs = append(regs, regArg{vreg(xmmArgRegs[nxmm]), v})
				nxmm++
				continue
			}
		} else if ngp < len(gpArgRegs) {
			regs = append(regs, regArg{vreg(gpArgRegs[ngp]), v})
			ngp++
			continue
		}
		fc.emit(minst{op: mStoreArg, dst: noVReg, a: v, b: noVReg, c: noVReg, imm: stack})
		stack += 8
	}
	if stack > fc.outArgs {
		fc.outArgs = stack
	}
	for _, ra := range regs {
		fc.mov(ra.r, ra.v)
		ci.uses = append(ci.uses, ra.r)
	}
	if variadic {
		fc.emit(minst{op: mImm, dst: vreg(asm.RAX), a: noVReg, b: noVReg, c: noVReg, imm: int64(nxmm)})
		ci.uses = append(ci.uses, vreg(asm.RAX))
	}
	fc.calls = append(fc.calls, ci)
	fc.emit(minst{op: mCall, dst: noVReg, a: target, b: noVReg, c: noVReg, imm: int64(len(fc.calls) - 1)})
	if in.Typ == ir.F80 {
		fc.x87Result(in, vreg(in.ID)) // from st(0), used or not
		return
	}
	if isComplexX87(in.Typ) {
		// ST0 and ST1 popped into slots, used or not.
		fc.x87PopTo(vreg(in.ID))
		fc.x87PopTo(vreg(in.ID + 1))
		return
	}
	if in.Typ.Kind == ir.StructKind {
		if fc.useCount(in) > 0 {
			for i, r := range structRetRegs(in.Typ) {
				fc.mov(vreg(in.ID+i), vreg(r))
			}
		}
		return
	}
	if in.HasResult() && fc.useCount(in) > 0 {
		dst := vreg(in.ID)
		if fc.class[dst] == classXMM {
			fc.mov(dst, vreg(asm.X0))
		} else {
			fc.mov(dst, vreg(asm.RAX))
		}
	}
}
