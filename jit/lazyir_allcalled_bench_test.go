//go:build cgo

package jit_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/orc/epc"
)

// allCalledIR returns the -emit ir form of kgen's all-called program of
// n functions (f_n calls f_{n-1} … f_0: a chain of first calls).
func allCalledIR(tb testing.TB, n int) []byte {
	tb.Helper()
	src := kaleidoscope.SyntheticProgram(n)
	m, diags, _, err := kaleidoscope.CompileOptimized(context.Background(), "s.k", []string{"s.k"}, [][]byte{src}, kaleidoscope.Passes(2))
	if err != nil || len(diags) > 0 {
		tb.Fatalf("%v %v", err, diags)
	}
	return []byte(m.String())
}

// BenchmarkLazyIRAllCalled measures gorc run -lazy on the all-called
// program in this process, beside its eager peer (gorc run): a JIT made,
// the module added, main looked up and run (every function compiled and
// linked, lazily on its first call or all at once), the JIT closed. The
// lazy/eager ratio is issue 10's "all functions called" goal;
// speculate is lazy with Options.Speculate (-speculate).
func BenchmarkLazyIRAllCalled(b *testing.B) {
	for _, n := range []int{1000} {
		src := allCalledIR(b, n)
		for _, mode := range []string{"eager", "lazy", "speculate"} {
			name, lazy := mode, mode != "eager"
			b.Run(name+"-"+strconv.Itoa(n), func(b *testing.B) {
				for b.Loop() {
					ctx := context.Background()
					j, err := jit.New(ctx, jit.Options{Speculate: mode == "speculate"})
					if err != nil {
						b.Fatal(err)
					}
					if lazy {
						err = j.AddLazyIR(ctx, "s.ll", src, 2, jit.PartitionFunction)
					} else {
						err = j.AddIR(ctx, "s.ll", src, 2)
					}
					if err != nil {
						b.Fatal(err)
					}
					addr, err := j.Lookup(ctx, "__anon_expr")
					if err != nil {
						b.Fatal(err)
					}
					c, err := epc.NewCaller(j.EPC)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := c.Call(ctx, addr, epc.CallArgs{}); err != nil {
						b.Fatal(err)
					}
					j.Close(ctx)
				}
			})
		}
	}
}
