package main

import (
	"context"
	"errors"
	"io"

	"gorc/jit"
	"gorc/orc/epc"
	"gorc/orc/shared"
)

// execOptions say where `gorc kaleido` runs the code it compiles.
type execOptions struct {
	mode string // -exec: local, child, tcp://HOST:PORT
	shm  bool   // -shm
}

// openJIT connects to the executor. The program's output goes to stdout
// and stderr: a child executor writes to them directly (inherited
// descriptors), a TCP executor forwards what its program prints over the
// connection. In the REPL (repl true) the controller reads standard input
// itself, so it is not given to the program.
func openJIT(ctx context.Context, o execOptions, repl bool, stdout, stderr io.Writer) (*jit.JIT, error) {
	return jit.New(ctx, jit.Options{Exec: o.mode, SHM: o.shm})
}

// runEntry runs the i32() function at addr (main, or a REPL item's entry)
// and returns its status. The generated code flushes C's stdio before it
// returns, so when runEntry returns, everything it printed is out, before
// anything this process writes next.
func runEntry(ctx context.Context, j *jit.JIT, addr shared.ExecutorAddr, stdout io.Writer) (int, error) {
	if w, ok := stdout.(interface{ Sync() error }); ok {
		w.Sync()
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

// executorFailureStatus is the exit status for a run that failed with
// err: 128+signal when the executor was killed by a signal (as a shell
// reports a program killed by one, and as `gorc run` does), otherwise 1.
func executorFailureStatus(err error) int {
	if s := signalStatus(err.Error()); s != 0 {
		return s
	}
	return 1
}
