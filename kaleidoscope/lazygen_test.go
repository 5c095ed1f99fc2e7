package kaleidoscope

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
)

// lazyProgram parses src with lazy bodies and returns its prototypes by
// name (the last definition or extern of each) and its definitions, in
// program order.
func lazyProgram(t *testing.T, src string) (map[string]*Prototype, []*FunctionDef) {
	t.Helper()
	protos := map[string]*Prototype{}
	var defs []*FunctionDef
	p := NewParser("t.k", []byte(src))
	p.SetLazyBodies(true)
	for {
		it, d := p.Next()
		if d != nil {
			t.Fatal(d)
		}
		if it == nil {
			return protos, defs
		}
		var pr *Prototype
		switch it := it.(type) {
		case *Extern:
			pr = it.Proto
		case *FunctionDef:
			if it.TopLevel {
				continue
			}
			pr = it.Proto
			defs = append(defs, it)
		}
		protos[pr.Name] = pr
		if pr.Kind == ProtoBinary {
			p.SetPrecedence(pr.OperatorChar(), pr.Precedence)
		}
	}
}

// freshGen generates def the way a lazy JIT did before FunctionGenerator:
// in a generator of its own, as the only function of a new module.
func freshGen(file string, def *FunctionDef, name string, ssa bool, resolve func(string) *Prototype) (string, *Diagnostic) {
	g := NewGenerator("m")
	g.SSA = ssa
	g.Resolve = resolve
	fn, d := g.Gen(file, def, nil)
	if d != nil {
		return "", d
	}
	fn.Name = name
	return fn.String(), nil
}

// TestFunctionGeneratorLikeFresh: a FunctionGenerator reused for every
// definition of the corpus (at -O0, the tutorial's allocas, and in SSA
// form, each optimized at -O2 too) gives the IR a fresh generator per
// definition gives; a definition with an error in between leaves nothing
// behind; a callee redefined with another number of parameters is seen
// with its new prototype (the generator's tables do not keep the old
// one); and a released function's memory serves the next ones.
func TestFunctionGeneratorLikeFresh(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.k")
	var srcs []string
	for _, f := range files {
		if filepath.Base(f) == "errors.k" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, string(b))
	}
	srcs = append(srcs, string(SyntheticProgram(40)),
		"def f(x) x;\ndef g(x) f(x) + undefinedname;\ndef h(x) f(x) * 2;\ndef k(x) h(x) + nosuch(x);\ndef m(x) h(f(x));\n")
	for _, ssa := range []bool{false, true} {
		for i, src := range srcs {
			protos, defs := lazyProgram(t, src)
			resolve := func(n string) *Prototype { return protos[n] }
			fg := NewFunctionGenerator("m", ssa, resolve)
			for _, def := range defs {
				if d := def.ParseBody(); d != nil {
					t.Fatal(d)
				}
				want, wantD := freshGen("t.k", def, def.Proto.Name+"$1", ssa, resolve)
				fn, d := fg.Gen("t.k", def, def.Proto.Name+"$1")
				if (d == nil) != (wantD == nil) || d != nil && d.Error() != wantD.Error() {
					t.Fatalf("ssa %v, program %d, %s: diagnostic %v, want %v", ssa, i, def.Proto.Name, d, wantD)
				}
				if d != nil {
					continue
				}
				if got := fn.String(); got != want {
					t.Fatalf("ssa %v, program %d, %s: reused generator gives\n%s\nwant\n%s", ssa, i, def.Proto.Name, got, want)
				}
				if len(fn.Module.Funcs) != 1 || fn.Module.Funcs[0] != fn || len(fn.Module.Globals) != 0 {
					t.Fatalf("%s: module holds %d functions, %d globals", def.Proto.Name, len(fn.Module.Funcs), len(fn.Module.Globals))
				}
				if ssa {
					if err := passes.ForLevel(2).RunFunction(fn); err != nil {
						t.Fatal(err)
					}
					if err := ir.VerifyFunction(fn); err != nil {
						t.Fatalf("%s: %v", def.Proto.Name, err)
					}
				}
				fg.Release(fn)
				if !fn.IsDeclaration() {
					t.Fatalf("%s: released function keeps its body", def.Proto.Name)
				}
			}
		}
	}

	// A callee redefined with two parameters: the next definition that
	// calls it is checked against the new prototype.
	protos, defs := lazyProgram(t, "def f(x) x;\ndef g(x) f(x);\ndef h(x) f(x);\n")
	fg := NewFunctionGenerator("m", true, func(n string) *Prototype { return protos[n] })
	for _, def := range defs {
		def.ParseBody()
	}
	if _, d := fg.Gen("t.k", defs[1], "g$1"); d != nil {
		t.Fatal(d)
	}
	protos["f"] = &Prototype{Name: "f", Params: []string{"a", "b"}}
	_, d := fg.Gen("t.k", defs[2], "h$1")
	if d == nil || !strings.Contains(d.Error(), "'f'") {
		t.Fatalf("call of f after its redefinition with 2 parameters: diagnostic %v, want one naming 'f'", d)
	}
}

// callees returns the functions fn calls, in order.
func callees(fn *ir.Function) []*ir.Function {
	var out []*ir.Function
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			if in.Op == ir.OpCall {
				if f, ok := in.Ops[0].(*ir.Function); ok {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// TestFunctionGeneratorReusesDeclarations: once a definition is released,
// the declarations of its callees serve the next definition's (the same
// memory, a callee's new prototype and number of parameters), and never
// while the definition that calls them is live.
func TestFunctionGeneratorReusesDeclarations(t *testing.T) {
	protos, defs := lazyProgram(t, "def f(x) x;\ndef g(x) f(x);\ndef h(x) f(x) + f(1);\ndef k(x) f(x, x);\n")
	fg := NewFunctionGenerator("m", true, func(n string) *Prototype { return protos[n] })
	for _, def := range defs {
		def.ParseBody()
	}
	gen := func(def *FunctionDef) *ir.Function {
		t.Helper()
		fn, d := fg.Gen("t.k", def, def.Proto.Name+"$1")
		if d != nil {
			t.Fatal(d)
		}
		return fn
	}
	g := gen(defs[1])
	fg1 := callees(g)[0]
	list := &g.Blocks[0]
	fg.Release(g)
	h := gen(defs[2])
	if &h.Blocks[0] != list {
		t.Errorf("h's block list is new memory, want g's (released) reused")
	}
	hc := callees(h)
	if len(hc) != 2 || hc[0] != hc[1] {
		t.Fatalf("h calls %v, want f twice through one declaration", hc)
	}
	if hc[0] != fg1 {
		t.Errorf("h's declaration of f is new memory, want g's (released) reused")
	}
	if hc[0].Name != "f" || len(hc[0].Params) != 1 || hc[0].Module != fg.g.Module {
		t.Errorf("reused declaration: %s with %d parameters", hc[0].Name, len(hc[0].Params))
	}
	// Not released: the next Gen releases h first, then reuses.
	protos["f"] = &Prototype{Name: "f", Params: []string{"a", "b"}}
	k := gen(defs[3])
	if want := "call double @f(double %x, double %x)"; !strings.Contains(k.String(), want) {
		t.Fatalf("k after f's redefinition with 2 parameters:\n%s\nwant %q", k, want)
	}
	kc := callees(k)[0]
	fg.Release(k)
	// Back to one parameter: the two-parameter declaration is reused
	// with one.
	protos["f"] = &Prototype{Name: "f", Params: []string{"x"}}
	g = gen(defs[1])
	if c := callees(g)[0]; c != kc || len(c.Params) != 1 || c.Params[0].Index != 0 || c.Params[0].Func != c {
		t.Errorf("g's declaration of f: reused %v, %d parameters", c == kc, len(c.Params))
	}
	if err := ir.VerifyFunction(g); err != nil {
		t.Fatal(err)
	}
}

// TestGenDetachedSharesDeclarationsInBatch: after NewBatch, the functions
// GenDetached makes call one declaration per callee (same name and
// number of parameters), the one the first of them made; a new batch
// makes its own and leaves the earlier batch's as they were; a callee
// redeclared with another number of parameters gets a declaration of its
// own; and a definition with an error does not hand a shared declaration
// to the generator for reuse under another name.
func TestGenDetachedSharesDeclarationsInBatch(t *testing.T) {
	protos, defs := lazyProgram(t, "def f(x) x;\ndef u(x) x;\ndef g(x) f(x) + u(x);\ndef h(x) f(x) + f(1);\ndef bad(x) f(x) + nope(x);\ndef k(x) u(x);\ndef w(x) x;\ndef n(x) w(x);\ndef m(x) f(x, x);\n")
	fg := NewFunctionGenerator("m", true, func(n string) *Prototype { return protos[n] })
	for _, def := range defs {
		def.ParseBody()
	}
	byName := map[string]*FunctionDef{}
	for _, def := range defs {
		byName[def.Proto.Name] = def
	}
	gen := func(name string) *ir.Function {
		t.Helper()
		fn, d := fg.GenDetached("t.k", byName[name], name+"$1")
		if d != nil {
			t.Fatalf("%s: %v", name, d)
		}
		return fn
	}
	decl := func(fn *ir.Function, callee string) *ir.Function {
		t.Helper()
		for _, c := range callees(fn) {
			if c.Name == callee {
				if !c.IsDeclaration() {
					t.Fatalf("%s calls %s, not a declaration", fn.Name, c.Name)
				}
				return c
			}
		}
		t.Fatalf("%s does not call %s:\n%s", fn.Name, callee, fn)
		return nil
	}

	fg.NewBatch()
	g := gen("g")
	h := gen("h")
	if decl(g, "f") != decl(h, "f") {
		t.Errorf("g and h of one batch call f through two declarations, want one")
	}
	if _, d := fg.GenDetached("t.k", byName["bad"], "bad$1"); d == nil {
		t.Fatal("bad: no diagnostic for its call of an unknown function")
	}
	k := gen("k")
	if decl(k, "u") != decl(g, "u") {
		t.Errorf("k calls u through a new declaration, want g's (same batch)")
	}
	// A new callee's declaration: new memory, not the shared f's.
	n := gen("n")
	if decl(n, "w") == decl(h, "f") {
		t.Errorf("n's declaration of w is h's of f, handed for reuse by a definition with an error")
	}
	if got := callees(g)[0]; got.Name != "f" || len(got.Params) != 1 {
		t.Errorf("after a definition with an error, g calls %s with %d parameters, want f with 1", got.Name, len(got.Params))
	}
	protos["f"] = &Prototype{Name: "f", Params: []string{"a", "b"}}
	mfn := gen("m")
	if d := decl(mfn, "f"); d == decl(g, "f") || len(d.Params) != 2 {
		t.Errorf("m calls f (2 parameters) through g's declaration (1), want one of its own")
	}
	if len(decl(g, "f").Params) != 1 {
		t.Errorf("g's declaration of f now has %d parameters, want 1", len(decl(g, "f").Params))
	}
	protos["f"] = defs[0].Proto

	fg.NewBatch()
	h2 := gen("h")
	if decl(h2, "f") == decl(h, "f") {
		t.Errorf("a new batch reuses the previous batch's declaration of f")
	}
	if want := "call double @f(double %x)"; !strings.Contains(g.String(), want) {
		t.Errorf("g of the first batch:\n%s\nwant %q", g, want)
	}
}

// BenchmarkGenDetachedBatch generates SyntheticProgram(256)'s functions
// as a speculating lazy JIT's planner does (GenDetached, batches of 64,
// each batch's functions dropped once generated, as its compile drops
// them), with the batch's declarations shared (NewBatch) and apart.
// B/op and allocs/op are the figures that do not move with the machine's
// load.
func BenchmarkGenDetachedBatch(b *testing.B) {
	src := SyntheticProgram(256)
	protos := map[string]*Prototype{}
	var defs []*FunctionDef
	p := NewParser("s.k", src)
	p.SetLazyBodies(true)
	for {
		it, d := p.Next()
		if d != nil {
			b.Fatal(d)
		}
		if it == nil {
			break
		}
		switch it := it.(type) {
		case *Extern:
			protos[it.Proto.Name] = it.Proto
		case *FunctionDef:
			if it.TopLevel {
				continue
			}
			protos[it.Proto.Name] = it.Proto
			if it.Proto.Kind == ProtoBinary {
				p.SetPrecedence(it.Proto.OperatorChar(), it.Proto.Precedence)
			}
			defs = append(defs, it)
		}
	}
	for _, shared := range []bool{true, false} {
		name := "apart"
		if shared {
			name = "shared"
		}
		b.Run(name, func(b *testing.B) {
			fg := NewFunctionGenerator("m", true, func(n string) *Prototype { return protos[n] })
			var own FunctionDef
			var batch []*ir.Function
			b.ReportAllocs()
			for b.Loop() {
				for i, def := range defs {
					if i%64 == 0 {
						for _, fn := range batch {
							fn.Blocks = nil
							fn.ReleaseInstrs()
						}
						batch = batch[:0]
						if shared {
							fg.NewBatch()
						}
					}
					own = *def
					if d := own.ParseBody(); d != nil {
						b.Fatal(d)
					}
					fn, d := fg.GenDetached("s.k", &own, def.Proto.Name+"$1")
					if d != nil {
						b.Fatal(d)
					}
					batch = append(batch, fn)
				}
			}
		})
	}
}
