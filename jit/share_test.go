//go:build cgo

package jit_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/jit"
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
