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

// A JIT that optimises one function at a time inlines the small functions
// it optimised before: Kaleidoscope's def binary : 1 (x y) y, then a
// function using it. The operator's IR may be dropped once compiled (here:
// its body is cleared); the cache keeps its own copy.
func ExampleInlineCache() {
	m, err := ir.ParseString("t.ll", `define double @"binary:"(double %x, double %y) {
entry:
  ret double %y
}

define double @seq(double %a, double %b) {
entry:
  %s = fmul double %a, %b
  %r = call double @"binary:"(double %s, double %b)
  ret double %r
}
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	pm := passes.ForLevel(3).WithInliner(passes.NewInlineCache())
	op := m.Func("binary:")
	if err := pm.RunFunction(op); err != nil {
		fmt.Println(err)
		return
	}
	op.Blocks = nil // compiled and dropped
	if err := pm.RunFunction(m.Func("seq")); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Func("seq"))
	// Output:
	// define double @seq(double %a, double %b) {
	// entry:
	//   ret double %b
	// }
}

// A pass with Settle reports when the function is its fixpoint; the
// manager then skips the pass's later runs until another pass changes
// the function. Here gvn and reassociate change nothing, so the second
// instcombine is skipped.
func ExamplePass_Settle() {
	m, err := ir.ParseString("t.ll", `define double @f(double %x) {
entry:
  %a = fadd double 1.000000e+00, 2.000000e+00
  %b = fmul double %x, %a
  ret double %b
}
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	pm, _ := passes.New("instcombine,reassociate,gvn,instcombine")
	pm.Stats = map[string]*passes.PassStats{}
	if err := pm.Run(context.Background(), m); err != nil {
		fmt.Println(err)
		return
	}
	s := pm.Stats["instcombine"]
	fmt.Printf("instcombine: %d run, %d changed, %d skipped\n", s.Runs, s.Changed, s.Skipped)
	// Output:
	// instcombine: 1 run, 1 changed, 1 skipped
}
