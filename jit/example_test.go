//go:build cgo

package jit_test

import (
	"context"
	"fmt"
	"os"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/kaleidoscope"
)

// Link a gcc-compiled object and call its functions as Go functions.
func ExampleFunc() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "jit-example")
	defer os.RemoveAll(dir)
	obj, err := cc(dir, "poly", `
double poly(double x) { return (x * x + 1.0) * x - 2.0; }
double mix(int i, double d, long l, float f) { return i + d + l + f; }`)
	if err != nil {
		fmt.Println(err)
		return
	}
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer j.Close(ctx)
	if err := j.AddObjectFile(obj); err != nil {
		fmt.Println(err)
		return
	}
	poly, err := jit.Func[func(float64) float64](j, "poly")
	if err != nil {
		fmt.Println(err)
		return
	}
	// C's int is int32, long is int64.
	mix, err := jit.Func[func(int32, float64, int64, float32) float64](j, "mix")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(poly(2.5), mix(-1, 0.5, 10, 0.25))
	// A mistake in the type is caught before any call.
	_, err = jit.Func[func(string) float64](j, "poly")
	fmt.Println(err)
	// Output:
	// 16.125 9.75
	// jit: Func[func(string) float64]("poly"): argument 1: type string is not supported: want an integer, bool, float32, float64 or uintptr (not string)
}

// Link against a static archive (Debian's libz.a): the members an object
// needs are linked on demand, as a static linker would, and a function
// from the archive is called directly.
func ExampleJIT_AddArchive() {
	ctx := context.Background()
	const libz = "/usr/lib/x86_64-linux-gnu/libz.a" // zlib1g-dev
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer j.Close(ctx)
	if err := j.AddArchive(libz); err != nil {
		fmt.Println(err)
		return
	}
	// uLong compressBound(uLong sourceLen)
	bound, err := jit.Func[func(uint64) uint64](j, "compressBound")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(bound(1000))
	// Output: 1013
}

// Compile a module in gorc's LLVM-IR subset and call it.
func ExampleJIT_AddIR() {
	ctx := context.Background()
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer j.Close(ctx)
	src := `
define i64 @fact(i64 %n) {
entry:
  %small = icmp sle i64 %n, 1
  br i1 %small, label %one, label %rec
one:
  ret i64 1
rec:
  %m = sub i64 %n, 1
  %r = call i64 @fact(i64 %m)
  %p = mul i64 %n, %r
  ret i64 %p
}
`
	if err := j.AddIR(ctx, "fact.ll", []byte(src), 2); err != nil {
		fmt.Println(err)
		return
	}
	fact, err := jit.Func[func(int64) int64](j, "fact")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(fact(20))
	// Output: 2432902008176640000
}

// Compile Kaleidoscope into a JIT as a library module (no main, private
// runtime helpers, so C objects with their own main and printd can join
// the same JIT) and call its functions, without printing the IR.
func ExampleJIT_AddModule() {
	ctx := context.Background()
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer j.Close(ctx)
	m, diags, err := kaleidoscope.CompileLibrary(ctx, "lib.k", nil, [][]byte{[]byte(`
def fib(n) if n < 2 then n else fib(n-1) + fib(n-2);
`)})
	if err != nil || len(diags) > 0 {
		fmt.Println(diags, err)
		return
	}
	if err := j.AddModule(ctx, m, 2); err != nil {
		fmt.Println(err)
		return
	}
	fib, err := jit.Func[func(float64) float64](j, "fib")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(fib(20))
	// Output: 6765
}

// Run code in a child executor process. With the default ExecutorCommand
// the child is this program run again, so main must begin with
//
//	jit.ServeExecutorIfChild()
//
// (this package's TestMain does). Typed calls and whole programs run in
// the child; a crash there does not take this process down.
func ExampleServeExecutorIfChild() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "jit-example")
	defer os.RemoveAll(dir)
	obj, err := cc(dir, "prog", `
#include <unistd.h>
long pid(void) { return getpid(); }
int main(int argc, char **argv) { return 40 + argc; }`)
	if err != nil {
		fmt.Println(err)
		return
	}
	j, err := jit.New(ctx, jit.Options{Exec: "child"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer j.Close(ctx)
	if err := j.AddObjectFile(obj); err != nil {
		fmt.Println(err)
		return
	}
	pid, err := jit.Func[func() int64](j, "pid")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("runs in another process:", pid() != int64(os.Getpid()))
	// RunMain runs main as a C program runs and ends the child with its
	// status.
	status, err := j.RunMain(ctx, "main", []string{"prog", "x"})
	fmt.Println(status, err)
	// Output:
	// runs in another process: true
	// 42 <nil>
}
