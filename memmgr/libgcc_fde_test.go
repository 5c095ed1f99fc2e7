//go:build cgo

package memmgr

import (
	"context"
	"syscall"
	"testing"
	"unsafe"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// TestLibgccSkipsLow32ZeroFDE shows why no allocation starts at an
// address whose low 32 bits are zero (region.take): libgcc's unwinder
// ignores an FDE whose 4-byte pc_begin is zero in those bits, so a
// function there has no unwind information, while the same FDE for a
// function 16 bytes on is found. The memory is mapped at a 4 GiB-aligned
// address of the test's choosing (the slab gets one only by chance).
func TestLibgccSkipsLow32ZeroFDE(t *testing.T) {
	ctx := context.Background()
	e := newEPC(t)
	const size = 1 << 16
	var base uintptr
	for hint := uintptr(0x7e0000000000); hint >= 0x100000000000; hint -= 1 << 32 {
		p, _, errno := syscall.Syscall6(syscall.SYS_MMAP, hint, size, syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|0x100000 /* MAP_FIXED_NOREPLACE */, ^uintptr(0), 0)
		if errno == 0 && p == hint {
			base = p
			break
		}
		if errno == 0 {
			syscall.Syscall(syscall.SYS_MUNMAP, p, size, 0)
		}
	}
	if base == 0 {
		t.Skip("no free 4 GiB-aligned address to map")
	}
	t.Cleanup(func() { syscall.Syscall(syscall.SYS_MUNMAP, base, size, 0) })
	// Memory from mmap, not Go's heap: its address as a pointer.
	mem := unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&base))), size)
	for _, tc := range []struct {
		fn    uint64 // offset of the function
		found bool
	}{{0, false}, {16, true}} {
		fn := shared.ExecutorAddr(uint64(base) + tc.fn)
		ehAt := shared.ExecutorAddr(uint64(base) + 4096)
		eh := ehFrame(ehAt, fn, 6)
		copy(mem[4096:], eh)
		act, err := epc.EHFrameActions(e, shared.ExecutorAddrRange{Start: ehAt, End: ehAt.Add(uint64(len(eh)))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.CallWrapper(ctx, act.Finalize); err != nil {
			t.Fatal(err)
		}
		got := executor.UnwindFunctionStart(fn + 2)
		if _, err := e.CallWrapper(ctx, act.Dealloc); err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.found && got != fn:
			t.Errorf("function at %v: the unwinder finds %v", fn, got)
		case !tc.found && got == fn:
			// A libgcc without the rule (Debian 12's has it): the
			// slab's rule costs a page per 4 GiB and nothing else.
			t.Logf("this libgcc finds the FDE of a function at %v", fn)
		case !tc.found:
			t.Logf("libgcc ignores the FDE of the function at %v, as expected", fn)
		}
	}
}
