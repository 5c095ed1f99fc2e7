//go:build cgo

package jit_test

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/target"
)

// Compile a module with the JIT's backend and hand the object to the
// linker as a graph (target.Options.GraphName), without writing and
// re-reading ELF, then call it.
func ExampleJIT_AddGraph() {
	ctx := context.Background()
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer j.Close(ctx)
	m, diags, err := kaleidoscope.CompileLibrary(ctx, "sq.k", nil, [][]byte{[]byte(`def sq(x) x*x;`)})
	if err != nil || len(diags) > 0 {
		fmt.Println(diags, err)
		return
	}
	if err := passes.ForLevel(2).Run(ctx, m); err != nil {
		fmt.Println(err)
		return
	}
	res, err := j.Target.Backend.Compile(ctx, m, target.Options{GraphName: "sq.o", NoObject: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := j.AddGraph(res.Graph); err != nil {
		fmt.Println(err)
		return
	}
	sq, err := jit.Func[func(float64) float64](j, "sq")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sq(12))
	// Output: 144
}
