package epc

// This file holds dialling an executor that listens on TCP, plainly or
// over TLS (Dial, DialTLS, DialStdio).

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
)

// DialTLS is Dial over TLS (for an executor listening beyond loopback,
// which must require client certificates): cfg carries the client
// certificate and the CA that signed the executor's.
func DialTLS(ctx context.Context, addr string, cfg *tls.Config) (*Remote, error) {
	return dial(ctx, addr, cfg, nil)
}

// Dial connects to an executor listening on a TCP address ("host:port" or
// "tcp://host:port", e.g. `gorc executor -listen 127.0.0.1:20000`) and
// performs the handshake. A lost connection fails every pending call.
// The program's stdio is not forwarded: it is the executor's own (use
// DialStdio, or Open, to forward it).
func Dial(ctx context.Context, addr string) (*Remote, error) {
	return dial(ctx, addr, nil, nil)
}

// DialStdio is Dial (cfg == nil) or DialTLS (cfg != nil) with the
// program's stdin, stdout and stderr forwarded over the connection to
// stdio's readers and writers (nil fields: this process's), so a remote
// program reads and writes exactly what it would in-process.
func DialStdio(ctx context.Context, addr string, cfg *tls.Config, stdio Stdio) (*Remote, error) {
	return dial(ctx, addr, cfg, &stdio)
}

func dial(ctx context.Context, addr string, cfg *tls.Config, fwd *Stdio) (*Remote, error) {
	var conn net.Conn
	var err error
	if cfg != nil {
		addr = strings.TrimPrefix(addr, "tls://")
		d := tls.Dialer{Config: cfg}
		conn, err = d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("epc: connecting to executor %s over TLS: %w", addr, err)
		}
	} else {
		addr = strings.TrimPrefix(addr, "tcp://")
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("epc: connecting to executor %s: %w", addr, err)
		}
	}
	e := &Remote{w: conn, closer: conn, pending: map[uint64]chan reply{}, done: make(chan struct{}), fwd: fwd}
	if err := e.start(ctx, conn); err != nil {
		conn.Close()
		var ne *NotExecutorError
		if errors.As(err, &ne) {
			ne.Peer = addr
			return nil, ne
		}
		return nil, fmt.Errorf("epc: executor %s: %w", addr, err)
	}
	return e, nil
}
