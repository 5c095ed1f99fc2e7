package executor

/*
#include "gorc_executor.h"
*/
import "C"

import (
	"bufio"
	"fmt"
	"os"
	"sync"
	"syscall"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

// CrashReport is what the crash handler reports about a fatal signal in
// JIT'd code (the payload of a wire crash frame).
type CrashReport struct {
	Signal    int
	PC        shared.ExecutorAddr
	FaultAddr shared.ExecutorAddr
	// Frames are the crashing thread's return addresses, innermost first.
	Frames []shared.ExecutorAddr
}

var watchOnce sync.Once

// WatchCrashes makes the crash handler of this process report a fatal
// signal in JIT'd code to f before the signal ends the process: the
// handler writes its crash frame (async-signal-safe write) to a pipe, a
// goroutine reads it and calls f, then tells the handler to go on, which
// waits for that at most about 2 s. f runs while the crashing thread is
// stopped in its signal handler: it should only print. Only the first
// call has effect; the process must not also serve a controller (Serve
// reports crashes on its connection instead).
func WatchCrashes(f func(CrashReport)) error {
	var err error
	watchOnce.Do(func() { err = watchCrashes(f) })
	return err
}

func watchCrashes(f func(CrashReport)) error {
	// The handler's ends stay plain blocking descriptors, never *os.File
	// (the handler writes and reads them itself); the Go ends are
	// non-blocking and in the runtime's poller, so the reader below parks
	// its goroutine, not a thread (crashPipe).
	rep, wfd, err := crashPipe(true)
	if err != nil {
		return fmt.Errorf("executor: watching crashes: %w", err)
	}
	ack, afd, err := crashPipe(false)
	if err != nil {
		rep.Close()
		syscall.Close(wfd)
		return fmt.Errorf("executor: watching crashes: %w", err)
	}
	// The handler's ends are the executor's: a forked child drops them and
	// the program's close() leaves them open.
	privateFD(wfd, true)
	privateFD(afd, true)
	C.gorc_set_crash_ack_fd(C.int(afd))
	C.gorc_set_crash_fd(C.int(wfd))
	// Whatever runs the JIT'd code (RunProgram, RunAsMain, RunVoid, a
	// typed call), a fault in it now reaches the handler.
	if err := InstallCrashHandlers(); err != nil {
		return err
	}
	go func() {
		br := bufio.NewReader(rep)
		for {
			fr, err := wire.ReadFrame(br)
			if err != nil {
				return
			}
			if fr.Kind != wire.KindCrash {
				continue
			}
			if c, ok := decodeCrash(fr.Payload); ok {
				f(c)
			}
			ack.Write([]byte{1})
		}
	}()
	return nil
}

// crashPipe makes a pipe whose Go end (the read end if goReads, else the
// write end) is a pollable *os.File and whose other end is returned as a
// plain blocking descriptor, for the crash handler, open for the life of
// the process. os.Pipe made both ends pollable, and Fd() then made the
// handler's blocking again: 8 fcntl and 2 epoll_ctl calls more for the
// two pipes. (Both ends blocking, the reader's goroutine held a thread
// in read(2): one more thread started in every in-process run.)
func crashPipe(goReads bool) (goEnd *os.File, other int, err error) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return nil, -1, os.NewSyscallError("pipe2", err)
	}
	g, o := p[1], p[0]
	if goReads {
		g, o = p[0], p[1]
	}
	if err := syscall.SetNonblock(g, true); err != nil {
		syscall.Close(p[0])
		syscall.Close(p[1])
		return nil, -1, os.NewSyscallError("fcntl", err)
	}
	// A non-blocking descriptor: os.NewFile puts it in the poller.
	return os.NewFile(uintptr(g), "gorc-crash-pipe"), o, nil
}

// decodeCrash decodes a crash frame's payload: signal, pc, fault address,
// then the return addresses.
func decodeCrash(p []byte) (CrashReport, bool) {
	d := wire.NewDecoder(p)
	c := CrashReport{Signal: int(d.U64()), PC: shared.ExecutorAddr(d.U64()), FaultAddr: shared.ExecutorAddr(d.U64())}
	for _, a := range d.U64s() {
		c.Frames = append(c.Frames, shared.ExecutorAddr(a))
	}
	return c, d.Finish() == nil
}
