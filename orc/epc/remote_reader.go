package epc

// This file holds the reader side of Remote: the reader token that lets a
// call read its own answer, the background reader that reads between
// calls, and the dispatch of every frame read.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

// reply is what a pending call receives on its channel: its answer, or
// (token set, no frame) the reader token. The channel is closed when the
// connection is gone.
type reply struct {
	f     wire.Frame
	token bool
}

// deadliner is a stream whose blocked reads a read deadline interrupts.
type deadliner interface{ SetReadDeadline(time.Time) error }

// directReads reports whether callers may read their answers from r
// themselves: a stream whose read deadline interrupts a blocked read and
// leaves the stream usable (an os.File in the poller, such as a pipe from
// os.Pipe; a TCP or Unix connection). Other streams (TLS, io.Pipe, ...)
// are read by the background reader only.
func directReads(r io.Reader) bool {
	switch r.(type) {
	case *os.File, *net.TCPConn, *net.UnixConn:
		return true
	}
	return false
}

var pastDeadline = time.Unix(1, 0)

// idlePoll is how often the background reader looks for a free reader
// token while it does not hold it: frames that arrive while no call waits
// (forwarded output, the executor's death) are read within about this.
// (A variable for tests; each Remote copies it when it starts.)
var idlePoll = 2 * time.Millisecond

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// The reader token. One goroutine at a time reads the stream: the one
// holding the token (e.reading under mu). A call waiting for its answer
// takes the token if it is free and reads until its own answer arrives,
// dispatching other frames (other calls' answers to their channels,
// output to its writers); then it passes the token to another pending
// call (on that call's channel) or, if none, leaves it free. So the
// common case, one call at a time, reads its answer on its own goroutine
// with no hand-off to another goroutine (which, on an idle machine, wakes
// a second OS thread and costs about as much as the round trip itself).
// The background reader takes a free token at its next poll, so frames
// arriving between calls are still read; while it holds the token, a
// call waits on its channel, and the background reader passes the token
// on once it has delivered an answer. A call whose context ends while it
// holds the token interrupts its read with a read deadline (a frame half
// read stays in fr for the next holder), clears the deadline and
// passes the token. A read error ends the connection: the holder fails
// every pending call and keeps the token for good.
//
// Without direct reads (dl == nil) the background reader holds the token
// for good and every answer reaches its caller through the channel.

// background is the reader while no call reads: it holds the token from
// the handshake until it has delivered an answer, and takes it again
// whenever it finds it free at a poll. When one call has held the token
// for a whole poll (a long call, such as a program's run), it stops
// polling and waits for that call to kick it as it frees the token;
// parked, it still looks every slowPolls polls for an inline answer that
// has lasted a whole such period (see long).
func (e *Remote) background() {
	var t *time.Timer
	for {
		if !e.serve() {
			return
		}
		if t == nil {
			t = time.NewTimer(e.poll)
		} else {
			t.Reset(e.poll)
		}
		last := ^uint64(0)
		seen := ^uint64(0) // the inline answer found at the last slow poll
		for taken := false; !taken; {
			fired := false
			select {
			case <-e.done:
				t.Stop()
				return
			case <-t.C:
				fired = true
			case <-e.kick:
			}
			e.mu.Lock()
			if fired && e.parked {
				if e.inline && e.busy != 0 && e.inlineGen == seen {
					e.long = true
				}
				seen = ^uint64(0)
				if e.inline {
					seen = e.inlineGen
				}
			}
			switch {
			case !e.reading && !(e.inline && e.busy != 0 && !e.long):
				// (A call answering an executor's call inline has left
				// the token free for the calls its compile makes, and
				// takes it back when done: it is the long call. Unless
				// the answer is long: see long.)
				e.reading, taken = true, true
			case e.passes == last:
				e.parked = true
			default:
				last = e.passes
			}
			parked := e.parked
			e.mu.Unlock()
			switch {
			case taken:
			case parked:
				t.Reset(e.poll * slowPolls)
			default:
				t.Reset(e.poll)
			}
		}
	}
}

// slowPolls is how many polls apart the parked background reader looks
// for a long inline answer: one it finds at two looks in a row has lasted
// at least this long (100 ms at the default poll).
const slowPolls = 50

// serve reads frames holding the token until it passes the token (true)
// or the stream ends (false).
func (e *Remote) serve() bool {
	for {
		f, err := e.fr.Next()
		if err != nil {
			if e.dl != nil && isTimeout(err) {
				// Not this reader's (a call clears its deadline before
				// passing the token): carry on.
				e.dl.SetReadDeadline(time.Time{})
				continue
			}
			e.fail(err)
			return false
		}
		if f.Kind == wire.KindCall && e.dl != nil && e.claimInline(0) {
			e.serveInline(f)
			e.mu.Lock()
			if !e.reading { // nobody took the token meanwhile: read on
				e.reading = true
				e.mu.Unlock()
				continue
			}
			e.mu.Unlock()
			return true
		}
		if answer, _ := e.dispatch(f, 0); !answer || e.dl == nil {
			continue
		}
		e.mu.Lock()
		e.passLocked()
		e.mu.Unlock()
		return true
	}
}

// passLocked gives up the token: to a pending call, or free (waking the
// background reader if it is parked).
func (e *Remote) passLocked() {
	e.passes++
	if e.handLocked() {
		return
	}
	e.reading = false
	if e.parked {
		e.parked = false
		select {
		case e.kick <- struct{}{}:
		default:
		}
	}
}

// handLocked hands the token to a pending call that waits for it (not to
// one answering an executor's call inline) and reports whether it did.
func (e *Remote) handLocked() bool {
	for seq, ch := range e.pending {
		if e.inline && seq == e.busy {
			continue
		}
		select {
		case ch <- reply{token: true}:
			return true
		default: // cannot happen: an answered call is no longer pending
		}
	}
	return false
}

// claimInline reports whether the token's holder (the goroutine waiting
// for call self, or the background reader for 0) may answer the
// executor's call it just read itself: no other goroutine is doing so.
// A call the executor makes is a lazy re-entry whose thread waits, and
// answering it on the goroutine that read it saves the hand-off to an
// answering goroutine (a wake-up of another thread: 5-20 µs of a remote
// first call on the project VM). One at a time: concurrent re-entries
// read meanwhile still go to answering goroutines (startServeCall), so
// they are compiled concurrently as before.
func (e *Remote) claimInline(self uint64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.inline {
		return false
	}
	e.inline, e.busy = true, self
	return true
}

// runsProgram reports whether op runs JIT'd code, so that a call of it
// is never made by a re-entry's compile: only a goroutine waiting for
// such a call answers an executor's call inline. One waiting for a call
// a compile makes must not: the re-entry it would answer may need the
// very materialization that compile is part of.
func runsProgram(op wire.Op) bool {
	return op == wire.OpRunMain || op == wire.OpRunVoid || op == wire.OpRunProgram
}

// serveInline gives up the token (to a pending call, or free: whoever
// waits for an answer next takes it, including the calls the answer's
// own compile makes) and answers f on this goroutine. The parked
// background reader is not woken: that is the wake-up this saves; frames
// that nobody waits for (program output, another thread's re-entry, the
// executor's end) are read when this goroutine is done, by the next call,
// or, once the answer has lasted a slow poll, by the background reader
// (see long).
func (e *Remote) serveInline(f wire.Frame) {
	e.mu.Lock()
	if e.handLocked() {
		e.passes++
	} else {
		// Free, but not counted as a pass: a run's caller that answers
		// re-entries inline is still the long call that parks the
		// background reader, which would otherwise take the free token
		// at a poll and hand it back with a wake-up at the next call.
		e.reading = false
	}
	e.inlineGen++
	e.mu.Unlock()
	e.serveCall(f)
	e.mu.Lock()
	e.inline, e.busy, e.long = false, 0, false
	e.mu.Unlock()
}

// dispatch handles one frame read by the token's holder. For an answer it
// reports answer; own if it answers call self (which it removes from the
// pending calls; other calls' answers go to their channels).
func (e *Remote) dispatch(f wire.Frame, self uint64) (answer, own bool) {
	switch {
	case f.Kind == wire.KindCall:
		e.startServeCall(f)
	case f.Kind == wire.KindStdout || f.Kind == wire.KindStderr:
		e.writeOutput(f)
	case f.Kind == wire.KindExit && f.Op == 0:
		e.noteEnded(f.Payload)
	case f.Kind == wire.KindCrash:
		e.noteCrash(f.Payload)
	default:
		return true, e.deliver(f, self)
	}
	return false, false
}

// writeOutput writes forwarded program output. It is written here, before
// any later answer is delivered: output precedes the result of the call
// that produced it.
func (e *Remote) writeOutput(f wire.Frame) {
	w := e.stdout
	if f.Kind == wire.KindStderr {
		w = e.stderr
	}
	if w != nil {
		w.Write(f.Payload) // a failing writer loses output, not the connection
	}
}

// noteEnded records a listener's report of how the executor process
// ended (an Exit frame with op 0); a malformed report is ignored.
func (e *Remote) noteEnded(p []byte) {
	d := wire.NewDecoder(p)
	how, v := d.U64(), d.U64()
	why := ""
	if len(p) > 16 {
		why = ": " + d.String() // a shared executor says whose code crashed
	}
	if d.Finish() != nil {
		return
	}
	var ended error
	if how == wire.EndedSignal {
		ended = fmt.Errorf("executor terminated by signal %s%s", signalName(syscall.Signal(v)), why)
	} else {
		ended = fmt.Errorf("executor exited with status %d%s", int64(v), why)
	}
	e.mu.Lock()
	e.ended = ended
	e.mu.Unlock()
}

// noteCrash records a dying executor's report of its fault; a malformed
// report is ignored.
func (e *Remote) noteCrash(p []byte) {
	d := wire.NewDecoder(p)
	c := &Crash{Signal: int(d.U64()), PC: shared.ExecutorAddr(d.U64()), FaultAddr: shared.ExecutorAddr(d.U64())}
	for _, a := range d.U64s() {
		c.Frames = append(c.Frames, shared.ExecutorAddr(a))
	}
	if d.Finish() != nil {
		return
	}
	e.mu.Lock()
	e.crash = c
	e.mu.Unlock()
}

// deliver takes an answer's call off the pending calls and reports
// whether it is call self's; another call's answer goes to its channel.
func (e *Remote) deliver(f wire.Frame, self uint64) (own bool) {
	if e.deliverHeld(f) {
		return false
	}
	e.mu.Lock()
	ch := e.pending[f.Seq]
	delete(e.pending, f.Seq)
	e.mu.Unlock()
	if self != 0 && f.Seq == self {
		return true
	}
	if ch != nil {
		ch <- reply{f: f}
	}
	return false
}

// fail ends the connection after the token's holder got err from the
// stream: every pending and later call fails. The token is never passed
// again.
func (e *Remote) fail(err error) {
	err = e.explain(err)
	e.mu.Lock()
	if e.err == nil {
		e.err = err
	}
	pend := e.pending
	e.pending = map[uint64]chan reply{}
	e.failHeldLocked(err)
	e.mu.Unlock()
	close(e.done)
	for _, ch := range pend {
		close(ch)
	}
}

// abandon forgets call seq, which no longer waits for its answer (and does
// not hold the token); if the token was just handed to it, passes it on.
func (e *Remote) abandon(seq uint64, ch chan reply) {
	e.mu.Lock()
	delete(e.pending, seq)
	select {
	case r, ok := <-ch:
		if ok && r.token {
			e.passLocked()
		}
	default:
	}
	e.mu.Unlock()
}

func (e *Remote) lostErr(op wire.Op) error {
	e.mu.Lock()
	err := e.err
	e.mu.Unlock()
	return fmt.Errorf("epc: %v: %w", op, err)
}

// await waits for the answer to call seq: reading it with the token if
// the token is free (or handed to this call), else on ch.
func (e *Remote) await(ctx context.Context, op wire.Op, seq uint64, ch chan reply) (wire.Frame, error) {
	for {
		e.mu.Lock()
		_, waiting := e.pending[seq] // not yet answered (to ch) nor failed
		take := e.dl != nil && !e.reading && waiting
		if take {
			e.reading = true
		}
		e.mu.Unlock()
		for !take {
			select {
			case r, ok := <-ch:
				if !ok {
					return wire.Frame{}, e.lostErr(op)
				}
				if !r.token {
					return r.f, nil
				}
				take = true
			case <-ctx.Done():
				e.abandon(seq, ch)
				return wire.Frame{}, cancelled(op, ctx)
			}
		}
		f, served, err := e.readAnswer(ctx, op, seq)
		if !served {
			return f, err
		}
		// The token was given up to answer an executor's call: wait again.
	}
}

// readAnswer reads frames, holding the token, until call seq's answer.
// If it reads an executor's call and may answer it itself (claimInline),
// it gives up the token, answers it and reports served (no answer yet).
func (e *Remote) readAnswer(ctx context.Context, op wire.Op, seq uint64) (_ wire.Frame, served bool, _ error) {
	stop := func() bool { return true }
	var fired chan struct{}
	if ctx.Done() != nil {
		fired = make(chan struct{})
		stop = context.AfterFunc(ctx, func() {
			e.dl.SetReadDeadline(pastDeadline) // interrupts the read below
			close(fired)
		})
	}
	// pass gives up the token with no deadline left on the stream.
	pass := func() {
		if !stop() {
			<-fired
			e.dl.SetReadDeadline(time.Time{})
		}
		e.mu.Lock()
		delete(e.pending, seq)
		e.passLocked()
		e.mu.Unlock()
	}
	for {
		f, err := e.fr.Next()
		if err != nil {
			if isTimeout(err) {
				if ctx.Err() != nil {
					pass()
					return wire.Frame{}, false, cancelled(op, ctx)
				}
				e.dl.SetReadDeadline(time.Time{}) // not this call's: carry on
				continue
			}
			stop()
			e.fail(err)
			return wire.Frame{}, false, e.lostErr(op)
		}
		if f.Kind == wire.KindCall && runsProgram(op) && e.claimInline(seq) {
			if !stop() { // no deadline may be left for the next holder
				<-fired
				e.dl.SetReadDeadline(time.Time{})
			}
			e.serveInline(f)
			return wire.Frame{}, true, nil
		}
		if _, own := e.dispatch(f, seq); own {
			pass()
			return f, false, nil
		}
	}
}
