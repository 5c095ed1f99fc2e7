package amd64

import (
	"debug/elf"
	"math/rand"
	"sort"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
)

// fullSweep is the sweep useFarData made before sweeper: every run of the
// block decoded to its end, and the instruction holding off found by a
// binary search over all of them. sweeper must find the same instructions.
func fullSweep(b *jitlink.Block, starts []uint64) []inst {
	w := newSweeper(b, starts)
	c := b.Content
	var out []inst
	for k, pc := range w.starts {
		limit := uint64(len(c))
		if k+1 < len(w.starts) {
			limit = w.starts[k+1]
		}
		for pc < limit {
			it, err := decodeInst(c, pc)
			if err != nil {
				break
			}
			out = append(out, it)
			pc = it.end
		}
	}
	return out
}

func holding(insts []inst, off uint64) (inst, bool) {
	k := sort.Search(len(insts), func(j int) bool { return insts[j].end > off })
	if k == len(insts) || insts[k].start > off {
		return inst{}, false
	}
	return insts[k], true
}

// libcText returns up to n bytes of the C library's machine code and the
// offsets of the functions in them: real gcc output to sweep.
func libcText(t *testing.T, n int) ([]byte, []uint64) {
	t.Helper()
	f, err := elf.Open("/lib/x86_64-linux-gnu/libc.so.6")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	text := f.Section(".text")
	syms, err := f.DynamicSymbols()
	if text == nil || err != nil {
		t.Skip("no .text or symbols")
	}
	data, err := text.Data()
	if err != nil {
		t.Fatal(err)
	}
	data = data[:min(n, len(data))]
	var starts []uint64
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value >= text.Addr && s.Value < text.Addr+uint64(len(data)) {
			starts = append(starts, s.Value-text.Addr)
		}
	}
	return data, starts
}

func TestSweeperMatchesFullSweep(t *testing.T) {
	code, funcs := libcText(t, 16<<10)
	// Also: a block with an undecodable byte in a run (0x06, push %es,
	// does not exist in 64-bit mode), and a block whose function starts
	// are not known (one run from the block start). (Where an instruction
	// of one run straddles the next run's start — a symbol inside an
	// instruction, which compilers do not emit — the full sweep's binary
	// search could find either instruction; sweeper takes the later run's.)
	bad := append([]byte{0x48, 0x8b, 0x05, 0, 0, 0, 0, 0x06, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90}, code[:64]...)
	tests := []struct {
		name   string
		code   []byte
		starts []uint64
	}{
		{"functions", code, funcs},
		{"no starts", code[:4096], nil},
		{"undecodable", bad, []uint64{16}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &jitlink.Block{Content: tc.code, Size: uint64(len(tc.code))}
			want := fullSweep(b, append([]uint64(nil), tc.starts...))
			check := func(order string, offs []uint64) {
				w := newSweeper(b, append([]uint64(nil), tc.starts...))
				for _, off := range offs {
					got, gok := w.at(off)
					exp, eok := holding(want, off)
					if gok != eok || got != exp {
						t.Fatalf("%s order: at(%#x) = %+v, %v; the full sweep finds %+v, %v", order, off, got, gok, exp, eok)
					}
				}
			}
			offs := make([]uint64, len(tc.code))
			for i := range offs {
				offs[i] = uint64(i)
			}
			check("increasing", offs)
			rand.New(rand.NewSource(1)).Shuffle(len(offs), func(i, j int) { offs[i], offs[j] = offs[j], offs[i] })
			check("random", offs[:min(len(offs), 3000)])
		})
	}
}
