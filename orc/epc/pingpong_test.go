//go:build cgo

package epc

import (
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// pingPongEnv names the environment variable that turns the test binary
// into the echo peer of a raw ping-pong: "pipe" (echo fd 3 to fd 4) or
// "tcp:HOST:PORT" (connect there and echo).
const pingPongEnv = "GORC_PINGPONG"

// pingPongChild echoes bytes between two file descriptors, or on a TCP
// connection: the floor a protocol round trip between two processes can
// reach.
func pingPongChild() {
	v := os.Getenv(pingPongEnv)
	var in, out interface {
		Read([]byte) (int, error)
		Write([]byte) (int, error)
	}
	if addr, ok := strings.CutPrefix(v, "tcp:"); ok {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			os.Exit(1)
		}
		in, out = c, c
	} else {
		in, out = os.NewFile(3, "in"), os.NewFile(4, "out")
	}
	b := make([]byte, 256)
	for {
		n, err := in.Read(b)
		if err != nil {
			os.Exit(0)
		}
		if _, err := out.Write(b[:n]); err != nil {
			os.Exit(0)
		}
	}
}

// childEnv is the environment for a child of this test binary, plus
// extra. Under the race detector a process sleeps a second at exit
// (GORACE atexit_sleep_ms, default 1000) so that other goroutines can
// still report races; the children here are torn down by design, so they
// exit at once.
func childEnv(extra ...string) []string {
	race := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	return append(append(os.Environ(), "GORACE="+race), extra...)
}

// pingPeer is one end of a raw ping-pong with a child process.
type pingPeer struct {
	w     interface{ Write([]byte) (int, error) }
	r     interface{ Read([]byte) (int, error) }
	close func()
}

// startPipePeer starts this test binary as an echo child over two pipes.
func startPipePeer(tb testing.TB) *pingPeer {
	tb.Helper()
	toR, toW, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.ExtraFiles = []*os.File{toR, fromW}
	cmd.Env = childEnv(pingPongEnv + "=pipe")
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	toR.Close()
	fromW.Close()
	return &pingPeer{w: toW, r: fromR, close: func() { toW.Close(); cmd.Wait(); fromR.Close() }}
}

// startTCPPeer starts this test binary as an echo child that connects to
// a loopback listener of this process.
func startTCPPeer(tb testing.TB) *pingPeer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	cmd := exec.Command(os.Args[0])
	cmd.Env = childEnv(pingPongEnv + "=tcp:" + ln.Addr().String())
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
	c, err := ln.Accept()
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		tb.Fatal(err)
	}
	return &pingPeer{w: c, r: c, close: func() { c.Close(); cmd.Wait() }}
}

// roundTrip sends msg and reads back as many bytes.
func (p *pingPeer) roundTrip(tb testing.TB, msg, buf []byte) {
	if _, err := p.w.Write(msg); err != nil {
		tb.Fatal(err)
	}
	for n := 0; n < len(msg); {
		k, err := p.r.Read(buf)
		if err != nil {
			tb.Fatal(err)
		}
		n += k
	}
}

// BenchmarkPipePingPong measures a raw 32-byte round trip between this
// process and a child over two pipes (no protocol): compare with
// BenchmarkRemoteWrapperCall.
func BenchmarkPipePingPong(b *testing.B) {
	p := startPipePeer(b)
	defer p.close()
	msg := make([]byte, 32)
	buf := make([]byte, 256)
	for b.Loop() {
		p.roundTrip(b, msg, buf)
	}
}

// TestPingPongPeers checks that both echo peers used as the benchmark
// floor really echo what they are sent.
func TestPingPongPeers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(testing.TB) *pingPeer
	}{{"pipe", startPipePeer}, {"tcp", startTCPPeer}} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.start(t)
			defer p.close()
			msg := []byte("0123456789abcdef0123456789abcdef0123456789abcdef")
			got := make([]byte, 0, len(msg))
			buf := make([]byte, 256)
			if _, err := p.w.Write(msg); err != nil {
				t.Fatal(err)
			}
			for len(got) < len(msg) {
				n, err := p.r.Read(buf)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, buf[:n]...)
			}
			if string(got) != string(msg) {
				t.Fatalf("echo %q, want %q", got, msg)
			}
		})
	}
}
