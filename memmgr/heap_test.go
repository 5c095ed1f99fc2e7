//go:build cgo

package memmgr

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// heapKinds are the executors the code heap serves: this process, a
// child reached over a byte stream and a child sharing the slab's memory
// (-shm).
var heapKinds = []mapperKind{mappers[0], mappers[3], mappers[4]}

// newHeapSlab is a slab with the code heap on (the default) over kind.
func newHeapSlab(t testing.TB, kind mapperKind, size uint64) (*Slab, epc.ExecutorProcessControl) {
	t.Helper()
	var e epc.ExecutorProcessControl
	if kind.remote {
		e = spawnExecutor(t, os.Stdout)
	} else {
		e = newEPC(t)
	}
	s, err := NewSlab(kind.make(t, e), SlabOptions{Size: size})
	if err != nil {
		t.Fatal(err)
	}
	if s.heap == nil {
		t.Fatalf("%s slab has no code heap", kind.name)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s, e
}

// mapCount is the number of mappings of the executor e's process.
func mapCount(t testing.TB, e epc.ExecutorProcessControl) int {
	t.Helper()
	pid := os.Getpid()
	if r, ok := e.(*epc.Remote); ok {
		pid = r.PID()
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

// addRet42 allocates, fills and finalizes a small function returning n
// (loaded from its read-only data, so both pieces must be right).
func addRet42(t testing.TB, s *Slab, n uint32) (jitlink.FinalizedAlloc, []jitlink.Segment) {
	t.Helper()
	ctx := context.Background()
	a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "f.o", Segments: []jitlink.SegmentRequest{
		{Prot: rx, Size: 7, Align: 16},
		{Prot: ro, Size: 4, Align: 8},
	}})
	if err != nil {
		t.Fatal(err)
	}
	segs := a.Segments()
	for i, sg := range segs {
		for _, b := range sg.Mem {
			if b != 0 {
				t.Fatalf("segment %d not zeroed", i)
			}
		}
	}
	copy(segs[0].Mem, ret42(segs[0].Addr, segs[1].Addr))
	binary.LittleEndian.PutUint32(segs[1].Mem, n)
	fa, err := a.Finalize(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fa, segs
}

func run(t testing.TB, e epc.ExecutorProcessControl, addr shared.ExecutorAddr) int {
	t.Helper()
	got, err := e.RunAsMain(context.Background(), addr, []string{"f"})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestCodeHeapSharesPagesAndMappings: thousands of small allocations share
// a few blocks, code runs while later code is written into the same
// pages, and the process's mappings stay bounded (the vm.max_map_count
// limit a page-per-function allocator hits).
func TestCodeHeapSharesPagesAndMappings(t *testing.T) {
	for _, kind := range heapKinds {
		t.Run(kind.name, func(t *testing.T) { testCodeHeapSharesPages(t, kind) })
	}
}

func testCodeHeapSharesPages(t *testing.T, kind mapperKind) {
	s, e := newHeapSlab(t, kind, 256<<20)
	fa0, segs0 := addRet42(t, s, 42)
	before := mapCount(t, e)
	n := 20000
	if kind.remote {
		n = 3000 // a round trip each
	}
	var last []jitlink.Segment
	for i := 0; i < n; i++ {
		_, last = addRet42(t, s, uint32(i%200))
		if i%5000 == 0 {
			// The first function still runs while its pages are being
			// filled with others: they never change protection.
			if got := run(t, e, segs0[0].Addr); got != 42 {
				t.Fatalf("first function returned %d after %d more", got, i)
			}
		}
	}
	if got := run(t, e, last[0].Addr); got != (n-1)%200 {
		t.Fatalf("last function returned %d, want %d", got, (n-1)%200)
	}
	if grown := mapCount(t, e) - before; grown > 16 {
		t.Errorf("%d small allocations added %d mappings; want a few per block", n, grown)
	}
	if got := mapsProt(t, e, segs0[0].Addr); got != "r-x" {
		t.Errorf("code block mapped %s, want r-x", got)
	}
	if got := mapsProt(t, e, segs0[1].Addr); got != "r--" {
		t.Errorf("read-only block mapped %s, want r--", got)
	}
	st := s.Stats()
	if st.HeapBlocks == 0 || st.HeapBlocks > 4 || st.Allocations != n+1 {
		t.Errorf("stats %+v: want 1-4 blocks, %d allocations", st, n+1)
	}
	if err := s.Deallocate(context.Background(), []jitlink.FinalizedAlloc{fa0}); err != nil {
		t.Fatal(err)
	}
}

// TestCodeHeapReuse: a freed allocation's pieces are handed out again
// (zeroed), freed code is filled with int3, and memory of a live
// allocation is never handed out.
func TestCodeHeapReuse(t *testing.T) {
	for _, kind := range heapKinds {
		t.Run(kind.name, func(t *testing.T) { testCodeHeapReuse(t, kind) })
	}
}

func testCodeHeapReuse(t *testing.T, kind mapperKind) {
	ctx := context.Background()
	s, e := newHeapSlab(t, kind, 64<<20)
	live := map[shared.ExecutorAddr]bool{}
	var keep []jitlink.FinalizedAlloc
	for i := 0; i < 8; i++ {
		fa, segs := addRet42(t, s, 1)
		keep = append(keep, fa)
		live[segs[0].Addr], live[segs[1].Addr] = true, true
	}
	fa, segs := addRet42(t, s, 7)
	if got := run(t, e, segs[0].Addr); got != 7 {
		t.Fatalf("ran %d, want 7", got)
	}
	if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}); err != nil {
		t.Fatal(err)
	}
	code, err := e.Read(ctx, segs[0].Addr, 16)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(code, bytes.Repeat([]byte{0xcc}, 16)) {
		t.Errorf("freed code reads % x, want int3", code)
	}
	fa2, segs2 := addRet42(t, s, 9) // checks the pieces are zeroed
	if segs2[0].Addr != segs[0].Addr || segs2[1].Addr != segs[1].Addr {
		t.Errorf("freed pieces %v,%v not reused: got %v,%v", segs[0].Addr, segs[1].Addr, segs2[0].Addr, segs2[1].Addr)
	}
	if live[segs2[0].Addr] || live[segs2[1].Addr] {
		t.Fatal("a live allocation's memory was handed out again")
	}
	if got := run(t, e, segs2[0].Addr); got != 9 {
		t.Fatalf("reused piece ran %d, want 9", got)
	}
	if err := s.Deallocate(ctx, append(keep, fa2)); err != nil {
		t.Fatal(err)
	}
	if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa2}); err == nil {
		t.Error("double deallocate accepted")
	}
	if st := s.Stats(); st.HeapInUse != 0 || st.Allocations != 0 {
		t.Errorf("after freeing everything: %+v", st)
	}
}

// TestCodeHeapEHFrame: EH frames in the heap are registered, found by the
// unwinder and deregistered on free.
func TestCodeHeapEHFrame(t *testing.T) {
	ctx := context.Background()
	s, e := newHeapSlab(t, mappers[0], 64<<20)
	for round := 0; round < 2; round++ { // the second round reuses the pieces
		a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "eh.o", Segments: []jitlink.SegmentRequest{{Prot: rx, Size: 16}, {Prot: ro, Size: 64}}})
		if err != nil {
			t.Fatal(err)
		}
		segs := a.Segments()
		copy(segs[0].Mem, []byte{0xb8, 7, 0, 0, 0, 0xc3})
		eh := ehFrame(segs[1].Addr, segs[0].Addr, 6)
		copy(segs[1].Mem, eh)
		act, err := epc.EHFrameActions(e, shared.ExecutorAddrRange{Start: segs[1].Addr, End: segs[1].Addr.Add(uint64(len(eh)))})
		if err != nil {
			t.Fatal(err)
		}
		fa, err := a.Finalize(ctx, []shared.AllocActionPair{act})
		if err != nil {
			t.Fatal(err)
		}
		if got := executor.UnwindFunctionStart(segs[0].Addr + 2); got != segs[0].Addr {
			t.Fatalf("round %d: the unwinder finds function %v, want %v", round, got, segs[0].Addr)
		}
		if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}); err != nil {
			t.Fatal(err)
		}
		if got := executor.UnwindFunctionStart(segs[0].Addr + 2); got != 0 {
			t.Fatalf("round %d: after deregistration the unwinder still finds %v", round, got)
		}
	}
}

// TestCodeHeapChoice: large, over-aligned and Low2GiB requests, slabs too
// small for a block, and NoCodeHeap get pages of their own.
func TestCodeHeapChoice(t *testing.T) {
	ctx := context.Background()
	ps := uint64(os.Getpagesize())
	small := []jitlink.SegmentRequest{{Prot: rx, Size: 100}}
	tests := []struct {
		name       string
		opts       SlabOptions
		segs       []jitlink.SegmentRequest
		contiguous bool
		wantHeap   bool
	}{
		{"small", SlabOptions{}, small, false, true},
		{"large", SlabOptions{}, []jitlink.SegmentRequest{{Prot: rx, Size: DefaultCodeHeapMax + 1}}, false, false},
		{"max", SlabOptions{CodeHeapMax: 256}, []jitlink.SegmentRequest{{Prot: rx, Size: 200}, {Prot: ro, Size: 100}}, false, false},
		{"over-aligned", SlabOptions{}, []jitlink.SegmentRequest{{Prot: rx, Size: 100, Align: 2 * ps}}, false, false},
		{"off", SlabOptions{NoCodeHeap: true}, small, false, false},
		{"small slab", SlabOptions{Size: 1 << 20}, small, false, false},
		// A replayed linked image keeps its pieces' recorded distances.
		{"contiguous", SlabOptions{}, []jitlink.SegmentRequest{{Prot: rx, Size: 100}, {Prot: ro, Size: 100}}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEPC(t)
			if tc.opts.Size == 0 {
				tc.opts.Size = 64 << 20
			}
			s, err := NewForExecutor(e, false, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(ctx)
			a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: tc.name, Segments: tc.segs, Contiguous: tc.contiguous})
			if err != nil {
				t.Fatal(err)
			}
			_, isHeap := a.(*heapInFlight)
			if isHeap != tc.wantHeap {
				t.Errorf("served by the code heap: %v, want %v", isHeap, tc.wantHeap)
			}
			if err := a.Abandon(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCodeHeapConcurrent: allocations, runs and frees from 8 goroutines.
func TestCodeHeapConcurrent(t *testing.T) {
	s, e := newHeapSlab(t, mappers[0], 64<<20)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				fa, segs := addRet42(t, s, uint32(g*1000+i))
				if i%50 == 0 {
					if got := run(t, e, segs[0].Addr); got != g*1000+i {
						t.Errorf("ran %d, want %d", got, g*1000+i)
					}
				}
				if i%2 == 0 {
					if err := s.Deallocate(context.Background(), []jitlink.FinalizedAlloc{fa}); err != nil {
						t.Error(err)
					}
				}
			}
		}(g)
	}
	wg.Wait()
	if st := s.Stats(); st.Allocations != 8*100 {
		t.Errorf("live allocations %d, want %d", st.Allocations, 8*100)
	}
}
