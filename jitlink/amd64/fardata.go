package amd64

import (
	"fmt"
	"sort"

	"golang.org/x/arch/x86/x86asm"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// Far data access.
//
// Position-dependent and PIE code reaches external data PC-relatively
// (R_X86_64_PC32: "mov stdout(%rip), %rdi"), counting on a copy
// relocation that a JIT cannot make: the definition stays in libc. When
// such a target turns out to be more than ±2 GiB from the instruction, the
// linker rewrites the instruction:
//
//   - "lea sym(%rip), %reg" becomes "mov slot(%rip), %reg", loading the
//     address from a pointer slot (the inverse of GOT relaxation);
//   - any other instruction is replaced by a jump to a thunk that loads
//     the address into a scratch register and runs the instruction with
//     that register as its memory operand, then jumps back:
//
//	lea -128(%rsp), %rsp   ; step over the red zone
//	push %r11
//	mov slot(%rip), %r11
//	<the instruction, addressing (%r11)>
//	pop %r11
//	lea 128(%rsp), %rsp
//	jmp back
//
// None of the glue changes the flags, so compares work. Thunks and slots
// are reserved before allocation for every PC-relative code reference to
// a symbol outside the graph (PrepareFarData) and used only when needed
// (in Optimize).

const (
	// ThunksSectionName holds far-data thunks.
	ThunksSectionName = "$__FARDATA_THUNKS"
)

type farSite struct {
	blk        *jitlink.Block
	edge       int // index in blk.Edges
	start, end uint64
	thunk      *jitlink.Block
	slot       *jitlink.Symbol
	isLEA      bool
}

type thunkState struct {
	sites []*farSite
	sec   *jitlink.Section
}

var legacyPrefix = [256]bool{0x66: true, 0x67: true, 0xf2: true, 0xf3: true, 0x2e: true, 0x3e: true, 0x26: true, 0x64: true, 0x65: true, 0x36: true, 0xf0: true}

// thunkSize is the room reserved per thunk: the glue is 29 bytes plus the
// instruction without its disp32 and with at most one added REX prefix
// (x86 instructions are at most 15 bytes).
const thunkSize = 48

// PrepareFarData is a post-prune pass: it reserves a pointer slot and room
// for a thunk for each PC32 code reference to a symbol defined outside the
// graph. Nothing is decoded here; Optimize decodes only the references that
// turn out to be out of reach. Installed by AddDefaultPasses after
// BuildGOTAndStubs.
func PrepareFarData(g *jitlink.LinkGraph) error {
	st := state(g)
	st.far = thunkState{}
	fs := &st.far
	nsec := len(g.Sections)
	for si := 0; si < nsec; si++ {
		sec := g.Sections[si]
		if sec.Prot&shared.ProtExec == 0 || sec.Flags&jitlink.SectionSynthetic != 0 {
			continue
		}
		for _, b := range sec.Blocks {
			c := b.Content
			for i := range b.Edges {
				e := &b.Edges[i]
				if e.Kind != Delta32 || e.Target.Kind == jitlink.SymDefined || e.Target.TLS || c == nil {
					continue
				}
				if e.Target.Name == GOTSymbolName || e.Offset < 2 || e.Offset+4 > uint64(len(c)) || c[e.Offset-1]&0xc7 != 0x05 {
					continue // not the disp32 of a RIP-relative operand
				}
				if fs.sec == nil {
					fs.sec = g.AddSection(ThunksSectionName, shared.ProtRead|shared.ProtExec, jitlink.SectionSynthetic)
				}
				fill := st.bytes(thunkSize)
				for k := range fill {
					fill[k] = 0xcc
				}
				th := g.AddMutableContentBlock(fs.sec, fill, 16, 0)
				th.Ordinal = uint64(len(fs.sites)) * thunkSize
				_, ent := st.newGOTSlot(g, 8)
				ent.Block.AddEdge(Pointer64, 0, e.Target, 0) // addend fixed in Optimize
				fs.sites = append(fs.sites, &farSite{blk: b, edge: i, thunk: th, slot: ent})
			}
		}
	}
	return nil
}

// funcStartsOf maps each block to the offsets where a linear disassembly
// sweep may start: the block start and every callable symbol.
func funcStartsOf(g *jitlink.LinkGraph) map[*jitlink.Block][]uint64 {
	m := map[*jitlink.Block][]uint64{}
	for _, s := range g.Symbols {
		if s.Callable && s.Block.Section.Prot&shared.ProtExec != 0 {
			m[s.Block] = append(m[s.Block], s.Offset)
		}
	}
	return m
}

// inst is one decoded instruction of a sweep.
type inst struct {
	start, end uint64
	ok         bool // has a RIP-relative operand and no register we cannot keep
	lea        bool
}

// decodeInst decodes the instruction at c[pc:].
func decodeInst(c []byte, pc uint64) (inst, error) {
	in, err := x86asm.Decode(c[pc:], 64)
	if err != nil {
		return inst{}, err
	}
	it := inst{start: pc, end: pc + uint64(in.Len), lea: in.Op == x86asm.LEA}
	for _, a := range in.Args {
		switch a := a.(type) {
		case x86asm.Mem:
			if a.Base == x86asm.RIP {
				it.ok = true
			}
		case x86asm.Reg:
			switch a {
			case x86asm.AH, x86asm.BH, x86asm.CH, x86asm.DH, x86asm.SP, x86asm.ESP, x86asm.RSP:
				it.ok = false // cannot take a REX prefix / uses the stack pointer
				return it, nil
			}
		}
	}
	return it, nil
}

// sweeper finds the instructions of one code block by a linear
// disassembly sweep from the start point (the block start or a callable
// symbol: gcc puts no data in code) before each offset asked for, up to
// that offset and no further, stopping at the first undecodable byte. A
// sweep resumes where the last one stopped when the next offset asked for
// is further on in the same run, so asking for a block's offsets in
// increasing order decodes each of its instructions at most once, and only
// those up to the last offset asked for — not the whole block (a large
// .text block without -ffunction-sections, with a few far references,
// used to be decoded entirely).
type sweeper struct {
	b      *jitlink.Block
	starts []uint64 // sorted, distinct, starting with 0
	run    int      // index in starts of the run being swept, or -1
	pc     uint64   // where the run's sweep continues
	last   inst     // the last instruction decoded in the run (if have)
	have   bool
	failed bool // the run's sweep stopped at an undecodable byte
}

func newSweeper(b *jitlink.Block, starts []uint64) *sweeper {
	starts = append(starts, 0)
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	n := 0
	for _, s := range starts {
		if n == 0 || s != starts[n-1] {
			starts[n] = s
			n++
		}
	}
	return &sweeper{b: b, starts: starts[:n], run: -1}
}

// at returns the instruction of the sweep that holds off, or false if the
// sweep from the run start before off does not reach an instruction
// holding it (undecodable bytes, or off past the run's end).
func (w *sweeper) at(off uint64) (inst, bool) {
	c := w.b.Content
	k := sort.Search(len(w.starts), func(j int) bool { return w.starts[j] > off }) - 1
	limit := uint64(len(c))
	if k+1 < len(w.starts) {
		limit = w.starts[k+1]
	}
	if w.run != k || w.have && w.last.start > off || !w.have && w.pc > off {
		w.run, w.pc, w.have, w.failed = k, w.starts[k], false, false
	}
	if w.have && w.last.end > off {
		return w.last, true
	}
	for !w.failed && w.pc < limit {
		it, err := decodeInst(c, w.pc)
		if err != nil {
			w.failed = true
			break
		}
		w.last, w.have, w.pc = it, true, it.end
		if it.end > off {
			return it, it.start <= off
		}
	}
	return inst{}, false
}

// decodeSite finds the instruction holding edge i. It returns nil if the
// fixup is not the disp32 of a RIP-relative memory operand that a thunk can
// take over (e.g. a call, handled by stubs).
func decodeSite(b *jitlink.Block, i int, w *sweeper) *farSite {
	e := &b.Edges[i]
	it, ok := w.at(e.Offset)
	if !ok {
		return nil
	}
	c := b.Content
	if it.start > e.Offset || !it.ok || e.Offset+4 > it.end || e.Offset < it.start+2 || c[e.Offset-1]&0xc7 != 0x05 {
		return nil
	}
	for j := range b.Edges {
		if j != i && b.Edges[j].Offset >= it.start && b.Edges[j].Offset < it.end && b.Edges[j].Kind != jitlink.KindKeepAlive {
			return nil // another fixup in the instruction
		}
	}
	return &farSite{blk: b, edge: i, start: it.start, end: it.end, isLEA: it.lea}
}

// buildThunk assembles the thunk for instruction inst whose disp32 is at
// dispOff. The slot load's disp32 is at offset 9+len(scratch prefix) and
// the final jmp's rel32 at the end; Optimize fills both with edges.
func buildThunk(inst []byte, dispOff uint64) ([]byte, error) {
	p := 0
	for p < int(dispOff) && legacyPrefix[inst[p]] {
		p++
	}
	if inst[0] == 0xc4 || inst[0] == 0xc5 || inst[p] == 0xc4 || inst[p] == 0xc5 || inst[p] == 0x62 {
		return nil, fmt.Errorf("far data access from a VEX/EVEX-encoded instruction is not supported")
	}
	rex := byte(0)
	hasREX := p < int(dispOff) && inst[p]&0xf0 == 0x40
	if hasREX {
		rex = inst[p]
	}
	modrm := inst[dispOff-1]
	reg := (modrm>>3)&7 | (rex&4)<<1
	// scratch: r11, or r10 if the instruction's register operand is r11.
	scratch := byte(3) // r11 = 8+3
	if reg == 11 {
		scratch = 2 // r10
	}
	var out []byte
	out = append(out, 0x48, 0x8d, 0x64, 0x24, 0x80) // lea -128(%rsp),%rsp
	out = append(out, 0x41, 0x50|scratch)           // push %r1x
	out = append(out, 0x4c, 0x8b, 0x05|scratch<<3)  // mov disp(%rip), %r1x
	out = append(out, 0, 0, 0, 0)
	// the instruction: prefixes, REX with B set, opcode, modrm -> (%r1x)
	out = append(out, inst[:p]...)
	op := inst[p : int(dispOff)-1]
	if hasREX {
		op = op[1:]
	}
	out = append(out, rex|0x41)
	out = append(out, op...)
	out = append(out, modrm&0x38|scratch)
	out = append(out, inst[dispOff+4:]...)                   // immediate, if any
	out = append(out, 0x41, 0x58|scratch)                    // pop %r1x
	out = append(out, 0x48, 0x8d, 0xa4, 0x24, 0x80, 0, 0, 0) // lea 128(%rsp),%rsp
	out = append(out, 0xe9, 0, 0, 0, 0)                      // jmp back
	return out, nil
}

// useFarData rewrites the sites whose targets are out of reach; it runs in
// Optimize when every address is known.
func useFarData(g *jitlink.LinkGraph) {
	st, ok := g.ArchState.(*graphState)
	if !ok {
		return
	}
	fs := &st.far
	var starts map[*jitlink.Block][]uint64
	var w *sweeper
	for _, s := range fs.sites {
		b := s.blk
		e := &b.Edges[s.edge]
		P := int64(b.Addr) + int64(e.Offset)
		S := int64(e.Target.Address())
		if fits(S + e.Addend - P) {
			continue
		}
		// Out of reach: find the instruction (the sites of a block come
		// one after another, in the order of its edges).
		if w == nil || w.b != b {
			if starts == nil {
				starts = funcStartsOf(g)
			}
			w = newSweeper(b, starts[b])
		}
		site := decodeSite(b, s.edge, w)
		if site == nil {
			continue // not rewritable: the fixup reports the overflow
		}
		s.start, s.end, s.isLEA = site.start, site.end, site.isLEA
		var code []byte
		if !s.isLEA {
			var err error
			code, err = buildThunk(b.Content[s.start:s.end], e.Offset-s.start)
			if err != nil || len(code) > len(s.thunk.Content) {
				continue
			}
			copy(s.thunk.Content, code)
		}
		// The operand's effective address: S + A + (end - P).
		off := e.Addend + int64(s.end-e.Offset)
		slotEdge := &s.slot.Block.Edges[0]
		slotEdge.Addend = off
		if s.isLEA {
			// lea sym(%rip), %reg -> mov slot(%rip), %reg
			b.Content[e.Offset-2] = 0x8b
			e.Target, e.Addend = s.slot, e.Addend-off
			continue
		}
		th := s.thunk
		c := b.Content
		// jmp thunk; nop padding
		c[s.start] = 0xe9
		for i := s.start + 5; i < s.end; i++ {
			c[i] = 0x90
		}
		e.Offset = s.start + 1
		e.Target = g.AddAnonymousSymbol(th, 0, 0)
		e.Addend = -4
		// In the thunk: slot load and jump back.
		th.Edges = append(th.Edges[:0],
			jitlink.Edge{Kind: Delta32, Offset: 10, Target: s.slot, Addend: -4},
			jitlink.Edge{Kind: Delta32, Offset: uint64(len(code)) - 4, Target: g.AddAnonymousSymbol(b, s.end, 0), Addend: -4})
	}
}
