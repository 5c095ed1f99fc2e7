package main

import (
	"fmt"
	"io"
)

func init() {
	register("kaleido", "compile and run Kaleidoscope (REPL on a terminal, batch otherwise)", func(args []string, stdout, stderr io.Writer) int {
		fmt.Fprintln(stderr, "gorc kaleido: not implemented yet (see the open issues)")
		return 2
	})
}
