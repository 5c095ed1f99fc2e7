//go:build cgo

package main

import (
	"context"
	"io"

	"gorc/executor"
)

// runExecutor serves as the executor process: over the descriptors a
// spawning controller handed down, over stdin/stdout, or over TCP with
// -listen (see executor.Command).
func runExecutor(args []string, stderr io.Writer) int {
	return executor.Command(context.Background(), args, stderr)
}
