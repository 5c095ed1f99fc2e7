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
