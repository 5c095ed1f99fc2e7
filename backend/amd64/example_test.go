package amd64_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/gorc-jit/gorc/backend/amd64"
	"github.com/gorc-jit/gorc/ir"
)

// Compile a function built with the IR builder into an ELF object and
// print its listing.
func ExampleCompile() {
	m := ir.NewModule("demo")
	f, _ := m.NewFunction("twice", ir.FuncType(ir.F64, []*ir.Type{ir.F64}, false), []string{"x"})
	b := ir.NewBuilder()
	b.SetInsertPoint(f.NewBlock("entry"))
	b.Ret(b.FAdd(f.Params[0], f.Params[0], "sum"))

	obj, err := amd64.Compile(m, amd64.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	list, err := amd64.Listing(obj, amd64.SyntaxIntel)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, line := range strings.Split(list, "\n") {
		if i := strings.LastIndexByte(line, '\t'); i >= 0 && strings.Contains(line, ":\t") {
			fmt.Println(line[i+1:])
		} else if strings.HasSuffix(line, ">:") {
			fmt.Println(line[strings.IndexByte(line, '<'):])
		}
	}
	// Output:
	// <twice>:
	// addsd xmm0, xmm0
	// ret
}

// CompileModule reports statistics alongside the object.
func ExampleCompileModule() {
	m, err := ir.ParseString("sq.ll", `
define double @sq(double %x) {
  %r = fmul double %x, %x
  ret double %r
}
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := amd64.CompileModule(context.Background(), m, amd64.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d function, %d instructions, %d bytes of code\n", res.Stats.Functions, res.Stats.Instructions, res.Stats.CodeBytes)
	// Output:
	// 1 function, 2 instructions, 5 bytes of code
}
