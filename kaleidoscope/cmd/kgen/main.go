// Command kgen prints kaleidoscope.SyntheticProgram(N), the compile-speed
// benchmark input: go run ./kaleidoscope/cmd/kgen 2000 > prog.k
// With -c it prints the same program in C (kaleidoscope.SyntheticProgramC),
// for a C compiler as a peer: go run ./kaleidoscope/cmd/kgen -c 2000 > prog.c
// With -called P it prints kaleidoscope.SyntheticProgramCalled(N, P)
// instead: N functions that do not call each other (each calls only f0),
// of which P percent are called from the top-level expression, the
// lazy-compilation start-up input: go run ./kaleidoscope/cmd/kgen -called 1 10000
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/gorc-jit/gorc/kaleidoscope"
)

func main() {
	c := flag.Bool("c", false, "print the program in C instead of Kaleidoscope")
	called := flag.Float64("called", 0, "print N independent functions of which `P` percent are called (0 < P <= 100)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: kgen [-c | -called P] [N]  (1 <= N <= 1000000, default 2000)\n")
	}
	flag.Parse()
	n := 2000
	if flag.NArg() > 1 {
		flag.Usage()
		os.Exit(2)
	}
	if flag.NArg() == 1 {
		v, err := strconv.Atoi(flag.Arg(0))
		if err != nil || v < 1 || v > 1_000_000 {
			flag.Usage()
			os.Exit(2)
		}
		n = v
	}
	if *called < 0 || *called > 100 || (*called > 0 && *c) {
		flag.Usage()
		os.Exit(2)
	}
	if *called > 0 {
		os.Stdout.Write(kaleidoscope.SyntheticProgramCalled(n, *called))
		return
	}
	if *c {
		os.Stdout.Write(kaleidoscope.SyntheticProgramC(n))
		return
	}
	os.Stdout.Write(kaleidoscope.SyntheticProgram(n))
}
