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
	// A shared executor refuses batches (their steps would skip its
	// ownership checks): no step runs, and it is not asked again.
	echo := []MemOp{{Kind: MemOpCallWrapper, Call: shared.WrapperCall{Fn: a.BootstrapSymbols()[EchoName]}}}
	if n, err := a.Batch(ctx, echo); n != 0 || !errors.Is(err, ErrBatchUnsupported) {
		t.Fatalf("batch to a shared executor: %d, %v; want ErrBatchUnsupported", n, err)
	}
	if before := a.Calls(); func() bool { _, err := a.Batch(ctx, echo); return !errors.Is(err, ErrBatchUnsupported) }() || a.Calls() != before {
		t.Fatal("second batch to a shared executor was sent")
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
	sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
	defer scancel()
	if _, err := DialTLS(sctx, addr, &tls.Config{RootCAs: ca, MinVersion: tls.VersionTLS13}); err == nil {
		t.Fatal("controller without a client certificate was served")
	}
}
