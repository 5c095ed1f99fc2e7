package passes_test

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
)

// Optimise the LLVM tutorial's chapter 4 example, def test(x)
// (1+2+x)*(x+(1+2)), as generated with allocas, at -O2.
func ExampleManager() {
	m, err := ir.ParseString("t.ll", `define double @test(double %x) {
entry:
  %x1 = alloca double, align 8
  store double %x, ptr %x1, align 8
  %x2 = load double, ptr %x1, align 8
  %addtmp = fadd double 3.000000e+00, %x2
  %x3 = load double, ptr %x1, align 8
  %addtmp1 = fadd double %x3, 3.000000e+00
  %multmp = fmul double %addtmp, %addtmp1
  ret double %multmp
}
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := passes.ForLevel(2).Run(context.Background(), m); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Func("test"))
	// Output:
	// define double @test(double %x) {
	// entry:
	//   %addtmp = fadd double %x, 3.000000e+00
	//   %multmp = fmul double %addtmp, %addtmp
	//   ret double %multmp
	// }
}
