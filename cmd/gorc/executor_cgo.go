//go:build cgo

package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gorc-jit/gorc/executor"
)

// ensureStaticTLS re-executes gorc with at least min bytes of static-TLS
// surplus unless it already has them (see executor.EnsureStaticTLS).
func ensureStaticTLS(min uint64) error { return executor.EnsureStaticTLS(min) }

// runExecutor serves as the executor process: over the descriptors a
// spawning controller handed down, over stdin/stdout, or over TCP with
// -listen (see executor.Command). Its flags follow gorc's one syntax
// (cmdLine); it takes no inputs.
func runExecutor(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("executor")
	serve := executor.CommandFlags(fs)
	c := cmdLine{cmd: "executor", fs: fs}
	inputs, rest, status := c.parseCommandLine(args, stdout, stderr, func(w io.Writer) {
		fmt.Fprint(w, executor.CommandUsage)
		printFlags(w, fs)
	})
	if status >= 0 {
		return status
	}
	if len(inputs)+len(rest) > 0 {
		fmt.Fprintln(stderr, usagef("executor", "unexpected argument %q", append(inputs, rest...)[0]))
		return 2
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
	// The program's EH frames are registered when its code is finalized,
	// the last step before it runs: load libgcc_s's registration (a
	// dlopen, 0.13 ms) while the controller is still linking.
	preloadEHRuntime()
	return serve(context.Background(), stderr)
}

// childExecutorEnv is the extra environment of a `gorc executor` child
// that gorc spawns (-exec child): the static-TLS surplus it would
// otherwise re-execute itself to get (runExecutor), so the child starts
// once instead of twice.
func childExecutorEnv() []string {
	env, _ := executor.StaticTLSEnv(staticTLSSurplus)
	return []string{env}
}

// preloadEHRuntime loads the in-process EH-frame registration runtime
// (libgcc_s) on a spare thread: see executor.PreloadEHRuntime.
func preloadEHRuntime() { go executor.PreloadEHRuntime() }
