package kaleidoscope_test

import (
	"fmt"

	"github.com/gorc-jit/gorc/kaleidoscope"
)

// ExampleFunctionGenerator generates two definitions one at a time, as a
// lazy JIT does on their first calls: each becomes the only function of
// a module (callees are referenced by name), and its memory is released
// once it has been compiled.
func ExampleFunctionGenerator() {
	p := kaleidoscope.NewParser("lib.k", []byte("def sq(x) x*x;\ndef quad(x) sq(sq(x));\n"))
	p.SetLazyBodies(true) // bodies are parsed on first call
	protos := map[string]*kaleidoscope.Prototype{}
	var defs []*kaleidoscope.FunctionDef
	for {
		item, d := p.Next()
		if d != nil {
			fmt.Println(d)
			return
		}
		if item == nil {
			break
		}
		def := item.(*kaleidoscope.FunctionDef)
		protos[def.Proto.Name] = def.Proto
		defs = append(defs, def)
	}
	fg := kaleidoscope.NewFunctionGenerator("lib", false, func(name string) *kaleidoscope.Prototype { return protos[name] })
	for i := len(defs) - 1; i >= 0; i-- { // quad is called first
		def := defs[i]
		if d := def.ParseBody(); d != nil {
			fmt.Println(d)
			return
		}
		fn, d := fg.Gen("lib.k", def, def.Proto.Name+"$1")
		if d != nil {
			fmt.Println(d)
			return
		}
		fmt.Printf("%s: %d blocks, module of %d function\n", fn.Name, len(fn.Blocks), len(fn.Module.Funcs))
		// ... optimize and compile fn.Module, then:
		fg.Release(fn)
	}
	// Output:
	// quad$1: 1 blocks, module of 1 function
	// sq$1: 1 blocks, module of 1 function
}

// ExampleBodyParser parses skipped bodies one at a time, reusing the
// nodes of each tree for the next: a tree is used (here printed; in a
// JIT, generated to IR) before the next body is parsed.
func ExampleBodyParser() {
	p := kaleidoscope.NewParser("lib.k", []byte("def sq(x) x*x;\ndef quad(x) sq(sq(x));\n"))
	p.SetLazyBodies(true)
	bp := kaleidoscope.NewBodyParser()
	for {
		item, d := p.Next()
		if d != nil {
			fmt.Println(d)
			return
		}
		if item == nil {
			break
		}
		def := *item.(*kaleidoscope.FunctionDef) // a copy, dropped after use
		if d := def.ParseBodyWith(bp); d != nil {
			fmt.Println(d)
			return
		}
		fmt.Println(def.Proto, def.Body)
	}
	// Output:
	// sq(x) (x * x)
	// quad(x) sq(sq(x))
}
