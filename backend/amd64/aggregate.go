package amd64

import (
	"fmt"
	"strings"

	"github.com/gorc-jit/gorc/backend/amd64/asm"
	"github.com/gorc-jit/gorc/ir"
)

// Structs returned in registers and variadic function definitions.
//
// The parser splits every aggregate value into scalars (ir/aggregate.go)
// but two: a function returning a struct returns one operand per field
// (OpRet), and a call of one has the struct type, its fields read by
// OpExtractValue. The fields go in registers in order, as LLVM returns a
// first-class struct on x86-64 (and as clang's coerced types for the
// psABI's INTEGER and SSE classes expect): integer and pointer fields in
// RAX then RDX, floating-point fields in XMM0 then XMM1. clang never
// returns more than two eightbytes in registers; a struct needing more
// registers is refused (LLVM would return it through a hidden pointer).
//
// A variadic function that calls llvm.va_start saves the six integer and
// eight xmm argument registers into a register save area in its frame on
// entry (the psABI's layout: RDI..R9 at 0..40, XMM0..7 at 48..160, 16
// bytes apart); llvm.va_start fills the va_list (gp_offset, fp_offset,
// overflow_arg_area, reg_save_area) so that clang's inline va_arg code
// walks the registers, then the stack arguments. The xmm registers are
// saved whatever AL says (AL = 0 only promises that none carries an
// argument; storing them is harmless).

// vaSaveSize is the size of the register save area: 6 eightbytes and 8
// sixteen-byte xmm slots.
const vaSaveSize = 6*8 + 8*16

var (
	retGPRs = [...]asm.Reg{asm.RAX, asm.RDX}
	retXMMs = [...]asm.Reg{asm.X0, asm.X1}
)

// retRegsOK reports whether values of type t can be returned in
// registers (anything but a struct, or a struct of at most two integer
// or pointer and two floating-point fields).
func retRegsOK(t *ir.Type) error {
	if t.Kind != ir.StructKind || isComplexX87(t) {
		return nil
	}
	ngp, nxmm := 0, 0
	for _, f := range t.Fields {
		c, ok := classOf(f)
		if !ok {
			return fmt.Errorf("returning a struct with a field of type %v is not supported", f)
		}
		if c == classXMM {
			nxmm++
		} else {
			ngp++
		}
	}
	if ngp > len(retGPRs) || nxmm > len(retXMMs) {
		return fmt.Errorf("returning %v in registers is not supported (at most %d integer and %d floating-point fields)", t, len(retGPRs), len(retXMMs))
	}
	return nil
}

// structRetRegs returns the register of each field of struct type t
// (checked by retRegsOK).
func structRetRegs(t *ir.Type) []asm.Reg {
	regs := make([]asm.Reg, len(t.Fields))
	ngp, nxmm := 0, 0
	for i, f := range t.Fields {
		if c, _ := classOf(f); c == classXMM {
			regs[i] = retXMMs[nxmm]
			nxmm++
		} else {
			regs[i] = retGPRs[ngp]
			ngp++
		}
	}
	return regs
}

// isComplexX87 reports whether t is { x86_fp80, x86_fp80 } (a long
// double _Complex), which the psABI returns in ST0 (real part) and ST1
// (imaginary part): its COMPLEX_X87 class.
func isComplexX87(t *ir.Type) bool {
	return t.Kind == ir.StructKind && len(t.Fields) == 2 && t.Fields[0] == ir.F80 && t.Fields[1] == ir.F80
}

// selectRetStruct returns the fields of a struct, one operand each, in
// their registers.
func (fc *fnCompiler) selectRetStruct(in *ir.Instr) {
	t := fc.f.Sig.Ret
	if len(in.Ops) != len(t.Fields) {
		fc.failf(in, "ret of %d values from a function returning %v", len(in.Ops), t)
		return
	}
	if isComplexX87(t) {
		if in.Ops[0] == nil || in.Ops[1] == nil {
			fc.failf(in, "ret has a nil operand")
			return
		}
		// The imaginary part pushed first: it ends in ST1.
		fc.x87Load(in.Ops[1])
		fc.x87Load(in.Ops[0])
		fc.emit(fc.inst(mRet, noVReg, noVReg, noVReg))
		return
	}
	vals := make([]vreg, len(in.Ops))
	for i, o := range in.Ops {
		if o == nil {
			fc.failf(in, "ret has a nil operand")
			return
		}
		vals[i] = fc.use(o)
	}
	var mask uint64
	for i, r := range structRetRegs(t) {
		fc.mov(vreg(r), vals[i])
		mask |= 1 << r
	}
	m := fc.inst(mRet, noVReg, noVReg, noVReg)
	m.imm = int64(mask)
	fc.emit(m)
}

// isVAStart reports whether f is the llvm.va_start intrinsic.
func isVAStart(f *ir.Function) bool {
	return f.Name == "llvm.va_start" || strings.HasPrefix(f.Name, "llvm.va_start.")
}

// callsVAStart reports whether f calls llvm.va_start.
func callsVAStart(f *ir.Function) bool {
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			if in.Op == ir.OpCall && len(in.Ops) > 0 {
				if c, ok := in.Ops[0].(*ir.Function); ok && isVAStart(c) {
					return true
				}
			}
		}
	}
	return false
}

// saveArgRegs stores the argument registers into the register save area
// (right after the entry, while they hold the incoming arguments).
func (fc *fnCompiler) saveArgRegs() {
	for i, r := range gpArgRegs {
		v := fc.newVReg(classGPR)
		fc.mov(v, vreg(r))
		fc.emit(minst{op: mStore, sz: 8, dst: noVReg, a: v, b: noVReg, c: noVReg, addr: maddr{kind: addrFrame, slot: fc.vaSave, disp: int32(8 * i)}})
	}
	for i, r := range xmmArgRegs {
		v := fc.newVReg(classXMM)
		fc.mov(v, vreg(r))
		fc.emit(minst{op: mStore, sz: 8, dst: noVReg, a: v, b: noVReg, c: noVReg, addr: maddr{kind: addrFrame, slot: fc.vaSave, disp: int32(48 + 16*i)}})
	}
}

// selectVAStart fills the va_list at the call's operand: gp_offset and
// fp_offset past the fixed parameters' registers, overflow_arg_area at
// the first stack argument after the fixed ones, reg_save_area.
func (fc *fnCompiler) selectVAStart(in *ir.Instr) {
	if fc.vaSave < 0 || len(in.Ops) != 2 || in.Ops[1] == nil || !in.Ops[1].Type().IsPtr() {
		fc.failf(in, "llvm.va_start outside a variadic function or with a bad operand")
		return
	}
	base := fc.addrOf(in.Ops[1])
	field := func(disp int32) maddr {
		a := base
		a.disp += disp
		return a
	}
	imm := func(v int64) vreg {
		r := fc.newVReg(classGPR)
		fc.emit(minst{op: mImm, dst: r, a: noVReg, b: noVReg, c: noVReg, imm: v})
		return r
	}
	lea := func(a maddr) vreg {
		r := fc.newVReg(classGPR)
		fc.emit(minst{op: mLea, dst: r, a: noVReg, b: noVReg, c: noVReg, addr: a})
		return r
	}
	store := func(sz uint8, v vreg, disp int32) {
		fc.emit(minst{op: mStore, sz: sz, dst: noVReg, a: v, b: noVReg, c: noVReg, addr: field(disp)})
	}
	store(4, imm(int64(8*fc.vaGP)), 0)
	store(4, imm(int64(48+16*fc.vaXMM)), 4)
	store(8, lea(maddr{kind: addrInArg, slot: int32(fc.inArgs)}), 8)
	store(8, lea(maddr{kind: addrFrame, slot: fc.vaSave}), 16)
}

// copyByVal copies the struct of type t at address p to the outgoing
// stack arguments at offset stack (a byval argument: the psABI's MEMORY
// class), returning the offset after it.
func (fc *fnCompiler) copyByVal(in *ir.Instr, p vreg, t *ir.Type, stack int64) int64 {
	size, err := t.CheckSize()
	if err != nil || t.Align() > 16 || size > 1<<20 {
		fc.failf(in, "byval(%v) argument is not supported", t)
		return stack
	}
	if t.Align() == 16 {
		stack = (stack + 15) &^ 15 // a struct holding a long double
	}
	for off := int64(0); off < size; {
		n := int64(8)
		for n > size-off {
			n /= 2
		}
		v := fc.newVReg(classGPR)
		fc.emit(minst{op: mLoad, sz: uint8(n), dst: v, a: noVReg, b: noVReg, c: noVReg, addr: maddr{kind: addrBase, base: p, disp: int32(off)}})
		fc.emit(minst{op: mStoreArg, sz: uint8(n), dst: noVReg, a: v, b: noVReg, c: noVReg, imm: stack + off})
		off += n
	}
	return stack + (size+7)/8*8
}
