package kaleidoscope_test

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/kaleidoscope"
)

// Compile a program to one LLVM IR module (runnable with lli-19), with a
// diagnostic for the bad item.
func ExampleCompile() {
	src := []byte(`
def sq(x) x * x;
sq(y);
sq(4);
`)
	m, diags, err := kaleidoscope.Compile(context.Background(), "sq.k", []string{"sq.k"}, [][]byte{src})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range diags {
		fmt.Println(d)
	}
	_ = passes.ForLevel(2).Run(context.Background(), m)
	fmt.Print(m.Func("sq"))
	fmt.Print(m.Func("main"))
	// Output:
	// sq.k:3:4: error: unknown variable name 'y'
	// define double @sq(double %x) {
	// entry:
	//   %multmp = fmul double %x, %x
	//   ret double %multmp
	// }
	// define i32 @main() {
	// entry:
	//   %v = call double @__anon_expr1()
	//   %0 = call i32 (ptr, ...) @printf(ptr @.fmt.eval, double %v)
	//   %1 = call i32 @fflush(ptr null)
	//   ret i32 0
	// }
}
