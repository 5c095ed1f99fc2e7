package amd64

import (
	"math"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// TestConstSymCache: constSym, through its cache, names each float
// constant by the symbol its first mention made, in order of first
// mention, however the constants' hashes collide in the cache (300
// constants, each asked for several times in a scattered order).
func TestConstSymCache(t *testing.T) {
	mc := newModuleCompiler(&ir.Module{}, Options{})
	want := map[uint64]int32{}
	var order []uint64
	for i := range 3000 {
		k := uint64(i*7919) % 300
		bits := math.Float64bits(float64(k) + 0.5)
		id := mc.constSym(bits)
		if w, ok := want[bits]; ok {
			if id != w {
				t.Fatalf("mention %d of %v: symbol %d, first mention made %d", i, math.Float64frombits(bits), id, w)
			}
			continue
		}
		want[bits] = id
		order = append(order, bits)
		if len(mc.consts) != len(order) {
			t.Fatalf("mention %d: %d constants made, want %d", i, len(mc.consts), len(order))
		}
	}
	syms := mc.w.Symbols()
	for i, bits := range order {
		if got, wantName := syms[want[bits]].Name, constName(i); got != wantName {
			t.Errorf("constant %d (%v): symbol %q, want %q", i, math.Float64frombits(bits), got, wantName)
		}
	}
}
