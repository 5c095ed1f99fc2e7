package amd64

import (
	"context"
	"fmt"
	"testing"

	"gorc/ir"
)

// genModule generates n non-trivial Kaleidoscope-like functions: a loop
// with phis and a float compare, arithmetic, a conditional, and calls to
// earlier functions and to an external.
func genModule(n int) *ir.Module {
	m := ir.NewModule("gen")
	ext, _ := m.NewFunction("sin", ir.FuncType(ir.F64, []*ir.Type{ir.F64}, false), nil)
	sig := ir.FuncType(ir.F64, []*ir.Type{ir.F64, ir.F64}, false)
	b := ir.NewBuilder()
	var fns []*ir.Function
	for i := 0; i < n; i++ {
		f, _ := m.NewFunction(fmt.Sprintf("f%d", i), sig, []string{"x", "y"})
		entry, loop, then, els, join, exit := f.NewBlock("entry"), f.NewBlock("loop"), f.NewBlock("then"), f.NewBlock("else"), f.NewBlock("join"), f.NewBlock("exit")
		x, y := f.Params[0], f.Params[1]
		b.SetInsertPoint(entry)
		s0 := b.FMul(x, ir.NewFloat(float64(i%7+1)), "s0")
		b.Br(loop)
		b.SetInsertPoint(loop)
		iv := b.Phi(ir.F64, "i")
		acc := b.Phi(ir.F64, "acc")
		t := b.FAdd(b.FMul(acc, ir.NewFloat(0.5), ""), b.FDiv(iv, y, ""), "t")
		c := b.FCmp(ir.FCmpOLT, t, s0, "c")
		b.CondBr(c, then, els)
		b.SetInsertPoint(then)
		var tv ir.Value = b.FSub(t, x, "tv")
		if len(fns) > 0 {
			tv = b.Call(fns[len(fns)-1], []ir.Value{tv, y}, "call")
		}
		b.Br(join)
		b.SetInsertPoint(els)
		ev := b.Call(ext, []ir.Value{t}, "sin")
		b.Br(join)
		b.SetInsertPoint(join)
		r := b.Phi(ir.F64, "r")
		r.AddIncoming(tv, then)
		r.AddIncoming(ev, els)
		next := b.FAdd(iv, ir.NewFloat(1), "next")
		acc2 := b.FAdd(acc, r, "acc2")
		cc := b.FCmp(ir.FCmpULT, next, ir.NewFloat(10), "cc")
		b.CondBr(cc, loop, exit)
		iv.AddIncoming(ir.NewFloat(0), entry)
		iv.AddIncoming(next, join)
		acc.AddIncoming(s0, entry)
		acc.AddIncoming(acc2, join)
		b.SetInsertPoint(exit)
		b.Ret(b.FMul(acc2, y, "ret"))
		fns = append(fns, f)
	}
	return m
}

func TestGeneratedModuleVerifiesAndCompiles(t *testing.T) {
	m := genModule(50)
	if err := ir.Verify(m); err != nil {
		t.Fatal(err)
	}
	r, err := CompileModule(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Stats.Functions != 50 || r.Stats.Instructions < 50*20 || r.Stats.CodeBytes < 50*60 {
		t.Errorf("stats %+v", r.Stats)
	}
}

func benchCompile(b *testing.B, n int) {
	m := genModule(n)
	b.ReportAllocs()
	b.ResetTimer()
	var st Stats
	for i := 0; i < b.N; i++ {
		r, err := CompileModule(context.Background(), m, Options{})
		if err != nil {
			b.Fatal(err)
		}
		st = r.Stats
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "functions/s")
	b.ReportMetric(float64(st.Instructions), "insts")
	b.ReportMetric(float64(st.CodeBytes), "code-bytes")
}

func BenchmarkCompile500(b *testing.B)  { benchCompile(b, 500) }
func BenchmarkCompile2000(b *testing.B) { benchCompile(b, 2000) }
func BenchmarkCompile4000(b *testing.B) { benchCompile(b, 4000) }
