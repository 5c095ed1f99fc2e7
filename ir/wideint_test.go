package ir

import (
	"strings"
	"testing"
)

// TestWideLiteral checks the halves of wide constants and the range
// check.
func TestWideLiteral(t *testing.T) {
	for _, tt := range []struct {
		text   string
		n      int
		lo, hi uint64
		ok     bool
	}{
		{"0", 128, 0, 0, true},
		{"-1", 128, ^uint64(0), ^uint64(0), true},
		{"18446744073709551616", 128, 0, 1, true},
		{"340282366920938463463374607431768211455", 128, ^uint64(0), ^uint64(0), true},
		{"340282366920938463463374607431768211456", 128, 0, 0, false},
		{"-170141183460469231731687303715884105728", 128, 0, 1 << 63, true},
		{"-170141183460469231731687303715884105729", 128, 0, 0, false},
		{"-1", 80, ^uint64(0), ^uint64(0), true},
		{"1208925819614629174706176", 80, 0, 0, false}, // 2^80
		{"12x", 128, 0, 0, false},
	} {
		lo, hi, ok := wideLiteral(tt.text, tt.n)
		if ok != tt.ok || ok && (lo != tt.lo || hi != tt.hi) {
			t.Errorf("wideLiteral(%s, %d) = %#x, %#x, %v; want %#x, %#x, %v", tt.text, tt.n, lo, hi, ok, tt.lo, tt.hi, tt.ok)
		}
	}
}

// TestWideLazyBodies checks what a lazily read body of wide arithmetic
// becomes when the module's text has no "i128 " (the libgcc functions
// and llvm.gorc.umulh.i64 are then not declared): a product from four
// 32-bit products, and a division refused naming the function.
func TestWideLazyBodies(t *testing.T) {
	src := "define i64 @m(i96 %a, i64 %x) {\n  %b = zext i64 %x to i96\n  %c = mul i96 %a, %b\n  %d = lshr i96 %c, 64\n  %e = trunc i96 %d to i64\n  ret i64 %e\n}\n" +
		"define i64 @d(i96 %a) {\n  %b = udiv i96 %a, 7\n  %e = trunc i96 %b to i64\n  ret i64 %e\n}\n"
	m, lb, err := ParseLazy("t.ll", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	mf := m.Lookup("m").(*Function)
	if err := lb.ParseBody(mf); err != nil {
		t.Fatal(err)
	}
	body := m.String()
	if strings.Contains(body, UMulHighName) || strings.Count(body, "mul i64") < 4 {
		t.Errorf("lazily read i96 product: want four 32-bit products, no %s:\n%s", UMulHighName, body)
	}
	err = lb.ParseBody(m.Lookup("d").(*Function))
	if err == nil || !strings.Contains(err.Error(), "libgcc's '@__udivti3' is needed but not declared") {
		t.Errorf("lazily read i96 division: got %v", err)
	}
	// With "i128 " in the text, the declarations are made up front.
	m, lb, err = ParseLazy("t.ll", []byte(strings.ReplaceAll(src, "i96", "i128")))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"m", "d"} {
		if err := lb.ParseBody(m.Lookup(name).(*Function)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if body := m.String(); !strings.Contains(body, "call i64 @"+UMulHighName) || !strings.Contains(body, "@__udivti3(") {
		t.Errorf("lazily read i128 module: want calls of %s and __udivti3:\n%s", UMulHighName, body)
	}
}
