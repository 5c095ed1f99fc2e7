//go:build cgo

package jit_test

import (
	"context"
	"fmt"
	"net"
	"os"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/jit"
)

// Two JITs (they could be two processes) share one executor: each
// publishes its object and links against the other's, and is_even and
// is_odd call each other across them. Here the shared executor is served
// by this process; `gorc executor -listen ADDR -shared` is the same.
func Example_sharedExecutor() {
	ctx := context.Background()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go executor.ServeListenerConfig(ctx, ln, nil, executor.ListenerConfig{Shared: true})
	addr := "tcp://" + ln.Addr().String()

	dir, _ := os.MkdirTemp("", "jit-shared")
	defer os.RemoveAll(dir)
	even, _ := cc(dir, "even", "int is_odd(int); int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }")
	odd, _ := cc(dir, "odd", "int is_even(int); int is_odd(int n) { return n == 0 ? 0 : is_even(n - 1); }")

	a, err := jit.New(ctx, jit.Options{Exec: addr, Publish: "a", LinkShared: []string{"b"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close(ctx)
	b, err := jit.New(ctx, jit.Options{Exec: addr, Publish: "b", LinkShared: []string{"a"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close(ctx)
	a.AddObjectFile(even)
	b.AddObjectFile(odd)

	// Each link waits for the other's symbols to be Resolved, and each
	// call for everything it depends on to be Ready: link concurrently.
	done := make(chan func(int32) int32)
	go func() { f, _ := jit.Func[func(int32) int32](b, "is_odd"); done <- f }()
	isEven, err := jit.Func[func(int32) int32](a, "is_even")
	if err != nil {
		fmt.Println(err)
		return
	}
	isOdd := <-done
	fmt.Println(isEven(10), isOdd(10))
	// Output: 1 0
}
