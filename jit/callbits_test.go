package jit

import (
	"math"
	"testing"

	"github.com/gorc-jit/gorc/target"
)

func TestResultBits(t *testing.T) {
	tests := []struct {
		s   target.Scalar
		rax uint64
		i   int64
		u   uint64
	}{
		{target.Scalar{Kind: target.Signed, Size: 1}, 0xdeadbeef_000000ff, -1, 0xff},
		{target.Scalar{Kind: target.Signed, Size: 4}, 0x12345678_fffffffe, -2, 0xfffffffe},
		{target.Scalar{Kind: target.Unsigned, Size: 2}, 0xffff_ffff_0001_ffff, -1, 0xffff},
		{target.Scalar{Kind: target.Signed, Size: 8}, 0x8000000000000000, math.MinInt64, 0x8000000000000000},
	}
	for _, tc := range tests {
		i, u := resultInt(tc.s, tc.rax)
		if i != tc.i || u != tc.u {
			t.Errorf("resultInt(%v, %#x) = %d, %#x; want %d, %#x", tc.s, tc.rax, i, u, tc.i, tc.u)
		}
	}
	if f := resultFloat(target.Scalar{Kind: target.Float, Size: 4}, 0xffffffff_3fc00000); f != 1.5 {
		t.Errorf("float32 result %v, want 1.5", f)
	}
	if b := argBits(target.Scalar{Kind: target.Float, Size: 4}, 0, 0, false, 1.5); b != 0x3fc00000 {
		t.Errorf("float32 argument %#x", b)
	}
	if b := argBits(target.Scalar{Kind: target.Signed, Size: 1}, -1, 0, false, 0); b != math.MaxUint64 {
		t.Errorf("int8 -1 argument %#x, want sign-extended", b)
	}
}
