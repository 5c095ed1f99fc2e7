//go:build !cgo

package main

import (
	"fmt"
	"io"
)

// runExecutor needs the cgo executor runtime; a CGO_ENABLED=0 build can
// control executors but not be one.
func runExecutor(args []string, stdout, stderr io.Writer) int {
	if helpRequested(args) {
		fmt.Fprintln(stdout, "usage: gorc executor [-listen ADDR [flags]]\n\nServes as an executor process for a controller (gorc run -exec child|tcp://|tls://).\nThis gorc was built without cgo and cannot serve as one (rebuild with CGO_ENABLED=1).")
		return 0
	}
	fmt.Fprintln(stderr, "gorc executor: this gorc was built without cgo; the executor runtime needs cgo (rebuild with CGO_ENABLED=1)")
	return 2
}

// ensureStaticTLS has nothing to do without the executor runtime.
func ensureStaticTLS(min uint64) error { return nil }

// childExecutorEnv: without cgo gorc cannot be its own child executor.
func childExecutorEnv() []string { return nil }

// preloadEHRuntime: without cgo nothing runs in this process.
func preloadEHRuntime() {}
