//go:build cgo

package jit_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
)

// TestAddLazyObject: objects whose definitions are all functions are
// linked on the first call of one of them (never, if none is called);
// an object defining data is linked eagerly; function pointers taken
// across objects work; in this process and in a child executor.
func TestAddLazyObject(t *testing.T) {
	dir := t.TempDir()
	srcs := []struct{ name, src string }{
		{"main", `extern int add(int, int), twice(int), counter;
int (*pick(void))(int, int) { return add; }
int main(void) { counter += 2; return pick()(twice(10), counter); }`},
		{"arith", `int add(int a, int b) { return a + b; }
int twice(int x) { return 2 * x; }`},
		{"unused", `int never_called(int x) { return x * 7; }`},
		{"data", `int counter = 20;`},
	}
	var objs []string
	for _, s := range srcs {
		o, err := cc(dir, s.name, s.src)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
	for _, exec := range []string{"local", "child"} {
		t.Run(exec, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			j, err := jit.New(ctx, jit.Options{Exec: exec, ExecutorCommand: []string{os.Args[0]}})
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			for _, o := range objs {
				data, err := os.ReadFile(o)
				if err != nil {
					t.Fatal(err)
				}
				if err := j.AddLazyObject(o, data); err != nil {
					t.Fatal(err)
				}
			}
			addr, err := j.Lookup(ctx, "main")
			if err != nil {
				t.Fatal(err)
			}
			if err := j.LinkAll(ctx); err != nil {
				t.Fatal(err)
			}
			if n := j.Layer.Linked(); n != 1 {
				t.Errorf("%d objects linked before main ran, want 1 (the data object)", n)
			}
			st, err := j.EPC.RunAsMain(ctx, addr, []string{"p"})
			if err != nil {
				t.Fatal(err)
			}
			if st != 42 {
				t.Errorf("main returned %d, want 42", st)
			}
			if n := j.Layer.Linked(); n != 3 {
				t.Errorf("%d objects linked, want 3 (data, main, arith; unused never)", n)
			}
		})
	}
}
