package epc

// This file holds Remote, the client of an executor reached over a byte
// stream: its handshake, the protocol calls (one method per operation)
// and the reports a dying executor sends. How answers are read is in
// remote_reader.go; how the stream is made, in child.go and dial.go.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

// Remote is the executor process control for an executor reached over a
// byte stream (a spawned child's pipes, or a TCP connection); see package
// github.com/gorc-jit/gorc/shared/wire for the protocol. Calls may be issued concurrently.
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
	// holds it, under mu. Only the holder touches fr.
	reading bool
	fr      *wire.FrameReader // keeps a frame a timeout interrupted for the next holder
	dl      deadliner         // fr's stream, when it takes read deadlines (direct reads)
	poll    time.Duration
	passes  uint64        // times the token was passed, under mu
	parked  bool          // the background reader waits for kick, under mu
	kick    chan struct{} // wakes the parked background reader
	// inline says a goroutine that read an executor's call is answering
	// it itself, having given up the token (serveInline); busy is the
	// sequence of the call that goroutine waits for (0: the background
	// reader), which must not be handed the token meanwhile. Under mu.
	inline bool
	busy   uint64
	// long says the inline answer of a run's caller has lasted a whole
	// slow poll of the parked background reader (which saw inlineGen,
	// counting inline answers, at two looks in a row): the background
	// reader may then take the free token, so that frames nobody waits
	// for (the executor's end, other threads' output) are read during a
	// compile that makes no call, however long. Under mu.
	long      bool
	inlineGen uint64

	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has been waited for
	exitErr error

	crash   *Crash // reported by the dying executor, under mu
	reentry func(shared.ExecutorAddr) (shared.ExecutorAddr, error)

	ended error // a listener's report of how the executor ended, under mu

	calls   atomic.Uint64     // calls sent (each a round trip), see Calls
	noBatch atomic.Bool       // the executor refused a batch: do not send more
	byOp    [32]atomic.Uint64 // calls sent per wire.Op (ops >= 32 are only in calls), see CallsByOp

	// Steps BatchBeforeNext held back while re-entries are answered
	// (reentry.go), under wmu.
	held        heldSteps
	heldAnswers map[uint64]*heldBatch // batches of held steps sent ahead of a call, by sequence (under mu)
	heldCount   atomic.Uint64         // steps held back, see HeldSteps
	heldFailed  atomic.Pointer[HeldStepsError]
	callQ       chan wire.Frame // executor calls for an idle answering goroutine (startServeCall)

	// An early start (startEarly): ready is closed once the executor's
	// hello is in (hello, syms, the reader's fields set) or has failed
	// (readyErr); early answers TargetTriple and PageSize meanwhile. nil
	// ready: the handshake was done before the Remote was returned.
	ready       chan struct{}
	readyErr    error
	early       *EarlyHello
	helloStart  time.Time
	helloIn     atomic.Int64 // ns from the spawn to the hello, see HelloTimes
	helloWaited atomic.Int64 // ns calls waited for the hello
	earlyMu     sync.Mutex
	helloDone   bool                       // under earlyMu: the queue below was sent
	pre         []preStep                  // under earlyMu: steps queued before the hello
	placed      []shared.ExecutorAddrRange // under earlyMu: reservations placed before it
	shm         *os.File                   // under earlyMu: -shm's memfd, until a reservation takes it
	shmFD       int                        // its descriptor in the executor child

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

// start performs the handshake over r0, then starts reading the stream
// (the background reader) and, when stdio is forwarded, sending stdin.
func (e *Remote) start(ctx context.Context, r0 io.Reader) error {
	if err := e.sendHello(); err != nil {
		return err
	}
	return e.finishStart(ctx, r0)
}

// startEarly sends the controller's hello and returns at once: the
// executor's hello is read, and the stream's reading started, by a
// goroutine, while the caller goes on (parsing its inputs while the
// executor process starts). Calls wait for the hello (awaitHello); the
// accessors answer from early until it is in (see EarlyHello). A hello
// that fails kills a spawned executor and fails every call.
func (e *Remote) startEarly(r0 io.Reader, early *EarlyHello) error {
	e.early = early
	e.ready = make(chan struct{})
	e.helloStart = time.Now()
	if err := e.sendHello(); err != nil {
		return err
	}
	go func() {
		err := e.sendQueued(e.finishStart(context.Background(), r0))
		if err != nil {
			e.mu.Lock()
			if e.err == nil {
				e.err = err
			}
			e.mu.Unlock()
			if e.cmd != nil {
				e.cmd.Process.Kill()
				<-e.exited
			}
		}
		e.readyErr = err
		e.helloIn.Store(int64(time.Since(e.helloStart)))
		close(e.ready)
	}()
	return nil
}

// preStep is a call without a result that an early start queued while
// the executor's hello was pending, answered as if it had succeeded
// (queueEarly).
type preStep struct {
	op      wire.Op
	payload []byte
	what    string
}

// queueEarly queues a call without a result to be sent right after the
// executor's hello, before any other call, and reports true; false when
// the hello is already in (send it now). A queued step that fails fails
// the handshake, and with it every call.
func (e *Remote) queueEarly(op wire.Op, payload []byte, what string) bool {
	if e.ready == nil {
		return false
	}
	e.earlyMu.Lock()
	defer e.earlyMu.Unlock()
	if e.helloDone {
		return false
	}
	e.pre = append(e.pre, preStep{op, payload, what})
	return true
}

// queueEarlyIn is queueEarly for a step on r, only when r lies inside a
// reservation placed before the hello.
func (e *Remote) queueEarlyIn(r shared.ExecutorAddrRange, op wire.Op, payload []byte, what string) bool {
	if e.ready == nil {
		return false
	}
	e.earlyMu.Lock()
	defer e.earlyMu.Unlock()
	if e.helloDone || !slices.ContainsFunc(e.placed, func(p shared.ExecutorAddrRange) bool { return p.Start <= r.Start && r.End <= p.End && r.Start < r.End }) {
		return false
	}
	e.pre = append(e.pre, preStep{op, payload, what})
	return true
}

// EarlyStepError is a handshake's failure (HandshakeError) that came
// after the executor's hello: a step the controller queued before it
// (a reservation at an address it chose, a code block) failed in the
// executor, which did start and speak the protocol. A link already
// placed code in that range, so nothing falls back to another address:
// the run fails with this error.
type EarlyStepError struct {
	What string // the step, as "reserve 0x40000000 bytes at 0x…"
	Err  error
}

func (e *EarlyStepError) Error() string {
	return fmt.Sprintf("epc: %s, placed before the executor had started: %v", e.What, e.Err)
}

func (e *EarlyStepError) Unwrap() error { return e.Err }

// sendQueued sends the steps queued before the hello (by the goroutine
// that read it, before any waiting call goes on), unless the handshake
// failed (herr, returned); no step is queued after it.
func (e *Remote) sendQueued(herr error) error {
	e.earlyMu.Lock()
	e.helloDone = true
	steps := e.pre
	e.pre = nil
	shm := e.shm
	e.shm = nil
	e.earlyMu.Unlock()
	if shm != nil {
		shm.Close() // not taken: the executor's copy is close-on-exec and unused
	}
	if herr != nil {
		return herr
	}
	for _, st := range steps {
		d, err := e.callWriteNow(context.Background(), st.op, func(seq uint64) error {
			return wire.WriteFrame(e.w, wire.Frame{Kind: wire.KindCall, Op: st.op, Seq: seq, Payload: st.payload})
		})
		if err == nil {
			switch st.op {
			case wire.OpReserve:
				d.U64()
				d.U64()
			case wire.OpReserveShared:
				d.U64()
				d.U64()
				_ = d.String()
			}
			err = finish(st.op, d)
		}
		if err != nil {
			return &EarlyStepError{What: st.what, Err: err}
		}
	}
	return nil
}

// Placed reservations (an early start's Reserve before the hello): at a
// random address in a part of the x86-64 Linux address space that a
// starting executor leaves empty — above the executable and its brk heap
// (0x55…–0x56…, or below 4 GiB), below the mmap area and the stack
// (0x7f…), and clear of the Go heap's arena hints (i<<40 + 0xc0<<32).
const (
	placeFirstTiB = 0x10 // the placed range starts in TiB [0x10, 0x10+placeTiBs)
	placeTiBs     = 0x40
	maxPlaced     = 64 << 30 // larger reservations wait for the hello
)

// placeEarly returns a range of size bytes for Reserve before the
// executor's hello, and queues the reservation exactly there; ok is false
// when the hello is in or the range cannot be placed (reserve normally).
func (e *Remote) placeEarly(size uint64, low bool) (r shared.ExecutorAddrRange, ok bool) {
	if e.ready == nil || low || size == 0 || size > maxPlaced || runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return r, false
	}
	ps := e.early.PageSize
	size = (size + ps - 1) &^ (ps - 1)
	e.earlyMu.Lock()
	defer e.earlyMu.Unlock()
	if e.helloDone {
		return r, false
	}
	c, ok := e.pickPlaceLocked(size)
	if !ok {
		return r, false
	}
	e.placed = append(e.placed, c)
	e.pre = append(e.pre, preStep{op: wire.OpReserve, payload: new(wire.Encoder).U64(size).U64(0).U64(uint64(c.Start)).Payload(),
		what: fmt.Sprintf("reserve %#x bytes at %v", size, c.Start)})
	return c, true
}

// pickPlaceLocked chooses a range of size bytes (page-rounded) for a
// reservation placed before the hello, clear of those placed already.
// earlyMu held.
func (e *Remote) pickPlaceLocked(size uint64) (shared.ExecutorAddrRange, bool) {
	for range 8 {
		// TiB t, offset in [4 GiB, 508 GiB): the range ends below the
		// arena hint at 768 GiB into the TiB.
		start := uint64(placeFirstTiB+rand.IntN(placeTiBs))<<40 | uint64(1+rand.IntN(0x7e))<<32
		c := shared.ExecutorAddrRange{Start: shared.ExecutorAddr(start), End: shared.ExecutorAddr(start + size)}
		if slices.ContainsFunc(e.placed, func(p shared.ExecutorAddrRange) bool { return p.Start < c.End && c.Start < p.End }) {
			continue
		}
		return c, true
	}
	return shared.ExecutorAddrRange{}, false
}

var _ EarlySharedMemory = (*Remote)(nil)

// ReserveSharedEarly implements EarlySharedMemory: before the hello of a
// child spawned with EarlyHello.SharedMemory, the memfd made at the spawn
// is sized, mapped here read-write, and its reservation queued as a
// reserve-shared naming the child's descriptor and the chosen address
// (the executor maps it there with MAP_FIXED_NOREPLACE right after its
// hello). One reservation takes the memfd; later ones use ReserveShared.
func (e *Remote) ReserveSharedEarly(size uint64, low bool) (r shared.ExecutorAddrRange, mem []byte, ok bool, err error) {
	if e.ready == nil || low || size == 0 || size > maxPlaced || size > math.MaxInt || runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return r, nil, false, nil
	}
	ps := e.early.PageSize
	size = (size + ps - 1) &^ (ps - 1)
	e.earlyMu.Lock()
	defer e.earlyMu.Unlock()
	if e.helloDone || e.shm == nil {
		return r, nil, false, nil
	}
	c, ok := e.pickPlaceLocked(size)
	if !ok {
		return r, nil, false, nil
	}
	f := e.shm
	e.shm = nil // taken, even if it fails below: the executor's copy stays unused
	defer f.Close()
	if err := f.Truncate(int64(size)); err != nil {
		return r, nil, false, fmt.Errorf("epc: sizing the shared-memory file for -shm (%#x bytes): %w", size, err)
	}
	mem, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return r, nil, false, fmt.Errorf("epc: mapping the shared-memory file for -shm (%#x bytes): %w", size, err)
	}
	e.placed = append(e.placed, c)
	e.pre = append(e.pre, preStep{op: wire.OpReserveShared,
		payload: new(wire.Encoder).U64(size).U64(0).U64(uint64(c.Start)).U64(uint64(e.shmFD)).Payload(),
		what:    fmt.Sprintf("reserve %#x bytes of shared memory at %v", size, c.Start)})
	return c, mem, true, nil
}

// sendHello sends the controller's hello (its flags say whether stdio is
// forwarded).
func (e *Remote) sendHello() error {
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
		return fmt.Errorf("epc: sending hello to the executor: %w", e.explainStart(err))
	}
	return nil
}

// explainStart names how a spawned executor ended when the stream broke
// during the handshake (a write to a child that is gone fails with EPIPE).
func (e *Remote) explainStart(err error) error {
	if e.exited == nil {
		return err
	}
	select {
	case <-e.exited:
		return fmt.Errorf("%w (%w)", err, e.exitErr)
	case <-time.After(100 * time.Millisecond):
		return err
	}
}

// finishStart reads the executor's hello from r0, checks it, then starts
// the background reader and stdin's forwarding.
func (e *Remote) finishStart(ctx context.Context, r0 io.Reader) error {
	r := wire.NewFrameReader(r0, 64<<10) // header and payload in one read
	h, err := e.handshake(ctx, r)
	if err != nil {
		return err
	}
	if err := e.early.check(h); err != nil {
		return err
	}
	e.hello = h
	e.syms = make(map[string]shared.ExecutorAddr, len(h.Symbols))
	for k, v := range h.Symbols {
		if k != wire.SharedExecutorSymbol { // a marker, not a symbol
			e.syms[k] = shared.ExecutorAddr(v)
		}
	}
	e.fr = r
	if d, ok := r0.(deadliner); ok && directReads(r0) && d.SetReadDeadline(time.Time{}) == nil {
		e.dl = d
	}
	e.reading = true // the background reader's until it passes the token
	e.poll = idlePoll
	e.kick = make(chan struct{}, 1)
	e.callQ = make(chan wire.Frame)
	go e.background()
	if e.fwd != nil && h.Symbols[wire.SharedExecutorSymbol] != 1 {
		// (A shared executor gives programs no stdin: it refuses OpStdin,
		// so asking would cost a round trip for nothing.)
		go e.forwardStdin(e.fwd.stdin())
	}
	return nil
}

// handshake returns the executor's answer to the controller's hello
// (sendHello), checked. It gives up when ctx ends or a spawned executor
// exits.
func (e *Remote) handshake(ctx context.Context, r *wire.FrameReader) (wire.Hello, error) {
	type res struct {
		f   wire.Frame
		err error
	}
	ch := make(chan res, 1)
	go func() {
		// Look at the answer before parsing it as a frame: a peer that is
		// not a gorc executor (a web server, a TLS server, an SSH daemon)
		// is named as such, not reported as a malformed frame.
		if head, _ := r.Peek(wire.HeaderSize); len(head) > 0 && notExecutor(head) != nil {
			// Name it from what has arrived (its first line, usually).
			more, _ := r.Peek(max(len(head), min(r.Buffered(), 200)))
			ch <- res{err: notExecutor(more)}
			return
		}
		f, err := r.Next()
		ch <- res{f, err}
	}()
	var got res
	select {
	case got = <-ch:
	case <-ctx.Done():
		return wire.Hello{}, fmt.Errorf("epc: waiting for the executor's hello: %w", ctx.Err())
	case <-e.exitedChan():
		return wire.Hello{}, fmt.Errorf("epc: executor ended before the handshake: %w", e.exitErr)
	}
	if got.err != nil {
		var ne *NotExecutorError
		if errors.As(got.err, &ne) {
			return wire.Hello{}, ne
		}
		return wire.Hello{}, fmt.Errorf("epc: reading the executor's hello: %w", e.explain(got.err))
	}
	return executorHello(got.f)
}

// NotExecutorError is a peer that answered the controller's hello with
// something other than the gorc protocol: text (an HTTP, SSH or SMTP
// server), or a TLS record (a TLS server reached with tcp://).
type NotExecutorError struct {
	Peer   string // the address dialled ("" when unknown)
	Like   string // what the answer looks like: "an HTTP server", "a TLS server", "text"
	Answer string // the start of the answer, for the user to recognise
}

func (e *NotExecutorError) Error() string {
	peer := e.Peer
	if peer == "" {
		peer = "the peer"
	}
	switch e.Like {
	case "a TLS server":
		to := "HOST:PORT"
		if e.Peer != "" {
			to = e.Peer
		}
		return fmt.Sprintf("epc: %s is not a gorc executor speaking plain TCP (it answered like a TLS server; for an executor with mutual TLS use -exec tls://%s)", peer, to)
	case "text":
		return fmt.Sprintf("epc: %s is not a gorc executor (it answered with text: %q)", peer, e.Answer)
	}
	return fmt.Sprintf("epc: %s is not a gorc executor (it answered like %s: %q)", peer, e.Like, e.Answer)
}

// notExecutor recognises the start of an answer that cannot be a gorc
// frame header and returns the error naming it, or nil. A gorc frame
// header starts with a little-endian payload length below
// wire.MaxPayload, so its fourth byte is at most 0x04 and never
// printable; a peer answering in printable ASCII, or with a TLS record,
// is something else.
func notExecutor(head []byte) error {
	line := string(head)
	if i := strings.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	switch {
	case len(head) >= 3 && (head[0] == 0x15 || head[0] == 0x16) && head[1] == 0x03 && head[2] <= 0x04:
		// A TLS alert or handshake record (version 3.x).
		return &NotExecutorError{Like: "a TLS server"}
	case strings.HasPrefix(line, "HTTP/"):
		return &NotExecutorError{Like: "an HTTP server", Answer: line}
	case strings.HasPrefix(line, "SSH-"):
		return &NotExecutorError{Like: "an SSH server", Answer: line}
	}
	if len(head) < 4 {
		return nil
	}
	for _, c := range head[:min(len(head), wire.HeaderSize)] {
		if (c < 0x20 || c > 0x7e) && c != '\r' && c != '\n' && c != '\t' {
			return nil
		}
	}
	return &NotExecutorError{Like: "text", Answer: line}
}

// executorHello decodes and checks the executor's answer to the hello.
func executorHello(f wire.Frame) (wire.Hello, error) {
	if f.Kind == wire.KindError {
		return wire.Hello{}, fmt.Errorf("epc: executor refused the handshake: %s", f.Payload)
	}
	if f.Kind != wire.KindHello {
		return wire.Hello{}, fmt.Errorf("epc: executor answered the hello with a %v frame", f.Kind)
	}
	h, err := wire.DecodeHello(f.Payload)
	if err != nil {
		return wire.Hello{}, fmt.Errorf("epc: %w", err)
	}
	if h.Version != wire.Version {
		return wire.Hello{}, fmt.Errorf("epc: executor speaks protocol version %d, want %d", h.Version, wire.Version)
	}
	if h.PageSize == 0 || h.PageSize&(h.PageSize-1) != 0 {
		return wire.Hello{}, fmt.Errorf("epc: executor announced page size %d", h.PageSize)
	}
	return h, nil
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
	// The stream ends with EOF, or with a reset when the executor died
	// with input it had not read yet (a TCP connection: our stdin's end,
	// say, sent just before its abort): the same end either way.
	streamEnded := errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
	if ended != nil && streamEnded {
		// A listener told how the executor process ended.
		return fmt.Errorf("%w: %w%s", ErrExecutorLost, ended, where)
	}
	if c != nil && streamEnded {
		// A remote executor (no process to wait for) that reported its
		// fatal signal before the stream ended: it died of it.
		return fmt.Errorf("%w: executor terminated by signal %s%s", ErrExecutorLost, signalName(syscall.Signal(c.Signal)), where)
	}
	return fmt.Errorf("%w: %w%s", ErrExecutorLost, err, where)
}

func cancelled(op wire.Op, ctx context.Context) error {
	return fmt.Errorf("epc: %v: %w (the executor may still be running it)", op, ctx.Err())
}

// call sends one request and waits for its answer.
func (e *Remote) call(ctx context.Context, op wire.Op, payload []byte) (*wire.Decoder, error) {
	return e.callTail(ctx, op, payload, nil)
}

// callTail is call for a request whose payload is payload followed by
// tail, sent without copying tail (wire.WriteFrameTail).
func (e *Remote) callTail(ctx context.Context, op wire.Op, payload, tail []byte) (*wire.Decoder, error) {
	return e.callWrite(ctx, op, func(seq uint64) error {
		return wire.WriteFrameTail(e.w, wire.Frame{Kind: wire.KindCall, Op: op, Seq: seq, Payload: payload}, tail)
	})
}

// callParts is call for a request whose payload is the concatenation of
// parts, sent without copying the large ones (wire.WriteFrameParts).
func (e *Remote) callParts(ctx context.Context, op wire.Op, parts [][]byte) (*wire.Decoder, error) {
	return e.callWrite(ctx, op, func(seq uint64) error {
		return wire.WriteFrameParts(e.w, wire.Frame{Kind: wire.KindCall, Op: op, Seq: seq}, parts)
	})
}

// callWrite sends one request, written by write (under the write lock,
// after any steps held back), and waits for its answer.
func (e *Remote) callWrite(ctx context.Context, op wire.Op, write func(seq uint64) error) (*wire.Decoder, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("epc: %v: %w", op, err)
	}
	if err := e.awaitHello(ctx, op); err != nil {
		return nil, fmt.Errorf("epc: %v: %w", op, err)
	}
	return e.callWriteNow(ctx, op, write)
}

// callWriteNow is callWrite once the hello is in (or from the goroutine
// that read it, sending the steps queued before it).
func (e *Remote) callWriteNow(ctx context.Context, op wire.Op, write func(seq uint64) error) (*wire.Decoder, error) {
	c, err := e.callSend(ctx, op, write)
	if err != nil {
		return nil, err
	}
	return c.wait()
}

// sentCall is a request sent by callSend whose answer is still to come.
type sentCall struct {
	e   *Remote
	ctx context.Context
	op  wire.Op
	seq uint64
	ch  chan reply
	hb  *heldBatch
}

// wait waits for the call's answer.
func (c *sentCall) wait() (*wire.Decoder, error) {
	return c.e.callWait(c.ctx, c.op, c.seq, c.ch, c.hb)
}

// drop forgets the call: its answer, when it comes, is discarded.
func (c *sentCall) drop() { c.e.abandon(c.seq, c.ch) }

// callSend sends one request (the hello in) and returns at once, without
// waiting for its answer (sentCall.wait). Meanwhile the caller may send
// more requests, which the executor reads after this one (pipelining); a
// caller that no longer wants the answer drops it (sentCall.drop).
func (e *Remote) callSend(ctx context.Context, op wire.Op, write func(seq uint64) error) (*sentCall, error) {
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
	e.calls.Add(1)
	if int(op) < len(e.byOp) {
		e.byOp[op].Add(1)
	}
	e.wmu.Lock()
	// Steps held back for a re-entry's answer go first: this call may
	// act on them (run the code they finalized, read it back).
	hb, err := e.flushHeldLocked()
	if err == nil {
		err = write(seq)
	}
	e.wmu.Unlock()
	if err != nil {
		e.abandon(seq, ch)
		return nil, fmt.Errorf("epc: %v: sending: %w", op, e.explain(err))
	}
	return &sentCall{e: e, ctx: ctx, op: op, seq: seq, ch: ch, hb: hb}, nil
}

// callWait waits for the answer to call seq, sent by callSend.
func (e *Remote) callWait(ctx context.Context, op wire.Op, seq uint64, ch chan reply, hb *heldBatch) (*wire.Decoder, error) {
	f, err := e.await(ctx, op, seq, ch)
	if err != nil {
		return nil, err
	}
	if err := hb.result(); err != nil {
		return nil, fmt.Errorf("epc: %v: %w", op, err)
	}
	switch f.Kind {
	case wire.KindResult, wire.KindExit:
		return wire.NewDecoder(f.Payload), nil
	case wire.KindError:
		return nil, fmt.Errorf("epc: %v: %s", op, f.Payload)
	}
	return nil, fmt.Errorf("epc: %v: unexpected %v answer", op, f.Kind)
}

// Calls returns how many calls this controller has sent to the executor
// (each one a round trip: a request and its answer), for tests and
// tuning that count the protocol's round trips.
func (e *Remote) Calls() uint64 { return e.calls.Load() }

// CallsByOp returns how many calls of each operation this controller has
// sent (the operations sent at least once), for gorc run -show-times and
// for tuning the protocol's round trips.
func (e *Remote) CallsByOp() map[wire.Op]uint64 {
	m := map[wire.Op]uint64{}
	for op := range e.byOp {
		if n := e.byOp[op].Load(); n > 0 {
			m[wire.Op(op)] = n
		}
	}
	return m
}

func finish(op wire.Op, d *wire.Decoder) error {
	if err := d.Finish(); err != nil {
		return fmt.Errorf("epc: %v: malformed answer: %w", op, err)
	}
	return nil
}

// TargetTriple implements ExecutorProcessControl. Before an early
// start's hello is in, it is the triple the controller expects (the
// hello is refused if it differs).
func (e *Remote) TargetTriple() string {
	if e.early != nil {
		return e.early.Triple
	}
	return e.hello.Triple
}

// PageSize implements ExecutorProcessControl (as TargetTriple, from the
// expectation before an early start's hello is in).
func (e *Remote) PageSize() uint64 {
	if e.early != nil {
		return e.early.PageSize
	}
	return e.hello.PageSize
}

// PID is the executor's process id (a spawned one's is known at once; a
// connected one's waits for its hello).
func (e *Remote) PID() int {
	if e.cmd != nil && e.cmd.Process != nil {
		return e.cmd.Process.Pid
	}
	e.waitHello()
	return int(e.hello.PID)
}

// BootstrapSymbols implements ExecutorProcessControl. After an early
// start it waits for the executor's hello (empty if the hello failed:
// every call then fails with the reason).
func (e *Remote) BootstrapSymbols() map[string]shared.ExecutorAddr {
	e.waitHello()
	m := make(map[string]shared.ExecutorAddr, len(e.syms))
	for k, v := range e.syms {
		m[k] = v
	}
	return m
}

// BootstrapSymbol returns the address of one bootstrap symbol (0 if
// there is none), without copying the table as BootstrapSymbols does.
func (e *Remote) BootstrapSymbol(name string) shared.ExecutorAddr {
	e.waitHello()
	return e.syms[name]
}

// waitHello waits until an early start's hello is in or has failed.
func (e *Remote) waitHello() {
	if e.ready != nil {
		<-e.ready
	}
}

// awaitHello waits, as a call of op, until an early start's hello is in;
// it returns why the handshake failed, or ctx's end.
func (e *Remote) awaitHello(ctx context.Context, op wire.Op) error {
	if e.ready == nil {
		return nil
	}
	select {
	case <-e.ready:
		return e.readyErr
	default:
	}
	t0 := time.Now()
	select {
	case <-e.ready:
		e.helloWaited.Add(int64(time.Since(t0)))
		return e.readyErr
	case <-ctx.Done():
		return fmt.Errorf("epc: %v: waiting for the executor's hello: %w", op, ctx.Err())
	}
}

// Started waits until an early start's hello is in (at once for other
// executors) and returns why the handshake failed, if it did.
func (e *Remote) Started(ctx context.Context) error {
	if e.ready == nil {
		return nil
	}
	select {
	case <-e.ready:
		return e.readyErr
	case <-ctx.Done():
		return fmt.Errorf("epc: waiting for the executor's hello: %w", ctx.Err())
	}
}

// HandshakeError returns why the handshake of an executor started early
// (EarlyHello) failed, once it has: nil while it is pending, after it
// succeeded, and for executors started otherwise (whose handshake
// failing fails the start itself). A caller whose call failed can give
// this cause alone rather than the call's error.
func (e *Remote) HandshakeError() error {
	if e.ready == nil {
		return nil
	}
	select {
	case <-e.ready:
		return e.readyErr
	default:
		return nil
	}
}

// HelloTimes says, for an executor started early, how long after the
// spawn its hello was in (0 while pending or for other executors) and
// how long calls waited for it in all (a sum over concurrent callers).
func (e *Remote) HelloTimes() (in, waited time.Duration) {
	return time.Duration(e.helloIn.Load()), time.Duration(e.helloWaited.Load())
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

// maxBatch is the largest payload Batch sends; larger batches are
// refused (ErrBatchUnsupported) and go through Write's chunking.
const maxBatch = 4 << 20

// Batch implements Batcher with one OpBatch call.
func (e *Remote) Batch(ctx context.Context, ops []MemOp) (int, error) {
	if e.noBatch.Load() {
		return 0, ErrBatchUnsupported
	}
	parts, i, err := batchParts(ops, maxBatch)
	if err != nil {
		return i, err
	}
	d, err := e.callParts(ctx, wire.OpBatch, parts)
	if err != nil {
		// No step ran. An executor that refuses batches (a shared one,
		// an older one) is not asked again; a broken connection fails
		// the steps that are retried one by one too.
		e.noBatch.Store(true)
		return 0, fmt.Errorf("%w: %w", ErrBatchUnsupported, err)
	}
	n, msg := d.U64(), d.String()
	if err := finish(wire.OpBatch, d); err != nil {
		return 0, err
	}
	if n > uint64(len(ops)) {
		return 0, fmt.Errorf("epc: batch: executor reports step %d of %d", n, len(ops))
	}
	if n < uint64(len(ops)) {
		return int(n), fmt.Errorf("epc: batch step %d (%s): %s", n, ops[n].describe(), msg)
	}
	return len(ops), nil
}

// encodeSteps appends the batch encoding of ops to enc (the steps alone,
// without their count). A step that cannot be sent fails with its index;
// a payload over limit fails with ErrBatchUnsupported (index 0: no step
// ran).
func encodeSteps(enc *wire.Encoder, ops []MemOp, limit int) (int, error) {
	for i, op := range ops {
		if err := encodeStep(enc, i, op); err != nil {
			return i, err
		}
		if len(enc.Payload()) > limit {
			return 0, batchTooLarge(len(ops), limit)
		}
	}
	return len(ops), nil
}

// encodeStep appends the batch encoding of op, step i.
func encodeStep(enc *wire.Encoder, i int, op MemOp) error {
	switch op.Kind {
	case MemOpProtect:
		if !op.Prot.Valid() {
			return fmt.Errorf("epc: batch step %d: protect %v %v: writable and executable at once violates W^X", i, op.Range, op.Prot)
		}
		enc.U64(wire.BatchProtect).U64(uint64(op.Range.Start)).U64(uint64(op.Range.End)).U64(uint64(op.Prot))
	case MemOpWrite:
		enc.U64(wire.BatchWrite).U64(uint64(op.Addr)).Bytes(op.Data)
	case MemOpCallWrapper:
		enc.U64(wire.BatchCallWrapper).U64(uint64(op.Call.Fn)).Bytes(op.Call.Arg)
	default:
		return fmt.Errorf("epc: batch step %d: unknown kind %d", i, op.Kind)
	}
	return nil
}

func batchTooLarge(steps, limit int) error {
	return fmt.Errorf("epc: batch of %d steps: over %d bytes: %w", steps, limit, ErrBatchUnsupported)
}

// directWrite is the smallest write step whose bytes batchParts sends
// from the caller's slice instead of copying them into the encoding.
const directWrite = 16 << 10

// batchParts encodes a whole batch (its step count, then the steps) as
// parts to be sent in order (wire.WriteFrameParts): the steps' encoding,
// with the bytes of each write of directWrite bytes or more left in the
// caller's slice rather than copied. The stream carries exactly
// encodeSteps' bytes. A step that cannot be sent fails with its index; a
// payload over limit fails with ErrBatchUnsupported (index 0: no step
// ran).
func batchParts(ops []MemOp, limit int) ([][]byte, int, error) {
	if batchSize(ops) > limit {
		return nil, 0, batchTooLarge(len(ops), limit)
	}
	var parts [][]byte
	enc := new(wire.Encoder).U64(uint64(len(ops)))
	for i, op := range ops {
		if op.Kind == MemOpWrite && len(op.Data) >= directWrite {
			enc.U64(wire.BatchWrite).U64(uint64(op.Addr)).U64(uint64(len(op.Data)))
			parts = append(parts, enc.Payload(), op.Data)
			enc = new(wire.Encoder)
			continue
		}
		if err := encodeStep(enc, i, op); err != nil {
			return nil, i, err
		}
	}
	if p := enc.Payload(); len(p) > 0 {
		parts = append(parts, p)
	}
	return parts, len(ops), nil
}

// batchSize is the size of ops' batch encoding, count included (steps of
// an unknown kind count nothing: encoding them fails).
func batchSize(ops []MemOp) int {
	n := 8
	for _, op := range ops {
		switch op.Kind {
		case MemOpProtect:
			n += 32
		case MemOpWrite:
			n += 24 + len(op.Data)
		case MemOpCallWrapper:
			n += 24 + len(op.Call.Arg)
		}
	}
	return n
}

func (op MemOp) describe() string {
	switch op.Kind {
	case MemOpProtect:
		return fmt.Sprintf("protect %v %v", op.Range, op.Prot)
	case MemOpWrite:
		return fmt.Sprintf("write %d bytes at %v", len(op.Data), op.Addr)
	case MemOpCallWrapper:
		return fmt.Sprintf("call-wrapper %v", op.Call.Fn)
	}
	return fmt.Sprintf("kind %d", op.Kind)
}

// Reserve implements MemoryAccess.
func (e *Remote) Reserve(ctx context.Context, size uint64, low bool) (shared.ExecutorAddrRange, error) {
	if r, ok := e.placeEarly(size, low); ok {
		// The executor is still starting: the link goes on with this
		// range, reserved there right after its hello.
		return r, nil
	}
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
	p := encRange(r).U64(uint64(prot))
	// Before an early start's hello, a protection change inside a placed
	// reservation (-shm's code blocks) is queued like the reservation.
	if e.queueEarlyIn(r, wire.OpProtect, p.Payload(), fmt.Sprintf("protect %v %v", r, prot)) {
		return nil
	}
	return e.simple(ctx, wire.OpProtect, p)
}

// Decommit implements MemoryAccess.
func (e *Remote) Decommit(ctx context.Context, r shared.ExecutorAddrRange) error {
	return e.simple(ctx, wire.OpDecommit, encRange(r))
}

// errSharedNoDual is MapDualBlock's answer on a shared executor, which
// keeps per-controller pages and refuses dual-mapped code blocks.
var errSharedNoDual = errors.New("epc: map-dual: a shared executor keeps per-controller pages (no shared code blocks)")

// MapDualBlock makes the page-aligned range r of a reservation a
// dual-mapped code block with protections prot (wire.OpMapDual): Write
// to it goes through the executor's read-write alias, and its pages never
// change protection again. Shared executors and older ones refuse it.
func (e *Remote) MapDualBlock(ctx context.Context, r shared.ExecutorAddrRange, prot shared.MemProt) error {
	p := encRange(r).U64(uint64(prot))
	if e.queueEarly(wire.OpMapDual, p.Payload(), fmt.Sprintf("code block %v", r)) {
		return nil // sent right after the hello (after the reservation)
	}
	if err := e.awaitHello(ctx, wire.OpMapDual); err != nil {
		return fmt.Errorf("epc: %v: %w", wire.OpMapDual, err)
	}
	if e.SharedExecutor() {
		// It would refuse the block (its pages are per controller): say
		// so without the round trip.
		return errSharedNoDual
	}
	return e.simple(ctx, wire.OpMapDual, p)
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
		return e.writeOne(ctx, addr, data)
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
			if err := e.writeOne(ctx, a, part); err != nil {
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

// writeOne sends one write message: the address and length as the
// payload's head and data, uncopied, as its tail (the encoding of
// Encoder.U64(addr).Bytes(data)).
func (e *Remote) writeOne(ctx context.Context, addr shared.ExecutorAddr, data []byte) error {
	d, err := e.callTail(ctx, wire.OpWrite, new(wire.Encoder).U64(uint64(addr)).U64(uint64(len(data))).Payload(), data)
	if err != nil {
		return err
	}
	return finish(wire.OpWrite, d)
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

// ResolveExternalTLS implements ExternalTLSResolver (one round trip).
func (e *Remote) ResolveExternalTLS(ctx context.Context, names []string) ([]ExternalTLS, error) {
	d, err := e.call(ctx, wire.OpResolveTLS, new(wire.Encoder).Strings(names).Payload())
	if err != nil {
		return nil, err
	}
	n := d.U64()
	if d.Err() == nil && n != uint64(len(names)) {
		return nil, fmt.Errorf("epc: resolve-tls: %d answers for %d names", n, len(names))
	}
	out := make([]ExternalTLS, len(names))
	for i := range out {
		flags := d.U64()
		out[i] = ExternalTLS{Found: flags&1 != 0, Static: flags&2 != 0, ModuleID: d.U64(), Offset: d.U64(), TPOffset: int64(d.U64()), Library: d.String(), Why: d.String()}
	}
	return out, finish(wire.OpResolveTLS, d)
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

func signalName(s syscall.Signal) string {
	names := map[syscall.Signal]string{syscall.SIGSEGV: "SIGSEGV", syscall.SIGABRT: "SIGABRT", syscall.SIGBUS: "SIGBUS",
		syscall.SIGFPE: "SIGFPE", syscall.SIGILL: "SIGILL", syscall.SIGKILL: "SIGKILL", syscall.SIGTERM: "SIGTERM",
		syscall.SIGTRAP: "SIGTRAP", syscall.SIGPIPE: "SIGPIPE", syscall.SIGSYS: "SIGSYS", syscall.SIGINT: "SIGINT"}
	if n, ok := names[s]; ok {
		return n
	}
	return fmt.Sprintf("%d (%v)", int(s), s)
}
