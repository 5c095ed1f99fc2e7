// Package asm encodes the x86-64 instructions the gorc backend emits.
//
// An Assembler appends machine code to a byte buffer. Instructions are
// methods named after the mnemonic and operand form (MovRR, AluRM, SseRR,
// ...). Memory operands are Mem values ([base+index*scale+disp] or
// RIP-relative to a symbol); RIP-relative references and calls to symbols
// produce Reloc records the caller turns into ELF relocations. Branches
// target Labels and are resolved by Finish.
//
// The encoder never panics on bad operands (an XMM register where a
// general register is needed, RSP as an index, ...): it records the first
// error, which Finish and Err return. Every form is checked in the tests
// against golang.org/x/arch/x86/x86asm over all registers and against GNU
// as output.
package asm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// Reg is a machine register: general-purpose registers 0-15 (RAX..R15)
// and SSE registers 16-31 (X0..X15).
type Reg uint8

// Registers, in hardware encoding order.
const (
	RAX Reg = iota
	RCX
	RDX
	RBX
	RSP
	RBP
	RSI
	RDI
	R8
	R9
	R10
	R11
	R12
	R13
	R14
	R15
	X0
	X1
	X2
	X3
	X4
	X5
	X6
	X7
	X8
	X9
	X10
	X11
	X12
	X13
	X14
	X15
	// RIP as a Mem base selects RIP-relative addressing.
	RIP Reg = 0xfe
	// NoReg marks an absent base or index.
	NoReg Reg = 0xff
)

var gprNames = [...][4]string{
	{"al", "ax", "eax", "rax"}, {"cl", "cx", "ecx", "rcx"}, {"dl", "dx", "edx", "rdx"}, {"bl", "bx", "ebx", "rbx"},
	{"spl", "sp", "esp", "rsp"}, {"bpl", "bp", "ebp", "rbp"}, {"sil", "si", "esi", "rsi"}, {"dil", "di", "edi", "rdi"},
	{"r8b", "r8w", "r8d", "r8"}, {"r9b", "r9w", "r9d", "r9"}, {"r10b", "r10w", "r10d", "r10"}, {"r11b", "r11w", "r11d", "r11"},
	{"r12b", "r12w", "r12d", "r12"}, {"r13b", "r13w", "r13d", "r13"}, {"r14b", "r14w", "r14d", "r14"}, {"r15b", "r15w", "r15d", "r15"},
}

// IsXMM reports whether r is an SSE register.
func (r Reg) IsXMM() bool { return r >= X0 && r <= X15 }

// IsGPR reports whether r is a general-purpose register.
func (r Reg) IsGPR() bool { return r <= R15 }

// String returns the 64-bit (or xmm) name of r.
func (r Reg) String() string { return r.Name(8) }

// Name returns the name of r at operand size sz (1, 2, 4 or 8 bytes).
func (r Reg) Name(sz Size) string {
	switch {
	case r.IsGPR():
		switch sz {
		case 1:
			return gprNames[r][0]
		case 2:
			return gprNames[r][1]
		case 4:
			return gprNames[r][2]
		}
		return gprNames[r][3]
	case r.IsXMM():
		return fmt.Sprintf("xmm%d", r-X0)
	case r == RIP:
		return "rip"
	}
	return fmt.Sprintf("reg%d", uint8(r))
}

func (r Reg) low() byte { return byte(r) & 7 }
func (r Reg) hi() byte  { return (byte(r) >> 3) & 1 }

// Size is an integer operand size in bytes: 1, 4 or 8 (2 is accepted by
// the integer forms too).
type Size uint8

// Cond is an x86 condition code (the low nibble of Jcc/SETcc/CMOVcc).
type Cond uint8

// Condition codes.
const (
	CondO  Cond = 0x0
	CondNO Cond = 0x1
	CondB  Cond = 0x2 // below (unsigned <), CF=1
	CondAE Cond = 0x3 // above or equal, CF=0
	CondE  Cond = 0x4
	CondNE Cond = 0x5
	CondBE Cond = 0x6
	CondA  Cond = 0x7
	CondS  Cond = 0x8
	CondNS Cond = 0x9
	CondP  Cond = 0xa // parity (unordered after ucomisd)
	CondNP Cond = 0xb
	CondL  Cond = 0xc
	CondGE Cond = 0xd
	CondLE Cond = 0xe
	CondG  Cond = 0xf
)

var condNames = [16]string{"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"}

// String returns the mnemonic suffix of c ("e", "ne", "b", ...).
func (c Cond) String() string { return condNames[c&15] }

// Invert returns the negated condition.
func (c Cond) Invert() Cond { return c ^ 1 }

// Mem is a memory operand. With Base == RIP it is RIP-relative to the
// symbol Sym (an id the caller chooses) plus Disp; otherwise it is
// [Base + Index*Scale + Disp] (Index NoReg for none, Scale 1, 2, 4 or 8).
type Mem struct {
	Base  Reg
	Index Reg
	Scale uint8
	Disp  int32
	Sym   int32
	// SymKind is the relocation kind for a RIP-relative operand (PC32 if
	// zero).
	SymKind RelocKind
}

// M returns [base+disp].
func M(base Reg, disp int32) Mem { return Mem{Base: base, Index: NoReg, Scale: 1, Disp: disp} }

// MI returns [base+index*scale+disp].
func MI(base, index Reg, scale uint8, disp int32) Mem {
	return Mem{Base: base, Index: index, Scale: scale, Disp: disp}
}

// MSym returns a RIP-relative reference to sym+disp.
func MSym(sym int32, disp int32) Mem {
	return Mem{Base: RIP, Index: NoReg, Scale: 1, Disp: disp, Sym: sym}
}

// RelocKind is the kind of a relocation the encoder records.
type RelocKind uint8

// Relocation kinds. All are 4-byte PC-relative fields; the addend already
// accounts for the distance from the field to the end of the instruction.
const (
	RelPC32 RelocKind = iota
	RelPLT32
	RelGOTPCRELX    // GOT entry, instruction without REX
	RelREXGOTPCRELX // GOT entry, instruction with REX (mov r64, [rip+x@GOTPCREL])
	RelGOTTPOFF     // GOT entry holding a TLS symbol's offset from the thread pointer (mov r64, [rip+x@GOTTPOFF])
)

var relocNames = [...]string{"PC32", "PLT32", "GOTPCRELX", "REX_GOTPCRELX", "GOTTPOFF"}

func (k RelocKind) String() string {
	if int(k) < len(relocNames) {
		return relocNames[k]
	}
	return fmt.Sprintf("RelocKind(%d)", uint8(k))
}

// Reloc is a relocation produced by the encoder: the 4 bytes at Offset
// must become S + Addend - P for symbol Sym (or the PLT/GOT variant).
type Reloc struct {
	Offset int
	Kind   RelocKind
	Sym    int32
	Addend int64
}

// Label is a branch target created by NewLabel.
type Label int32

type fixup struct {
	at    int32 // offset of the rel32 (or rel8) field
	label Label
	short bool
}

// fwdBranch records a forward branch for relaxation.
type fwdBranch struct {
	start int32 // offset of the instruction
	label Label
}

// Mark is a position in the assembler's output that Rewind returns to.
type Mark struct {
	buf, relocs, labels, fixups, insts int
}

// Assembler accumulates machine code. The zero value is ready to use.
type Assembler struct {
	Buf    []byte
	Relocs []Reloc
	// Insts counts the instructions emitted (statistics).
	Insts int

	labels []int32
	fixups []fixup
	err    error

	// Branch relaxation: forward branches are numbered; ShortFwd[i]
	// makes forward branch i use the rel8 form.
	ShortFwd []bool
	fwdSeq   int
	fwd      []fwdBranch
	back     []fwdBranch  // backward branches since the last Mark
	sites    []shrinkSite // Shrink's branches, for Moved
}

// Mark returns the current position; it also starts numbering forward
// branches from zero.
func (a *Assembler) Mark() Mark {
	a.fwdSeq = 0
	a.fwd = a.fwd[:0]
	a.back = a.back[:0]
	a.sites = a.sites[:0]
	return Mark{len(a.Buf), len(a.Relocs), len(a.labels), len(a.fixups), a.Insts}
}

// Rewind discards everything emitted since m (code, relocations, labels,
// pending branches) so the same code can be emitted again, typically
// with ShortFwd from Relax.
func (a *Assembler) Rewind(m Mark) {
	a.Buf = a.Buf[:m.buf]
	a.Relocs = a.Relocs[:m.relocs]
	a.labels = a.labels[:m.labels]
	a.fixups = a.fixups[:m.fixups]
	a.Insts = m.insts
	a.fwdSeq = 0
	a.fwd = a.fwd[:0]
	a.back = a.back[:0]
	a.sites = a.sites[:0]
}

// Relax returns, for each forward branch emitted since the last Mark, whether
// it fits the short (rel8) form: emitting the same code again with the
// result as ShortFwd only shrinks distances, so every short branch still
// reaches. Branches to labels not yet bound stay long.
func (a *Assembler) Relax(out []bool) []bool {
	out = out[:0]
	for _, f := range a.fwd {
		t := a.labels[f.label]
		out = append(out, t >= 0 && t-(f.start+2) <= 127)
	}
	return out
}

// Reset empties the assembler, keeping its buffers for reuse.
func (a *Assembler) Reset() {
	a.Buf = a.Buf[:0]
	a.Relocs = a.Relocs[:0]
	a.Insts = 0
	a.labels = a.labels[:0]
	a.fixups = a.fixups[:0]
	a.err = nil
	a.ShortFwd = a.ShortFwd[:0]
	a.fwdSeq = 0
	a.fwd = a.fwd[:0]
	a.back = a.back[:0]
	a.sites = a.sites[:0]
}

// shrinkSite is a branch that Shrink may have shortened.
type shrinkSite struct {
	start   int32 // offset before Shrink
	label   Label
	seq     int32 // forward branch number, or -1 for a backward branch
	oldLen  int32
	newLen  int32
	removed int32 // bytes removed before start
}

// Shrink makes the code emitted since m (with every forward branch in
// its long form: ShortFwd empty) what emitting the same code again with
// ShortFwd = short would have made, without emitting it again: forward
// branch i takes its rel8 form where short[i] (short comes from Relax),
// every backward branch the rel8 form where its distance, shortened by
// the branches before it, allows (as branch chooses), and the code
// between them, the relocations and the labels bound since m move down
// accordingly. Moved maps other offsets of the old code (an unwinding
// table's, say) to the new until the next Mark.
func (a *Assembler) Shrink(m Mark, short []bool) {
	// The branches in order: forward and backward ones were recorded in
	// order of offset, each list on its own.
	sites := a.sites[:0]
	i, j := 0, 0
	for i < len(a.fwd) || j < len(a.back) {
		if j == len(a.back) || i < len(a.fwd) && a.fwd[i].start < a.back[j].start {
			sites = append(sites, shrinkSite{start: a.fwd[i].start, label: a.fwd[i].label, seq: int32(i)})
			i++
		} else {
			sites = append(sites, shrinkSite{start: a.back[j].start, label: a.back[j].label, seq: -1})
			j++
		}
	}
	a.sites = sites
	// The new length of each, in order: a backward branch's target has
	// moved by what the branches before it lost.
	removed := int32(0)
	for k := range sites {
		st := &sites[k]
		st.removed = removed
		st.oldLen = branchLen(a.Buf[st.start])
		st.newLen = st.oldLen
		if st.seq >= 0 {
			if int(st.seq) < len(short) && short[st.seq] {
				st.newLen = 2
			}
		} else if st.oldLen > 2 {
			t := a.moved(sites[:k], a.labels[st.label])
			if t-(st.start-removed+2) >= -128 {
				st.newLen = 2
			}
		}
		removed += st.oldLen - st.newLen
	}
	if removed == 0 {
		return
	}
	// Move the code down and rewrite the branches.
	buf := a.Buf
	prev := int32(m.buf) // old offset of the code not yet moved
	for k := range sites {
		st := &sites[k]
		copy(buf[prev-st.removed:], buf[prev:st.start])
		at := st.start - st.removed
		op := buf[st.start]
		cc := byte(0xff) // jmp
		switch {
		case op == 0x0f:
			cc = buf[st.start+1] & 0x0f
		case op >= 0x70 && op <= 0x7f:
			cc = op & 0x0f
		}
		if st.newLen == st.oldLen && st.seq >= 0 {
			// A long forward branch: its field is patched by Finish.
			copy(buf[at:], buf[st.start:st.start+st.oldLen])
		} else if st.newLen == 2 {
			if cc == 0xff {
				buf[at] = 0xeb
			} else {
				buf[at] = 0x70 | cc
			}
			buf[at+1] = 0
		} else {
			if cc == 0xff {
				buf[at] = 0xe9
			} else {
				buf[at], buf[at+1] = 0x0f, 0x80|cc
			}
		}
		if st.seq < 0 {
			// A backward branch: its target has moved already.
			t := a.moved(sites[:k], a.labels[st.label])
			if st.newLen == 2 {
				buf[at+1] = byte(int8(t - (at + 2)))
			} else {
				binary.LittleEndian.PutUint32(buf[at+st.newLen-4:], uint32(t-(at+st.newLen)))
			}
		}
		prev = st.start + st.oldLen
	}
	last := &sites[len(sites)-1]
	copy(buf[prev-last.removed-last.oldLen+last.newLen:], buf[prev:])
	a.Buf = buf[:int32(len(buf))-removed]
	// The forward branches' fixups, one per forward branch in order.
	fix := a.fixups[m.fixups:]
	for _, st := range sites {
		if st.seq < 0 || int(st.seq) >= len(fix) {
			continue
		}
		f := &fix[st.seq]
		at := st.start - st.removed
		if st.newLen == 2 {
			f.at, f.short = at+1, true
		} else {
			f.at = at + st.newLen - 4
		}
	}
	// The relocations were appended in order of offset: one cursor
	// walks the sites beside them (a binary search each was a third of
	// Shrink); an offset out of order starts the cursor over.
	k, prev := 0, int32(-1)
	for r := m.relocs; r < len(a.Relocs); r++ {
		off := int32(a.Relocs[r].Offset)
		if off < prev {
			k = 0
		}
		for k < len(sites) && sites[k].start < off {
			k++
		}
		prev = off
		a.Relocs[r].Offset = int(movedAt(sites, off, k))
	}
	for k := m.labels; k < len(a.labels); k++ {
		if a.labels[k] >= 0 {
			a.labels[k] = a.moved(sites, a.labels[k])
		}
	}
}

// Moved maps an offset of the code before the last Shrink (the start of
// an instruction, or the end of the code) to the same place after it.
func (a *Assembler) Moved(off int) int { return int(a.moved(a.sites, int32(off))) }

// moved maps old offset off through the branches in sites (sorted): it
// moves down by what the branches that start before it lost.
func (a *Assembler) moved(sites []shrinkSite, off int32) int32 {
	// The number of sites that start before off, by binary search.
	lo, hi := 0, len(sites)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if sites[m].start < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return movedAt(sites, off, lo)
}

// movedAt is moved for an offset that k sites start before.
func movedAt(sites []shrinkSite, off int32, k int) int32 {
	if k == 0 {
		return off
	}
	st := &sites[k-1]
	return off - st.removed - (st.oldLen - st.newLen)
}

// branchLen is the length of the branch whose first byte is op: jmp or
// jcc, rel8 or rel32.
func branchLen(op byte) int32 {
	switch op {
	case 0xe9:
		return 5
	case 0x0f:
		return 6
	}
	return 2
}

// Len is the current code size.
func (a *Assembler) Len() int { return len(a.Buf) }

// Err returns the first encoding error, if any.
func (a *Assembler) Err() error { return a.err }

func (a *Assembler) fail(format string, args ...any) {
	if a.err == nil {
		a.err = fmt.Errorf("asm: at offset %#x: "+format, append([]any{len(a.Buf)}, args...)...)
	}
}

// NewLabel creates an unbound label.
func (a *Assembler) NewLabel() Label {
	a.labels = append(a.labels, -1)
	return Label(len(a.labels) - 1)
}

// Bind binds l to the current offset.
func (a *Assembler) Bind(l Label) {
	if int(l) < 0 || int(l) >= len(a.labels) {
		a.fail("bind of unknown label %d", l)
		return
	}
	if a.labels[l] >= 0 {
		a.fail("label %d bound twice", l)
		return
	}
	a.labels[l] = int32(len(a.Buf))
}

// LabelOffset returns the offset l is bound to, or -1.
func (a *Assembler) LabelOffset(l Label) int {
	if int(l) < 0 || int(l) >= len(a.labels) {
		return -1
	}
	return int(a.labels[l])
}

// Finish resolves branches to labels and returns the first error.
func (a *Assembler) Finish() error {
	for _, f := range a.fixups {
		if int(f.label) < 0 || int(f.label) >= len(a.labels) || a.labels[f.label] < 0 {
			a.fail("branch at %#x to unbound label %d", f.at, f.label)
			break
		}
		if f.short {
			rel := a.labels[f.label] - (f.at + 1)
			if rel > 127 || rel < -128 {
				a.fail("short branch at %#x cannot reach label %d", f.at, f.label)
				break
			}
			a.Buf[f.at] = byte(int8(rel))
			continue
		}
		rel := a.labels[f.label] - (f.at + 4)
		binary.LittleEndian.PutUint32(a.Buf[f.at:], uint32(rel))
	}
	a.fixups = a.fixups[:0]
	return a.err
}

// ErrBadOperand is wrapped by operand errors.
var ErrBadOperand = errors.New("bad operand")

func (a *Assembler) b(bs ...byte) { a.Buf = append(a.Buf, bs...) }

func (a *Assembler) imm32(v int32) {
	a.Buf = binary.LittleEndian.AppendUint32(a.Buf, uint32(v))
}

// needGPR, needXMM and needSize check an operand; the check is small
// enough to inline into every encoder, and the failure is a call.
func (a *Assembler) needGPR(r Reg, what string) bool {
	if !r.IsGPR() {
		return a.notGPR(r, what)
	}
	return true
}

//go:noinline
func (a *Assembler) notGPR(r Reg, what string) bool {
	a.fail("%w: %s must be a general register, got %s", ErrBadOperand, what, r)
	return false
}

func (a *Assembler) needXMM(r Reg, what string) bool {
	if !r.IsXMM() {
		return a.notXMM(r, what)
	}
	return true
}

//go:noinline
func (a *Assembler) notXMM(r Reg, what string) bool {
	a.fail("%w: %s must be an xmm register, got %s", ErrBadOperand, what, r)
	return false
}

func (a *Assembler) needSize(sz Size) bool {
	if sz == 1 || sz == 2 || sz == 4 || sz == 8 {
		return true
	}
	return a.badSize(sz)
}

//go:noinline
func (a *Assembler) badSize(sz Size) bool {
	a.fail("%w: operand size %d", ErrBadOperand, sz)
	return false
}

// room returns the 16 bytes after a.Buf's end, growing its capacity when
// they are not there, for an encoder to write an instruction into before
// it extends a.Buf over the bytes written.
func (a *Assembler) room() *[16]byte {
	if cap(a.Buf)-len(a.Buf) < 16 {
		a.Buf = slices.Grow(a.Buf, 16)
	}
	return (*[16]byte)(a.Buf[len(a.Buf) : len(a.Buf)+16])
}

// opcode bytes are packed big-endian into an uint32 with a count.
type opc struct {
	v uint32
	n uint8
}

func op1(b byte) opc      { return opc{uint32(b), 1} }
func op2(b0, b1 byte) opc { return opc{uint32(b0)<<8 | uint32(b1), 2} }
func (o opc) emit(a *Assembler) {
	for i := int(o.n) - 1; i >= 0; i-- {
		a.Buf = append(a.Buf, byte(o.v>>(8*i)))
	}
}

// byteRex reports whether using r as a byte register requires a REX
// prefix (spl, bpl, sil, dil).
func byteRex(r Reg) bool { return r >= RSP && r <= RDI }

// put writes o's bytes at buf[n:] and returns the new length.
func (o opc) put(buf *[16]byte, n int) int {
	if o.n == 2 {
		buf[n], buf[n+1] = byte(o.v>>8), byte(o.v)
		return n + 2
	}
	buf[n] = byte(o.v)
	return n + 1
}

// rr encodes an instruction with a register in ModRM.reg and a register in
// ModRM.rm. pfx is a mandatory prefix (0x66, 0xf2, 0xf3) or 0. The bytes
// are written straight into the buffer's room and taken in at once (an
// append per byte, each checking the buffer's room, was most of the
// encoder's time; an array appended at once still cleared the array and
// called memmove).
func (a *Assembler) rr(pfx byte, w bool, o opc, reg, rm Reg, forceRex bool) {
	a.Insts++
	buf := a.room()
	n := 0
	if pfx != 0 {
		buf[n] = pfx
		n++
	}
	rex := byte(0)
	if w {
		rex |= 8
	}
	rex |= reg.hi()<<2 | rm.hi()
	if rex != 0 || forceRex {
		buf[n] = 0x40 | rex
		n++
	}
	n = o.put(buf, n)
	buf[n] = 0xc0 | reg.low()<<3 | rm.low()
	a.Buf = a.Buf[:len(a.Buf)+n+1]
}

// rm encodes an instruction with a register (or /digit) in ModRM.reg and a
// memory operand. immLen is the number of immediate bytes that follow
// (needed for the RIP-relative addend). Like rr, it appends the encoding
// at once.
func (a *Assembler) rm(pfx byte, w bool, o opc, reg Reg, m Mem, immLen int, forceRex bool) {
	if m.Base != RIP && m.Base != NoReg && !m.Base.IsGPR() {
		a.fail("%w: memory base %s", ErrBadOperand, m.Base)
		return
	}
	if m.Index != NoReg && (!m.Index.IsGPR() || m.Index == RSP) {
		a.fail("%w: memory index %s", ErrBadOperand, m.Index)
		return
	}
	if m.Base == RIP && m.Index != NoReg {
		a.fail("%w: RIP-relative operand with an index", ErrBadOperand)
		return
	}
	var ss byte
	switch m.Scale {
	case 0, 1:
		ss = 0
	case 2:
		ss = 1
	case 4:
		ss = 2
	case 8:
		ss = 3
	default:
		a.fail("%w: scale %d", ErrBadOperand, m.Scale)
		return
	}
	a.Insts++
	buf := a.room()
	n := 0
	if pfx != 0 {
		buf[n] = pfx
		n++
	}
	rex := byte(0)
	if w {
		rex |= 8
	}
	rex |= reg.hi() << 2
	if m.Index != NoReg {
		rex |= m.Index.hi() << 1
	}
	if m.Base != RIP && m.Base != NoReg {
		rex |= m.Base.hi()
	}
	if rex != 0 || forceRex {
		buf[n] = 0x40 | rex
		n++
	}
	n = o.put(buf, n)
	r := reg.low() << 3
	put32 := func(v int32) {
		binary.LittleEndian.PutUint32(buf[n:], uint32(v))
		n += 4
	}
	switch {
	case m.Base == RIP:
		buf[n] = 0x05 | r
		n++
		a.Relocs = append(a.Relocs, Reloc{Offset: len(a.Buf) + n, Kind: m.SymKind, Sym: m.Sym, Addend: int64(m.Disp) - 4 - int64(immLen)})
		put32(0)
	case m.Base == NoReg:
		// [index*scale + disp32] (or [disp32] with no index).
		idx := byte(4)
		if m.Index != NoReg {
			idx = m.Index.low()
		}
		buf[n], buf[n+1] = 0x04|r, ss<<6|idx<<3|5
		n += 2
		put32(m.Disp)
	default:
		var mod byte
		switch {
		case m.Disp == 0 && m.Base.low() != 5: // rbp/r13 need a displacement
			mod = 0
		case m.Disp >= -128 && m.Disp <= 127:
			mod = 1
		default:
			mod = 2
		}
		if m.Index != NoReg || m.Base.low() == 4 { // rsp/r12 need a SIB
			idx := byte(4)
			if m.Index != NoReg {
				idx = m.Index.low()
			}
			buf[n], buf[n+1] = mod<<6|r|4, ss<<6|idx<<3|m.Base.low()
			n += 2
		} else {
			buf[n] = mod<<6 | r | m.Base.low()
			n++
		}
		switch mod {
		case 1:
			buf[n] = byte(int8(m.Disp))
			n++
		case 2:
			put32(m.Disp)
		}
	}
	a.Buf = a.Buf[:len(a.Buf)+n]
}

func digit(d byte) Reg { return Reg(d) }

// ---- integer instructions ----

func sizePfx(sz Size) byte {
	if sz == 2 {
		return 0x66
	}
	return 0
}

// MovRR emits mov dst, src (size sz).
func (a *Assembler) MovRR(sz Size, dst, src Reg) {
	if !a.needSize(sz) || !a.needGPR(dst, "mov dst") || !a.needGPR(src, "mov src") {
		return
	}
	o := op1(0x89)
	if sz == 1 {
		o = op1(0x88)
	}
	a.rr(sizePfx(sz), sz == 8, o, src, dst, sz == 1 && (byteRex(src) || byteRex(dst)))
}

// MovRM emits the load mov dst, [m].
func (a *Assembler) MovRM(sz Size, dst Reg, m Mem) {
	if !a.needSize(sz) || !a.needGPR(dst, "mov dst") {
		return
	}
	o := op1(0x8b)
	if sz == 1 {
		o = op1(0x8a)
	}
	a.rm(sizePfx(sz), sz == 8, o, dst, m, 0, sz == 1 && byteRex(dst))
}

// MovMR emits the store mov [m], src.
func (a *Assembler) MovMR(sz Size, m Mem, src Reg) {
	if !a.needSize(sz) || !a.needGPR(src, "mov src") {
		return
	}
	o := op1(0x89)
	if sz == 1 {
		o = op1(0x88)
	}
	a.rm(sizePfx(sz), sz == 8, o, src, m, 0, sz == 1 && byteRex(src))
}

// MovMI emits mov [m], imm (imm sign-extended to 64 bits for sz 8).
func (a *Assembler) MovMI(sz Size, m Mem, imm int32) {
	if !a.needSize(sz) {
		return
	}
	switch sz {
	case 1:
		a.rm(0, false, op1(0xc6), 0, m, 1, false)
		a.b(byte(imm))
	case 2:
		a.rm(0x66, false, op1(0xc7), 0, m, 2, false)
		a.b(byte(imm), byte(imm>>8))
	default:
		a.rm(0, sz == 8, op1(0xc7), 0, m, 4, false)
		a.imm32(imm)
	}
}

// MovRI loads a 64-bit constant into dst using the shortest encoding:
// xor for zero is NOT used (it changes flags); mov r32, imm32 for values
// that zero-extend, mov r64, simm32 for negative 32-bit values, and
// movabs otherwise.
func (a *Assembler) MovRI(dst Reg, imm int64) {
	if !a.needGPR(dst, "mov dst") {
		return
	}
	switch {
	case imm >= 0 && imm <= 0xffffffff:
		a.Insts++
		if dst.hi() != 0 {
			a.b(0x41)
		}
		a.b(0xb8 + dst.low())
		a.imm32(int32(uint32(imm)))
	case imm >= -1<<31 && imm < 1<<31:
		a.rr(0, true, op1(0xc7), 0, dst, false)
		a.imm32(int32(imm))
	default:
		a.Insts++
		a.b(0x48|dst.hi(), 0xb8+dst.low())
		a.Buf = binary.LittleEndian.AppendUint64(a.Buf, uint64(imm))
	}
}

// Lea emits lea dst, [m] (64-bit).
func (a *Assembler) Lea(dst Reg, m Mem) {
	if !a.needGPR(dst, "lea dst") {
		return
	}
	a.rm(0, true, op1(0x8d), dst, m, 0, false)
}

// ALUOp selects one of the eight classic two-operand ALU operations.
type ALUOp uint8

// ALU operations (their /digit numbers).
const (
	Add ALUOp = 0
	Or  ALUOp = 1
	Adc ALUOp = 2
	Sbb ALUOp = 3
	And ALUOp = 4
	Sub ALUOp = 5
	Xor ALUOp = 6
	Cmp ALUOp = 7
)

var aluNames = [8]string{"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"}

func (o ALUOp) String() string { return aluNames[o&7] }

// AluRR emits op dst, src.
func (a *Assembler) AluRR(op ALUOp, sz Size, dst, src Reg) {
	if op > 7 || !a.needSize(sz) || !a.needGPR(dst, "dst") || !a.needGPR(src, "src") {
		a.failOp(op)
		return
	}
	b := byte(op)<<3 | 1
	if sz == 1 {
		b--
	}
	a.rr(sizePfx(sz), sz == 8, op1(b), src, dst, sz == 1 && (byteRex(src) || byteRex(dst)))
}

func (a *Assembler) failOp(op ALUOp) {
	if op > 7 {
		a.fail("%w: ALU op %d", ErrBadOperand, op)
	}
}

// AluRM emits op dst, [m].
func (a *Assembler) AluRM(op ALUOp, sz Size, dst Reg, m Mem) {
	if op > 7 || !a.needSize(sz) || !a.needGPR(dst, "dst") {
		a.failOp(op)
		return
	}
	b := byte(op)<<3 | 3
	if sz == 1 {
		b--
	}
	a.rm(sizePfx(sz), sz == 8, op1(b), dst, m, 0, sz == 1 && byteRex(dst))
}

// AluMR emits op [m], src.
func (a *Assembler) AluMR(op ALUOp, sz Size, m Mem, src Reg) {
	if op > 7 || !a.needSize(sz) || !a.needGPR(src, "src") {
		a.failOp(op)
		return
	}
	b := byte(op)<<3 | 1
	if sz == 1 {
		b--
	}
	a.rm(sizePfx(sz), sz == 8, op1(b), src, m, 0, sz == 1 && byteRex(src))
}

// AluRI emits op dst, imm (sign-extended imm8 form when it fits).
func (a *Assembler) AluRI(op ALUOp, sz Size, dst Reg, imm int32) {
	if op > 7 || !a.needSize(sz) || !a.needGPR(dst, "dst") {
		a.failOp(op)
		return
	}
	switch {
	case sz == 1:
		if dst == RAX {
			a.b(byte(op)<<3 | 4)
		} else {
			a.rr(0, false, op1(0x80), digit(byte(op)), dst, byteRex(dst))
		}
		a.b(byte(imm))
	case imm >= -128 && imm <= 127:
		a.rr(sizePfx(sz), sz == 8, op1(0x83), digit(byte(op)), dst, false)
		a.b(byte(int8(imm)))
	case dst == RAX:
		if p := sizePfx(sz); p != 0 {
			a.b(p)
		}
		if sz == 8 {
			a.b(0x48)
		}
		a.b(byte(op)<<3 | 5)
		a.immSz(sz, imm)
	default:
		a.rr(sizePfx(sz), sz == 8, op1(0x81), digit(byte(op)), dst, false)
		a.immSz(sz, imm)
	}
}

func (a *Assembler) immSz(sz Size, imm int32) {
	if sz == 2 {
		a.b(byte(imm), byte(imm>>8))
		return
	}
	a.imm32(imm)
}

// AluMI emits op [m], imm.
func (a *Assembler) AluMI(op ALUOp, sz Size, m Mem, imm int32) {
	if op > 7 || !a.needSize(sz) {
		a.failOp(op)
		return
	}
	switch {
	case sz == 1:
		a.rm(0, false, op1(0x80), digit(byte(op)), m, 1, false)
		a.b(byte(imm))
	case imm >= -128 && imm <= 127:
		a.rm(sizePfx(sz), sz == 8, op1(0x83), digit(byte(op)), m, 1, false)
		a.b(byte(int8(imm)))
	default:
		n := 4
		if sz == 2 {
			n = 2
		}
		a.rm(sizePfx(sz), sz == 8, op1(0x81), digit(byte(op)), m, n, false)
		a.immSz(sz, imm)
	}
}

// TestRR emits test r1, r2.
func (a *Assembler) TestRR(sz Size, r1, r2 Reg) {
	if !a.needSize(sz) || !a.needGPR(r1, "test") || !a.needGPR(r2, "test") {
		return
	}
	o := op1(0x85)
	if sz == 1 {
		o = op1(0x84)
	}
	a.rr(sizePfx(sz), sz == 8, o, r2, r1, sz == 1 && (byteRex(r1) || byteRex(r2)))
}

// TestRI emits test r, imm.
func (a *Assembler) TestRI(sz Size, r Reg, imm int32) {
	if !a.needSize(sz) || !a.needGPR(r, "test") {
		return
	}
	switch {
	case sz == 1 && r == RAX:
		a.b(0xa8, byte(imm))
	case sz == 1:
		a.rr(0, false, op1(0xf6), 0, r, byteRex(r))
		a.b(byte(imm))
	case r == RAX:
		if p := sizePfx(sz); p != 0 {
			a.b(p)
		}
		if sz == 8 {
			a.b(0x48)
		}
		a.b(0xa9)
		a.immSz(sz, imm)
	default:
		a.rr(sizePfx(sz), sz == 8, op1(0xf7), 0, r, false)
		a.immSz(sz, imm)
	}
}

// ImulRR emits imul dst, src.
func (a *Assembler) ImulRR(sz Size, dst, src Reg) {
	if !a.needSize(sz) || sz == 1 || !a.needGPR(dst, "imul dst") || !a.needGPR(src, "imul src") {
		if sz == 1 {
			a.fail("%w: imul has no byte two-operand form", ErrBadOperand)
		}
		return
	}
	a.rr(sizePfx(sz), sz == 8, op2(0x0f, 0xaf), dst, src, false)
}

// ImulRM emits imul dst, [m].
func (a *Assembler) ImulRM(sz Size, dst Reg, m Mem) {
	if !a.needSize(sz) || sz == 1 || !a.needGPR(dst, "imul dst") {
		if sz == 1 {
			a.fail("%w: imul has no byte two-operand form", ErrBadOperand)
		}
		return
	}
	a.rm(sizePfx(sz), sz == 8, op2(0x0f, 0xaf), dst, m, 0, false)
}

// ImulRRI emits imul dst, src, imm.
func (a *Assembler) ImulRRI(sz Size, dst, src Reg, imm int32) {
	if !a.needSize(sz) || sz == 1 || !a.needGPR(dst, "imul dst") || !a.needGPR(src, "imul src") {
		if sz == 1 {
			a.fail("%w: imul has no byte three-operand form", ErrBadOperand)
		}
		return
	}
	if imm >= -128 && imm <= 127 {
		a.rr(sizePfx(sz), sz == 8, op1(0x6b), dst, src, false)
		a.b(byte(int8(imm)))
		return
	}
	a.rr(sizePfx(sz), sz == 8, op1(0x69), dst, src, false)
	a.immSz(sz, imm)
}

// UnaryOp selects a group-3 unary operation.
type UnaryOp uint8

// Group-3 operations (their /digit numbers).
const (
	Not  UnaryOp = 2
	Neg  UnaryOp = 3
	Mul  UnaryOp = 4 // rdx:rax = rax * r (unsigned)
	Div  UnaryOp = 6 // unsigned rdx:rax / r
	Idiv UnaryOp = 7 // signed rdx:rax / r
)

// Unary emits not/neg/mul/div/idiv r.
func (a *Assembler) Unary(op UnaryOp, sz Size, r Reg) {
	if op != Not && op != Neg && op != Mul && op != Div && op != Idiv {
		a.fail("%w: unary op %d", ErrBadOperand, op)
		return
	}
	if !a.needSize(sz) || !a.needGPR(r, "unary operand") {
		return
	}
	o := op1(0xf7)
	if sz == 1 {
		o = op1(0xf6)
	}
	a.rr(sizePfx(sz), sz == 8, o, digit(byte(op)), r, sz == 1 && byteRex(r))
}

// Cqo emits cqo (sign-extend rax into rdx), or cdq for size 4.
func (a *Assembler) Cqo(sz Size) {
	a.Insts++
	if sz == 8 {
		a.b(0x48)
	}
	a.b(0x99)
}

// ShiftOp selects a shift or rotate.
type ShiftOp uint8

// Shift operations (their /digit numbers).
const (
	Rol ShiftOp = 0
	Ror ShiftOp = 1
	Shl ShiftOp = 4
	Shr ShiftOp = 5
	Sar ShiftOp = 7
)

func (a *Assembler) shiftOK(op ShiftOp, sz Size, r Reg) bool {
	if op != Rol && op != Ror && op != Shl && op != Shr && op != Sar {
		a.fail("%w: shift op %d", ErrBadOperand, op)
		return false
	}
	return a.needSize(sz) && a.needGPR(r, "shift operand")
}

// ShiftRI emits op r, imm (shl/shr/sar/rol/ror by a constant).
func (a *Assembler) ShiftRI(op ShiftOp, sz Size, r Reg, imm uint8) {
	if !a.shiftOK(op, sz, r) {
		return
	}
	base := byte(0xc1)
	if imm == 1 {
		base = 0xd1
	}
	if sz == 1 {
		base--
	}
	a.rr(sizePfx(sz), sz == 8, op1(base), digit(byte(op)), r, sz == 1 && byteRex(r))
	if imm != 1 {
		a.b(imm)
	}
}

// ShiftRCL emits op r, cl.
func (a *Assembler) ShiftRCL(op ShiftOp, sz Size, r Reg) {
	if !a.shiftOK(op, sz, r) {
		return
	}
	base := byte(0xd3)
	if sz == 1 {
		base = 0xd2
	}
	a.rr(sizePfx(sz), sz == 8, op1(base), digit(byte(op)), r, sz == 1 && byteRex(r))
}

// Setcc emits set<cc> r8.
func (a *Assembler) Setcc(cc Cond, r Reg) {
	if cc > 15 || !a.needGPR(r, "setcc") {
		if cc > 15 {
			a.fail("%w: condition %d", ErrBadOperand, cc)
		}
		return
	}
	a.rr(0, false, op2(0x0f, 0x90|byte(cc)), 0, r, byteRex(r))
}

// Cmovcc emits cmov<cc> dst, src.
func (a *Assembler) Cmovcc(cc Cond, sz Size, dst, src Reg) {
	if cc > 15 || sz == 1 || !a.needSize(sz) || !a.needGPR(dst, "cmov dst") || !a.needGPR(src, "cmov src") {
		if cc > 15 || sz == 1 {
			a.fail("%w: cmov condition %d size %d", ErrBadOperand, cc, sz)
		}
		return
	}
	a.rr(sizePfx(sz), sz == 8, op2(0x0f, 0x40|byte(cc)), dst, src, false)
}

// MovzxB emits movzx dst32, src8 (which zero-extends to 64 bits).
func (a *Assembler) MovzxB(dst, src Reg) {
	if !a.needGPR(dst, "movzx dst") || !a.needGPR(src, "movzx src") {
		return
	}
	a.rr(0, false, op2(0x0f, 0xb6), dst, src, byteRex(src))
}

// MovsxB emits movsx dst (size sz 4 or 8), src8.
func (a *Assembler) MovsxB(sz Size, dst, src Reg) {
	if !a.needGPR(dst, "movsx dst") || !a.needGPR(src, "movsx src") {
		return
	}
	a.rr(0, sz == 8, op2(0x0f, 0xbe), dst, src, byteRex(src))
}

// Movsxd emits movsxd dst64, src32 (sign extension from 32 bits).
func (a *Assembler) Movsxd(dst, src Reg) {
	if !a.needGPR(dst, "movsxd dst") || !a.needGPR(src, "movsxd src") {
		return
	}
	a.rr(0, true, op1(0x63), dst, src, false)
}

// Push emits push r.
func (a *Assembler) Push(r Reg) {
	if !a.needGPR(r, "push") {
		return
	}
	a.Insts++
	if r.hi() != 0 {
		a.b(0x41)
	}
	a.b(0x50 + r.low())
}

// Pop emits pop r.
func (a *Assembler) Pop(r Reg) {
	if !a.needGPR(r, "pop") {
		return
	}
	a.Insts++
	if r.hi() != 0 {
		a.b(0x41)
	}
	a.b(0x58 + r.low())
}

// Ret emits ret.
func (a *Assembler) Ret() { a.Insts++; a.b(0xc3) }

// Int3 emits int3.
func (a *Assembler) Int3() { a.Insts++; a.b(0xcc) }

// Ud2 emits ud2.
func (a *Assembler) Ud2() { a.Insts++; a.b(0x0f, 0x0b) }

// Nop emits n bytes of recommended multi-byte no-ops.
func (a *Assembler) Nop(n int) {
	nops := [...][]byte{
		{0x90},
		{0x66, 0x90},
		{0x0f, 0x1f, 0x00},
		{0x0f, 0x1f, 0x40, 0x00},
		{0x0f, 0x1f, 0x44, 0x00, 0x00},
		{0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
		{0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00},
		{0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
	}
	for n > 0 {
		k := min(n, len(nops))
		a.Buf = append(a.Buf, nops[k-1]...)
		n -= k
	}
}

// CallSym emits call sym through a PLT32 relocation.
func (a *Assembler) CallSym(sym int32) {
	a.Insts++
	a.b(0xe8)
	a.Relocs = append(a.Relocs, Reloc{Offset: len(a.Buf), Kind: RelPLT32, Sym: sym, Addend: -4})
	a.imm32(0)
}

// CallR emits call r.
func (a *Assembler) CallR(r Reg) {
	if !a.needGPR(r, "call target") {
		return
	}
	a.rr(0, false, op1(0xff), 2, r, false)
}

// CallM emits call [m] (for example a GOT entry).
func (a *Assembler) CallM(m Mem) { a.rm(0, false, op1(0xff), 2, m, 0, false) }

// JmpR emits jmp r.
func (a *Assembler) JmpR(r Reg) {
	if !a.needGPR(r, "jmp target") {
		return
	}
	a.rr(0, false, op1(0xff), 4, r, false)
}

// JmpSym emits jmp sym (a tail call) through a PLT32 relocation.
func (a *Assembler) JmpSym(sym int32) {
	a.Insts++
	a.b(0xe9)
	a.Relocs = append(a.Relocs, Reloc{Offset: len(a.Buf), Kind: RelPLT32, Sym: sym, Addend: -4})
	a.imm32(0)
}

func (a *Assembler) branch(short byte, long opc, l Label) {
	if int(l) < 0 || int(l) >= len(a.labels) {
		a.fail("branch to unknown label %d", l)
		return
	}
	a.Insts++
	if t := a.labels[l]; t >= 0 {
		// Backward branch: the distance is known.
		a.back = append(a.back, fwdBranch{start: int32(len(a.Buf)), label: l})
		if rel := int(t) - (len(a.Buf) + 2); rel >= -128 {
			a.b(short, byte(int8(rel)))
			return
		}
		long.emit(a)
		rel := int(t) - (len(a.Buf) + 4)
		a.imm32(int32(rel))
		return
	}
	seq := a.fwdSeq
	a.fwdSeq++
	a.fwd = append(a.fwd, fwdBranch{start: int32(len(a.Buf)), label: l})
	if seq < len(a.ShortFwd) && a.ShortFwd[seq] {
		a.b(short, 0)
		a.fixups = append(a.fixups, fixup{at: int32(len(a.Buf) - 1), label: l, short: true})
		return
	}
	long.emit(a)
	a.fixups = append(a.fixups, fixup{at: int32(len(a.Buf)), label: l})
	a.imm32(0)
}

// Jmp emits jmp l.
func (a *Assembler) Jmp(l Label) { a.branch(0xeb, op1(0xe9), l) }

// Jcc emits j<cc> l.
func (a *Assembler) Jcc(cc Cond, l Label) {
	if cc > 15 {
		a.fail("%w: condition %d", ErrBadOperand, cc)
		return
	}
	a.branch(0x70|byte(cc), op2(0x0f, 0x80|byte(cc)), l)
}

// ---- SSE2 scalar double ----

// SseOp is an SSE2 operation on doubles with an xmm destination.
type SseOp uint8

// SSE operations.
const (
	Movsd    SseOp = iota // movsd xmm, xmm/m64 (load form)
	Addsd                 // addsd
	Subsd                 // subsd
	Mulsd                 // mulsd
	Divsd                 // divsd
	Sqrtsd                // sqrtsd
	Minsd                 // minsd
	Maxsd                 // maxsd
	Ucomisd               // ucomisd (compare, sets ZF/PF/CF)
	Comisd                // comisd
	Xorpd                 // xorpd (128-bit)
	Andpd                 // andpd
	Orpd                  // orpd
	Andnpd                // andnpd
	Movapd                // movapd xmm, xmm (full register copy)
	Unpcklpd              // unpcklpd
	Movss                 // movss xmm, xmm/m32 (load form)
	Addss                 // addss
	Subss                 // subss
	Mulss                 // mulss
	Divss                 // divss
	Sqrtss                // sqrtss
	Ucomiss               // ucomiss
	Cvtss2sd              // cvtss2sd (float to double)
	Cvtsd2ss              // cvtsd2ss (double to float)
	Xorps                 // xorps
	numSseOps
)

var sseTab = [numSseOps]struct {
	pfx  byte
	op   byte
	name string
}{
	Movsd:    {0xf2, 0x10, "movsd"},
	Addsd:    {0xf2, 0x58, "addsd"},
	Subsd:    {0xf2, 0x5c, "subsd"},
	Mulsd:    {0xf2, 0x59, "mulsd"},
	Divsd:    {0xf2, 0x5e, "divsd"},
	Sqrtsd:   {0xf2, 0x51, "sqrtsd"},
	Minsd:    {0xf2, 0x5d, "minsd"},
	Maxsd:    {0xf2, 0x5f, "maxsd"},
	Ucomisd:  {0x66, 0x2e, "ucomisd"},
	Comisd:   {0x66, 0x2f, "comisd"},
	Xorpd:    {0x66, 0x57, "xorpd"},
	Andpd:    {0x66, 0x54, "andpd"},
	Orpd:     {0x66, 0x56, "orpd"},
	Andnpd:   {0x66, 0x55, "andnpd"},
	Movapd:   {0x66, 0x28, "movapd"},
	Unpcklpd: {0x66, 0x14, "unpcklpd"},
	Movss:    {0xf3, 0x10, "movss"},
	Addss:    {0xf3, 0x58, "addss"},
	Subss:    {0xf3, 0x5c, "subss"},
	Mulss:    {0xf3, 0x59, "mulss"},
	Divss:    {0xf3, 0x5e, "divss"},
	Sqrtss:   {0xf3, 0x51, "sqrtss"},
	Ucomiss:  {0, 0x2e, "ucomiss"},
	Cvtss2sd: {0xf3, 0x5a, "cvtss2sd"},
	Cvtsd2ss: {0xf2, 0x5a, "cvtsd2ss"},
	Xorps:    {0, 0x57, "xorps"},
}

func (o SseOp) String() string {
	if o < numSseOps {
		return sseTab[o].name
	}
	return fmt.Sprintf("SseOp(%d)", uint8(o))
}

// SseRR emits op dst, src on xmm registers.
func (a *Assembler) SseRR(op SseOp, dst, src Reg) {
	if op < numSseOps && dst.IsXMM() && src.IsXMM() {
		// The encoding written here, not through rr: an SSE operation
		// on two registers was the code's most frequent instruction, and
		// rr's general form (size, forced REX, opcode length) cost twice
		// these few stores.
		t := &sseTab[op]
		a.Insts++
		buf := a.room()
		n := 0
		if t.pfx != 0 {
			buf[0] = t.pfx
			n = 1
		}
		if rex := dst.hi()<<2 | src.hi(); rex != 0 {
			buf[n] = 0x40 | rex
			n++
		}
		buf[n], buf[n+1], buf[n+2] = 0x0f, t.op, 0xc0|dst.low()<<3|src.low()
		a.Buf = a.Buf[:len(a.Buf)+n+3]
		return
	}
	if op >= numSseOps {
		a.fail("%w: sse op %d", ErrBadOperand, op)
		return
	}
	if !a.needXMM(dst, "dst") || !a.needXMM(src, "src") {
		return
	}
	t := sseTab[op]
	a.rr(t.pfx, false, op2(0x0f, t.op), dst, src, false)
}

// SseRM emits op dst, [m]. Movapd and the packed logical operations need
// 16-byte aligned memory.
func (a *Assembler) SseRM(op SseOp, dst Reg, m Mem) {
	if op < numSseOps && dst.IsXMM() && m.Base == RIP && m.Index == NoReg {
		// A constant of the pool (RIP-relative), written here as rm
		// would write it, without its checks and cases for the others.
		t := &sseTab[op]
		a.Insts++
		buf := a.room()
		n := 0
		if t.pfx != 0 {
			buf[0] = t.pfx
			n = 1
		}
		if dst.hi() != 0 {
			buf[n] = 0x44
			n++
		}
		buf[n], buf[n+1], buf[n+2] = 0x0f, t.op, 0x05|dst.low()<<3
		n += 3
		a.Relocs = append(a.Relocs, Reloc{Offset: len(a.Buf) + n, Kind: m.SymKind, Sym: m.Sym, Addend: int64(m.Disp) - 4})
		binary.LittleEndian.PutUint32(buf[n:], 0)
		a.Buf = a.Buf[:len(a.Buf)+n+4]
		return
	}
	if op >= numSseOps {
		a.fail("%w: sse op %d", ErrBadOperand, op)
		return
	}
	if !a.needXMM(dst, "dst") {
		return
	}
	t := sseTab[op]
	a.rm(t.pfx, false, op2(0x0f, t.op), dst, m, 0, false)
}

// MovsdMR emits the store movsd [m], src.
func (a *Assembler) MovsdMR(m Mem, src Reg) {
	if !a.needXMM(src, "movsd src") {
		return
	}
	a.rm(0xf2, false, op2(0x0f, 0x11), src, m, 0, false)
}

// MovssMR emits the store movss [m], src.
func (a *Assembler) MovssMR(m Mem, src Reg) {
	if !a.needXMM(src, "movss src") {
		return
	}
	a.rm(0xf3, false, op2(0x0f, 0x11), src, m, 0, false)
}

// Cvtsi2ss emits cvtsi2ss dst, src (src a 32- or 64-bit integer register).
func (a *Assembler) Cvtsi2ss(sz Size, dst, src Reg) {
	if (sz != 4 && sz != 8) || !a.needXMM(dst, "cvtsi2ss dst") || !a.needGPR(src, "cvtsi2ss src") {
		if sz != 4 && sz != 8 {
			a.fail("%w: cvtsi2ss size %d", ErrBadOperand, sz)
		}
		return
	}
	a.rr(0xf3, sz == 8, op2(0x0f, 0x2a), dst, src, false)
}

// Cvttss2si emits cvttss2si dst, src (truncating, dst 32 or 64 bits).
func (a *Assembler) Cvttss2si(sz Size, dst, src Reg) {
	if (sz != 4 && sz != 8) || !a.needGPR(dst, "cvttss2si dst") || !a.needXMM(src, "cvttss2si src") {
		if sz != 4 && sz != 8 {
			a.fail("%w: cvttss2si size %d", ErrBadOperand, sz)
		}
		return
	}
	a.rr(0xf3, sz == 8, op2(0x0f, 0x2c), dst, src, false)
}

// Cvtsi2sd emits cvtsi2sd dst, src (src a 32- or 64-bit integer register).
func (a *Assembler) Cvtsi2sd(sz Size, dst, src Reg) {
	if (sz != 4 && sz != 8) || !a.needXMM(dst, "cvtsi2sd dst") || !a.needGPR(src, "cvtsi2sd src") {
		if sz != 4 && sz != 8 {
			a.fail("%w: cvtsi2sd size %d", ErrBadOperand, sz)
		}
		return
	}
	a.rr(0xf2, sz == 8, op2(0x0f, 0x2a), dst, src, false)
}

// Cvtsi2sdM emits cvtsi2sd dst, [m] (integer of size sz in memory).
func (a *Assembler) Cvtsi2sdM(sz Size, dst Reg, m Mem) {
	if (sz != 4 && sz != 8) || !a.needXMM(dst, "cvtsi2sd dst") {
		if sz != 4 && sz != 8 {
			a.fail("%w: cvtsi2sd size %d", ErrBadOperand, sz)
		}
		return
	}
	a.rm(0xf2, sz == 8, op2(0x0f, 0x2a), dst, m, 0, false)
}

// Cvttsd2si emits cvttsd2si dst, src (truncating, dst 32 or 64 bits).
func (a *Assembler) Cvttsd2si(sz Size, dst, src Reg) {
	if (sz != 4 && sz != 8) || !a.needGPR(dst, "cvttsd2si dst") || !a.needXMM(src, "cvttsd2si src") {
		if sz != 4 && sz != 8 {
			a.fail("%w: cvttsd2si size %d", ErrBadOperand, sz)
		}
		return
	}
	a.rr(0xf2, sz == 8, op2(0x0f, 0x2c), dst, src, false)
}

// Cvttsd2siM emits cvttsd2si dst, [m].
func (a *Assembler) Cvttsd2siM(sz Size, dst Reg, m Mem) {
	if (sz != 4 && sz != 8) || !a.needGPR(dst, "cvttsd2si dst") {
		if sz != 4 && sz != 8 {
			a.fail("%w: cvttsd2si size %d", ErrBadOperand, sz)
		}
		return
	}
	a.rm(0xf2, sz == 8, op2(0x0f, 0x2c), dst, m, 0, false)
}

// MovqXR emits movq xmm, r64.
func (a *Assembler) MovqXR(dst, src Reg) {
	if !a.needXMM(dst, "movq dst") || !a.needGPR(src, "movq src") {
		return
	}
	a.rr(0x66, true, op2(0x0f, 0x6e), dst, src, false)
}

// MovqRX emits movq r64, xmm.
func (a *Assembler) MovqRX(dst, src Reg) {
	if !a.needGPR(dst, "movq dst") || !a.needXMM(src, "movq src") {
		return
	}
	a.rr(0x66, true, op2(0x0f, 0x7e), src, dst, false)
}

// ---- atomic instructions ----

// Xchg emits xchg [m], r (size sz; locked whatever the prefix): r gets
// the old value.
func (a *Assembler) Xchg(sz Size, m Mem, r Reg) {
	if !a.needSize(sz) || !a.needGPR(r, "xchg") {
		return
	}
	o := op1(0x87)
	if sz == 1 {
		o = op1(0x86)
	}
	a.rm(sizePfx(sz), sz == 8, o, r, m, 0, sz == 1 && byteRex(r))
}

// LockXadd emits lock xadd [m], r (size sz): r gets the old value.
func (a *Assembler) LockXadd(sz Size, m Mem, r Reg) {
	if !a.needSize(sz) || !a.needGPR(r, "xadd") {
		return
	}
	o := op2(0x0f, 0xc1)
	if sz == 1 {
		o = op2(0x0f, 0xc0)
	}
	a.lock(sz)
	a.rm(0, sz == 8, o, r, m, 0, sz == 1 && byteRex(r))
}

// LockCmpxchg emits lock cmpxchg [m], r (size sz): if [m] equals the
// accumulator (al, ax, eax or rax), [m] = r and ZF is set; otherwise
// the accumulator gets [m] and ZF is clear.
func (a *Assembler) LockCmpxchg(sz Size, m Mem, r Reg) {
	if !a.needSize(sz) || !a.needGPR(r, "cmpxchg") {
		return
	}
	o := op2(0x0f, 0xb1)
	if sz == 1 {
		o = op2(0x0f, 0xb0)
	}
	a.lock(sz)
	a.rm(0, sz == 8, o, r, m, 0, sz == 1 && byteRex(r))
}

// lock emits the operand-size prefix of a 16-bit operation, if any, then
// lock (GNU as's order).
func (a *Assembler) lock(sz Size) {
	if sz == 2 {
		a.b(0x66)
	}
	a.b(0xf0)
}

// AddFS0 emits add r, fs:[0] (r64): the thread pointer added to a TLS
// offset.
func (a *Assembler) AddFS0(r Reg) {
	if !a.needGPR(r, "add fs:0") {
		return
	}
	a.Insts++
	a.b(0x64, 0x48|r.hi()<<2, 0x03, 0x04|r.low()<<3, 0x25, 0, 0, 0, 0)
}

// Mfence emits mfence.
func (a *Assembler) Mfence() {
	a.Insts++
	a.b(0x0f, 0xae, 0xf0)
}
