//go:build cgo

package main

import (
	"context"
	"fmt"
	"io"

	"gorc/executor"
)

// ensureStaticTLS re-executes gorc with at least min bytes of static-TLS
// surplus unless it already has them (see executor.EnsureStaticTLS).
func ensureStaticTLS(min uint64) error { return executor.EnsureStaticTLS(min) }

// runExecutor serves as the executor process: over the descriptors a
// spawning controller handed down, over stdin/stdout, or over TCP with
// -listen (see executor.Command).
func runExecutor(args []string, stderr io.Writer) int {
	if helpRequested(args) {
		// Only prints the help: no need for the room below.
		return executor.Command(context.Background(), args, stderr)
	}
	// glibc reads the static-TLS surplus only at process start, and an
	// executor cannot restart once a controller has sent it work (in-process
	// `gorc run` restarts lazily, before anything runs), so it asks for the
	// room up front. The re-exec keeps arguments, environment and inherited
	// descriptors.
	if err := ensureStaticTLS(staticTLSSurplus); err != nil {
		fmt.Fprintln(stderr, "gorc executor:", err)
		return 1
	}
	return executor.Command(context.Background(), args, stderr)
}
