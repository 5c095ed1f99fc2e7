package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// execOptions say where `gorc kaleido` runs the code it compiles.
type execOptions struct {
	mode string      // -exec: local, child, tcp://HOST:PORT, tls://HOST:PORT
	shm  bool        // -shm
	tls  *tls.Config // mutual TLS for tls:// (-tls-cert, -tls-key, -tls-ca)
	perf bool        // -perf-support
	// A shared executor's directory (-publish, -link-shared,
	// -shared-timeout; docs/SHARING.md).
	publish       string
	linkShared    []string
	sharedTimeout time.Duration
}

// openJIT connects to the executor. The program's output goes to stdout
// and stderr: a child executor writes to them directly (inherited
// descriptors), a TCP executor forwards what its program prints over the
// connection (epc.Stdio). When the controller reads standard input itself
// (noStdin: the REPL, or a program read from stdin) the program gets none.
func openJIT(ctx context.Context, o execOptions, noStdin bool, stdout, stderr io.Writer) (*jit.JIT, error) {
	stdio := epc.Stdio{Stdout: stdout, Stderr: stderr}
	if noStdin {
		stdio.Stdin = epc.NoStdin
	}
	j, err := jit.New(ctx, jit.Options{Exec: o.mode, SHM: o.shm, Stdio: stdio, TLS: o.tls, PerfSupport: o.perf, ExecutorEnv: childExecutorEnv(),
		Publish: o.publish, LinkShared: o.linkShared, SharedTimeout: o.sharedTimeout})
	if err != nil || (o.mode != "" && o.mode != "local") {
		return j, err
	}
	// A crash in JIT'd code ends this process by the signal: name the
	// JIT'd function first, as gorc run does.
	if err := j.OnLocalCrash(func(c *epc.Crash, where string) {
		if where != "" {
			where = ", " + where
		}
		fmt.Fprintf(stderr, "gorc kaleido: program terminated by %v%s\n", c, where)
		if f, ok := stderr.(interface{ Flush() error }); ok {
			f.Flush() // the process is about to die by the signal
		}
	}); err != nil {
		j.Close(ctx)
		return nil, err
	}
	return j, nil
}

// jitOrErr is the outcome of openJIT started in the background.
type jitOrErr struct {
	j   *jit.JIT
	err error
	// libmLoaded: libm was loaded in j beside the compile (libmErr is the
	// outcome), so the link after it need not.
	libmLoaded bool
	libmErr    error
}

// openJITWithLibm is openJIT followed by loading libm, as an eager
// compile's executor is opened beside the compile: loading libm (about
// 0.3 ms in this process) is then no part of the serial link.
func openJITWithLibm(ctx context.Context, e execOptions, noStdin bool, stdout, stderr io.Writer) jitOrErr {
	j, err := openJIT(ctx, e, noStdin, stdout, stderr)
	if err != nil {
		return jitOrErr{j: j, err: err}
	}
	return jitOrErr{j: j, libmLoaded: true, libmErr: j.LoadDylib(ctx, "-lm")}
}

// runEntry runs the i32() function at addr (main, or a REPL item's entry)
// and returns its status. The generated code flushes C's stdio before it
// returns, so when runEntry returns, everything it printed is out, before
// anything this process writes next.
func runEntry(ctx context.Context, j *jit.JIT, addr shared.ExecutorAddr, stdout io.Writer) (int, error) {
	// What gorc itself printed must be out before the program writes:
	// flush a buffering writer. (Not Sync: an *os.File is unbuffered, and
	// fsync(2) on a regular file waits for the disk.)
	if w, ok := stdout.(interface{ Flush() error }); ok {
		w.Flush()
	}
	code, err := j.EPC.RunAsMain(ctx, addr, []string{"kaleido"})
	if f, ok := j.EPC.(interface{ FlushStdio() }); ok {
		f.FlushStdio()
	}
	return code, err
}

// executorLost reports whether err means the executor is gone (it crashed,
// was killed, or its connection broke): nothing more can run.
func executorLost(err error) bool { return errors.Is(err, epc.ErrExecutorLost) }

// executorFailureStatus is the exit status for a run on j that failed
// with err: 128+signal when the executor was killed by a signal (as a
// shell reports a program killed by one, and as `gorc run` does) — known
// from the child's wait status, or from the crash report a remote
// executor sends before it dies — otherwise 1.
func executorFailureStatus(j *jit.JIT, err error) int {
	if s := signalStatus(err.Error()); s != 0 {
		return s
	}
	if r, ok := j.EPC.(interface{ Crash() *epc.Crash }); ok && executorLost(err) {
		if c := r.Crash(); c != nil && c.Signal > 0 && c.Signal < 128 {
			return 128 + c.Signal
		}
	}
	return 1
}
