package ir

import (
	"strings"
	"testing"
)

const cgotoSrc = `@tab = internal global [2 x ptr] [ptr blockaddress(@run, %b), ptr blockaddress(@run, %a)]
@diff = global i32 trunc (i64 sub (i64 ptrtoint (ptr blockaddress(@run, %a) to i64), i64 ptrtoint (ptr blockaddress(@run, %b) to i64)) to i32)
define internal i32 @run(i64 %i) {
entry:
  %g = getelementptr [2 x ptr], ptr @tab, i64 0, i64 %i
  %t = load ptr, ptr %g
  indirectbr ptr %t, [label %a, label %b, label %c, label %a]
a:
  %x = phi i32 [ 1, %entry ], [ 4, %c ]
  ret i32 %x
b:
  ret i32 2
c:
  %p = select i1 true, ptr blockaddress(@run, %a), ptr blockaddress(@run, %c)
  indirectbr ptr %p, [label %a]
}
`

// TestBlockAddressNumbers checks that blockaddress reads as the block's
// number, the same in globals and in code, in an eager parse and in a
// lazy one whose function is renamed before its body is parsed; and that
// indirectbr becomes a search the verifier accepts.
func TestBlockAddressNumbers(t *testing.T) {
	m, err := ParseString("t.ll", cgotoSrc)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(m); err != nil {
		t.Fatal(err)
	}
	tab := m.Lookup("tab").(*Global).Init.Ident()
	if want := "[ptr inttoptr (i64 1 to ptr), ptr inttoptr (i64 2 to ptr)]"; tab != want {
		t.Errorf("@tab = %s, want %s", tab, want)
	}
	if v, ok := ConstNumber(m.Lookup("diff").(*Global).Init); !ok || v != 1 {
		t.Errorf("@diff = %d, %v; want 1", v, ok)
	}
	eager := m.Lookup("run").(*Function).String()
	for _, w := range []string{"icmp ult i64 %0, 2", "icmp ult i64 %0, 3", "inttoptr i64 2 to ptr", "inttoptr i64 3 to ptr"} {
		if !strings.Contains(eager, w) {
			t.Errorf("@run lacks %q:\n%s", w, eager)
		}
	}

	lm, lb, err := ParseLazy("t.ll", []byte(cgotoSrc))
	if err != nil {
		t.Fatal(err)
	}
	f := lm.Lookup("run").(*Function)
	f.Name = "run.lazy1" // as the lazy JIT renames internal functions
	if err := lb.ParseBody(f); err != nil {
		t.Fatal(err)
	}
	if lazy := f.String(); strings.Replace(lazy, "run.lazy1", "run", 1) != eager {
		t.Errorf("lazy body differs:\n%s\neager:\n%s", lazy, eager)
	}
}

func TestParseAsmConstraints(t *testing.T) {
	for _, c := range []struct {
		s, want, err string
	}{
		{"={ax},={dx},~{dirflag},~{fpsr},~{flags}", "out{ax} out{dx} clob{dirflag} clob{fpsr} clob{flags}", ""},
		{"=r,=*m,r,0,*m,~{memory}", "out:r out*:m in:r in=0 in*:m clob{memory}", ""},
		{"=&r,ri,{cx}", "out&:r in:ri in{cx}", ""},
		{"=r,1", "", "not an output"},
		{"+r", "", "'+'"},
		{"=r,r|m", "", "multiple alternatives"},
		{"~memory", "", "expected ~{name}"},
		{"={ax", "", "bad register name"},
		{"=0", "", "only an input"},
		{"r,", "", "empty"},
	} {
		ops, err := ParseAsmConstraints(c.s)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want an error with %q", c.s, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.s, err)
			continue
		}
		var got []string
		for _, o := range ops {
			k := map[uint8]string{AsmOutput: "out", AsmInput: "in", AsmClobber: "clob"}[o.Kind]
			if o.Indirect {
				k += "*"
			}
			if o.Early {
				k += "&"
			}
			switch {
			case o.Reg != "":
				k += "{" + o.Reg + "}"
			case o.Tied >= 0:
				k += "=" + string(rune('0'+o.Tied))
			default:
				k += ":" + o.Codes
			}
			got = append(got, k)
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%q: got %s, want %s", c.s, g, c.want)
		}
	}
}

// TestInlineAsmOperandCount checks that a call must pass what the
// constraints take and return what they give.
func TestInlineAsmOperandCount(t *testing.T) {
	for _, c := range []struct{ call, want string }{
		{`%x = call i32 asm "", "=r,r"()`, "takes 1 operands, the call passes 0"},
		{`call void asm "", "=r"()`, "has 1 outputs, the call returns void"},
		{`%x = call { i32, i32 } asm "", "=r"()`, "has 1 outputs"},
		{`call void asm "", "r"(i32 1, i32 2)`, "takes 1 operands, the call passes 2"},
		{`call void asm frob "", ""()`, "unexpected"},
		{`call void asm "", 1()`, "constraint string"},
	} {
		_, err := ParseString("t.ll", "define void @f() {\n  "+c.call+"\n  ret void\n}\n")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "t.ll:2:") {
			t.Errorf("%s: %v, want t.ll:2:...%q", c.call, err, c.want)
		}
	}
}
