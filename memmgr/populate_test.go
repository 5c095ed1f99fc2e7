//go:build cgo

package memmgr

import (
	"context"
	"syscall"
	"testing"
	"unsafe"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// resident counts the pages of mem that are in memory (mincore).
func resident(t *testing.T, mem []byte) int {
	t.Helper()
	ps := syscall.Getpagesize()
	vec := make([]byte, (len(mem)+ps-1)/ps)
	if _, _, e := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(&mem[0])), uintptr(len(mem)), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		t.Fatalf("mincore: %v", e)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
}

// TestPopulateContentSegments: with the executor's pages in this process
// (in-process, or shared memory), a large code or read-only
// segment is in memory as soon as it is allocated (one madvise, not a
// page fault per page as the link fills it), while a writable one, which
// may end in zero-fill the program never touches, is left to fault in;
// small segments are left alone too. Contents are zero either way.
func TestPopulateContentSegments(t *testing.T) {
	for _, mk := range []mapperKind{{name: "in-process", make: inProcessMapper}, {name: "shared-memory", make: shmMapper}} {
		t.Run(mk.name, func(t *testing.T) { testPopulate(t, mk.make(t, newEPC(t))) })
	}
}

func testPopulate(t *testing.T, m Mapper) {
	ctx := context.Background()
	s, err := NewSlab(m, SlabOptions{Size: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	const big, small = 256 << 10, 16 << 10
	a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "populate", Segments: []jitlink.SegmentRequest{
		{Prot: rx, Size: big, Align: 16},
		{Prot: shared.ProtRead, Size: big, Align: 16},
		{Prot: shared.ProtRead | shared.ProtWrite, Size: big, Align: 16},
		{Prot: rx, Size: small, Align: 16},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Abandon(ctx)
	segs := a.Segments()
	ps := syscall.Getpagesize()
	for i, want := range []int{big / ps, big / ps, 0, 0} {
		if got := resident(t, segs[i].Mem); got != want {
			t.Errorf("segment %d (%d bytes): %d pages resident after Allocate, want %d", i, len(segs[i].Mem), got, want)
		}
	}
	for i, sg := range segs {
		for _, b := range sg.Mem {
			if b != 0 {
				t.Fatalf("segment %d: not zero", i)
			}
		}
	}
}

// TestPopulateSplitAndCallerPopulates: a segment large enough to be
// populated on two goroutines is resident in full (both halves, the
// odd page count included); an allocation whose caller populates it
// itself (CallerPopulates, the linked-image replay) is left to fault
// in, until Populate is called on part of it, which brings in that part
// only.
func TestPopulateSplitAndCallerPopulates(t *testing.T) {
	ctx := context.Background()
	s, err := NewSlab(inProcessMapper(t, newEPC(t)), SlabOptions{Size: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ps := syscall.Getpagesize()
	size := populateSplitFrom + 3*ps
	for _, caller := range []bool{false, true} {
		a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "split", CallerPopulates: caller, Segments: []jitlink.SegmentRequest{
			{Prot: rx, Size: uint64(size), Align: 16},
		}})
		if err != nil {
			t.Fatal(err)
		}
		mem := a.Segments()[0].Mem
		want := size / ps
		if caller {
			want = 0
		}
		if got := resident(t, mem); got != want {
			t.Errorf("CallerPopulates %v: %d of %d pages resident after Allocate, want %d", caller, got, size/ps, want)
		}
		if caller {
			Populate(mem[:4*ps])
			if got := resident(t, mem); got != 4 {
				t.Errorf("after Populate of 4 pages: %d pages resident, want 4", got)
			}
		}
		a.Abandon(ctx)
	}
}

// TestPopulateCopyMapperContent: a child executor's working buffers (Go
// memory the link fills and CopyMapper sends) have their large code and
// read-only segments in memory as soon as they are allocated, like the
// in-process mapper's.
func TestPopulateCopyMapperContent(t *testing.T) {
	ctx := context.Background()
	s, err := NewSlab(copyMapper(t, newEPC(t)), SlabOptions{Size: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	const big = 256 << 10
	a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "populate", Segments: []jitlink.SegmentRequest{
		{Prot: rx, Size: big, Align: 16},
		{Prot: shared.ProtRead, Size: big, Align: 16},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Abandon(ctx)
	ps := syscall.Getpagesize()
	for i, sg := range a.Segments() {
		// The pages the segment covers in full (a Go buffer need not
		// start on a page).
		if got, min := resident(t, sg.Mem), big/ps-1; got < min {
			t.Errorf("segment %d: %d pages resident after Allocate, want at least %d", i, got, min)
		}
	}
}

// TestPopulateUnaligned: Populate of memory that does not start or end
// on a page brings in the pages it covers in full (madvise refuses an
// unaligned start: before, nothing was populated).
func TestPopulateUnaligned(t *testing.T) {
	ps := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 64*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	Populate(mem[100 : 60*ps+7])
	if got := resident(t, mem[ps:60*ps]); got != 59 {
		t.Errorf("%d of the 59 covered pages resident, want all", got)
	}
	if got := resident(t, mem[61*ps:]); got != 0 {
		t.Errorf("%d pages past the range resident, want 0", got)
	}
}
