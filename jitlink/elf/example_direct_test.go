package elf_test

import (
	"fmt"

	jelf "github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/objfile/elfw"

	_ "github.com/gorc-jit/gorc/target" // registers the architectures with the ELF reader
)

// Build the link graph of an object straight from the writer that holds
// it, as the JIT does with its backend's output: no ELF bytes are written
// or read.
func ExampleFromWriter() {
	w := elfw.New()
	text := w.Text()
	// f: call g; ret
	text.Append([]byte{0xe8, 0, 0, 0, 0, 0xc3})
	if _, err := w.AddSymbol(elfw.Symbol{Name: "f", Section: text, Size: 6, Bind: elfw.BindGlobal, Type: elfw.TypeFunc}); err != nil {
		fmt.Println(err)
		return
	}
	g, err := w.AddSymbol(elfw.Symbol{Name: "g", Bind: elfw.BindGlobal})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := text.AddReloc(1, elfw.R_X86_64_PLT32, g, -4); err != nil {
		fmt.Println(err)
		return
	}
	graph, err := jelf.FromWriter("f.o", w)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range graph.Symbols {
		fmt.Printf("defines %s in %s (%d bytes)\n", s.Name, s.Block.Section.Name, s.Size)
		for _, e := range s.Block.Edges {
			fmt.Printf("  at +%d: %s -> %s%+d\n", e.Offset, graph.EdgeKindName(e.Kind), e.Target.Name, e.Addend)
		}
	}
	// Output:
	// defines f in .text (6 bytes)
	//   at +1: BranchPCRel32 -> g-4
}
