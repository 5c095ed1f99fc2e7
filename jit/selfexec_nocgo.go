//go:build !cgo

package jit

import (
	"fmt"
	"os"
)

// canServeSelf: without cgo there is no executor runtime in this program,
// so a child executor must be another binary (ExecutorCommand).
const canServeSelf = false

// ServeExecutorIfChild makes a program its own child executor (see the
// cgo build). Without cgo a program cannot run JIT'd code, so in a
// process spawned as an executor it reports that and exits with status
// 1; otherwise it returns at once.
func ServeExecutorIfChild() {
	if v := os.Getenv("GORC_EXECUTOR_FDS"); v != "" {
		fmt.Fprintf(os.Stderr, "gorc executor: %s was built without cgo and cannot run JIT'd code (GORC_EXECUTOR_FDS=%s); set jit.Options.ExecutorCommand to {\"/path/to/gorc\", \"executor\"}\n", os.Args[0], v)
		os.Exit(1)
	}
}
