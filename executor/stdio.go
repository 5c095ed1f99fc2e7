package executor

/*
#include "gorc_executor.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/gorc-jit/gorc/shared/wire"
)

// stdioForward puts pipes on descriptors 0, 1 and 2 for the program and
// carries them over a controller connection (wire.FlagForwardStdio): what
// the program writes to 1 and 2 goes out as Stdout/Stderr frames, and
// OpStdin calls fill its stdin.
type stdioForward struct {
	saved [3]int     // the original descriptors 0, 1, 2 (close-on-exec copies)
	out   []*outPump // stdout's, then stderr's unless merged
	inW   *os.File   // write end of the program's stdin
	inFD  int        // its descriptor

	inMu     sync.Mutex
	inClosed bool
	done     sync.WaitGroup
}

// outPump moves one output pipe onto the connection. Every read of the
// pipe happens under mu and is sent before mu is released, so a drain
// that finds the pipe empty under mu knows everything before it is sent.
type outPump struct {
	kind wire.Kind
	f    *os.File // read end, non-blocking
	fd   int      // its descriptor (f.Fd() would make it blocking)
	rc   syscall.RawConn
	send func(wire.Frame) error
	mu   sync.Mutex
	buf  []byte
	dead bool   // the connection failed: discard (so the program never blocks)
	lock *int32 // shared with the crash handler (C.gorc_pump_lock)
}

// readAvailable reads and sends until the pipe is empty; eof reports that
// the pipe has no writers left or failed.
func (p *outPump) readAvailable(fd int) (eof bool) {
	for {
		// Held from the read until the bytes are sent: a crash handler
		// waits for it before draining the pipe itself.
		spinLock(p.lock)
		n, err := syscall.Read(fd, p.buf)
		if n > 0 {
			// WriteFrame is done with the bytes when send returns, so the
			// buffer is reused without a copy.
			if !p.dead && p.send(wire.Frame{Kind: p.kind, Payload: p.buf[:n]}) != nil {
				p.dead = true
			}
			spinUnlock(p.lock)
			continue
		}
		spinUnlock(p.lock)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return false
		}
		return true // n == 0: end of file, or an error
	}
}

func (p *outPump) run(wg *sync.WaitGroup) {
	defer wg.Done()
	p.rc.Read(func(fd uintptr) bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.readAvailable(int(fd))
	})
}

// drain sends what the pipe holds now.
func (p *outPump) drain() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rc.Control(func(fd uintptr) { p.readAvailable(int(fd)) })
}

const (
	fSetPipeSz = 1031    // F_SETPIPE_SZ (Linux)
	pipeSize   = 1 << 20 // the output pipes' capacity and the pumps' read size
)

// dupCloexec duplicates fd with close-on-exec set (F_DUPFD_CLOEXEC), at a
// number above the standard descriptors.
func dupCloexec(fd int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 3)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// startStdioForward redirects descriptors 0, 1 and 2 to pipes served over
// send. The originals are kept and put back by stop.
func startStdioForward(send func(wire.Frame) error, merge bool) (*stdioForward, error) {
	if !forwarding.CompareAndSwap(false, true) {
		return nil, fmt.Errorf("executor: forwarding the program's stdio: another connection of this process already forwards it (descriptors 0, 1 and 2 are per process)")
	}
	fw, err := startStdioForward1(send, merge)
	if err != nil {
		forwarding.Store(false)
	}
	return fw, err
}

// forwarding is set while a connection forwards this process's stdio.
var forwarding atomic.Bool

func startStdioForward1(send func(wire.Frame) error, merge bool) (*stdioForward, error) {
	s := &stdioForward{saved: [3]int{-1, -1, -1}}
	// Descriptors to close on failure: raw ones, then files (closed
	// through their *os.File, never by number, so a finalizer cannot close
	// a reused number later).
	var raw []int
	var files []*os.File
	fail := func(what string, err error) (*stdioForward, error) {
		for _, fd := range raw {
			syscall.Close(fd)
		}
		for _, f := range files {
			f.Close()
		}
		for i, fd := range s.saved {
			if fd >= 0 {
				syscall.Dup3(fd, i, 0)
				syscall.Close(fd)
			}
		}
		return nil, fmt.Errorf("executor: forwarding the program's stdio: %s: %w", what, err)
	}
	for i := range s.saved {
		fd, err := dupCloexec(i)
		if err != nil {
			// A closed standard descriptor: restore it as closed later.
			if !errors.Is(err, syscall.EBADF) {
				return fail(fmt.Sprintf("saving descriptor %d", i), err)
			}
			fd = -1
		}
		s.saved[i] = fd
	}
	// Three pipes, every end above 2 (a closed standard descriptor would
	// otherwise be reused by pipe2 and then clobbered by dup3).
	var p [3][2]int
	for i := range p {
		var q [2]int
		if err := syscall.Pipe2(q[:], syscall.O_CLOEXEC); err != nil {
			return fail("pipe", err)
		}
		for k, fd := range q {
			if fd <= 2 {
				nfd, err := dupCloexec(fd)
				syscall.Close(fd)
				if err != nil {
					return fail("pipe", err)
				}
				fd = nfd
			}
			p[i][k] = fd
			raw = append(raw, fd)
		}
	}
	// The program's ends: stdin's read end, stdout's and stderr's write
	// ends (blocking, as a program expects; not close-on-exec, so its
	// children share them). Merged output: stdout's pipe on both.
	progEnds := []int{p[0][0], p[1][1], p[2][1]}
	if merge {
		progEnds[2] = p[1][1]
	}
	for i, fd := range progEnds {
		if err := syscall.Dup3(fd, i, 0); err != nil {
			return fail(fmt.Sprintf("dup onto descriptor %d", i), err)
		}
	}
	// From here on only our ends stay open.
	syscall.Close(p[0][0])
	syscall.Close(p[1][1])
	syscall.Close(p[2][1])
	kinds := []wire.Kind{wire.KindStdout, wire.KindStderr}
	if merge {
		syscall.Close(p[2][0])
		kinds = kinds[:1]
	}
	raw = nil
	s.inW = os.NewFile(uintptr(p[0][1]), "gorc-program-stdin")
	s.inFD = p[0][1]
	files = append(files, s.inW)
	for i, k := range kinds {
		fd := p[i+1][0]
		// A larger pipe (best effort) lets a chatty program run further
		// ahead of the pump: fewer wake-ups, larger frames.
		syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), fSetPipeSz, pipeSize)
		nbErr := syscall.SetNonblock(fd, true)
		f := os.NewFile(uintptr(fd), "gorc-program-"+k.String())
		files = append(files, f)
		if nbErr != nil {
			return fail("non-blocking pipe", nbErr)
		}
		rc, err := f.SyscallConn()
		if err != nil {
			return fail("pipe", err)
		}
		s.out = append(s.out, &outPump{kind: k, f: f, fd: fd, rc: rc, send: send, buf: make([]byte, pipeSize),
			lock: (*int32)(unsafe.Pointer(C.gorc_pump_lock(C.int(i))))})
	}
	errFD := -1
	if !merge {
		errFD = p[2][0]
	}
	C.gorc_set_stdio_fds(C.int(p[1][0]), C.int(errFD))
	// The executor's ends are its own: a process the program forks closes
	// them (so stdin reaches end of file when the controller closes it).
	privateFD(s.inFD, true)
	for _, o := range s.out {
		privateFD(o.fd, true)
	}
	s.done.Add(len(s.out))
	for _, o := range s.out {
		go o.run(&s.done)
	}
	return s, nil
}

// flushAndDrain makes everything the program wrote so far reach the
// connection: C stdio is flushed, then both pipes are emptied. With all,
// every C stream is flushed (fflush(NULL), taking each stream's lock);
// otherwise only stdout and stderr, and only if their locks are free, for
// tear-down paths where a program thread may hold a lock for good.
func (s *stdioForward) flushAndDrain(all bool) {
	if all {
		C.gorc_flush_stdio()
	} else {
		C.gorc_flush_stdio_nowait()
	}
	for _, o := range s.out {
		o.drain()
	}
}

// awaitWriters is called when the program exits: the executor's own
// copies of the program's output pipes (descriptors 1 and 2) are replaced
// by /dev/null, and the pumps go on forwarding until every process the
// program forked has closed its copies too (the pipes reach end of file)
// or the connection is lost.
func (s *stdioForward) awaitWriters(lost <-chan struct{}) {
	C.gorc_flush_stdio_nowait()
	null, err := syscall.Open(os.DevNull, syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	syscall.Dup3(null, 1, 0)
	syscall.Dup3(null, 2, 0)
	syscall.Close(null)
	ended := make(chan struct{})
	go func() { s.done.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-lost:
	}
}

// writeStdin appends data to the program's stdin (blocking until the pipe
// takes it) and closes it after data if eof.
func (s *stdioForward) writeStdin(data []byte, eof bool) error {
	s.inMu.Lock()
	defer s.inMu.Unlock()
	if s.inClosed {
		if len(data) == 0 && eof {
			return nil
		}
		return fmt.Errorf("executor: stdin: the program's stdin was already closed")
	}
	if len(data) > 0 {
		if _, err := s.inW.Write(data); err != nil {
			return fmt.Errorf("executor: stdin: %w", err)
		}
	}
	if eof {
		s.inClosed = true
		privateFD(s.inFD, false)
		return s.inW.Close()
	}
	return nil
}

// stop drains the output, puts the original descriptors back and stops
// the pumps (they end when the pipes have no writers left; descriptors
// the program's children still hold are abandoned after a short wait).
func (s *stdioForward) stop() {
	// The controller may be gone while a program thread blocks in
	// fgets(stdin) holding stdin's lock: tear-down takes no stdio lock.
	s.flushAndDrain(false)
	C.gorc_set_stdio_fds(-1, -1)
	for i, fd := range s.saved {
		if fd >= 0 {
			syscall.Dup3(fd, i, 0)
			syscall.Close(fd)
		} else {
			syscall.Close(i)
		}
	}
	s.inMu.Lock()
	if !s.inClosed {
		s.inClosed = true
		privateFD(s.inFD, false)
		s.inW.Close()
	}
	s.inMu.Unlock()
	ended := make(chan struct{})
	go func() { s.done.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(200 * time.Millisecond):
	}
	for _, o := range s.out {
		privateFD(o.fd, false)
		o.f.Close()
	}
	forwarding.Store(false)
}

// wireLock is shared with the crash handler (C): a frame being written
// holds it (1); a dying executor takes it for good (2) so its last frames
// never interleave with a frame half written.
var wireLock = (*int32)(unsafe.Pointer(C.gorc_wire_lock()))

func lockWire()   { spinLock(wireLock) }
func unlockWire() { spinUnlock(wireLock) }

// spinLock takes a lock shared with the crash handler: 0 free, 1 held, 2
// taken for good by a dying executor (then this waits until it is gone).
//
// A holder keeps it only while it writes one frame, so a waiter first
// yields (runtime.Gosched) and sleeps only if the lock stays taken: a
// sleep shorter than a millisecond lasts about a millisecond in the Go
// runtime's timer, which made every contended answer of a shared
// executor, whose connections all take this one lock, a millisecond late.
func spinLock(l *int32) {
	var until time.Time
	for !atomic.CompareAndSwapInt32(l, 0, 1) {
		if until.IsZero() {
			until = time.Now().Add(spinFor)
		}
		if time.Now().Before(until) {
			runtime.Gosched()
			continue
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// spinFor is how long spinLock yields before it sleeps: longer than
// writing one frame takes, far shorter than the millisecond a sleep costs.
const spinFor = 200 * time.Microsecond

func spinUnlock(l *int32) { atomic.StoreInt32(l, 0) }
