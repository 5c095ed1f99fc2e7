package objlayer

import (
	"encoding/binary"
	"fmt"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// debugObjectSection holds the debug objects of a graph: copies of the
// graph's source objects (those with DWARF) whose section headers say
// where the linker placed each section.
const debugObjectSection = "$__GORC_DEBUG_OBJECT"

// GDBPlugin makes JIT'd code visible to debuggers through the GDB JIT
// interface, as LLVM's DebugObjectManagerPlugin does for ELF: for each
// object with debug information that a graph was read from, it copies the
// object into the graph's own (read-only) memory, sets the sh_addr of
// every loaded section to the address the linker gave it, and registers
// the copy with the executor's __jit_debug_descriptor when the graph is
// finalized. The debugger relocates the debug sections itself against
// those addresses (gdb and lldb do so for relocatable objects). Removing
// the graph's resource tracker deregisters the object (a deallocation
// action) before its memory is freed.
//
// Objects without debug information are not registered (see
// elf.Parse, which keeps only objects with .debug_* sections).
type GDBPlugin struct {
	e epc.ExecutorProcessControl
}

// NewGDBPlugin returns the plugin for links whose code runs in e. With an
// executor that lacks the registration services it does nothing.
func NewGDBPlugin(e epc.ExecutorProcessControl) *GDBPlugin {
	return &GDBPlugin{e: e}
}

// ModifyPassConfig implements Plugin.
func (p *GDBPlugin) ModifyPassConfig(_ *orc.MaterializationResponsibility, g *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error {
	if len(g.Sources) == 0 || !epc.HasService(p.e, epc.GDBRegisterName) || !epc.HasService(p.e, epc.GDBDeregisterName) {
		return nil
	}
	var objs []debugObject
	// After dead-stripping (so the copies are not stripped) and before
	// allocation (so they get memory with the code).
	cfg.PostPrune = append(cfg.PostPrune, func(g *jitlink.LinkGraph) error {
		sec := g.AddSection(debugObjectSection, shared.ProtRead, jitlink.SectionSynthetic)
		for _, src := range g.Sources {
			if err := checkDebugSource(src); err != nil {
				return err
			}
			data := make([]byte, len(src.Data))
			copy(data, src.Data)
			objs = append(objs, debugObject{src: src, b: g.AddMutableContentBlock(sec, data, 8, 0)})
		}
		return nil
	})
	// Addresses are known after allocation; the block's content is its
	// working memory from then on.
	cfg.PostAllocation = append(cfg.PostAllocation, func(g *jitlink.LinkGraph) error {
		for _, o := range objs {
			patchSectionAddrs(o.b.Content, o.src)
		}
		return nil
	})
	cfg.PostFixup = append(cfg.PostFixup, func(g *jitlink.LinkGraph) error {
		for _, o := range objs {
			a, err := epc.GDBRegisterActions(p.e, o.b.Range())
			if err != nil {
				return fmt.Errorf("debug object of %s: %w", o.src.Name, err)
			}
			g.AllocActions = append(g.AllocActions, a)
		}
		return nil
	})
	return nil
}

// NotifyEmitted implements Plugin.
func (p *GDBPlugin) NotifyEmitted(*orc.MaterializationResponsibility, *jitlink.LinkGraph) error {
	return nil
}

type debugObject struct {
	src *jitlink.SourceObject
	b   *jitlink.Block
}

// ELF64 header and section header offsets used below.
const (
	ehShoff     = 40
	ehShnum     = 60
	shSize      = 64
	shAddrField = 16
)

// sectionHeaders returns the offset and count of the section header
// table of the ELF64 image d, or an error naming what is wrong.
func sectionHeaders(d []byte) (off, n uint64, err error) {
	if len(d) < 64 || string(d[:4]) != "\x7fELF" {
		return 0, 0, fmt.Errorf("not an ELF64 image")
	}
	le := binary.LittleEndian
	off = le.Uint64(d[ehShoff:])
	n = uint64(le.Uint16(d[ehShnum:]))
	if off > uint64(len(d)) || uint64(len(d))-off < shSize {
		return 0, 0, fmt.Errorf("section header table at %#x is past the end (%d bytes)", off, len(d))
	}
	if n == 0 {
		n = le.Uint64(d[off+32:]) // extended numbering: sh_size of header 0
	}
	if n > (uint64(len(d))-off)/shSize {
		return 0, 0, fmt.Errorf("section header table (%d entries at %#x) extends past the end (%d bytes)", n, off, len(d))
	}
	return off, n, nil
}

// checkDebugSource verifies that the source's section table matches its
// bytes (the reader built both from the same file; this guards a caller
// that filled Sources by hand).
func checkDebugSource(src *jitlink.SourceObject) error {
	_, n, err := sectionHeaders(src.Data)
	if err != nil {
		return fmt.Errorf("debug object of %s: %w", src.Name, err)
	}
	if uint64(len(src.Sections)) > n {
		return fmt.Errorf("debug object of %s: %d sections recorded, the file has %d", src.Name, len(src.Sections), n)
	}
	return nil
}

// patchSectionAddrs sets sh_addr of every section of the image d that
// was placed in memory to its address. A loaded section that was not
// placed (dead-stripped, or the losing copy of a weak or COMDAT
// definition) keeps address 0: gdb lists its functions as a pending
// location and stops at the placed copy. (Clearing its SHF_ALLOC, as
// --gc-sections output would look, makes gdb 13 crash.)
func patchSectionAddrs(d []byte, src *jitlink.SourceObject) {
	off, _, err := sectionHeaders(d)
	if err != nil {
		return // checked in checkDebugSource
	}
	for i, s := range src.Sections {
		if a, ok := s.Addr(); ok {
			binary.LittleEndian.PutUint64(d[off+uint64(i)*shSize+shAddrField:], uint64(a))
		}
	}
}
