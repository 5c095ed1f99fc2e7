package main

import "io"

const executorSummary = "serve as an executor process (stdin/stdout, or TCP with -listen)"

func init() {
	register("executor", executorSummary, func(args []string, stdout, stderr io.Writer) int {
		return runExecutor(args, stderr)
	})
}
