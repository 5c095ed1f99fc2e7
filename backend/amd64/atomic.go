package amd64

import (
	"github.com/gorc-jit/gorc/backend/amd64/asm"
	"github.com/gorc-jit/gorc/ir"
)

// Atomics on x86-64, as LLVM lowers them: every aligned load and store is
// atomic and the memory model is TSO, so atomic loads of any ordering and
// stores weaker than seq_cst are plain moves; a seq_cst store is an xchg
// (which is locked without the prefix: it orders the store before later
// loads, as mfence would); atomicrmw xchg is xchg, add and sub are lock
// xadd (sub of the negated value), and the other operations are a
// lock cmpxchg loop through rax; cmpxchg is lock cmpxchg with the
// expected value in rax; a seq_cst fence is mfence, weaker fences emit
// nothing (the optimizer keeps every atomic instruction in its place, as
// it keeps calls).

// atomicSize is the access size of an atomic operation on values of t.
func atomicSize(t *ir.Type) uint8 { return accessSize(t) }

// gprBits returns a general register holding the bits of v (of type t):
// v itself, or for a float its bits moved out of the xmm register.
func (fc *fnCompiler) gprBits(v vreg, t *ir.Type) vreg {
	if !t.IsFloat() {
		return v
	}
	g := fc.newVReg(classGPR)
	fc.emit(fc.inst(mMovqRX, g, v, noVReg))
	return g
}

// setFromGPR sets dst (of type t) to the bits in general register g.
func (fc *fnCompiler) setFromGPR(dst, g vreg, t *ir.Type) {
	if t.IsFloat() {
		fc.emit(fc.inst(mMovqXR, dst, g, noVReg))
	} else {
		fc.mov(dst, g)
	}
}

// selectAtomicRMW lowers atomicrmw: the old value is the result.
func (fc *fnCompiler) selectAtomicRMW(in *ir.Instr, dst vreg) {
	t := in.Typ
	addr := fc.addrOf(in.Ops[0])
	val := fc.use(in.Ops[1])
	sz := atomicSize(t)
	switch rmw := in.RMW(); rmw {
	case ir.RMWXchg, ir.RMWAdd, ir.RMWSub:
		v := fc.gprBits(val, t)
		if rmw == ir.RMWSub {
			n := fc.newVReg(classGPR)
			m := fc.inst(mUnary, n, v, noVReg)
			m.sub, m.sz = uint8(asm.Neg), opSize(t)
			fc.emit(m)
			v = n
		}
		d := dst
		if t.IsFloat() {
			d = fc.newVReg(classGPR)
		}
		sub := atomXadd
		if rmw == ir.RMWXchg {
			sub = atomXchg
		}
		fc.emit(minst{op: mAtomic, sub: sub, sz: sz, dst: d, a: v, b: noVReg, c: noVReg, addr: addr})
		if t.IsFloat() {
			fc.setFromGPR(dst, d, t)
		}
	default:
		fc.emit(minst{op: mAtomic, sub: atomLoop, sz: sz, dst: noVReg, a: val, b: noVReg, c: noVReg, imm: int64(rmw), addr: addr})
		fc.setFromGPR(dst, vreg(asm.RAX), t)
	}
}

// selectCmpXchg lowers cmpxchg: the old value to in.ID, success to
// in.ID+1 (the vregs of its two fields, which extractvalue reads).
func (fc *fnCompiler) selectCmpXchg(in *ir.Instr) {
	t := in.Ops[1].Type()
	addr := fc.addrOf(in.Ops[0])
	cmp, nv := fc.use(in.Ops[1]), fc.use(in.Ops[2])
	fc.mov(vreg(asm.RAX), cmp)
	fc.emit(minst{op: mAtomic, sub: atomCmpxchg, sz: intSize(t), dst: vreg(in.ID + 1), a: noVReg, b: nv, c: noVReg, addr: addr})
	fc.mov(vreg(in.ID), vreg(asm.RAX))
}

// selectAtomicStore lowers a seq_cst store: xchg, the old value unused.
func (fc *fnCompiler) selectAtomicStore(in *ir.Instr) {
	t := in.Ops[0].Type()
	v := fc.gprBits(fc.use(in.Ops[0]), t)
	addr := fc.addrOf(in.Ops[1])
	fc.emit(minst{op: mAtomic, sub: atomXchg, sz: atomicSize(t), dst: fc.newVReg(classGPR), a: v, b: noVReg, c: noVReg, addr: addr})
}

// emitAtomic emits an mAtomic.
func (fc *fnCompiler) emitAtomic(m *minst) {
	a := &fc.mc.a
	sz := asm.Size(m.sz)
	switch m.sub {
	case atomFence:
		a.Mfence()
	case atomXchg, atomXadd:
		d := fc.dstReg(m.dst)
		fc.load(d, m.a)
		mm := fc.mem(&m.addr)
		if m.sub == atomXchg {
			a.Xchg(sz, mm, d)
		} else {
			a.LockXadd(sz, mm, d)
		}
		fc.storeDst(m.dst, d)
	case atomCmpxchg:
		mm := fc.mem(&m.addr)
		nv := fc.regOf(m.b, scratchGPR)
		a.LockCmpxchg(sz, mm, nv)
		d := fc.dstReg(m.dst)
		a.Setcc(asm.CondE, d)
		a.MovzxB(d, d)
		fc.storeDst(m.dst, d)
	case atomLoop:
		mm := fc.mem(&m.addr)
		v, vm, vok := fc.srcLoc(m.a)
		t := scratchGPR
		a.MovRM(sz, asm.RAX, mm)
		again := a.NewLabel()
		a.Bind(again)
		a.MovRR(8, t, asm.RAX)
		alu := func(op asm.ALUOp) {
			if vok {
				a.AluRR(op, sz, t, v)
			} else {
				a.AluRM(op, sz, t, vm)
			}
		}
		switch rmw := ir.RMWOp(m.imm); rmw {
		case ir.RMWAnd:
			alu(asm.And)
		case ir.RMWOr:
			alu(asm.Or)
		case ir.RMWXor:
			alu(asm.Xor)
		case ir.RMWNand:
			alu(asm.And)
			a.Unary(asm.Not, sz, t)
		case ir.RMWMax, ir.RMWMin, ir.RMWUMax, ir.RMWUMin:
			keep := map[ir.RMWOp]asm.Cond{ir.RMWMax: asm.CondGE, ir.RMWMin: asm.CondLE, ir.RMWUMax: asm.CondAE, ir.RMWUMin: asm.CondBE}[rmw]
			alu(asm.Cmp)
			skip := a.NewLabel()
			a.Jcc(keep, skip)
			if vok {
				a.MovRR(8, t, v)
			} else {
				a.MovRM(sz, t, vm)
			}
			a.Bind(skip)
		case ir.RMWFAdd, ir.RMWFSub:
			x := scratchXMM
			a.MovqXR(x, asm.RAX)
			op := map[bool]asm.SseOp{true: asm.Addsd, false: asm.Subsd}[rmw == ir.RMWFAdd]
			if sz == 4 {
				op = map[bool]asm.SseOp{true: asm.Addss, false: asm.Subss}[rmw == ir.RMWFAdd]
			}
			if vok {
				a.SseRR(op, x, v)
			} else {
				a.SseRM(op, x, vm)
			}
			a.MovqRX(t, x)
		}
		a.LockCmpxchg(sz, mm, t)
		a.Jcc(asm.CondNE, again)
	}
}

// tlsAddr returns the address of the running thread's copy of
// thread-local global g, by the initial-exec model: its offset from the
// thread pointer read from a GOT entry (R_X86_64_GOTTPOFF, which the JIT
// linker relaxes to an immediate when the TLS block is static, as the
// executors make it), plus fs:0.
func (fc *fnCompiler) tlsAddr(g *ir.Global) maddr {
	sym, _ := fc.mc.symbolFor(g)
	off := fc.newVReg(classGPR)
	fc.emit(minst{op: mLoad, sz: 8, dst: off, a: noVReg, b: noVReg, c: noVReg, addr: maddr{kind: addrSym, slot: sym, rk: asm.RelGOTTPOFF}})
	r := fc.newVReg(classGPR)
	fc.emit(fc.inst(mAddTP, r, off, noVReg))
	return maddr{kind: addrBase, base: r}
}
