package amd64

import (
	"fmt"
	"strings"
	"testing"
)

// TestCallBr compiles asm goto (callbr, lowered by the IR parser to a
// call of inline asm and a switch on a selector output) and runs it:
// each destination is reached, and an output is valid on every edge.
func TestCallBr(t *testing.T) {
	src := `define i32 @cmp3(i64 %a, i64 %b) {
  callbr void asm "cmp $1, $0\0A\09jl ${2:l}\0A\09jg ${3:l}", "r,r,!i,!i,~{cc}"(i64 %a, i64 %b)
          to label %eq [label %lt, label %gt]
eq:
  br label %done
lt:
  br label %done
gt:
  br label %done
done:
  %r = phi i32 [ 0, %eq ], [ -1, %lt ], [ 1, %gt ]
  ret i32 %r
}
define i64 @dec(i64 %x) {
  %r = callbr i64 asm "lea -1($1), $0\0A\09test $0, $0\0A\09js ${2:l}", "=r,r,!i,~{cc}"(i64 %x)
          to label %ok [label %neg]
ok:
  ret i64 %r
neg:
  %n = add i64 %r, 1000
  ret i64 %n
}
define i64 @two(i64 %x) {
  %r = callbr { i64, i64 } asm "mov $2, $0\0A\09lea 1($2), $1\0A\09test $2, $2\0A\09jz ${3:l}", "=&r,=&r,r,!i,~{cc}"(i64 %x)
          to label %nz [label %z]
nz:
  %a = extractvalue { i64, i64 } %r, 0
  %b = extractvalue { i64, i64 } %r, 1
  %s = mul i64 %a, %b
  ret i64 %s
z:
  %c = extractvalue { i64, i64 } %r, 1
  %d = sub i64 0, %c
  ret i64 %d
}
`
	m := parse(t, src)
	var drv strings.Builder
	drv.WriteString("int cmp3(long, long); long dec(long); long two(long);\nint main(void) {\n")
	var want []string
	for _, p := range [][2]int64{{1, 2}, {2, 2}, {3, 2}, {-5, 7}, {7, -5}} {
		fmt.Fprintf(&drv, "  pi(cmp3(%d, %d));\n", p[0], p[1])
		want = append(want, fmt.Sprint(map[bool]int{true: -1, false: map[bool]int{true: 0, false: 1}[p[0] == p[1]]}[p[0] < p[1]]))
	}
	for _, x := range []int64{-2, 0, 1, 5} {
		fmt.Fprintf(&drv, "  pi(dec(%d)); pi(two(%d));\n", x, x)
		d := x - 1
		if d < 0 {
			d += 1000
		}
		tw := x * (x + 1)
		if x == 0 {
			tw = -1
		}
		want = append(want, fmt.Sprint(d), fmt.Sprint(tw))
	}
	drv.WriteString("  return 0;\n}\n")
	expectLines(t, runC(t, m, drv.String()), want)
}
