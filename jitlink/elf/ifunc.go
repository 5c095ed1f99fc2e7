package elf

import (
	"fmt"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// Section names of the indirect-function stubs and their slots.
const (
	ifuncTextSection = ".text.gorc.ifunc"
	ifuncDataSection = ".data.gorc.ifunc"
)

// ifuncKey finds, in LinkGraph.Scratch, the stub of the resolver at off
// in block b.
type ifuncKey struct {
	b   *jitlink.Block
	off uint64
}

// addIFunc defines the indirect function name (an STT_GNU_IFUNC symbol,
// an IR ifunc) whose resolver is at off in b: the name goes to a stub
// made by the architecture (jitlink.IFuncArch), which runs the resolver
// on the first call and jumps through the address it returned ever
// after. Every reference to the name — calls, GOT loads, address-taken
// uses in data — reaches the stub, so the function's address is one
// value for the whole program. It returns an error when the
// architecture has no ifunc stub.
func addIFunc(g *jitlink.LinkGraph, b *jitlink.Block, off uint64, name string, l jitlink.Linkage, s jitlink.Scope, live bool) (*jitlink.Symbol, error) {
	ia, ok := g.Arch.(jitlink.IFuncArch)
	if !ok {
		return nil, fmt.Errorf("indirect functions are not supported on %s", g.Arch.Name())
	}
	text := g.FindSection(ifuncTextSection)
	if text == nil {
		text = g.AddSection(ifuncTextSection, shared.ProtRead|shared.ProtExec, 0)
	}
	data := g.FindSection(ifuncDataSection)
	if data == nil {
		data = g.AddSection(ifuncDataSection, shared.ProtRead|shared.ProtWrite, 0)
	}
	// Names of one resolver (an alias of an ifunc, gcc's ifunc
	// attribute on two declarations) share one stub: one address.
	if g.Scratch == nil {
		g.Scratch = map[any]any{}
	}
	key := ifuncKey{b, off}
	stub, _ := g.Scratch[key].(*jitlink.Symbol)
	if stub == nil {
		resolver := g.AddAnonymousSymbol(b, off, 0)
		stub = ia.AddIFuncStub(g, text, data, resolver)
		g.Scratch[key] = stub
	}
	return g.AddDefinedSymbol(stub.Block, stub.Offset, name, stub.Size, l, s, true, live), nil
}

// dropIFuncKeys removes addIFunc's keys from g.Scratch once the reader
// has read every symbol, leaving it nil if nothing else is there (a graph
// with scratch state is not merged with others: orc/objlayer).
func dropIFuncKeys(g *jitlink.LinkGraph) {
	if g.Scratch == nil {
		return
	}
	for k := range g.Scratch {
		if _, ok := k.(ifuncKey); ok {
			delete(g.Scratch, k)
		}
	}
	if len(g.Scratch) == 0 {
		g.Scratch = nil
	}
}
