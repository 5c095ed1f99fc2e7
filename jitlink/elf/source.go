package elf

import (
	"strings"

	"github.com/gorc-jit/gorc/jitlink"
)

// keepSource records the object in the graph's Sources when it carries
// DWARF debug information (.debug_* or compressed .zdebug_* sections), so
// that the GDB JIT plugin can make a debug object of it. Objects without
// debug information are not kept: there is nothing a debugger would gain
// beyond the symbol names, and keeping every archive member would pin
// its bytes for the life of the graph.
func (r *reader) keepSource() {
	debug := false
	for i := range r.sh {
		n := r.sh[i].nameStr
		if strings.HasPrefix(n, ".debug_") || strings.HasPrefix(n, ".zdebug_") {
			debug = true
			break
		}
	}
	if !debug {
		return
	}
	src := &jitlink.SourceObject{Name: r.file, Data: r.data, Sections: make([]jitlink.SourceSection, len(r.sh))}
	for i := range r.sh {
		s := &r.sh[i]
		if !s.kept || len(s.blocks) == 0 {
			continue
		}
		ss := jitlink.SourceSection{Blocks: append([]*jitlink.Block(nil), s.blocks...), Offsets: make([]uint64, len(s.blocks))}
		for k, b := range s.blocks {
			ss.Offsets[k] = b.Ordinal
		}
		src.Sections[i] = ss
	}
	r.g.Sources = append(r.g.Sources, src)
}
