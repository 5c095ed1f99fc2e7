package amd64

import (
	"github.com/gorc-jit/gorc/backend/amd64/asm"
	"github.com/gorc-jit/gorc/ir"
)

// The machine IR: x86-64 operations on virtual registers, in blocks laid
// out in final order. Virtual register numbers below numPhys are the
// physical registers themselves (asm.Reg values: 0-15 general, 16-31
// xmm); they appear only in short, block-local ranges around calls,
// returns, divisions and the function entry, and act as fixed intervals
// for the allocator.

type vreg int32

const (
	numPhys      = 32
	noVReg  vreg = -1
)

type regClass uint8

const (
	classGPR regClass = iota
	classXMM
)

type mop uint8

const (
	mNop      mop = iota
	mEntry        // defines the incoming argument registers
	mCopy         // dst = a
	mImm          // dst = imm (gpr)
	mFConst       // dst = float constant imm (bits) (xmm)
	mAlu          // dst = a <sub:asm.ALUOp> (b | imm)
	mImul         // dst = a * (b | imm)
	mShift        // dst = a <sub:asm.ShiftOp> (rcx | imm)
	mUnary        // dst = <sub:asm.UnaryOp> a  (not, neg)
	mDiv          // rax, rdx = rdx:rax / b; sub 1 = signed, sub 2 = rdx:rax = rax * b (unsigned)
	mExt          // dst = extend a: sub extZero/extSign from size sz
	mSse          // dst = a <sub:asm.SseOp> (b | constant imm)
	mFNeg         // dst = -a (sz 4: float, 8: double)
	mCvtIF        // dst(xmm) = (double or float, sz 8/4) a (signed 64-bit; sub 1 = unsigned)
	mCvtFI        // dst(gpr) = (int64) a (a double or float, sz 8/4), truncating
	mMovqXR       // dst(xmm) = bits of a(gpr)
	mMovqRX       // dst(gpr) = bits of a(xmm)
	mLoad         // dst = [addr] (sz bytes, or 8 for xmm)
	mStore        // [addr] = a
	mLea          // dst = addr
	mCmpSet       // dst = a <sub:pred> (b | imm), integer compare of size sz
	mFCmpSet      // dst = a <sub:pred> b (doubles)
	mSelect       // dst = c ? a : b
	mCall         // call (sym | a); uses/defs from fn.calls[imm]
	mJmp          // jmp t
	mBr           // if a&1 then t else f
	mCmpBr        // if a <pred> (b|imm) then t else f
	mFCmpBr       // if a <pred> b then t else f
	mRet          // epilogue and ret; a = phys return register or noVReg
	mUd2          // trap
	mStoreArg     // outgoing stack argument: [rsp+imm] = a
	mFConv        // dst = <sub: cvtss2sd | cvtsd2ss> a
	mAtomic       // an atomic operation on [addr] of size sz (sub: atomXchg...)
	mAddTP        // dst = a + the thread pointer (fs:0)
	mX87          // an x87 operation (sub: x87Ld...; x87.go)
	mLandPad      // a landing pad's entry: defines rax (exception) and rdx (selector) (eh.go)
	mDynStack     // sub 0: dst = a bytes below rsp; 1: dst = rsp; 2: rsp = a (dynalloca: emit.go)
)

// mAtomic's operations (minst.sub).
const (
	atomXchg    uint8 = iota // dst = a; xchg [addr], dst (dst: the old value)
	atomXadd                 // dst = a; lock xadd [addr], dst
	atomLoop                 // rax = [addr]; again: r11 = rax <imm: ir.RMWOp> a; lock cmpxchg [addr], r11; jne again
	atomCmpxchg              // lock cmpxchg [addr], b (rax: expected, then the old value); dst = ZF
	atomFence                // mfence
)

const (
	flBImm   = 1 << iota // b is the immediate imm
	flBConst             // b is the float constant with bits imm
	flLateB              // b is read after dst is written (dst != b)
	flLateA              // a is read after dst is written
	flUnwind             // mJmp of an invoke: f is its unwind edge's block (eh.go)
)

// addr kinds
const (
	addrBase  uint8 = iota // [base + disp]
	addrFrame              // frame object slot + disp
	addrSym                // rip-relative sym + disp
	addrInArg              // incoming stack argument slot + disp
)

type maddr struct {
	kind uint8
	base vreg
	disp int32
	slot int32 // frame object index / incoming arg index / symbol id
	rk   asm.RelocKind
}

type minst struct {
	op    mop
	sub   uint8
	sz    uint8
	flags uint8
	dst   vreg
	a, b  vreg
	c     vreg
	imm   int64
	addr  maddr
	t, f  int32
}

type mblock struct {
	insts []minst
	depth int32 // loop depth
	from  int32 // position of the first instruction (2*index)
	to    int32
	label asm.Label
}

type callInfo struct {
	sym     int32 // symbol id, or -1 for an indirect call through minst.a
	uses    []vreg
	results []vreg    // phys result registers (defined)
	lpad    int32     // an invoke's: 1 + the machine block of its unwind edge; 0 for a call
	pad     *ir.Instr // an invoke's landingpad
	isAsm   bool      // inline asm: blob is emitted instead of a call (inlineasm.go)
	blob    []byte
}

type frameObj struct {
	size, align int64
	off         int64
}
