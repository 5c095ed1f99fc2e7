//go:build cgo

package memmgr

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

const (
	rx = shared.ProtRead | shared.ProtExec
	ro = shared.ProtRead
	rw = shared.ProtRead | shared.ProtWrite
)

// TestMain turns the test binary into an executor when it is spawned as
// one (epc.SpawnChild sets GORC_EXECUTOR_FDS).
func TestMain(m *testing.M) {
	if os.Getenv(executor.FDsEnv) != "" {
		if err := executor.ServeInheritedFDs(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "executor:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func newEPC(t testing.TB) *epc.InProcess {
	t.Helper()
	e, err := epc.NewInProcess()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(context.Background()) })
	return e
}

type mapperKind struct {
	name   string
	remote bool // spawns a child executor
	make   func(testing.TB, epc.ExecutorProcessControl) Mapper
}

func inProcessMapper(t testing.TB, e epc.ExecutorProcessControl) Mapper {
	m, err := NewInProcessMapper(e)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func copyMapper(t testing.TB, e epc.ExecutorProcessControl) Mapper { return NewCopyMapper(e) }

func shmMapper(t testing.TB, e epc.ExecutorProcessControl) Mapper {
	m, err := NewSharedMemoryMapper(e)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var mappers = []mapperKind{
	{name: "in-process", make: inProcessMapper},
	{name: "copy", make: copyMapper},
	{name: "shared-memory", make: shmMapper},
	{name: "child-copy", remote: true, make: copyMapper},
	{name: "child-shared-memory", remote: true, make: shmMapper},
}

// spawnExecutor starts this test binary as a child executor (TestMain).
func spawnExecutor(t testing.TB, stdout io.Writer) *epc.Remote {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Stdout = stdout
	cmd.Stderr = os.Stderr
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // a hang, not a slow start
	defer cancel()
	e, err := epc.SpawnChild(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Close(ctx)
	})
	return e
}

func newSlab(t testing.TB, kind mapperKind, opts SlabOptions) (*Slab, epc.ExecutorProcessControl) {
	t.Helper()
	var e epc.ExecutorProcessControl
	if kind.remote {
		e = spawnExecutor(t, os.Stdout)
	} else {
		e = newEPC(t)
	}
	// These tests are about the slab's own pages: the code heap (tested
	// in heap_test.go) is off unless opts.CodeHeapMax asks for it.
	opts.NoCodeHeap = opts.CodeHeapMax == 0
	s, err := NewSlab(kind.make(t, e), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s, e
}

// mapsProt returns the protection of addr in the executor e's
// /proc/PID/maps.
func mapsProt(t testing.TB, e epc.ExecutorProcessControl, addr shared.ExecutorAddr) string {
	t.Helper()
	pid := os.Getpid()
	if r, ok := e.(*epc.Remote); ok {
		pid = r.PID()
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var lo, hi uint64
		var perm string
		if _, err := fmt.Sscanf(sc.Text(), "%x-%x %s", &lo, &hi, &perm); err == nil && uint64(addr) >= lo && uint64(addr) < hi {
			return perm[:3]
		}
	}
	t.Fatalf("%v not in /proc/%d/maps", addr, pid)
	return ""
}

// ret42 is: mov eax, [rip+disp]; ret — it loads the answer from the data
// segment, so code and data must both be placed and protected right.
func ret42(code, data shared.ExecutorAddr) []byte {
	disp := int64(data) - int64(code+6)
	b := []byte{0x8b, 0x05}
	b = binary.LittleEndian.AppendUint32(b, uint32(int32(disp)))
	return append(b, 0xc3)
}

func TestSlabRunCode(t *testing.T) {
	ctx := context.Background()
	for _, kind := range mappers {
		t.Run(kind.name, func(t *testing.T) {
			s, e := newSlab(t, kind, SlabOptions{Size: 16 << 20})
			req := jitlink.AllocRequest{Name: "t.o", Segments: []jitlink.SegmentRequest{
				{Prot: rx, Size: 7, Align: 16},
				{Prot: ro, Size: 4, Align: 8},
				{Prot: rw, Size: 100, Align: 8},
			}}
			a, err := s.Allocate(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			segs := a.Segments()
			for i, sg := range segs {
				if uint64(len(sg.Mem)) != req.Segments[i].Size {
					t.Fatalf("segment %d: len %d, want %d", i, len(sg.Mem), req.Segments[i].Size)
				}
				for _, b := range sg.Mem {
					if b != 0 {
						t.Fatalf("segment %d not zeroed", i)
					}
				}
				if uint64(sg.Addr)%e.PageSize() != 0 {
					t.Fatalf("segment %d at %v is not page aligned", i, sg.Addr)
				}
			}
			copy(segs[0].Mem, ret42(segs[0].Addr, segs[1].Addr))
			binary.LittleEndian.PutUint32(segs[1].Mem, 42)
			if kind.name != "in-process" && kind.name != "copy" {
				// Not finalized yet: the executor's pages stay inaccessible.
				if got := mapsProt(t, e, segs[0].Addr); got != "---" {
					t.Errorf("executor view of unfinalized code mapped %s", got)
				}
			}
			fa, err := a.Finalize(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range []string{"r-x", "r--", "rw-"} {
				if got := mapsProt(t, e, segs[i].Addr); got != want {
					t.Errorf("segment %d mapped %s, want %s", i, got, want)
				}
			}
			got, err := e.RunAsMain(ctx, segs[0].Addr, []string{"t"})
			if err != nil || got != 42 {
				t.Fatalf("ran %d, %v; want 42", got, err)
			}
			if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}); err != nil {
				t.Fatal(err)
			}
			if got := mapsProt(t, e, segs[0].Addr); got != "---" {
				t.Errorf("deallocated code mapped %s, want ---", got)
			}
			if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}); err == nil {
				t.Error("double deallocate accepted")
			}
			if _, err := a.Finalize(ctx, nil); err == nil {
				t.Error("second finalize accepted")
			}
		})
	}
}

func TestSlabReuseAndCoalesce(t *testing.T) {
	for _, kind := range mappers {
		t.Run(kind.name, func(t *testing.T) { testReuse(t, kind) })
	}
}

func testReuse(t *testing.T, kind mapperKind) {
	ctx := context.Background()
	s, e := newSlab(t, kind, SlabOptions{Size: 1 << 20})
	ps := s.ps
	req := func(n uint64) jitlink.AllocRequest {
		return jitlink.AllocRequest{Name: "r", Segments: []jitlink.SegmentRequest{{Prot: rw, Size: n * ps, Align: 1}}}
	}
	var fas []jitlink.FinalizedAlloc
	var addrs []shared.ExecutorAddr
	for i := 0; i < 4; i++ {
		a, err := s.Allocate(ctx, req(2))
		if err != nil {
			t.Fatal(err)
		}
		a.Segments()[0].Mem[0] = 0xAA
		fa, err := a.Finalize(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		fas = append(fas, fa)
		addrs = append(addrs, a.Segments()[0].Addr)
	}
	// Free the two middle ones: they coalesce into one 4-page hole.
	if err := s.Deallocate(ctx, fas[1:3]); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.FreeBlocks != 2 || st.InUse != 4*ps {
		t.Fatalf("after freeing the middle: %+v, want 2 free blocks, %d in use", st, 4*ps)
	}
	a, err := s.Allocate(ctx, req(4))
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Segments()[0].Addr; got != addrs[1] {
		t.Fatalf("4-page allocation at %v, want the coalesced hole at %v", got, addrs[1])
	}
	if m := a.Segments()[0].Mem; m[0] != 0 || m[2*ps] != 0 {
		t.Fatal("reused memory is not zeroed")
	}
	if kind.name != "in-process" && !strings.Contains(kind.name, "shared") {
		// Working memory is a local buffer: check the executor's pages.
		if got := mapsProt(t, e, a.Segments()[0].Addr); got != "---" {
			t.Fatalf("reused, unfinalized executor memory mapped %s", got)
		}
	}
	if err := a.Abandon(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fas[0], fas[3]}); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.FreeBlocks != 1 || st.InUse != 0 || st.LargestFree != st.Reserved || st.Allocations != 0 {
		t.Fatalf("after freeing everything: %+v, want one free block spanning the slab", st)
	}
}

func TestSlabErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := newSlab(t, mappers[0], SlabOptions{Size: 64 << 10, NoLowSlab: true})
	tests := []struct {
		name string
		req  jitlink.AllocRequest
		want string
	}{
		{"exhausted", jitlink.AllocRequest{Name: "big.o", Segments: []jitlink.SegmentRequest{{Prot: rw, Size: 1 << 20}}}, "exhausted"},
		{"rwx", jitlink.AllocRequest{Name: "x.o", Segments: []jitlink.SegmentRequest{{Prot: rw | shared.ProtExec, Size: 8}}}, "W^X"},
		{"bad align", jitlink.AllocRequest{Name: "a.o", Segments: []jitlink.SegmentRequest{{Prot: rw, Size: 8, Align: 24}}}, "alignment"},
		{"bad lifetime", jitlink.AllocRequest{Name: "l.o", Segments: []jitlink.SegmentRequest{{Prot: rw, Size: 8, Lifetime: 9}}}, "lifetime"},
		{"huge", jitlink.AllocRequest{Name: "h.o", Segments: []jitlink.SegmentRequest{{Prot: rw, Size: 1 << 62}}}, "too large"},
		{"low refused", jitlink.AllocRequest{Name: "nopic.o", Low2GiB: true, Segments: []jitlink.SegmentRequest{{Prot: rx, Size: 8}}}, "below 2 GiB"},
	}
	// Reserve the (high) main slab first so the Low2GiB request is refused.
	a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "first", Segments: []jitlink.SegmentRequest{{Prot: rw, Size: 8}}})
	if err != nil {
		t.Fatal(err)
	}
	a.Abandon(ctx)
	for _, tc := range tests {
		_, err := s.Allocate(ctx, tc.req)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.req.Name) {
			t.Errorf("%s: got %v, want an error naming %q and %q", tc.name, err, tc.req.Name, tc.want)
		}
	}
	if st := s.Stats(); st.InUse != 0 {
		t.Errorf("failed allocations leaked memory: %+v", st)
	}
	if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{{Handle: 0x1234}}); err == nil {
		t.Error("deallocating an unknown handle accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Allocate(cctx, jitlink.AllocRequest{Name: "c"}); err == nil {
		t.Error("allocate with a cancelled context succeeded")
	}
}

func TestSlabLow2GiB(t *testing.T) {
	ctx := context.Background()
	below := func(a shared.ExecutorAddr) bool { return uint64(a) < 1<<31 }
	t.Run("separate low slab", func(t *testing.T) {
		s, _ := newSlab(t, mappers[0], SlabOptions{Size: 8 << 20, LowSize: 8 << 20})
		hi, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "pic.o", Segments: []jitlink.SegmentRequest{{Prot: rx, Size: 8}}})
		if err != nil {
			t.Fatal(err)
		}
		lo, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "nopic.o", Low2GiB: true, Segments: []jitlink.SegmentRequest{{Prot: rx, Size: 8}, {Prot: rw, Size: 8}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, sg := range lo.Segments() {
			if !below(sg.Addr) {
				t.Errorf("Low2GiB segment at %v", sg.Addr)
			}
		}
		if len(s.Regions()) != 2 {
			t.Errorf("regions %v, want main + low", s.Regions())
		}
		hi.Abandon(ctx)
		lo.Abandon(ctx)
	})
	t.Run("first request low", func(t *testing.T) {
		s, _ := newSlab(t, mappers[0], SlabOptions{Size: 8 << 20})
		a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "nopic.o", Low2GiB: true, Segments: []jitlink.SegmentRequest{{Prot: rx, Size: 8}}})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "pic.o", Segments: []jitlink.SegmentRequest{{Prot: rx, Size: 8}}})
		if err != nil {
			t.Fatal(err)
		}
		if !below(a.Segments()[0].Addr) || !below(b.Segments()[0].Addr) || len(s.Regions()) != 1 {
			t.Errorf("want one low slab for both: %v %v %v", a.Segments()[0].Addr, b.Segments()[0].Addr, s.Regions())
		}
	})
}

func TestSlabFinalizeLifetime(t *testing.T) {
	ctx := context.Background()
	s, e := newSlab(t, mappers[0], SlabOptions{Size: 1 << 20})
	a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "f.o", Segments: []jitlink.SegmentRequest{
		{Prot: ro, Size: 16, Lifetime: jitlink.LifetimeFinalize},
		{Prot: rw, Size: 16},
	}})
	if err != nil {
		t.Fatal(err)
	}
	segs := a.Segments()
	if segs[0].Addr < segs[1].Addr {
		t.Errorf("finalize-lifetime segment placed before the standard one")
	}
	// The finalize action copies the scratch segment into a TLS block's
	// image: it must still be readable when actions run.
	blk, err := e.AllocateTLS(ctx, epc.TLSRequest{Size: 16, Align: 8, ImageSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(segs[0].Mem, 0x5eed)
	act, err := epc.TLSImageAction(e, blk, 0, segs[0].Addr, 16)
	if err != nil {
		t.Fatal(err)
	}
	before := s.Stats().InUse
	fa, err := a.Finalize(ctx, []shared.AllocActionPair{act})
	if err != nil {
		t.Fatal(err)
	}
	img, err := e.Read(ctx, blk.ImageAddr, 4)
	if err != nil || binary.LittleEndian.Uint32(img) != 0x5eed {
		t.Fatalf("TLS image after finalize: %x, %v", img, err)
	}
	if after := s.Stats().InUse; after != before-s.ps {
		t.Errorf("in use %d after finalize, want %d (scratch page freed)", after, before-s.ps)
	}
	if got := mapsProt(t, e, segs[0].Addr); got != "---" {
		t.Errorf("freed scratch segment mapped %s", got)
	}
	if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.InUse != 0 {
		t.Errorf("after deallocate %+v", st)
	}
}

// ehFrame builds an .eh_frame section at addr (CIE, one FDE for
// [fn, fn+size), zero terminator) for a function with no frame.
func ehFrame(addr, fn shared.ExecutorAddr, size uint32) []byte {
	cie := []byte{0, 0, 0, 0, 1, 'z', 'R', 0, 1, 0x78, 16, 1, 0x1b, 0x0c, 0x07, 0x08, 0x90, 0x01, 0, 0}
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(cie)))
	b = append(b, cie...)
	fdeStart := len(b)
	fde := binary.LittleEndian.AppendUint32(nil, uint32(fdeStart+4)) // CIE pointer: back to offset 0
	pcField := uint64(addr) + uint64(fdeStart) + 8
	fde = binary.LittleEndian.AppendUint32(fde, uint32(int32(int64(fn)-int64(pcField))))
	fde = binary.LittleEndian.AppendUint32(fde, size)
	fde = append(fde, 0, 0, 0, 0) // augmentation length 0, padding
	b = binary.LittleEndian.AppendUint32(b, uint32(len(fde)))
	b = append(b, fde...)
	return append(b, 0, 0, 0, 0)
}

func TestSlabEHFrameActions(t *testing.T) {
	ctx := context.Background()
	s, e := newSlab(t, mappers[0], SlabOptions{Size: 1 << 20})
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
	if executor.UnwindFunctionStart(segs[0].Addr+2) != 0 {
		t.Fatal("unwinder knows the function before registration")
	}
	fa, err := a.Finalize(ctx, []shared.AllocActionPair{act})
	if err != nil {
		t.Fatal(err)
	}
	if got := executor.UnwindFunctionStart(segs[0].Addr + 2); got != segs[0].Addr {
		t.Fatalf("after registration the unwinder finds function %v, want %v", got, segs[0].Addr)
	}
	if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}); err != nil {
		t.Fatal(err)
	}
	if got := executor.UnwindFunctionStart(segs[0].Addr + 2); got != 0 {
		t.Fatalf("after deregistration the unwinder still finds %v", got)
	}
	// Registration without a terminator fails, and the failed finalize
	// undoes the earlier action and frees the memory.
	a, err = s.Allocate(ctx, jitlink.AllocRequest{Name: "bad-eh.o", Segments: []jitlink.SegmentRequest{{Prot: rx, Size: 16}, {Prot: ro, Size: 64}}})
	if err != nil {
		t.Fatal(err)
	}
	segs = a.Segments()
	eh = ehFrame(segs[1].Addr, segs[0].Addr, 6)
	copy(segs[1].Mem, eh)
	good, _ := epc.EHFrameActions(e, shared.ExecutorAddrRange{Start: segs[1].Addr, End: segs[1].Addr.Add(uint64(len(eh)))})
	bad, _ := epc.EHFrameActions(e, shared.ExecutorAddrRange{Start: segs[1].Addr, End: segs[1].Addr.Add(uint64(len(eh) - 4))})
	if _, err := a.Finalize(ctx, []shared.AllocActionPair{good, bad}); err == nil || !strings.Contains(err.Error(), "terminator") {
		t.Fatalf("finalize with an unterminated eh-frame: %v", err)
	}
	if executor.UnwindFunctionStart(segs[0].Addr+2) != 0 {
		t.Fatal("failed finalize left the first registration in place")
	}
	if st := s.Stats(); st.InUse != 0 {
		t.Fatalf("failed finalize leaked: %+v", st)
	}
}

func TestSlabConcurrent(t *testing.T) {
	ctx := context.Background()
	for _, kind := range mappers {
		t.Run(kind.name, func(t *testing.T) {
			s, e := newSlab(t, kind, SlabOptions{Size: 64 << 20})
			var wg sync.WaitGroup
			for g := 0; g < 8; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					for i := 0; i < 20; i++ {
						a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: fmt.Sprintf("g%d-%d", g, i), Segments: []jitlink.SegmentRequest{
							{Prot: rx, Size: 16}, {Prot: ro, Size: uint64(4 + i*100)},
						}})
						if err != nil {
							t.Error(err)
							return
						}
						segs := a.Segments()
						copy(segs[0].Mem, ret42(segs[0].Addr, segs[1].Addr))
						binary.LittleEndian.PutUint32(segs[1].Mem, uint32(g*1000+i))
						fa, err := a.Finalize(ctx, nil)
						if err != nil {
							t.Error(err)
							return
						}
						if i%5 == 0 {
							if got, err := e.RunAsMain(ctx, segs[0].Addr, nil); err != nil || got != g*1000+i {
								t.Errorf("goroutine %d run %d: got %d, %v", g, i, got, err)
							}
						}
						if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}); err != nil {
							t.Error(err)
						}
					}
				}(g)
			}
			wg.Wait()
			if st := s.Stats(); st.InUse != 0 || st.FreeBlocks != 1 {
				t.Errorf("after concurrent use: %+v", st)
			}
		})
	}
}

func TestNewForExecutor(t *testing.T) {
	local := newEPC(t)
	child := spawnExecutor(t, os.Stdout)
	tests := []struct {
		e    epc.ExecutorProcessControl
		shm  bool
		want string
	}{
		{local, false, "*memmgr.InProcessMapper"},
		{local, true, "*memmgr.InProcessMapper"},
		{child, true, "*memmgr.SharedMemoryMapper"},
		{child, false, "*memmgr.CopyMapper"},
	}
	for _, tc := range tests {
		s, err := NewForExecutor(tc.e, tc.shm, SlabOptions{Size: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%T", s.m); got != tc.want {
			t.Errorf("%T shm=%v: mapper %s, want %s", tc.e, tc.shm, got, tc.want)
		}
		a, err := s.Allocate(context.Background(), jitlink.AllocRequest{Name: "x", Segments: []jitlink.SegmentRequest{{Prot: rx, Size: 6}}})
		if err != nil {
			t.Fatal(err)
		}
		copy(a.Segments()[0].Mem, []byte{0xb8, 9, 0, 0, 0, 0xc3})
		if _, err := a.Finalize(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if st, err := tc.e.RunAsMain(context.Background(), a.Segments()[0].Addr, nil); err != nil || st != 9 {
			t.Errorf("%s: ran %d %v", tc.want, st, err)
		}
		s.Close(context.Background())
	}
}

// TestSlabBatchedFinalize: with a child executor, finalizing an
// allocation (transfers, protections, actions) is one round trip, and a
// failing action in the batch still undoes the actions before it.
func TestSlabBatchedFinalize(t *testing.T) {
	ctx := context.Background()
	for _, kind := range mappers {
		if !kind.remote {
			continue
		}
		t.Run(kind.name, func(t *testing.T) {
			s, e := newSlab(t, kind, SlabOptions{Size: 1 << 20})
			r := e.(*epc.Remote)
			alloc := func(name string) (jitlink.InFlightAlloc, []jitlink.Segment, []byte) {
				a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: name, Segments: []jitlink.SegmentRequest{{Prot: rx, Size: 16}, {Prot: ro, Size: 64}}})
				if err != nil {
					t.Fatal(err)
				}
				segs := a.Segments()
				copy(segs[0].Mem, []byte{0xb8, 7, 0, 0, 0, 0xc3})
				eh := ehFrame(segs[1].Addr, segs[0].Addr, 6)
				copy(segs[1].Mem, eh)
				return a, segs, eh
			}
			a, segs, eh := alloc("eh.o")
			act, err := epc.EHFrameActions(e, shared.ExecutorAddrRange{Start: segs[1].Addr, End: segs[1].Addr.Add(uint64(len(eh)))})
			if err != nil {
				t.Fatal(err)
			}
			before := r.Calls()
			fa, err := a.Finalize(ctx, []shared.AllocActionPair{act})
			if err != nil {
				t.Fatal(err)
			}
			if n := r.Calls() - before; n != 1 {
				t.Errorf("finalize took %d calls, want 1", n)
			}
			if st, err := e.RunAsMain(ctx, segs[0].Addr, nil); err != nil || st != 7 {
				t.Fatalf("run: %d %v", st, err)
			}
			if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}); err != nil {
				t.Fatal(err)
			}
			a, segs, eh = alloc("bad-eh.o")
			good, _ := epc.EHFrameActions(e, shared.ExecutorAddrRange{Start: segs[1].Addr, End: segs[1].Addr.Add(uint64(len(eh)))})
			bad, _ := epc.EHFrameActions(e, shared.ExecutorAddrRange{Start: segs[1].Addr, End: segs[1].Addr.Add(uint64(len(eh) - 4))})
			if _, err := a.Finalize(ctx, []shared.AllocActionPair{good, bad}); err == nil || !strings.Contains(err.Error(), "terminator") || !strings.Contains(err.Error(), "finalize action 1") {
				t.Fatalf("finalize with an unterminated eh-frame: %v", err)
			}
			if st := s.Stats(); st.InUse != 0 {
				t.Fatalf("failed finalize leaked: %+v", st)
			}
		})
	}
}

// TestSlabNoCodeAtLow32Zero: no allocation starts at an address whose low
// 32 bits are zero (libgcc's unwinder ignores an FDE for code there), for
// any alignment, when the reservation starts 4 GiB-aligned (the fake
// mapper's does) or a free block begins at such an address.
func TestSlabNoCodeAtLow32Zero(t *testing.T) {
	ctx := context.Background()
	for _, align := range []uint64{1, 16, 4096, 1 << 16} {
		s, err := NewSlab(&fakeMapper{}, SlabOptions{Size: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "f.o", Segments: []jitlink.SegmentRequest{{Prot: rx, Size: 100, Align: align}}})
		if err != nil {
			t.Fatal(err)
		}
		addr := a.Segments()[0].Addr
		if uint64(addr)&0xffffffff == 0 {
			t.Errorf("align %d: code at %v, whose low 32 bits are zero", align, addr)
		}
		if uint64(addr)%align != 0 {
			t.Errorf("align %d: code at %v is misaligned", align, addr)
		}
		if s.main.r.Start != 0x7f0000000000 {
			t.Fatalf("the fake reservation starts at %v, want a 4 GiB-aligned start", s.main.r.Start)
		}
		if err := a.Abandon(ctx); err != nil {
			t.Fatal(err)
		}
		if st := s.Stats(); st.InUse != 0 || st.FreeBlocks != 1 {
			t.Errorf("align %d: after abandon: %+v", align, st)
		}
	}
	g := &region{r: shared.ExecutorAddrRange{Start: 0x7ffff000, End: 0x100010000}}
	g.free = []shared.ExecutorAddrRange{{Start: 0x100000000, End: 0x100010000}}
	if addr, ok := g.take(64, 16); !ok || addr == 0x100000000 {
		t.Errorf("take from a free block at 4 GiB: %v %v", addr, ok)
	}
}
