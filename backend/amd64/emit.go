package amd64

import (
	"math"
	"math/bits"
	"slices"

	"github.com/gorc-jit/gorc/backend/amd64/asm"
	"github.com/gorc-jit/gorc/objfile/elfw"
)

// Emission: frame layout, prologue and epilogue, lowering of the
// three-address machine IR to two-address x86 instructions, spill code
// through scratch registers, and branch layout with fall-through.

type cfiEvent struct {
	pc   int32 // offset from the function start
	kind uint8 // cfiOffset: CFA = rsp + arg; cfiSave: reg saved at CFA-arg; cfiRemember; cfiRestore
	reg  asm.Reg
	arg  int32
}

const (
	cfiOffset uint8 = iota
	cfiSave
	cfiRemember
	cfiRestore
	cfiDefCFA // CFA = reg + arg (a function that moves rsp: rbp)
)

type fde struct {
	sym        elfw.SymID
	start, end int
	cfi        []cfiEvent
	// lsda is the offset of the function's LSDA in .gcc_except_table, -1
	// for none; personality names its personality routine then (eh.go).
	lsda        int
	personality string
}

type emitState struct {
	saved     []asm.Reg
	frameSize int32
	spillBase int32
	objOff    []int32
	start     int
	cfi       []cfiEvent
	fwd       fwdState // register -> spill slot it holds a copy of
	curDst    asm.Reg  // register the current instruction writes
	curA      vreg     // its first operand, always read before any write
	pred      []int32
	endFwd    []fwdState
	done      []bool
	short     []bool
	absorbed  []bool // edge blocks whose copies were emitted in their predecessor
	curBlock  int32
	curLi     int
}

var calleeSaved = []asm.Reg{asm.RBX, asm.RBP, asm.R12, asm.R13, asm.R14, asm.R15}

func (fc *fnCompiler) emitFunction() error {
	mc := fc.mc
	a := &mc.a
	em := &fc.em
	ra := &fc.ra
	mc.stats.Spills += int(ra.nSpill)

	// Frame layout: [rsp, +outArgs) outgoing arguments, then spill slots,
	// then frame objects; callee-saved registers are pushed above.
	em.saved = em.saved[:0]
	for _, r := range calleeSaved {
		if ra.used[r] || fc.dynStack && r == asm.RBP {
			em.saved = append(em.saved, r)
		}
	}
	off := fc.outArgs
	em.spillBase = int32(off)
	off += 8 * int64(ra.nSpill)
	em.objOff = em.objOff[:0]
	for _, o := range fc.frame {
		off = (off + o.align - 1) &^ (o.align - 1)
		em.objOff = append(em.objOff, int32(off))
		off += o.size
	}
	if off > 1<<30 {
		return fc.errorf("stack frame of %d bytes is too large", off)
	}
	if off > 0 || fc.hasCall || fc.dynStack {
		// Keep rsp 16-byte aligned inside the body.
		pushed := 8 + 8*int64(len(em.saved))
		off = (off+pushed+15)&^15 - pushed
	}
	em.frameSize = int32(off)

	// Room for the function's code: its machine instructions take about
	// 6 bytes each (the synthetic program's), so 8 each and the
	// alignment rarely leave the buffer to grow (and be copied) while
	// the function is emitted.
	nm := 0
	for i := range fc.blocks {
		nm += len(fc.blocks[i].insts)
	}
	if need := 8*nm + 32; cap(a.Buf)-len(a.Buf) < need {
		a.Buf = slices.Grow(a.Buf, need)
	}
	// Align the function start.
	if pad := (16 - a.Len()%16) % 16; pad != 0 {
		a.Nop(pad)
	}
	// Emit with long forward branches, measure which of them fit in rel8,
	// and shorten those in place (asm.Shrink: the code emitting the body
	// again with the short forms would give, at a fraction of the cost).
	mark := a.Mark()
	if fc.eh.on {
		fc.eh.blockPC = append(fc.eh.blockPC[:0], make([]int, len(fc.blocks))...)
	}
	fc.emitBody()
	em.short = a.Relax(em.short)
	if slices.Contains(em.short, true) {
		a.Shrink(mark, em.short)
		for i := range em.cfi {
			em.cfi[i].pc = int32(a.Moved(em.start+int(em.cfi[i].pc)) - em.start)
		}
	}
	if err := a.Err(); err != nil {
		return fc.errorf("%w", err)
	}
	lsda := -1
	if fc.eh.on && len(fc.eh.sites) > 0 {
		moved := func(p int) int { return p }
		if slices.Contains(em.short, true) {
			moved = a.Moved
		}
		off, err := fc.emitLSDA(em.start, a.Len(), moved)
		if err != nil {
			return err
		}
		lsda = off
	}
	sym := mc.syms[fc.f].id
	// The events go to the module's list (an fde's slice of it stays
	// valid when a later append moves the list: it is never written
	// again), not to an array of their own per function.
	lo := len(mc.cfi)
	mc.cfi = append(mc.cfi, em.cfi...)
	mc.fdes = append(mc.fdes, fde{sym: sym, start: em.start, end: a.Len(), cfi: mc.cfi[lo:len(mc.cfi):len(mc.cfi)], lsda: lsda})
	if lsda >= 0 {
		mc.fdes[len(mc.fdes)-1].personality = fc.f.Personality
	}
	return nil
}

// emitBody emits the prologue and the blocks.
func (fc *fnCompiler) emitBody() {
	a := &fc.mc.a
	em := &fc.em
	em.start = a.Len()
	em.cfi = em.cfi[:0]
	// Prologue.
	cfa := int32(8)
	for _, r := range em.saved {
		a.Push(r)
		cfa += 8
		em.cfi = append(em.cfi, cfiEvent{pc: fc.pc(), kind: cfiOffset, arg: cfa}, cfiEvent{pc: fc.pc(), kind: cfiSave, reg: r, arg: cfa})
	}
	if em.frameSize > 0 {
		a.AluRI(asm.Sub, 8, asm.RSP, em.frameSize)
		em.cfi = append(em.cfi, cfiEvent{pc: fc.pc(), kind: cfiOffset, arg: cfa + em.frameSize})
	}
	if fc.dynStack {
		a.MovRR(8, asm.RBP, asm.RSP) // the frame pointer: rsp moves in the body
		em.cfi = append(em.cfi, cfiEvent{pc: fc.pc(), kind: cfiDefCFA, reg: asm.RBP, arg: cfa + em.frameSize})
	}

	for i := range fc.blocks {
		fc.blocks[i].label = a.NewLabel()
	}
	// Single predecessors, for carrying spill-store forwarding into a
	// block: pred[b] is the only predecessor, -1 for none, -2 for many.
	// The per-block tables are set up in one walk (pred, the forwarding
	// state at each block's end, done, absorbed).
	em.pred = em.pred[:0]
	// endFwd's entries are read only once written (done), so they are
	// not cleared: a fwdState is 132 bytes.
	if cap(em.endFwd) < len(fc.blocks) {
		em.endFwd = make([]fwdState, len(fc.blocks))
	}
	em.endFwd = em.endFwd[:len(fc.blocks)]
	done := em.done[:0]
	em.absorbed = em.absorbed[:0]
	for range fc.blocks {
		em.pred = append(em.pred, -1)
		done = append(done, false)
		em.absorbed = append(em.absorbed, false)
	}
	em.done = done
	for bi := range fc.blocks {
		t, f := fc.succs(&fc.blocks[bi])
		if t == f {
			f = -1
		}
		for _, s := range [2]int32{t, f} {
			if s >= 0 {
				if em.pred[s] == -1 {
					em.pred[s] = int32(bi)
				} else {
					em.pred[s] = -2
				}
			}
		}
	}
	for li, bi := range fc.layout {
		b := &fc.blocks[bi]
		if em.absorbed[bi] {
			continue
		}
		em.curBlock, em.curLi = bi, li
		a.Bind(b.label)
		if fc.eh.on {
			fc.eh.blockPC[bi] = a.Len()
		}
		if p := em.pred[bi]; p >= 0 && em.done[p] {
			em.fwd.copyFrom(&em.endFwd[p])
		} else {
			fc.clearForwarding()
		}
		next := int32(-1)
		if li+1 < len(fc.layout) {
			next = fc.layout[li+1]
		}
		for k := range b.insts {
			m := &b.insts[k]
			if k == len(b.insts)-1 {
				// The state at the branch is what successors see.
				em.endFwd[bi].copyFrom(&em.fwd)
				em.done[bi] = true
			}
			fc.emitInst(m, next, li == len(fc.layout)-1 && k == len(b.insts)-1)
		}
	}
}

func (fc *fnCompiler) pc() int32 { return int32(fc.mc.a.Len() - fc.em.start) }

// loc returns where v lives: a register, or (ok false) its spill slot.
// The register case, most operands', is inline at the callers; a value
// without a register goes to locSlot.
func (fc *fnCompiler) loc(v vreg) (asm.Reg, asm.Mem, bool) {
	if r, ok := fc.inReg(v); ok {
		return r, asm.Mem{}, true
	}
	return fc.locSlot(v)
}

// inReg returns v's register when it has one of its own (a physical
// register is itself): the case of most operands, inline at the hot
// callers, which ask locSlot or srcSlot for the rest. (loc and srcLoc
// with the same short cut stay over the inliner's budget: a call and a
// memory operand returned cost too much.)
func (fc *fnCompiler) inReg(v vreg) (asm.Reg, bool) {
	r := asm.Reg(v) // never NoReg
	if v >= numPhys {
		r = fc.ra.ivs[v].reg
	}
	return r, r != asm.NoReg
}

// locSlot is loc for a virtual register v without a register.
//
//go:noinline
func (fc *fnCompiler) locSlot(v vreg) (asm.Reg, asm.Mem, bool) {
	iv := &fc.ra.ivs[v]
	if iv.spill == -2 {
		return asm.NoReg, fc.constMem(iv.bits), false
	}
	if iv.spill < 0 {
		// Never live (defined but unused): any scratch will do.
		if fc.class[v] == classXMM {
			return scratchXMM, asm.Mem{}, true
		}
		return scratchGPR, asm.Mem{}, true
	}
	return asm.NoReg, asm.M(fc.frameReg(), fc.em.spillBase+8*iv.spill), false
}

// regLoc is loc for the callers that need only v's register: ok false
// when v lives in memory (a spill slot or the constant pool). It leaves
// out the memory operand loc builds and returns.
func (fc *fnCompiler) regLoc(v vreg) (asm.Reg, bool) {
	if v < numPhys {
		return asm.Reg(v), true
	}
	iv := &fc.ra.ivs[v]
	if iv.reg != asm.NoReg {
		return iv.reg, true
	}
	if iv.spill < 0 && iv.spill != -2 {
		// Never live, as in loc.
		if fc.class[v] == classXMM {
			return scratchXMM, true
		}
		return scratchGPR, true
	}
	return asm.NoReg, false
}

// srcLoc is loc for reading v: a spilled value whose slot was just
// stored from a register that still holds it is read from that register
// (spill-store forwarding), unless the current instruction writes that
// register before reading its operands.
func (fc *fnCompiler) srcLoc(v vreg) (asm.Reg, asm.Mem, bool) {
	if r, ok := fc.inReg(v); ok {
		return r, asm.Mem{}, true
	}
	return fc.srcSlot(v)
}

// srcSlot is srcLoc for a virtual register v without a register.
//
//go:noinline
func (fc *fnCompiler) srcSlot(v vreg) (asm.Reg, asm.Mem, bool) {
	r, m, ok := fc.locSlot(v)
	if ok {
		return r, m, ok
	}
	if slot := fc.ra.ivs[v].spill; slot >= 0 {
		em := &fc.em
		for mask := em.fwd.mask; mask != 0; mask &= mask - 1 {
			reg := asm.Reg(bits.TrailingZeros32(mask))
			if em.fwd.slot[reg] == slot && (reg != em.curDst || v == em.curA) {
				return reg, asm.Mem{}, true
			}
		}
	}
	return r, m, ok
}

// forget records that the instruction just emitted wrote its results.
func (fc *fnCompiler) forget(m *minst) {
	em := &fc.em
	switch m.op {
	case mCall:
		em.fwd.mask &^= uint32(callerSavedMask) // all registers numPhys < 32
		return
	case mDiv:
		em.fwd.drop(asm.RAX)
		em.fwd.drop(asm.RDX)
		return
	case mAtomic:
		em.fwd.drop(asm.RAX)
	}
	if m.dst == noVReg {
		return
	}
	if m.dst < numPhys {
		em.fwd.drop(asm.Reg(m.dst))
		return
	}
	iv := &fc.ra.ivs[m.dst]
	if iv.reg != asm.NoReg {
		em.fwd.drop(iv.reg)
		return
	}
	if iv.spill >= 0 {
		for mask := em.fwd.mask; mask != 0; mask &= mask - 1 {
			if r := asm.Reg(bits.TrailingZeros32(mask)); em.fwd.slot[r] == iv.spill {
				em.fwd.drop(r)
			}
		}
		if m.op == mCopy {
			if r, _, ok := fc.srcLoc(m.a); ok && r != scratchGPR && r != scratchGPR2 && r != scratchXMM {
				em.fwd.set(r, iv.spill)
			}
		}
	}
}

func (fc *fnCompiler) clearForwarding() { fc.em.fwd.mask = 0 }

// fwdState is, per register, the spill slot it holds a copy of: slot[r]
// is meaningful only when bit r of mask is set (a register holds no copy
// otherwise), so that the lookups of every spilled operand visit only the
// few registers that hold copies, not all 32.
type fwdState struct {
	slot [numPhys]int32
	mask uint32
}

func (f *fwdState) set(r asm.Reg, slot int32) {
	f.slot[r] = slot
	f.mask |= 1 << r
}

func (f *fwdState) drop(r asm.Reg) { f.mask &^= 1 << r }

// copyFrom makes f the state src is: its mask alone when no register
// holds a copy (the slots mean nothing then), the common case.
func (f *fwdState) copyFrom(src *fwdState) {
	if src.mask == 0 {
		f.mask = 0
		return
	}
	*f = *src
}

// load moves v (register or spill slot) into register r.
func (fc *fnCompiler) load(r asm.Reg, v vreg) {
	a := &fc.mc.a
	if src, ok := fc.inReg(v); ok {
		fc.move(r, src)
		return
	}
	src, m, ok := fc.srcSlot(v)
	if ok {
		fc.move(r, src)
		return
	}
	if r.IsXMM() {
		a.SseRM(asm.Movsd, r, m)
	} else {
		a.MovRM(8, r, m)
	}
}

// move copies register src to dst.
func (fc *fnCompiler) move(dst, src asm.Reg) {
	if dst == src {
		return
	}
	a := &fc.mc.a
	switch {
	case dst.IsXMM() && src.IsXMM():
		a.SseRR(asm.Movapd, dst, src)
	case dst.IsXMM():
		a.MovqXR(dst, src)
	case src.IsXMM():
		a.MovqRX(dst, src)
	default:
		a.MovRR(8, dst, src)
	}
}

// regOf returns a register holding v, loading a spilled v into scratch.
func (fc *fnCompiler) regOf(v vreg, scratch asm.Reg) asm.Reg {
	if r, ok := fc.inReg(v); ok {
		return r
	}
	r, m, ok := fc.srcSlot(v)
	if ok {
		return r
	}
	if scratch.IsXMM() {
		fc.mc.a.SseRM(asm.Movsd, scratch, m)
	} else {
		fc.mc.a.MovRM(8, scratch, m)
	}
	return scratch
}

// dstReg returns the register to compute v into: its own, or a scratch
// register whose value storeDst writes back to the spill slot.
func (fc *fnCompiler) dstReg(v vreg) asm.Reg {
	r, ok := fc.regLoc(v)
	if ok {
		return r
	}
	if fc.class[v] == classXMM {
		return scratchXMM
	}
	return scratchGPR
}

func (fc *fnCompiler) storeDst(v vreg, r asm.Reg) {
	if v < numPhys || fc.ra.ivs[v].reg != asm.NoReg {
		return // in its register (the common case, inline)
	}
	fc.storeSlot(v, r)
}

// storeSlot is storeDst for a v without a register of its own.
//
//go:noinline
func (fc *fnCompiler) storeSlot(v vreg, r asm.Reg) {
	if _, ok := fc.regLoc(v); ok {
		return
	}
	_, m, _ := fc.loc(v)
	if r.IsXMM() {
		fc.mc.a.MovsdMR(m, r)
	} else {
		fc.mc.a.MovMR(8, m, r)
	}
}

// mem resolves a machine address, loading a spilled base into r10.
func (fc *fnCompiler) mem(ad *maddr) asm.Mem {
	em := &fc.em
	switch ad.kind {
	case addrFrame:
		return asm.M(fc.frameReg(), em.objOff[ad.slot]+ad.disp)
	case addrSym:
		m := asm.MSym(ad.slot, ad.disp)
		m.SymKind = ad.rk
		return m
	case addrInArg:
		return asm.M(fc.frameReg(), em.frameSize+8*int32(len(em.saved))+8+8*ad.slot+ad.disp)
	}
	return asm.M(fc.regOf(ad.base, scratchGPR2), ad.disp)
}

func (fc *fnCompiler) constMem(bits int64) asm.Mem {
	return asm.MSym(fc.mc.constSym(uint64(bits)), 0)
}

// twoAddr prepares dst = a op b for a two-address instruction: it
// returns the register d to compute into (a is in it once the caller
// applies the operation) and the other operand, the register s when sok,
// else the memory sm; the caller emits "op d, s" (or "op d, sm") and then
// storeDst(m.dst, d). (It took the operation as two callbacks, an
// indirect call per arithmetic instruction; the caller's switch on sok
// is plain code.)
func (fc *fnCompiler) twoAddr(m *minst, commutative bool) (d, s asm.Reg, sm asm.Mem, sok bool) {
	d = fc.dstReg(m.dst)
	ra, aok := fc.inReg(m.a)
	var am asm.Mem
	if !aok {
		ra, am, aok = fc.srcSlot(m.a)
	}
	rb, bok := fc.inReg(m.b)
	var bm asm.Mem
	if !bok {
		rb, bm, bok = fc.srcSlot(m.b)
	}
	switch {
	case aok && ra == d:
		return d, rb, bm, bok
	case bok && rb == d && commutative:
		return d, ra, am, aok
	}
	if bok && rb == d {
		// Non-commutative with dst == b cannot happen (b is a late
		// use); keep the value safe anyway.
		fc.move(scratchGPRFor(d), rb)
		rb = scratchGPRFor(d)
	}
	fc.load(d, m.a)
	return d, rb, bm, bok
}

func scratchGPRFor(r asm.Reg) asm.Reg {
	if r.IsXMM() {
		return scratchXMM
	}
	return scratchGPR2
}

// emitInst emits the machine code of m: next is the block laid out
// after the current one (a jump there falls through), last says m ends
// the function's code. Each operation with more to it than a few lines
// has its own emitX method. (The switch was a function of its own,
// emitOne, called from here: a call per machine instruction.)
func (fc *fnCompiler) emitInst(m *minst, next int32, last bool) {
	fc.em.curDst = asm.NoReg
	fc.em.curA = m.a
	if m.op == mCall || m.op == mDiv {
		fc.em.curA = noVReg
	}
	if m.dst != noVReg {
		if r, ok := fc.regLoc(m.dst); ok {
			fc.em.curDst = r
		} else if iv := &fc.ra.ivs[m.dst]; iv.spill == -2 {
			// A rematerialized constant: name its symbol here, as loc
			// did when this asked loc (the objects number the constants
			// in the order of that first mention).
			fc.constMem(iv.bits)
		}
	}
	a := &fc.mc.a
	switch m.op {
	case mNop, mEntry:
	case mLandPad:
		// Reached by the unwinder, not from the block before.
		fc.clearForwarding()
	case mCopy:
		fc.emitCopy(m)
	case mImm:
		fc.emitImm(m)
	case mFConst:
		fc.emitFConst(m)
	case mAlu:
		fc.emitAlu(m)
	case mImul:
		fc.emitImul(m)
	case mShift:
		fc.emitShift(m)
	case mUnary:
		d := fc.dstReg(m.dst)
		fc.load(d, m.a)
		a.Unary(asm.UnaryOp(m.sub), asm.Size(m.sz), d)
		fc.storeDst(m.dst, d)
	case mDiv:
		fc.emitDiv(m)
	case mExt:
		fc.emitExt(m)
	case mSse:
		fc.emitSse(m)
	case mFNeg:
		d := fc.dstReg(m.dst)
		fc.load(d, m.a)
		a.SseRM(asm.Xorpd, d, asm.MSym(fc.mc.negMaskSym(m.sz == 4), 0))
		fc.storeDst(m.dst, d)
	case mFConv:
		d := fc.dstReg(m.dst)
		if s, sm, ok := fc.srcLoc(m.a); ok {
			a.SseRR(asm.SseOp(m.sub), d, s)
		} else {
			a.SseRM(asm.SseOp(m.sub), d, sm)
		}
		fc.storeDst(m.dst, d)
	case mCvtIF:
		fc.emitIntToFloat(m)
	case mCvtFI:
		fc.emitFloatToInt(m)
	case mMovqXR, mMovqRX:
		d := fc.dstReg(m.dst)
		fc.load(d, m.a)
		fc.storeDst(m.dst, d)
	case mLoad:
		fc.emitLoad(m)
	case mStore:
		fc.emitStore(m)
	case mLea:
		d := fc.dstReg(m.dst)
		a.Lea(d, fc.mem(&m.addr))
		fc.storeDst(m.dst, d)
	case mStoreArg:
		fc.emitStoreArg(m)
	case mAtomic:
		fc.emitAtomic(m)
	case mDynStack:
		fc.emitDynStack(m)
	case mAddTP:
		d := fc.dstReg(m.dst)
		fc.load(d, m.a)
		a.AddFS0(d)
		fc.storeDst(m.dst, d)
	case mCmpSet:
		d := fc.dstReg(m.dst)
		fc.intCompare(m)
		a.Setcc(asm.Cond(m.sub), d)
		a.MovzxB(d, d)
		fc.storeDst(m.dst, d)
	case mFCmpSet:
		fc.emitFCmpSet(m)
	case mSelect:
		fc.emitSelect(m)
	case mCall:
		ci := &fc.calls[m.imm]
		if ci.lpad != 0 {
			fc.emitInvokeCall(ci, m)
			break
		}
		if ci.isAsm {
			if len(ci.blob) > 0 {
				a.Raw(ci.blob)
			}
		} else if ci.sym >= 0 {
			a.CallSym(ci.sym)
		} else {
			a.CallR(fc.regOf(m.a, scratchGPR))
		}
	case mJmp:
		fc.emitJmp(m, next)
	case mBr:
		c := fc.regOf(m.a, scratchGPR)
		a.TestRI(1, c, 1)
		t, f, nx := fc.absorbEdge(m.t, m.f, next)
		fc.branch(asm.CondNE, 0, t, f, nx)
	case mCmpBr:
		fc.intCompare(m)
		t, f, nx := fc.absorbEdge(m.t, m.f, next)
		fc.branch(asm.Cond(m.sub), 0, t, f, nx)
	case mFCmpBr:
		info := fcmpTab[m.sub]
		if info.kind < 3 {
			fc.floatCompare(m, info.swap)
		}
		t, f, nx := fc.absorbEdge(m.t, m.f, next)
		fc.branch(info.cc, info.kind, t, f, nx)
	case mRet:
		fc.epilogue(last)
	case mUd2:
		a.Ud2()
	case mX87:
		fc.emitX87(m)
	}
	// With no register holding a slot's copy, forget could only start
	// one (a copy into a spilled value); every other case drops copies.
	if fc.em.fwd.mask != 0 || m.op == mCopy {
		fc.forget(m)
	}
}

// emitCopy moves m.a to m.dst, each in a register or a stack slot; a
// slot-to-slot copy goes through a scratch register.
func (fc *fnCompiler) emitCopy(m *minst) {
	a := &fc.mc.a
	dr, dok := fc.inReg(m.dst)
	var dm asm.Mem
	if !dok {
		dr, dm, dok = fc.locSlot(m.dst)
	}
	sr, sok := fc.inReg(m.a)
	var sm asm.Mem
	if !sok {
		sr, sm, sok = fc.srcSlot(m.a)
	}
	switch {
	case dok && sok:
		fc.move(dr, sr)
	case dok:
		fc.load(dr, m.a)
	case sok:
		if sr.IsXMM() {
			a.MovsdMR(dm, sr)
		} else {
			a.MovMR(8, dm, sr)
		}
	default:
		if dm != sm {
			if fc.class[m.dst] == classXMM {
				a.SseRM(asm.Movsd, scratchXMM, sm)
				a.MovsdMR(dm, scratchXMM)
			} else {
				a.MovRM(8, scratchGPR, sm)
				a.MovMR(8, dm, scratchGPR)
			}
		}
	}
}

// emitImm puts the integer constant m.imm in m.dst: xor for zero, and a
// 32-bit immediate stored straight into a stack slot.
func (fc *fnCompiler) emitImm(m *minst) {
	a := &fc.mc.a
	d, dm, ok := fc.loc(m.dst)
	switch {
	case ok && m.imm == 0:
		a.AluRR(asm.Xor, 4, d, d)
	case ok:
		a.MovRI(d, m.imm)
	case m.imm == int64(int32(m.imm)):
		a.MovMI(8, dm, int32(m.imm))
	default:
		a.MovRI(scratchGPR, m.imm)
		a.MovMR(8, dm, scratchGPR)
	}
}

// emitFConst puts the float constant with bits m.imm in m.dst (xorpd for
// +0, else from the constant pool), unless the register allocator
// rematerializes it at each use instead.
func (fc *fnCompiler) emitFConst(m *minst) {
	a := &fc.mc.a
	if fc.ra.ivs[m.dst].spill == -2 {
		return // rematerialized at each use
	}
	d := fc.dstReg(m.dst)
	if m.imm == 0 {
		a.SseRR(asm.Xorpd, d, d)
	} else {
		a.SseRM(asm.Movsd, d, fc.constMem(m.imm))
	}
	fc.storeDst(m.dst, d)
}

// emitAlu lowers a two-operand integer ALU operation; with an immediate
// operand, an add or sub into another register becomes one lea.
func (fc *fnCompiler) emitAlu(m *minst) {
	a := &fc.mc.a
	op := asm.ALUOp(m.sub)
	sz := asm.Size(m.sz)
	if m.flags&flBImm != 0 {
		d := fc.dstReg(m.dst)
		if ra, _, ok := fc.srcLoc(m.a); ok && ra != d && ra.IsGPR() && (op == asm.Add || op == asm.Sub && m.imm != math.MinInt32) {
			// mov+add becomes one lea (flags are never live here; the
			// bits above a 32-bit result are unspecified anyway).
			disp := int32(m.imm)
			if op == asm.Sub {
				disp = -disp
			}
			a.Lea(d, asm.M(ra, disp))
			fc.storeDst(m.dst, d)
			return
		}
		fc.load(d, m.a)
		a.AluRI(op, sz, d, int32(m.imm))
		fc.storeDst(m.dst, d)
		return
	}
	d, src, sm, sok := fc.twoAddr(m, op != asm.Sub)
	if sok {
		a.AluRR(op, sz, d, src)
	} else {
		a.AluRM(op, sz, d, sm)
	}
	fc.storeDst(m.dst, d)
}

// emitImul lowers an integer multiplication, by an immediate in the
// three-operand form.
func (fc *fnCompiler) emitImul(m *minst) {
	a := &fc.mc.a
	sz := asm.Size(m.sz)
	if m.flags&flBImm != 0 {
		d := fc.dstReg(m.dst)
		src := fc.regOf(m.a, d)
		a.ImulRRI(sz, d, src, int32(m.imm))
		fc.storeDst(m.dst, d)
		return
	}
	d, src, sm, sok := fc.twoAddr(m, true)
	if sok {
		a.ImulRR(sz, d, src)
	} else {
		a.ImulRM(sz, d, sm)
	}
	fc.storeDst(m.dst, d)
}

// emitShift shifts m.a by the immediate m.imm (nothing for 0) or by CL.
func (fc *fnCompiler) emitShift(m *minst) {
	a := &fc.mc.a
	d := fc.dstReg(m.dst)
	fc.load(d, m.a)
	if m.flags&flBImm != 0 {
		if m.imm != 0 {
			a.ShiftRI(asm.ShiftOp(m.sub), asm.Size(m.sz), d, uint8(m.imm))
		}
	} else {
		a.ShiftRCL(asm.ShiftOp(m.sub), asm.Size(m.sz), d)
	}
	fc.storeDst(m.dst, d)
}

// emitDiv divides RDX:RAX by m.b, signed (m.sub == 1, after cqo) or
// unsigned (RDX zeroed); a divisor in RAX or RDX is first moved to a
// scratch register.
func (fc *fnCompiler) emitDiv(m *minst) {
	a := &fc.mc.a
	b := fc.regOf(m.b, scratchGPR)
	if b == asm.RDX || b == asm.RAX {
		a.MovRR(8, scratchGPR, b)
		b = scratchGPR
	}
	switch m.sub {
	case 2: // mul: rdx:rax = rax * b (llvm.gorc.umulh)
		a.Unary(asm.Mul, asm.Size(m.sz), b)
	case 1:
		a.Cqo(asm.Size(m.sz))
		a.Unary(asm.Idiv, asm.Size(m.sz), b)
	default:
		a.AluRR(asm.Xor, 4, asm.RDX, asm.RDX)
		a.Unary(asm.Div, asm.Size(m.sz), b)
	}
}

// emitExt extends the m.sz-bit integer m.a to 64 bits in m.dst, signed
// when m.sub == 1 (an i1 then becomes 0 or -1).
func (fc *fnCompiler) emitExt(m *minst) {
	a := &fc.mc.a
	d := fc.dstReg(m.dst)
	s := fc.regOf(m.a, d)
	signed := m.sub == 1
	switch {
	case m.sz == 1:
		a.MovRR(4, d, s)
		a.AluRI(asm.And, 4, d, 1)
		if signed {
			a.Unary(asm.Neg, 8, d)
		}
	case m.sz <= 8 && signed:
		a.MovsxB(8, d, s)
	case m.sz <= 8:
		a.MovzxB(d, s)
	case m.sz <= 16:
		fc.move(d, s)
		if signed {
			a.ShiftRI(asm.Shl, 8, d, 48)
			a.ShiftRI(asm.Sar, 8, d, 48)
		} else {
			a.AluRI(asm.And, 4, d, 0xffff)
		}
	case m.sz <= 32 && signed:
		a.Movsxd(d, s)
	case m.sz <= 32:
		a.MovRR(4, d, s)
	default:
		fc.move(d, s)
	}
	fc.storeDst(m.dst, d)
}

// emitSse lowers a scalar SSE arithmetic operation, with the second
// operand from the constant pool when it is a constant.
func (fc *fnCompiler) emitSse(m *minst) {
	a := &fc.mc.a
	op := asm.SseOp(m.sub)
	if m.flags&flBConst != 0 {
		d := fc.dstReg(m.dst)
		fc.load(d, m.a)
		a.SseRM(op, d, fc.constMem(m.imm))
		fc.storeDst(m.dst, d)
		return
	}
	d, src, sm, sok := fc.twoAddr(m, op == asm.Addsd || op == asm.Mulsd || op == asm.Addss || op == asm.Mulss)
	if sok {
		a.SseRR(op, d, src)
	} else {
		a.SseRM(op, d, sm)
	}
	fc.storeDst(m.dst, d)
}

// emitIntToFloat converts the 64-bit integer m.a to a double (a float
// when m.sz == 4), as unsigned when m.sub == 1.
func (fc *fnCompiler) emitIntToFloat(m *minst) {
	a := &fc.mc.a
	d := fc.dstReg(m.dst)
	s := fc.regOf(m.a, scratchGPR)
	a.SseRR(asm.Xorpd, d, d)
	cvt, add := a.Cvtsi2sd, asm.Addsd
	if m.sz == 4 {
		cvt, add = a.Cvtsi2ss, asm.Addss
	}
	if m.sub == 1 {
		// Unsigned 64-bit: values with the top bit set are halved
		// (keeping the low bit for rounding), converted, doubled.
		big, done := a.NewLabel(), a.NewLabel()
		a.TestRR(8, s, s)
		a.Jcc(asm.CondS, big)
		cvt(8, d, s)
		a.Jmp(done)
		a.Bind(big)
		a.MovRR(8, scratchGPR2, s)
		a.AluRI(asm.And, 4, scratchGPR2, 1)
		a.MovRR(8, scratchGPR, s)
		a.ShiftRI(asm.Shr, 8, scratchGPR, 1)
		a.AluRR(asm.Or, 8, scratchGPR, scratchGPR2)
		cvt(8, d, scratchGPR)
		a.SseRR(add, d, d)
		a.Bind(done)
	} else {
		cvt(8, d, s)
	}
	fc.storeDst(m.dst, d)
}

// emitFloatToInt converts the double (float when m.sz == 4) m.a to a
// 64-bit integer, truncating, as unsigned when m.sub == 1.
func (fc *fnCompiler) emitFloatToInt(m *minst) {
	a := &fc.mc.a
	d := fc.dstReg(m.dst)
	if m.sz == 4 && m.sub != 1 {
		a.Cvttss2si(8, d, fc.regOf(m.a, scratchXMM))
	} else if m.sub == 1 {
		// Unsigned 64-bit: values >= 2^63 are reduced by 2^63 before
		// the signed conversion and get the top bit back after.
		two63 := fc.constMem(int64(math.Float64bits(1 << 63)))
		ucom, sub, cvt := asm.Ucomisd, asm.Subsd, a.Cvttsd2si
		if m.sz == 4 {
			two63 = fc.constMem(int64(math.Float32bits(1 << 63)))
			ucom, sub, cvt = asm.Ucomiss, asm.Subss, a.Cvttss2si
		}
		s := fc.regOf(m.a, scratchXMM)
		big, done := a.NewLabel(), a.NewLabel()
		a.SseRM(ucom, s, two63)
		a.Jcc(asm.CondAE, big)
		cvt(8, d, s)
		a.Jmp(done)
		a.Bind(big)
		fc.move(scratchXMM, s)
		a.SseRM(sub, scratchXMM, two63)
		cvt(8, d, scratchXMM)
		a.MovRI(scratchGPR2, math.MinInt64)
		a.AluRR(asm.Xor, 8, d, scratchGPR2)
		a.Bind(done)
	} else if s, sm, ok := fc.srcLoc(m.a); ok {
		a.Cvttsd2si(8, d, s)
	} else {
		a.Cvttsd2siM(8, d, sm)
	}
	fc.storeDst(m.dst, d)
}

// emitLoad loads m.sz bytes at m.addr into m.dst.
func (fc *fnCompiler) emitLoad(m *minst) {
	a := &fc.mc.a
	d := fc.dstReg(m.dst)
	mm := fc.mem(&m.addr)
	switch {
	case d.IsXMM() && m.sz == 4:
		a.SseRM(asm.Movss, d, mm)
	case d.IsXMM():
		a.SseRM(asm.Movsd, d, mm)
	default:
		a.MovRM(asm.Size(m.sz), d, mm)
	}
	fc.storeDst(m.dst, d)
}

// emitStore stores the low m.sz bytes of m.a at m.addr.
func (fc *fnCompiler) emitStore(m *minst) {
	a := &fc.mc.a
	var v asm.Reg
	if fc.class[m.a] == classXMM {
		v = fc.regOf(m.a, scratchXMM)
	} else {
		v = fc.regOf(m.a, scratchGPR)
	}
	mm := fc.mem(&m.addr)
	switch {
	case v.IsXMM() && m.sz == 4:
		a.MovssMR(mm, v)
	case v.IsXMM():
		a.MovsdMR(mm, v)
	default:
		a.MovMR(asm.Size(m.sz), mm, v)
	}
}

// emitStoreArg stores an outgoing call argument at [rsp+m.imm].
func (fc *fnCompiler) emitStoreArg(m *minst) {
	a := &fc.mc.a
	var v asm.Reg
	if fc.class[m.a] == classXMM {
		v = fc.regOf(m.a, scratchXMM)
		a.MovsdMR(asm.M(asm.RSP, int32(m.imm)), v)
	} else {
		v = fc.regOf(m.a, scratchGPR)
		sz := asm.Size(8)
		if m.sz == 1 || m.sz == 2 || m.sz == 4 {
			sz = asm.Size(m.sz) // a piece of a byval struct
		}
		a.MovMR(sz, asm.M(asm.RSP, int32(m.imm)), v)
	}
}

// emitFCmpSet sets m.dst to the 0/1 result of a float comparison: the
// constant predicates need no compare, and ordered-equal and
// unordered-or-not-equal combine the parity flag.
func (fc *fnCompiler) emitFCmpSet(m *minst) {
	a := &fc.mc.a
	d := fc.dstReg(m.dst)
	info := fcmpTab[m.sub]
	switch info.kind {
	case 3:
		a.AluRR(asm.Xor, 4, d, d)
	case 4:
		a.MovRI(d, 1)
	default:
		fc.floatCompare(m, info.swap)
		setFCmp(a, d, info)
	}
	fc.storeDst(m.dst, d)
}

// setFCmp sets d to 1 or 0 from the flags of a float compare (ucomisd,
// fucomip) by predicate info: oeq and une also test PF (unordered).
func setFCmp(a *asm.Assembler, d asm.Reg, info fcmpInfo) {
	switch info.kind {
	case 1:
		a.Setcc(asm.CondE, d)
		a.Setcc(asm.CondNP, scratchGPR2)
		a.AluRR(asm.And, 1, d, scratchGPR2)
	case 2:
		a.Setcc(asm.CondNE, d)
		a.Setcc(asm.CondP, scratchGPR2)
		a.AluRR(asm.Or, 1, d, scratchGPR2)
	default:
		a.Setcc(info.cc, d)
	}
	a.MovzxB(d, d)
}

// emitSelect sets m.dst to m.a if bit 0 of m.c is set, else to m.b:
// cmov for integers, a branch around the load for floats.
func (fc *fnCompiler) emitSelect(m *minst) {
	a := &fc.mc.a
	d := fc.dstReg(m.dst)
	fc.load(d, m.a)
	c := fc.regOf(m.c, scratchGPR2)
	a.TestRI(1, c, 1)
	if d.IsXMM() {
		skip := a.NewLabel()
		a.Jcc(asm.CondNE, skip)
		fc.load(d, m.b)
		a.Bind(skip)
	} else {
		b := fc.regOf(m.b, scratchGPR2)
		a.Cmovcc(asm.CondE, 8, d, b)
	}
	fc.storeDst(m.dst, d)
}

// emitJmp jumps to block m.t unless it is next (laid out right after);
// a small return block is copied here instead of jumped to.
func (fc *fnCompiler) emitJmp(m *minst, next int32) {
	if m.t == next {
		return
	}
	if tb := &fc.blocks[m.t]; fc.isSmallReturn(tb) {
		// Duplicate a short return block instead of jumping to it
		// (registers are assigned statically, so its code is valid
		// here too).
		for k := range tb.insts {
			fc.emitInst(&tb.insts[k], -1, false)
		}
		return
	}
	fc.mc.a.Jmp(fc.blocks[m.t].label)
}

// absorbEdge handles a conditional branch whose fall-through block is a
// critical-edge block of phi copies (typically a loop latch): when the
// copies write no register live into the other target, they are emitted
// between the compare and the jump (moves do not change the flags), the
// edge block is dropped, and the branch goes straight to its target, so
// a loop ends in "cmp; moves; jcc head" instead of "jcc out; moves; jmp
// head". It returns the branch targets and the new fall-through block.
func (fc *fnCompiler) absorbEdge(t, f, next int32) (int32, int32, int32) {
	em := &fc.em
	if next < 0 || (next != t && next != f) || t == f || int(next) < fc.nIR || em.absorbed[next] || em.pred[next] != em.curBlock {
		return t, f, next
	}
	other := f
	if next == f {
		other = t
	}
	b := &fc.blocks[next]
	n := len(b.insts)
	if n < 2 || b.insts[n-1].op != mJmp {
		return t, f, next
	}
	var dsts [numPhys]bool
	for k := range b.insts[:n-1] {
		m := &b.insts[k]
		switch {
		case m.op == mCopy, m.op == mFConst, m.op == mImm && m.imm != 0:
		default:
			return t, f, next
		}
		if m.dst < numPhys {
			return t, f, next
		}
		if r := fc.ra.ivs[m.dst].reg; r != asm.NoReg {
			if m.op == mCopy && m.a != noVReg && (m.a < numPhys && asm.Reg(m.a) == r || m.a >= numPhys && fc.ra.ivs[m.a].reg == r) {
				continue // a coalesced copy writes nothing
			}
			dsts[r] = true
		}
	}
	for k, word := range fc.ra.in(other) {
		for word != 0 {
			j := trailingZeros(word)
			word &= word - 1
			v := vreg(k*64 + j)
			if v >= numPhys {
				if r := fc.ra.ivs[v].reg; r != asm.NoReg && dsts[r] {
					return t, f, next
				}
			}
		}
	}
	for k := range b.insts[:n-1] {
		fc.emitInst(&b.insts[k], -1, false)
	}
	em.absorbed[next] = true
	em.endFwd[em.curBlock].copyFrom(&em.fwd)
	dest := b.insts[n-1].t
	nx := int32(-1)
	if li := em.curLi + 2; li < len(fc.layout) {
		nx = fc.layout[li]
	}
	if next == t {
		return dest, f, nx
	}
	return t, dest, nx
}

// isSmallReturn reports whether b is a few straight-line instructions
// ending in a return.
func (fc *fnCompiler) isSmallReturn(b *mblock) bool {
	n := len(b.insts)
	if n == 0 || n > 4 || b.insts[n-1].op != mRet {
		return false
	}
	for _, m := range b.insts[:n-1] {
		switch m.op {
		case mCopy, mImm, mFConst, mAlu, mSse:
		default:
			return false
		}
	}
	return true
}

func (fc *fnCompiler) intCompare(m *minst) {
	a := &fc.mc.a
	sz := asm.Size(m.sz)
	x := fc.regOf(m.a, scratchGPR)
	if m.flags&flBImm != 0 {
		a.AluRI(asm.Cmp, sz, x, int32(m.imm))
		return
	}
	if r, ok := fc.inReg(m.b); ok {
		a.AluRR(asm.Cmp, sz, x, r)
	} else if r, mm, ok := fc.srcSlot(m.b); ok {
		a.AluRR(asm.Cmp, sz, x, r)
	} else {
		a.AluRM(asm.Cmp, sz, x, mm)
	}
}

func (fc *fnCompiler) floatCompare(m *minst, swap bool) {
	a := &fc.mc.a
	ucom := asm.Ucomisd
	if m.sz == 4 {
		ucom = asm.Ucomiss
	}
	x, y := m.a, m.b
	if swap {
		x, y = y, x
	}
	if x == noVReg { // constant in a swapped compare (not produced by isel)
		a.SseRM(asm.Movsd, scratchXMM, fc.constMem(m.imm))
		a.SseRR(ucom, scratchXMM, fc.regOf(y, scratchXMM))
		return
	}
	xr := fc.regOf(x, scratchXMM)
	if y == noVReg {
		a.SseRM(ucom, xr, fc.constMem(m.imm))
		return
	}
	if r, ok := fc.inReg(y); ok {
		a.SseRR(ucom, xr, r)
	} else if r, mm, ok := fc.srcSlot(y); ok {
		a.SseRR(ucom, xr, r)
	} else {
		a.SseRM(ucom, xr, mm)
	}
}

// branch emits a conditional branch to t (else f) given flags, using fall
// through to next where possible. kind is as in fcmpInfo.
func (fc *fnCompiler) branch(cc asm.Cond, kind uint8, t, f, next int32) {
	a := &fc.mc.a
	lt, lf := fc.blocks[t].label, fc.blocks[f].label
	switch kind {
	case 0:
		switch {
		case t == next:
			a.Jcc(cc.Invert(), lf)
		case f == next:
			a.Jcc(cc, lt)
		default:
			a.Jcc(cc, lt)
			a.Jmp(lf)
		}
	case 1: // oeq: ZF=1 and PF=0
		a.Jcc(asm.CondNE, lf)
		a.Jcc(asm.CondP, lf)
		if t != next {
			a.Jmp(lt)
		}
	case 2: // une: ZF=0 or PF=1
		a.Jcc(asm.CondNE, lt)
		a.Jcc(asm.CondP, lt)
		if f != next {
			a.Jmp(lf)
		}
	case 3:
		if f != next {
			a.Jmp(lf)
		}
	case 4:
		if t != next {
			a.Jmp(lt)
		}
	}
}

func (fc *fnCompiler) epilogue(last bool) {
	a := &fc.mc.a
	em := &fc.em
	if !last {
		em.cfi = append(em.cfi, cfiEvent{pc: fc.pc(), kind: cfiRemember})
	}
	cfa := 8 + 8*int32(len(em.saved))
	if fc.dynStack {
		a.MovRR(8, asm.RSP, asm.RBP)
		em.cfi = append(em.cfi, cfiEvent{pc: fc.pc(), kind: cfiDefCFA, reg: asm.RSP, arg: cfa + em.frameSize})
	}
	if em.frameSize > 0 {
		a.AluRI(asm.Add, 8, asm.RSP, em.frameSize)
		if len(em.saved) > 0 || !last {
			em.cfi = append(em.cfi, cfiEvent{pc: fc.pc(), kind: cfiOffset, arg: cfa})
		}
	}
	for i := len(em.saved) - 1; i >= 0; i-- {
		a.Pop(em.saved[i])
		cfa -= 8
		em.cfi = append(em.cfi, cfiEvent{pc: fc.pc(), kind: cfiOffset, arg: cfa})
	}
	a.Ret()
	if !last {
		em.cfi = append(em.cfi, cfiEvent{pc: fc.pc(), kind: cfiRestore})
	}
}

// frameReg is the register the frame (spill slots, frame objects,
// incoming stack arguments) is addressed from: rsp, or rbp in a function
// that moves rsp (dynStack), which the prologue sets to rsp once the
// frame is allocated.
func (fc *fnCompiler) frameReg() asm.Reg {
	if fc.dynStack {
		return asm.RBP
	}
	return asm.RSP
}

// emitDynStack emits mDynStack: a variable-size allocation moves rsp
// down by the size rounded up to 16 plus 16, and the object starts past
// the outgoing-argument area (rounded up to 16), which stays at rsp; a
// save reads rsp; a restore sets it.
func (fc *fnCompiler) emitDynStack(m *minst) {
	a := &fc.mc.a
	switch m.sub {
	case 0:
		n := fc.regOf(m.a, scratchGPR)
		a.Lea(scratchGPR, asm.M(n, 31))
		a.AluRI(asm.And, 8, scratchGPR, -16)
		a.AluRR(asm.Sub, 8, asm.RSP, scratchGPR)
		d := fc.dstReg(m.dst)
		a.Lea(d, asm.M(asm.RSP, int32((fc.outArgs+15)&^15)))
		fc.storeDst(m.dst, d)
	case 1:
		d := fc.dstReg(m.dst)
		a.MovRR(8, d, asm.RSP)
		fc.storeDst(m.dst, d)
	case 2:
		a.MovRR(8, asm.RSP, fc.regOf(m.a, scratchGPR))
	}
}
