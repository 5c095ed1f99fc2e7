package target_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/target"
)

func TestAMD64CallConv(t *testing.T) {
	tg, err := target.Lookup("x86_64-unknown-linux-gnu")
	if err != nil {
		t.Fatal(err)
	}
	i64, f64 := target.Scalar{Kind: target.Signed, Size: 8}, target.Scalar{Kind: target.Float, Size: 8}
	f32, b := target.Scalar{Kind: target.Float, Size: 4}, target.Scalar{Kind: target.Bool, Size: 1}
	rep := func(s target.Scalar, n int) []target.Scalar {
		v := make([]target.Scalar, n)
		for i := range v {
			v[i] = s
		}
		return v
	}
	cat := func(vs ...[]target.Scalar) []target.Scalar {
		var out []target.Scalar
		for _, v := range vs {
			out = append(out, v...)
		}
		return out
	}
	tests := []struct {
		name   string
		params []target.Scalar
		want   string // locations: iN, fN, sN
		counts [3]int
	}{
		{"none", nil, "", [3]int{}},
		{"mixed", []target.Scalar{i64, f64, i64, f32, b}, "i0 f0 i1 f1 i2", [3]int{3, 2, 0}},
		{"seventh integer on the stack", rep(i64, 8), "i0 i1 i2 i3 i4 i5 s0 s1", [3]int{6, 0, 2}},
		{"ninth float on the stack", rep(f64, 9), "f0 f1 f2 f3 f4 f5 f6 f7 s0", [3]int{0, 8, 1}},
		{"stack slots in argument order", cat(rep(i64, 6), rep(f64, 8), []target.Scalar{i64, f32, i64}),
			"i0 i1 i2 i3 i4 i5 f0 f1 f2 f3 f4 f5 f6 f7 s0 s1 s2", [3]int{6, 8, 3}},
		{"registers still free after the stack starts", cat(rep(i64, 7), []target.Scalar{f64}), "i0 i1 i2 i3 i4 i5 s0 f0", [3]int{6, 1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tg.CallConv.Place(tc.params)
			var got []string
			for _, l := range p.Args {
				got = append(got, fmt.Sprintf("%c%d", "ifs"[l.Class], l.Index))
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("plan %q, want %q", g, tc.want)
			}
			if c := [3]int{p.NInt, p.NFloat, p.NStack}; c != tc.counts {
				t.Errorf("counts %v, want %v", c, tc.counts)
			}
		})
	}
}
