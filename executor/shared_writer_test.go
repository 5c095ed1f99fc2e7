//go:build cgo

package executor

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/shared/wire"
)

// rawConn is a controller of a shared executor that speaks frames itself.
type rawConn struct {
	t    testing.TB
	conn net.Conn
	seq  uint64
	syms map[string]uint64
}

func dialShared(t testing.TB, addr string) *rawConn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := wire.WriteFrame(conn, wire.Frame{Kind: wire.KindHello, Payload: wire.EncodeControllerHello(wire.ControllerHello{Version: wire.Version})}); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	f, err := wire.ReadFrame(conn)
	if err != nil || f.Kind != wire.KindHello {
		t.Fatalf("hello: %v %v", f.Kind, err)
	}
	h, err := wire.DecodeHello(f.Payload)
	if err != nil {
		t.Fatal(err)
	}
	return &rawConn{t: t, conn: conn, syms: h.Symbols}
}

// send sends a call without reading its answer.
func (c *rawConn) send(op wire.Op, e *wire.Encoder) error {
	c.seq++
	return wire.WriteFrame(c.conn, wire.Frame{Kind: wire.KindCall, Op: op, Seq: c.seq, Payload: e.Payload()})
}

// call sends a call and reads its answer within d.
func (c *rawConn) call(op wire.Op, e *wire.Encoder, d time.Duration) (wire.Frame, error) {
	if err := c.send(op, e); err != nil {
		return wire.Frame{}, err
	}
	c.conn.SetReadDeadline(time.Now().Add(d))
	f, err := wire.ReadFrame(c.conn)
	if err == nil && f.Kind == wire.KindError {
		err = fmt.Errorf("%v: %s", op, f.Payload)
	}
	return f, err
}

// TestSharedStuckControllerIsolated: controller A of a shared executor
// sends requests whose large answers it never reads, until the
// executor's socket buffer towards it is full. Controller B's calls are
// still answered promptly (every connection writes on its own, not under
// one process-wide lock), and A is dropped after the write timeout with
// a log line naming it, its memory released as on any disconnect.
func TestSharedStuckControllerIsolated(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logMu sync.Mutex
	var log []string
	logged := func(part string) bool {
		logMu.Lock()
		defer logMu.Unlock()
		for _, l := range log {
			if strings.Contains(l, part) {
				return true
			}
		}
		return false
	}
	// B's calls blocked behind A would wait about writeTimeout (until A
	// is dropped); B's slowest call is held to half of it, far above
	// what a loaded CI machine under -race needs (160ms here with
	// GOMAXPROCS=1 beside two busy loops).
	const writeTimeout = 4 * time.Second
	hub := NewHub()
	hub.WriteTimeout = writeTimeout
	hub.Logf = func(format string, args ...any) {
		logMu.Lock()
		log = append(log, fmt.Sprintf(format, args...))
		logMu.Unlock()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- ServeListenerConfig(ctx, ln, nil, ListenerConfig{Shared: true, Hub: hub, Logf: t.Logf})
	}()
	defer func() { cancel(); <-done }()
	addr := ln.Addr().String()

	a := dialShared(t, addr)
	const size = 1 << 20
	f, err := a.call(wire.OpReserve, new(wire.Encoder).U64(size).U64(0), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	d := wire.NewDecoder(f.Payload)
	start, end := d.U64(), d.U64()
	if _, err := a.call(wire.OpProtect, new(wire.Encoder).U64(start).U64(end).U64(3), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	b := dialShared(t, addr)
	echo := b.syms[EchoName]
	ping := func() (time.Duration, error) {
		t0 := time.Now()
		_, err := b.call(wire.OpCallWrapper, new(wire.Encoder).U64(echo).Bytes([]byte("ping")), 10*time.Second)
		return time.Since(t0), err
	}
	if _, err := ping(); err != nil {
		t.Fatal(err)
	}
	// A asks for 1 MiB of its memory, again and again, and reads nothing.
	go func() {
		for i := 0; i < 256; i++ {
			if a.send(wire.OpRead, new(wire.Encoder).U64(start).U64(size)) != nil {
				return
			}
		}
	}()
	time.Sleep(200 * time.Millisecond) // A's buffers fill
	var worst time.Duration
	for t0 := time.Now(); time.Since(t0) < time.Second; time.Sleep(20 * time.Millisecond) {
		took, err := ping()
		if err != nil {
			t.Fatalf("B's call while A does not read: %v", err)
		}
		worst = max(worst, took)
	}
	if worst > writeTimeout/2 {
		t.Fatalf("B's calls took up to %v while A did not read", worst)
	}
	t.Logf("B's slowest answer while A did not read: %v", worst)
	deadline := time.Now().Add(writeTimeout + 60*time.Second) // a hang
	for !logged("dropped controller #1 (127.0.0.1:") {
		if time.Now().After(deadline) {
			t.Fatalf("A was not dropped; log: %q", log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		hub.mu.Lock()
		n := len(hub.peers)
		hub.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d controllers still joined after A was dropped", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := ping(); err != nil {
		t.Fatalf("B after A was dropped: %v", err)
	}
	// A's connection is closed: reading it ends.
	a.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, err := wire.ReadFrame(a.conn); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("A's connection is still open after it was dropped")
			}
			break
		}
	}
}

// BenchmarkSharedRoundTrip: one controller's echo call round trip on a
// shared executor over loopback TCP (the path every answer takes through
// the per-connection writer).
func BenchmarkSharedRoundTrip(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeListenerConfig(ctx, ln, nil, ListenerConfig{Shared: true}) }()
	defer func() { cancel(); <-done }()
	c := dialShared(b, ln.Addr().String())
	echo := c.syms[EchoName]
	e := new(wire.Encoder).U64(echo).Bytes(make([]byte, 16))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.call(wire.OpCallWrapper, e, 10*time.Second); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStallWriterWithoutDeadlines: a writer whose deadlines cannot be set
// (a regular file) is still written to, whole.
func TestStallWriterWithoutDeadlines(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := &stallWriter{w: f, d: f, timeout: time.Second}
	data := make([]byte, 3*writeChunk+5)
	if n, err := w.Write(data); n != len(data) || err != nil {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(data))
	}
	if st, _ := f.Stat(); st.Size() != int64(len(data)) {
		t.Fatalf("file has %d bytes, want %d", st.Size(), len(data))
	}
}
