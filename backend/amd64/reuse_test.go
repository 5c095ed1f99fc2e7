package amd64_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/backend/amd64"
	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/kaleidoscope"
)

// TestCompileModuleReuseIsStateless compiles every function of the
// Kaleidoscope corpus as a one-function module (as a lazy JIT does)
// three ways — in order, in reverse order and from 4 goroutines at once —
// and checks that each function's object is the same every time:
// compilers reused between modules (CompileModule keeps them) carry
// nothing from one function or module to the next.
func TestCompileModuleReuseIsStateless(t *testing.T) {
	type prog struct {
		name string
		src  []byte
	}
	var progs []prog
	for _, name := range []string{"mandel", "fib", "loops", "var", "operators", "basics"} {
		p, src, _ := corpusProgram(t, name)
		progs = append(progs, prog{p, src})
	}
	// modules compiles the corpus again (a module must not be compiled
	// by two goroutines at once: it uses the IR's scratch IDs) and puts
	// each function in a module of its own.
	modules := func() []*ir.Module {
		var out []*ir.Module
		for _, p := range progs {
			m, diags, err := kaleidoscope.Compile(context.Background(), p.name, []string{p.name}, [][]byte{p.src})
			if err != nil || m == nil {
				t.Errorf("%s: %v %v", p.name, err, diags)
				return nil
			}
			if err := passes.ForLevel(2).Run(context.Background(), m); err != nil {
				t.Error(err)
				return nil
			}
			for _, f := range m.Funcs {
				if !f.IsDeclaration() {
					pm := ir.NewModule(f.Name)
					pm.Funcs = []*ir.Function{f}
					f.Module = pm
					out = append(out, pm)
				}
			}
		}
		return out
	}
	compile := func(m *ir.Module) []byte {
		obj, err := amd64.Compile(m, amd64.Options{OmitGlobals: true})
		if err != nil {
			t.Errorf("%s: %v", m.Name, err)
		}
		return obj
	}
	mods := modules()
	if len(mods) < 20 {
		t.Fatalf("only %d functions", len(mods))
	}
	want := make([][]byte, len(mods))
	for i, m := range mods {
		want[i] = compile(m)
	}
	mods = modules()
	for i := len(mods) - 1; i >= 0; i-- {
		if got := compile(mods[i]); !bytes.Equal(got, want[i]) {
			t.Errorf("%s: compiled in reverse order, the object differs", mods[i].Name)
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			mods := modules()
			for k := range mods {
				i := (k*7 + g*5) % len(mods)
				if got := compile(mods[i]); !bytes.Equal(got, want[i]) {
					t.Errorf("%s: compiled concurrently, the object differs", mods[i].Name)
				}
			}
		}(g)
	}
	wg.Wait()
}

// TestOneFunctionModuleAllocs: compiling a function of the synthetic
// program as a module of its own (a lazy first call's compile) and
// releasing the result allocates only what the object keeps — its code,
// its constants, its .eh_frame — and the Result: 4 allocations, where
// the code buffer's up-front estimate (too short, so grown once), a
// second array for the constants, a copy of the unwind events and the
// register allocator's layout index made it 8.
func TestOneFunctionModuleAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	ctx := context.Background()
	m, diags, err := kaleidoscope.Compile(ctx, "s.k", []string{"s.k"}, [][]byte{kaleidoscope.SyntheticProgram(8)})
	if err != nil || len(diags) != 0 {
		t.Fatalf("%v %v", err, diags)
	}
	if err := passes.ForLevel(2).Run(ctx, m); err != nil {
		t.Fatal(err)
	}
	f := m.Func("f5")
	pm := ir.NewModule("s.k")
	pm.Funcs = []*ir.Function{f}
	f.Module = pm
	opts := amd64.Options{SourceName: "s.k", OmitGlobals: true, NoObject: true}
	var code int
	n := testing.AllocsPerRun(100, func() {
		r, err := amd64.CompileModule(ctx, pm, opts)
		if err != nil {
			t.Fatal(err)
		}
		code = r.Stats.CodeBytes
		r.Release()
	})
	t.Logf("%.0f allocations per one-function module (%d bytes of code)", n, code)
	if n > 4 {
		t.Errorf("%.0f allocations per one-function module, want at most 4 (8 before the code buffer was sized by machine instructions)", n)
	}
}
