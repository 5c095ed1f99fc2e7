//go:build cgo

package jit_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
)

// lazyAliasDefIR defines impl and the internal hid behind aliases (and
// a variable behind one); lazyAliasUseIR, another module, calls and
// reads them only by their alias names (and impl by its own).
const lazyAliasDefIR = `@f = alias i32 (i32), ptr @impl
@fw = weak alias i32 (i32), ptr @impl
@fh = alias i32 (i32), ptr @hid
@va = alias i32, ptr @v
@v = global i32 100
define i32 @impl(i32 %x) {
  %y = add i32 %x, 1
  ret i32 %y
}
define internal i32 @hid(i32 %x) {
  %y = mul i32 %x, 2
  ret i32 %y
}
`

const lazyAliasUseIR = `declare i32 @f(i32)
declare i32 @fw(i32)
declare i32 @fh(i32)
declare i32 @impl(i32)
@va = external global i32
define i32 @main() {
  %a = call i32 @f(i32 1)
  %b = call i32 @fw(i32 2)
  %c = call i32 @impl(i32 3)
  %d = call i32 @fh(i32 4)
  %v = load i32, ptr @va
  %s1 = add i32 %a, %b
  %s2 = add i32 %s1, %c
  %s3 = add i32 %s2, %d
  %s4 = sub i32 %v, %s3
  ret i32 %s4
}
`

// TestLazyIRAliases: with -lazy, an alias is its target's stub (the same
// address), and a body called through both its names is compiled once.
func TestLazyIRAliases(t *testing.T) {
	for _, exec := range []string{"local", "child"} {
		for _, part := range []jit.Partitioning{jit.PartitionFunction, jit.PartitionModule} {
			t.Run(fmt.Sprintf("%s/partition=%d", exec, part), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				j, err := jit.New(ctx, jit.Options{Exec: exec, ExecutorCommand: []string{os.Args[0]}})
				if err != nil {
					t.Fatal(err)
				}
				defer j.Close(ctx)
				if err := j.AddLazyIR(ctx, "def.ll", []byte(lazyAliasDefIR), 2, part); err != nil {
					t.Fatal(err)
				}
				if err := j.AddLazyIR(ctx, "use.ll", []byte(lazyAliasUseIR), 2, part); err != nil {
					t.Fatal(err)
				}
				addr, err := j.Lookup(ctx, "main")
				if err != nil {
					t.Fatal(err)
				}
				impl, err := j.Lookup(ctx, "impl")
				if err != nil {
					t.Fatal(err)
				}
				for _, n := range []string{"f", "fw"} {
					a, err := j.Lookup(ctx, n)
					if err != nil {
						t.Fatal(err)
					}
					if a != impl {
						t.Errorf("alias %s at %#x, its target impl at %#x: want the same stub", n, a, impl)
					}
				}
				st, err := j.EPC.RunAsMain(ctx, addr, []string{"m"})
				if err != nil {
					t.Fatal(err)
				}
				// 100 - (2 + 3 + 4 + 8)
				if st != 83 {
					t.Errorf("main returned %d, want 83", st)
				}
				// main, impl (once, for its three names) and hid, by
				// function or by module.
				if n, want := j.LazyCompiled(), int64(3); n != want {
					t.Errorf("%d functions compiled, want %d", n, want)
				}
			})
		}
	}
}
