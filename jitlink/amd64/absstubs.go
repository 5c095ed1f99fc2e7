package amd64

import (
	"fmt"
	"strings"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// AbsStubsSectionName is the section of the stubs AbsoluteStubs creates.
const AbsStubsSectionName = "$__GORC_ABS32_STUBS"

type absStubKey struct{}

// absStub is a stub made for an absolute 32-bit reference to an external.
type absStub struct {
	stub, target *jitlink.Symbol
	edges        []*jitlink.Edge
}

// AbsoluteStubs is a post-prune pass that gives every absolute 32-bit
// reference (R_X86_64_32/32S, in non-PIC small-model code) to an external
// symbol a stub in this graph, which lies below 2 GiB: a static linker
// does the same for a non-PIE executable (the PLT entry is the function's
// canonical address), since a shared library's functions are far above
// 4 GiB. BypassAbsoluteStubs points the references back at the target
// when its address fits. The stub is AddPointer + AddPointerJumpStub.
func AbsoluteStubs(g *jitlink.LinkGraph) error {
	var stubs map[*jitlink.Symbol]*absStub
	var sec *jitlink.Section
	for _, s := range g.Sections {
		for _, b := range s.Blocks {
			for i := range b.Edges {
				e := &b.Edges[i]
				if (e.Kind != Pointer32 && e.Kind != Pointer32Signed) || e.Target.Kind != jitlink.SymExternal {
					continue
				}
				if stubs == nil {
					stubs = map[*jitlink.Symbol]*absStub{}
				}
				st := stubs[e.Target]
				if st == nil {
					if sec == nil {
						sec = g.AddSection(AbsStubsSectionName, shared.ProtRead|shared.ProtExec, jitlink.SectionSynthetic)
					}
					stub := AddPointerJumpStub(g, sec, AddPointer(g, sec, e.Target, 0))
					stub.Live = true
					st = &absStub{stub: stub, target: e.Target}
					stubs[e.Target] = st
				}
				e.Target = st.stub
				st.edges = append(st.edges, e)
			}
		}
	}
	if stubs != nil {
		if g.Scratch == nil {
			g.Scratch = map[any]any{}
		}
		g.Scratch[absStubKey{}] = stubs
	}
	return nil
}

// isCXXData reports Itanium C++ ABI names of data objects (typeinfo,
// typeinfo names, vtables, VTTs), which a stub cannot stand in for.
func isCXXData(name string) bool {
	for _, p := range []string{"_ZTI", "_ZTS", "_ZTV", "_ZTT"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// BypassAbsoluteStubs is a pre-fixup pass that lets the absolute
// references AbsoluteStubs redirected reach their target directly when
// its address fits the field (e.g. a weak reference that resolved to 0,
// or a symbol in low memory). A reference to C++ runtime data that does
// not fit is an error (a stub cannot stand in for data).
func BypassAbsoluteStubs(g *jitlink.LinkGraph) error {
	stubs, _ := g.Scratch[absStubKey{}].(map[*jitlink.Symbol]*absStub)
	for _, st := range stubs {
		for _, e := range st.edges {
			v := int64(st.target.Address()) + e.Addend
			if v >= 0 && v <= 0x7fffffff {
				e.Target = st.target
				continue
			}
			if isCXXData(st.target.Name) {
				return fmt.Errorf("non-PIC code refers to %s (C++ runtime data, at %v) with an absolute 32-bit relocation; a static linker would copy it into the executable (copy relocation), which a JIT cannot do: compile with -fPIE or -fPIC", st.target.Name, st.target.Address())
			}
		}
	}
	return nil
}
