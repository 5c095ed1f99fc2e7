package amd64

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// TestRandomPrograms is a differential test of the whole backend and
// especially the register allocator: random functions (a loop with
// integer and double accumulators carried in phis, a body mixing integer
// and float arithmetic, compares, selects, conversions, calls that
// clobber registers, and many simultaneously live values) are built with
// the IR builder, compiled, linked with gcc and run; the results must be
// bit-identical to a Go interpretation of the same program.

type rop struct {
	kind  int // see genRandom
	x, y  int // operand indexes into the value pool
	c     int64
	f     float64
	isInt bool
}

type rfunc struct {
	name  string
	iters int64
	nAccF int
	nAccI int
	body  []rop // computes pool values; accumulators are updated from the last values
	upd   []int // for each accumulator, the pool index of its next value
}

const (
	rFAdd = iota
	rFSub
	rFMul
	rFDivC
	rIAdd
	rISub
	rIMul
	rIXor
	rIAnd
	rIShl
	rIAShr
	rSIToFP
	rFSelect // f = x < y (float) ? x : y
	rISelect // i = x < y (int) ? x : y
	rCall    // f = ext(x)
	rFConst
	rIConst
	rKinds
)

func genRandom(r *rand.Rand, name string) *rfunc {
	f := &rfunc{name: name, iters: int64(1 + r.Intn(6)), nAccF: 1 + r.Intn(4), nAccI: 1 + r.Intn(4)}
	// Pool layout: 0,1 double params, 2,3 int params, then accumulators
	// (doubles, then ints), the loop counter, then body values.
	types := []bool{false, false, true, true}
	for i := 0; i < f.nAccF; i++ {
		types = append(types, false)
	}
	for i := 0; i < f.nAccI; i++ {
		types = append(types, true)
	}
	types = append(types, true) // counter
	pick := func(isInt bool) int {
		for {
			k := r.Intn(len(types))
			if types[k] == isInt {
				return k
			}
		}
	}
	n := 10 + r.Intn(50)
	for i := 0; i < n; i++ {
		op := rop{kind: r.Intn(rKinds)}
		switch op.kind {
		case rFAdd, rFSub, rFMul, rFSelect:
			op.x, op.y = pick(false), pick(false)
		case rFDivC:
			op.x = pick(false)
			op.f = float64(r.Intn(9)+1) * 0.5
		case rIAdd, rISub, rIMul, rIXor, rIAnd, rISelect:
			op.x, op.y, op.isInt = pick(true), pick(true), true
		case rIShl, rIAShr:
			op.x, op.c, op.isInt = pick(true), int64(r.Intn(8)), true
		case rSIToFP:
			op.x = pick(true)
		case rCall:
			op.x = pick(false)
		case rFConst:
			op.f = float64(r.Intn(100)) / 8
		case rIConst:
			op.c, op.isInt = int64(r.Intn(1000)-500), true
		}
		f.body = append(f.body, op)
		types = append(types, op.isInt)
	}
	for i := 0; i < f.nAccF+f.nAccI; i++ {
		f.upd = append(f.upd, pick(i >= f.nAccF))
	}
	return f
}

func ext(x float64) float64 { return x*0.5 + 1 }

func (f *rfunc) interpret(a, b float64, i, j int64) (float64, int64) {
	type val struct {
		f float64
		i int64
	}
	accs := make([]val, f.nAccF+f.nAccI)
	for k := range accs {
		if k < f.nAccF {
			accs[k].f = float64(k) + 0.25
		} else {
			accs[k].i = int64(k)
		}
	}
	for it := int64(0); it < f.iters; it++ {
		pool := []val{{f: a}, {f: b}, {i: i}, {i: j}}
		pool = append(pool, accs...)
		pool = append(pool, val{i: it})
		for _, op := range f.body {
			x, y := pool[op.x], pool[op.y]
			var v val
			switch op.kind {
			case rFAdd:
				v.f = x.f + y.f
			case rFSub:
				v.f = x.f - y.f
			case rFMul:
				v.f = x.f * y.f
			case rFDivC:
				v.f = x.f / op.f
			case rIAdd:
				v.i = x.i + y.i
			case rISub:
				v.i = x.i - y.i
			case rIMul:
				v.i = x.i * y.i
			case rIXor:
				v.i = x.i ^ y.i
			case rIAnd:
				v.i = x.i & y.i
			case rIShl:
				v.i = x.i << uint(op.c)
			case rIAShr:
				v.i = x.i >> uint(op.c)
			case rSIToFP:
				v.f = float64(x.i)
			case rFSelect:
				if x.f < y.f {
					v.f = x.f
				} else {
					v.f = y.f
				}
			case rISelect:
				if x.i < y.i {
					v.i = x.i
				} else {
					v.i = y.i
				}
			case rCall:
				v.f = ext(x.f)
			case rFConst:
				v.f = op.f
			case rIConst:
				v.i = op.c
			}
			pool = append(pool, v)
		}
		for k, u := range f.upd {
			accs[k] = pool[u]
		}
	}
	var sf float64
	var si int64
	for k, v := range accs {
		if k < f.nAccF {
			sf = sf*3 + v.f
		} else {
			si = si*7 + v.i
		}
	}
	return sf, si
}

// build emits the function: double NAME(double a, double b, i64 i, i64 j,
// ptr out) returning the float result and storing the int result to *out.
func (f *rfunc) build(m *ir.Module, extFn *ir.Function) {
	fn, _ := m.NewFunction(f.name, ir.FuncType(ir.F64, []*ir.Type{ir.F64, ir.F64, ir.I64, ir.I64, ir.Ptr}, false), []string{"a", "b", "i", "j", "out"})
	bld := ir.NewBuilder()
	entry, loop, exit := fn.NewBlock("entry"), fn.NewBlock("loop"), fn.NewBlock("exit")
	bld.SetInsertPoint(entry)
	bld.Br(loop)
	bld.SetInsertPoint(loop)
	var accs []*ir.Instr
	for k := 0; k < f.nAccF+f.nAccI; k++ {
		if k < f.nAccF {
			p := bld.Phi(ir.F64, fmt.Sprintf("af%d", k))
			p.AddIncoming(ir.NewFloat(float64(k)+0.25), entry)
			accs = append(accs, p)
		} else {
			p := bld.Phi(ir.I64, fmt.Sprintf("ai%d", k))
			p.AddIncoming(ir.NewInt(ir.I64, int64(k)), entry)
			accs = append(accs, p)
		}
	}
	ctr := bld.Phi(ir.I64, "k")
	ctr.AddIncoming(ir.NewInt(ir.I64, 0), entry)
	pool := []ir.Value{fn.Params[0], fn.Params[1], fn.Params[2], fn.Params[3]}
	for _, a := range accs {
		pool = append(pool, a)
	}
	pool = append(pool, ctr)
	for _, op := range f.body {
		x, y := pool[op.x], pool[op.y]
		var v ir.Value
		switch op.kind {
		case rFAdd:
			v = bld.FAdd(x, y, "")
		case rFSub:
			v = bld.FSub(x, y, "")
		case rFMul:
			v = bld.FMul(x, y, "")
		case rFDivC:
			v = bld.FDiv(x, ir.NewFloat(op.f), "")
		case rIAdd:
			v = bld.Add(x, y, "")
		case rISub:
			v = bld.Sub(x, y, "")
		case rIMul:
			v = bld.Mul(x, y, "")
		case rIXor:
			v = bld.Binary(ir.OpXor, x, y, "")
		case rIAnd:
			v = bld.Binary(ir.OpAnd, x, y, "")
		case rIShl:
			v = bld.Binary(ir.OpShl, x, ir.NewInt(ir.I64, op.c), "")
		case rIAShr:
			v = bld.Binary(ir.OpAShr, x, ir.NewInt(ir.I64, op.c), "")
		case rSIToFP:
			v = bld.Cast(ir.OpSIToFP, x, ir.F64, "")
		case rFSelect:
			v = bld.Select(bld.FCmp(ir.FCmpOLT, x, y, ""), x, y, "")
		case rISelect:
			v = bld.Select(bld.ICmp(ir.ICmpSLT, x, y, ""), x, y, "")
		case rCall:
			v = bld.Call(extFn, []ir.Value{x}, "")
		case rFConst:
			v = bld.FAdd(ir.NewFloat(op.f), ir.NewFloat(0), "") // a constant computed at run time
		case rIConst:
			v = bld.Add(ir.NewInt(ir.I64, op.c), ir.NewInt(ir.I64, 0), "")
		}
		pool = append(pool, v)
	}
	next := bld.Add(ctr, ir.NewInt(ir.I64, 1), "k1")
	for k, u := range f.upd {
		accs[k].AddIncoming(pool[u], loop)
	}
	ctr.AddIncoming(next, loop)
	c := bld.ICmp(ir.ICmpSLT, next, ir.NewInt(ir.I64, f.iters), "more")
	bld.CondBr(c, loop, exit)
	bld.SetInsertPoint(exit)
	var sf ir.Value = ir.NewFloat(0)
	var si ir.Value = ir.NewInt(ir.I64, 0)
	for k, a := range accs {
		v := ir.Value(pool[f.upd[k]])
		_ = a
		if k < f.nAccF {
			sf = bld.FAdd(bld.FMul(sf, ir.NewFloat(3), ""), v, "")
		} else {
			si = bld.Add(bld.Mul(si, ir.NewInt(ir.I64, 7), ""), v, "")
		}
	}
	bld.Store(si, fn.Params[4])
	bld.Ret(sf)
}

func TestRandomPrograms(t *testing.T) {
	r := rand.New(rand.NewSource(20261122))
	m := ir.NewModule("random")
	extFn, _ := m.NewFunction("ext", ir.FuncType(ir.F64, []*ir.Type{ir.F64}, false), nil)
	var fs []*rfunc
	for i := 0; i < 60; i++ {
		f := genRandom(r, fmt.Sprintf("r%d", i))
		f.build(m, extFn)
		fs = append(fs, f)
	}
	res, err := CompileModule(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Spills == 0 {
		t.Error("the random programs did not exercise spilling")
	}
	inputs := [][4]float64{{1.5, -2.25, 3, -7}, {0.1, 100, -1000, 12345}}
	var decls, calls strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&decls, "double %s(double, double, long long, long long, long long *);\n", f.name)
		for _, in := range inputs {
			fmt.Fprintf(&calls, "\t{ long long o; double d = %s(%v, %v, %dLL, %dLL, &o); pd(d); pi(o); }\n", f.name, in[0], in[1], int64(in[2]), int64(in[3]))
		}
	}
	out := runC(t, m, decls.String()+"double ext(double x) { return x * 0.5 + 1; }\nint main(void) {\n"+calls.String()+"\treturn 0;\n}\n")
	var want []string
	for _, f := range fs {
		for _, in := range inputs {
			d, o := f.interpret(in[0], in[1], int64(in[2]), int64(in[3]))
			want = append(want, hexf(d), fmt.Sprint(o))
		}
	}
	expectLines(t, out, want)
}

// TestCallCrossingShortCutRandom is TestCallCrossingShortCut on random
// functions, whose integer values (which the Kaleidoscope programs do
// not have) and many doubles live across calls: the objects are the same
// with the full search.
func TestCallCrossingShortCutRandom(t *testing.T) {
	build := func() *ir.Module {
		r := rand.New(rand.NewSource(20261207))
		m := ir.NewModule("random")
		extFn, _ := m.NewFunction("ext", ir.FuncType(ir.F64, []*ir.Type{ir.F64}, false), nil)
		for i := 0; i < 200; i++ {
			genRandom(r, fmt.Sprintf("r%d", i)).build(m, extFn)
		}
		return m
	}
	short, err := Compile(build(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	fullSearch = true
	defer func() { fullSearch = false }()
	full, err := Compile(build(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(short, full) {
		t.Error("the object of the random functions differs from the full search's")
	}
}
