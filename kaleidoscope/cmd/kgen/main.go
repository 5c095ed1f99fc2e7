// Command kgen prints kaleidoscope.SyntheticProgram(N), the compile-speed
// benchmark input: go run ./kaleidoscope/cmd/kgen 2000 > prog.k
package main

import (
	"fmt"
	"os"
	"strconv"

	"gorc/kaleidoscope"
)

func main() {
	n := 2000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 1 || v > 1_000_000 {
			fmt.Fprintf(os.Stderr, "usage: kgen [N]  (1 <= N <= 1000000)\n")
			os.Exit(2)
		}
		n = v
	}
	os.Stdout.Write(kaleidoscope.SyntheticProgram(n))
}
