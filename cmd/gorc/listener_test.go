//go:build cgo

package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/shared/wire"
)

// syncBuffer is a bytes.Buffer safe for one writer and readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startListener starts `gorc executor -listen 127.0.0.1:0 EXTRA...`, whose
// log (stderr) goes to the returned buffer, and returns its address.
func startListener(t *testing.T, extra ...string) (string, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(gorcBinary(t), append([]string{"executor", "-listen", "127.0.0.1:0"}, extra...)...)
	se, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	log := &syncBuffer{}
	first := make(chan string, 1)
	go func() {
		br := bufio.NewReader(se)
		l, _ := br.ReadString('\n')
		log.Write([]byte(l))
		first <- l
		io.Copy(log, br)
	}()
	select {
	case l := <-first:
		const marker = "listening on "
		i := strings.Index(l, marker)
		if i < 0 {
			t.Fatalf("executor -listen: unexpected first line %q", l)
		}
		return strings.TrimSpace(l[i+len(marker):]), log
	case <-time.After(10 * time.Second):
		t.Fatal("executor -listen: no address announced within 10s")
	}
	return "", nil
}

// controllerHello opens a session on conn as a controller does and
// returns the executor's first answer.
func controllerHello(conn net.Conn, timeout time.Duration) (wire.Frame, error) {
	conn.SetDeadline(time.Now().Add(timeout))
	defer conn.SetDeadline(time.Time{})
	if err := wire.WriteFrame(conn, wire.Frame{Kind: wire.KindHello, Seq: 1,
		Payload: wire.EncodeControllerHello(wire.ControllerHello{Version: wire.Version})}); err != nil {
		return wire.Frame{}, err
	}
	return wire.ReadFrame(conn)
}

// clientTLSConfig loads the client certificate written by writePKI.
func clientTLSConfig(t *testing.T, ca, crt, key string) *tls.Config {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(crt, key)
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: pool, MinVersion: tls.VersionTLS13}
}

// TestListenerFlood: 2,000 connections opened and closed at once and 50
// idle ones do not keep a real controller waiting: it is answered within
// a second, in plain TCP and in mutual-TLS mode, and the refusals are
// logged with the peer's address.
func TestListenerFlood(t *testing.T) {
	dir := t.TempDir()
	ca, srvCrt, srvKey, cliCrt, cliKey := writePKI(t, dir)
	for _, mode := range []string{"tcp", "tls"} {
		t.Run(mode, func(t *testing.T) {
			var extra []string
			dial := func(addr string) (net.Conn, error) { return net.DialTimeout("tcp", addr, 5*time.Second) }
			if mode == "tls" {
				extra = []string{"-tls-cert", srvCrt, "-tls-key", srvKey, "-tls-client-ca", ca}
				cfg := clientTLSConfig(t, ca, cliCrt, cliKey)
				dial = func(addr string) (net.Conn, error) {
					return tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
				}
			}
			// A handshake timeout far above the limit below, so that a
			// controller starved until the idle ones time out fails.
			addr, log := startListener(t, append(extra, "-handshake-timeout", "60s")...)
			// 50 idle connections (no hello, no TLS handshake), held open.
			var idle []net.Conn
			defer func() {
				for _, c := range idle {
					c.Close()
				}
			}()
			for range 50 {
				c, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				idle = append(idle, c)
			}
			// 2,000 connect/close, from 8 goroutines.
			start := time.Now()
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 250 {
						c, err := net.DialTimeout("tcp", addr, 5*time.Second)
						if err != nil {
							t.Errorf("flood connection %d: %v", w, err)
							return
						}
						c.Close()
					}
				}()
			}
			wg.Wait()
			t.Logf("2,000 connect/close in %v", time.Since(start))
			// The real controller.
			start = time.Now()
			c, err := dial(addr)
			if err != nil {
				t.Fatalf("real controller: dial: %v", err)
			}
			defer c.Close()
			f, err := controllerHello(c, 10*time.Second)
			took := time.Since(start)
			if err != nil || f.Kind != wire.KindHello {
				t.Fatalf("real controller: answer %v %q, error %v (after %v)", f.Kind, f.Payload, err, took)
			}
			if _, err := wire.DecodeHello(f.Payload); err != nil {
				t.Fatalf("real controller: %v", err)
			}
			if took > 15*time.Second { // ms here; a loaded CI machine may be 5x slower
				t.Errorf("real controller served after %v, want well under the 60s handshake timeout", took)
			}
			t.Logf("real controller served in %v", took)
			if l := log.String(); !strings.Contains(l, "executor: refused 127.0.0.1:") {
				t.Errorf("no refusal logged:\n%.2000s", l)
			}
		})
	}
}

// TestListenerLimits: an idle connection is dropped after
// -handshake-timeout; beyond -max-sessions an authenticated controller is
// refused with an Error frame; a connection that does not open with a
// hello is answered with an Error frame; nothing of that spawns an
// executor process.
func TestListenerLimits(t *testing.T) {
	addr, log := startListener(t, "-handshake-timeout", "300ms", "-max-sessions", "1")
	dial := func() net.Conn {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// Idle: closed by the listener after the handshake timeout.
	// The clock starts before the dial: the listener's timer starts at
	// its accept, which a descheduled test could see before time.Now.
	start := time.Now()
	idle := dial()
	defer idle.Close()
	idle.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("idle connection: read %v, want EOF", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 15*time.Second {
		t.Errorf("idle connection closed after %v, want about 300ms", d)
	}
	// Not a hello.
	junk := dial()
	defer junk.Close()
	junk.SetDeadline(time.Now().Add(5 * time.Second))
	wire.WriteFrame(junk, wire.Frame{Kind: wire.KindCall, Op: wire.OpRead, Seq: 9})
	if f, err := wire.ReadFrame(junk); err != nil || f.Kind != wire.KindError || !strings.Contains(string(f.Payload), "expected hello") {
		t.Errorf("junk: answer %v %q, error %v", f.Kind, f.Payload, err)
	}
	// One session: the second controller is refused.
	first := dial()
	defer first.Close()
	if f, err := controllerHello(first, 10*time.Second); err != nil || f.Kind != wire.KindHello {
		t.Fatalf("first controller: %v %q %v", f.Kind, f.Payload, err)
	}
	second := dial()
	defer second.Close()
	if f, err := controllerHello(second, 10*time.Second); err != nil || f.Kind != wire.KindError || !strings.Contains(string(f.Payload), "busy") {
		t.Errorf("second controller: answer %v %q, error %v; want an Error frame saying busy", f.Kind, f.Payload, err)
	}
	// The first session ends; the next controller is served.
	first.Close()
	var f wire.Frame
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		c := dial()
		f, err = controllerHello(c, 5*time.Second)
		c.Close()
		if err == nil && f.Kind == wire.KindHello {
			break
		}
	}
	if err != nil || f.Kind != wire.KindHello {
		t.Errorf("after the first session ended: %v %q %v", f.Kind, f.Payload, err)
	}
	l := log.String()
	for _, want := range []string{"reading the controller's hello (within 300ms)", "not a controller hello", "executor busy: 1 sessions already"} {
		if !strings.Contains(l, want) {
			t.Errorf("log does not mention %q:\n%s", want, l)
		}
	}
}

// TestListenerEvictsOldestPending: with every handshake slot held by idle
// connections, a real controller is still served at once (the oldest idle
// connection is closed to make room) instead of being refused.
func TestListenerEvictsOldestPending(t *testing.T) {
	addr, log := startListener(t, "-handshake-timeout", "30s", "-max-unauthenticated", "4")
	var idle []net.Conn
	for i := 0; i < 8; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	time.Sleep(200 * time.Millisecond) // let the listener accept them all
	start := time.Now()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, err := controllerHello(c, 5*time.Second)
	if err != nil || f.Kind != wire.KindHello {
		t.Fatalf("real controller with every handshake slot taken: %v %q %v", f.Kind, f.Payload, err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("real controller served after %v; want well under the 30 s handshake timeout", d)
	}
	// The first idle connections were the ones closed.
	idle[0].SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := idle[0].Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("oldest idle connection: read %v, want EOF (evicted)", err)
	}
	if !strings.Contains(log.String(), "to make room for") {
		t.Errorf("log does not mention the eviction:\n%s", log.String())
	}
}
