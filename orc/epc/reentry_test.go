package epc

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

// answerOf serves one call from the executor on a Remote writing to a
// buffer and returns the frame it answered with.
func answerOf(t *testing.T, e *Remote, f wire.Frame) wire.Frame {
	t.Helper()
	var buf bytes.Buffer
	e.w = &buf
	e.serveCall(f)
	a, err := wire.ReadFrame(&buf)
	if err != nil {
		t.Fatalf("answer to %v: %v", f.Op, err)
	}
	if buf.Len() != 0 {
		t.Fatalf("answer to %v: %d bytes more than one frame", f.Op, buf.Len())
	}
	return a
}

func testRemote(h func(shared.ExecutorAddr) (shared.ExecutorAddr, error)) *Remote {
	return &Remote{pending: map[uint64]chan reply{}, done: make(chan struct{}),
		syms: map[string]shared.ExecutorAddr{EHFrameRegisterName: 0x500}, reentry: h}
}

// TestReentryApplyAnswer: steps BatchBeforeNext takes while a
// reentry-apply re-entry is answered travel in its answer (with the
// landing address, or the handler's error); outside a re-entry, and for
// calls of other services, BatchBeforeNext does not hold them.
func TestReentryApplyAnswer(t *testing.T) {
	ctx := context.Background()
	var e *Remote
	steps := []MemOp{{Kind: MemOpWrite, Addr: 0x1000, Data: []byte("code")}, {Kind: MemOpCallWrapper, Call: shared.WrapperCall{Fn: 0x500, Arg: []byte{1}}}}
	for _, tc := range []struct {
		name    string
		err     error
		landing uint64
		msg     string
	}{
		{"landing", nil, 0x4242, ""},
		{"failure", errors.New("lazy call of f: boom"), 0, "lazy call of f: boom"},
	} {
		e = testRemote(func(ret shared.ExecutorAddr) (shared.ExecutorAddr, error) {
			if n, err := e.BatchBeforeNext(ctx, steps); n != 2 || err != nil {
				t.Errorf("BatchBeforeNext in a re-entry: %d %v", n, err)
			}
			return shared.ExecutorAddr(tc.landing), tc.err
		})
		a := answerOf(t, e, wire.Frame{Kind: wire.KindCall, Op: wire.OpReentryApply, Seq: 7, Payload: new(wire.Encoder).U64(0x99).Payload()})
		if a.Kind != wire.KindResult || a.Op != wire.OpReentryApply || a.Seq != 7 {
			t.Fatalf("%s: answer %v %v seq %d", tc.name, a.Kind, a.Op, a.Seq)
		}
		d := wire.NewDecoder(a.Payload)
		landing, msg, batch := d.U64(), d.String(), d.Bytes()
		if err := d.Finish(); err != nil || landing != tc.landing || msg != tc.msg {
			t.Fatalf("%s: answer %#x %q %v", tc.name, landing, msg, err)
		}
		want := new(wire.Encoder).U64(2)
		encodeSteps(want, steps, maxHeld)
		if !bytes.Equal(batch, want.Payload()) {
			t.Errorf("%s: steps %x, want %x", tc.name, batch, want.Payload())
		}
		if e.held.n != 0 || e.held.active != 0 || e.HeldSteps() != 2 {
			t.Errorf("%s: after the answer: %d steps held, %d re-entries active, %d held in all", tc.name, e.held.n, e.held.active, e.HeldSteps())
		}
	}
	// An old-style re-entry holds nothing back (its answer cannot carry
	// steps): the steps go as a batch of their own.
	e = testRemote(func(ret shared.ExecutorAddr) (shared.ExecutorAddr, error) {
		e.mu.Lock()
		e.err = ErrClosed // no stream: the batch fails at once
		e.mu.Unlock()
		if _, err := e.BatchBeforeNext(ctx, steps); !errors.Is(err, ErrBatchUnsupported) {
			t.Errorf("BatchBeforeNext in an OpReentry re-entry: %v, want it sent (and refused here)", err)
		}
		return 0x10, nil
	})
	if a := answerOf(t, e, wire.Frame{Kind: wire.KindCall, Op: wire.OpReentry, Seq: 1, Payload: new(wire.Encoder).U64(1).Payload()}); a.Kind != wire.KindResult {
		t.Fatalf("reentry answer %v %q", a.Kind, a.Payload)
	}
	if e.HeldSteps() != 0 {
		t.Errorf("%d steps held in an OpReentry re-entry", e.HeldSteps())
	}
	// A call of a service the executor does not run on its reader is
	// never held.
	e = testRemote(func(ret shared.ExecutorAddr) (shared.ExecutorAddr, error) {
		e.mu.Lock()
		e.err = ErrClosed
		e.mu.Unlock()
		e.BatchBeforeNext(ctx, []MemOp{{Kind: MemOpCallWrapper, Call: shared.WrapperCall{Fn: 0x600}}})
		return 0x10, nil
	})
	a := answerOf(t, e, wire.Frame{Kind: wire.KindCall, Op: wire.OpReentryApply, Seq: 1, Payload: new(wire.Encoder).U64(1).Payload()})
	if d := wire.NewDecoder(a.Payload); d.U64() != 0x10 || d.String() != "" || !bytes.Equal(d.Bytes(), make([]byte, 8)) || d.Finish() != nil {
		t.Errorf("answer %x: want landing 0x10 and no steps", a.Payload)
	}
}

// FuzzServeReentryCall sends the controller's re-entry service arbitrary
// payloads under both re-entry ops: every one is answered with exactly
// one well-formed frame (an error for a malformed call).
func FuzzServeReentryCall(f *testing.F) {
	f.Add(true, new(wire.Encoder).U64(0x1234).Payload())
	f.Add(false, new(wire.Encoder).U64(0x1234).Payload())
	f.Add(true, []byte{1, 2, 3})
	f.Add(true, new(wire.Encoder).U64(1).U64(2).Payload())
	f.Fuzz(func(t *testing.T, apply bool, payload []byte) {
		op := wire.OpReentry
		if apply {
			op = wire.OpReentryApply
		}
		e := testRemote(func(ret shared.ExecutorAddr) (shared.ExecutorAddr, error) {
			if ret == 0 {
				return 0, errors.New("no trampoline at 0")
			}
			return ret, nil
		})
		a := answerOf(t, e, wire.Frame{Kind: wire.KindCall, Op: op, Seq: 3, Payload: payload})
		if a.Seq != 3 || a.Op != op {
			t.Fatalf("answer seq %d op %v", a.Seq, a.Op)
		}
		d := wire.NewDecoder(payload)
		ret := d.U64()
		wellFormed := d.Finish() == nil
		switch {
		case !wellFormed:
			if a.Kind != wire.KindError {
				t.Fatalf("malformed call answered %v", a.Kind)
			}
		case apply:
			r := wire.NewDecoder(a.Payload)
			landing, msg, _ := r.U64(), r.String(), r.Bytes()
			if a.Kind != wire.KindResult || r.Finish() != nil || landing != ret || (landing == 0) != (msg != "") {
				t.Fatalf("reentry-apply answer %v %x", a.Kind, a.Payload)
			}
		default:
			if (ret == 0) != (a.Kind == wire.KindError) {
				t.Fatalf("reentry answer %v %q for %#x", a.Kind, a.Payload, ret)
			}
		}
	})
}
