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
	// Blocking pipes: the reader below is the only goroutine that waits
	// on them (blockingPipe).
	rep, repW, err := blockingPipe()
	if err != nil {
		return fmt.Errorf("executor: watching crashes: %w", err)
	}
	ackR, ack, err := blockingPipe()
	if err != nil {
		rep.Close()
		repW.Close()
		return fmt.Errorf("executor: watching crashes: %w", err)
	}
	// The handler's ends are the executor's: a forked child drops them and
	// the program's close() leaves them open.
	wfd, afd := int(repW.Fd()), int(ackR.Fd())
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
	// Keep the handler's ends alive for the life of the process.
	keepCrashFiles = append(keepCrashFiles, repW, ackR)
	return nil
}

var keepCrashFiles []*os.File

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
