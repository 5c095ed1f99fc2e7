package asm

import (
	"bytes"
	"slices"
	"testing"
)

// TestSseDirect: SseRR and SseRM's RIP-relative case, which write their
// encodings themselves, give the bytes and relocations of the general
// encoders (rr, rm) for every operation and every pair of xmm registers.
func TestSseDirect(t *testing.T) {
	for op := SseOp(0); op < numSseOps; op++ {
		tab := sseTab[op]
		for dst := X0; dst <= X15; dst++ {
			for src := X0; src <= X15; src++ {
				var got, want Assembler
				got.SseRR(op, dst, src)
				want.rr(tab.pfx, false, op2(0x0f, tab.op), dst, src, false)
				if !bytes.Equal(got.Buf, want.Buf) || got.Insts != 1 {
					t.Fatalf("%v %v, %v: % x, want % x", op, dst, src, got.Buf, want.Buf)
				}
			}
			for _, m := range []Mem{MSym(3, 0), MSym(7, -12)} {
				m.SymKind = RelPC32
				var got, want Assembler
				got.Nop(3) // a reloc's offset counts from the buffer's start
				want.Nop(3)
				got.SseRM(op, dst, m)
				want.rm(tab.pfx, false, op2(0x0f, tab.op), dst, m, 0, false)
				if !bytes.Equal(got.Buf, want.Buf) || !slices.Equal(got.Relocs, want.Relocs) || got.Insts != want.Insts {
					t.Fatalf("%v %v, %+v: % x %v, want % x %v", op, dst, m, got.Buf, got.Relocs, want.Buf, want.Relocs)
				}
			}
		}
	}
}
