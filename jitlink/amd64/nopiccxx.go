package amd64

import (
	"encoding/binary"
	"strings"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// Non-PIC C++ code refers to the C++ runtime's typeinfo objects with
// absolute 32-bit values in two places: the type tables of exception
// handling data (.gcc_except_table, DW_EH_PE_udata4) and throw sites
// (`mov $_ZTI..., %esi` before __cxa_throw). libstdc++ lies far above
// 4 GiB, and a JIT cannot make the copy relocations a static linker would.
// FarTypeinfo rewrites both into position-independent forms the runtime
// already understands: type tables become pc-relative indirect
// (DW_EH_PE_indirect|pcrel|sdata4, the encoding PIC code uses, same entry
// size) through 8-byte slots holding the real address; a throw site's
// 5-byte `mov $imm32, %r32` becomes a jump to a thunk that loads the full
// 64-bit address and jumps back. Anything else stays as it was (and is
// refused clearly if it does not reach).

const (
	dwEHPEOmit    = 0xff
	dwEHPEUdata4  = 0x03
	dwEHPEPIndSd4 = 0x9b // indirect | pcrel | sdata4
)

// FarTypeinfoSectionName is the section of the slots and thunks
// FarTypeinfo creates.
const FarTypeinfoSectionName = "$__GORC_TYPEINFO_SLOTS"

func isTypeinfo(name string) bool { return strings.HasPrefix(name, "_ZTI") }

// FarTypeinfo is the post-prune pass described above; it runs before
// AbsoluteStubs.
func FarTypeinfo(g *jitlink.LinkGraph) error {
	var slots *jitlink.Section
	slotSec := func() *jitlink.Section {
		if slots == nil {
			slots = g.AddSection(FarTypeinfoSectionName, shared.ProtRead|shared.ProtExec, jitlink.SectionSynthetic)
		}
		return slots
	}
	// Most graphs (C, Kaleidoscope) have neither exception tables nor
	// typeinfo externals: two looks at the lists instead of two walks over
	// every edge.
	lsda, typeinfo := false, false
	for _, s := range g.Sections {
		if strings.HasPrefix(s.Name, ".gcc_except_table") {
			lsda = true
			break
		}
	}
	for name := range g.Externals {
		if isTypeinfo(name) {
			typeinfo = true
			break
		}
	}
	if !lsda && !typeinfo {
		return nil
	}
	done := map[*jitlink.Block]map[uint64]bool{}
	for _, s := range g.Sections {
		if !lsda {
			break
		}
		if !s.Has(jitlink.SectionEHFrame) {
			continue
		}
		for _, fb := range s.Blocks {
			for _, e := range fb.Edges {
				t := e.Target
				if t.Kind != jitlink.SymDefined || t.Block == nil || !strings.HasPrefix(t.Block.Section.Name, ".gcc_except_table") {
					continue
				}
				off := int64(t.Offset) + e.Addend
				if off < 0 || off >= int64(len(t.Block.Content)) {
					continue
				}
				if done[t.Block] == nil {
					done[t.Block] = map[uint64]bool{}
				}
				if done[t.Block][uint64(off)] {
					continue
				}
				done[t.Block][uint64(off)] = true
				rewriteLSDA(g, t.Block, uint64(off), slotSec)
			}
		}
	}
	for _, s := range g.Sections {
		if !typeinfo {
			break
		}
		if s.Prot&shared.ProtExec == 0 || s.Flags&jitlink.SectionSynthetic != 0 {
			continue
		}
		for _, b := range s.Blocks {
			for i := range b.Edges {
				e := &b.Edges[i]
				if e.Kind != Pointer32 || e.Target.Kind != jitlink.SymExternal || !isTypeinfo(e.Target.Name) {
					continue
				}
				throwSiteThunk(g, b, e, slotSec)
			}
		}
	}
	return nil
}

func uleb(c []byte, p int) (uint64, int, bool) {
	var v uint64
	var shift uint
	for p < len(c) {
		x := c[p]
		p++
		v |= uint64(x&0x7f) << shift
		if x&0x80 == 0 {
			return v, p, true
		}
		shift += 7
		if shift > 63 {
			return 0, p, false
		}
	}
	return 0, p, false
}

func sleb(c []byte, p int) (int64, int, bool) {
	var v int64
	var shift uint
	for p < len(c) {
		x := c[p]
		p++
		v |= int64(x&0x7f) << shift
		shift += 7
		if x&0x80 == 0 {
			if shift < 64 && x&0x40 != 0 {
				v |= -1 << shift
			}
			return v, p, true
		}
		if shift > 63 {
			return 0, p, false
		}
	}
	return 0, p, false
}

// rewriteLSDA converts the udata4 type table of the LSDA at off in b when
// one of its entries refers to an external typeinfo.
func rewriteLSDA(g *jitlink.LinkGraph, b *jitlink.Block, off uint64, slotSec func() *jitlink.Section) {
	c := b.Content
	p := int(off)
	if p+2 > len(c) || c[p] != dwEHPEOmit { // lpstart: gcc always omits it
		return
	}
	p++
	encAt := p
	if c[p] != dwEHPEUdata4 {
		return
	}
	p++
	ttOff, q, ok := uleb(c, p)
	if !ok {
		return
	}
	base := uint64(q) + ttOff
	if q >= len(c) || c[q] != 0x01 { // call-site encoding: uleb128 (gcc)
		return
	}
	csLen, r, ok := uleb(c, q+1)
	if !ok {
		return
	}
	csEnd := r + int(csLen)
	actStart := csEnd
	if csEnd > len(c) || base > uint64(len(c)) {
		return
	}
	// The type table's size is the largest positive filter of the action
	// records the call sites use.
	maxFilter := int64(0)
	for p := r; p < csEnd; {
		var v uint64
		for k := 0; k < 4; k++ {
			if v, p, ok = uleb(c, p); !ok {
				return
			}
		}
		for a := int(v); a != 0; {
			ap := actStart + a - 1
			filter, np, ok := sleb(c, ap)
			if !ok {
				return
			}
			next, _, ok := sleb(c, np)
			if !ok {
				return
			}
			if filter > maxFilter {
				maxFilter = filter
			}
			if next == 0 {
				break
			}
			a = np - actStart + 1 + int(next)
			if a <= 0 || actStart+a-1 >= len(c) {
				return
			}
		}
	}
	if base < uint64(csEnd) || uint64(maxFilter)*4 > base-uint64(csEnd) {
		return
	}
	lo := base - uint64(maxFilter)*4
	// Entries no call site uses (gcc keeps them, e.g. in the LSDA of a
	// function's cold part) still carry relocations: include them.
	at := map[uint64]bool{}
	for _, e := range b.Edges {
		at[e.Offset] = true
	}
	for lo >= uint64(csEnd)+4 && at[lo-4] {
		lo -= 4
	}
	if lo == base {
		return
	}
	var entries []*jitlink.Edge
	external := false
	for i := range b.Edges {
		e := &b.Edges[i]
		if e.Offset >= lo && e.Offset < base {
			if e.Kind != Pointer32 || (e.Offset-lo)%4 != 0 {
				return // not the layout we expect: leave it alone
			}
			entries = append(entries, e)
			if e.Target.Kind == jitlink.SymExternal {
				external = true
			}
		}
	}
	if !external {
		return
	}
	mc := b.MutableContent()
	mc[encAt] = dwEHPEPIndSd4
	for _, e := range entries {
		sym := AddPointer(g, slotSec(), e.Target, e.Addend)
		binary.LittleEndian.PutUint32(mc[e.Offset:], 0)
		e.Kind, e.Target, e.Addend = Delta32, sym, 0
	}
}

// throwSiteThunk rewrites `mov $imm32, %r32` (opcode B8+r, no prefix)
// whose immediate is the typeinfo edge e into a jump to a thunk that
// loads the 64-bit address (movabs) and jumps back.
func throwSiteThunk(g *jitlink.LinkGraph, b *jitlink.Block, e *jitlink.Edge, slotSec func() *jitlink.Section) {
	if e.Offset < 1 || e.Offset+4 > uint64(len(b.Content)) || e.Addend != 0 {
		return
	}
	op := b.Content[e.Offset-1]
	if op&0xf8 != 0xb8 {
		return
	}
	if e.Offset >= 2 {
		if p := b.Content[e.Offset-2]; p&0xf0 == 0x40 {
			return // REX prefix: a 6-byte instruction, not handled
		}
	}
	reg := op & 7
	thunk := g.AddMutableContentBlock(slotSec(), []byte{0x48, 0xb8 | reg, 0, 0, 0, 0, 0, 0, 0, 0, 0xe9, 0, 0, 0, 0}, 16, 0)
	thunk.AddEdge(Pointer64, 2, e.Target, 0)
	back := g.AddAnonymousSymbol(b, e.Offset+4, 0)
	thunk.AddEdge(Delta32, 11, back, -4)
	tsym := g.AddDefinedSymbol(thunk, 0, "", 15, jitlink.LinkageStrong, jitlink.ScopeLocal, true, true)
	mc := b.MutableContent()
	mc[e.Offset-1] = 0xe9
	binary.LittleEndian.PutUint32(mc[e.Offset:], 0)
	e.Kind, e.Target, e.Addend = Delta32, tsym, -4
}
