//go:build cgo

package memmgr

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// transferModes are the executor transports of BenchmarkTransfer, named
// after the gorc run flags they stand for. Every mode gets its slab from
// NewForExecutor, as gorc run does.
var transferModes = []struct {
	name string
	shm  bool
	open func(testing.TB) epc.ExecutorProcessControl
}{
	{"in-process", false, func(tb testing.TB) epc.ExecutorProcessControl { return newEPC(tb) }},
	{"child", false, func(tb testing.TB) epc.ExecutorProcessControl { return spawnExecutor(tb, os.Stdout) }},
	{"child-shm", true, func(tb testing.TB) epc.ExecutorProcessControl { return spawnExecutor(tb, os.Stdout) }},
	{"tcp", false, func(tb testing.TB) epc.ExecutorProcessControl { return dialTCPExecutor(tb) }},
	{"tcp-shm", true, func(tb testing.TB) epc.ExecutorProcessControl { return dialTCPExecutor(tb) }},
}

// dialTCPExecutor serves executors (this test binary, see TestMain) on a
// loopback port and connects to one, as `gorc run -exec tcp://` does.
func dialTCPExecutor(tb testing.TB) *epc.Remote {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- executor.ServeListener(ctx, ln, []string{os.Args[0]}, nil) }()
	dctx, dcancel := context.WithTimeout(ctx, 10*time.Second)
	defer dcancel()
	e, err := epc.Dial(dctx, "tcp://"+ln.Addr().String())
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer ccancel()
		e.Close(cctx)
		cancel()
		<-done
	})
	return e
}

// transferContent is size bytes of non-repeating content (so nothing on
// the way can shortcut zero pages).
func transferContent(size int) []byte {
	b := make([]byte, size)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// transferOnce moves content into the executor through s: allocate one
// read-only segment, copy the content into the working memory, finalize
// (for a copying mapper this is where the bytes cross the stream; with
// shared memory only the protection change does). It returns the
// finalized allocation.
func transferOnce(ctx context.Context, s *Slab, content []byte) (jitlink.FinalizedAlloc, error) {
	req := jitlink.AllocRequest{Name: "transfer", Segments: []jitlink.SegmentRequest{{Prot: shared.ProtRead, Size: uint64(len(content)), Align: 16}}}
	a, err := s.Allocate(ctx, req)
	if err != nil {
		return jitlink.FinalizedAlloc{}, err
	}
	copy(a.Segments()[0].Mem, content)
	return a.Finalize(ctx, nil)
}

// TestTransferContent checks what BenchmarkTransfer measures: after a
// transfer through each mode the executor's memory holds the content
// (read back over the protocol, or directly in-process) and is read-only.
func TestTransferContent(t *testing.T) {
	ctx := context.Background()
	content := transferContent(3<<20 + 123)
	for _, m := range transferModes {
		t.Run(m.name, func(t *testing.T) {
			e := m.open(t)
			s, err := NewForExecutor(e, m.shm, SlabOptions{Size: 64 << 20})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(ctx)
			for range 2 { // the second round reuses the freed block
				fa, err := transferOnce(ctx, s, content)
				if err != nil {
					t.Fatal(err)
				}
				start := shared.ExecutorAddr(fa.Handle)
				got, err := e.Read(ctx, start, uint64(len(content)))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, content) {
					t.Fatalf("executor memory at %v differs from the content written", start)
				}
				if p := mapsProt(t, e, start); p != "r--" {
					t.Fatalf("transferred memory has protection %s, want r--", p)
				}
				if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTransfer measures code-transfer throughput (MB/s) into an
// executor for each transport and 1, 16 and 64 MiB of content: allocate,
// fill, finalize, deallocate through the slab — with and without -shm.
func BenchmarkTransfer(b *testing.B) {
	ctx := context.Background()
	for _, m := range transferModes {
		b.Run(m.name, func(b *testing.B) {
			e := m.open(b)
			s, err := NewForExecutor(e, m.shm, SlabOptions{Size: 256 << 20})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close(ctx)
			for _, mib := range []int{1, 16, 64} {
				content := transferContent(mib << 20)
				b.Run(fmt.Sprintf("%dMiB", mib), func(b *testing.B) {
					b.SetBytes(int64(len(content)))
					for b.Loop() {
						fa, err := transferOnce(ctx, s, content)
						if err != nil {
							b.Fatal(err)
						}
						if err := s.Deallocate(ctx, []jitlink.FinalizedAlloc{fa}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
