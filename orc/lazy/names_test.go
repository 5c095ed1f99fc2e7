package lazy_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/orc/lazy"
	"github.com/gorc-jit/gorc/shared"
)

// recordingMem records writes (a MemoryAccess with no batching).
type recordingMem struct {
	epc.MemoryAccess
	writes []epc.MemOp
}

func (m *recordingMem) Write(_ context.Context, addr shared.ExecutorAddr, data []byte) error {
	m.writes = append(m.writes, epc.MemOp{Kind: epc.MemOpWrite, Addr: addr, Data: slices.Clone(data)})
	return nil
}

// TestTrampolineNameSlots: with name slots, a block of trampolines gets a
// slot per trampoline; WriteNames fills the slots of adjacent
// trampolines in one write, in trampoline order, each name NUL-padded to
// NameSlotSize and cut to NameSlotSize-1 bytes; a trampoline the pool did
// not make is skipped; without slots nothing is written.
func TestTrampolineNameSlots(t *testing.T) {
	ctx := context.Background()
	arch := hostArch(t)
	mm := jitlinktest.NewMemoryManager(0x10000)
	mem := &recordingMem{}
	p := lazy.NewTrampolinePool(arch, mm, 0x7fff_0000_0000, 4)
	p.SetNameSlots(0x7fff_0000_1000, mem)
	tr, err := p.Get(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 100)
	if err := p.WriteNames(ctx, append(tr, 0x10), []string{"alpha", long, "gamma", "stranger"}); err != nil {
		t.Fatal(err)
	}
	if len(mem.writes) != 1 {
		t.Fatalf("%d writes, want 1 (adjacent slots): %+v", len(mem.writes), mem.writes)
	}
	w := mem.writes[0]
	if len(w.Data) != 3*lazy.NameSlotSize {
		t.Fatalf("write of %d bytes, want %d", len(w.Data), 3*lazy.NameSlotSize)
	}
	// The slots are in trampoline-address order.
	order := []int{0, 1, 2}
	slices.SortFunc(order, func(a, b int) int { return int(tr[a] - tr[b]) })
	names := []string{"alpha", long[:lazy.NameSlotSize-1], "gamma"}
	for k, i := range order {
		slot := w.Data[k*lazy.NameSlotSize : (k+1)*lazy.NameSlotSize]
		got := string(bytes.TrimRight(slot, "\x00"))
		if got != names[i] || slot[lazy.NameSlotSize-1] != 0 {
			t.Errorf("slot %d (trampoline %v) = %q, want %q NUL-terminated", k, tr[i], got, names[i])
		}
	}
	// A pool without slots writes nothing.
	q := lazy.NewTrampolinePool(arch, mm, 0x7fff_0000_0000, 4)
	qt, err := q.Get(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	mem.writes = nil
	if err := q.WriteNames(ctx, qt, []string{"a", "b"}); err != nil || len(mem.writes) != 0 {
		t.Fatalf("pool without slots: %v, %d writes", err, len(mem.writes))
	}
}
