package amd64_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

// BenchmarkFarDataLink links a .text block of 40 functions of 100
// instructions ("mov ext(%rip), %rax"; a large block, as objects built
// without -ffunction-sections have) where one instruction, in the third
// function, reaches a far external: the instruction is found by decoding
// that function from its start up to it, not the whole block.
func BenchmarkFarDataLink(b *testing.B) {
	const n = 4000
	insn := []byte{0x48, 0x8b, 0x05, 0, 0, 0, 0}
	code := make([]byte, 0, n*len(insn)+1)
	for range n {
		code = append(code, insn...)
	}
	code = append(code, 0xc3)
	b.ReportAllocs()
	for b.Loop() {
		g := jitlink.NewLinkGraph("far.o", amd64.Arch)
		sec := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
		blk := g.AddContentBlock(sec, append([]byte(nil), code...), 16, 0)
		for f := range n / 100 {
			g.AddDefinedSymbol(blk, uint64(f*100*len(insn)), fmt.Sprintf("f%d", f), 100*uint64(len(insn)), jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
		}
		blk.AddEdge(amd64.Delta32, uint64(250*len(insn)+3), g.AddExternalSymbol("ext", false), -4)
		mm := jitlinktest.NewMemoryManager(0x10000)
		lc := &jitlinktest.Context{MM: mm, Symbols: map[string]shared.ExecutorAddr{"ext": 0x7fff_0000_1000}}
		if err := jitlink.Link(context.Background(), g, lc); err != nil {
			b.Fatal(err)
		}
	}
}
