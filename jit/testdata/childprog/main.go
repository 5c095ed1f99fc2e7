// Command childprog is a program that uses the jit package with a child
// executor and the default executor command (itself), as a library user
// would write it: jit.ServeExecutorIfChild first in main, then jit.New
// with Exec "child". With CHILDPROG_NOHOOK=1 in the environment (which
// the child inherits) it omits the first line, to show the error that
// says what is missing.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/gorc-jit/gorc/jit"
)

func main() {
	if os.Getenv("CHILDPROG_NOHOOK") != "1" {
		jit.ServeExecutorIfChild()
	}
	ctx := context.Background()
	j, err := jit.New(ctx, jit.Options{Exec: "child"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "childprog:", err)
		os.Exit(1)
	}
	defer j.Close(ctx)
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: childprog OBJECT")
		os.Exit(2)
	}
	if err := j.AddObjectFile(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "childprog:", err)
		os.Exit(1)
	}
	poly, err := jit.Func[func(float64) float64](j, "poly")
	if err != nil {
		fmt.Fprintln(os.Stderr, "childprog:", err)
		os.Exit(1)
	}
	pid, err := jit.Func[func() int32](j, "getpid")
	if err != nil {
		fmt.Fprintln(os.Stderr, "childprog:", err)
		os.Exit(1)
	}
	fmt.Println(poly(2.5), pid() != int32(os.Getpid()))
}
