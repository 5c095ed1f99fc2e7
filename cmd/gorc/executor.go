package main

import (
	"fmt"
	"io"
)

func init() {
	register("executor", "serve as an executor process (stdin/stdout, or TCP with -listen)", func(args []string, stdout, stderr io.Writer) int {
		fmt.Fprintln(stderr, "gorc executor: not implemented yet (see the open issues)")
		return 2
	})
}
