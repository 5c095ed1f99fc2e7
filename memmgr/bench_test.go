//go:build cgo

package memmgr

import (
	"context"
	"syscall"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// BenchmarkSlabAllocFinalizeDealloc measures one link graph's memory
// round trip through each mapper: allocate a code, a read-only and a
// read-write segment, finalize (mprotect), deallocate (decommit) — and,
// "in-process-code-heap", the same small graph carved from the code
// heap's dual-mapped blocks (no system call).
func BenchmarkSlabAllocFinalizeDealloc(b *testing.B) {
	ctx := context.Background()
	heap := mapperKind{name: "in-process-code-heap", make: inProcessMapper}
	for _, kind := range append([]mapperKind{heap}, mappers...) {
		b.Run(kind.name, func(b *testing.B) {
			opts := SlabOptions{Size: 64 << 20}
			if kind.name == heap.name {
				opts.CodeHeapMax = DefaultCodeHeapMax
			}
			s, _ := newSlab(b, kind, opts)
			req := jitlink.AllocRequest{Name: "bench", Segments: []jitlink.SegmentRequest{
				{Prot: shared.ProtRead | shared.ProtExec, Size: 3000, Align: 16},
				{Prot: shared.ProtRead, Size: 500, Align: 8},
				{Prot: shared.ProtRead | shared.ProtWrite, Size: 200, Align: 8},
			}}
			b.ReportAllocs()
			for b.Loop() {
				a, err := s.Allocate(ctx, req)
				if err != nil {
					b.Fatal(err)
				}
				a.Segments()[0].Mem[0] = 0xc3
				fa, err := a.Finalize(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSlabBookkeeping measures the allocator alone (no system calls).
func BenchmarkSlabBookkeeping(b *testing.B) {
	ctx := context.Background()
	s, _ := NewSlab(&fakeMapper{}, SlabOptions{Size: 64 << 20})
	req := jitlink.AllocRequest{Name: "bench", Segments: []jitlink.SegmentRequest{{Prot: shared.ProtRead, Size: 3000}, {Prot: shared.ProtRead, Size: 500}}}
	for b.Loop() {
		a, _ := s.Allocate(ctx, req)
		fa, _ := a.Finalize(ctx, nil)
		s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa})
	}
}

// BenchmarkCodeTransfer measures moving 4 MiB of linked code into an
// executor: allocate, fill the working memory, finalize, deallocate —
// through each mapper (MB/s): a child over the stream (copy) against a
// child through shared memory, and in-process.
func BenchmarkCodeTransfer(b *testing.B) {
	ctx := context.Background()
	const size = 4 << 20
	for _, kind := range mappers {
		b.Run(kind.name, func(b *testing.B) {
			s, _ := newSlab(b, kind, SlabOptions{Size: 64 << 20})
			req := jitlink.AllocRequest{Name: "bench", Segments: []jitlink.SegmentRequest{{Prot: shared.ProtRead, Size: size, Align: 16}}}
			b.SetBytes(size)
			for b.Loop() {
				a, err := s.Allocate(ctx, req)
				if err != nil {
					b.Fatal(err)
				}
				m := a.Segments()[0].Mem
				for i := 0; i < len(m); i += 4096 {
					m[i] = byte(i >> 12)
				}
				fa, err := a.Finalize(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPopulate: faulting in fresh anonymous memory of the size of
// the sqlite driver's code (1.2 MB) with one madvise (Populate) and on
// two goroutines, one half each (populate, as Slab.Allocate does for a
// segment of populateSplitFrom bytes or more). The mapping and its
// unmapping are in both.
func BenchmarkPopulate(b *testing.B) {
	const size = 1200 << 10
	for _, bc := range []struct {
		name string
		fn   func([]byte)
	}{{"one-call", Populate}, {"halves", populate}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
				if err != nil {
					b.Fatal(err)
				}
				bc.fn(mem)
				if err := syscall.Munmap(mem); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
