package epc

// This file holds the controller's side of lazy re-entries over a byte
// stream: answering the executor's OpReentry and OpReentryApply calls,
// and the steps BatchBeforeNext holds back so that a first call costs one
// exchange (the re-entry and its answer) instead of one per memory
// transfer.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

var _ OrderedBatcher = (*Remote)(nil)

// maxHeld bounds the steps held back for one re-entry answer; beyond it
// BatchBeforeNext sends a batch at once.
const maxHeld = 1 << 20

// heldSteps are the steps BatchBeforeNext holds back (under Remote.wmu).
type heldSteps struct {
	active int    // OpReentryApply calls being answered
	b      []byte // the steps' batch encoding, without their count
	n      uint64 // number of steps
}

// take returns the held steps as an OpBatch payload (count first) and
// forgets them.
func (h *heldSteps) take() (payload []byte, n uint64) {
	out := append(new(wire.Encoder).U64(h.n).Payload(), h.b...)
	n = h.n
	h.b, h.n = nil, 0
	return out, n
}

// heldBatch is a batch of held steps sent ahead of a call: its answer is
// recorded by the reader (deliver), in stream order, so it is there by
// the time the call's own answer is.
type heldBatch struct {
	n    uint64
	f    wire.Frame
	err  error
	done chan struct{}
}

// result is the error of the steps of hb (nil hb: none were sent).
func (hb *heldBatch) result() error {
	if hb == nil {
		return nil
	}
	<-hb.done
	if hb.err != nil {
		return hb.err
	}
	if hb.f.Kind == wire.KindError {
		return &HeldStepsError{Msg: fmt.Sprintf("steps held back from earlier lazy links: %s", hb.f.Payload)}
	}
	d := wire.NewDecoder(hb.f.Payload)
	failed, msg := d.U64(), d.String()
	if err := d.Finish(); err != nil {
		return &HeldStepsError{Msg: fmt.Sprintf("steps held back from earlier lazy links: malformed answer: %v", err)}
	}
	if failed < hb.n {
		return &HeldStepsError{Msg: fmt.Sprintf("steps held back from earlier lazy links: step %d of %d: %s", failed, hb.n, msg)}
	}
	return nil
}

// HeldStepsError reports that memory steps BatchBeforeNext held back did
// not all run in the executor: the linker had been told they succeeded,
// so the lazily linked code they finalized (its protection, EH frames, a
// stub's pointer) may not be usable. From then on the Remote answers
// every lazy re-entry with this error and BatchBeforeNext fails with it
// (see HeldStepsFailed).
type HeldStepsError struct{ Msg string }

func (e *HeldStepsError) Error() string { return e.Msg }

// noteHeld records err as the reason lazily linked code is no longer
// trusted if it is a HeldStepsError (the first one wins).
func (e *Remote) noteHeld(err error) {
	var he *HeldStepsError
	if errors.As(err, &he) {
		e.heldFailed.CompareAndSwap(nil, he)
	}
}

// HeldStepsFailed returns the failure of steps held back from lazy links,
// if any has been reported (by the answer to the batch that carried them
// ahead of a call); nil otherwise. The executor keeps its own record of a
// failure of steps carried in a re-entry answer and fails later
// re-entries itself.
func (e *Remote) HeldStepsFailed() error {
	if he := e.heldFailed.Load(); he != nil {
		return he
	}
	return nil
}

// flushHeldLocked sends the held steps, if any, as one OpBatch call whose
// answer the reader records (wmu held). The caller sends its own frame
// right after and checks hb.result() once its answer is in.
func (e *Remote) flushHeldLocked() (*heldBatch, error) {
	if e.held.n == 0 {
		return nil, nil
	}
	payload, n := e.held.take()
	hb := &heldBatch{n: n, done: make(chan struct{})}
	e.mu.Lock()
	if e.err != nil {
		err := e.err
		e.mu.Unlock()
		return nil, err
	}
	e.seq++
	seq := e.seq
	if e.heldAnswers == nil {
		e.heldAnswers = map[uint64]*heldBatch{}
	}
	e.heldAnswers[seq] = hb
	e.mu.Unlock()
	if int(wire.OpBatch) < len(e.byOp) {
		e.byOp[wire.OpBatch].Add(1)
	}
	return hb, wire.WriteFrame(e.w, wire.Frame{Kind: wire.KindCall, Op: wire.OpBatch, Seq: seq, Payload: payload})
}

// deliverHeld records the answer to a batch of held steps; it reports
// whether f was one (mu not held).
func (e *Remote) deliverHeld(f wire.Frame) bool {
	e.mu.Lock()
	hb := e.heldAnswers[f.Seq]
	delete(e.heldAnswers, f.Seq)
	e.mu.Unlock()
	if hb == nil {
		return false
	}
	hb.f = f
	close(hb.done)
	// Recorded here, in stream order, so that a re-entry the executor
	// sends after this answer is already refused (and even if the call
	// the batch preceded is abandoned).
	e.noteHeld(hb.result())
	return true
}

// failHeldLocked ends the held batches still waiting for answers with err
// (mu held).
func (e *Remote) failHeldLocked(err error) {
	for seq, hb := range e.heldAnswers {
		hb.err = err
		close(hb.done)
		delete(e.heldAnswers, seq)
	}
}

// quickSteps reports whether every call-wrapper step of ops calls one of
// the executor's own short services, which the executor runs on its
// reader (as it does a batch of them).
func (e *Remote) quickSteps(ops []MemOp) bool {
	for _, op := range ops {
		if op.Kind != MemOpCallWrapper {
			continue
		}
		switch op.Call.Fn {
		case 0:
			return false
		case e.syms[EHFrameRegisterName], e.syms[EHFrameDeregisterName], e.syms[TLSSetImageName], e.syms[EchoName]:
		default:
			return false
		}
	}
	return true
}

// BatchBeforeNext implements OrderedBatcher: while the executor waits in
// an OpReentryApply re-entry, the steps are held back and sent inside the
// next re-entry answer (or just before the next call, whichever goes
// first); otherwise, or when they are large or call services the executor
// does not run on its reader, it is Batch.
func (e *Remote) BatchBeforeNext(ctx context.Context, ops []MemOp) (int, error) {
	if len(ops) == 0 {
		return 0, nil
	}
	if err := e.HeldStepsFailed(); err != nil {
		return 0, fmt.Errorf("epc: lazy link steps not sent: %w", err)
	}
	if e.noBatch.Load() || !e.quickSteps(ops) {
		return e.Batch(ctx, ops)
	}
	size := batchSize(ops) - 8
	if size > maxHeld {
		// Too large to hold back (checked before encoding it, which
		// would copy all its bytes for nothing): one batch of its own.
		return e.Batch(ctx, ops)
	}
	var enc wire.Encoder
	enc.Grow(size) // one allocation, not one per doubling
	if i, err := encodeSteps(&enc, ops, maxHeld); err != nil {
		if errors.Is(err, ErrBatchUnsupported) {
			// Too large to hold back: one batch of its own (Batch's
			// limit is larger), not a refusal that would send the
			// caller step by step, a round trip each.
			return e.Batch(ctx, ops)
		}
		return i, err
	}
	e.wmu.Lock()
	if e.held.active > 0 && len(e.held.b)+len(enc.Payload()) <= maxHeld {
		e.held.b = append(e.held.b, enc.Payload()...)
		e.held.n += uint64(len(ops))
		e.wmu.Unlock()
		e.heldCount.Add(uint64(len(ops)))
		return len(ops), nil
	}
	e.wmu.Unlock()
	return e.Batch(ctx, ops)
}

// HeldSteps returns how many steps BatchBeforeNext held back to send with
// a later frame (a re-entry's answer, or ahead of a call), for tests and
// tuning.
func (e *Remote) HeldSteps() uint64 { return e.heldCount.Load() }

// serveCall answers a call the executor makes to the controller: a lazy
// re-entry (OpReentry: the landing address; OpReentryApply: the landing
// address and the steps held back meanwhile, which the executor runs
// before the calling thread continues).
func (e *Remote) serveCall(f wire.Frame) {
	answer := func(kind wire.Kind, p []byte) {
		e.wmu.Lock()
		wire.WriteFrame(e.w, wire.Frame{Kind: kind, Op: f.Op, Seq: f.Seq, Payload: p})
		e.wmu.Unlock()
	}
	if f.Op != wire.OpReentry && f.Op != wire.OpReentryApply {
		answer(wire.KindError, []byte(fmt.Sprintf("controller does not serve %v", f.Op)))
		return
	}
	d := wire.NewDecoder(f.Payload)
	ret := shared.ExecutorAddr(d.U64())
	if err := d.Finish(); err != nil {
		answer(wire.KindError, []byte(err.Error()))
		return
	}
	e.mu.Lock()
	h := e.reentry
	e.mu.Unlock()
	if failed := e.HeldStepsFailed(); failed != nil {
		// Whatever the handler answers may be code whose finalizing
		// steps never ran.
		h = func(shared.ExecutorAddr) (shared.ExecutorAddr, error) {
			return 0, fmt.Errorf("lazily linked code is not trusted: %w", failed)
		}
	}
	if f.Op == wire.OpReentry {
		if h == nil {
			answer(wire.KindError, []byte("no re-entry handler is installed in the controller"))
			return
		}
		a, err := h(ret)
		if err != nil {
			answer(wire.KindError, []byte(err.Error()))
			return
		}
		answer(wire.KindResult, new(wire.Encoder).U64(uint64(a)).Payload())
		return
	}
	// OpReentryApply: hold back the steps of the links the handler makes
	// (and of any link meanwhile) and send them with the answer.
	e.wmu.Lock()
	e.held.active++
	e.wmu.Unlock()
	var a shared.ExecutorAddr
	var err error
	if h == nil {
		err = fmt.Errorf("no re-entry handler is installed in the controller")
	} else {
		a, err = h(ret)
	}
	msg := ""
	if err != nil {
		a, msg = 0, err.Error()
	} else if a == 0 {
		msg = "the re-entry handler returned address 0"
	}
	e.wmu.Lock()
	e.held.active--
	steps, _ := e.held.take()
	wire.WriteFrame(e.w, wire.Frame{Kind: wire.KindResult, Op: f.Op, Seq: f.Seq,
		Payload: new(wire.Encoder).U64(uint64(a)).String(msg).Bytes(steps).Payload()})
	e.wmu.Unlock()
}

// startServeCall has a goroutine answer the executor's call f: an idle
// one kept from an earlier call if there is one (its stack is grown
// already: a lazy compile runs deep), else a new one.
func (e *Remote) startServeCall(f wire.Frame) {
	select {
	case e.callQ <- f:
	default:
		go e.callWorker(f)
	}
}

// callIdle is how long a goroutine that answered an executor's call waits
// for another before it ends.
const callIdle = time.Second

func (e *Remote) callWorker(f wire.Frame) {
	var t *time.Timer
	for {
		e.serveCall(f)
		if t == nil {
			t = time.NewTimer(callIdle)
		} else {
			t.Reset(callIdle)
		}
		select {
		case f = <-e.callQ:
		case <-t.C:
			return
		case <-e.done:
			return
		}
	}
}
