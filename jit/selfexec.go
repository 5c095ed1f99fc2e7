//go:build cgo

package jit

import (
	"context"
	"fmt"
	"os"

	"github.com/gorc-jit/gorc/executor"
)

// canServeSelf: a program built with cgo can be its own child executor.
const canServeSelf = true

// ServeExecutorIfChild makes a program its own child executor. Call it
// first in main: in a process that a JIT spawned as its executor (Exec
// "child" with the default ExecutorCommand, which runs this program
// again), it serves the parent until the parent is done and then ends
// the process, without returning; in any other process it returns at
// once.
//
// It cannot run by itself during package initialization: C threads that
// call into Go (program exit, forwarded output, lazy compilation) wait
// until initialization has finished.
func ServeExecutorIfChild() {
	if os.Getenv(executor.FDsEnv) == "" {
		return
	}
	if err := executor.ServeInheritedFDs(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "gorc executor:", err)
		os.Exit(1)
	}
	os.Exit(0)
}
