package amd64

import (
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/backend/amd64/asm"
	"github.com/gorc-jit/gorc/ir"
)

func TestAsmSubst(t *testing.T) {
	ops := []asmOperand{
		{kind: 0, reg: asm.RAX, sz: 4},
		{kind: 1, reg: asm.RSI, sz: 8},
		{kind: 2, imm: 42},
		{kind: 0, reg: asm.R9, sz: 8},
	}
	for _, c := range []struct{ tmpl, want, err string }{
		{"bswap $0", "bswap %eax", ""},
		{"movl ${3:k}, $0", "movl %r9d, %eax", ""},
		{"lock; cmpxchgl $0, $1", "lock; cmpxchgl %eax, (%rsi)", ""},
		{"shll $$3, $0\n\taddl $2, ${0:q}", "shll $3, %eax\n\taddl $42, %rax", ""},
		{"movb ${0:h}, ${0:b}", "movb %ah, %al", ""},
		{"movq ${1:H}, ${3}", "movq 8(%rsi), %r9", ""},
		{"$(addl $2, $0$|add $0, $2$)", "addl $42, %eax", ""},
		{".long ${2:c}", ".long 42", ""},
		{"movl $4, $0", "", "does not exist"},
		{"movl ${0:z}, %eax", "", "not supported"},
		{"movl $", "", "ends with"},
		{"movl ${3:h}, %eax", "", "no high byte"},
	} {
		got, err := asmSubst(c.tmpl, ops)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: got %q, %v; want an error with %q", c.tmpl, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.tmpl, got, err, c.want)
		}
	}
}

// TestInlineAsmErrors compiles calls of inline asm gorc refuses: each
// error names the template and what is wrong.
func TestInlineAsmErrors(t *testing.T) {
	for _, c := range []struct{ call, want string }{
		{`call void asm sideeffect "vzeroupper", "~{dirflag}"()`, `unsupported instruction "vzeroupper"`},
		{`call void asm sideeffect "nop\0A\09frob %eax", ""()`, `line 2: "frob %eax"`},
		{`call void asm sideeffect inteldialect "mov eax, offset g", "~{eax}"()`, "Intel syntax: line 1: \"mov eax, offset g\": offset operands"},
		{`%x = call i32 asm "movl $1, $0", "=r,m"(i32 1)`, `constraint "m" is not supported`},
		{`%x = call i32 asm "movl $1, $0", "=r,i"(i32 %a)`, "needs a constant"},
		{`call void asm sideeffect "", "{sp}"(i64 1)`, "cannot be an inline asm operand"},
		{`call void asm sideeffect "", "~{k1}"()`, "clobber ~{k1} is not supported"},
		{`%x = call double asm "", "=x"()`, "integers and pointers only"},
		{`%x = call i32 asm "movl $$1, $0", "=r,~{memory}"()`, ""},
	} {
		src := "define void @f(i32 %a) {\n  " + c.call + "\n  ret void\n}\n"
		m, err := ir.ParseString("t.ll", src)
		if err != nil {
			t.Errorf("%s: parse: %v", c.call, err)
			continue
		}
		_, err = Compile(m, Options{})
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.call, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "inline asm") {
			t.Errorf("%s: error %v, want one naming the inline asm and %q", c.call, err, c.want)
		}
	}
}

// TestIntelAsm runs Intel-syntax inline asm (asm inteldialect): register,
// memory (*m, as MS-style blocks pass C variables) and immediate
// operands substituted in Intel form, the Intel alternative of
// $(att$|intel$), and a flag output after the translated template.
func TestIntelAsm(t *testing.T) {
	src := `define i64 @f(i64 %a, ptr %p) {
  %x = call i64 asm "mov $0, $1\0A\09add $0, qword ptr [$2 + 8]\0A\09imul $0, $0, $3", "=&r,r,r,i,~{memory}"(i64 %a, ptr %p, i64 3)
  ret i64 %x
}
define i32 @g(ptr %v) {
  call void asm sideeffect inteldialect "mov eax, $0\0A\09add eax, $$5\0A\09mov $0, eax", "=*m,~{eax}"(ptr elementtype(i32) %v)
  %r = load i32, ptr %v
  ret i32 %r
}
define i32 @h(i32 %a) {
  %x = call i32 asm "$(shll $$2, $0$|shl $0, 2$)", "=r,0"(i32 %a)
  ret i32 %x
}
define i32 @lt(i32 %a, i32 %b) {
  %x = call i32 asm "cmp $1, $2", "={@ccl},r,r,~{cc}"(i32 %a, i32 %b)
  ret i32 %x
}
`
	src = strings.Replace(src, "call i64 asm \"mov", "call i64 asm inteldialect \"mov", 1)
	src = strings.Replace(src, "call i32 asm \"$(", "call i32 asm inteldialect \"$(", 1)
	src = strings.Replace(src, "call i32 asm \"cmp", "call i32 asm inteldialect \"cmp", 1)
	m := parse(t, src)
	out := runC(t, m, `long f(long, long *); int g(int *); int h(int); int lt(int, int);
int main(void) { long v[2] = {0, 10}; int w = 37; pi(f(4, v)); pi(g(&w)); pi(w); pi(h(5)); pi(lt(1, 2)); pi(lt(2, 1)); pi(lt(-3, -3)); return 0; }
`)
	expectLines(t, out, []string{"42", "42", "42", "20", "1", "0", "0"})
}
