//go:build cgo

package jit_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/kaleidoscope"
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

// TestLazyKaleidoscopeModuleFromThreads: a Kaleidoscope module added with
// AddLazyIR is driven by 8 pthreads of a C program that make their first
// calls at once; every function is compiled exactly once (the runtime
// helpers, never called, never), results are right, in this process and
// in a child executor.
func TestLazyKaleidoscopeModuleFromThreads(t *testing.T) {
	g := kaleidoscope.NewGenerator("k")
	src := "def k0(x) x*2;\ndef k1(x) k0(x)+1;\ndef k2(x) k1(x)*k0(x);\ndef k3(x) if x < 2 then 1 else k3(x-1)+k3(x-2);\n"
	if d, err := g.AddSource(context.Background(), "k.k", []byte(src)); err != nil || len(d) > 0 {
		t.Fatalf("%v %v", d, err)
	}
	var ll strings.Builder
	if _, err := g.Module.WriteTo(&ll); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mainObj, err := cc(dir, "main", `#include <pthread.h>
extern double k0(double), k1(double), k2(double), k3(double);
static double (*const ks[4])(double) = {k0, k1, k2, k3};
static pthread_barrier_t bar;
static double res[8][4];
static void *worker(void *arg) {
	long i = (long)arg;
	pthread_barrier_wait(&bar);
	for (int k = 0; k < 4; k++) res[i][(i + k) % 4] = ks[(i + k) % 4]((double)(i + 5));
	return 0;
}
static double fib(double x) { return x < 2 ? 1 : fib(x - 1) + fib(x - 2); }
int main(void) {
	pthread_t t[8];
	pthread_barrier_init(&bar, 0, 8);
	for (long i = 0; i < 8; i++) if (pthread_create(&t[i], 0, worker, (void *)i)) return 100;
	for (int i = 0; i < 8; i++) pthread_join(t[i], 0);
	int bad = 0;
	for (int i = 0; i < 8; i++) {
		double x = i + 5;
		if (res[i][0] != x * 2 || res[i][1] != x * 2 + 1 || res[i][2] != (x * 2 + 1) * (x * 2) || res[i][3] != fib(x)) bad++;
	}
	return bad;
}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, exec := range []string{"local", "child"} {
		t.Run(exec, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			j, err := jit.New(ctx, jit.Options{Exec: exec, ExecutorCommand: []string{os.Args[0]}})
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.AddLazyIR(ctx, "k.ll", []byte(ll.String()), 2, jit.PartitionFunction); err != nil {
				t.Fatal(err)
			}
			if err := j.AddObjectFile(mainObj); err != nil {
				t.Fatal(err)
			}
			addr, err := j.Lookup(ctx, "main")
			if err != nil {
				t.Fatal(err)
			}
			st, err := j.EPC.RunAsMain(ctx, addr, []string{"k"})
			if err != nil {
				t.Fatal(err)
			}
			if st != 0 {
				t.Errorf("%d threads got wrong results", st)
			}
			if n := j.LazyCompiled(); n != 4 {
				t.Errorf("%d functions compiled, want 4 (k0..k3, each once)", n)
			}
		})
	}
}

// TestTwoInProcessLazyJITs: two JITs in one process each answer their own
// lazy re-entries (the re-entry handler used to be one per process, so
// the second JIT's lazy set-up left the first one's stubs unanswerable).
func TestTwoInProcessLazyJITs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mod := func(k int) string {
		return fmt.Sprintf(`define internal i32 @f(i32 %%x) {
entry:
  %%r = add i32 %%x, %d
  ret i32 %%r
}
define i32 @entry(i32 %%x) {
entry:
  %%v = call i32 @f(i32 %%x)
  ret i32 %%v
}
`, k)
	}
	var js []*jit.JIT
	for k := 1; k <= 2; k++ {
		j, err := jit.New(ctx, jit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close(ctx)
		if err := j.AddLazyIR(ctx, fmt.Sprintf("m%d.ll", k), []byte(mod(100*k)), 2, jit.PartitionFunction); err != nil {
			t.Fatal(err)
		}
		js = append(js, j)
	}
	// The first JIT first: its handler was installed before the second's.
	for i, j := range js {
		f, err := jit.Func[func(int32) int32](j, "entry")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := f(1), int32(100*(i+1)+1); got != want {
			t.Errorf("JIT %d: entry(1) = %d, want %d", i+1, got, want)
		}
		if n := j.LazyCompiled(); n != 2 {
			t.Errorf("JIT %d: %d functions compiled, want 2", i+1, n)
		}
	}
	// Closing one JIT leaves the other's lazy code working.
	js[1].Close(ctx)
	f, err := jit.Func[func(int32) int32](js[0], "entry")
	if err != nil {
		t.Fatal(err)
	}
	if got := f(2); got != 102 {
		t.Errorf("after closing JIT 2: entry(2) = %d, want 102", got)
	}
}
