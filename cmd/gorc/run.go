package main

import (
	"fmt"
	"io"
)

func init() {
	register("run", "JIT-link and run main(argc, argv) from objects, archives and shared libraries", func(args []string, stdout, stderr io.Writer) int {
		fmt.Fprintln(stderr, "gorc run: not implemented yet (see the open issues)")
		return 2
	})
}
