package ir_test

import (
	"fmt"

	"gorc/ir"
)

// Build double @foo(double %x) { return x + 1.0 } and print it.
func ExampleBuilder() {
	m := ir.NewModule("demo")
	f, _ := m.NewFunction("foo", ir.FuncType(ir.F64, []*ir.Type{ir.F64}, false), []string{"x"})
	b := ir.NewBuilder()
	b.SetInsertPoint(f.NewBlock("entry"))
	sum := b.FAdd(f.Params[0], ir.NewFloat(1), "addtmp")
	b.Ret(sum)
	fmt.Print(m)
	// Output:
	// ; ModuleID = 'demo'
	//
	// define double @foo(double %x) {
	// entry:
	//   %addtmp = fadd double %x, 1.000000e+00
	//   ret double %addtmp
	// }
}
