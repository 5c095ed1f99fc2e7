package amd64

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/gorc-jit/gorc/backend/amd64/asm"
	"github.com/gorc-jit/gorc/objfile/elfw"
)

// .eh_frame: one CIE (CFA = rsp+8, return address at CFA-8) and one FDE
// per function describing its pushes and stack adjustment, so unwinders
// and debuggers can walk through generated code.

var dwarfReg = [16]byte{
	asm.RAX: 0, asm.RDX: 1, asm.RCX: 2, asm.RBX: 3, asm.RSI: 4, asm.RDI: 5, asm.RBP: 6, asm.RSP: 7,
	asm.R8: 8, asm.R9: 9, asm.R10: 10, asm.R11: 11, asm.R12: 12, asm.R13: 13, asm.R14: 14, asm.R15: 15,
}

func uleb(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
		} else {
			return append(b, c)
		}
	}
}

func pad8(b []byte, start int) []byte {
	for (len(b)-start)%8 != 0 {
		b = append(b, 0) // DW_CFA_nop
	}
	return b
}

func (mc *moduleCompiler) ehFrame() error {
	if len(mc.fdes) == 0 {
		return nil
	}
	sec := mc.w.EHFrame()
	le := binary.LittleEndian
	// Room for the CIE and every FDE at once (a one-function object's
	// section otherwise grew four times).
	n := 32
	for _, f := range mc.fdes {
		n += 24 + 8*len(f.cfi)
	}
	b := slices.Grow(sec.Data, n)
	// CIE
	start := len(b)
	b = append(b, 0, 0, 0, 0) // length
	b = append(b, 0, 0, 0, 0) // CIE id
	b = append(b, 1)          // version
	b = append(b, 'z', 'R', 0)
	b = uleb(b, 1)            // code alignment
	b = append(b, 0x78)       // data alignment -8 (sleb)
	b = uleb(b, 16)           // return address register
	b = uleb(b, 1)            // augmentation data length
	b = append(b, 0x1b)       // FDE pointers: pcrel sdata4
	b = append(b, 0x0c, 7, 8) // def_cfa rsp+8
	b = append(b, 0x80|16, 1) // offset r16 (ra) at cfa-8
	b = pad8(b, start)        //
	le.PutUint32(b[start:], uint32(len(b)-start-4))
	cie := start
	type rel struct{ off, target uint64 }
	rels := make([]rel, 0, len(mc.fdes))
	// Functions with an LSDA: a CIE per personality routine ("zPLR").
	var ehRels []ehRel
	var persCIE map[string]int
	for _, f := range mc.fdes {
		if f.lsda < 0 {
			continue
		}
		if persCIE == nil {
			persCIE = map[string]int{}
		}
		if _, ok := persCIE[f.personality]; ok {
			continue
		}
		if f.personality == "" {
			return fmt.Errorf("amd64: .eh_frame: a function with landing pads has no personality")
		}
		persCIE[f.personality] = len(b)
		b, ehRels = personalityCIE(b, ehRels, mc.externSym(f.personality))
	}
	for _, f := range mc.fdes {
		start := len(b)
		b = append(b, 0, 0, 0, 0)
		if f.lsda >= 0 {
			b = le.AppendUint32(b, uint32(len(b)-persCIE[f.personality]))
		} else {
			b = le.AppendUint32(b, uint32(len(b)-cie))
		}
		rels = append(rels, rel{uint64(len(b)), uint64(f.start)})
		b = append(b, 0, 0, 0, 0) // pc begin (relocated)
		b = le.AppendUint32(b, uint32(f.end-f.start))
		if f.lsda >= 0 {
			b = uleb(b, 4)
			ehRels = append(ehRels, ehRel{uint64(len(b)), elfw.R_X86_64_PC32, -1, int64(f.lsda)})
			b = append(b, 0, 0, 0, 0) // the LSDA (relocated)
		} else {
			b = uleb(b, 0) // augmentation data
		}
		pc := int32(0)
		for _, e := range f.cfi {
			if d := e.pc - pc; d > 0 {
				switch {
				case d < 64:
					b = append(b, 0x40|byte(d))
				case d < 256:
					b = append(b, 0x02, byte(d))
				case d < 65536:
					b = append(b, 0x03, byte(d), byte(d>>8))
				default:
					b = append(b, 0x04)
					b = le.AppendUint32(b, uint32(d))
				}
				pc = e.pc
			}
			switch e.kind {
			case cfiOffset:
				b = append(b, 0x0e)
				b = uleb(b, uint64(e.arg))
			case cfiSave:
				b = append(b, 0x80|dwarfReg[e.reg])
				b = uleb(b, uint64(e.arg/8))
			case cfiRemember:
				b = append(b, 0x0a)
			case cfiRestore:
				b = append(b, 0x0b)
			case cfiDefCFA:
				b = append(b, 0x0c, dwarfReg[e.reg])
				b = uleb(b, uint64(e.arg))
			}
		}
		b = pad8(b, start)
		le.PutUint32(b[start:], uint32(len(b)-start-4))
	}
	sec.Data = b
	tsym := mc.text.Symbol()
	for _, r := range rels {
		if err := sec.AddReloc(r.off, elfw.R_X86_64_PC32, tsym, int64(r.target)); err != nil {
			return fmt.Errorf("amd64: .eh_frame: %w", err)
		}
	}
	for _, r := range ehRels {
		sym := r.sym
		if sym < 0 {
			et, err := mc.exceptTable()
			if err != nil {
				return fmt.Errorf("amd64: .eh_frame: %w", err)
			}
			sym = et.Symbol()
		}
		if err := sec.AddReloc(r.off, r.typ, sym, r.addend); err != nil {
			return fmt.Errorf("amd64: .eh_frame: %w", err)
		}
	}
	return nil
}

// ehRel is a relocation of a personality CIE or an FDE's LSDA pointer
// (sym -1: .gcc_except_table's section symbol).
type ehRel struct {
	off    uint64
	typ    elfw.RelocType
	sym    elfw.SymID
	addend int64
}

// personalityCIE appends a CIE with augmentation "zPLR": the personality
// routine as an absolute 8-byte pointer, the FDEs' LSDA and code
// pointers pc-relative 4-byte; the instructions are the plain CIE's.
func personalityCIE(b []byte, rels []ehRel, pers int32) ([]byte, []ehRel) {
	le := binary.LittleEndian
	start := len(b)
	b = append(b, 0, 0, 0, 0) // length
	b = append(b, 0, 0, 0, 0) // CIE id
	b = append(b, 1)          // version
	b = append(b, 'z', 'P', 'L', 'R', 0)
	b = uleb(b, 1)      // code alignment
	b = append(b, 0x78) // data alignment -8 (sleb)
	b = uleb(b, 16)     // return address register
	b = uleb(b, 11)     // augmentation data length
	b = append(b, 0x00) // personality: absolute 8 bytes
	rels = append(rels, ehRel{uint64(len(b)), elfw.R_X86_64_64, elfw.SymID(pers), 0})
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	b = append(b, 0x1b)       // LSDA pointers: pcrel sdata4
	b = append(b, 0x1b)       // FDE pointers: pcrel sdata4
	b = append(b, 0x0c, 7, 8) // def_cfa rsp+8
	b = append(b, 0x80|16, 1) // offset r16 (ra) at cfa-8
	b = pad8(b, start)
	le.PutUint32(b[start:], uint32(len(b)-start-4))
	return b, rels
}
