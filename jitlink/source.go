package jitlink

import "github.com/gorc-jit/gorc/shared"

// SourceObject is a relocatable object file a graph was read from, kept
// so that a debug object can be made from it once the graph is laid out
// (see orc/objlayer's debug-object plugin): the file's bytes and, for
// each of its section header indices, the blocks that section became.
// Readers keep it only for objects with debug information.
type SourceObject struct {
	Name string
	// Data is the object file. It is read, never written.
	Data []byte
	// Sections[i] is where section header i went: nil for sections that
	// are not loaded (debug info, symbol and string tables, relocations).
	Sections []SourceSection
}

// SourceSection records the blocks one input section became and each
// block's offset in that section (a block's Ordinal may change when
// graphs are merged).
type SourceSection struct {
	Blocks  []*Block
	Offsets []uint64
}

// Addr returns the address the section's start would have given where
// its blocks were placed: the address of the first placed block minus
// its offset in the section. ok is false when no block was placed (the
// section was dead-stripped, or the graph is not laid out yet).
func (s SourceSection) Addr() (addr shared.ExecutorAddr, ok bool) {
	for i, b := range s.Blocks {
		if b.Addr != 0 && b.Addr >= shared.ExecutorAddr(s.Offsets[i]) {
			return b.Addr - shared.ExecutorAddr(s.Offsets[i]), true
		}
	}
	return 0, false
}
