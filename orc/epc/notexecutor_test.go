package epc

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDialNotAnExecutor: a peer that is not a gorc executor is named as
// such, with what it answered, instead of a malformed-frame error.
func TestDialNotAnExecutor(t *testing.T) {
	// A real HTTP server: the controller's hello is a bad request to it
	// (Go's server answers it once its header timeout passes without a
	// line end; nginx answers at the first byte that cannot start a
	// method).
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler(), ReadHeaderTimeout: 100 * time.Millisecond}
	go srv.Serve(hl)
	defer srv.Close()

	tests := []struct {
		name   string
		addr   string // "" for a canned answer
		answer string
		want   []string
	}{
		{"http", hl.Addr().String(), "", []string{hl.Addr().String() + " is not a gorc executor", "it answered like an HTTP server", "HTTP/1.1 400 Bad Request"}},
		{"ssh", "", "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", []string{"is not a gorc executor", "an SSH server", "SSH-2.0-OpenSSH_9.2p1"}},
		{"smtp", "", "220 mail.example.org ESMTP Postfix\r\n", []string{"is not a gorc executor", "answered with text", "220 mail.example.org ESMTP Postfix"}},
		{"tls", "", "\x15\x03\x03\x00\x02\x02\x0a", []string{"is not a gorc executor", "TLS server", "-exec tls://127.0.0.1:"}},
		{"short text", "", "nope\n", []string{"is not a gorc executor", `"nope"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.addr
			if addr == "" {
				addr = cannedServer(t, tc.answer)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			e, err := Dial(ctx, "tcp://"+addr)
			if err == nil {
				e.Close(ctx)
				t.Fatal("Dial succeeded")
			}
			var ne *NotExecutorError
			if !errors.As(err, &ne) {
				t.Fatalf("Dial error %q is not a *NotExecutorError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// cannedServer accepts one connection, reads what the controller sends,
// answers with answer and closes.
func cannedServer(t *testing.T, answer string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 16)
		io.ReadFull(c, buf)
		io.WriteString(c, answer)
	}()
	return ln.Addr().String()
}

func TestNotExecutorLeavesFramesAlone(t *testing.T) {
	// Real frame headers (a hello, an error) are never taken for text.
	for _, head := range [][]byte{
		{0x30, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		{0x41, 0x42, 0x43, 0x04, 4, 0, 0, 0, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20},
	} {
		if err := notExecutor(head); err != nil {
			t.Errorf("notExecutor(% x) = %v", head, err)
		}
	}
}
