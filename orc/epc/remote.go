package epc

import (
	"bufio"
	"context"
	"crypto/tls"
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

	"gorc/executor/wire"
	"gorc/orc/shared"
)

// Remote is the executor process control for an executor reached over a
// byte stream (a spawned child's pipes, or a TCP connection); see package
// gorc/executor/wire for the protocol. Calls may be issued concurrently.
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
	pending map[uint64]chan wire.Frame
	err     error // terminal
	done    chan struct{}

	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has been waited for
	exitErr error

	crash   *Crash // reported by the dying executor, under mu
	reentry func(shared.ExecutorAddr) (shared.ExecutorAddr, error)

	ended error // a listener's report of how the executor ended, under mu

	// Program stdio forwarded over the stream (nil fwd: not forwarded).
	fwd            *Stdio
	stdout, stderr io.Writer // written by readLoop only
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
	e := &Remote{w: w, closer: c, pending: map[uint64]chan wire.Frame{}, done: make(chan struct{})}
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
	go e.readLoop(r)
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

func (e *Remote) readLoop(r io.Reader) {
	var err error
	for {
		var f wire.Frame
		f, err = wire.ReadFrame(r)
		if err != nil {
			break
		}
		if f.Kind == wire.KindCall {
			go e.serveCall(f)
			continue
		}
		if f.Kind == wire.KindStdout || f.Kind == wire.KindStderr {
			// Written here, before any later answer is delivered: output
			// precedes the result of the call that produced it.
			w := e.stdout
			if f.Kind == wire.KindStderr {
				w = e.stderr
			}
			if w != nil {
				w.Write(f.Payload) // a failing writer loses output, not the connection
			}
			continue
		}
		if f.Kind == wire.KindExit && f.Op == 0 {
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
			continue
		}
		if f.Kind == wire.KindCrash {
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
			continue
		}
		e.mu.Lock()
		ch := e.pending[f.Seq]
		delete(e.pending, f.Seq)
		e.mu.Unlock()
		if ch != nil {
			ch <- f
		}
	}
	err = e.explain(err)
	e.mu.Lock()
	if e.err == nil {
		e.err = err
	}
	pend := e.pending
	e.pending = map[uint64]chan wire.Frame{}
	e.mu.Unlock()
	close(e.done)
	for _, ch := range pend {
		close(ch)
	}
}

// call sends one request and waits for its answer.
func (e *Remote) call(ctx context.Context, op wire.Op, payload []byte) (*wire.Decoder, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("epc: %v: %w", op, err)
	}
	ch := make(chan wire.Frame, 1)
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
		e.mu.Lock()
		delete(e.pending, seq)
		e.mu.Unlock()
		return nil, fmt.Errorf("epc: %v: sending: %w", op, e.explain(err))
	}
	select {
	case f, ok := <-ch:
		if !ok {
			e.mu.Lock()
			err := e.err
			e.mu.Unlock()
			return nil, fmt.Errorf("epc: %v: %w", op, err)
		}
		switch f.Kind {
		case wire.KindResult, wire.KindExit:
			return wire.NewDecoder(f.Payload), nil
		case wire.KindError:
			return nil, fmt.Errorf("epc: %v: %s", op, f.Payload)
		}
		return nil, fmt.Errorf("epc: %v: unexpected %v answer", op, f.Kind)
	case <-ctx.Done():
		e.mu.Lock()
		delete(e.pending, seq)
		e.mu.Unlock()
		return nil, fmt.Errorf("epc: %v: %w (the executor may still be running it)", op, ctx.Err())
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

// Write implements MemoryAccess; large writes are split into messages.
func (e *Remote) Write(ctx context.Context, addr shared.ExecutorAddr, data []byte) error {
	chunk := transferChunk
	for len(data) > 0 {
		n := min(len(data), chunk)
		if err := e.simple(ctx, wire.OpWrite, new(wire.Encoder).U64(uint64(addr)).Bytes(data[:n])); err != nil {
			return err
		}
		addr, data = addr.Add(uint64(n)), data[n:]
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
	e := &Remote{w: toChildW, closer: multiCloser{toChildW, fromChildR}, pending: map[uint64]chan wire.Frame{}, done: make(chan struct{}),
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
	e := &Remote{w: conn, closer: conn, pending: map[uint64]chan wire.Frame{}, done: make(chan struct{}), fwd: fwd}
	if err := e.start(ctx, conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("epc: executor %s: %w", addr, err)
	}
	return e, nil
}
