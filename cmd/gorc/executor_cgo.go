//go:build cgo

package main

import (
	"context"
	"fmt"
	"io"

	"gorc/executor"
)

// executorStaticTLS is the static-TLS surplus an executor process starts
// with. glibc reads it only at process start, and an executor cannot
// restart once a controller has sent it work (in-process `gorc run` instead
// restarts lazily, before anything runs), so it asks for room up front: the
// same 1 MiB that `gorc run` asks for.
const executorStaticTLS = 1 << 20

// runExecutor serves as the executor process: over the descriptors a
// spawning controller handed down, over stdin/stdout, or over TCP with
// -listen (see executor.Command).
func runExecutor(args []string, stderr io.Writer) int {
	// Re-executes this process with the tunable set, keeping its arguments,
	// environment and inherited descriptors; returns when already set.
	if err := executor.EnsureStaticTLS(executorStaticTLS); err != nil {
		fmt.Fprintln(stderr, "gorc executor:", err)
		return 1
	}
	return executor.Command(context.Background(), args, stderr)
}
