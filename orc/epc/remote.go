package epc

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"gorc/shared"
	"gorc/shared/wire"
)

// Remote is the executor process control for an executor reached over a
// byte stream (a spawned child's pipes, or a TCP connection); see package
// gorc/shared/wire for the protocol. Calls may be issued concurrently.
// When the stream breaks, every pending and later call fails with an error
// saying why (for a spawned child: how the process ended).
type Remote struct {
	w      io.Writer
	wmu    sync.Mutex
	closer io.Closer
	hello  wire.Hello
	syms   map[string]shared.ExecutorAddr

	mu      sync.Mutex
	seq     uint64
	pending map[uint64]chan reply
	err     error // terminal
	done    chan struct{}

	// The reader token (see readAnswer): reading says some goroutine
	// holds it, under mu. Only the holder touches br and big.
	reading bool
	br      *bufio.Reader
	big     []byte    // a frame too large for br, as read so far
	dl      deadliner // br's stream, when it takes read deadlines (direct reads)
	poll    time.Duration
	passes  uint64        // times the token was passed, under mu
	parked  bool          // the background reader waits for kick, under mu
	kick    chan struct{} // wakes the parked background reader

	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has been waited for
	exitErr error

	crash   *Crash // reported by the dying executor, under mu
	reentry func(shared.ExecutorAddr) (shared.ExecutorAddr, error)

	ended error // a listener's report of how the executor ended, under mu

	// Program stdio forwarded over the stream (nil fwd: not forwarded).
	fwd            *Stdio
	stdout, stderr io.Writer // written by the reader token's holder only
}

// SetReentryHandler implements Reentry: the executor's lazy re-entries
// (ReentryName) are answered by f, called on a goroutine of this process.
func (e *Remote) SetReentryHandler(f func(trampolineRet shared.ExecutorAddr) (shared.ExecutorAddr, error)) {
	e.mu.Lock()
	e.reentry = f
	e.mu.Unlock()
}

// serveCall answers a call the executor makes to the controller.
func (e *Remote) serveCall(f wire.Frame) {
	answer := func(kind wire.Kind, p []byte) {
		e.wmu.Lock()
		wire.WriteFrame(e.w, wire.Frame{Kind: kind, Op: f.Op, Seq: f.Seq, Payload: p})
		e.wmu.Unlock()
	}
	if f.Op != wire.OpReentry {
		answer(wire.KindError, []byte(fmt.Sprintf("controller does not serve %v", f.Op)))
		return
	}
	e.mu.Lock()
	h := e.reentry
	e.mu.Unlock()
	d := wire.NewDecoder(f.Payload)
	ret := shared.ExecutorAddr(d.U64())
	if err := d.Finish(); err != nil {
		answer(wire.KindError, []byte(err.Error()))
		return
	}
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
}

// Crash is what a dying executor reports about the fault that killed it.
type Crash struct {
	Signal    int                 // signal number (SIGSEGV = 11, ...)
	PC        shared.ExecutorAddr // faulting instruction
	FaultAddr shared.ExecutorAddr // si_addr (the bad address for SIGSEGV/SIGBUS)
	// Frames are the return addresses of the crashing thread's stack,
	// innermost first (the executor's signal handler frames included):
	// for a fault inside libc (abort), the JIT'd caller is among them.
	Frames []shared.ExecutorAddr
}

func (c *Crash) String() string {
	switch syscall.Signal(c.Signal) {
	case syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL:
		return fmt.Sprintf("signal %s at pc %v (fault address %v)", signalName(syscall.Signal(c.Signal)), c.PC, c.FaultAddr)
	}
	return fmt.Sprintf("signal %s at pc %v", signalName(syscall.Signal(c.Signal)), c.PC)
}

// Crash returns the executor's report of the fault that killed it, or nil.
// A session can name the JIT'd function containing PC.
func (e *Remote) Crash() *Crash {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.crash
}

var _ ExecutorProcessControl = (*Remote)(nil)
var _ SharedMemory = (*Remote)(nil)
var _ Reentry = (*Remote)(nil)

// ErrExecutorLost is returned (wrapped) by calls whose executor connection
// is gone.
var ErrExecutorLost = errors.New("executor connection lost")

// NewRemote performs the handshake over r/w and returns the executor
// control. c (may be nil) is closed by Close.
func NewRemote(ctx context.Context, r io.Reader, w io.Writer, c io.Closer) (*Remote, error) {
	e := &Remote{w: w, closer: c, pending: map[uint64]chan reply{}, done: make(chan struct{})}
	return e, e.start(ctx, r)
}

func (e *Remote) start(ctx context.Context, r0 io.Reader) error {
	r := bufio.NewReaderSize(r0, 64<<10) // header and payload in one read
	var flags wire.HelloFlags
	if e.fwd != nil {
		flags |= wire.FlagForwardStdio
		e.stdout, e.stderr = e.fwd.stdout(), e.fwd.stderr()
		if sameDestination(e.stdout, e.stderr) {
			flags |= wire.FlagMergeOutput
		}
	}
	hp := wire.EncodeControllerHello(wire.ControllerHello{Version: wire.Version, Flags: flags})
	if err := wire.WriteFrame(e.w, wire.Frame{Kind: wire.KindHello, Payload: hp}); err != nil {
		return fmt.Errorf("epc: sending hello to the executor: %w", err)
	}
	type res struct {
		f   wire.Frame
		err error
	}
	ch := make(chan res, 1)
	go func() {
		f, err := wire.ReadFrame(r)
		ch <- res{f, err}
	}()
	var got res
	select {
	case got = <-ch:
	case <-ctx.Done():
		return fmt.Errorf("epc: waiting for the executor's hello: %w", ctx.Err())
	case <-e.exitedChan():
		return fmt.Errorf("epc: executor ended before the handshake: %w", e.exitErr)
	}
	if got.err != nil {
		return fmt.Errorf("epc: reading the executor's hello: %w", e.explain(got.err))
	}
	if got.f.Kind == wire.KindError {
		return fmt.Errorf("epc: executor refused the handshake: %s", got.f.Payload)
	}
	if got.f.Kind != wire.KindHello {
		return fmt.Errorf("epc: executor answered the hello with a %v frame", got.f.Kind)
	}
	h, err := wire.DecodeHello(got.f.Payload)
	if err != nil {
		return fmt.Errorf("epc: %w", err)
	}
	if h.Version != wire.Version {
		return fmt.Errorf("epc: executor speaks protocol version %d, want %d", h.Version, wire.Version)
	}
	if h.PageSize == 0 || h.PageSize&(h.PageSize-1) != 0 {
		return fmt.Errorf("epc: executor announced page size %d", h.PageSize)
	}
	e.hello = h
	e.syms = make(map[string]shared.ExecutorAddr, len(h.Symbols))
	for k, v := range h.Symbols {
		e.syms[k] = shared.ExecutorAddr(v)
	}
	e.br = r
	if d, ok := r0.(deadliner); ok && directReads(r0) && d.SetReadDeadline(time.Time{}) == nil {
		e.dl = d
	}
	e.reading = true // the background reader's until it passes the token
	e.poll = idlePoll
	e.kick = make(chan struct{}, 1)
	go e.background()
	if e.fwd != nil {
		go e.forwardStdin(e.fwd.stdin())
	}
	return nil
}

// forwardStdin sends the program's stdin to the executor, one chunk per
// OpStdin call (the executor answers once the chunk is in the program's
// pipe, so at most one chunk is buffered there), then end-of-file. It
// ends when in ends or the connection is gone; a read from in that never
// returns keeps this goroutine (not the connection) alive.
func (e *Remote) forwardStdin(in io.Reader) {
	ctx := context.Background()
	if in == NoStdin {
		e.call(ctx, wire.OpStdin, wire.StdinPayload(nil, true))
		return
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			if _, cerr := e.call(ctx, wire.OpStdin, wire.StdinPayload(buf[:n], false)); cerr != nil {
				return
			}
		}
		if err != nil {
			// io.EOF or a read error: either way the program's input ends.
			e.call(ctx, wire.OpStdin, wire.StdinPayload(nil, true))
			return
		}
		select {
		case <-e.done:
			return
		default:
		}
	}
}

func (e *Remote) exitedChan() <-chan struct{} {
	if e.exited == nil {
		return nil
	}
	return e.exited
}

// explain turns a stream error into what happened to the executor.
func (e *Remote) explain(err error) error {
	e.mu.Lock()
	c, ended := e.crash, e.ended
	e.mu.Unlock()
	where := ""
	if c != nil {
		where = fmt.Sprintf(" (it reported %v)", c)
	}
	if e.exited != nil {
		select {
		case <-e.exited:
			return fmt.Errorf("%w: %w%s", ErrExecutorLost, e.exitErr, where)
		case <-time.After(2 * time.Second):
		}
	}
	if ended != nil && errors.Is(err, io.EOF) {
		// A listener told how the executor process ended.
		return fmt.Errorf("%w: %w%s", ErrExecutorLost, ended, where)
	}
	if c != nil && errors.Is(err, io.EOF) {
		// A remote executor (no process to wait for) that reported its
		// fatal signal before the stream ended: it died of it.
		return fmt.Errorf("%w: executor terminated by signal %s%s", ErrExecutorLost, signalName(syscall.Signal(c.Signal)), where)
	}
	return fmt.Errorf("%w: %w%s", ErrExecutorLost, err, where)
}

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
// read stays in br and big for the next holder), clears the deadline and
// passes the token. A read error ends the connection: the holder fails
// every pending call and keeps the token for good.
//
// Without direct reads (dl == nil) the background reader holds the token
// for good and every answer reaches its caller through the channel.

// background is the reader while no call reads: it holds the token from
// the handshake until it has delivered an answer, and takes it again
// whenever it finds it free at a poll. When one call has held the token
// for a whole poll (a long call, such as a program's run), it stops
// polling and waits for that call to kick it as it frees the token.
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
		for taken := false; !taken; {
			select {
			case <-e.done:
				t.Stop()
				return
			case <-t.C:
			case <-e.kick:
			}
			e.mu.Lock()
			switch {
			case !e.reading:
				e.reading, taken = true, true
			case e.passes == last:
				e.parked = true
			default:
				last = e.passes
			}
			parked := e.parked
			e.mu.Unlock()
			if !taken && !parked {
				t.Reset(e.poll)
			}
		}
	}
}

// serve reads frames holding the token until it passes the token (true)
// or the stream ends (false).
func (e *Remote) serve() bool {
	for {
		f, err := e.readFrame()
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
	for _, ch := range e.pending {
		select {
		case ch <- reply{token: true}:
			return
		default: // cannot happen: an answered call is no longer pending
		}
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

// dispatch handles one frame read by the token's holder. For an answer it
// reports answer; own if it answers call self (which it removes from the
// pending calls; other calls' answers go to their channels).
func (e *Remote) dispatch(f wire.Frame, self uint64) (answer, own bool) {
	switch {
	case f.Kind == wire.KindCall:
		go e.serveCall(f)
		return false, false
	case f.Kind == wire.KindStdout || f.Kind == wire.KindStderr:
		// Written here, before any later answer is delivered: output
		// precedes the result of the call that produced it.
		w := e.stdout
		if f.Kind == wire.KindStderr {
			w = e.stderr
		}
		if w != nil {
			w.Write(f.Payload) // a failing writer loses output, not the connection
		}
		return false, false
	case f.Kind == wire.KindExit && f.Op == 0:
		// A listener's report of how the executor process ended.
		d := wire.NewDecoder(f.Payload)
		how, v := d.U64(), d.U64()
		if d.Finish() == nil {
			var ended error
			if how == wire.EndedSignal {
				ended = fmt.Errorf("executor terminated by signal %s", signalName(syscall.Signal(v)))
			} else {
				ended = fmt.Errorf("executor exited with status %d", int64(v))
			}
			e.mu.Lock()
			e.ended = ended
			e.mu.Unlock()
		}
		return false, false
	case f.Kind == wire.KindCrash:
		d := wire.NewDecoder(f.Payload)
		c := &Crash{Signal: int(d.U64()), PC: shared.ExecutorAddr(d.U64()), FaultAddr: shared.ExecutorAddr(d.U64())}
		for _, a := range d.U64s() {
			c.Frames = append(c.Frames, shared.ExecutorAddr(a))
		}
		if d.Finish() == nil {
			e.mu.Lock()
			e.crash = c
			e.mu.Unlock()
		}
		return false, false
	}
	e.mu.Lock()
	ch := e.pending[f.Seq]
	delete(e.pending, f.Seq)
	e.mu.Unlock()
	if self != 0 && f.Seq == self {
		return true, true
	}
	if ch != nil {
		ch <- reply{f: f}
	}
	return true, false
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
	e.mu.Unlock()
	close(e.done)
	for _, ch := range pend {
		close(ch)
	}
}

// readFrame is wire.ReadFrame on br, except that a timeout (a read
// deadline) leaves the stream as it was: the next call, by whichever
// goroutine then holds the token, resumes the frame.
func (e *Remote) readFrame() (wire.Frame, error) {
	r := e.br
	if e.big == nil {
		h, err := r.Peek(wire.HeaderSize)
		if err != nil {
			if isTimeout(err) || len(h) == 0 {
				return wire.Frame{}, err
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return wire.Frame{}, fmt.Errorf("wire: truncated frame header: %w", err)
		}
		n := int(binary.LittleEndian.Uint32(h))
		seq := binary.LittleEndian.Uint64(h[8:])
		if n > wire.MaxPayload {
			return wire.ReadFrame(r) // refuses the header
		}
		if n <= r.Size()-wire.HeaderSize {
			if _, err := r.Peek(wire.HeaderSize + n); err != nil {
				if isTimeout(err) {
					return wire.Frame{}, err
				}
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return wire.Frame{}, fmt.Errorf("wire: frame seq %d: truncated payload (%d bytes announced): %w", seq, n, err)
			}
			return wire.ReadFrame(r) // all buffered: no read
		}
		// Larger than br: assembled in big (header included), which a
		// timeout keeps. Its header is checked first.
		hdr := bytes.Clone(h)
		if _, err := wire.ReadFrame(bytes.NewReader(emptyFrame(hdr))); err != nil {
			return wire.Frame{}, err
		}
		r.Discard(wire.HeaderSize)
		e.big = append(make([]byte, 0, min(wire.HeaderSize+n, 1<<20)), hdr...)
	}
	n := int(binary.LittleEndian.Uint32(e.big))
	total := wire.HeaderSize + n
	for len(e.big) < total {
		if len(e.big) == cap(e.big) {
			// Grows as the bytes arrive: a lying length costs at most
			// twice the data actually sent.
			q := make([]byte, len(e.big), min(total, 2*cap(e.big)))
			copy(q, e.big)
			e.big = q
		}
		k, err := r.Read(e.big[len(e.big):cap(e.big)])
		e.big = e.big[:len(e.big)+k]
		if err != nil && len(e.big) < total {
			if isTimeout(err) {
				return wire.Frame{}, err
			}
			seq := binary.LittleEndian.Uint64(e.big[8:])
			e.big = nil
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return wire.Frame{}, fmt.Errorf("wire: frame seq %d: truncated payload (%d bytes announced): %w", seq, n, err)
		}
	}
	f, err := wire.ReadFrame(bytes.NewReader(emptyFrame(e.big[:wire.HeaderSize])))
	if err != nil { // checked before
		return wire.Frame{}, err
	}
	f.Payload = e.big[wire.HeaderSize:]
	e.big = nil
	return f, nil
}

// emptyFrame is a copy of header h announcing no payload.
func emptyFrame(h []byte) []byte {
	c := bytes.Clone(h[:wire.HeaderSize])
	binary.LittleEndian.PutUint32(c, 0)
	return c
}

func cancelled(op wire.Op, ctx context.Context) error {
	return fmt.Errorf("epc: %v: %w (the executor may still be running it)", op, ctx.Err())
}

// call sends one request and waits for its answer.
func (e *Remote) call(ctx context.Context, op wire.Op, payload []byte) (*wire.Decoder, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("epc: %v: %w", op, err)
	}
	ch := make(chan reply, 1)
	e.mu.Lock()
	if e.err != nil {
		err := e.err
		e.mu.Unlock()
		return nil, fmt.Errorf("epc: %v: %w", op, err)
	}
	e.seq++
	seq := e.seq
	e.pending[seq] = ch
	e.mu.Unlock()
	e.wmu.Lock()
	err := wire.WriteFrame(e.w, wire.Frame{Kind: wire.KindCall, Op: op, Seq: seq, Payload: payload})
	e.wmu.Unlock()
	if err != nil {
		e.abandon(seq, ch)
		return nil, fmt.Errorf("epc: %v: sending: %w", op, e.explain(err))
	}
	f, err := e.await(ctx, op, seq, ch)
	if err != nil {
		return nil, err
	}
	switch f.Kind {
	case wire.KindResult, wire.KindExit:
		return wire.NewDecoder(f.Payload), nil
	case wire.KindError:
		return nil, fmt.Errorf("epc: %v: %s", op, f.Payload)
	}
	return nil, fmt.Errorf("epc: %v: unexpected %v answer", op, f.Kind)
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
	return e.readAnswer(ctx, op, seq)
}

// readAnswer reads frames, holding the token, until call seq's answer.
func (e *Remote) readAnswer(ctx context.Context, op wire.Op, seq uint64) (wire.Frame, error) {
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
		f, err := e.readFrame()
		if err != nil {
			if isTimeout(err) {
				if ctx.Err() != nil {
					pass()
					return wire.Frame{}, cancelled(op, ctx)
				}
				e.dl.SetReadDeadline(time.Time{}) // not this call's: carry on
				continue
			}
			stop()
			e.fail(err)
			return wire.Frame{}, e.lostErr(op)
		}
		if _, own := e.dispatch(f, seq); own {
			pass()
			return f, nil
		}
	}
}

func finish(op wire.Op, d *wire.Decoder) error {
	if err := d.Finish(); err != nil {
		return fmt.Errorf("epc: %v: malformed answer: %w", op, err)
	}
	return nil
}

// TargetTriple implements ExecutorProcessControl.
func (e *Remote) TargetTriple() string { return e.hello.Triple }

// PageSize implements ExecutorProcessControl.
func (e *Remote) PageSize() uint64 { return e.hello.PageSize }

// PID is the executor's process id.
func (e *Remote) PID() int { return int(e.hello.PID) }

// BootstrapSymbols implements ExecutorProcessControl.
func (e *Remote) BootstrapSymbols() map[string]shared.ExecutorAddr {
	m := make(map[string]shared.ExecutorAddr, len(e.syms))
	for k, v := range e.syms {
		m[k] = v
	}
	return m
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func (e *Remote) simple(ctx context.Context, op wire.Op, enc *wire.Encoder) error {
	d, err := e.call(ctx, op, enc.Payload())
	if err != nil {
		return err
	}
	return finish(op, d)
}

// Reserve implements MemoryAccess.
func (e *Remote) Reserve(ctx context.Context, size uint64, low bool) (shared.ExecutorAddrRange, error) {
	d, err := e.call(ctx, wire.OpReserve, new(wire.Encoder).U64(size).U64(b2u(low)).Payload())
	if err != nil {
		return shared.ExecutorAddrRange{}, err
	}
	r := shared.ExecutorAddrRange{Start: shared.ExecutorAddr(d.U64()), End: shared.ExecutorAddr(d.U64())}
	return r, finish(wire.OpReserve, d)
}

// ReserveShared implements SharedMemory. The path is valid on the
// executor's machine.
func (e *Remote) ReserveShared(ctx context.Context, size uint64, low bool) (shared.ExecutorAddrRange, string, error) {
	d, err := e.call(ctx, wire.OpReserveShared, new(wire.Encoder).U64(size).U64(b2u(low)).Payload())
	if err != nil {
		return shared.ExecutorAddrRange{}, "", err
	}
	r := shared.ExecutorAddrRange{Start: shared.ExecutorAddr(d.U64()), End: shared.ExecutorAddr(d.U64())}
	path := d.String()
	return r, path, finish(wire.OpReserveShared, d)
}

func encRange(r shared.ExecutorAddrRange) *wire.Encoder {
	return new(wire.Encoder).U64(uint64(r.Start)).U64(uint64(r.End))
}

// Protect implements MemoryAccess.
func (e *Remote) Protect(ctx context.Context, r shared.ExecutorAddrRange, prot shared.MemProt) error {
	if !prot.Valid() {
		return fmt.Errorf("epc: protect %v %v: writable and executable at once violates W^X", r, prot)
	}
	return e.simple(ctx, wire.OpProtect, encRange(r).U64(uint64(prot)))
}

// Decommit implements MemoryAccess.
func (e *Remote) Decommit(ctx context.Context, r shared.ExecutorAddrRange) error {
	return e.simple(ctx, wire.OpDecommit, encRange(r))
}

// Release implements MemoryAccess.
func (e *Remote) Release(ctx context.Context, r shared.ExecutorAddrRange) error {
	return e.simple(ctx, wire.OpRelease, encRange(r))
}

// transferChunk is the largest Write or Read payload per message.
var transferChunk = wire.MaxPayload / 2

// writeChunk and writeDepth shape a large Write: messages of writeChunk
// bytes with up to writeDepth of them in flight, so the executor copies
// one chunk into place while the next crosses the stream (one huge
// message would serialize encoding, transfer and copy).
var (
	writeChunk = 1 << 20
	writeDepth = 4
)

// Write implements MemoryAccess; large writes are split into messages,
// several in flight at once.
func (e *Remote) Write(ctx context.Context, addr shared.ExecutorAddr, data []byte) error {
	chunk := min(writeChunk, transferChunk)
	if len(data) <= chunk {
		return e.simple(ctx, wire.OpWrite, new(wire.Encoder).U64(uint64(addr)).Bytes(data))
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, writeDepth)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for len(data) > 0 {
		n := min(len(data), chunk)
		a, part := addr, data[:n]
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil { // a message failed, or the caller gave up
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := e.simple(ctx, wire.OpWrite, new(wire.Encoder).U64(uint64(a)).Bytes(part)); err != nil {
				select {
				case errs <- err:
				default:
				}
				cancel()
			}
		}()
		addr, data = addr.Add(uint64(n)), data[n:]
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	if parent.Err() != nil {
		return cancelled(wire.OpWrite, parent)
	}
	return nil
}

// Read implements MemoryAccess.
func (e *Remote) Read(ctx context.Context, addr shared.ExecutorAddr, n uint64) ([]byte, error) {
	chunk := uint64(transferChunk)
	var out []byte
	for n > 0 {
		k := min(n, chunk)
		d, err := e.call(ctx, wire.OpRead, new(wire.Encoder).U64(uint64(addr)).U64(k).Payload())
		if err != nil {
			return nil, err
		}
		b := d.Bytes()
		if err := finish(wire.OpRead, d); err != nil {
			return nil, err
		}
		if uint64(len(b)) != k {
			return nil, fmt.Errorf("epc: read: executor returned %d bytes, want %d", len(b), k)
		}
		out = append(out, b...)
		addr, n = addr.Add(k), n-k
	}
	return out, nil
}

// LoadDylib implements DylibManager.
func (e *Remote) LoadDylib(ctx context.Context, name string, searchDirs []string) (shared.ExecutorAddr, error) {
	d, err := e.call(ctx, wire.OpLoadDylib, new(wire.Encoder).String(name).Strings(searchDirs).Payload())
	if err != nil {
		return 0, err
	}
	h := shared.ExecutorAddr(d.U64())
	return h, finish(wire.OpLoadDylib, d)
}

// LookupSymbols implements DylibManager.
func (e *Remote) LookupSymbols(ctx context.Context, handle shared.ExecutorAddr, names []string) ([]shared.ExecutorAddr, error) {
	d, err := e.call(ctx, wire.OpLookup, new(wire.Encoder).U64(uint64(handle)).Strings(names).Payload())
	if err != nil {
		return nil, err
	}
	v := d.U64s()
	if err := finish(wire.OpLookup, d); err != nil {
		return nil, err
	}
	if len(v) != len(names) {
		return nil, fmt.Errorf("epc: lookup: %d addresses for %d names", len(v), len(names))
	}
	out := make([]shared.ExecutorAddr, len(v))
	for i, a := range v {
		out[i] = shared.ExecutorAddr(a)
	}
	return out, nil
}

// RunAsMain implements Runner.
func (e *Remote) RunAsMain(ctx context.Context, fn shared.ExecutorAddr, args []string) (int, error) {
	d, err := e.call(ctx, wire.OpRunMain, new(wire.Encoder).U64(uint64(fn)).Strings(args).Payload())
	if err != nil {
		return 0, err
	}
	st := int(int32(d.U64()))
	return st, finish(wire.OpRunMain, d)
}

// RunVoid implements Runner.
func (e *Remote) RunVoid(ctx context.Context, fn shared.ExecutorAddr) error {
	return e.simple(ctx, wire.OpRunVoid, new(wire.Encoder).U64(uint64(fn)))
}

// CallWrapper implements Runner.
func (e *Remote) CallWrapper(ctx context.Context, call shared.WrapperCall) ([]byte, error) {
	d, err := e.call(ctx, wire.OpCallWrapper, new(wire.Encoder).U64(uint64(call.Fn)).Bytes(call.Arg).Payload())
	if err != nil {
		return nil, err
	}
	b := d.Bytes()
	return b, finish(wire.OpCallWrapper, d)
}

// RunProgram implements Runner: the executor runs the program and exits
// with its status, which is returned once every exit handler has run.
func (e *Remote) RunProgram(ctx context.Context, p Program) (int, error) {
	enc := new(wire.Encoder).U64(uint64(p.Main)).Strings(p.Args)
	u := func(a []shared.ExecutorAddr) []uint64 {
		v := make([]uint64, len(a))
		for i, x := range a {
			v[i] = uint64(x)
		}
		return v
	}
	enc.U64s(u(p.Inits)).U64s(u(p.Finis))
	d, err := e.call(ctx, wire.OpRunProgram, enc.Payload())
	if err != nil {
		return 0, err
	}
	st := int(int32(d.U64()))
	return st, finish(wire.OpRunProgram, d)
}

// AllocateTLS implements TLSManager.
func (e *Remote) AllocateTLS(ctx context.Context, req TLSRequest) (TLSBlock, error) {
	if req.Align == 0 {
		req.Align = 1
	}
	d, err := e.call(ctx, wire.OpAllocateTLS, new(wire.Encoder).U64(req.Size).U64(req.Align).U64(req.ImageSize).Bytes(req.Image).Payload())
	if err != nil {
		return TLSBlock{}, err
	}
	b := TLSBlock{ModuleID: d.U64(), TPOffset: int64(d.U64()), ImageAddr: shared.ExecutorAddr(d.U64()), ImageSize: req.ImageSize, Size: req.Size, Align: req.Align}
	return b, finish(wire.OpAllocateTLS, d)
}

// Close implements ExecutorProcessControl: it closes the stream (the
// executor then ends) and, for a spawned child, waits for it to exit (up
// to the context's deadline, then kills it).
func (e *Remote) Close(ctx context.Context) error {
	e.mu.Lock()
	if e.err == nil {
		e.err = fmt.Errorf("%w: closed", ErrClosed)
	}
	e.mu.Unlock()
	var err error
	if e.closer != nil {
		err = e.closer.Close()
	}
	if e.cmd != nil {
		select {
		case <-e.exited:
		case <-ctx.Done():
			e.cmd.Process.Kill()
			<-e.exited
		}
	}
	return err
}

// SpawnChild starts cmd as an executor child (for example `gorc executor`,
// or any program that calls executor.ServeInheritedFDs) with two extra
// pipes for the protocol, passed as descriptors 3 and 4 and announced in
// GORC_EXECUTOR_FDS, so the child's stdin, stdout and stderr stay the
// program's. Set cmd's Stdin/Stdout/Stderr before calling. When the child
// dies, pending calls fail with an error naming how it ended (for example
// "executor terminated by signal SIGSEGV").
func SpawnChild(ctx context.Context, cmd *exec.Cmd) (*Remote, error) {
	return spawnChild(ctx, cmd, nil)
}

// SpawnChildStdio is SpawnChild with the program's stdio forwarded over
// the protocol pipes to stdio's readers and writers (instead of the
// child's descriptors 0, 1 and 2, which then serve only the executor's
// own messages): for writers that are not files, where the order of the
// program's output relative to the controller's own must be exact.
func SpawnChildStdio(ctx context.Context, cmd *exec.Cmd, stdio Stdio) (*Remote, error) {
	return spawnChild(ctx, cmd, &stdio)
}

func spawnChild(ctx context.Context, cmd *exec.Cmd, fwd *Stdio) (*Remote, error) {
	toChildR, toChildW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("epc: spawn executor: %w", err)
	}
	fromChildR, fromChildW, err := os.Pipe()
	if err != nil {
		toChildR.Close()
		toChildW.Close()
		return nil, fmt.Errorf("epc: spawn executor: %w", err)
	}
	n := 3 + len(cmd.ExtraFiles)
	cmd.ExtraFiles = append(cmd.ExtraFiles, toChildR, fromChildW)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, fmt.Sprintf("GORC_EXECUTOR_FDS=%d,%d", n, n+1))
	if err := cmd.Start(); err != nil {
		for _, f := range []*os.File{toChildR, toChildW, fromChildR, fromChildW} {
			f.Close()
		}
		return nil, fmt.Errorf("epc: spawn executor %s: %w", cmd.Path, err)
	}
	toChildR.Close()
	fromChildW.Close()
	e := &Remote{w: toChildW, closer: multiCloser{toChildW, fromChildR}, pending: map[uint64]chan reply{}, done: make(chan struct{}),
		cmd: cmd, exited: make(chan struct{}), fwd: fwd}
	go func() {
		werr := cmd.Wait()
		e.exitErr = describeExit(cmd, werr)
		close(e.exited)
	}()
	if err := e.start(ctx, fromChildR); err != nil {
		cmd.Process.Kill()
		<-e.exited
		toChildW.Close()
		fromChildR.Close()
		return nil, err
	}
	return e, nil
}

type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var errs []error
	for _, c := range m {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// describeExit says how an executor child ended.
func describeExit(cmd *exec.Cmd, err error) error {
	st := cmd.ProcessState
	if st == nil {
		return fmt.Errorf("executor: %v", err)
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return fmt.Errorf("executor terminated by signal %s", signalName(ws.Signal()))
	}
	return fmt.Errorf("executor exited with status %d", st.ExitCode())
}

func signalName(s syscall.Signal) string {
	names := map[syscall.Signal]string{syscall.SIGSEGV: "SIGSEGV", syscall.SIGABRT: "SIGABRT", syscall.SIGBUS: "SIGBUS",
		syscall.SIGFPE: "SIGFPE", syscall.SIGILL: "SIGILL", syscall.SIGKILL: "SIGKILL", syscall.SIGTERM: "SIGTERM",
		syscall.SIGTRAP: "SIGTRAP", syscall.SIGPIPE: "SIGPIPE", syscall.SIGSYS: "SIGSYS", syscall.SIGINT: "SIGINT"}
	if n, ok := names[s]; ok {
		return n
	}
	return fmt.Sprintf("%d (%v)", int(s), s)
}

// ExitStatus returns how a spawned executor ended, or nil while it runs
// (or if it was not spawned by SpawnChild). A program run by RunProgram
// that ends by a signal is reported here.
func (e *Remote) ExitStatus() error {
	if e.exited == nil {
		return nil
	}
	select {
	case <-e.exited:
		return e.exitErr
	default:
		return nil
	}
}

// DialTLS is Dial over TLS (for an executor listening beyond loopback,
// which must require client certificates): cfg carries the client
// certificate and the CA that signed the executor's.
func DialTLS(ctx context.Context, addr string, cfg *tls.Config) (*Remote, error) {
	return dial(ctx, addr, cfg, nil)
}

// Dial connects to an executor listening on a TCP address ("host:port" or
// "tcp://host:port", e.g. `gorc executor -listen 127.0.0.1:20000`) and
// performs the handshake. A lost connection fails every pending call.
// The program's stdio is not forwarded: it is the executor's own (use
// DialStdio, or Open, to forward it).
func Dial(ctx context.Context, addr string) (*Remote, error) {
	return dial(ctx, addr, nil, nil)
}

// DialStdio is Dial (cfg == nil) or DialTLS (cfg != nil) with the
// program's stdin, stdout and stderr forwarded over the connection to
// stdio's readers and writers (nil fields: this process's), so a remote
// program reads and writes exactly what it would in-process.
func DialStdio(ctx context.Context, addr string, cfg *tls.Config, stdio Stdio) (*Remote, error) {
	return dial(ctx, addr, cfg, &stdio)
}

func dial(ctx context.Context, addr string, cfg *tls.Config, fwd *Stdio) (*Remote, error) {
	var conn net.Conn
	var err error
	if cfg != nil {
		addr = strings.TrimPrefix(addr, "tls://")
		d := tls.Dialer{Config: cfg}
		conn, err = d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("epc: connecting to executor %s over TLS: %w", addr, err)
		}
	} else {
		addr = strings.TrimPrefix(addr, "tcp://")
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("epc: connecting to executor %s: %w", addr, err)
		}
	}
	e := &Remote{w: conn, closer: conn, pending: map[uint64]chan reply{}, done: make(chan struct{}), fwd: fwd}
	if err := e.start(ctx, conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("epc: executor %s: %w", addr, err)
	}
	return e, nil
}
