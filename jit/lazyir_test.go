//go:build cgo

package jit_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"gorc/jit"
)

// lazyModuleIR: main calls the internal f (which reads an internal
// global); g is never called.
const lazyModuleIR = `@counter = internal global i32 5
define internal i32 @f(i32 %x) {
entry:
  %c = load i32, ptr @counter
  %r = add i32 %x, %c
  ret i32 %r
}
define i32 @g(i32 %x) {
entry:
  ret i32 %x
}
define i32 @main() {
entry:
  %v = call i32 @f(i32 37)
  ret i32 %v
}
`

// TestAddLazyIRCompilesOnDemand: functions are compiled only when first
// called, as many as the partitioning says (g is never called, so it is
// compiled only when the whole module is), in this process and in a
// child executor; internal functions and globals work across partitions.
func TestAddLazyIRCompilesOnDemand(t *testing.T) {
	tests := []struct {
		part jit.Partitioning
		want int64
	}{
		{jit.PartitionFunction, 2}, // main, then f on its first call
		{jit.PartitionCallees, 2},  // main with its callee f
		{jit.PartitionModule, 3},   // everything
	}
	for _, exec := range []string{"local", "child"} {
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%s/partition=%d", exec, tc.part), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				j, err := jit.New(ctx, jit.Options{Exec: exec, ExecutorCommand: []string{os.Args[0]}})
				if err != nil {
					t.Fatal(err)
				}
				defer j.Close(ctx)
				if err := j.AddLazyIR(ctx, "m.ll", []byte(lazyModuleIR), 2, tc.part); err != nil {
					t.Fatal(err)
				}
				addr, err := j.Lookup(ctx, "main")
				if err != nil {
					t.Fatal(err)
				}
				if err := j.LinkAll(ctx); err != nil {
					t.Fatal(err)
				}
				if n := j.LazyCompiled(); n != 0 {
					t.Fatalf("%d functions compiled before anything ran", n)
				}
				st, err := j.EPC.RunAsMain(ctx, addr, []string{"m"})
				if err != nil {
					t.Fatal(err)
				}
				if st != 42 {
					t.Errorf("main returned %d, want 42", st)
				}
				if n := j.LazyCompiled(); n != tc.want {
					t.Errorf("%d functions compiled, want %d", n, tc.want)
				}
			})
		}
	}
}
