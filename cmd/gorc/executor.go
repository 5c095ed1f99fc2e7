package main

import (
	"io"
)

const executorSummary = "serve as an executor process (stdin/stdout, or TCP with -listen)"

func init() {
	register("executor", executorSummary, func(args []string, stdout, stderr io.Writer) int {
		return runExecutor(args, stdout, stderr)
	})
}

// helpRequested reports whether args ask for help (-h, -help, --help)
// before any "--".
func helpRequested(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}
