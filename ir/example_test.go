package ir_test

import (
	"fmt"

	"github.com/gorc-jit/gorc/ir"
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

// Parse LLVM IR text (here as LLVM's Kaleidoscope tutorial prints it),
// verify it and print it back.
func ExampleParse() {
	src := `; ModuleID = 'my cool jit'
declare double @sin(double) #0

define double @foo(double %x) {
entry:
  %calltmp = call double @sin(double %x)
  %multmp = fmul double %calltmp, 0x4000000000000000
  ret double %multmp
}

attributes #0 = { nounwind }
`
	m, err := ir.ParseString("foo.ll", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := ir.Verify(m); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Func("foo"))
	_, err = ir.ParseString("bad.ll", "define double @f() {\nentry:\n  ret double %nope\n}\n")
	fmt.Println(err)
	// Output:
	// define double @foo(double %x) {
	// entry:
	//   %calltmp = call double @sin(double %x)
	//   %multmp = fmul double %calltmp, 2.000000e+00
	//   ret double %multmp
	// }
	// bad.ll:3:14: error: use of undefined value '%nope'
}

// ExampleLazyBodies_ParseAhead parses a body before it is needed (on an
// idle goroutine, say): the first use then finds it parsed, and a body
// someone has started is left to them.
func ExampleLazyBodies_ParseAhead() {
	src := `define i32 @one() {
entry:
  ret i32 1
}

define i32 @two() {
entry:
  %r = add i32 1, 1
  ret i32 %r
}
`
	m, lb, err := ir.ParseLazy("m.ll", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	two := m.Lookup("two").(*ir.Function)
	fmt.Println(lb.Pending(two), lb.ParseAhead(two, new(ir.InstrArena)), lb.Pending(two))
	fmt.Println(lb.ParseAhead(two, new(ir.InstrArena))) // parsed already
	if err := lb.ParseBody(two); err != nil {           // nothing to do
		fmt.Println(err)
	}
	fmt.Println(len(two.Blocks[0].Instrs), "instructions")
	// Output:
	// true true false
	// false
	// 2 instructions
}
