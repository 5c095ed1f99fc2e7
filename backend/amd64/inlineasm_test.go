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
		{`call void asm sideeffect inteldialect "nop", ""()`, "Intel syntax"},
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
