package ir

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestFP80Constants(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"0xK3FFF8000000000000000", "0xK3FFF8000000000000000"},
		{"0xk3fff8000000000000000", ""}, // lower-case K is not LLVM's
		{"0xK7fffc000000000000000", "0xK7FFFC000000000000000"},
		{"0xK1", "0xK00010000000000000000"},
		{"0xK4000C9", "0xK400000000000000000C9"},
		{"0xK00000000000000000000", "0xK00000000000000000000"},
		{"0xKFFFFFFFFFFFFFFFFFFFF", "0xKFFFFFFFFFFFFFFFFFFFF"},
	}
	for _, tt := range tests {
		src := "@g = global x86_fp80 " + tt.in + ", align 16\n"
		m, err := ParseString("t.ll", src)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%s: parsed, want an error", tt.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if got := m.Globals[0].Init.Ident(); got != tt.want {
			t.Errorf("%s: printed %s, want %s", tt.in, got, tt.want)
		}
		if !strings.Contains(m.String(), "global x86_fp80 "+tt.want+", align 16") {
			t.Errorf("%s: module prints as\n%s", tt.in, m)
		}
	}
}

func TestFP80Errors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"decimal", "@g = global x86_fp80 1.5\n", "t.ll:1:22: error: x86_fp80 constants are written 0xK followed by 20 hex digits (as LLVM prints them), found 1.5"},
		{"integer", "@g = global x86_fp80 1\n", "t.ll:1:22: error: x86_fp80 constants are written 0xK"},
		{"double hex", "define x86_fp80 @f() {\n  ret x86_fp80 0x3FF0000000000000\n}\n", "t.ll:2:16: error: x86_fp80 constants are written 0xK"},
		{"too long", "@g = global x86_fp80 0xK3FFF80000000000000001\n", "t.ll:1:22: error: invalid x86_fp80 constant 0xK3FFF80000000000000001 (0xK and at most 20 hex digits)"},
		{"empty", "@g = global x86_fp80 0xK\n", "t.ll:1:22: error: invalid x86_fp80 constant 0xK"},
		{"0xK for double", "@g = global double 0xK3FFF8000000000000000\n", "t.ll:1:20: error: unsupported hexadecimal floating-point constant"},
		{"type mismatch", "define double @f(x86_fp80 %x) {\n  %y = fadd double %x, %x\n  ret double %y\n}\n", "t.ll:2:20: error: '%x' defined with type 'x86_fp80' but expected 'double'"},
		{"fp128", "@g = global fp128 0xL0\n", "t.ll:1:13: error: floating-point type fp128 is not supported (float, double and x86_fp80)"},
		{"half", "declare half @h()\n", "t.ll:1:9: error: floating-point type half is not supported"},
	}
	for _, tt := range tests {
		_, err := ParseString("t.ll", tt.src)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestFP80FromFloat64(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{1, "0xK3FFF8000000000000000"},
		{-2.5, "0xKC000A000000000000000"},
		{0.1, "0xK3FFBCCCCCCCCCCCCD000"},
		{0, "0xK00000000000000000000"},
		{math.Copysign(0, -1), "0xK80000000000000000000"},
		{math.Inf(1), "0xK7FFF8000000000000000"},
		{math.Inf(-1), "0xKFFFF8000000000000000"},
		{math.NaN(), "0xK7FFFC000000000000800"},
		{math.SmallestNonzeroFloat64, "0xK3BCD8000000000000000"},
		{math.Float64frombits(0x000FFFFFFFFFFFFF), "0xK3C00FFFFFFFFFFFFF000"}, // the largest subnormal
		{math.MaxFloat64, "0xK43FEFFFFFFFFFFFFF800"},
		{0x1p63, "0xK403E8000000000000000"},
	}
	for _, tt := range tests {
		if got := FP80FromFloat64(tt.v).Ident(); got != tt.want {
			t.Errorf("%v (%#x): %s, want %s", tt.v, math.Float64bits(tt.v), got, tt.want)
		}
	}
	b := (&ConstFP80{SE: 0x3fff, Mant: 1 << 63}).Bytes()
	if b != [10]byte{0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f} {
		t.Errorf("bytes of 1.0: % x", b)
	}
}

func TestFP80Layout(t *testing.T) {
	m, err := ParseString("t.ll", "%S = type { i8, x86_fp80, i32 }\n%P = type <{ i8, x86_fp80 }>\n@a = global [3 x x86_fp80] zeroinitializer\n")
	if err != nil {
		t.Fatal(err)
	}
	if F80.Size() != 16 || F80.Align() != 16 || F80.String() != "x86_fp80" {
		t.Errorf("x86_fp80: size %d align %d %q", F80.Size(), F80.Align(), F80)
	}
	s := m.Types[0]
	if s.Size() != 48 || s.FieldOffset(1) != 16 || s.FieldOffset(2) != 32 {
		t.Errorf("%%S: size %d, offsets %d %d", s.Size(), s.FieldOffset(1), s.FieldOffset(2))
	}
	if a := m.Globals[0].ValueType; a.Size() != 48 {
		t.Errorf("[3 x x86_fp80]: size %d", a.Size())
	}
}

// TestIsFPClass checks the masks of llvm.is.fpclass that are lowered to
// comparisons (and the sign bit) and that one kind of NaN alone is
// refused.
func TestIsFPClass(t *testing.T) {
	for _, tt := range []struct {
		mask int
		want string
	}{
		{3, "fcmp uno x86_fp80 %x, %x"},
		{1020, "fcmp ord x86_fp80 %x, %x"},
		{516, "or i1"},
		{504, "fcmp olt x86_fp80 %x, 0xK7FFF8000000000000000"},
		{507, "fcmp une x86_fp80 %x, 0xKFFFF8000000000000000"},
		{519, "fcmp uge x86_fp80 %x, 0xK7FFF8000000000000000"},
		{264, "fcmp oge x86_fp80 %x, 0xK00018000000000000000"}, // isnormal
		{144, "fcmp one x86_fp80 %x, 0xK00000000000000000000"}, // subnormal
		{32, "load i16"}, // -0 alone: the sign bit through memory (i80)
		{0x3ff &^ 0x80, "fcmp ogt x86_fp80 %x, 0xK80018000000000000000"}, // all but +subnormal
	} {
		src := "declare i1 @llvm.is.fpclass.f80(x86_fp80, i32)\ndefine i1 @f(x86_fp80 %x) {\n  %c = call i1 @llvm.is.fpclass.f80(x86_fp80 %x, i32 " + strconv.Itoa(tt.mask) + ")\n  ret i1 %c\n}\n"
		m, err := ParseString("t.ll", src)
		if err != nil {
			t.Errorf("mask %d: %v", tt.mask, err)
			continue
		}
		if err := Verify(m); err != nil {
			t.Errorf("mask %d: %v", tt.mask, err)
		}
		if !strings.Contains(m.String(), tt.want) {
			t.Errorf("mask %d: want %q in\n%s", tt.mask, tt.want, m)
		}
	}
	_, err := ParseString("t.ll", "declare i1 @llvm.is.fpclass.f80(x86_fp80, i32)\ndefine i1 @f(x86_fp80 %x) {\n  %c = call i1 @llvm.is.fpclass.f80(x86_fp80 %x, i32 1)\n  ret i1 %c\n}\n")
	if err == nil || !strings.Contains(err.Error(), "unsupported intrinsic '@llvm.is.fpclass.f80'") {
		t.Errorf("signalling NaN mask: %v", err)
	}
}
