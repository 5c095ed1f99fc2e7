//go:build cgo

package epc

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

// TestRemoteReentryHeldSteps: in a child executor, the landing function's
// code is written by steps the handler holds back (BatchBeforeNext); they
// reach the executor in the re-entry's answer, before the thread lands.
// A call the handler makes meanwhile (a read) is preceded by the steps
// held so far, so it sees them.
func TestRemoteReentryHeldSteps(t *testing.T) {
	ctx := context.Background()
	e := spawn(t, nil)
	ps := e.PageSize()
	r, _ := e.Reserve(ctx, 3*ps, false)
	page := func(i uint64) shared.ExecutorAddrRange {
		return shared.ExecutorAddrRange{Start: r.Start.Add(i * ps), End: r.Start.Add((i + 1) * ps)}
	}
	// Page 0: the trampoline and main (which calls it with 10, 20, 5, 7.0).
	var code []byte
	at := func(b []byte) shared.ExecutorAddr {
		a := r.Start.Add(uint64(len(code)))
		code = append(code, b...)
		for len(code)%16 != 0 {
			code = append(code, 0xcc)
		}
		return a
	}
	tramp := at(append(binary.LittleEndian.AppendUint64([]byte{0x49, 0xbb}, uint64(e.BootstrapSymbols()[ReentryName])), 0x41, 0xff, 0xd3, 0x0f, 0x0b))
	m := []byte{0xbf, 10, 0, 0, 0, 0xbe, 20, 0, 0, 0, 0xba, 5, 0, 0, 0, 0x48, 0xb8}
	m = binary.LittleEndian.AppendUint64(m, 0x401c000000000000) // 7.0
	m = append(m, 0x66, 0x48, 0x0f, 0x6e, 0xc0, 0x48, 0x83, 0xec, 0x08, 0xe8)
	mainStart := r.Start.Add(uint64(len(code)))
	m = binary.LittleEndian.AppendUint32(m, uint32(int32(int64(tramp)-int64(mainStart.Add(uint64(len(m)+4))))))
	mainFn := at(append(m, 0x48, 0x83, 0xc4, 0x08, 0xc3))
	e.Protect(ctx, page(0), shared.ProtRead|shared.ProtWrite)
	e.Write(ctx, r.Start, code)
	e.Protect(ctx, page(0), shared.ProtRead|shared.ProtExec)
	// Page 1 gets the landing function, page 2 a marker: both only by
	// held steps, during the re-entry.
	target := page(1).Start
	body := []byte{0x8d, 0x04, 0x37, 0xf2, 0x0f, 0x2c, 0xc8, 0x01, 0xc8, 0x01, 0xd0, 0xc3} // rdi+rsi+edx+int(xmm0)
	var readBack []byte
	var readErr error
	e.SetReentryHandler(func(ret shared.ExecutorAddr) (shared.ExecutorAddr, error) {
		if _, err := e.BatchBeforeNext(ctx, []MemOp{
			{Kind: MemOpProtect, Range: page(2), Prot: shared.ProtRead | shared.ProtWrite},
			{Kind: MemOpWrite, Addr: page(2).Start, Data: []byte("held")},
		}); err != nil {
			return 0, err
		}
		readBack, readErr = e.Read(ctx, page(2).Start, 4) // the steps go just ahead of it
		if _, err := e.BatchBeforeNext(ctx, []MemOp{
			{Kind: MemOpProtect, Range: page(1), Prot: shared.ProtRead | shared.ProtWrite},
			{Kind: MemOpWrite, Addr: target, Data: body},
			{Kind: MemOpProtect, Range: page(1), Prot: shared.ProtRead | shared.ProtExec},
		}); err != nil {
			return 0, err
		}
		return target, nil // its code arrives with this answer
	})
	before := e.HeldSteps()
	if st, err := e.RunAsMain(ctx, mainFn, nil); err != nil || st != 42 {
		t.Fatalf("run: %d %v, want 42", st, err)
	}
	if readErr != nil || string(readBack) != "held" {
		t.Errorf("read during the re-entry: %q %v, want the held write", readBack, readErr)
	}
	if n := e.HeldSteps() - before; n != 5 {
		t.Errorf("%d steps held back, want 5", n)
	}
}
