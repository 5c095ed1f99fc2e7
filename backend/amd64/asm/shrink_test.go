package asm

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
)

// shrinkProgram emits a random function body into a: blocks of filler
// (nops and calls with relocations, some long enough to push branches out
// of rel8 reach) ending in forward and backward jmp/jcc to the blocks'
// labels. It returns the offsets (relative to the body's start) it
// recorded after every instruction, as an unwinding table would.
func shrinkProgram(a *Assembler, rnd *rand.Rand, nblocks int) []int {
	labels := make([]Label, nblocks+1)
	for i := range labels {
		labels[i] = a.NewLabel()
	}
	start := a.Len()
	var pcs []int
	for b := range nblocks {
		a.Bind(labels[b])
		for range rnd.IntN(4) {
			switch rnd.IntN(3) {
			case 0:
				a.Nop(1 + rnd.IntN(8))
			case 1:
				a.Nop(rnd.IntN(120))
			default:
				a.CallSym(int32(rnd.IntN(5)))
			}
			pcs = append(pcs, a.Len()-start)
		}
		for range 1 + rnd.IntN(2) {
			t := labels[rnd.IntN(nblocks+1)]
			if rnd.IntN(2) == 0 {
				a.Jmp(t)
			} else {
				a.Jcc(Cond(rnd.IntN(16)), t)
			}
			pcs = append(pcs, a.Len()-start)
		}
	}
	a.Bind(labels[nblocks])
	a.Ret()
	pcs = append(pcs, a.Len()-start)
	return pcs
}

// TestShrinkIsEmittingAgain: shortening the branches in place (Shrink)
// gives the code, relocations, labels and, once Finish has resolved the
// branches, the bytes that emitting the same body again with ShortFwd
// from Relax gives (how the backend did it before Shrink), and Moved maps
// the recorded offsets to the second emission's.
func TestShrinkIsEmittingAgain(t *testing.T) {
	for seed := range uint64(300) {
		nblocks := 1 + int(seed%40)
		emit := func(again bool) (*Assembler, []int) {
			a := new(Assembler)
			a.Nop(int(seed % 7)) // code before the body
			a.CallSym(9)
			rnd := rand.New(rand.NewPCG(seed, 7))
			mark := a.Mark()
			pcs := shrinkProgram(a, rnd, nblocks)
			short := a.Relax(nil)
			if again {
				a.Rewind(mark)
				a.ShortFwd = short
				pcs = shrinkProgram(a, rand.New(rand.NewPCG(seed, 7)), nblocks)
				a.ShortFwd = nil
			} else {
				a.Shrink(mark, short)
				for i := range pcs {
					pcs[i] = a.Moved(mark.buf+pcs[i]) - mark.buf
				}
			}
			return a, pcs
		}
		want, wantPCs := emit(true)
		got, gotPCs := emit(false)
		if !bytes.Equal(got.Buf, want.Buf) || !reflect.DeepEqual(got.Relocs, want.Relocs) ||
			!reflect.DeepEqual(got.labels, want.labels) || !reflect.DeepEqual(got.fixups, want.fixups) {
			t.Fatalf("seed %d: shrunk in place:\n% x\n%v\nlabels %v\nwant\n% x\n%v\nlabels %v", seed, got.Buf, got.Relocs, got.labels, want.Buf, want.Relocs, want.labels)
		}
		if !reflect.DeepEqual(gotPCs, wantPCs) {
			t.Fatalf("seed %d: offsets moved to %v, want %v", seed, gotPCs, wantPCs)
		}
		if err1, err2 := got.Finish(), want.Finish(); err1 != nil || err2 != nil || !bytes.Equal(got.Buf, want.Buf) {
			t.Fatalf("seed %d: after Finish (%v, %v):\n% x\nwant\n% x", seed, err1, err2, got.Buf, want.Buf)
		}
	}
}

// BenchmarkShrink: a 40-block body emitted with long forward branches and
// then shortened, in place (Shrink) or by emitting it again with
// ShortFwd (the backend's way before Shrink).
func BenchmarkShrink(b *testing.B) {
	for _, again := range []bool{false, true} {
		name := "in-place"
		if again {
			name = "emit-again"
		}
		b.Run(name, func(b *testing.B) {
			a := new(Assembler)
			for b.Loop() {
				a.Reset()
				mark := a.Mark()
				shrinkProgram(a, rand.New(rand.NewPCG(1, 7)), 40)
				short := a.Relax(nil)
				if again {
					a.Rewind(mark)
					a.ShortFwd = short
					shrinkProgram(a, rand.New(rand.NewPCG(1, 7)), 40)
					a.ShortFwd = nil
				} else {
					a.Shrink(mark, short)
				}
			}
		})
	}
}
