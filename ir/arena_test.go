package ir_test

import (
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// buildSquare builds f(x) = x*x + 1.0 with b into a new function of m.
func buildSquare(t *testing.T, m *ir.Module, b *ir.Builder, name string) *ir.Function {
	t.Helper()
	f, err := m.NewFunction(name, ir.FuncType(ir.F64, []*ir.Type{ir.F64}, false), []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	b.SetInsertPoint(b.NewBlock(f, "entry"))
	x := f.Params[0]
	sq := b.FMul(x, x, "sq")
	b.Ret(b.FAdd(sq, ir.NewFloat(1), "r"))
	return f
}

// TestInstrArenaRecycles: a function built from an arena prints as one
// built on the heap; once its body is dropped and ReleaseInstrs called,
// the next function is built in the same memory, and still prints right;
// a function with a body is not released.
func TestInstrArenaRecycles(t *testing.T) {
	m := ir.NewModule("arena")
	heap := buildSquare(t, m, ir.NewBuilder(), "heap")
	want := strings.ReplaceAll(heap.String(), "@heap", "@NAME")

	a := new(ir.InstrArena)
	b := ir.NewBuilder()
	b.Arena = a
	f1 := buildSquare(t, m, b, "f1")
	if got, w := f1.String(), strings.ReplaceAll(want, "NAME", "f1"); got != w {
		t.Fatalf("arena-built function:\n%s\nwant\n%s", got, w)
	}
	a.Detach(f1)
	first, firstBlock := f1.Blocks[0].Instrs[0], f1.Blocks[0]

	f1.ReleaseInstrs() // still has its body: nothing happens
	if f1.Blocks[0].Instrs[0].Op != ir.OpFMul {
		t.Fatal("ReleaseInstrs released a function that still has a body")
	}
	f1.Blocks = nil
	f1.ReleaseInstrs()

	f2 := buildSquare(t, m, b, "f2")
	if f2.Blocks[0].Instrs[0] != first || f2.Blocks[0] != firstBlock {
		t.Error("the next function was not built in the released memory")
	}
	if got, w := f2.String(), strings.ReplaceAll(want, "NAME", "f2"); got != w {
		t.Fatalf("function built in recycled memory:\n%s\nwant\n%s", got, w)
	}
	a.Detach(f2)
	f2.ReleaseInstrs() // has a body
	f3 := buildSquare(t, m, b, "f3")
	if f3.Blocks[0].Instrs[0] == first {
		t.Error("a function with a body was released")
	}
	heap.Blocks = nil
	heap.ReleaseInstrs() // not built by an arena: nothing to do
}

// buildBranchy builds a function of other shapes than buildSquare's
// (compares, branches, a phi, a call, scratch fields set) with b.
func buildBranchy(t *testing.T, m *ir.Module, b *ir.Builder, name string) *ir.Function {
	t.Helper()
	f, err := m.NewFunction(name, ir.FuncType(ir.F64, []*ir.Type{ir.F64, ir.F64}, false), []string{"x", "y"})
	if err != nil {
		t.Fatal(err)
	}
	entry, then, join := b.NewBlock(f, "entry"), b.NewBlock(f, "then"), b.NewBlock(f, "join")
	b.SetInsertPoint(entry)
	c := b.FCmp(ir.FCmpOLT, f.Params[0], f.Params[1], "c")
	c.ID, c.Aux = 7, "scratch"
	b.CondBr(c, then, join)
	b.SetInsertPoint(then)
	call := b.Call(f, []ir.Value{f.Params[1], f.Params[0]}, "r")
	b.Br(join)
	b.SetInsertPoint(join)
	phi := b.Phi(ir.F64, "p")
	phi.AddIncoming(f.Params[0], entry)
	phi.AddIncoming(call, then)
	b.Ret(phi)
	return f
}

// TestInstrArenaReuseOverwrites: released chunks are not cleared, so a
// function built over another function's instructions and blocks of
// other shapes must still carry none of their fields: it prints as the
// same function built on the heap, and its scratch fields are zero.
func TestInstrArenaReuseOverwrites(t *testing.T) {
	m := ir.NewModule("arena")
	want := strings.ReplaceAll(buildSquare(t, m, ir.NewBuilder(), "heap").String(), "@heap", "@f2")
	a := new(ir.InstrArena)
	b := ir.NewBuilder()
	b.Arena = a
	f1 := buildBranchy(t, m, b, "f1")
	a.Detach(f1)
	old := f1.Blocks[0]
	f1.Blocks = nil
	f1.ReleaseInstrs()
	f2 := buildSquare(t, m, b, "f2")
	a.Detach(f2)
	if f2.Blocks[0] != old {
		t.Fatal("f2 was not built in f1's released memory")
	}
	if got := f2.String(); got != want {
		t.Fatalf("function built over another's memory:\n%s\nwant\n%s", got, want)
	}
	for _, blk := range f2.Blocks {
		if blk.ID != 0 || blk.Index != 0 || blk.Func != f2 {
			t.Errorf("recycled block keeps old fields: ID %d Index %d", blk.ID, blk.Index)
		}
		for _, in := range blk.Instrs {
			if in.ID != 0 || in.Aux != nil || in.Pred != 0 || len(in.Blocks) != 0 || in.Block != blk {
				t.Errorf("recycled instruction keeps old fields: %+v", in)
			}
		}
	}
}

// TestBuilderCallOperands: calls with up to two arguments keep their
// operands inline, longer ones on the heap; both print alike.
func TestBuilderCallOperands(t *testing.T) {
	m := ir.NewModule("calls")
	for n := 0; n <= 4; n++ {
		params := make([]*ir.Type, n)
		args := make([]ir.Value, n)
		for i := range params {
			params[i] = ir.F64
			args[i] = ir.NewFloat(float64(i))
		}
		callee, _ := m.NewFunction("g"+string(rune('0'+n)), ir.FuncType(ir.F64, params, false), nil)
		f, _ := m.NewFunction("f"+string(rune('0'+n)), ir.FuncType(ir.F64, nil, false), nil)
		b := ir.NewBuilder()
		b.SetInsertPoint(b.NewBlock(f, "entry"))
		c := b.Call(callee, args, "c")
		b.Ret(c)
		if len(c.Ops) != n+1 || c.Ops[0] != callee || c.Callee() != callee {
			t.Fatalf("%d args: ops %v", n, c.Ops)
		}
		for i, a := range args {
			if c.Ops[1+i] != a {
				t.Fatalf("%d args: operand %d is %v", n, i, c.Ops[1+i])
			}
		}
	}
	if err := ir.Verify(m); err != nil {
		t.Fatal(err)
	}
}

// TestModuleReserve: reserving room keeps what the module holds and the
// lookups of what is added afterwards.
func TestModuleReserve(t *testing.T) {
	m := ir.NewModule("r")
	g := m.NewStringConstant(".s", "x")
	f0, _ := m.NewFunction("f0", ir.FuncType(ir.F64, nil, false), nil)
	m.Reserve(0)
	m.Reserve(1000)
	f1, _ := m.NewFunction("f1", ir.FuncType(ir.F64, nil, false), nil)
	if m.Lookup("f0") != ir.Value(f0) || m.Lookup("f1") != ir.Value(f1) || m.Lookup(".s") != ir.Value(g) {
		t.Fatal("lookups lost by Reserve")
	}
	if _, err := m.NewFunction("f0", ir.FuncType(ir.F64, nil, false), nil); err == nil {
		t.Error("a second f0 was accepted after Reserve")
	}
	if len(m.Funcs) != 2 || m.Funcs[0] != f0 || m.Funcs[1] != f1 {
		t.Errorf("functions %v", m.Funcs)
	}
}

// TestInstrArenaReusesChunkLists: in a steady state of build, Detach,
// drop, ReleaseInstrs (a lazy JIT's compiles), the arena allocates
// nothing: not the chunks, nor the lists of them a function holds
// (Detach gives the lists away and takes a released function's).
func TestInstrArenaReusesChunkLists(t *testing.T) {
	m := ir.NewModule("arena")
	a := new(ir.InstrArena)
	b := ir.NewBuilder()
	b.Arena = a
	f, err := m.NewFunction("f", ir.FuncType(ir.F64, []*ir.Type{ir.F64}, false), []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	x := f.Params[0]
	cycle := func() {
		b.SetInsertPoint(b.NewBlock(f, "entry"))
		b.Ret(b.FAdd(b.FMul(x, x, "sq"), x, "r"))
		a.Detach(f)
		f.Blocks = f.Blocks[:0]
		f.ReleaseInstrs()
	}
	cycle()
	if n := testing.AllocsPerRun(100, cycle); n != 0 {
		t.Errorf("%.1f allocations per function built and released, want 0", n)
	}
}
