package asm

import (
	"fmt"
	"reflect"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// Independent-decoder tests: every form the encoder offers is encoded over
// all registers (and a set of memory operands covering the ModRM/SIB
// special cases) and decoded with x86asm; opcode, operands, length and
// relocation positions must match.

var gprs = []Reg{RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15}
var xmms = []Reg{X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11, X12, X13, X14, X15}

func xr(r Reg, sz Size) x86asm.Reg {
	if r.IsXMM() {
		return x86asm.X0 + x86asm.Reg(r-X0)
	}
	switch sz {
	case 1:
		if r < 4 {
			return x86asm.AL + x86asm.Reg(r)
		}
		return x86asm.AL + x86asm.Reg(r) + 4
	case 2:
		return x86asm.AX + x86asm.Reg(r)
	case 4:
		return x86asm.EAX + x86asm.Reg(r)
	}
	return x86asm.RAX + x86asm.Reg(r)
}

func xm(m Mem) x86asm.Mem {
	var out x86asm.Mem
	switch m.Base {
	case RIP:
		out.Base = x86asm.RIP
	case NoReg:
	default:
		out.Base = xr(m.Base, 8)
	}
	if m.Index != NoReg {
		out.Index = xr(m.Index, 8)
		out.Scale = m.Scale
		if out.Scale == 0 {
			out.Scale = 1
		}
	}
	if m.Base != RIP {
		out.Disp = int64(m.Disp)
	}
	return out
}

// mems is a set of memory operands covering the encoding special cases:
// every base with no, 8-bit and 32-bit displacement (rsp/r12 need a SIB,
// rbp/r13 need a displacement), every index and scale, RIP-relative.
func mems() []Mem {
	var ms []Mem
	for _, b := range gprs {
		for _, d := range []int32{0, 8, -128, 127, 128, -129, 0x12345678} {
			ms = append(ms, M(b, d))
		}
	}
	for _, i := range gprs {
		if i == RSP {
			continue
		}
		for _, b := range []Reg{RAX, RSP, RBP, R12, R13, R15} {
			for _, s := range []uint8{1, 2, 4, 8} {
				ms = append(ms, MI(b, i, s, 0), MI(b, i, s, 100))
			}
		}
		ms = append(ms, MI(NoReg, i, 8, 0x1000))
	}
	ms = append(ms, MSym(3, 0), MSym(3, 16))
	return ms
}

type enc struct {
	name string
	emit func(a *Assembler)
	op   x86asm.Op
	args []x86asm.Arg
	imm  int // immediate bytes after a RIP-relative displacement
}

func checkEnc(t *testing.T, e enc) {
	t.Helper()
	var a Assembler
	e.emit(&a)
	if err := a.Finish(); err != nil {
		t.Errorf("%s: %v", e.name, err)
		return
	}
	inst, err := x86asm.Decode(a.Buf, 64)
	if err != nil {
		t.Errorf("%s: % x: decode: %v", e.name, a.Buf, err)
		return
	}
	var got []x86asm.Arg
	for _, g := range inst.Args {
		if g == nil {
			break
		}
		if m, ok := g.(x86asm.Mem); ok {
			if m.Index == 0 {
				m.Scale = 0
			}
			// x86asm reports a disp32 zero-extended; normalize.
			m.Disp = int64(int32(m.Disp))
			g = m
		}
		got = append(got, g)
	}
	if inst.Len != len(a.Buf) || inst.Op != e.op || !reflect.DeepEqual(got, e.args) {
		t.Errorf("%s: % x decodes as %v %v (len %d of %d), want %v %v", e.name, a.Buf, inst.Op, got, inst.Len, len(a.Buf), e.op, e.args)
		return
	}
	for _, g := range e.args {
		if m, ok := g.(x86asm.Mem); ok && m.Base == x86asm.RIP {
			if len(a.Relocs) != 1 {
				t.Errorf("%s: %d relocations, want 1", e.name, len(a.Relocs))
				return
			}
			r := a.Relocs[0]
			if r.Offset != len(a.Buf)-4-e.imm {
				t.Errorf("%s: relocation at %d addend %d, instruction length %d imm %d", e.name, r.Offset, r.Addend, len(a.Buf), e.imm)
			}
		}
	}
}

var sizes = []Size{1, 2, 4, 8}

func TestIntegerRR(t *testing.T) {
	for _, sz := range sizes {
		for _, d := range gprs {
			for _, s := range gprs {
				d, s, sz := d, s, sz
				checkEnc(t, enc{fmt.Sprintf("mov%d %s,%s", sz, d, s), func(a *Assembler) { a.MovRR(sz, d, s) }, x86asm.MOV, []x86asm.Arg{xr(d, sz), xr(s, sz)}, 0})
				for op, xop := range []x86asm.Op{x86asm.ADD, x86asm.OR, x86asm.ADC, x86asm.SBB, x86asm.AND, x86asm.SUB, x86asm.XOR, x86asm.CMP} {
					op := ALUOp(op)
					checkEnc(t, enc{fmt.Sprintf("%s%d %s,%s", op, sz, d, s), func(a *Assembler) { a.AluRR(op, sz, d, s) }, xop, []x86asm.Arg{xr(d, sz), xr(s, sz)}, 0})
				}
				checkEnc(t, enc{fmt.Sprintf("test%d %s,%s", sz, d, s), func(a *Assembler) { a.TestRR(sz, d, s) }, x86asm.TEST, []x86asm.Arg{xr(d, sz), xr(s, sz)}, 0})
				if sz != 1 {
					checkEnc(t, enc{fmt.Sprintf("imul%d %s,%s", sz, d, s), func(a *Assembler) { a.ImulRR(sz, d, s) }, x86asm.IMUL, []x86asm.Arg{xr(d, sz), xr(s, sz)}, 0})
					for _, imm := range []int32{3, -100, 1000, -70000} {
						checkEnc(t, enc{fmt.Sprintf("imul%d %s,%s,%d", sz, d, s, imm), func(a *Assembler) { a.ImulRRI(sz, d, s, imm) }, x86asm.IMUL, []x86asm.Arg{xr(d, sz), xr(s, sz), immArg(sz, imm)}, 0})
					}
					for cc := Cond(0); cc < 16; cc++ {
						checkEnc(t, enc{fmt.Sprintf("cmov%s%d %s,%s", cc, sz, d, s), func(a *Assembler) { a.Cmovcc(cc, sz, d, s) }, x86asm.CMOVO + x86asm.Op(cmovOrder[cc]), []x86asm.Arg{xr(d, sz), xr(s, sz)}, 0})
					}
				}
			}
		}
	}
	for _, d := range gprs {
		for _, s := range gprs {
			d, s := d, s
			checkEnc(t, enc{"movzx " + d.String() + "," + s.String(), func(a *Assembler) { a.MovzxB(d, s) }, x86asm.MOVZX, []x86asm.Arg{xr(d, 4), xr(s, 1)}, 0})
			checkEnc(t, enc{"movsx " + d.String() + "," + s.String(), func(a *Assembler) { a.MovsxB(8, d, s) }, x86asm.MOVSX, []x86asm.Arg{xr(d, 8), xr(s, 1)}, 0})
			checkEnc(t, enc{"movsxd " + d.String() + "," + s.String(), func(a *Assembler) { a.Movsxd(d, s) }, x86asm.MOVSXD, []x86asm.Arg{xr(d, 8), xr(s, 4)}, 0})
		}
	}
}

// cmovOrder maps a condition code to its offset from CMOVO in x86asm's Op
// enumeration (which is alphabetical).
var cmovOrder [16]int

func init() {
	names := map[x86asm.Op]Cond{}
	for cc := Cond(0); cc < 16; cc++ {
		names[condOp("CMOV", cc)] = cc
	}
	for op, cc := range names {
		cmovOrder[cc] = int(op - x86asm.CMOVO)
	}
}

// condOp finds the x86asm Op named prefix+CC by its String form.
func condOp(prefix string, cc Cond) x86asm.Op {
	want := prefix + map[Cond]string{CondO: "O", CondNO: "NO", CondB: "B", CondAE: "AE", CondE: "E", CondNE: "NE", CondBE: "BE", CondA: "A", CondS: "S", CondNS: "NS", CondP: "P", CondNP: "NP", CondL: "L", CondGE: "GE", CondLE: "LE", CondG: "G"}[cc]
	for op := x86asm.Op(1); op < 2000; op++ {
		if op.String() == want {
			return op
		}
	}
	panic("no op " + want)
}

func immArg(sz Size, v int32) x86asm.Imm {
	switch sz {
	case 1:
		return x86asm.Imm(uint8(v))
	case 2:
		return x86asm.Imm(int16(v))
	}
	return x86asm.Imm(v)
}

func TestIntegerRI(t *testing.T) {
	for _, sz := range sizes {
		for _, d := range gprs {
			for _, imm := range []int32{0, 1, 5, -1, 127, -128, 128, 1000, -70000, 0x7fffffff} {
				d, sz, imm := d, sz, imm
				if sz == 1 && (imm > 127 || imm < -128) {
					continue
				}
				if sz == 2 && (imm > 32767 || imm < -32768) {
					continue
				}
				for op, xop := range []x86asm.Op{x86asm.ADD, x86asm.OR, x86asm.ADC, x86asm.SBB, x86asm.AND, x86asm.SUB, x86asm.XOR, x86asm.CMP} {
					op := ALUOp(op)
					checkEnc(t, enc{fmt.Sprintf("%s%d %s,%d", op, sz, d, imm), func(a *Assembler) { a.AluRI(op, sz, d, imm) }, xop, []x86asm.Arg{xr(d, sz), immArg(sz, imm)}, 0})
				}
				checkEnc(t, enc{fmt.Sprintf("test%d %s,%d", sz, d, imm), func(a *Assembler) { a.TestRI(sz, d, imm) }, x86asm.TEST, []x86asm.Arg{xr(d, sz), immArg(sz, imm)}, 0})
			}
			for _, op := range []struct {
				op  ShiftOp
				xop x86asm.Op
			}{{Shl, x86asm.SHL}, {Shr, x86asm.SHR}, {Sar, x86asm.SAR}, {Rol, x86asm.ROL}, {Ror, x86asm.ROR}} {
				for _, n := range []uint8{1, 3, 31} {
					op, n := op, n
					checkEnc(t, enc{fmt.Sprintf("%v%d %s,%d", op.xop, sz, d, n), func(a *Assembler) { a.ShiftRI(op.op, sz, d, n) }, op.xop, []x86asm.Arg{xr(d, sz), x86asm.Imm(n)}, 0})
				}
				checkEnc(t, enc{fmt.Sprintf("%v%d %s,cl", op.xop, sz, d), func(a *Assembler) { a.ShiftRCL(op.op, sz, d) }, op.xop, []x86asm.Arg{xr(d, sz), x86asm.CL}, 0})
			}
			for _, u := range []struct {
				op  UnaryOp
				xop x86asm.Op
			}{{Not, x86asm.NOT}, {Neg, x86asm.NEG}, {Mul, x86asm.MUL}, {Div, x86asm.DIV}, {Idiv, x86asm.IDIV}} {
				u := u
				checkEnc(t, enc{fmt.Sprintf("%v%d %s", u.xop, sz, d), func(a *Assembler) { a.Unary(u.op, sz, d) }, u.xop, []x86asm.Arg{xr(d, sz)}, 0})
			}
		}
	}
	for _, d := range gprs {
		for _, imm := range []int64{0, 1, 0x7fffffff, 0xffffffff, -1, -0x80000000, 0x100000000, -0x80000001, 0x123456789abcdef0} {
			d, imm := d, imm
			var args []x86asm.Arg
			switch {
			case imm >= 0 && imm <= 0xffffffff:
				args = []x86asm.Arg{xr(d, 4), x86asm.Imm(int32(uint32(imm)))}
			default:
				args = []x86asm.Arg{xr(d, 8), x86asm.Imm(imm)}
			}
			checkEnc(t, enc{fmt.Sprintf("movri %s,%#x", d, imm), func(a *Assembler) { a.MovRI(d, imm) }, x86asm.MOV, args, 0})
		}
		for cc := Cond(0); cc < 16; cc++ {
			d, cc := d, cc
			checkEnc(t, enc{fmt.Sprintf("set%s %s", cc, d), func(a *Assembler) { a.Setcc(cc, d) }, condOp("SET", cc), []x86asm.Arg{xr(d, 1)}, 0})
		}
		checkEnc(t, enc{"push " + d.String(), func(a *Assembler) { a.Push(d) }, x86asm.PUSH, []x86asm.Arg{xr(d, 8)}, 0})
		checkEnc(t, enc{"pop " + d.String(), func(a *Assembler) { a.Pop(d) }, x86asm.POP, []x86asm.Arg{xr(d, 8)}, 0})
		checkEnc(t, enc{"call " + d.String(), func(a *Assembler) { a.CallR(d) }, x86asm.CALL, []x86asm.Arg{xr(d, 8)}, 0})
		checkEnc(t, enc{"jmp " + d.String(), func(a *Assembler) { a.JmpR(d) }, x86asm.JMP, []x86asm.Arg{xr(d, 8)}, 0})
	}
	checkEnc(t, enc{"ret", func(a *Assembler) { a.Ret() }, x86asm.RET, nil, 0})
	checkEnc(t, enc{"cqo", func(a *Assembler) { a.Cqo(8) }, x86asm.CQO, nil, 0})
	checkEnc(t, enc{"cdq", func(a *Assembler) { a.Cqo(4) }, x86asm.CDQ, nil, 0})
	checkEnc(t, enc{"int3", func(a *Assembler) { a.Int3() }, x86asm.INT, []x86asm.Arg{x86asm.Imm(3)}, 0})
	checkEnc(t, enc{"ud2", func(a *Assembler) { a.Ud2() }, x86asm.UD2, nil, 0})
}

func TestIntegerMem(t *testing.T) {
	ms := mems()
	for _, m := range ms {
		m := m
		xmem := xm(m)
		for _, sz := range sizes {
			sz := sz
			for _, r := range []Reg{RAX, RSP, RSI, R8, R12, R13, R15} {
				r := r
				checkEnc(t, enc{fmt.Sprintf("load%d %s,%v", sz, r, m), func(a *Assembler) { a.MovRM(sz, r, m) }, x86asm.MOV, []x86asm.Arg{xr(r, sz), xmem}, 0})
				checkEnc(t, enc{fmt.Sprintf("store%d %v,%s", sz, m, r), func(a *Assembler) { a.MovMR(sz, m, r) }, x86asm.MOV, []x86asm.Arg{xmem, xr(r, sz)}, 0})
				checkEnc(t, enc{fmt.Sprintf("add%d %s,%v", sz, r, m), func(a *Assembler) { a.AluRM(Add, sz, r, m) }, x86asm.ADD, []x86asm.Arg{xr(r, sz), xmem}, 0})
				checkEnc(t, enc{fmt.Sprintf("cmp%d %v,%s", sz, m, r), func(a *Assembler) { a.AluMR(Cmp, sz, m, r) }, x86asm.CMP, []x86asm.Arg{xmem, xr(r, sz)}, 0})
				if sz != 1 {
					checkEnc(t, enc{fmt.Sprintf("imul%d %s,%v", sz, r, m), func(a *Assembler) { a.ImulRM(sz, r, m) }, x86asm.IMUL, []x86asm.Arg{xr(r, sz), xmem}, 0})
				}
			}
			for _, imm := range []int32{7, -300} {
				imm := imm
				n := map[Size]int{1: 1, 2: 2, 4: 4, 8: 4}[sz]
				checkEnc(t, enc{fmt.Sprintf("movmi%d %v,%d", sz, m, imm), func(a *Assembler) { a.MovMI(sz, m, imm) }, x86asm.MOV, []x86asm.Arg{xmem, immArg(sz, imm)}, n})
				if imm >= -128 && imm <= 127 {
					n = 1
				}
				checkEnc(t, enc{fmt.Sprintf("submi%d %v,%d", sz, m, imm), func(a *Assembler) { a.AluMI(Sub, sz, m, imm) }, x86asm.SUB, []x86asm.Arg{xmem, immArg(sz, imm)}, n})
			}
		}
		for _, r := range gprs {
			r := r
			checkEnc(t, enc{fmt.Sprintf("lea %s,%v", r, m), func(a *Assembler) { a.Lea(r, m) }, x86asm.LEA, []x86asm.Arg{xr(r, 8), xmem}, 0})
		}
		checkEnc(t, enc{fmt.Sprintf("call %v", m), func(a *Assembler) { a.CallM(m) }, x86asm.CALL, []x86asm.Arg{xmem}, 0})
	}
}

func TestSSE(t *testing.T) {
	ops := []struct {
		op  SseOp
		xop x86asm.Op
	}{
		{Movsd, x86asm.MOVSD_XMM}, {Addsd, x86asm.ADDSD}, {Subsd, x86asm.SUBSD}, {Mulsd, x86asm.MULSD},
		{Divsd, x86asm.DIVSD}, {Sqrtsd, x86asm.SQRTSD}, {Minsd, x86asm.MINSD}, {Maxsd, x86asm.MAXSD},
		{Ucomisd, x86asm.UCOMISD}, {Comisd, x86asm.COMISD}, {Xorpd, x86asm.XORPD}, {Andpd, x86asm.ANDPD},
		{Orpd, x86asm.ORPD}, {Andnpd, x86asm.ANDNPD}, {Movapd, x86asm.MOVAPD}, {Unpcklpd, x86asm.UNPCKLPD},
		{Movss, x86asm.MOVSS}, {Addss, x86asm.ADDSS}, {Subss, x86asm.SUBSS}, {Mulss, x86asm.MULSS},
		{Divss, x86asm.DIVSS}, {Sqrtss, x86asm.SQRTSS}, {Ucomiss, x86asm.UCOMISS}, {Cvtss2sd, x86asm.CVTSS2SD},
		{Cvtsd2ss, x86asm.CVTSD2SS}, {Xorps, x86asm.XORPS},
	}
	for _, o := range ops {
		o := o
		for _, d := range xmms {
			for _, s := range xmms {
				d, s := d, s
				checkEnc(t, enc{fmt.Sprintf("%s %s,%s", o.op, d, s), func(a *Assembler) { a.SseRR(o.op, d, s) }, o.xop, []x86asm.Arg{xr(d, 8), xr(s, 8)}, 0})
			}
		}
		for _, m := range mems() {
			m := m
			for _, d := range []Reg{X0, X7, X8, X15} {
				d := d
				checkEnc(t, enc{fmt.Sprintf("%s %s,%v", o.op, d, m), func(a *Assembler) { a.SseRM(o.op, d, m) }, o.xop, []x86asm.Arg{xr(d, 8), xm(m)}, 0})
			}
		}
	}
	for _, x := range xmms {
		for _, g := range gprs {
			x, g := x, g
			checkEnc(t, enc{"movq " + x.String() + "," + g.String(), func(a *Assembler) { a.MovqXR(x, g) }, x86asm.MOVQ, []x86asm.Arg{xr(x, 8), xr(g, 8)}, 0})
			checkEnc(t, enc{"movq " + g.String() + "," + x.String(), func(a *Assembler) { a.MovqRX(g, x) }, x86asm.MOVQ, []x86asm.Arg{xr(g, 8), xr(x, 8)}, 0})
			for _, sz := range []Size{4, 8} {
				sz := sz
				checkEnc(t, enc{fmt.Sprintf("cvtsi2ss%d %s,%s", sz, x, g), func(a *Assembler) { a.Cvtsi2ss(sz, x, g) }, x86asm.CVTSI2SS, []x86asm.Arg{xr(x, 8), xr(g, sz)}, 0})
				checkEnc(t, enc{fmt.Sprintf("cvttss2si%d %s,%s", sz, g, x), func(a *Assembler) { a.Cvttss2si(sz, g, x) }, x86asm.CVTTSS2SI, []x86asm.Arg{xr(g, sz), xr(x, 8)}, 0})
				checkEnc(t, enc{fmt.Sprintf("cvtsi2sd%d %s,%s", sz, x, g), func(a *Assembler) { a.Cvtsi2sd(sz, x, g) }, x86asm.CVTSI2SD, []x86asm.Arg{xr(x, 8), xr(g, sz)}, 0})
				checkEnc(t, enc{fmt.Sprintf("cvttsd2si%d %s,%s", sz, g, x), func(a *Assembler) { a.Cvttsd2si(sz, g, x) }, x86asm.CVTTSD2SI, []x86asm.Arg{xr(g, sz), xr(x, 8)}, 0})
			}
		}
		for _, m := range mems() {
			x, m := x, m
			checkEnc(t, enc{fmt.Sprintf("movsd %v,%s", m, x), func(a *Assembler) { a.MovsdMR(m, x) }, x86asm.MOVSD_XMM, []x86asm.Arg{xm(m), xr(x, 8)}, 0})
			checkEnc(t, enc{fmt.Sprintf("movss %v,%s", m, x), func(a *Assembler) { a.MovssMR(m, x) }, x86asm.MOVSS, []x86asm.Arg{xm(m), xr(x, 8)}, 0})
			if x == X3 || x == X12 {
				checkEnc(t, enc{fmt.Sprintf("cvtsi2sd %s,%v", x, m), func(a *Assembler) { a.Cvtsi2sdM(8, x, m) }, x86asm.CVTSI2SD, []x86asm.Arg{xr(x, 8), xm(m)}, 0})
				checkEnc(t, enc{fmt.Sprintf("cvttsd2si r9,%v", m), func(a *Assembler) { a.Cvttsd2siM(8, R9, m) }, x86asm.CVTTSD2SI, []x86asm.Arg{xr(R9, 8), xm(m)}, 0})
			}
		}
	}
}

func TestBranches(t *testing.T) {
	// Forward branches use rel32 and are patched by Finish; backward
	// branches use rel8 when in range.
	for cc := Cond(0); cc < 16; cc++ {
		var a Assembler
		back := a.NewLabel()
		fwd := a.NewLabel()
		a.Bind(back)
		a.Nop(10)
		a.Jcc(cc, back) // short, rel -12
		a.Jcc(cc, fwd)  // long
		a.Nop(200)
		a.Jmp(fwd) // long forward
		a.Bind(fwd)
		a.Nop(3)
		a.Jmp(back) // long backward
		if err := a.Finish(); err != nil {
			t.Fatal(err)
		}
		pc := 10
		want := []struct {
			op  x86asm.Op
			rel x86asm.Rel
			n   int
		}{
			{condOp("J", cc), -12, 2},
			{condOp("J", cc), x86asm.Rel(200 + 5), 6},
			{x86asm.JMP, 0, 5},
		}
		for _, w := range want {
			inst, err := x86asm.Decode(a.Buf[pc:], 64)
			if err != nil || inst.Op != w.op || inst.Args[0] != w.rel || inst.Len != w.n {
				t.Fatalf("cc %s at %d: % x: %v %v, want %v %v", cc, pc, a.Buf[pc:pc+6], inst, err, w.op, w.rel)
			}
			pc += inst.Len
			if inst.Len == 6 {
				pc += 200
			}
		}
		pc += 3
		inst, err := x86asm.Decode(a.Buf[pc:], 64)
		if err != nil || inst.Op != x86asm.JMP || int(inst.Args[0].(x86asm.Rel)) != -(pc+5) {
			t.Fatalf("backward long jmp: %v %v", inst, err)
		}
	}
	// Calls to symbols carry PLT32 relocations.
	var a Assembler
	a.Nop(3)
	a.CallSym(42)
	a.JmpSym(43)
	if len(a.Relocs) != 2 || a.Relocs[0] != (Reloc{Offset: 4, Kind: RelPLT32, Sym: 42, Addend: -4}) || a.Relocs[1].Offset != 9 {
		t.Fatalf("call relocations %+v", a.Relocs)
	}
	for i, want := range []x86asm.Op{x86asm.NOP, x86asm.CALL, x86asm.JMP} {
		inst, err := x86asm.Decode(a.Buf[[]int{0, 3, 8}[i]:], 64)
		if err != nil || inst.Op != want {
			t.Fatalf("%d: %v %v", i, inst, err)
		}
	}
}

func TestNops(t *testing.T) {
	for n := 1; n <= 20; n++ {
		var a Assembler
		a.Nop(n)
		if len(a.Buf) != n {
			t.Fatalf("Nop(%d) emitted %d bytes", n, len(a.Buf))
		}
		for pc := 0; pc < n; {
			inst, err := x86asm.Decode(a.Buf[pc:], 64)
			if err != nil || inst.Op != x86asm.NOP && inst.Op != x86asm.XCHG {
				t.Fatalf("Nop(%d) at %d: % x: %v %v", n, pc, a.Buf, inst, err)
			}
			pc += inst.Len
		}
	}
}

func TestRIPAddend(t *testing.T) {
	// The addend must account for immediates after the displacement.
	var a Assembler
	a.MovMI(4, MSym(1, 8), 99)
	if r := a.Relocs[0]; r.Offset != 2 || r.Addend != 8-8 {
		t.Errorf("movmi rip: %+v", r)
	}
	a.Reset()
	a.AluMI(Cmp, 8, MSym(1, 0), 5)
	if r := a.Relocs[0]; r.Offset != 3 || r.Addend != -5 || len(a.Buf) != 8 {
		t.Errorf("cmp rip imm8: %+v len %d", r, len(a.Buf))
	}
	a.Reset()
	a.SseRM(Movsd, X9, Mem{Base: RIP, Index: NoReg, Sym: 7, SymKind: RelPC32})
	if r := a.Relocs[0]; r.Offset != 5 || r.Addend != -4 || r.Sym != 7 || len(a.Buf) != 9 {
		t.Errorf("movsd rip: %+v len %d", r, len(a.Buf))
	}
}

func TestBadOperands(t *testing.T) {
	cases := []struct {
		name string
		emit func(a *Assembler)
	}{
		{"xmm in mov", func(a *Assembler) { a.MovRR(8, X1, RAX) }},
		{"gpr in addsd", func(a *Assembler) { a.SseRR(Addsd, RAX, X1) }},
		{"rsp index", func(a *Assembler) { a.MovRM(8, RAX, MI(RAX, RSP, 1, 0)) }},
		{"bad scale", func(a *Assembler) { a.MovRM(8, RAX, MI(RAX, RCX, 3, 0)) }},
		{"xmm base", func(a *Assembler) { a.MovRM(8, RAX, M(X3, 0)) }},
		{"rip with index", func(a *Assembler) { a.Lea(RAX, Mem{Base: RIP, Index: RCX, Scale: 1}) }},
		{"bad size", func(a *Assembler) { a.AluRR(Add, 3, RAX, RCX) }},
		{"bad alu op", func(a *Assembler) { a.AluRR(9, 8, RAX, RCX) }},
		{"bad sse op", func(a *Assembler) { a.SseRR(99, X0, X1) }},
		{"bad shift", func(a *Assembler) { a.ShiftRI(2, 8, RAX, 1) }},
		{"bad unary", func(a *Assembler) { a.Unary(0, 8, RAX) }},
		{"bad cond", func(a *Assembler) { a.Setcc(16, RAX) }},
		{"imul byte", func(a *Assembler) { a.ImulRR(1, RAX, RCX) }},
		{"cvt size", func(a *Assembler) { a.Cvtsi2sd(2, X0, RAX) }},
		{"unbound label", func(a *Assembler) { l := a.NewLabel(); a.Jmp(l) }},
		{"unknown label", func(a *Assembler) { a.Jmp(Label(5)) }},
		{"double bind", func(a *Assembler) { l := a.NewLabel(); a.Bind(l); a.Bind(l) }},
		{"push xmm", func(a *Assembler) { a.Push(X0) }},
		{"noreg", func(a *Assembler) { a.Push(NoReg) }},
	}
	for _, c := range cases {
		var a Assembler
		c.emit(&a)
		if err := a.Finish(); err == nil {
			t.Errorf("%s: no error (emitted % x)", c.name, a.Buf)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	var a Assembler
	b.ReportAllocs()
	n := 0
	for i := 0; i < b.N; i++ {
		a.Reset()
		l := a.NewLabel()
		a.Bind(l)
		for j := 0; j < 100; j++ {
			a.MovRR(8, RAX, R12)
			a.AluRI(Add, 8, RSP, 24)
			a.MovRM(8, R13, M(RSP, 16))
			a.SseRR(Addsd, X1, X9)
			a.SseRM(Mulsd, X2, MSym(1, 0))
			a.MovsdMR(M(RBP, -8), X3)
			a.AluRR(Cmp, 8, RCX, RDX)
			a.Jcc(CondNE, l)
			a.CallSym(2)
			a.Cvtsi2sd(8, X4, RAX)
		}
		n += 1000
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "insts/s")
}

// TestRelax emits forward branches of different distances, relaxes them
// and checks that the re-emitted code uses rel8 where it reaches and
// still branches to the right places.
func TestRelax(t *testing.T) {
	var a Assembler
	a.Nop(5) // code of an earlier function stays untouched
	emit := func() (targets []Label, sites []int) {
		for _, gap := range []int{0, 100, 120, 130, 200, 3} {
			l := a.NewLabel()
			sites = append(sites, a.Len())
			a.Jcc(CondNE, l)
			a.Nop(gap)
			a.Bind(l)
			targets = append(targets, l)
		}
		return
	}
	m := a.Mark()
	emit()
	short := a.Relax(nil)
	want := []bool{true, true, true, false, false, true}
	if fmt.Sprint(short) != fmt.Sprint(want) {
		t.Fatalf("Relax = %v, want %v", short, want)
	}
	a.Rewind(m)
	if a.Len() != 5 {
		t.Fatalf("Rewind left %d bytes", a.Len())
	}
	a.ShortFwd = short
	targets, sites := emit()
	if err := a.Finish(); err != nil {
		t.Fatal(err)
	}
	for i, pc := range sites {
		inst, err := x86asm.Decode(a.Buf[pc:], 64)
		if err != nil || inst.Op != x86asm.JNE {
			t.Fatalf("site %d: %v %v", i, inst, err)
		}
		if (inst.Len == 2) != want[i] {
			t.Errorf("site %d: length %d, short %v", i, inst.Len, want[i])
		}
		if got := pc + inst.Len + int(inst.Args[0].(x86asm.Rel)); got != a.LabelOffset(targets[i]) {
			t.Errorf("site %d: branches to %d, label at %d", i, got, a.LabelOffset(targets[i]))
		}
	}
}
