//go:build cgo

package epc_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// Run a hand-assembled main (mov eax, 42; ret) in this process.
func Example() {
	ctx := context.Background()
	e, err := epc.NewInProcess()
	if err != nil {
		panic(err)
	}
	defer e.Close(ctx)
	r, _ := e.Reserve(ctx, e.PageSize(), false)
	e.Protect(ctx, r, shared.ProtRead|shared.ProtWrite)
	e.Write(ctx, r.Start, []byte{0xb8, 42, 0, 0, 0, 0xc3})
	e.Protect(ctx, r, shared.ProtRead|shared.ProtExec) // W^X: never both
	status, err := e.RunAsMain(ctx, r.Start, []string{"prog"})
	fmt.Println(status, err)
	// Output: 42 <nil>
}

// Look up process symbols (libc, plus the runtime helpers that a static
// link would take from libc_nonshared.a) and load -lm.
func ExampleInProcess_LookupSymbols() {
	ctx := context.Background()
	e, _ := epc.NewInProcess()
	defer e.Close(ctx)
	addrs, _ := e.LookupSymbols(ctx, 0, []string{"printf", "atexit", "__dso_handle", "no_such_symbol"})
	for _, a := range addrs {
		fmt.Println(a != 0)
	}
	libm, _ := e.LoadDylib(ctx, "-lm", nil)
	cos, _ := e.LookupSymbols(ctx, libm, []string{"cos"})
	fmt.Println(cos[0] != 0)
	// Output:
	// true
	// true
	// true
	// false
	// true
}

// Run programs in a `gorc executor -listen 127.0.0.1:20000` with their
// stdio forwarded over the connection: the program reads "input" and
// writes into out and errs, and this process keeps its own stdin (as the
// Kaleidoscope REPL does with epc.NoStdin). Not run: it needs a listening
// executor.
func ExampleOpen_stdio() {
	ctx := context.Background()
	var out, errs strings.Builder
	e, err := epc.Open(ctx, "tcp://127.0.0.1:20000", epc.OpenOptions{
		Stdio: epc.Stdio{Stdin: strings.NewReader("input\n"), Stdout: &out, Stderr: &errs},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close(ctx)
	// ... link code with memmgr.NewForExecutor(e, false, ...) and run it:
	// when RunAsMain returns, everything the program wrote is in out/errs.
	_ = epc.Stdio{Stdin: epc.NoStdin} // the program reads end-of-file instead
}

// Finalize-style steps that only need to be done before the executor acts
// on anything sent later: outside a lazy re-entry they go as one batch at
// once; while the executor waits in one, they travel in its answer (or
// just ahead of the next call). A read is such a later call, so it sees
// them.
func ExampleRemote_BatchBeforeNext() {
	ctx := context.Background()
	e, err := epc.SpawnChild(ctx, exec.Command(os.Args[0])) // this test binary serves as an executor
	if err != nil {
		panic(err)
	}
	defer e.Close(ctx)
	r, _ := e.Reserve(ctx, e.PageSize(), false)
	n, err := e.BatchBeforeNext(ctx, []epc.MemOp{
		{Kind: epc.MemOpProtect, Range: r, Prot: shared.ProtRead | shared.ProtWrite},
		{Kind: epc.MemOpWrite, Addr: r.Start, Data: []byte("code")},
		{Kind: epc.MemOpProtect, Range: r, Prot: shared.ProtRead},
	})
	fmt.Println(n, err)
	b, err := e.Read(ctx, r.Start, 4)
	fmt.Printf("%s %v\n", b, err)
	// Output:
	// 3 <nil>
	// code <nil>
}
