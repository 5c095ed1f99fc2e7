package jit

import (
	"context"
	"testing"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/target"
)

// lazyIRModule returns the lazy module AddLazyIR makes of the -emit ir
// form of SyntheticProgram(n) (bodies not parsed), without a session:
// only what its compile needs, and its functions' names in order.
func lazyIRModule(tb testing.TB, n, opt int) (*lazyModule, []orc.SymbolName) {
	tb.Helper()
	tg, err := target.Host()
	if err != nil {
		tb.Fatal(err)
	}
	src := kaleidoscope.SyntheticProgram(n)
	m, diags, _, err := kaleidoscope.CompileOptimized(context.Background(), "s.k", []string{"s.k"}, [][]byte{src}, kaleidoscope.Passes(2))
	if err != nil || len(diags) > 0 {
		tb.Fatalf("%v %v", err, diags)
	}
	m, pending, err := ir.ParseLazy("s.ll", []byte(m.String()))
	if err != nil {
		tb.Fatal(err)
	}
	pool := orc.NewSymbolStringPool()
	lm := &lazyModule{j: &JIT{Target: tg}, name: "s.ll", opt: opt, bodies: pending, fns: map[orc.SymbolName]*ir.Function{}}
	var names []orc.SymbolName
	for _, f := range m.Funcs {
		if pending.Pending(f) {
			sn := pool.Intern(f.Name)
			lm.fns[sn] = f
			names = append(names, sn)
		}
	}
	return lm, names
}

// BenchmarkLazyCompileIR measures the compile half of a lazy first call
// in gorc run -lazy FILE.ll: one small function of a module (the -emit ir
// form of the synthetic Kaleidoscope program, bodies skipped by the
// parser) parsed, verified, optimized at -O2 and compiled to the link
// graph handed to the linker — lazyModule.compile, one function per op,
// each function once.
func BenchmarkLazyCompileIR(b *testing.B) {
	lm, names := lazyIRModule(b, b.N+8, 2)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := lm.compile(ctx, names[4+i:5+i]); err != nil {
			b.Fatal(err)
		}
	}
}
