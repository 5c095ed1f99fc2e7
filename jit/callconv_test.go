package jit

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestSysVAMD64Plan(t *testing.T) {
	i64, f64, f32, b := scalar{scalarSigned, 8}, scalar{scalarFloat, 8}, scalar{scalarFloat, 4}, scalar{scalarBool, 1}
	rep := func(s scalar, n int) []scalar {
		v := make([]scalar, n)
		for i := range v {
			v[i] = s
		}
		return v
	}
	tests := []struct {
		name   string
		params []scalar
		want   string // locations: iN, fN, sN
	}{
		{"none", nil, ""},
		{"mixed", []scalar{i64, f64, i64, f32, b}, "i0 f0 i1 f1 i2"},
		{"seventh integer on the stack", rep(i64, 8), "i0 i1 i2 i3 i4 i5 s0 s1"},
		{"ninth float on the stack", rep(f64, 9), "f0 f1 f2 f3 f4 f5 f6 f7 s0"},
		{"stack slots in argument order", append(append(rep(i64, 6), rep(f64, 8)...), i64, f32, i64), "i0 i1 i2 i3 i4 i5 f0 f1 f2 f3 f4 f5 f6 f7 s0 s1 s2"},
		{"registers still free after the stack starts", append(rep(i64, 7), f64), "i0 i1 i2 i3 i4 i5 s0 f0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := sysvAMD64(tc.params, 16)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range p.args {
				got = append(got, fmt.Sprintf("%c%d", "ifs"[l.class], l.index))
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("plan %q, want %q", g, tc.want)
			}
		})
	}
	if _, err := sysvAMD64(rep(i64, 6+17), 16); err == nil || !strings.Contains(err.Error(), "17 stack slots; the executor takes at most 16") {
		t.Errorf("too many stack arguments: %v", err)
	}
}

func TestResultBits(t *testing.T) {
	tests := []struct {
		s   scalar
		rax uint64
		i   int64
		u   uint64
	}{
		{scalar{scalarSigned, 1}, 0xdeadbeef_000000ff, -1, 0xff},
		{scalar{scalarSigned, 4}, 0x12345678_fffffffe, -2, 0xfffffffe},
		{scalar{scalarUnsigned, 2}, 0xffff_ffff_0001_ffff, -1, 0xffff},
		{scalar{scalarSigned, 8}, 0x8000000000000000, math.MinInt64, 0x8000000000000000},
	}
	for _, tc := range tests {
		i, u := resultInt(tc.s, tc.rax)
		if i != tc.i || u != tc.u {
			t.Errorf("resultInt(%v, %#x) = %d, %#x; want %d, %#x", tc.s, tc.rax, i, u, tc.i, tc.u)
		}
	}
	if f := resultFloat(scalar{scalarFloat, 4}, 0xffffffff_3fc00000); f != 1.5 {
		t.Errorf("float32 result %v, want 1.5", f)
	}
	if b := argBits(scalar{scalarFloat, 4}, 0, 0, false, 1.5); b != 0x3fc00000 {
		t.Errorf("float32 argument %#x", b)
	}
	if b := argBits(scalar{scalarSigned, 1}, -1, 0, false, 0); b != math.MaxUint64 {
		t.Errorf("int8 -1 argument %#x, want sign-extended", b)
	}
}
