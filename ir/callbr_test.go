package ir

import (
	"strings"
	"testing"
)

// TestCallBrAsm checks the rewriting of asm goto templates: label
// operands become local labels setting the selector (a new output after
// the last), the other operands are renumbered.
func TestCallBrAsm(t *testing.T) {
	for _, c := range []struct{ tmpl, cons, wantTmpl, wantCons, err string }{
		{"test $0, $0\n\tjnz ${1:l}", "r,!i,~{cc}", "test $1, $1\n\tjnz gorc_callbr_1", "=r,r,~{cc}", ""},
		{"mov $1, $0\n\tcmp $$5, $1\n\tje ${2:l}", "=r,r,!i,~{cc}", "mov $2, $0\n\tcmp $$5, $2\n\tje gorc_callbr_1", "=r,=r,r,~{cc}", ""},
		{"cmp $1, $0\n\tjl ${2:l}\n\tjg ${3:l}", "r,r,!i,!i", "cmp $2, $1\n\tjl gorc_callbr_1\n\tjg gorc_callbr_2", "=r,r,r", ""},
		{"movl ${1:k}, ${0:k}\n\tjmp $2", "=r,r,!i", "movl ${2:k}, ${0:k}\n\tjmp gorc_callbr_1", "=r,=r,r", ""},
		{"jmp ${1:c}", "r,!i", "", "", "modifier"},
		{"jmp ${5:l}", "r,!i", "", "", "does not exist"},
		{"nop", "r", "", "", "without label operands"},
	} {
		tmpl, cons, _, err := callBrAsm(c.tmpl, c.cons, false)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: got %v, want an error with %q", c.tmpl, err, c.err)
			}
			continue
		}
		if err != nil || !strings.HasPrefix(tmpl, c.wantTmpl+"\n\tmovl $$0, $") || cons != c.wantCons {
			t.Errorf("%q %q: got %q %q %v, want %q... %q", c.tmpl, c.cons, tmpl, cons, err, c.wantTmpl, c.wantCons)
		}
	}
}

// TestCallBrErrors: callbr gorc refuses, each naming the line.
func TestCallBrErrors(t *testing.T) {
	for _, c := range []struct{ name, body, want string }{
		{"function", "  callbr void @g() to label %a [label %b]\na:\n  ret void\nb:\n  ret void", "t.ll:3:3: error: callbr of '@g' is not supported"},
		{"count", "  callbr void asm \"jmp ${0:l}\", \"!i\"() to label %a [label %b, label %a]\na:\n  ret void\nb:\n  ret void", "t.ll:3:3: error: callbr has 1 label operands but 2 indirect destinations"},
		{"modifier", "  callbr void asm \"jmp ${0:c}\", \"!i\"() to label %a [label %b]\na:\n  ret void\nb:\n  ret void", "modifier \"c\" is not supported"},
		{"no labels", "  callbr void asm \"nop\", \"\"() to label %a []\na:\n  ret void", "without label operands"},
	} {
		src := "declare void @g()\ndefine void @f() {\n" + c.body + "\n}\n"
		_, err := ParseString("t.ll", src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
	}
}
