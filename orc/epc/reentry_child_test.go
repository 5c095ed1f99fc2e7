//go:build cgo

package epc

import (
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

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
	p := newHeldProgram(t, e)
	page, target, body, mainFn := p.page, p.target, p.body, p.mainFn
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

// heldProgram is a main, in a child executor, that calls a lazy
// trampoline with 10, 20, 5, 7.0; the landing function (page 1, target)
// is body, which returns their sum, 42, once written and made executable.
type heldProgram struct {
	page   func(i uint64) shared.ExecutorAddrRange
	target shared.ExecutorAddr
	body   []byte
	mainFn shared.ExecutorAddr
}

// install is the batch that writes the landing function and makes it
// executable (what a lazy link's answer to the re-entry carries).
func (p heldProgram) install() []MemOp {
	return []MemOp{
		{Kind: MemOpProtect, Range: p.page(1), Prot: shared.ProtRead | shared.ProtWrite},
		{Kind: MemOpWrite, Addr: p.target, Data: p.body},
		{Kind: MemOpProtect, Range: p.page(1), Prot: shared.ProtRead | shared.ProtExec},
	}
}

func newHeldProgram(t *testing.T, e *Remote) heldProgram {
	t.Helper()
	ctx := context.Background()
	ps := e.PageSize()
	r, err := e.Reserve(ctx, 3*ps, false)
	if err != nil {
		t.Fatal(err)
	}
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
	if _, err := e.Batch(ctx, []MemOp{
		{Kind: MemOpProtect, Range: page(0), Prot: shared.ProtRead | shared.ProtWrite},
		{Kind: MemOpWrite, Addr: r.Start, Data: code},
		{Kind: MemOpProtect, Range: page(0), Prot: shared.ProtRead | shared.ProtExec},
	}); err != nil {
		t.Fatal(err)
	}
	return heldProgram{
		page:   page,
		target: page(1).Start,
		body:   []byte{0x8d, 0x04, 0x37, 0xf2, 0x0f, 0x2c, 0xc8, 0x01, 0xc8, 0x01, 0xd0, 0xc3}, // rdi+rsi+edx+int(xmm0)
		mainFn: mainFn,
	}
}

// TestRemoteReentryHeldStepFails: a held step that fails in the executor
// (a protection change of a range nothing is mapped at) is not lost. The
// re-entry whose answer (or the call ahead of which) it went fails, naming
// the step; and since the linker was told the step succeeded, every later
// re-entry fails too, naming it, instead of landing in code whose
// finalizing steps may not have run — here a later run whose link's own
// steps are good, which would land and return 42 if the failure were
// forgotten.
func TestRemoteReentryHeldStepFails(t *testing.T) {
	bad := MemOp{Kind: MemOpProtect, Range: shared.ExecutorAddrRange{Start: 0x1000, End: 0x2000}, Prot: shared.ProtRead | shared.ProtExec}
	for _, tc := range []struct {
		name string
		// aheadOfCall: the handler makes a call (a read) after holding
		// the bad step, so the step goes as a batch ahead of it.
		aheadOfCall bool
		want        string // in the first run's error
	}{
		{"in the re-entry answer", false, "re-entry answer step 0 of 4"},
		{"ahead of a call", true, "steps held back from earlier lazy links: step 0 of 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := spawn(t, nil)
			p := newHeldProgram(t, e)
			good := func(shared.ExecutorAddr) (shared.ExecutorAddr, error) {
				if _, err := e.BatchBeforeNext(ctx, p.install()); err != nil {
					return 0, err
				}
				return p.target, nil
			}
			e.SetReentryHandler(func(ret shared.ExecutorAddr) (shared.ExecutorAddr, error) {
				if _, err := e.BatchBeforeNext(ctx, []MemOp{bad}); err != nil {
					return 0, err
				}
				if tc.aheadOfCall {
					if _, err := e.Read(ctx, p.page(0).Start, 1); err != nil {
						return 0, err
					}
				}
				return good(ret)
			})
			st, err := e.RunAsMain(ctx, p.mainFn, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("first run: %d %v, want an error naming %q", st, err, tc.want)
			}
			e.SetReentryHandler(good)
			st, err = e.RunAsMain(ctx, p.mainFn, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "not trusted") {
				t.Fatalf("run after the failed step: %d %v, want an error naming the failed step %q", st, err, tc.want)
			}
			if tc.aheadOfCall {
				if err := e.HeldStepsFailed(); err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("HeldStepsFailed: %v, want %q", err, tc.want)
				}
				if _, err := e.BatchBeforeNext(ctx, []MemOp{{Kind: MemOpWrite, Addr: p.target, Data: []byte{0xc3}}}); err == nil {
					t.Errorf("BatchBeforeNext after the failure: no error")
				}
			}
			// The executor goes on: a plain call still works.
			if _, err := e.Read(ctx, p.page(0).Start, 1); err != nil {
				t.Errorf("read after the failures: %v", err)
			}
		})
	}
}

// TestBatchBeforeNextLarge: steps too large to hold back (over maxHeld,
// as a big archive link's code is) go as one batch of their own, outside
// a re-entry as inside one: one round trip, not a refusal that makes the
// caller send them step by step (session 20: 8 round trips for sqlite).
func TestBatchBeforeNextLarge(t *testing.T) {
	ctx := context.Background()
	e := spawn(t, nil)
	size := uint64(maxHeld + 64<<10)
	size = (size + e.PageSize() - 1) &^ (e.PageSize() - 1)
	r, err := e.Reserve(ctx, size, false)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	before := e.Calls()
	n, err := e.BatchBeforeNext(ctx, []MemOp{
		{Kind: MemOpProtect, Range: r, Prot: shared.ProtRead | shared.ProtWrite},
		{Kind: MemOpWrite, Addr: r.Start, Data: data},
		{Kind: MemOpProtect, Range: r, Prot: shared.ProtRead},
	})
	if n != 3 || err != nil {
		t.Fatalf("BatchBeforeNext of %d bytes: %d steps, %v; want 3, nil", size, n, err)
	}
	if c := e.Calls() - before; c != 1 {
		t.Errorf("BatchBeforeNext of %d bytes: %d round trips, want 1", size, c)
	}
	got, err := e.Read(ctx, r.Start+shared.ExecutorAddr(size-16), 16)
	if err != nil || string(got) != string(data[size-16:]) {
		t.Errorf("read back the last 16 bytes: %x %v, want %x", got, err, data[size-16:])
	}
}

// TestRemoteReentryAnsweredInline: a re-entry that arrives while the
// controller waits for a run is answered by the goroutine that read it
// (the run's caller, or the background reader), not handed to an
// answering goroutine (a thread wake-up on every remote first call); the
// calls the answer's compile makes meanwhile (a read here) still get
// their answers, and the run its own afterwards.
func TestRemoteReentryAnsweredInline(t *testing.T) {
	ctx := context.Background()
	e := spawn(t, nil)
	p := newHeldProgram(t, e)
	var stack string
	var readErr error
	e.SetReentryHandler(func(shared.ExecutorAddr) (shared.ExecutorAddr, error) {
		buf := make([]byte, 64<<10)
		stack = string(buf[:runtime.Stack(buf, false)])
		if _, err := e.BatchBeforeNext(ctx, p.install()); err != nil {
			return 0, err
		}
		_, readErr = e.Read(ctx, p.target, 4)
		return p.target, nil
	})
	for i := range 3 {
		if st, err := e.RunAsMain(ctx, p.mainFn, nil); err != nil || st != 42 {
			t.Fatalf("run %d: %d %v, want 42", i, st, err)
		}
		if readErr != nil {
			t.Fatalf("run %d: read during the re-entry: %v", i, readErr)
		}
		if strings.Contains(stack, "callWorker") || !strings.Contains(stack, "serveInline") {
			t.Fatalf("run %d: the re-entry was not answered inline:\n%s", i, stack)
		}
	}
}

// TestRemoteInlineAnswerSeesExecutorDeath: while a run's caller answers a
// re-entry inline with a compile that makes no call of its own (a long
// compile in the controller), frames nobody waits for are still read
// within about a poll: here the executor's death, which must end the
// connection (failing every call) while the compile is still going, as
// it did when the background reader read during every answer. Before
// the fix nobody read the stream until the compile returned, so a dead
// executor (Ctrl-C in the REPL, kill -9) or program output waited for
// the whole compile.
func TestRemoteInlineAnswerSeesExecutorDeath(t *testing.T) {
	ctx := context.Background()
	e := spawn(t, nil)
	p := newHeldProgram(t, e)
	noticed := make(chan bool, 1)
	e.SetReentryHandler(func(shared.ExecutorAddr) (shared.ExecutorAddr, error) {
		if err := syscall.Kill(e.PID(), syscall.SIGKILL); err != nil {
			return 0, err
		}
		select {
		case <-e.done: // the connection's end was read meanwhile
			noticed <- true
		case <-time.After(5 * time.Second):
			noticed <- false
		}
		return 0, errors.New("compile abandoned")
	})
	if _, err := e.RunAsMain(ctx, p.mainFn, nil); err == nil || !strings.Contains(err.Error(), "SIGKILL") {
		t.Errorf("run: %v, want an error naming SIGKILL", err)
	}
	if !<-noticed {
		t.Fatal("the executor's death was not read while a re-entry was answered inline")
	}
}
