package asm

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gasCase pairs an encoder call with the same instruction in GNU as Intel
// syntax.
type gasCase struct {
	text string
	emit func(a *Assembler)
}

func memText(m Mem) string {
	if m.Base == RIP {
		return fmt.Sprintf("[rip + sym%d + %d]", m.Sym, m.Disp)
	}
	var parts []string
	if m.Base != NoReg {
		parts = append(parts, m.Base.String())
	}
	if m.Index != NoReg {
		parts = append(parts, fmt.Sprintf("%s*%d", m.Index, max(m.Scale, 1)))
	}
	s := strings.Join(parts, " + ")
	if m.Disp != 0 || s == "" {
		s += fmt.Sprintf(" + %d", m.Disp)
	}
	return "[" + s + "]"
}

var ptr = map[Size]string{1: "byte ptr", 2: "word ptr", 4: "dword ptr", 8: "qword ptr"}

func gasCases() []gasCase {
	var cs []gasCase
	add := func(text string, f func(a *Assembler)) { cs = append(cs, gasCase{text, f}) }
	sample := []Reg{RAX, RCX, RSP, RBP, RSI, RDI, R8, R12, R13, R15}
	ms := []Mem{M(RAX, 0), M(RSP, 0), M(RBP, 0), M(R12, 8), M(R13, 0), M(R13, -200), M(RSP, 1000),
		MI(RAX, RCX, 8, 16), MI(RBP, R12, 4, 0), MI(R13, R14, 2, -8), MI(RSP, RBP, 1, 0), MSym(0, 0)}
	for _, d := range sample {
		for _, s := range sample {
			d, s := d, s
			for _, sz := range []Size{1, 4, 8} {
				sz := sz
				add(fmt.Sprintf("mov %s, %s", d.Name(sz), s.Name(sz)), func(a *Assembler) { a.MovRR(sz, d, s) })
				for op := ALUOp(0); op < 8; op++ {
					op := op
					add(fmt.Sprintf("%s %s, %s", op, d.Name(sz), s.Name(sz)), func(a *Assembler) { a.AluRR(op, sz, d, s) })
				}
				add(fmt.Sprintf("test %s, %s", d.Name(sz), s.Name(sz)), func(a *Assembler) { a.TestRR(sz, d, s) })
			}
			add(fmt.Sprintf("imul %s, %s", d, s), func(a *Assembler) { a.ImulRR(8, d, s) })
			add(fmt.Sprintf("imul %s, %s, 1000", d, s), func(a *Assembler) { a.ImulRRI(8, d, s, 1000) })
			add(fmt.Sprintf("movzx %s, %s", d.Name(4), s.Name(1)), func(a *Assembler) { a.MovzxB(d, s) })
			add(fmt.Sprintf("movsxd %s, %s", d, s.Name(4)), func(a *Assembler) { a.Movsxd(d, s) })
			add(fmt.Sprintf("cmovne %s, %s", d, s), func(a *Assembler) { a.Cmovcc(CondNE, 8, d, s) })
		}
		for _, imm := range []int32{1, -5, 100, 1000, -100000} {
			d, imm := d, imm
			add(fmt.Sprintf("add %s, %d", d, imm), func(a *Assembler) { a.AluRI(Add, 8, d, imm) })
			add(fmt.Sprintf("cmp %s, %d", d.Name(4), imm), func(a *Assembler) { a.AluRI(Cmp, 4, d, imm) })
			add(fmt.Sprintf("and %s, %d", d.Name(1), int8(imm)), func(a *Assembler) { a.AluRI(And, 1, d, int32(int8(imm))) })
			add(fmt.Sprintf("test %s, %d", d, imm), func(a *Assembler) { a.TestRI(8, d, imm) })
		}
		for _, imm := range []int64{0, 42, 0xffffffff, -1, -100000, 0x123456789} {
			d, imm := d, imm
			text := fmt.Sprintf("mov %s, %d", d.Name(4), imm)
			switch {
			case imm < 0:
				text = fmt.Sprintf("mov %s, %d", d, imm)
			case imm > 0xffffffff:
				text = fmt.Sprintf("movabs %s, %d", d, imm)
			}
			add(text, func(a *Assembler) { a.MovRI(d, imm) })
		}
		d := d
		for _, sh := range []struct {
			op   ShiftOp
			name string
		}{{Shl, "shl"}, {Shr, "shr"}, {Sar, "sar"}} {
			sh := sh
			add(fmt.Sprintf("%s %s, 1", sh.name, d), func(a *Assembler) { a.ShiftRI(sh.op, 8, d, 1) })
			add(fmt.Sprintf("%s %s, 7", sh.name, d.Name(4)), func(a *Assembler) { a.ShiftRI(sh.op, 4, d, 7) })
			add(fmt.Sprintf("%s %s, cl", sh.name, d), func(a *Assembler) { a.ShiftRCL(sh.op, 8, d) })
		}
		add("neg "+d.String(), func(a *Assembler) { a.Unary(Neg, 8, d) })
		add("idiv "+d.String(), func(a *Assembler) { a.Unary(Idiv, 8, d) })
		add("push "+d.String(), func(a *Assembler) { a.Push(d) })
		add("pop "+d.String(), func(a *Assembler) { a.Pop(d) })
		add("call "+d.String(), func(a *Assembler) { a.CallR(d) })
		for cc := Cond(0); cc < 16; cc++ {
			cc := cc
			add(fmt.Sprintf("set%s %s", cc, d.Name(1)), func(a *Assembler) { a.Setcc(cc, d) })
		}
		for _, m := range ms {
			m := m
			for _, sz := range []Size{1, 4, 8} {
				sz := sz
				add(fmt.Sprintf("mov %s, %s %s", d.Name(sz), ptr[sz], memText(m)), func(a *Assembler) { a.MovRM(sz, d, m) })
				add(fmt.Sprintf("mov %s %s, %s", ptr[sz], memText(m), d.Name(sz)), func(a *Assembler) { a.MovMR(sz, m, d) })
			}
			add(fmt.Sprintf("lea %s, %s", d, memText(m)), func(a *Assembler) { a.Lea(d, m) })
			add(fmt.Sprintf("sub %s, qword ptr %s", d, memText(m)), func(a *Assembler) { a.AluRM(Sub, 8, d, m) })
		}
	}
	for _, m := range ms {
		m := m
		add(fmt.Sprintf("mov dword ptr %s, 77", memText(m)), func(a *Assembler) { a.MovMI(4, m, 77) })
		add(fmt.Sprintf("cmp qword ptr %s, 3", memText(m)), func(a *Assembler) { a.AluMI(Cmp, 8, m, 3) })
		add(fmt.Sprintf("call qword ptr %s", memText(m)), func(a *Assembler) { a.CallM(m) })
	}
	xs := []Reg{X0, X1, X7, X8, X9, X15}
	for _, op := range []SseOp{Movsd, Addsd, Subsd, Mulsd, Divsd, Sqrtsd, Minsd, Maxsd, Ucomisd, Comisd, Xorpd, Andpd, Orpd, Andnpd, Movapd,
		Movss, Addss, Subss, Mulss, Divss, Sqrtss, Ucomiss, Cvtss2sd, Cvtsd2ss, Xorps} {
		op := op
		for _, d := range xs {
			for _, s := range xs {
				d, s := d, s
				add(fmt.Sprintf("%s %s, %s", op, d, s), func(a *Assembler) { a.SseRR(op, d, s) })
			}
			d := d
			for _, m := range ms {
				m := m
				p := "qword ptr"
				switch op {
				case Xorpd, Andpd, Orpd, Andnpd, Movapd, Xorps:
					p = "xmmword ptr"
				case Movss, Addss, Subss, Mulss, Divss, Sqrtss, Ucomiss, Cvtss2sd:
					p = "dword ptr"
				}
				add(fmt.Sprintf("%s %s, %s %s", op, d, p, memText(m)), func(a *Assembler) { a.SseRM(op, d, m) })
			}
		}
	}
	for _, x := range xs {
		for _, g := range sample {
			x, g := x, g
			add(fmt.Sprintf("movq %s, %s", x, g), func(a *Assembler) { a.MovqXR(x, g) })
			add(fmt.Sprintf("movq %s, %s", g, x), func(a *Assembler) { a.MovqRX(g, x) })
			add(fmt.Sprintf("cvtsi2sd %s, %s", x, g), func(a *Assembler) { a.Cvtsi2sd(8, x, g) })
			add(fmt.Sprintf("cvtsi2sd %s, %s", x, g.Name(4)), func(a *Assembler) { a.Cvtsi2sd(4, x, g) })
			add(fmt.Sprintf("cvttsd2si %s, %s", g, x), func(a *Assembler) { a.Cvttsd2si(8, g, x) })
			add(fmt.Sprintf("cvtsi2ss %s, %s", x, g), func(a *Assembler) { a.Cvtsi2ss(8, x, g) })
			add(fmt.Sprintf("cvttss2si %s, %s", g.Name(4), x), func(a *Assembler) { a.Cvttss2si(4, g, x) })
		}
		x := x
		for _, m := range ms {
			m := m
			add(fmt.Sprintf("movsd qword ptr %s, %s", memText(m), x), func(a *Assembler) { a.MovsdMR(m, x) })
			add(fmt.Sprintf("movss dword ptr %s, %s", memText(m), x), func(a *Assembler) { a.MovssMR(m, x) })
		}
	}
	add("ret", func(a *Assembler) { a.Ret() })
	add("cqo", func(a *Assembler) { a.Cqo(8) })
	add("call sym0", func(a *Assembler) { a.CallSym(0) })
	add("mfence", func(a *Assembler) { a.Mfence() })
	for _, r := range sample {
		r := r
		add(fmt.Sprintf("add %s, qword ptr fs:0", r), func(a *Assembler) { a.AddFS0(r) })
	}
	for _, r := range []Reg{RAX, RCX, RSI, RDI, R8, R11, R15} {
		for _, m := range ms {
			for _, sz := range []Size{1, 2, 4, 8} {
				r, m, sz := r, m, sz
				add(fmt.Sprintf("xchg %s %s, %s", ptr[sz], memText(m), r.Name(sz)), func(a *Assembler) { a.Xchg(sz, m, r) })
				add(fmt.Sprintf("lock xadd %s %s, %s", ptr[sz], memText(m), r.Name(sz)), func(a *Assembler) { a.LockXadd(sz, m, r) })
				add(fmt.Sprintf("lock cmpxchg %s %s, %s", ptr[sz], memText(m), r.Name(sz)), func(a *Assembler) { a.LockCmpxchg(sz, m, r) })
			}
		}
	}
	return cs
}

// TestAgainstGNUAs assembles the sample with GNU as and compares the bytes
// of every instruction.
func TestAgainstGNUAs(t *testing.T) {
	asPath, err := exec.LookPath("as")
	if err != nil {
		t.Fatal("GNU as (binutils) is required for this test but was not found in PATH; install binutils (bash scripts/deps.sh)")
	}
	objcopy, err := exec.LookPath("objcopy")
	if err != nil {
		t.Fatal("objcopy (binutils) is required for this test but was not found in PATH")
	}
	cs := gasCases()
	var src strings.Builder
	src.WriteString(".intel_syntax noprefix\n.text\n")
	var mine Assembler
	ends := make([]int, len(cs))
	for i, c := range cs {
		src.WriteString(c.text)
		src.WriteByte('\n')
		c.emit(&mine)
		ends[i] = mine.Len()
	}
	if err := mine.Finish(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := filepath.Join(dir, "t.s")
	o := filepath.Join(dir, "t.o")
	bin := filepath.Join(dir, "t.bin")
	if err := os.WriteFile(s, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(asPath, "--64", "-o", o, s).CombinedOutput(); err != nil {
		t.Fatalf("as: %v\n%s", err, out)
	}
	if out, err := exec.Command(objcopy, "-O", "binary", "--only-section=.text", o, bin).CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v\n%s", err, out)
	}
	theirs, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(theirs, mine.Buf) {
		t.Logf("%d instructions, %d bytes identical to GNU as", len(cs), len(theirs))
		return
	}
	start := 0
	for i, c := range cs {
		end := ends[i]
		if end > len(theirs) || !bytes.Equal(theirs[start:end], mine.Buf[start:end]) {
			t.Fatalf("instruction %d %q: mine % x, as % x", i, c.text, mine.Buf[start:end], theirs[start:min(end+2, len(theirs))])
		}
		start = end
	}
	t.Fatalf("lengths differ: mine %d, as %d", len(mine.Buf), len(theirs))
}
