//go:build cgo

package memmgr

import (
	"context"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// TestAllocationRangeHoldsItsPromise: a slab promises nothing before its
// first allocation reserves it; afterwards it promises its main region,
// and every allocation — code-heap pieces and pages of their own, in
// this process, a child and a child sharing memory — lies in it. A
// Low2GiB request on a high slab is not promised (it goes to the low
// slab).
func TestAllocationRangeHoldsItsPromise(t *testing.T) {
	for _, kind := range heapKinds {
		t.Run(kind.name, func(t *testing.T) {
			s, _ := newHeapSlab(t, kind, 64<<20)
			if _, ok := s.AllocationRange(false); ok {
				t.Fatal("a promise before the slab is reserved")
			}
			ctx := context.Background()
			small := jitlink.AllocRequest{Name: "small", Segments: []jitlink.SegmentRequest{
				{Prot: shared.ProtRead | shared.ProtExec, Size: 64, Align: 16},
				{Prot: shared.ProtRead | shared.ProtWrite, Size: 16, Align: 8},
			}}
			big := jitlink.AllocRequest{Name: "big", Segments: []jitlink.SegmentRequest{
				{Prot: shared.ProtRead | shared.ProtExec, Size: 1 << 20, Align: 16},
			}}
			var r shared.ExecutorAddrRange
			for i, req := range []jitlink.AllocRequest{small, big, small} {
				a, err := s.Allocate(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					var ok bool
					if r, ok = s.AllocationRange(false); !ok {
						t.Fatal("no promise once the slab is reserved")
					}
				}
				for _, seg := range a.Segments() {
					if seg.Addr < r.Start || seg.Addr.Add(uint64(len(seg.Mem))) > r.End {
						t.Errorf("%s: segment %v+%#x outside the promised %v", req.Name, seg.Addr, len(seg.Mem), r)
					}
				}
				if err := a.Abandon(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if low, ok := s.AllocationRange(true); ok && !s.main.low {
				t.Errorf("a high slab promised %v to a Low2GiB request", low)
			}
		})
	}
}
