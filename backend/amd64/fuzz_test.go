package amd64

import (
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// FuzzCompile compiles every module the IR parser accepts and the
// verifier passes: the backend must return an object or an error, never
// panic (an internal error means a recovered panic) or hang.
func FuzzCompile(f *testing.F) {
	f.Add(`define double @f(double %x) {
  %a = fadd double %x, 1.0
  ret double %a
}`)
	f.Add(`define i64 @g(i64 %a, i64 %b) {
entry:
  %c = icmp slt i64 %a, %b
  br i1 %c, label %t, label %e
t:
  %d = sdiv i64 %a, %b
  br label %e
e:
  %p = phi i64 [ %d, %t ], [ 0, %entry ]
  ret i64 %p
}`)
	f.Add(ehIR)
	f.Fuzz(func(t *testing.T, src string) {
		m, err := ir.ParseString("fuzz.ll", src)
		if err != nil || ir.Verify(m) != nil {
			return
		}
		_, err = Compile(m, Options{})
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("%v\n%s", err, src)
		}
	})
}
