package main

// This file holds Ctrl-C while JIT'd code runs in the REPL. The terminal
// is in its normal (cooked) mode then, so Ctrl-C is SIGINT: gorc catches
// it and, when the code runs in a separate executor process, ends that
// process (the session goes on in a new one, see repl_session.go). Code
// running in this process cannot be stopped safely: the first Ctrl-C
// says so, the second ends gorc.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/gorc-jit/gorc/shared"
)

// errInterrupted is what an evaluation stopped by Ctrl-C returns when the
// executor gave no error of its own.
var errInterrupted = errors.New("interrupted")

// interrupter routes SIGINT to the evaluation that runs, if any.
type interrupter struct {
	mu       sync.Mutex
	running  bool
	stop     func() // while running: ends the executor; nil in this process
	stopped  bool   // stop was called for this evaluation
	hits     int    // Ctrl-Cs during this evaluation (in this process)
	terminal bool   // input is a terminal (raw mode while reading: no SIGINT)
	stderr   io.Writer
	exit     func(int)
}

// watch catches SIGINT until the returned function is called.
func (it *interrupter) watch(terminal bool, stderr io.Writer) (stop func()) {
	it.mu.Lock()
	it.terminal, it.stderr = terminal, stderr
	if it.exit == nil {
		it.exit = os.Exit
	}
	it.mu.Unlock()
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, os.Interrupt)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				it.hit()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// hit handles one SIGINT.
func (it *interrupter) hit() {
	it.mu.Lock()
	defer it.mu.Unlock()
	switch {
	case it.running && it.stop != nil:
		if !it.stopped {
			it.stopped = true
			it.stop()
		}
	case it.running:
		it.hits++
		if it.hits == 1 {
			fmt.Fprintf(it.stderr, "\ngorc kaleido: code running in this process (-exec local) cannot be stopped; press Ctrl-C again to quit\n")
			return
		}
		it.exit(128 + 2)
	case !it.terminal:
		// Reading lines from a pipe or file: Ctrl-C ends gorc as it ends
		// any other program reading its input.
		it.exit(128 + 2)
	}
	// At a terminal between two items (while compiling): nothing runs.
}

// begin marks an evaluation as running; stop (nil in this process) ends
// its executor.
func (it *interrupter) begin(stop func()) {
	it.mu.Lock()
	it.running, it.stop, it.stopped, it.hits = true, stop, false, 0
	it.mu.Unlock()
}

// end marks the evaluation as done and reports whether Ctrl-C stopped it.
func (it *interrupter) end() bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	it.running, it.stop = false, nil
	return it.stopped
}

// eval runs the entry function of a top-level expression at addr. Ctrl-C
// meanwhile ends a separate executor; eval then returns its error and
// sets r.interrupted.
func (r *repl) eval(addr shared.ExecutorAddr) error {
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	var stop func()
	if r.canRestart() {
		j := r.j
		stop = func() {
			cancel()
			// With its context already done, Close kills a child at once;
			// a remote executor exits when its connection closes.
			dead, kill := context.WithCancel(context.Background())
			kill()
			j.EPC.Close(dead)
		}
	}
	r.intr.begin(stop)
	r.ran = true
	start := time.Now()
	_, err := runEntry(ctx, r.j, addr, r.stdout)
	r.evalTime += time.Since(start)
	stopped := r.intr.end()
	if !stopped && err != nil && r.canRestart() && executorLost(err) && howEnded(err) == "SIGINT" {
		// The terminal sent SIGINT to the child executor too (it is in
		// gorc's process group), and it died before gorc saw its own.
		stopped = true
	}
	if stopped {
		r.interrupted = true
		if err == nil { // it finished as Ctrl-C came, but the executor is ended
			err = errInterrupted
		}
		return err
	}
	// A crash names the JIT'd function it happened in (or was called from).
	return r.j.ExplainExecutorError(err)
}
