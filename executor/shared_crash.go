//go:build cgo

package executor

/*
#include "gorc_executor.h"
*/
import "C"

// This file holds what a shared executor does when code it runs faults.
// One address space is one fault domain: a fault in JIT'd code may have
// corrupted anything in the process, so the process does not go on (it
// dies by the signal, as any executor does, and `gorc executor -listen
// -shared` restarts it for new connections). Before it dies, the faulting
// thread hands the fault to a goroutine here (a pipe; the handler waits
// for its acknowledgement at most about 2 s), which tells every connected
// controller which controller's request ran the code, where it crashed
// (the nearest published symbol) and the signal: a clear error instead of
// a bare end of stream. The controller that ran the code also gets the
// crash frame a private executor sends, so it names its own function.

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

// crashRecordWords is the size of a record report_shared_crash writes:
// signal, pc, fault address, origin, frame count, then up to 32 frames.
const crashRecordWords = 5 + 32

var crashReporter struct {
	once sync.Once
	mu   sync.Mutex
	hubs []*Hub
	err  error
}

// reportCrashesTo makes a fault in JIT'd code tell h's controllers before
// the process dies (see the file comment). The pipes are set up once per
// process; every hub given is told.
func reportCrashesTo(h *Hub) error {
	crashReporter.once.Do(func() {
		var rep, ack [2]int
		if err := syscall.Pipe2(rep[:], syscall.O_CLOEXEC); err != nil {
			crashReporter.err = fmt.Errorf("executor: crash report pipe: %w", err)
			return
		}
		if err := syscall.Pipe2(ack[:], syscall.O_CLOEXEC); err != nil {
			crashReporter.err = fmt.Errorf("executor: crash report pipe: %w", err)
			return
		}
		for _, fd := range []int{rep[0], rep[1], ack[0], ack[1]} {
			privateFD(fd, true)
		}
		r := os.NewFile(uintptr(rep[0]), "gorc-crash-report")
		w := os.NewFile(uintptr(ack[1]), "gorc-crash-ack")
		go func() {
			buf := make([]byte, 8*crashRecordWords)
			for {
				if _, err := io.ReadFull(r, buf); err != nil {
					return
				}
				var rec [crashRecordWords]uint64
				for i := range rec {
					rec[i] = binary.LittleEndian.Uint64(buf[8*i:])
				}
				n := min(rec[4], crashRecordWords-5)
				crashReporter.mu.Lock()
				hubs := append([]*Hub(nil), crashReporter.hubs...)
				crashReporter.mu.Unlock()
				for _, h := range hubs {
					h.tellCrash(int(rec[0]), rec[1], rec[2], rec[3], rec[5:5+n], time.Second)
				}
				w.Write([]byte{1})
			}
		}()
		C.gorc_set_shared_crash_fds(C.int(rep[1]), C.int(ack[0]))
	})
	if crashReporter.err != nil {
		return crashReporter.err
	}
	crashReporter.mu.Lock()
	crashReporter.hubs = append(crashReporter.hubs, h)
	crashReporter.mu.Unlock()
	return nil
}

var exitReporter struct {
	once sync.Once
	mu   sync.Mutex
	hubs []*Hub
}

// reportExitsTo makes exit() in code h's controllers run tell them all
// (an Exit frame naming the status and the controller whose request
// called it, as for a crash) before the process ends: otherwise they see
// a bare end of stream. A shared executor starts no program
// (run-program is refused), so the exit hook is free for this. The
// returned stop ends the reporting for h.
func reportExitsTo(h *Hub) (stop func()) {
	exitReporter.once.Do(func() {
		OnProgramExit(func(status int) {
			origin := uint64(C.gorc_thread_origin())
			exitReporter.mu.Lock()
			hubs := append([]*Hub(nil), exitReporter.hubs...)
			exitReporter.mu.Unlock()
			for _, h := range hubs {
				h.tellExit(status, origin, time.Second)
			}
		})
		C.gorc_enable_exit_report()
	})
	exitReporter.mu.Lock()
	exitReporter.hubs = append(exitReporter.hubs, h)
	exitReporter.mu.Unlock()
	return func() {
		exitReporter.mu.Lock()
		defer exitReporter.mu.Unlock()
		for i, x := range exitReporter.hubs {
			if x == h {
				exitReporter.hubs = append(exitReporter.hubs[:i], exitReporter.hubs[i+1:]...)
				break
			}
		}
	}
}

// tellExit sends every connected controller an Exit frame saying the
// executor exits with status because code run for controller origin
// called exit(). It returns after wait at the latest.
func (h *Hub) tellExit(status int, origin uint64, wait time.Duration) {
	who, peers := h.whoAndPeers(origin, nil)
	if len(peers) == 0 {
		// Nobody to tell (the host process ending after its controllers
		// left, say): not an event of any controller's.
		return
	}
	msg := fmt.Sprintf("the shared executor (pid %d) exited with status %d: exit() was called in code run for %s; every controller of it lost it",
		os.Getpid(), status, who)
	h.logf("%s", msg)
	f := wire.Frame{Kind: wire.KindExit, Payload: new(wire.Encoder).U64(wire.EndedExit).U64(uint64(int64(status))).String(msg).Payload()}
	h.tellAll(peers, wait, func(p *peer) { p.send(f) })
}

// tellAll runs tell for every peer, each on its own goroutine, and
// returns once all are done or after wait: a controller that does not
// read is not waited for.
func (h *Hub) tellAll(peers []*peer, wait time.Duration, tell func(p *peer)) {
	done := make(chan struct{}, len(peers))
	for _, p := range peers {
		go func() {
			tell(p)
			done <- struct{}{}
		}()
	}
	timeout := time.After(wait)
	for range peers {
		select {
		case <-done:
		case <-timeout:
			return
		}
	}
}

// whoAndPeers names controller origin and returns the connected
// controllers, trying the hub's lock for at most 200 ms (the thread that
// calls it holds none, but a wait must not keep the process from dying).
// locked, if not nil, runs under the lock when it was taken.
func (h *Hub) whoAndPeers(origin uint64, locked func()) (string, []*peer) {
	got := false
	for t0 := time.Now(); time.Since(t0) < 200*time.Millisecond; time.Sleep(time.Millisecond) {
		if got = h.mu.TryLock(); got {
			break
		}
	}
	who := "no controller's request (a thread of the executor's own)"
	var peers []*peer
	if got {
		defer h.mu.Unlock()
		for p := range h.peers {
			if p.send != nil {
				peers = append(peers, p)
			}
			if p.id == origin {
				who = h.describeLocked(p)
			}
		}
		for p := range h.zombies {
			if p.id == origin {
				who = h.describeLocked(p) + ", which has since disconnected"
			}
		}
		sort.Slice(peers, func(i, j int) bool { return peers[i].id < peers[j].id })
		if locked != nil {
			locked()
		}
	}
	if origin != 0 && !strings.HasPrefix(who, "controller") {
		who = fmt.Sprintf("controller #%d", origin)
	}
	return who, peers
}

// runFor marks the calling thread as running code for p until the
// returned function is called (the crash handler reads it, and the
// threads the run starts inherit it).
func runFor(p *peer) func() {
	runtime.LockOSThread()
	C.gorc_set_origin(C.uint64_t(p.id))
	return func() {
		C.gorc_set_origin(0)
		runtime.UnlockOSThread()
	}
}

// tellCrash sends every connected controller an Exit frame saying the
// executor dies of sig, naming the controller whose request ran the code
// (origin) and where it faulted; the controller origin also gets the
// crash frame. It returns after wait at the latest: a controller that does
// not read is not waited for.
func (h *Hub) tellCrash(sig int, pc, addr, origin uint64, frames []uint64, wait time.Duration) {
	msg, peers := h.crashMessage(sig, pc, addr, origin, frames)
	exit := wire.Frame{Kind: wire.KindExit, Payload: new(wire.Encoder).U64(wire.EndedSignal).U64(uint64(sig)).String(msg).Payload()}
	crash := wire.Frame{Kind: wire.KindCrash, Payload: new(wire.Encoder).U64(uint64(sig)).U64(pc).U64(addr).U64s(frames).Payload()}
	h.logf("%s", msg)
	h.tellAll(peers, wait, func(p *peer) {
		if p.id == origin {
			p.send(crash)
		}
		p.send(exit)
	})
}

// crashMessage describes a fault for the controllers, and returns the
// connected ones that can be told. The hub's lock is tried, not waited
// for without end: the faulting thread holds none, but a wait must not
// keep the process from dying.
func (h *Hub) crashMessage(sig int, pc, addr, origin uint64, frames []uint64) (string, []*peer) {
	where := fmt.Sprintf("at pc %#x", pc)
	who, peers := h.whoAndPeers(origin, func() { where = h.locateLocked(pc, frames) })
	return fmt.Sprintf("the shared executor (pid %d) died of %s (fault address %#x) %s, in code run for %s; one address space is one fault domain, so every controller of it lost it",
		os.Getpid(), sigName(syscall.Signal(sig)), addr, where, who), peers
}

// describeLocked names p and the labels it published under.
func (h *Hub) describeLocked(p *peer) string {
	for _, d := range p.dylibs {
		if d.publisher != "" {
			return d.publisher
		}
	}
	return p.String()
}

// locateLocked names where pc is: the nearest published symbol at or
// below it in the same controller's reservation, or that controller's
// memory; when pc is in no controller's memory (libc, a library), the
// first frame that is.
func (h *Hub) locateLocked(pc uint64, frames []uint64) string {
	if s, ok := h.symbolAtLocked(pc); ok {
		return fmt.Sprintf("at pc %#x in %s", pc, s)
	}
	for _, f := range frames {
		// A return address points after the call: look up the call.
		if s, ok := h.symbolAtLocked(f - 1); ok {
			return fmt.Sprintf("at pc %#x (outside JIT'd code), called from %s", pc, s)
		}
	}
	return fmt.Sprintf("at pc %#x (in no controller's memory)", pc)
}

func (h *Hub) symbolAtLocked(pc uint64) (string, bool) {
	a := shared.ExecutorAddr(pc)
	all := make([]*peer, 0, len(h.peers)+len(h.zombies))
	for p := range h.peers {
		all = append(all, p)
	}
	for p := range h.zombies {
		all = append(all, p)
	}
	for _, p := range all {
		for _, r := range p.res {
			if a < r.Start || a >= r.End {
				continue
			}
			best, bestAddr, dylib := "", uint64(0), ""
			for _, d := range p.dylibs {
				for name, v := range d.syms {
					if v <= pc && v >= uint64(r.Start) && (best == "" || v > bestAddr) {
						best, bestAddr, dylib = name, v, d.name
					}
				}
			}
			if best == "" {
				return fmt.Sprintf("the memory of %s (no published symbol below it)", h.describeLocked(p)), true
			}
			return fmt.Sprintf("%s+%#x (shared dylib %q, published by %s)", best, pc-bestAddr, dylib, h.describeLocked(p)), true
		}
	}
	return "", false
}

func sigName(s syscall.Signal) string {
	names := map[syscall.Signal]string{syscall.SIGSEGV: "SIGSEGV", syscall.SIGABRT: "SIGABRT", syscall.SIGBUS: "SIGBUS",
		syscall.SIGFPE: "SIGFPE", syscall.SIGILL: "SIGILL", syscall.SIGTRAP: "SIGTRAP", syscall.SIGSYS: "SIGSYS",
		syscall.SIGKILL: "SIGKILL", syscall.SIGTERM: "SIGTERM", syscall.SIGPIPE: "SIGPIPE", syscall.SIGINT: "SIGINT"}
	if n, ok := names[s]; ok {
		return n
	}
	return fmt.Sprintf("signal %d (%v)", int(s), s)
}
