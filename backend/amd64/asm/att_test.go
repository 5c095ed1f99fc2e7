package asm

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// attCases lists AT&T instructions ATT assembles, over registers that
// need REX, SIB and displacement forms, every size and every family.
func attCases() []string {
	var cs []string
	regs := map[Size][]string{
		1: {"%al", "%cl", "%sil", "%r9b", "%r15b"},
		2: {"%ax", "%dx", "%di", "%r10w"},
		4: {"%eax", "%ecx", "%esp", "%ebp", "%r8d", "%r13d"},
		8: {"%rax", "%rbx", "%rsp", "%rbp", "%r12", "%r13", "%r15"},
	}
	sfx := map[Size]string{1: "b", 2: "w", 4: "l", 8: "q"}
	mems := []string{"(%rax)", "8(%rsp)", "-16(%rbp)", "(%r12)", "(%r13)", "0x100(%rax,%rcx,4)", "(%rdx,%r9,8)", "-2147483648(%r11)"}
	for _, sz := range []Size{1, 2, 4, 8} {
		s := sfx[sz]
		rs := regs[sz]
		for _, op := range []string{"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "mov", "test", "xchg", "xadd", "cmpxchg"} {
			for i, r1 := range rs {
				r2 := rs[(i+1)%len(rs)]
				cs = append(cs, fmt.Sprintf("%s%s %s, %s", op, s, r1, r2))
				cs = append(cs, fmt.Sprintf("%s %s, %s", op, r2, r1))
			}
			for i, m := range mems {
				r := rs[i%len(rs)]
				cs = append(cs, fmt.Sprintf("%s%s %s, %s", op, s, r, m))
				if op != "xadd" && op != "cmpxchg" && op != "xchg" && op != "test" {
					cs = append(cs, fmt.Sprintf("%s%s %s, %s", op, s, m, r))
				}
			}
		}
		for _, op := range []string{"add", "or", "and", "sub", "xor", "cmp", "mov", "test"} {
			for _, imm := range []int64{1, -1, 100, -128, 127} {
				for _, r := range rs {
					cs = append(cs, fmt.Sprintf("%s%s $%d, %s", op, s, imm, r))
				}
				cs = append(cs, fmt.Sprintf("%s%s $%d, %s", op, s, imm, mems[1]))
			}
			if sz > 1 {
				for _, imm := range []int64{1000, -30000} {
					for _, r := range rs {
						cs = append(cs, fmt.Sprintf("%s%s $%d, %s", op, s, imm, r))
					}
					cs = append(cs, fmt.Sprintf("%s%s $%d, %s", op, s, imm, mems[5]))
				}
			}
			if sz >= 4 {
				cs = append(cs, fmt.Sprintf("%s%s $%d, %s", op, s, 0x12345678, rs[2]))
			}
		}
		for _, op := range []string{"inc", "dec", "not", "neg", "mul", "imul", "div", "idiv"} {
			for _, r := range rs {
				cs = append(cs, fmt.Sprintf("%s%s %s", op, s, r))
			}
			cs = append(cs, fmt.Sprintf("%s%s %s", op, s, mems[3]))
		}
		for _, op := range []string{"rol", "ror", "rcl", "rcr", "shl", "sal", "shr", "sar"} {
			for _, r := range rs[:3] {
				cs = append(cs, fmt.Sprintf("%s%s $1, %s", op, s, r), fmt.Sprintf("%s%s $5, %s", op, s, r),
					fmt.Sprintf("%s%s %%cl, %s", op, s, r), fmt.Sprintf("%s%s %s", op, s, r))
			}
			cs = append(cs, fmt.Sprintf("%s%s $3, %s", op, s, mems[2]))
		}
		if sz == 1 {
			for _, cc := range []string{"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g", "z", "nz", "c"} {
				cs = append(cs, "set"+cc+" "+rs[2], "set"+cc+" "+mems[4])
			}
			continue
		}
		for i, r := range rs {
			r2 := rs[(i+2)%len(rs)]
			for _, op := range []string{"bsf", "bsr", "popcnt", "lzcnt", "tzcnt", "imul"} {
				if sz == 2 && (op == "popcnt" || op == "lzcnt" || op == "tzcnt") {
					continue
				}
				cs = append(cs, fmt.Sprintf("%s%s %s, %s", op, s, r2, r), fmt.Sprintf("%s%s %s, %s", op, s, mems[i%len(mems)], r))
			}
			for _, op := range []string{"bt", "bts", "btr", "btc"} {
				cs = append(cs, fmt.Sprintf("%s%s %s, %s", op, s, r2, r), fmt.Sprintf("%s%s $7, %s", op, s, r), fmt.Sprintf("%s%s %s, %s", op, s, r, mems[i%len(mems)]))
			}
			cs = append(cs, fmt.Sprintf("imul%s $3, %s, %s", s, r2, r), fmt.Sprintf("imul%s $1000, %s, %s", s, mems[i%len(mems)], r))
			cs = append(cs, fmt.Sprintf("cmovne%s %s, %s", s, r2, r), fmt.Sprintf("cmovl %s, %s", mems[i%len(mems)], r))
			cs = append(cs, fmt.Sprintf("lea%s %s, %s", s, mems[i%len(mems)], r))
			if sz >= 4 {
				cs = append(cs, fmt.Sprintf("bswap %s", r))
			}
			if sz == 8 {
				cs = append(cs, "push "+r, "pop "+r, "movslq "+regs[4][i%len(regs[4])]+", "+r)
			}
			cs = append(cs, fmt.Sprintf("movzb%s %s, %s", s, regs[1][i%len(regs[1])], r), fmt.Sprintf("movsb%s %s, %s", s, regs[1][i%len(regs[1])], r),
				fmt.Sprintf("movzb%s %s, %s", s, mems[i%len(mems)], r))
			if sz > 2 {
				cs = append(cs, fmt.Sprintf("movzw%s %s, %s", s, regs[2][i%len(regs[2])], r), fmt.Sprintf("movsw%s %s, %s", s, mems[i%len(mems)], r))
			}
		}
	}
	cs = append(cs, "movb $5, %ah", "movb %ah, %bl", "addb %ch, %dh", "movq $-1, %rax", "movl $-1, %r9d",
		"movabsq $0x123456789abc, %r10", "pushq $100", "incl 4(%rip)",
		"clflush (%rax)", "clflush 8(%r12)", "clflush (%rdx,%r9,8)",
		"lock cmpxchg16b (%rsi)", "cmpxchg16b 16(%r12)", "lock cmpxchg16b (%r9,%rcx,2)", "cmpxchg8b (%rdi)", "lock cmpxchg8b 8(%r13)")
	for name := range attTabs().fixed {
		switch name {
		case "lock", "rep", "repe", "repz", "repne", "repnz":
			continue
		}
		cs = append(cs, name)
	}
	return cs
}

var encRE = regexp.MustCompile(`encoding: \[([^\]]*)\]`)

// TestATTAgainstLLVMMC assembles every case with ATT and with llvm-mc-19
// and compares the bytes. It fails without llvm-mc-19: the encodings are
// only checked against it.
func TestATTAgainstLLVMMC(t *testing.T) {
	mc, err := exec.LookPath("llvm-mc-19")
	if err != nil {
		t.Fatalf("llvm-mc-19 is needed to check the inline asm encodings: %v", err)
	}
	cases := attCases()
	// RIP-relative operands are not in the cases (ATT has no symbols);
	// drop the one that reads like one.
	var keep []string
	for _, c := range cases {
		if !strings.Contains(c, "%rip") {
			keep = append(keep, c)
		}
	}
	cases = keep
	cmd := exec.Command(mc, "-triple=x86_64", "-show-encoding")
	cmd.Stdin = strings.NewReader(strings.Join(cases, "\n") + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("llvm-mc-19: %v\n%s", err, out)
	}
	encs := encRE.FindAllStringSubmatch(string(out), -1)
	if len(encs) != len(cases) {
		t.Fatalf("llvm-mc-19 gave %d encodings for %d instructions:\n%s", len(encs), len(cases), out)
	}
	bad := 0
	for i, c := range cases {
		var want []byte
		for _, f := range strings.Split(encs[i][1], ",") {
			v, err := strconv.ParseUint(strings.TrimSpace(f), 0, 8)
			if err != nil {
				t.Fatalf("%q: llvm-mc encoding %q", c, encs[i][1])
			}
			want = append(want, byte(v))
		}
		var a Assembler
		if err := a.ATT(c); err != nil {
			t.Errorf("%q: %v", c, err)
			bad++
			continue
		}
		if !bytes.Equal(a.Buf, want) {
			t.Errorf("%q: got % x, llvm-mc-19 % x", c, a.Buf, want)
			bad++
		}
		if bad > 30 {
			t.Fatal("too many differences")
		}
	}
	t.Logf("%d instructions checked", len(cases))
}

// TestATTErrors checks that what ATT refuses is named with its line.
func TestATTErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"fxsave (%rax)", `line 1: "fxsave (%rax)": unsupported instruction "fxsave"`},
		{"nop\nfrobl %eax", `line 2: "frobl %eax": unsupported instruction "frobl"`},
		{"addl %eax, %bx", "operand size mismatch"},
		{"movl (%eax), %ecx", "bad address register"},
		{"jne 1b", "no earlier 1:"},
		{"jmp 2f", `label "2#0" is used but not defined`},
		{"movb %ah, %sil", "cannot be used with a register that needs REX"},
		{"addl $1, (%rax)", ""},
		{"addw $100000, %ax", "does not fit a word"},
		{"shll $300, %eax", "shift count"},
		{"movl %eax, %xmm0", "unknown register"},
		{"call *%rax", "unsupported"},
	} {
		var a Assembler
		err := a.ATT(c.text)
		if c.want == "" {
			if err != nil {
				t.Errorf("%q: %v", c.text, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.text, err, c.want)
		}
	}
}

// TestATTLabels checks local labels and jumps: "1:" defined twice, 1b
// and 1f, a named label.
func TestATTLabels(t *testing.T) {
	var a Assembler
	if err := a.ATT("1: pause\n jne 1b\n jmp 1f\n nop\n1: top: dec %eax\n jnz top"); err != nil {
		t.Fatal(err)
	}
	if err := a.Finish(); err != nil {
		t.Fatal(err)
	}
	want := []byte{0xf3, 0x90, 0x75, 0xfc, 0xe9, 1, 0, 0, 0, 0x90, 0xff, 0xc8, 0x75, 0xfc}
	if !bytes.Equal(a.Buf, want) {
		t.Errorf("got % x, want % x", a.Buf, want)
	}
}

// FuzzATT feeds ATT arbitrary text: it must return an error or bytes,
// never panic or hang.
func FuzzATT(f *testing.F) {
	for _, c := range attCases()[:200] {
		f.Add(c)
	}
	for _, s := range []string{"lock; cmpxchgl %ecx, (%rdx)", "1: pause\n jne 1b", "rep stosb", "movb %ah, %bl",
		"addl $0x7fffffff, -8(%rbp,%r12,8)", "jmp 1f\n1:", "x: y: jmp x", "movzbl %sil, %eax", "imulq $-129, (%rsp), %r9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var a Assembler
		if a.ATT(s) == nil {
			_ = a.Finish()
		}
	})
}
