package asm

// The x87 floating-point unit, for x86_fp80 (C's long double): loads and
// stores of the 80-bit, double, float and int64 formats, the popping
// arithmetic on ST(0) and ST(1), compare into EFLAGS, and what a
// remainder loop needs. Register operands are stack positions ST(i),
// i < 8. The encodings follow the Intel SDM (Intel syntax operand order:
// FSUBP ST(i), ST(0) computes ST(i) - ST(0)); x87_test.go checks them
// against llvm-mc-19.

// X87MemOp is an x87 instruction with a memory operand.
type X87MemOp uint8

// The x87 memory forms (opcode byte and ModRM /digit).
const (
	Fld80    X87MemOp = iota // fld tbyte ptr [m]
	Fstp80                   // fstp tbyte ptr [m]
	Fld64                    // fld qword ptr [m] (a double)
	Fstp64                   // fstp qword ptr [m]
	Fld32                    // fld dword ptr [m] (a float)
	Fstp32                   // fstp dword ptr [m]
	Fild64                   // fild qword ptr [m]
	Fisttp64                 // fisttp qword ptr [m] (truncating, SSE3)
	Fnstsw                   // fnstsw word ptr [m]
	Fadd32                   // fadd dword ptr [m]
	Fmul32                   // fmul dword ptr [m]
)

var x87MemEnc = [...]struct {
	op, digit byte
	name      string
}{
	Fld80:    {0xdb, 5, "fld tbyte ptr"},
	Fstp80:   {0xdb, 7, "fstp tbyte ptr"},
	Fld64:    {0xdd, 0, "fld qword ptr"},
	Fstp64:   {0xdd, 3, "fstp qword ptr"},
	Fld32:    {0xd9, 0, "fld dword ptr"},
	Fstp32:   {0xd9, 3, "fstp dword ptr"},
	Fild64:   {0xdf, 5, "fild qword ptr"},
	Fisttp64: {0xdd, 1, "fisttp qword ptr"},
	Fnstsw:   {0xdd, 7, "fnstsw word ptr"},
	Fadd32:   {0xd8, 0, "fadd dword ptr"},
	Fmul32:   {0xd8, 1, "fmul dword ptr"},
}

func (o X87MemOp) String() string {
	if int(o) < len(x87MemEnc) {
		return x87MemEnc[o].name
	}
	return "x87?"
}

// X87M emits the x87 instruction op with memory operand m.
func (a *Assembler) X87M(op X87MemOp, m Mem) {
	if int(op) >= len(x87MemEnc) {
		a.fail("%w: x87 operation %d", ErrBadOperand, op)
		return
	}
	e := x87MemEnc[op]
	a.rm(0, false, op1(e.op), Reg(e.digit), m, 0, false)
}

// X87StOp is an x87 instruction on stack registers.
type X87StOp uint8

// The x87 register forms: the popping arithmetic "op ST(i), ST(0)"
// (ST(i) = ST(i) op ST(0), then pop), FUCOMIP ST(0), ST(i), FSTP ST(i),
// FLD ST(i), FXCH ST(i), and the operand-less FCHS, FPREM.
const (
	Faddp   X87StOp = iota // faddp st(i), st
	Fsubp                  // fsubp st(i), st: st(i) - st(0)
	Fmulp                  // fmulp st(i), st
	Fdivp                  // fdivp st(i), st: st(i) / st(0)
	Fucomip                // fucomip st, st(i): EFLAGS as ucomisd st(0), st(i)
	FstpST                 // fstp st(i)
	FldST                  // fld st(i)
	Fxch                   // fxch st(i)
	Fchs                   // fchs (no operand)
	Fprem                  // fprem (no operand): st(0) = st(0) rem st(1), truncating
)

var x87StEnc = [...]struct {
	op, base byte
}{
	Faddp:   {0xde, 0xc0},
	Fsubp:   {0xde, 0xe8},
	Fmulp:   {0xde, 0xc8},
	Fdivp:   {0xde, 0xf8},
	Fucomip: {0xdf, 0xe8},
	FstpST:  {0xdd, 0xd8},
	FldST:   {0xd9, 0xc0},
	Fxch:    {0xd9, 0xc8},
	Fchs:    {0xd9, 0xe0},
	Fprem:   {0xd9, 0xf8},
}

// X87 emits the x87 register instruction op on ST(i) (i ignored by
// Fchs and Fprem).
func (a *Assembler) X87(op X87StOp, i uint8) {
	if int(op) >= len(x87StEnc) || i > 7 {
		a.fail("%w: x87 operation %d on st(%d)", ErrBadOperand, op, i)
		return
	}
	e := x87StEnc[op]
	if op == Fchs || op == Fprem {
		i = 0
	}
	a.Insts++
	a.b(e.op, e.base+i)
}

// TestMI8 emits test byte ptr [m], imm.
func (a *Assembler) TestMI8(m Mem, imm uint8) {
	a.rm(0, false, op1(0xf6), 0, m, 1, false)
	a.b(imm)
}
