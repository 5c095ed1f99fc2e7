package kaleidoscope_test

import (
	"fmt"

	"github.com/gorc-jit/gorc/kaleidoscope"
)

// Parse a source in two segments, cut where a line starts with def: the
// second parser starts with the precedences the first one ends with (here
// after the operator '|' is defined) and reports positions in the whole
// source.
func ExampleParser_Segment() {
	src := []byte("def binary| 5 (a b) a + b;\ndef f(x) x | 1;\n# the second half\ndef g(x) x |;\n")
	cut := kaleidoscope.ItemStart(src, len(src)/2)
	p := kaleidoscope.NewParser("two.k", src)
	p.SetEnd(cut)
	print := func(p *kaleidoscope.Parser) {
		for {
			item, d := p.Next()
			if d != nil {
				fmt.Println(d)
				continue
			}
			if item == nil {
				return
			}
			def := item.(*kaleidoscope.FunctionDef)
			fmt.Println(def.Proto.Name, def.Body)
			if def.Proto.Kind == kaleidoscope.ProtoBinary {
				p.SetPrecedence(def.Proto.OperatorChar(), def.Proto.Precedence)
			}
		}
	}
	print(p)
	fmt.Println("-- from offset", cut)
	print(p.Segment(cut, -1))
	// Output:
	// binary| (a + b)
	// f (x | 1)
	// -- from offset 61
	// two.k:4:13: error: expected an expression, found ';'
}
