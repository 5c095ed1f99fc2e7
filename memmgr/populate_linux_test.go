package memmgr

import (
	"context"
	"syscall"
	"testing"
	"unsafe"
)

// resident counts the pages of b that are in memory (mincore(2)).
func resident(t *testing.T, b []byte) int {
	t.Helper()
	ps := syscall.Getpagesize()
	vec := make([]byte, (len(b)+ps-1)/ps)
	if _, _, errno := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatalf("mincore: %v", errno)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
}

// TestInProcessPrepareFaultsIn checks that the memory the in-process
// mapper hands the linker is already in memory (faulted in by one
// MADV_POPULATE_WRITE call, not page by page as the linker writes it),
// and only the prepared part of the range.
func TestInProcessPrepareFaultsIn(t *testing.T) {
	ctx := context.Background()
	e := newEPC(t)
	m := inProcessMapper(t, e)
	ps := uint64(syscall.Getpagesize())
	r, err := m.Reserve(ctx, 64*ps, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Release(ctx, r) })
	mem, err := m.Prepare(ctx, r, 10*ps+1)
	if err != nil {
		t.Fatal(err)
	}
	full, err := e.LocalMemory(r) // (Prepare made all of r read-write)
	if err != nil {
		t.Fatal(err)
	}
	// (Counted before anything reads the memory: a read would map the
	// shared zero page, which mincore also counts.)
	if n := resident(t, full[:11*ps]); n != 11 {
		t.Errorf("%d of the 11 prepared pages are resident, want all", n)
	}
	if n := resident(t, full[11*ps:]); n != 0 {
		t.Errorf("%d pages past the prepared size are resident, want 0", n)
	}
	for i := range mem {
		if mem[i] != 0 {
			t.Fatalf("prepared byte %d is %#x, want 0", i, mem[i])
		}
	}
}
