//go:build cgo

package epc

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

func hostEarly() *EarlyHello {
	return &EarlyHello{Triple: executor.Triple, PageSize: uint64(os.Getpagesize())}
}

// spawnEarly starts the test binary as an executor without waiting for
// its hello.
func spawnEarly(t testing.TB, argv []string, early *EarlyHello) *Remote {
	t.Helper()
	if argv == nil {
		argv = []string{os.Args[0]}
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	e, err := SpawnChildEarly(cmd, nil, early)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Close(ctx)
	})
	return e
}

// An early start answers the triple and page size at once, places a
// reservation and queues a code block before the hello, and they are
// real in the executor once it has started.
func TestSpawnEarly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e := spawnEarly(t, nil, hostEarly())
	if e.TargetTriple() != executor.Triple || e.PageSize() != uint64(os.Getpagesize()) {
		t.Fatalf("early answers %q, %d", e.TargetTriple(), e.PageSize())
	}
	if e.PID() != e.cmd.Process.Pid {
		t.Fatalf("PID %d, want %d", e.PID(), e.cmd.Process.Pid)
	}
	ps := e.PageSize()
	r, err := e.Reserve(ctx, 64*ps, false)
	if err != nil {
		t.Fatal(err)
	}
	if e.HandshakeError() != nil {
		t.Fatal(e.HandshakeError())
	}
	block := shared.ExecutorAddrRange{Start: r.Start, End: r.Start.Add(16 * ps)}
	if err := e.MapDualBlock(ctx, block, shared.ProtRead|shared.ProtWrite); err != nil {
		t.Fatal(err)
	}
	// The first call waits for the hello; the queued steps ran first.
	rest := shared.ExecutorAddrRange{Start: r.Start.Add(16 * ps), End: r.End}
	if err := e.Protect(ctx, rest, shared.ProtRead|shared.ProtWrite); err != nil {
		t.Fatalf("protect inside the placed reservation %v: %v", r, err)
	}
	msg := []byte("placed before the hello")
	for _, a := range []shared.ExecutorAddr{block.Start, rest.Start} {
		if err := e.Write(ctx, a, msg); err != nil {
			t.Fatal(err)
		}
		got, err := e.Read(ctx, a, uint64(len(msg)))
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("read back at %v: %q, %v", a, got, err)
		}
	}
	if in, _ := e.HelloTimes(); in <= 0 {
		t.Fatalf("hello time %v", in)
	}
	if e.BootstrapSymbol(EchoName) == 0 {
		t.Fatal("no bootstrap symbols after the hello")
	}
	// After the hello, Reserve asks the executor as usual.
	r2, err := e.Reserve(ctx, ps, false)
	if err != nil || r2.Size() != ps {
		t.Fatalf("reserve after the hello: %v, %v", r2, err)
	}
	// The low reservation is never placed.
	if e2 := spawnEarly(t, nil, hostEarly()); true {
		if r, err := e2.Reserve(ctx, ps, true); err != nil || r.End > 1<<31 {
			t.Fatalf("low reserve: %v, %v", r, err)
		}
	}
}

// An executor that does not complete its start gives one clear error to
// every call, never hangs, and leaves no process behind.
func TestSpawnEarlyFailures(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep")
	}
	for _, tc := range []struct {
		name  string
		argv  []string
		early *EarlyHello
		kill  bool
		want  string
	}{
		{"exits", []string{"/bin/false"}, hostEarly(), false, "executor exited with status 1"},
		{"exits later", []string{"/bin/sh", "-c", "sleep 0.2; exit 3"}, hostEarly(), false, "executor exited with status 3"},
		{"killed", []string{sleep, "30"}, hostEarly(), true, "terminated by signal SIGKILL"},
		{"other target", nil, &EarlyHello{Triple: "aarch64-unknown-linux-gnu", PageSize: uint64(os.Getpagesize())}, false,
			"the executor's target is " + executor.Triple + ", not aarch64-unknown-linux-gnu"},
		{"other page size", nil, &EarlyHello{Triple: executor.Triple, PageSize: 1 << 21}, false, "page size is"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			argv := tc.argv
			if argv == nil {
				argv = []string{os.Args[0]}
			}
			cmd := exec.Command(argv[0], argv[1:]...)
			e, err := SpawnChildEarly(cmd, nil, tc.early)
			if err != nil {
				// An executor can be gone before the controller's hello
				// is written: then the spawn itself says so.
				if !strings.Contains(err.Error(), "exited with status") {
					t.Fatal(err)
				}
				return
			}
			defer e.Close(ctx)
			if tc.kill {
				e.cmd.Process.Kill()
			}
			// Placed before the hello: no executor needed yet.
			if _, err := e.Reserve(ctx, 1<<20, false); err != nil {
				t.Fatalf("placed reserve: %v", err)
			}
			_, err = e.LoadDylib(ctx, "libm.so.6", nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("load-dylib: %v, want %q", err, tc.want)
			}
			if ctx.Err() != nil {
				t.Fatal("the call waited for the test's deadline")
			}
			herr := e.HandshakeError()
			if herr == nil || !strings.Contains(herr.Error(), tc.want) {
				t.Fatalf("HandshakeError: %v", herr)
			}
			if _, err := e.Reserve(ctx, 1<<20, false); err == nil {
				t.Fatal("reserve after a failed handshake succeeded")
			}
			select {
			case <-e.exited:
			case <-time.After(5 * time.Second):
				t.Fatal("the executor process is still running after its handshake failed")
			}
		})
	}
}

// A step queued before the hello that the executor refuses (a placed
// reservation over a mapping) fails the handshake with the step named.
func TestSpawnEarlyQueuedStepFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e := spawnEarly(t, nil, hostEarly())
	// An address below 2 GiB: refused by the executor.
	if !e.queueEarly(wire.OpReserve, new(wire.Encoder).U64(1<<20).U64(0).U64(1<<20).Payload(), "reserve at 0x100000") {
		t.Skip("the hello was already in")
	}
	_, err := e.LookupSymbols(ctx, 0, []string{"malloc"})
	if err == nil || !strings.Contains(err.Error(), "reserve at 0x100000, placed before the executor had started") {
		t.Fatalf("lookup: %v", err)
	}
	if e.HandshakeError() == nil {
		t.Fatal("no handshake error")
	}
	<-e.exited
}

// A command that cannot start fails at once.
func TestSpawnEarlyBadPath(t *testing.T) {
	cmd := exec.Command("/nonexistent/gorc-executor")
	_, err := SpawnChildEarly(cmd, nil, hostEarly())
	if err == nil || !errors.Is(err, syscall.ENOENT) && !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("err = %v", err)
	}
	if _, err := SpawnChildEarly(exec.Command(os.Args[0]), nil, nil); err == nil {
		t.Fatal("no expectation accepted")
	}
}

// The executor's ReserveAt refuses an address already mapped.
func TestReserveAtRefusesMapped(t *testing.T) {
	r, err := executor.Reserve(1<<20, false)
	if err != nil {
		t.Fatal(err)
	}
	defer executor.Release(r)
	if _, err := executor.ReserveAt(r.Start, 1<<20); !errors.Is(err, syscall.EEXIST) {
		t.Fatalf("ReserveAt over a reservation: %v", err)
	}
	if _, err := executor.ReserveAt(0x1000, 1<<20); err == nil {
		t.Fatal("ReserveAt below 2 GiB accepted")
	}
	at := shared.ExecutorAddr(0x2345 << 32)
	r2, err := executor.ReserveAt(at, 1<<20)
	if err != nil || r2.Start != at {
		t.Fatalf("ReserveAt %v: %v, %v", at, r2, err)
	}
	executor.Release(r2)
}

func BenchmarkSpawnEarlyFirstCall(b *testing.B) {
	for _, early := range []bool{false, true} {
		name := "handshake-first"
		if early {
			name = "early"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				cmd := exec.Command(os.Args[0])
				cmd.Stderr = os.Stderr
				var e *Remote
				var err error
				if early {
					e, err = SpawnChildEarly(cmd, nil, hostEarly())
				} else {
					e, err = SpawnChild(ctx, cmd)
				}
				if err != nil {
					b.Fatal(err)
				}
				if _, err := e.Reserve(ctx, 1<<20, false); err != nil {
					b.Fatal(err)
				}
				if _, err := e.LookupSymbols(ctx, 0, []string{"malloc"}); err != nil {
					b.Fatal(err)
				}
				e.Close(ctx)
			}
		})
	}
}
