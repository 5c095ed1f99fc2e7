package jitlink

import (
	"testing"
)

// TestArenaChunk: an unreserved graph's arena chunks double (16, 32, ...
// up to the limit); past a reader's reservation they are a quarter of the
// graph, at least 4 and at most the limit.
func TestArenaChunk(t *testing.T) {
	for _, c := range []struct {
		n        int
		reserved bool
		limit    int
		want     int
	}{
		{0, false, 256, 16},
		{16, false, 256, 16},
		{32, false, 256, 32},
		{1000, false, 256, 256},
		{0, true, 256, 4},
		{10, true, 256, 4},
		{40, true, 256, 10},
		{10000, true, 128, 128},
	} {
		if got := arenaChunk(c.n, c.reserved, c.limit); got != c.want {
			t.Errorf("arenaChunk(%d, %v, %d) = %d, want %d", c.n, c.reserved, c.limit, got, c.want)
		}
	}
}

// TestArenaAfterReserve: symbols added past a reservation (as the GOT and
// stub passes add theirs to a lazily compiled function's graph) come from
// a chunk of 4, not 16, and each is a distinct symbol.
func TestArenaAfterReserve(t *testing.T) {
	g := NewLinkGraph("f.o", nil)
	g.ReserveSymbols(10)
	seen := map[*Symbol]bool{}
	for range 13 {
		s := g.newSymbol()
		if seen[s] {
			t.Fatal("a symbol handed out twice")
		}
		seen[s] = true
	}
	if len(g.symArena) != 1 {
		t.Errorf("after 10 reserved and 3 more symbols, %d left in the arena (want 1: a chunk of 4)", len(g.symArena))
	}
}
