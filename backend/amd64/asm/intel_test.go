package asm

import (
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// intelCases are Intel-syntax statements as -masm=intel templates and
// MS-style asm blocks write them.
var intelCases = []string{
	"mov eax, ebx", "mov rax, qword ptr [rsi+8]", "mov qword ptr [rdi + rcx*8 - 16], rdx", "mov dword ptr [rsp], 5",
	"mov byte ptr [rax], 0x7f", "mov ax, word ptr [r12 + 2*r13]", "add eax, 3", "add r9, -1", "sub qword ptr [rbp - 8], 10",
	"imul eax, eax, 3", "imul rcx, qword ptr [rax]", "lea rax, [rdi + rsi*4 + 12]", "lea rdx, [rax + rax*2]",
	"movzx eax, byte ptr [rsi]", "movzx ecx, dx", "movsx rax, word ptr [rdi]", "movsxd rax, dword ptr [rdi]", "movsx eax, al",
	"shl eax, cl", "shr dword ptr [rax], cl", "sar rdx, 63", "rol word ptr [rsi], 1", "inc dword ptr [rax]", "dec r8",
	"neg qword ptr [rbx+16]", "not ecx", "test al, 1", "test qword ptr [rdi], 0xff", "cmp rdi, rsi", "cmp byte ptr [rdi], 0",
	"xchg rax, qword ptr [rdx]", "lock xadd dword ptr [rdi], eax", "lock cmpxchg qword ptr [rsi], rcx", "lock cmpxchg16b xmmword ptr [rdi]",
	"bswap eax", "bsf rax, rdx", "popcnt ecx, dword ptr [rsi]", "bt eax, 5", "bts qword ptr [rdi], 3", "sete al", "cmovne eax, ecx",
	"cdq", "cqo", "cdqe", "cwde", "rep stosb", "rep movsq", "push rbx", "pop r12", "xor eax, eax", "and edx, 0xff",
	"mov eax, [rsi]", "add [rdi], eax", "mov ecx, 10[rdx]",
}

// TestIntelAgainstLLVMMC assembles every case with Intel and with
// llvm-mc-19 (Intel syntax in) and compares the bytes.
func TestIntelAgainstLLVMMC(t *testing.T) {
	mc, err := exec.LookPath("llvm-mc-19")
	if err != nil {
		t.Fatalf("llvm-mc-19 is needed to check the Intel syntax translation: %v", err)
	}
	cmd := exec.Command(mc, "-triple=x86_64", "-x86-asm-syntax=intel", "-show-encoding")
	cmd.Stdin = strings.NewReader(strings.Join(intelCases, "\n") + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("llvm-mc-19: %v\n%s", err, out)
	}
	encs := encRE.FindAllStringSubmatch(string(out), -1)
	if len(encs) != len(intelCases) {
		t.Fatalf("llvm-mc-19 gave %d encodings for %d instructions:\n%s", len(encs), len(intelCases), out)
	}
	for i, c := range intelCases {
		var want []byte
		for _, f := range strings.Split(encs[i][1], ",") {
			v, err := strconv.ParseUint(strings.TrimSpace(f), 0, 8)
			if err != nil {
				t.Fatalf("%q: llvm-mc encoding %q", c, encs[i][1])
			}
			want = append(want, byte(v))
		}
		var a Assembler
		att, _ := IntelToATT(c)
		if err := a.Intel(c); err != nil {
			t.Errorf("%q (AT&T %q): %v", c, att, err)
			continue
		}
		if !bytes.Equal(a.Buf, want) {
			t.Errorf("%q (AT&T %q): got % x, llvm-mc-19 % x", c, att, a.Buf, want)
		}
	}
}

// TestIntelErrors: what the translation refuses, naming it.
func TestIntelErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"mov eax, offset foo", "offset operands"},
		{"inc [rax]", "operand size unknown"},
		{"mov eax, [rax - rbx]", "cannot be subtracted"},
		{"mov eax, [eax]", "not a 64-bit register"},
		{"mov eax, es:[rax]", "segment"},
		{"mov rax, qword ptr fs:[0]", "segment"},
		{"jmp 0x400000", "jumps to addresses"},
		{"mov eax, dword ptr ebx", "needs a memory operand"},
		{"nop\nmov eax, [rax + rbx*3]", "line 2"},
	} {
		var a Assembler
		err := a.Intel(c.text)
		if err == nil {
			err = a.Finish()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error with %q", c.text, err, c.want)
		}
	}
}

// TestIntelLabels: local labels and jumps carry over.
func TestIntelLabels(t *testing.T) {
	got, err := IntelToATT("1: dec ecx\n\tjnz 1b\n\tjmp done\ndone:")
	if err != nil || got != "1: dec %ecx\njnz 1b\njmp done\ndone:" {
		t.Errorf("got %q, %v", got, err)
	}
}
