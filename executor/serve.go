package executor

/*
#include "gorc_executor.h"
*/
import "C"

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

// FDsEnv names the environment variable through which a controller that
// spawns an executor passes the protocol descriptors: "R,W" (the
// executor reads requests from R and writes answers to W), so that the
// protocol never uses the program's stdin/stdout.
const FDsEnv = "GORC_EXECUTOR_FDS"

// ShmFDEnv names the environment variable through which a controller that
// spawns an executor for shared memory (-shm) hands it a memfd it created
// and maps itself: the descriptor's number. The executor makes it
// close-on-exec at once, and maps it at the address a reserve-shared
// naming it gives (docs/PROTOCOL.md §5), so the controller can place the
// slab and write code before the executor has started.
const ShmFDEnv = "GORC_EXECUTOR_SHM_FD"

// setCrashFD names the descriptor a dying executor reports its crash on
// (-1: none).
func setCrashFD(fd int) { C.gorc_set_crash_fd(C.int(fd)) }

// ServeInheritedFDs serves the controller that spawned this process over
// the descriptors named by FDsEnv.
func ServeInheritedFDs(ctx context.Context) error {
	v := os.Getenv(FDsEnv)
	rs, ws, ok := strings.Cut(v, ",")
	rfd, err1 := strconv.Atoi(rs)
	wfd, err2 := strconv.Atoi(ws)
	if !ok || err1 != nil || err2 != nil || rfd < 0 || wfd < 0 {
		return fmt.Errorf("executor: %s=%q: want two descriptor numbers \"R,W\"", FDsEnv, v)
	}
	os.Unsetenv(FDsEnv) // not inherited by the program's children
	if v, ok := os.LookupEnv(ShmFDEnv); ok {
		os.Unsetenv(ShmFDEnv)
		if err := setInheritedShm(v); err != nil {
			return err
		}
	}
	// The connection is the executor's: a process the program forks does
	// not keep it, and the program's close() leaves it open.
	privateFD(rfd, true)
	privateFD(wfd, true)
	defer privateFD(rfd, false)
	defer privateFD(wfd, false)
	// A listener that authenticated the connection already read the
	// controller's hello from it.
	var hello []byte
	if h := os.Getenv(HelloEnv); h != "" {
		b, err := hex.DecodeString(h)
		if err != nil {
			return fmt.Errorf("executor: %s: %w", HelloEnv, err)
		}
		hello = b
		os.Unsetenv(HelloEnv)
	}
	spareP()
	rf := os.NewFile(uintptr(rfd), "gorc-executor-in")
	defer rf.Close()
	var w io.Writer = rf
	if wfd != rfd {
		wf := os.NewFile(uintptr(wfd), "gorc-executor-out")
		defer wf.Close()
		w = wf
	}
	var r io.Reader = rf
	if hello != nil {
		r = io.MultiReader(bytes.NewReader(hello), rf)
	}
	C.gorc_set_crash_fd(C.int(wfd))
	defer C.gorc_set_crash_fd(-1)
	return Serve(ctx, r, w)
}

// spareP gives a spawned executor one P (scheduler slot) more than
// GOMAXPROCS's default, unless the environment sets GOMAXPROCS. Its
// reader waits for the controller in a blocking read(2) and a JIT'd thread
// in a lazy re-entry waits for its answer in futex(2), each holding a P
// in a system call; when no P is idle, the runtime's monitor takes one
// back after 20 µs, wakes a thread to hold it, and stays at its 20 µs
// period while that goes on: thread wake-ups competing with the
// controller's compile, on the path of every remote first call on a
// 2-CPU machine. With a P to spare it leaves them alone (for 10 ms) and
// backs off. The Go code here is the protocol's, not the program's
// (whose threads are C threads), so the extra P costs nothing else.
func spareP() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1)
	}
}

// Serve answers one controller over r and w (see package wire) until the
// stream ends, ctx is done, or a program run with OpRunProgram ends the
// process. Calls are served concurrently. Crash handlers are installed, so
// a fault in JIT'd code kills this process by the signal and the
// controller can report it. Serve returns nil when the controller closes
// the stream, without waiting for calls still running JIT'd code (whose
// answers nobody would read): a process serving one controller should
// exit then, which also stops such code.
func Serve(ctx context.Context, r io.Reader, w io.Writer) error {
	return serve(ctx, r, w, nil)
}

// ServeShared serves one controller of a shared executor (see Hub): like
// Serve, except that the controller works only on its own memory, its
// published code and the directory's (docs/SHARING.md), its program's
// stdio is the executor's own, and it may not run a program to exit
// (OpRunProgram) or compile lazily (OpReentry). addr names the
// controller in messages. When the stream ends the controller leaves the
// hub, which frees what it alone owned.
func ServeShared(ctx context.Context, r io.Reader, w io.Writer, hub *Hub, addr string) error {
	p := hub.join(addr)
	defer hub.leave(p)
	return serve(ctx, r, w, &sharedConn{hub: hub, peer: p})
}

// sharedConn is a connection's place in a shared executor.
type sharedConn struct {
	hub  *Hub
	peer *peer
}

func serve(ctx context.Context, r io.Reader, w io.Writer, sh *sharedConn) error {
	if err := InstallCrashHandlers(); err != nil {
		return err
	}
	s := &server{w: w, lostCh: make(chan struct{}), sh: sh}
	if sh != nil {
		s.w, s.drop = sh.writer(w)
		sh.hub.served(sh.peer, s.send)
	}
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := wire.ReadFrame(br)
	if err != nil {
		return fmt.Errorf("executor: reading the controller's hello: %w", err)
	}
	if first.Kind != wire.KindHello {
		s.send(wire.Frame{Kind: wire.KindError, Seq: first.Seq, Payload: []byte("expected hello")})
		return fmt.Errorf("executor: controller opened with a %v frame, not hello", first.Kind)
	}
	ch, err := wire.DecodeControllerHello(first.Payload)
	if err != nil {
		s.send(wire.Frame{Kind: wire.KindError, Seq: first.Seq, Payload: []byte(err.Error())})
		return fmt.Errorf("executor: %w", err)
	}
	if ch.Flags&wire.FlagForwardStdio != 0 && sh == nil {
		// (A shared executor's stdio is its own: it cannot be one
		// controller's.)
		fw, err := startStdioForward(s.send, ch.Flags&wire.FlagMergeOutput != 0)
		if err != nil {
			s.send(wire.Frame{Kind: wire.KindError, Seq: first.Seq, Payload: []byte(err.Error())})
			return err
		}
		s.fwd = fw
		defer fw.stop()
	}
	syms := map[string]uint64{}
	for k, v := range BootstrapSymbols() {
		syms[k] = uint64(v)
	}
	if sh != nil {
		syms[wire.SharedExecutorSymbol] = 1
	}
	hello := wire.Hello{Version: wire.Version, Triple: Triple, PageSize: PageSize(), PID: uint64(os.Getpid()), Symbols: syms}
	if err := s.send(wire.Frame{Kind: wire.KindHello, Seq: first.Seq, Payload: wire.EncodeHello(hello)}); err != nil {
		if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
			// The controller left before our hello: a controller does
			// not wait for a child's start (epc.SpawnChildEarly) and may
			// end first (a bad input); as a stream's end later, not an
			// error.
			return nil
		}
		return fmt.Errorf("executor: sending hello: %w", err)
	}
	// Lazy re-entries in this executor are answered by the controller. In
	// a shared executor each connection adds a handler of its own, which
	// answers only for trampolines in memory this connection owns (they
	// are the only ones its controller handed out) and
	// shared.ErrNotMyTrampoline otherwise, so each controller's lazy code
	// re-enters its own controller whichever controller's code called it.
	setReentry := SetReentryHandler
	var owns func(shared.ExecutorAddr) bool
	if sh != nil {
		owns = func(ret shared.ExecutorAddr) bool { return sh.hub.ownsCode(sh.peer, ret) }
		var remove func()
		setReentry = func(f ReentryFunc) {
			if remove != nil {
				remove()
				remove = nil
			}
			if f != nil {
				remove = AddReentryHandler(f)
			}
		}
	}
	setReentry(func(ret shared.ExecutorAddr) (shared.ExecutorAddr, error) {
		if owns != nil && !owns(ret) {
			return 0, shared.ErrNotMyTrampoline
		}
		// The controller will answer only after it has sent its own calls
		// (the lazy link's memory, the stub's new target), which need a
		// reader: hand reading off now rather than after handOffAfter.
		if h := s.handOff.Swap(nil); h != nil {
			(*h)()
		}
		return s.reentry(ret)
	})
	defer setReentry(nil)
	// The reader answers quick calls itself. A call that may block (it
	// runs JIT'd code) is also run by the reader, on the thread that read
	// it, with no wake-up of another thread on its path; if it is still
	// running after handOffAfter, a fresh reader takes over reading (so
	// calls that block, lazy re-entries waiting for the controller's
	// answer and concurrent calls go on) and this one ends with its call.
	readErr := make(chan error, 1)
	var read func()
	read = func() {
		for {
			f, err := wire.ReadFrame(br)
			if err != nil {
				s.connectionLost()
				readErr <- err
				return
			}
			if (f.Kind == wire.KindResult || f.Kind == wire.KindError) && s.answered(f) {
				continue
			}
			if f.Kind != wire.KindCall || !f.Op.Valid() || f.Op == wire.OpReentry || f.Op == wire.OpReentryApply {
				s.send(wire.Frame{Kind: wire.KindError, Op: f.Op, Seq: f.Seq, Payload: []byte(fmt.Sprintf("unexpected %v frame (op %v)", f.Kind, f.Op))})
				continue
			}
			if quick(f) {
				s.handle(f) // no goroutine hand-off for calls that cannot block
				continue
			}
			var state atomic.Int32 // 0 running, 1 finished here, 2 handed off
			handOff := func() {
				if state.CompareAndSwap(0, 2) {
					go read()
				}
			}
			t := time.AfterFunc(handOffAfter, handOff)
			s.handOff.Store(&handOff)
			s.handle(f)
			s.handOff.CompareAndSwap(&handOff, nil)
			if !state.CompareAndSwap(0, 1) {
				return // a fresh reader has taken over
			}
			t.Stop()
		}
	}
	go read()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-readErr:
		s.mu.Lock()
		dropped := s.dropped
		s.mu.Unlock()
		if dropped != nil {
			return dropped
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		return fmt.Errorf("executor: reading requests: %w", err)
	}
}

// quick reports whether a call finishes promptly by construction (memory
// and symbol operations, the executor's own short services), so the
// reader can answer it itself; calls that run JIT'd code or load
// libraries (whose constructors may block) get their own goroutine.
func quick(f wire.Frame) bool {
	switch f.Op {
	case wire.OpReserve, wire.OpReserveShared, wire.OpProtect, wire.OpDecommit, wire.OpWrite, wire.OpRead,
		wire.OpRelease, wire.OpLookup, wire.OpAllocateTLS, wire.OpResolveTLS, wire.OpMapDual,
		wire.OpPublish, wire.OpEmitted, wire.OpPublishFail: // (the directory's waits are not quick)
		return true
	case wire.OpCallWrapper:
		d := wire.NewDecoder(f.Payload)
		fn := shared.ExecutorAddr(d.U64())
		return d.Err() == nil && quickService(fn)
	case wire.OpBatch:
		steps, err := decodeBatch(f.Payload)
		if err != nil {
			return true // answered at once with the error
		}
		for _, st := range steps {
			if st.kind == wire.BatchCallWrapper && !quickService(st.addr) {
				return false
			}
		}
		return true
	}
	return false
}

// quickService reports whether fn is one of the executor's own short
// wrapper services.
func quickService(fn shared.ExecutorAddr) bool {
	quickSvcOnce.Do(func() {
		syms := BootstrapSymbols()
		quickSvcs = map[shared.ExecutorAddr]bool{
			syms[EchoName]: true, syms[EHFrameRegisterName]: true,
			syms[EHFrameDeregisterName]: true, syms[TLSSetImageName]: true,
		}
	})
	return quickSvcs[fn]
}

// batchStep is one step of an OpBatch.
type batchStep struct {
	kind uint64
	r    shared.ExecutorAddrRange // protect
	prot shared.MemProt           // protect
	addr shared.ExecutorAddr      // write: destination; call-wrapper: function
	data []byte                   // write: bytes; call-wrapper: argument
}

// decodeBatch decodes a whole batch, so that a malformed one runs no step.
func decodeBatch(payload []byte) ([]batchStep, error) {
	d := wire.NewDecoder(payload)
	n := d.U64()
	if d.Err() == nil && n > uint64(len(payload))/8 {
		return nil, fmt.Errorf("executor: batch of %d steps in %d bytes", n, len(payload))
	}
	steps := make([]batchStep, 0, n)
	for i := uint64(0); i < n && d.Err() == nil; i++ {
		st := batchStep{kind: d.U64()}
		switch st.kind {
		case wire.BatchProtect:
			st.r = rng(d)
			p := d.U64()
			if p > 7 {
				return nil, fmt.Errorf("executor: batch step %d: protect %v: bad protection %#x", i, st.r, p)
			}
			st.prot = shared.MemProt(p)
		case wire.BatchWrite, wire.BatchCallWrapper:
			st.addr, st.data = shared.ExecutorAddr(d.U64()), d.Bytes()
		default:
			if d.Err() == nil {
				return nil, fmt.Errorf("executor: batch step %d: unknown kind %d", i, st.kind)
			}
		}
		steps = append(steps, st)
	}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("executor: batch: %w", err)
	}
	return steps, nil
}

// runBatch runs the steps in order; it returns the index of the step
// that failed (len(steps) if none) and its error.
func runBatch(steps []batchStep) (int, error) {
	for i, st := range steps {
		var err error
		switch st.kind {
		case wire.BatchProtect:
			err = Protect(st.r, st.prot)
		case wire.BatchWrite:
			err = Write(st.addr, st.data)
		case wire.BatchCallWrapper:
			_, err = CallWrapper(st.addr, st.data)
		}
		if err != nil {
			return i, err
		}
	}
	return len(steps), nil
}

var (
	quickSvcOnce sync.Once
	quickSvcs    map[shared.ExecutorAddr]bool
)

type server struct {
	mu  sync.Mutex
	w   io.Writer
	fwd *stdioForward // program stdio over the connection, or nil

	cmu     sync.Mutex
	cseq    uint64
	pending map[uint64]pendingCall // calls to the controller
	lost    bool
	lostCh  chan struct{} // closed when the connection is lost

	// noApply: the controller does not know OpReentryApply (it answered
	// one with an Error); re-entries use OpReentry.
	noApply atomic.Bool
	// stepsFailed is why a step a re-entry answer carried failed (set
	// once, on the reader). Such steps finalize lazily linked code (its
	// protection, EH frames, a stub's pointer) for whichever re-entry
	// caused the link, and the ones after the failed step never ran, so
	// from then on every re-entry fails with this reason instead of
	// landing in code that may not be executable.
	stepsFailed atomic.Pointer[string]

	sh *sharedConn // nil: this executor serves one controller
	// drop, for a shared connection, ends it (closes it) once a write
	// stalled; dropped is set then (s.mu).
	drop    func(error)
	dropped error

	// handOff, while the reader runs a call that may block, starts a
	// fresh reader (at most once): a lazy re-entry calls it at once.
	handOff atomic.Pointer[func()]
}

// pendingCall is a call to the controller waiting for its answer.
type pendingCall struct {
	op wire.Op
	w  *answerWaiter
}

// answerWaiter is where a call to the controller waits for its answer.
// The caller is a JIT'd thread in a lazy re-entry (a cgo callback, its
// goroutine locked to the thread): it sleeps in a futex system call, so
// the reader's wake-up reaches the thread directly; a Go channel would
// make the reader's thread hand its P to the locked thread and go to
// sleep itself (two thread switches, ~80 µs per re-entry on the project
// VM under load).
type answerWaiter struct {
	state atomic.Uint32 // 0 waiting, 1 answered, 2 connection lost
	f     wire.Frame
}

func (w *answerWaiter) wait() (wire.Frame, bool) {
	for {
		switch w.state.Load() {
		case 1:
			return w.f, true
		case 2:
			return wire.Frame{}, false
		}
		futexWait(&w.state, 0)
	}
}

func (w *answerWaiter) deliver(f wire.Frame) {
	w.f = f
	w.state.Store(1)
	futexWake(&w.state)
}

func (w *answerWaiter) lost() {
	w.state.Store(2)
	futexWake(&w.state)
}

func futexWait(addr *atomic.Uint32, val uint32) {
	syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), linuxFutexWaitPrivate, uintptr(val), 0, 0, 0)
}

func futexWake(addr *atomic.Uint32) {
	syscall.RawSyscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), linuxFutexWakePrivate, 1, 0, 0, 0)
}

const (
	linuxFutexWaitPrivate = 0 | 128
	linuxFutexWakePrivate = 1 | 128
)

// reentry asks the controller where the trampoline whose return address
// is ret leads (compiling it on demand). With OpReentryApply the answer
// also carries the lazy link's memory steps, which the reader has run
// (answered) by the time this thread continues: one round trip per first
// call. A controller that does not know the op is asked with OpReentry
// from then on.
func (s *server) reentry(ret shared.ExecutorAddr) (shared.ExecutorAddr, error) {
	payload := new(wire.Encoder).U64(uint64(ret)).Payload()
	if s.sh == nil && !s.noApply.Load() {
		// (A shared executor keeps OpReentry: steps would bypass its
		// ownership checks.)
		f, err := s.callControllerFrame(wire.OpReentryApply, payload)
		if err != nil {
			return 0, err
		}
		switch {
		case f.Kind == wire.KindResult:
			d := wire.NewDecoder(f.Payload)
			a := shared.ExecutorAddr(d.U64())
			return a, d.Finish()
		case f.Op == wire.OpReentry: // answered, and the re-entry failed (applyReentryAnswer)
			return 0, fmt.Errorf("controller: %s", f.Payload)
		}
		// The controller's own Error: it does not serve OpReentryApply.
		s.noApply.Store(true)
	}
	d, err := s.callController(wire.OpReentry, payload)
	if err != nil {
		return 0, err
	}
	a := shared.ExecutorAddr(d.U64())
	return a, d.Finish()
}

// callController sends a call to the controller and waits for its answer.
func (s *server) callController(op wire.Op, payload []byte) (*wire.Decoder, error) {
	f, err := s.callControllerFrame(op, payload)
	if err != nil {
		return nil, err
	}
	if f.Kind == wire.KindError {
		return nil, fmt.Errorf("controller: %s", f.Payload)
	}
	return wire.NewDecoder(f.Payload), nil
}

// callControllerFrame sends a call to the controller and returns its
// answer frame (as answered delivered it).
func (s *server) callControllerFrame(op wire.Op, payload []byte) (wire.Frame, error) {
	w := new(answerWaiter)
	s.cmu.Lock()
	if s.lost {
		s.cmu.Unlock()
		return wire.Frame{}, fmt.Errorf("executor: %v: controller connection lost", op)
	}
	if s.pending == nil {
		s.pending = map[uint64]pendingCall{}
	}
	s.cseq++
	seq := s.cseq
	s.pending[seq] = pendingCall{op: op, w: w}
	s.cmu.Unlock()
	if err := s.send(wire.Frame{Kind: wire.KindCall, Op: op, Seq: seq, Payload: payload}); err != nil {
		return wire.Frame{}, fmt.Errorf("executor: %v: %w", op, err)
	}
	f, ok := w.wait()
	if !ok {
		return wire.Frame{}, fmt.Errorf("executor: %v: controller connection lost", op)
	}
	return f, nil
}

// answered delivers an answer to a call made by callController. It runs
// on the reader: the steps an OpReentryApply answer carries are run here,
// before the next frame is read, so that whatever the controller sends
// after them (another thread's landing at the same code, a run of it)
// finds them done.
func (s *server) answered(f wire.Frame) bool {
	s.cmu.Lock()
	p, ok := s.pending[f.Seq]
	delete(s.pending, f.Seq)
	s.cmu.Unlock()
	if !ok {
		return false
	}
	if p.op == wire.OpReentryApply && f.Kind == wire.KindResult {
		f = s.applyReentryAnswer(f)
	}
	p.w.deliver(f)
	return true
}

// applyReentryAnswer is the package's applyReentryAnswer for this
// connection: once a step of an answer has failed, every later re-entry
// fails too, naming that step (a held step's failure is not lost on the
// re-entry that happened to carry it).
func (s *server) applyReentryAnswer(f wire.Frame) wire.Frame {
	if why := s.stepsFailed.Load(); why != nil {
		return wire.Frame{Kind: wire.KindError, Op: wire.OpReentry, Seq: f.Seq,
			Payload: []byte(fmt.Sprintf("an earlier re-entry answer's memory steps failed, so lazily linked code is not trusted: %s", *why))}
	}
	out, stepFailed := applyReentrySteps(f)
	if stepFailed {
		why := string(out.Payload)
		s.stepsFailed.CompareAndSwap(nil, &why)
	}
	return out
}

// applyReentryAnswer decodes an OpReentryApply result, runs its steps and
// returns what the waiting thread gets: a result whose payload is the
// landing address, or an error frame with op OpReentry (the answer was
// understood; the re-entry failed) whose payload says why. A malformed
// answer, or one with a step that calls anything but the executor's own
// short services, runs no step.
func applyReentryAnswer(f wire.Frame) wire.Frame {
	out, _ := applyReentrySteps(f)
	return out
}

// applyReentrySteps is applyReentryAnswer; stepFailed reports that the
// answer's steps did not all run (one failed, or the answer was refused).
func applyReentrySteps(f wire.Frame) (out wire.Frame, stepFailed bool) {
	fail := func(format string, args ...any) wire.Frame {
		return wire.Frame{Kind: wire.KindError, Op: wire.OpReentry, Seq: f.Seq, Payload: []byte(fmt.Sprintf(format, args...))}
	}
	d := wire.NewDecoder(f.Payload)
	landing, msg, batch := d.U64(), d.String(), d.Bytes()
	if err := d.Finish(); err != nil {
		return fail("malformed re-entry answer: %v", err), true
	}
	steps, err := decodeBatch(batch)
	if err != nil {
		return fail("malformed re-entry answer: %v", err), true
	}
	for i, st := range steps {
		if st.kind == wire.BatchCallWrapper && !quickService(st.addr) {
			return fail("re-entry answer step %d of %d calls %v, which is not one of the executor's own services (no step ran)", i, len(steps), st.addr), true
		}
	}
	if n, err := runBatch(steps); err != nil {
		return fail("re-entry answer step %d of %d: %v", n, len(steps), err), true
	}
	if landing == 0 {
		if msg == "" {
			msg = "the controller answered landing address 0"
		}
		return fail("%s", msg), false
	}
	return wire.Frame{Kind: wire.KindResult, Op: wire.OpReentryApply, Seq: f.Seq, Payload: new(wire.Encoder).U64(landing).Payload()}, false
}

func (s *server) connectionLost() {
	s.cmu.Lock()
	defer s.cmu.Unlock()
	if !s.lost && s.lostCh != nil {
		close(s.lostCh)
	}
	s.lost = true
	for _, p := range s.pending {
		p.w.lost()
	}
	s.pending = nil
}

func (s *server) send(f wire.Frame) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sh != nil {
		return s.sendShared(f)
	}
	lockWire()
	defer unlockWire()
	return wire.WriteFrame(s.w, f)
}

// runsCode reports whether a call may run program code (and so write
// program output that must precede its answer).
func runsCode(op wire.Op) bool {
	switch op {
	case wire.OpRunMain, wire.OpRunVoid, wire.OpCallWrapper, wire.OpLoadDylib:
		return true
	}
	return false
}

// outputBarrier makes the program's output so far visible before what the
// executor sends next: C stdio flushed and, when forwarded, the pipes
// drained onto the connection.
func (s *server) outputBarrier() {
	if s.fwd != nil {
		s.fwd.flushAndDrain(true)
		return
	}
	if s.sh != nil {
		// Another controller's program may hold stdout's lock for as
		// long as the executor's stdout does not drain: fflush(NULL)
		// would wait for it, stalling this controller's answer.
		C.gorc_flush_stdio_nowait()
		return
	}
	C.gorc_flush_stdio()
}

func (s *server) handle(f wire.Frame) {
	res, err := s.dispatch(f)
	if err == errNoAnswer {
		return
	}
	if runsCode(f.Op) && !quick(f) {
		s.outputBarrier()
	}
	if err != nil {
		s.send(wire.Frame{Kind: wire.KindError, Op: f.Op, Seq: f.Seq, Payload: []byte(err.Error())})
		return
	}
	s.send(wire.Frame{Kind: wire.KindResult, Op: f.Op, Seq: f.Seq, Payload: res})
}

var errNoAnswer = errors.New("answered elsewhere")

// handOffAfter is how long a call run by the reader may take before a
// fresh reader takes over reading: short enough that a blocked call (or a
// lazy re-entry waiting for the controller) holds nothing up noticeably,
// long enough that short calls finish first, saving a thread wake-up.
const handOffAfter = 50 * time.Microsecond

func rng(d *wire.Decoder) shared.ExecutorAddrRange {
	return shared.ExecutorAddrRange{Start: shared.ExecutorAddr(d.U64()), End: shared.ExecutorAddr(d.U64())}
}

func addrs(v []uint64) []shared.ExecutorAddr {
	out := make([]shared.ExecutorAddr, len(v))
	for i, a := range v {
		out[i] = shared.ExecutorAddr(a)
	}
	return out
}

func (s *server) dispatch(f wire.Frame) ([]byte, error) {
	if s.sh != nil {
		return s.dispatchShared(f)
	}
	return s.dispatchOwn(f)
}

func (s *server) dispatchOwn(f wire.Frame) ([]byte, error) {
	d := wire.NewDecoder(f.Payload)
	e := new(wire.Encoder)
	switch f.Op {
	case wire.OpReserve, wire.OpReserveShared:
		size, low := d.U64(), d.U64() != 0
		var at uint64
		fd := int64(-1)
		if f.Op == wire.OpReserve && len(f.Payload) == 24 && !low {
			at = d.U64() // placed by the controller (an early start)
		}
		if f.Op == wire.OpReserveShared && len(f.Payload) == 32 && !low {
			// placed by the controller, in the memfd it handed over
			at, fd = d.U64(), int64(d.U64())
			if fd < 0 || fd > math.MaxInt32 {
				return nil, fmt.Errorf("executor: reserve shared at %#x: bad descriptor %d", at, fd)
			}
		}
		if err := d.Finish(); err != nil {
			return nil, err
		}
		if f.Op == wire.OpReserve {
			reserve := func() (shared.ExecutorAddrRange, error) { return Reserve(size, low) }
			if at != 0 {
				reserve = func() (shared.ExecutorAddrRange, error) { return ReserveAt(shared.ExecutorAddr(at), size) }
			}
			r, err := reserve()
			if err != nil {
				return nil, err
			}
			return e.U64(uint64(r.Start)).U64(uint64(r.End)).Payload(), nil
		}
		reserve := func() (shared.ExecutorAddrRange, error) { return ReserveShared(size, low) }
		if fd >= 0 {
			if !takeInheritedShm(int(fd)) {
				return nil, fmt.Errorf("executor: reserve shared %#x bytes at %#x: descriptor %d is not a memfd the controller handed this executor at its spawn (%s), or is already mapped", size, at, fd, ShmFDEnv)
			}
			reserve = func() (shared.ExecutorAddrRange, error) {
				return ReserveSharedAt(int(fd), shared.ExecutorAddr(at), size)
			}
		}
		r, err := reserve()
		if err != nil {
			return nil, err
		}
		path, err := SharedMemoryPath(r)
		if err != nil {
			Release(r)
			return nil, err
		}
		return e.U64(uint64(r.Start)).U64(uint64(r.End)).String(path).Payload(), nil
	case wire.OpProtect:
		r, prot := rng(d), d.U64()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		if prot > 7 {
			return nil, fmt.Errorf("executor: protect %v: bad protection %#x", r, prot)
		}
		return nil, Protect(r, shared.MemProt(prot))
	case wire.OpMapDual:
		r, prot := rng(d), d.U64()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		if prot > 7 {
			return nil, fmt.Errorf("executor: map dual %v: bad protection %#x", r, prot)
		}
		_, err := MapDual(r, shared.MemProt(prot))
		return nil, err
	case wire.OpDecommit, wire.OpRelease:
		r := rng(d)
		if err := d.Finish(); err != nil {
			return nil, err
		}
		if f.Op == wire.OpDecommit {
			return nil, Decommit(r)
		}
		return nil, Release(r)
	case wire.OpBatch:
		steps, err := decodeBatch(f.Payload)
		if err != nil {
			return nil, err
		}
		failed, err := runBatch(steps)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		return e.U64(uint64(failed)).String(msg).Payload(), nil
	case wire.OpWrite:
		addr, data := d.U64(), d.Bytes()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		return nil, Write(shared.ExecutorAddr(addr), data)
	case wire.OpRead:
		addr, n := d.U64(), d.U64()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		if n > wire.MaxPayload-16 {
			return nil, fmt.Errorf("executor: read %#x bytes: more than one message carries", n)
		}
		b, err := Read(shared.ExecutorAddr(addr), n)
		if err != nil {
			return nil, err
		}
		return e.Bytes(b).Payload(), nil
	case wire.OpLoadDylib:
		name, dirs := d.String(), d.Strings()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		h, _, err := LoadLibrary(name, dirs)
		if err != nil {
			return nil, err
		}
		return e.U64(uint64(h)).Payload(), nil
	case wire.OpLookup:
		h, names := d.U64(), d.Strings()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		addrs := LookupSymbols(shared.ExecutorAddr(h), names)
		out := make([]uint64, len(addrs))
		for i, a := range addrs {
			out[i] = uint64(a)
		}
		return e.U64s(out).Payload(), nil
	case wire.OpRunMain:
		fn, args := d.U64(), d.Strings()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		st, err := RunAsMain(shared.ExecutorAddr(fn), args)
		if err != nil {
			return nil, err
		}
		return e.U64(uint64(int64(st))).Payload(), nil
	case wire.OpRunVoid:
		fn := d.U64()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		return nil, RunVoid(shared.ExecutorAddr(fn))
	case wire.OpCallWrapper:
		fn, arg := d.U64(), d.Bytes()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		out, err := CallWrapper(shared.ExecutorAddr(fn), arg)
		if err != nil {
			return nil, err
		}
		return e.Bytes(out).Payload(), nil
	case wire.OpAllocateTLS:
		req := TLSRequest{Size: d.U64(), Align: d.U64(), ImageSize: d.U64(), Image: d.Bytes()}
		if err := d.Finish(); err != nil {
			return nil, err
		}
		b, err := AllocateTLS(req)
		if err != nil {
			return nil, err
		}
		return e.U64(b.ModuleID).U64(uint64(b.TPOffset)).U64(uint64(b.ImageAddr)).Payload(), nil
	case wire.OpResolveTLS:
		names := d.Strings()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		e.U64(uint64(len(names)))
		for _, n := range names {
			r, err := ResolveExternalTLS(n)
			if err != nil {
				return nil, err
			}
			var flags uint64
			if r.Found {
				flags |= 1
			}
			if r.Static {
				flags |= 2
			}
			e.U64(flags).U64(r.ModuleID).U64(r.Offset).U64(uint64(r.TPOffset)).String(r.Library).String(r.Why)
		}
		return e.Payload(), nil
	case wire.OpRunProgram:
		p := Program{Main: shared.ExecutorAddr(d.U64()), Args: d.Strings(), Inits: addrs(d.U64s()), Finis: addrs(d.U64s())}
		if err := d.Finish(); err != nil {
			return nil, err
		}
		exitHookMu.Lock()
		exitHook = func(status int) {
			// Called from exit() on a program thread: other program
			// threads may hold stdio locks for good (blocked in fgets), so
			// nothing here waits for one.
			if s.fwd != nil {
				// Output of processes the program forked that outlive it
				// still goes out, before the status.
				s.fwd.awaitWriters(s.lostCh)
				s.fwd.flushAndDrain(false)
			}
			s.send(wire.Frame{Kind: wire.KindExit, Op: wire.OpRunProgram, Seq: f.Seq, Payload: new(wire.Encoder).U64(uint64(int64(status))).Payload()})
		}
		exitHookMu.Unlock()
		SetProgramArgs(p.Args)
		if err := runProgram(p, true); err != nil {
			return nil, err
		}
		return nil, errNoAnswer
	case wire.OpStdin:
		data := d.Bytes()
		eof := d.U64()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		if s.fwd == nil {
			return nil, fmt.Errorf("executor: stdin: the program's stdio is not forwarded on this connection")
		}
		return nil, s.fwd.writeStdin(data, eof != 0)
	case wire.OpPublish, wire.OpEmitted, wire.OpPublishFail, wire.OpSharedLookup, wire.OpSharedAwait:
		return nil, fmt.Errorf("executor: %v: this executor serves one controller; the symbol directory needs a shared executor (gorc executor -listen ADDR -shared)", f.Op)
	}
	return nil, fmt.Errorf("executor: operation %v not supported", f.Op)
}

// reportEnded sends the controller an Exit frame (op 0) saying how the
// session's executor process ended (best effort: the controller may be
// gone).
func reportEnded(w io.Writer, cmd *exec.Cmd) {
	st := cmd.ProcessState
	if st == nil {
		return
	}
	how, v := uint64(wire.EndedExit), uint64(int64(st.ExitCode()))
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		how, v = wire.EndedSignal, uint64(ws.Signal())
	}
	if c, ok := w.(interface{ SetWriteDeadline(time.Time) error }); ok {
		c.SetWriteDeadline(time.Now().Add(time.Second))
	}
	wire.WriteFrame(w, wire.Frame{Kind: wire.KindExit, Payload: new(wire.Encoder).U64(how).U64(v).Payload()})
}
