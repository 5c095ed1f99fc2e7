package memmgr

import (
	"context"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// fakeMapper hands out address space without touching memory: it lets
// the allocator's bookkeeping be fuzzed fast.
type fakeMapper struct{ next uint64 }

func (m *fakeMapper) PageSize() uint64 { return 4096 }
func (m *fakeMapper) Reserve(_ context.Context, size uint64, low bool) (shared.ExecutorAddrRange, error) {
	if m.next == 0 {
		m.next = 0x7f0000000000
	}
	start := m.next
	if low {
		start = 0x40000000
	}
	m.next += size + 1<<30
	return shared.ExecutorAddrRange{Start: shared.ExecutorAddr(start), End: shared.ExecutorAddr(start + size)}, nil
}
func (m *fakeMapper) Prepare(_ context.Context, r shared.ExecutorAddrRange, size uint64) ([]byte, error) {
	return make([]byte, size), nil
}
func (m *fakeMapper) Initialize(context.Context, AllocInfo) error { return nil }
func (m *fakeMapper) Deinitialize(context.Context, []shared.AllocActionPair, []shared.ExecutorAddrRange) error {
	return nil
}
func (m *fakeMapper) Release(context.Context, shared.ExecutorAddrRange) error { return nil }

// FuzzSlab drives the allocator with a random sequence of allocations
// (mixed sizes, alignments and lifetimes), finalizations, abandons and
// deallocations, and checks that live memory never overlaps, that the
// in-use count matches, and that freeing everything coalesces the slab
// back into one block.
func FuzzSlab(f *testing.F) {
	f.Add([]byte{1, 2, 3, 0x81, 0x42, 0xc3, 4, 5})
	f.Add([]byte{0x10, 0x20, 0x30, 0xff, 0xfe, 0x7f, 0x40})
	f.Fuzz(func(t *testing.T, ops []byte) {
		ctx := context.Background()
		s, err := NewSlab(&fakeMapper{}, SlabOptions{Size: 256 * 4096, LowSize: 64 * 4096})
		if err != nil {
			t.Fatal(err)
		}
		type live struct {
			ranges []shared.ExecutorAddrRange
			inf    jitlink.InFlightAlloc
			fa     *jitlink.FinalizedAlloc
			req    jitlink.AllocRequest
		}
		var lives []*live
		for i, op := range ops {
			switch op >> 6 {
			case 0, 1: // allocate
				n := int(op&3) + 1
				req := jitlink.AllocRequest{Name: "f", Low2GiB: op&0x40 != 0 && op&0x20 != 0}
				for j := 0; j < n; j++ {
					lt := jitlink.LifetimeStandard
					if (int(op)+j)%3 == 0 {
						lt = jitlink.LifetimeFinalize
					}
					req.Segments = append(req.Segments, jitlink.SegmentRequest{Prot: shared.ProtRead, Lifetime: lt, Size: uint64(op&0x1c)*1000 + uint64(j), Align: 1 << (uint(op+byte(j)) % 14)})
				}
				a, err := s.Allocate(ctx, req)
				if err != nil {
					continue // exhaustion is fine
				}
				l := &live{inf: a, req: req}
				for j, sg := range a.Segments() {
					l.ranges = append(l.ranges, shared.ExecutorAddrRange{Start: sg.Addr, End: sg.Addr.Add(alignUp(req.Segments[j].Size, 4096))})
				}
				for _, o := range lives {
					for _, r1 := range o.ranges {
						for _, r2 := range l.ranges {
							if r1.Overlaps(r2) {
								t.Fatalf("op %d: %v overlaps live %v", i, r2, r1)
							}
						}
					}
				}
				lives = append(lives, l)
			case 2: // finalize or abandon
				if len(lives) == 0 {
					continue
				}
				l := lives[int(op)%len(lives)]
				if l.fa != nil {
					continue
				}
				if op&1 == 0 {
					fa, err := l.inf.Finalize(ctx, nil)
					if err != nil {
						t.Fatal(err)
					}
					l.fa = &fa
					// Finalize-lifetime segments are gone: forget them.
					var keep []shared.ExecutorAddrRange
					for j, sg := range l.req.Segments {
						if sg.Lifetime == jitlink.LifetimeStandard {
							keep = append(keep, l.ranges[j])
						}
					}
					l.ranges = keep
				} else {
					if err := l.inf.Abandon(ctx); err != nil {
						t.Fatal(err)
					}
					lives = remove(lives, l)
				}
			case 3: // deallocate
				for _, l := range lives {
					if l.fa != nil {
						if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{*l.fa}); err != nil {
							t.Fatal(err)
						}
						lives = remove(lives, l)
						break
					}
				}
			}
		}
		for _, l := range lives {
			if l.fa != nil {
				if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{*l.fa}); err != nil {
					t.Fatal(err)
				}
			} else if err := l.inf.Abandon(ctx); err != nil {
				t.Fatal(err)
			}
		}
		st := s.Stats()
		regions := len(s.Regions())
		if st.InUse != 0 || st.Allocations != 0 || st.FreeBlocks != regions {
			t.Fatalf("after freeing everything: %+v with %d regions", st, regions)
		}
	})
}

func remove[T comparable](s []T, x T) []T {
	for i, y := range s {
		if y == x {
			return append(s[:i], s[i+1:]...)
		}
	}
	return s
}
