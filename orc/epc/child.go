package epc

// This file holds spawning an executor child (SpawnChild): the protocol
// pipes, waiting for the child and saying how it ended.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"unsafe"

	"github.com/gorc-jit/gorc/shared/wire"
)

func (e *Remote) exitedChan() <-chan struct{} {
	if e.exited == nil {
		return nil
	}
	return e.exited
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

// SpawnChildEarly is SpawnChild (SpawnChildStdio when stdio is not nil)
// that returns as soon as the child is started and the controller's hello
// sent, without waiting for the executor's hello: the caller goes on
// (reads and parses its inputs) while the executor process starts. The
// first call waits for the hello; TargetTriple and PageSize answer from
// early until then, and a hello that disagrees with early fails the
// handshake. When the handshake fails (the executor exits first, answers
// something else, or disagrees), the child is killed, and every call
// fails with the reason (HandshakeError). early must not be nil.
func SpawnChildEarly(cmd *exec.Cmd, stdio *Stdio, early *EarlyHello) (*Remote, error) {
	if early == nil || early.Triple == "" || early.PageSize == 0 {
		return nil, errors.New("epc: spawn executor early: the expected triple and page size are needed")
	}
	return spawnExecutor(context.Background(), cmd, stdio, early)
}

// EarlyHello is what a controller expects of the executor's hello before
// it arrives (SpawnChildEarly): a child started on this machine runs this
// machine's target with its page size.
type EarlyHello struct {
	Triple   string
	PageSize uint64
	// Same says whether the executor's triple names the same target as
	// Triple (nil: the strings are equal).
	Same func(executor, expected string) bool
	// SharedMemory (for -shm) creates a memfd at the spawn and hands it
	// to the child (its descriptor named in GORC_EXECUTOR_SHM_FD), so the
	// first shared reservation is placed before the hello
	// (EarlySharedMemory). Where memfds do not exist (not Linux), nothing
	// is created and -shm waits for the hello.
	SharedMemory bool
}

// check refuses a hello that disagrees with the expectation (nil: none).
func (x *EarlyHello) check(h wire.Hello) error {
	if x == nil {
		return nil
	}
	same := h.Triple == x.Triple
	if !same && x.Same != nil {
		same = x.Same(h.Triple, x.Triple)
	}
	if !same {
		return fmt.Errorf("epc: the executor's target is %s, not %s as this machine's (a child executor must run this machine's target)", h.Triple, x.Triple)
	}
	if h.PageSize != x.PageSize {
		return fmt.Errorf("epc: the executor's page size is %d, not %d as this machine's", h.PageSize, x.PageSize)
	}
	return nil
}

func spawnChild(ctx context.Context, cmd *exec.Cmd, fwd *Stdio) (*Remote, error) {
	return spawnExecutor(ctx, cmd, fwd, nil)
}

func spawnExecutor(ctx context.Context, cmd *exec.Cmd, fwd *Stdio, early *EarlyHello) (*Remote, error) {
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
	var shm *os.File
	if early != nil && early.SharedMemory && runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
		if shm, err = memfdCreate("gorc-slab"); err != nil {
			for _, f := range []*os.File{toChildR, toChildW, fromChildR, fromChildW} {
				f.Close()
			}
			return nil, fmt.Errorf("epc: spawn executor: creating the shared-memory file for -shm (memfd_create): %w", err)
		}
	}
	n := 3 + len(cmd.ExtraFiles)
	cmd.ExtraFiles = append(cmd.ExtraFiles, toChildR, fromChildW)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, fmt.Sprintf("GORC_EXECUTOR_FDS=%d,%d", n, n+1))
	shmFD := -1
	if shm != nil {
		shmFD = n + 2
		cmd.ExtraFiles = append(cmd.ExtraFiles, shm)
		cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d", shmFDEnv, shmFD))
	}
	if err := cmd.Start(); err != nil {
		for _, f := range []*os.File{toChildR, toChildW, fromChildR, fromChildW, shm} {
			if f != nil {
				f.Close()
			}
		}
		return nil, fmt.Errorf("epc: spawn executor %s: %w", cmd.Path, err)
	}
	toChildR.Close()
	fromChildW.Close()
	e := &Remote{w: toChildW, closer: multiCloser{toChildW, fromChildR}, pending: map[uint64]chan reply{}, done: make(chan struct{}),
		cmd: cmd, exited: make(chan struct{}), fwd: fwd, shm: shm, shmFD: shmFD}
	go func() {
		werr := cmd.Wait()
		e.exitErr = describeExit(cmd, werr)
		close(e.exited)
	}()
	if r := ReportStopped; r != nil && runtime.GOOS == "linux" {
		go watchStops(cmd.Process.Pid, e.exited, r)
	}
	start := e.start
	if early != nil {
		start = func(_ context.Context, r io.Reader) error { return e.startEarly(r, early) }
	}
	if err := start(ctx, fromChildR); err != nil {
		e.dropShm()
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

// shmFDEnv names the descriptor of the memfd handed to an executor child
// for -shm (executor.ShmFDEnv).
const shmFDEnv = "GORC_EXECUTOR_SHM_FD"

// memfdCreate creates a close-on-exec memfd (a variable: tests make it
// fail).
var memfdCreate = func(name string) (*os.File, error) {
	p, err := syscall.BytePtrFromString(name)
	if err != nil {
		return nil, err
	}
	const sysMemfdCreate = 319 // x86-64
	const mfdCloexec = 1
	fd, _, e := syscall.Syscall(sysMemfdCreate, uintptr(unsafe.Pointer(p)), mfdCloexec, 0)
	if e != 0 {
		return nil, e
	}
	return os.NewFile(fd, "memfd:"+name), nil
}

// dropShm closes the memfd made for -shm if no reservation took it.
func (e *Remote) dropShm() {
	e.earlyMu.Lock()
	f := e.shm
	e.shm = nil
	e.earlyMu.Unlock()
	if f != nil {
		f.Close()
	}
}
