//go:build cgo

package jit_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared/wire"
)

// startSharedExecutor serves a shared executor in this process (the
// controllers below reach it over loopback TCP like any other).
func startSharedExecutor(t *testing.T) (string, *executor.Hub) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hub := executor.NewHub()
	done := make(chan struct{})
	go func() {
		defer close(done)
		executor.ServeListenerConfig(ctx, ln, []string{"unused"}, executor.ListenerConfig{Shared: true, Hub: hub})
	}()
	t.Cleanup(func() { cancel(); <-done })
	return "tcp://" + ln.Addr().String(), hub
}

const evenSrc = `int is_odd(int);
int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }`

const oddSrc = `int is_even(int);
int is_odd(int n) { return n == 0 ? 0 : is_even(n - 1); }`

// evenSelfSrc and oddSelfSrc are evenSrc and oddSrc with a private copy
// of the other function: the same code, nothing to share.
const evenSelfSrc = `__attribute__((noipa)) static int odd_self(int n);
__attribute__((noipa)) int is_even(int n) { return n == 0 ? 1 : odd_self(n - 1); }
__attribute__((noipa)) static int odd_self(int n) { return n == 0 ? 0 : is_even(n - 1); }`

const oddSelfSrc = `__attribute__((noipa)) static int even_self(int n);
__attribute__((noipa)) int is_odd(int n) { return n == 0 ? 0 : even_self(n - 1); }
__attribute__((noipa)) static int even_self(int n) { return n == 0 ? 1 : is_odd(n - 1); }`

// sharedJIT makes a controller of the shared executor at addr with the
// object src added.
func sharedJIT(t *testing.T, addr string, opts jit.Options, name, src string) *jit.JIT {
	t.Helper()
	obj, err := cc(t.TempDir(), name, src)
	if err != nil {
		t.Fatal(err)
	}
	opts.Exec = addr
	j, err := jit.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close(context.Background()) })
	if err := j.AddObjectFile(obj); err != nil {
		t.Fatal(err)
	}
	return j
}

func TestSharedMutualRecursion(t *testing.T) {
	addr, hub := startSharedExecutor(t)
	a := sharedJIT(t, addr, jit.Options{Publish: "a", LinkShared: []string{"b"}, SharedTimeout: 20 * time.Second}, "even", evenSrc)
	b := sharedJIT(t, addr, jit.Options{Publish: "b", LinkShared: []string{"a"}, SharedTimeout: 20 * time.Second}, "odd", oddSrc)
	var wg sync.WaitGroup
	var even, odd func(int32) int32
	var errA, errB error
	wg.Add(2)
	go func() { defer wg.Done(); even, errA = jit.Func[func(int32) int32](a, "is_even") }()
	go func() { defer wg.Done(); odd, errB = jit.Func[func(int32) int32](b, "is_odd") }()
	wg.Wait()
	if errA != nil || errB != nil {
		t.Fatalf("link: A: %v; B: %v", errA, errB)
	}
	if got := even(10); got != 1 {
		t.Errorf("A's is_even(10) = %d, want 1", got)
	}
	if got := odd(7); got != 1 {
		t.Errorf("B's is_odd(7) = %d, want 1", got)
	}
	if got := even(7); got != 0 {
		t.Errorf("A's is_even(7) = %d, want 0", got)
	}
	dir := hub.Directory()
	if len(dir) != 2 || dir[0].State != "Ready" || dir[1].State != "Ready" {
		t.Errorf("directory = %+v, want a and b Ready", dir)
	}
	// The round trips of a shared link: no refused requests (map-dual,
	// stdin, batch), the memory steps batched, Emitted and the wait for
	// Ready sent together.
	for _, j := range []*jit.JIT{a, b} {
		ops := j.EPC.(*epc.Remote).CallsByOp()
		for _, op := range []wire.Op{wire.OpMapDual, wire.OpStdin, wire.OpWrite} {
			if ops[op] != 0 {
				t.Errorf("%d %v calls: %v", ops[op], op, ops)
			}
		}
		if ops[wire.OpBatch] == 0 || ops[wire.OpPublish] != 1 || ops[wire.OpEmitted] != 1 || ops[wire.OpSharedAwait] != 1 || ops[wire.OpSharedLookup] != 1 {
			t.Errorf("calls: %v", ops)
		}
		if n := j.EPC.(*epc.Remote).Calls(); n > 12 {
			t.Errorf("%d round trips to link (at most 12 expected): %v", n, ops)
		}
	}
}

func TestSharedNeedsSharedExecutor(t *testing.T) {
	_, err := jit.New(context.Background(), jit.Options{Publish: "a"})
	if err == nil || !strings.Contains(err.Error(), "-shared") {
		t.Fatalf("publishing without a shared executor: %v", err)
	}
}

func TestSharedUndefinedSaysWhere(t *testing.T) {
	addr, _ := startSharedExecutor(t)
	b := sharedJIT(t, addr, jit.Options{Publish: "b"}, "odd", `int is_odd(int n) { return n & 1; }`)
	if err := b.LinkAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	a := sharedJIT(t, addr, jit.Options{LinkShared: []string{"b"}, SharedTimeout: 5 * time.Second}, "use", `
int is_odd(int);
int nowhere(int);
__attribute__((weak)) int gone(int);
int f(int n) { return is_odd(n) + (gone ? 100 : 0); }
int g(int n) { return nowhere(n); }`)
	_, err := jit.Func[func(int32) int32](a, "f")
	t.Log(err)
	var ue *jit.SharedUndefinedError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "nowhere") || !strings.Contains(err.Error(), `shared dylib "b"`) {
		t.Fatalf("err = %v, want the missing nowhere and where it was looked for", err)
	}
}

func TestSharedWeakToNothing(t *testing.T) {
	addr, _ := startSharedExecutor(t)
	b := sharedJIT(t, addr, jit.Options{Publish: "b"}, "odd", `int is_odd(int n) { return n & 1; }`)
	if err := b.LinkAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	a := sharedJIT(t, addr, jit.Options{LinkShared: []string{"b"}, SharedTimeout: 5 * time.Second}, "use", `
int is_odd(int);
__attribute__((weak)) int gone(int);
int f(int n) { return is_odd(n) + (gone ? 100 : 0) + (gone ? gone(n) : 0); }`)
	f, err := jit.Func[func(int32) int32](a, "f")
	if err != nil {
		t.Fatal(err)
	}
	if got := f(3); got != 1 {
		t.Fatalf("f(3) = %d, want 1 (is_odd from b, the weak gone resolved to zero)", got)
	}
}

// BenchmarkSharedLinkAndRun: link-and-run of the mutual-recursion case
// by two controllers of one shared executor (each links its object
// against the other's, concurrently) against one controller linking both
// objects in the same executor. Each iteration connects, links, calls
// and closes; the executor is served in this process over loopback TCP.
func BenchmarkSharedLinkAndRun(b *testing.B) {
	dir := b.TempDir()
	even, err := cc(dir, "even", evenSrc)
	if err != nil {
		b.Fatal(err)
	}
	odd, err := cc(dir, "odd", oddSrc)
	if err != nil {
		b.Fatal(err)
	}
	evenSelf, err := cc(dir, "evenself", evenSelfSrc)
	if err != nil {
		b.Fatal(err)
	}
	oddSelf, err := cc(dir, "oddself", oddSelfSrc)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		executor.ServeListenerConfig(ctx, ln, []string{"unused"}, executor.ListenerConfig{Shared: true})
	}()
	defer func() { cancel(); <-done }()
	addr := "tcp://" + ln.Addr().String()
	run := func(opts jit.Options, sym string, arg, want int32, objs ...string) error {
		opts.Exec = addr
		j, err := jit.New(ctx, opts)
		if err != nil {
			return err
		}
		defer j.Close(ctx)
		for _, o := range objs {
			if err := j.AddObjectFile(o); err != nil {
				return err
			}
		}
		f, err := jit.Func[func(int32) int32](j, sym)
		if err != nil {
			return err
		}
		if got := f(arg); got != want {
			return fmt.Errorf("%s(%d) = %d, want %d", sym, arg, got, want)
		}
		return nil
	}
	b.Run("two-controllers", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			a, bb := fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i)
			errs := make(chan error, 2)
			go func() { errs <- run(jit.Options{Publish: a, LinkShared: []string{bb}}, "is_even", 1000, 1, even) }()
			go func() { errs <- run(jit.Options{Publish: bb, LinkShared: []string{a}}, "is_odd", 1001, 1, odd) }()
			for range 2 {
				if err := <-errs; err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	// The floor of any two-controller case: two controllers linking
	// concurrently in the same executor, each a self-contained object of
	// the same code, nothing shared. two-controllers against it is what
	// sharing itself costs; it against one-controller is what a second
	// JIT (its connection, session and link) costs.
	b.Run("two-controllers-unshared", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			errs := make(chan error, 2)
			go func() { errs <- run(jit.Options{}, "is_even", 1000, 1, evenSelf) }()
			go func() { errs <- run(jit.Options{}, "is_odd", 1001, 1, oddSelf) }()
			for range 2 {
				if err := <-errs; err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("one-controller", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := run(jit.Options{}, "is_even", 1000, 1, even, odd); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestSharedPartnersCloseWhileRunning: controllers that call into each
// other's code and close while the other may still be running it (each
// closes right after its own call) must not pull the code from under the
// other: the executor keeps a publisher's memory — all of it, not just
// the pages its symbols are on — while others use its code.
func TestSharedPartnersCloseWhileRunning(t *testing.T) {
	addr, hub := startSharedExecutor(t)
	dir := t.TempDir()
	even, err := cc(dir, "even", evenSrc)
	if err != nil {
		t.Fatal(err)
	}
	odd, err := cc(dir, "odd", oddSrc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run := func(pub, link, obj, sym string, arg int32) error {
		j, err := jit.New(ctx, jit.Options{Exec: addr, Publish: pub, LinkShared: []string{link}, SharedTimeout: 20 * time.Second})
		if err != nil {
			return err
		}
		defer j.Close(ctx)
		if err := j.AddObjectFile(obj); err != nil {
			return err
		}
		f, err := jit.Func[func(int32) int32](j, sym)
		if err != nil {
			return err
		}
		if got := f(arg); got != 1 {
			return fmt.Errorf("%s(%d) = %d, want 1", sym, arg, got)
		}
		return nil
	}
	rounds := 300
	if testing.Short() {
		rounds = 10
	}
	for i := range rounds {
		a, b := fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i)
		errs := make(chan error, 2)
		go func() { errs <- run(a, b, even, "is_even", 20000) }()
		go func() { errs <- run(b, a, odd, "is_odd", 20001) }()
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
		}
	}
	// Everything is freed once everyone has left.
	deadline := time.Now().Add(10 * time.Second)
	for hub.KeptPeers() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := hub.KeptPeers(); n > 0 {
		t.Errorf("%d departed controllers' memory still kept after all left", n)
	}
}

// TestSharedLazyMutualRecursion: two controllers of one shared executor,
// each adding its object lazily, publish and link against each other.
// What a lazy controller publishes is its stubs; the first call of each
// function, whichever controller's code makes it, re-enters the
// controller that owns the trampoline (each connection's re-entry handler
// answers only for its own memory) and compiles it there.
func TestSharedLazyMutualRecursion(t *testing.T) {
	addr, _ := startSharedExecutor(t)
	dir := t.TempDir()
	ctx := context.Background()
	lazyJIT := func(pub, link, name, src string) *jit.JIT {
		obj, err := cc(dir, name, src)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(obj)
		if err != nil {
			t.Fatal(err)
		}
		j, err := jit.New(ctx, jit.Options{Exec: addr, Publish: pub, LinkShared: []string{link}, SharedTimeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { j.Close(ctx) })
		if err := j.AddLazyObject(name+".o", data); err != nil {
			t.Fatal(err)
		}
		return j
	}
	a := lazyJIT("a", "b", "even", evenSrc)
	b := lazyJIT("b", "a", "odd", oddSrc+`
int is_even(int);
int call_even(int n) { return is_even(n) * 10; }`)
	type res struct {
		f   func(int32) int32
		err error
	}
	get := func(j *jit.JIT, sym string, ch chan<- res) {
		f, err := jit.Func[func(int32) int32](j, sym)
		ch <- res{f, err}
	}
	ca, cb := make(chan res, 1), make(chan res, 1)
	go get(a, "is_even", ca)
	go get(b, "call_even", cb)
	ra, rb := <-ca, <-cb
	if ra.err != nil || rb.err != nil {
		t.Fatalf("linking: %v; %v", ra.err, rb.err)
	}
	// B's code calls A's lazy is_even first: A compiles it on B's call.
	if got := rb.f(7); got != 0 {
		t.Fatalf("call_even(7) = %d, want 0", got)
	}
	if got := rb.f(10); got != 10 {
		t.Fatalf("call_even(10) = %d, want 10", got)
	}
	if got := ra.f(1001); got != 0 {
		t.Fatalf("is_even(1001) = %d, want 0", got)
	}
	isOdd, err := jit.Func[func(int32) int32](b, "is_odd")
	if err != nil {
		t.Fatal(err)
	}
	if got := isOdd(1001); got != 1 {
		t.Fatalf("is_odd(1001) = %d, want 1", got)
	}
	// Each controller compiled its functions on their first calls.
	for _, c := range []struct {
		name string
		j    *jit.JIT
	}{{"A", a}, {"B", b}} {
		lz, err := c.j.Lazy()
		if err != nil {
			t.Fatal(err)
		}
		if n := lz.CallThrough.Reentries(); n == 0 {
			t.Errorf("controller %s answered no lazy re-entries", c.name)
		}
	}
}

// TestSharedLazyPublisherGone: a lazy publisher that leaves before a
// function of its was ever called cannot compile it any more. A partner
// calling it gets an error naming the re-entry — its run fails, the
// shared executor and the partner's connection go on.
func TestSharedLazyPublisherGone(t *testing.T) {
	addr, _ := startSharedExecutor(t)
	dir := t.TempDir()
	ctx := context.Background()
	obj, err := cc(dir, "even", `int is_even(int n) { return n % 2 == 0; }`)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(obj)
	if err != nil {
		t.Fatal(err)
	}
	a, err := jit.New(ctx, jit.Options{Exec: addr, Publish: "a", SharedTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.AddLazyObject("even.o", data); err != nil {
		t.Fatal(err)
	}
	if err := a.LinkAll(ctx); err != nil {
		t.Fatal(err)
	}
	b := sharedJIT(t, addr, jit.Options{LinkShared: []string{"a"}, SharedTimeout: 20 * time.Second}, "use", `
int is_even(int);
int main(void) { return is_even(4) ? 7 : 8; }`)
	if err := b.LinkAll(ctx); err != nil {
		t.Fatal(err)
	}
	a.Close(ctx) // is_even was never called: its body was never compiled
	st, err := b.RunMain(ctx, "main", nil)
	t.Logf("status %d, err %v", st, err)
	if err == nil || !strings.Contains(err.Error(), "lazy compilation failed (re-entry from") {
		t.Fatalf("calling a departed lazy publisher's uncompiled function: status %d, err %v; want an error naming the re-entry", st, err)
	}
	// The executor and B's connection go on.
	if _, err := b.Lookup(ctx, "main"); err != nil {
		t.Fatal(err)
	}
}
