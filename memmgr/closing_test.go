package memmgr

import (
	"context"
	"fmt"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// countingMapper is a fakeMapper that records what Deinitialize was asked
// to do.
type countingMapper struct {
	fakeMapper
	deinits, actions, ranges int
}

func (m *countingMapper) Deinitialize(_ context.Context, actions []shared.AllocActionPair, ranges []shared.ExecutorAddrRange) error {
	m.deinits++
	m.actions += len(actions)
	m.ranges += len(ranges)
	return nil
}

// TestSlabClosing: after Closing, deallocating runs the allocations'
// Dealloc actions but decommits nothing and never hands the memory out
// again; before it, both happen as usual.
func TestSlabClosing(t *testing.T) {
	ctx := context.Background()
	m := &countingMapper{}
	s, err := NewSlab(m, SlabOptions{Size: 64 * 4096})
	if err != nil {
		t.Fatal(err)
	}
	req := jitlink.AllocRequest{Name: "f", Segments: []jitlink.SegmentRequest{{Prot: shared.ProtRead | shared.ProtExec, Size: 100, Align: 16}}}
	alloc := func() (jitlink.FinalizedAlloc, shared.ExecutorAddr) {
		a, err := s.Allocate(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		fa, err := a.Finalize(ctx, []shared.AllocActionPair{{Finalize: shared.WrapperCall{Fn: 1}, Dealloc: shared.WrapperCall{Fn: 2}}})
		if err != nil {
			t.Fatal(err)
		}
		return fa, a.Segments()[0].Addr
	}
	fa, addr := alloc()
	if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}); err != nil {
		t.Fatal(err)
	}
	if m.actions != 1 || m.ranges == 0 {
		t.Fatalf("before Closing: %d actions, %d ranges deinitialized; want 1 and some", m.actions, m.ranges)
	}
	if _, again := alloc(); again != addr {
		t.Fatalf("before Closing: freed memory at %v not reused (got %v)", addr, again)
	}
	s.Closing()
	fa2, addr2 := alloc()
	m.actions, m.ranges = 0, 0
	if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa2}); err != nil {
		t.Fatal(err)
	}
	if m.actions != 1 || m.ranges != 0 {
		t.Fatalf("after Closing: %d actions, %d ranges deinitialized; want 1 and 0", m.actions, m.ranges)
	}
	if _, again := alloc(); again == addr2 {
		t.Fatalf("after Closing: memory at %v freed without decommit was handed out again", addr2)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// orderMapper is a fakeMapper that records the Dealloc calls Deinitialize
// was asked to run, by their Fn.
type orderMapper struct {
	fakeMapper
	deallocs []shared.ExecutorAddr
}

func (m *orderMapper) Deinitialize(_ context.Context, actions []shared.AllocActionPair, _ []shared.ExecutorAddrRange) error {
	for i := len(actions) - 1; i >= 0; i-- {
		m.deallocs = append(m.deallocs, actions[i].Dealloc.Fn)
	}
	return nil
}

// TestSlabDeallocateNewestFirst: Deallocate frees a list of allocations
// newest (last) first, so their Dealloc calls (EH-frame deregistration)
// run in the reverse of the order their Finalize calls registered them.
func TestSlabDeallocateNewestFirst(t *testing.T) {
	ctx := context.Background()
	m := &orderMapper{}
	s, err := NewSlab(m, SlabOptions{Size: 64 * 4096})
	if err != nil {
		t.Fatal(err)
	}
	req := jitlink.AllocRequest{Name: "f", Segments: []jitlink.SegmentRequest{{Prot: shared.ProtRead | shared.ProtExec, Size: 100, Align: 16}}}
	var fas []jitlink.FinalizedAlloc
	for i := range 5 {
		a, err := s.Allocate(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		fa, err := a.Finalize(ctx, []shared.AllocActionPair{{Finalize: shared.WrapperCall{Fn: 1}, Dealloc: shared.WrapperCall{Fn: shared.ExecutorAddr(100 + i)}}})
		if err != nil {
			t.Fatal(err)
		}
		fas = append(fas, fa)
	}
	if err := s.Deallocate(ctx, fas); err != nil {
		t.Fatal(err)
	}
	want := []shared.ExecutorAddr{104, 103, 102, 101, 100}
	if fmt.Sprint(m.deallocs) != fmt.Sprint(want) {
		t.Errorf("Dealloc calls ran in the order %v, want %v (newest first)", m.deallocs, want)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
}
