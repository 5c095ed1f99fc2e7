//go:build cgo

package epc

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/shared"
)

// TestSharedExecutorMutualTLS: a shared executor behind mutual TLS
// serves two controllers with client certificates in one process — one
// publishes code, the other looks it up and runs it, but cannot write it
// — and refuses a controller without a certificate.
func TestSharedExecutorMutualTLS(t *testing.T) {
	ca, serverCert, clientCert := testPKI(t)
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := tls.NewListener(raw, &tls.Config{Certificates: []tls.Certificate{serverCert},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca, MinVersion: tls.VersionTLS13})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- executor.ServeListenerConfig(ctx, ln, nil, executor.ListenerConfig{Shared: true, Logf: t.Logf})
	}()
	defer func() { cancel(); <-done }()
	addr := raw.Addr().String()
	cfg := &tls.Config{Certificates: []tls.Certificate{clientCert}, RootCAs: ca, MinVersion: tls.VersionTLS13}
	a, err := DialTLS(ctx, addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	b, err := DialTLS(ctx, addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(ctx)
	// A shared executor takes batches whose every step it would allow as
	// a call of its own.
	echo := []MemOp{{Kind: MemOpCallWrapper, Call: shared.WrapperCall{Fn: a.BootstrapSymbols()[EchoName]}}}
	if n, err := a.Batch(ctx, echo); n != 1 || err != nil {
		t.Fatalf("batch to a shared executor: %d, %v; want 1 step run", n, err)
	}
	if !a.SharedExecutor() || a.PID() != b.PID() {
		t.Fatalf("want one shared executor process: shared=%v, pids %d and %d", a.SharedExecutor(), a.PID(), b.PID())
	}
	fn := loadCode(t, a, []byte{0xb8, 42, 0, 0, 0, 0xc3}) // mov eax, 42; ret
	if err := a.Publish(ctx, "a", "", map[string]shared.ExecutorAddr{"forty_two": fn}); err != nil {
		t.Fatal(err)
	}
	if err := a.Emitted(ctx, "a", nil); err != nil {
		t.Fatal(err)
	}
	got, err := b.SharedLookup(ctx, []string{"a"}, []string{"forty_two", "nothing"}, 5*time.Second)
	if err != nil || got[0] != fn || got[1] != 0 {
		t.Fatalf("lookup = %v, %v", got, err)
	}
	if err := b.SharedAwait(ctx, []string{"a"}, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if st, err := b.RunAsMain(ctx, fn, nil); err != nil || st != 42 {
		t.Fatalf("B running A's published code: %d %v", st, err)
	}
	if err := b.Write(ctx, fn, []byte{0xcc}); err == nil || !strings.Contains(err.Error(), "not this controller's memory") {
		t.Fatalf("B writing A's code: %v", err)
	}
	// Nor in a batch: the executor refuses the whole batch (no step
	// runs, B's own write included) and B sends no more batches.
	own := loadCode(t, b, []byte{0xc3})
	steps := []MemOp{{Kind: MemOpWrite, Addr: own, Data: []byte{0xc3}}, {Kind: MemOpWrite, Addr: fn, Data: []byte{0xcc}}}
	if n, err := b.Batch(ctx, steps); n != 0 || !errors.Is(err, ErrBatchUnsupported) || !strings.Contains(err.Error(), "batch step 1") {
		t.Fatalf("B's batch writing A's code: %d, %v", n, err)
	}
	if before := b.Calls(); func() bool { _, err := b.Batch(ctx, steps); return !errors.Is(err, ErrBatchUnsupported) }() || b.Calls() != before {
		t.Fatal("a batch was sent after a refused one")
	}
	if st, err := b.RunAsMain(ctx, fn, nil); err != nil || st != 42 {
		t.Fatalf("A's code after B's refused batch: %d %v", st, err)
	}
	sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
	defer scancel()
	if _, err := DialTLS(sctx, addr, &tls.Config{RootCAs: ca, MinVersion: tls.VersionTLS13}); err == nil {
		t.Fatal("controller without a client certificate was served")
	}
}

// TestSharedEmittedAwait: Emitted and the wait for Ready in one round
// trip — a cycle across two controllers gets Ready when both have
// reported, an Emitted the executor refuses is reported as such at once
// (not after the wait's timeout), and a partner that fails wakes the
// waiter with its error.
func TestSharedEmittedAwait(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- executor.ServeListenerConfig(ctx, ln, nil, executor.ListenerConfig{Shared: true, Logf: t.Logf})
	}()
	defer func() { cancel(); <-done }()
	dial := func() *Remote {
		e, err := Dial(ctx, ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close(context.Background()) })
		return e
	}
	a, b := dial(), dial()
	fa := loadCode(t, a, []byte{0xc3})
	fb := loadCode(t, b, []byte{0xc3})
	if err := a.Publish(ctx, "a", "", map[string]shared.ExecutorAddr{"fa": fa}); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(ctx, "b", "", map[string]shared.ExecutorAddr{"fb": fb}); err != nil {
		t.Fatal(err)
	}
	aDone := make(chan error, 1)
	go func() { aDone <- a.EmittedAwait(ctx, "a", []string{"b"}, []string{"b", "a"}, 10*time.Second) }()
	select {
	case err := <-aDone:
		t.Fatalf("a Ready before b emitted: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	before := b.Calls()
	if err := b.EmittedAwait(ctx, "b", []string{"a"}, []string{"a", "b"}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := b.Calls() - before; n != 2 {
		t.Errorf("EmittedAwait made %d calls, want 2 (pipelined)", n)
	}
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	// Emitted of a name this controller did not publish: an
	// *EmittedError at once, whatever the wait's timeout.
	t0 := time.Now()
	err = b.EmittedAwait(ctx, "a", nil, []string{"a"}, time.Minute)
	var ee *EmittedError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "not published by this controller") {
		t.Fatalf("emitted of another's dylib: %v", err)
	}
	if d := time.Since(t0); d > 20*time.Second {
		t.Fatalf("took %v", d)
	}
	// The connection still serves.
	if _, err := b.CallWrapper(ctx, shared.WrapperCall{Fn: b.BootstrapSymbols()[EchoName], Arg: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	// A partner that fails before Ready wakes the waiter with its error.
	c, d := dial(), dial()
	fc := loadCode(t, c, []byte{0xc3})
	fd := loadCode(t, d, []byte{0xc3})
	if err := c.Publish(ctx, "c", "", map[string]shared.ExecutorAddr{"fc": fc}); err != nil {
		t.Fatal(err)
	}
	if err := d.Publish(ctx, "d", "", map[string]shared.ExecutorAddr{"fd": fd}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SharedLookup(ctx, []string{"d"}, []string{"fd"}, time.Second); err != nil {
		t.Fatal(err)
	}
	cDone := make(chan error, 1)
	go func() { cDone <- c.EmittedAwait(ctx, "c", []string{"d"}, []string{"d", "c"}, time.Minute) }()
	time.Sleep(20 * time.Millisecond)
	if err := d.PublishFailed(ctx, "d", "link failed on purpose"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-cDone:
		if err == nil || !strings.Contains(err.Error(), "link failed on purpose") || errors.As(err, &ee) {
			t.Fatalf("waiter on a failed partner: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the waiter was not woken by its partner's failure")
	}
}
