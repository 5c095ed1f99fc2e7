//go:build cgo

package memmgr_test

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/memmgr"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// Allocate a code segment from a slab, write machine code into the
// working memory (in-process: the executor memory itself), finalize it to
// read-execute and run it.
func Example() {
	ctx := context.Background()
	e, _ := epc.NewInProcess()
	defer e.Close(ctx)
	mapper, _ := memmgr.NewInProcessMapper(e)
	slab, _ := memmgr.NewSlab(mapper, memmgr.SlabOptions{Size: 64 << 20})
	defer slab.Close(ctx)

	alloc, err := slab.Allocate(ctx, jitlink.AllocRequest{Name: "answer", Segments: []jitlink.SegmentRequest{
		{Prot: shared.ProtRead | shared.ProtExec, Size: 6, Align: 16},
	}})
	if err != nil {
		panic(err)
	}
	code := alloc.Segments()[0]
	copy(code.Mem, []byte{0xb8, 42, 0, 0, 0, 0xc3}) // mov eax, 42; ret
	fa, err := alloc.Finalize(ctx, nil)
	if err != nil {
		panic(err)
	}
	status, _ := e.RunAsMain(ctx, code.Addr, []string{"answer"})
	fmt.Println(status)
	fmt.Println(slab.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}))
	// Output:
	// 42
	// <nil>
}
