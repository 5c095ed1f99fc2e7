//go:build cgo

package jit_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/orc"
)

// specChain is a Kaleidoscope chain of n functions: k0(x) = x*2,
// k_i(x) = k_{i-1}(x) + 1, so that k_i(x) = 2x + i; and unused(x), which
// k1 calls in a branch never taken (compiled only speculatively).
func specChain(t *testing.T, n int) string {
	t.Helper()
	var src strings.Builder
	src.WriteString("def unused(x) x*3;\ndef k0(x) x*2;\ndef k1(x) if x < 0-1000000 then unused(x) else k0(x)+1;\n")
	for i := 2; i < n; i++ {
		fmt.Fprintf(&src, "def k%d(x) k%d(x)+1;\n", i, i-1)
	}
	g := kaleidoscope.NewGenerator("k")
	if d, err := g.AddSource(context.Background(), "k.k", []byte(src.String())); err != nil || len(d) > 0 {
		t.Fatalf("%v %v", d, err)
	}
	var ll strings.Builder
	if _, err := g.Module.WriteTo(&ll); err != nil {
		t.Fatal(err)
	}
	return ll.String()
}

// TestLazyIRSpeculateFromThreads: with Options.Speculate, 8 pthreads make
// first calls into a chain of 300 functions at once while speculative
// batches compile the chain ahead of them: every function is compiled
// exactly once (on demand or speculatively: LazyCompiled counts both,
// and would exceed the functions if one were compiled twice), results
// are right, in this process and in a child executor.
func TestLazyIRSpeculateFromThreads(t *testing.T) {
	const n = 300
	ll := specChain(t, n)
	dir := t.TempDir()
	mainObj, err := cc(dir, "main", fmt.Sprintf(`#include <pthread.h>
extern double k%d(double), k%d(double), k%d(double), k%d(double);
static double (*const ks[4])(double) = {k%d, k%d, k%d, k%d};
static const int is[4] = {%d, %d, %d, %d};
static pthread_barrier_t bar;
static double res[8];
static void *worker(void *arg) {
	long i = (long)arg;
	pthread_barrier_wait(&bar);
	res[i] = ks[i %% 4]((double)i);
	return 0;
}
int main(void) {
	pthread_t t[8];
	pthread_barrier_init(&bar, 0, 8);
	for (long i = 0; i < 8; i++) if (pthread_create(&t[i], 0, worker, (void *)i)) return 100;
	for (int i = 0; i < 8; i++) pthread_join(t[i], 0);
	int bad = 0;
	for (int i = 0; i < 8; i++) if (res[i] != 2.0 * i + is[i %% 4]) bad++;
	return bad;
}`, n-1, n-50, n/2, 10, n-1, n-50, n/2, 10, n-1, n-50, n/2, 10))
	if err != nil {
		t.Fatal(err)
	}
	for _, exec := range []string{"local", "child"} {
		t.Run(exec, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			j, err := jit.New(ctx, jit.Options{Exec: exec, ExecutorCommand: []string{os.Args[0]}, Speculate: true})
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.AddLazyIR(ctx, "k.ll", []byte(ll), 2, jit.PartitionFunction); err != nil {
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
			// Speculation may still be compiling unused (never called):
			// n functions at least, n+1 at most, never more.
			got := j.LazyCompiled()
			if got < n || got > n+1 {
				t.Errorf("%d functions compiled, want %d or %d (k0..k%d and maybe unused, each once)", got, n, n+1, n-1)
			}
			t.Logf("%d compiled, %d of them speculatively", got, j.LazySpeculated())
		})
	}
}

// TestLazyIRSpeculateFailure: a function whose body is invalid is left
// out of speculative batches: the program runs while it is never called,
// and its first call fails naming it, as without speculation.
func TestLazyIRSpeculateFailure(t *testing.T) {
	const src = `define i32 @bad(i32 %x) {
entry:
  %r = add i32 %x, %nosuch
  ret i32 %r
}
define i32 @ok(i32 %x) {
entry:
  %r = add i32 %x, 1
  ret i32 %r
}
define i32 @main() {
entry:
  %a = call i32 @ok(i32 41)
  %c = icmp slt i32 %a, 0
  br i1 %c, label %then, label %done
then:
  %b = call i32 @bad(i32 %a)
  ret i32 %b
done:
  ret i32 %a
}
define i32 @callsbad() {
entry:
  %b = call i32 @bad(i32 1)
  ret i32 %b
}
`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	j, err := jit.New(ctx, jit.Options{Speculate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if err := j.AddLazyIR(ctx, "m.ll", []byte(src), 2, jit.PartitionFunction); err != nil {
		t.Fatal(err)
	}
	addr, err := j.Lookup(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	st, err := j.EPC.RunAsMain(ctx, addr, []string{"m"})
	if err != nil || st != 42 {
		t.Fatalf("main: %d, %v; want 42", st, err)
	}
	// bad's first call (compiling it on demand) reports its error.
	bodies, _, err := j.LazyDylibs()
	if err != nil {
		t.Fatal(err)
	}
	_, err = j.ES.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, bodies), orc.NewSymbolLookupSet(j.ES.Intern("bad")), orc.SymbolStateReady)
	if err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("compiling bad: %v, want an error naming %%nosuch", err)
	}
}

// TestLazyIRSpeculateUndefined: a function calling an extern nothing
// defines is left out of speculative batches, so that the batch's link
// does not fail for the other functions in it (before, main's call of
// dispatch failed, naming no_such_extern, though only bad calls it): the
// program runs while bad is never called, and bad's first call fails
// naming the symbol, as without speculation. Also through an undefined
// global.
func TestLazyIRSpeculateUndefined(t *testing.T) {
	const src = `declare i32 @no_such_extern(i32)
@no_such_global = external global i32
define i32 @good1(i32 %x) {
  %r = add i32 %x, 1
  ret i32 %r
}
define i32 @bad(i32 %x) {
  %r = call i32 @no_such_extern(i32 %x)
  ret i32 %r
}
define i32 @badg(i32 %x) {
  %v = load i32, ptr @no_such_global
  %r = add i32 %v, %x
  ret i32 %r
}
define i32 @good2(i32 %x) {
  %a = call i32 @good1(i32 %x)
  %r = mul i32 %a, 2
  ret i32 %r
}
define i32 @dispatch(i32 %x) {
  %c = icmp sgt i32 %x, 100
  br i1 %c, label %b, label %g
b:
  %r1 = call i32 @bad(i32 %x)
  %r3 = call i32 @badg(i32 %r1)
  ret i32 %r3
g:
  %r2 = call i32 @good2(i32 %x)
  ret i32 %r2
}
define i32 @main() {
  %r = call i32 @dispatch(i32 5)
  ret i32 %r
}
`
	for _, exec := range []string{"local", "child"} {
		t.Run(exec, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			j, err := jit.New(ctx, jit.Options{Exec: exec, ExecutorCommand: []string{os.Args[0]}, Speculate: true})
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.AddLazyIR(ctx, "u.ll", []byte(src), 2, jit.PartitionFunction); err != nil {
				t.Fatal(err)
			}
			addr, err := j.Lookup(ctx, "main")
			if err != nil {
				t.Fatal(err)
			}
			st, err := j.EPC.RunAsMain(ctx, addr, []string{"u"})
			if err != nil || st != 12 {
				t.Fatalf("main: %d, %v; want 12", st, err)
			}
			bodies, _, err := j.LazyDylibs()
			if err != nil {
				t.Fatal(err)
			}
			for fn, sym := range map[string]string{"bad": "no_such_extern", "badg": "no_such_global"} {
				_, err = j.ES.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, bodies), orc.NewSymbolLookupSet(j.ES.Intern(fn)), orc.SymbolStateReady)
				if err == nil || !strings.Contains(err.Error(), sym) {
					t.Errorf("compiling %s: %v, want an error naming %s", fn, err, sym)
				}
			}
		})
	}
}

// TestLazyIRSpeculateCompileFailure: a function that parses and verifies
// but that the backend refuses (a call of a function returning three
// integers, which need more registers than the psABI's two: three
// itself fails too; an alloca aligned beyond 16 bytes did until the
// reader learnt to over-allocate such allocas) is in
// a speculative batch with the functions that call it and others. The
// batch's compile fails; its functions are then compiled apart, so that
// only bad fails, naming itself, and the program runs while bad is never
// called (before, every function of the batch failed with bad's error,
// and main's call of dispatch with them).
func TestLazyIRSpeculateCompileFailure(t *testing.T) {
	const src = `define i32 @good1(i32 %x) {
  %r = add i32 %x, 1
  ret i32 %r
}
define { i64, i64, i64 } @three(i64 %x) {
  %a = insertvalue { i64, i64, i64 } undef, i64 %x, 0
  ret { i64, i64, i64 } %a
}
define i32 @bad(i32 %x) {
  %w = sext i32 %x to i64
  %s = call { i64, i64, i64 } @three(i64 %w)
  %e = extractvalue { i64, i64, i64 } %s, 0
  %r = trunc i64 %e to i32
  ret i32 %r
}
define i32 @good2(i32 %x) {
  %a = call i32 @good1(i32 %x)
  %r = mul i32 %a, 2
  ret i32 %r
}
define i32 @dispatch(i32 %x) {
  %c = icmp sgt i32 %x, 100
  br i1 %c, label %b, label %g
b:
  %r1 = call i32 @bad(i32 %x)
  ret i32 %r1
g:
  %r2 = call i32 @good2(i32 %x)
  ret i32 %r2
}
define i32 @main() {
  %r = call i32 @dispatch(i32 5)
  ret i32 %r
}
`
	for _, exec := range []string{"local", "child"} {
		t.Run(exec, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			j, err := jit.New(ctx, jit.Options{Exec: exec, ExecutorCommand: []string{os.Args[0]}, Speculate: true})
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.AddLazyIR(ctx, "c.ll", []byte(src), 0, jit.PartitionFunction); err != nil {
				t.Fatal(err)
			}
			addr, err := j.Lookup(ctx, "main")
			if err != nil {
				t.Fatal(err)
			}
			bodies, _, err := j.LazyDylibs()
			if err != nil {
				t.Fatal(err)
			}
			// Compiling main's body queues dispatch; one batch then claims
			// dispatch, bad, three, good2 and good1 (main runs only once the
			// batch is done, so that no first call takes one of them
			// alone), and compiles dispatch, good2 and good1.
			if _, err := j.ES.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, bodies), orc.NewSymbolLookupSet(j.ES.Intern("main")), orc.SymbolStateReady); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(10 * time.Second); j.LazySpeculated() < 3 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			st, err := j.EPC.RunAsMain(ctx, addr, []string{"c"})
			if err != nil || st != 12 {
				t.Fatalf("main: %d, %v; want 12", st, err)
			}
			if got := j.LazySpeculated(); got != 3 {
				t.Errorf("%d functions compiled speculatively, want 3 (dispatch, good2, good1)", got)
			}
			_, err = j.ES.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, bodies), orc.NewSymbolLookupSet(j.ES.Intern("bad")), orc.SymbolStateReady)
			if err == nil || !strings.Contains(err.Error(), "lazy compile of bad:") || !strings.Contains(err.Error(), "returning { i64, i64, i64 }") {
				t.Errorf("compiling bad: %v, want an error naming bad and its call's three-register return", err)
			}
		})
	}
}

// TestMissingRefsRemembered: MissingRefs looks a missing name up again
// on each call (a later input may define it) until InputsComplete; from
// then on the first lookup's answer stands, and later calls (later
// speculative batches) make no lookup, in a child executor (where each
// was a round trip) as here.
func TestMissingRefsRemembered(t *testing.T) {
	m, err := ir.ParseString("r.ll", `declare i32 @no_such_extern(i32)
declare i32 @abs(i32)
define i32 @bad(i32 %x) {
  %r = call i32 @no_such_extern(i32 %x)
  ret i32 %r
}
define i32 @good(i32 %x) {
  %r = call i32 @abs(i32 %x)
  ret i32 %r
}
`)
	if err != nil {
		t.Fatal(err)
	}
	var fns []*ir.Function
	for _, f := range m.Funcs {
		if !f.IsDeclaration() {
			fns = append(fns, f)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	j, err := jit.New(ctx, jit.Options{Exec: "child", ExecutorCommand: []string{os.Args[0]}})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if err := j.LinkAll(ctx); err != nil { // (the executor's symbols are in from here)
		t.Fatal(err)
	}
	none := func(string) bool { return false }
	steps := []struct {
		complete bool  // call InputsComplete first
		lookups  int64 // RefLookups after the call
	}{
		{false, 1}, // abs found (remembered), no_such_extern missing
		{false, 2}, // no_such_extern looked up again
		{true, 3},  // looked up again, now remembered as missing
		{true, 3},  // no lookup
		{true, 3},
	}
	for i, s := range steps {
		if s.complete {
			j.InputsComplete()
		}
		missing, err := j.MissingRefs(ctx, fns, none)
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) != 1 || !missing["no_such_extern"] {
			t.Errorf("step %d: missing %v, want no_such_extern only", i, missing)
		}
		if got := j.RefLookups(); got != s.lookups {
			t.Errorf("step %d: %d lookups in all, want %d", i, got, s.lookups)
		}
	}
}
