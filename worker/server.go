package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/gorc-jit/gorc/shared/wire"
	"github.com/gorc-jit/gorc/target"
)

// ServeConfig tunes a worker.
type ServeConfig struct {
	// HandshakeTimeout bounds the time from the start of a connection to
	// the controller's hello (ServeListener; default 10s).
	HandshakeTimeout time.Duration
	// MaxConns bounds the connections ServeListener serves at once; more
	// are closed (default 64).
	MaxConns int
	// Logf, if set, reports connections and refused peers.
	Logf func(format string, args ...any)
}

// Serve serves one controller on r and w (a worker's stdin and stdout, or
// a connection): the hello, then compile requests one at a time until the
// controller closes its side (nil) or ctx ends. A request that does not
// decode or does not compile is answered with an error frame naming the
// function and the reason, and the worker goes on; a stream that is not
// the protocol at all (a bad frame, or a hello that is not a worker
// controller's) ends Serve with an error.
func Serve(ctx context.Context, r io.Reader, w io.Writer) error { return serve(ctx, r, w, nil) }

// serve is Serve, calling helloDone (if set) once the controller's hello
// has been accepted.
func serve(ctx context.Context, r io.Reader, w io.Writer, helloDone func()) error {
	fr := wire.NewFrameReader(r, 64<<10)
	f, err := fr.Next()
	if err != nil {
		if err == io.EOF {
			return nil
		}
		return fmt.Errorf("worker: reading the controller's hello: %w", err)
	}
	if f.Kind != wire.KindHello {
		return fmt.Errorf("worker: expected a hello, got a %v frame", f.Kind)
	}
	if err := decodeControllerHello(f.Payload); err != nil {
		wire.WriteFrame(w, wire.Frame{Kind: wire.KindError, Payload: (&wire.Encoder{}).String(err.Error()).Payload()})
		return err
	}
	if helloDone != nil {
		helloDone()
	}
	triple := ""
	if t, err := target.Host(); err == nil {
		triple = t.Triple
	}
	if err := wire.WriteFrame(w, wire.Frame{Kind: wire.KindHello, Payload: encodeWorkerHello(hello{Version: Version, Triple: triple, PID: uint64(os.Getpid())})}); err != nil {
		return fmt.Errorf("worker: sending the hello: %w", err)
	}
	for {
		f, err := fr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("worker: reading a request: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.Kind != wire.KindCall || f.Op != opCompile {
			msg := fmt.Sprintf("worker: unexpected %v frame (op %d): a worker answers only compile calls", f.Kind, f.Op)
			if err := wire.WriteFrame(w, errorFrame(f.Seq, msg)); err != nil {
				return err
			}
			continue
		}
		reply := handle(ctx, f)
		if err := wire.WriteFrame(w, reply); err != nil {
			return fmt.Errorf("worker: sending a reply: %w", err)
		}
	}
}

func errorFrame(seq uint64, msg string) wire.Frame {
	return wire.Frame{Kind: wire.KindError, Op: opCompile, Seq: seq, Payload: (&wire.Encoder{}).String(msg).Payload()}
}

// handle answers one compile call.
func handle(ctx context.Context, f wire.Frame) wire.Frame {
	req, err := DecodeRequest(f.Payload)
	if err != nil {
		return errorFrame(f.Seq, err.Error())
	}
	rep, err := Compile(ctx, req)
	if err != nil {
		return errorFrame(f.Seq, err.Error())
	}
	p := encodeReply(rep)
	if len(p) > wire.MaxPayload {
		return errorFrame(f.Seq, fmt.Sprintf("worker: %s: the object (%d bytes) exceeds the protocol's %d-byte frames; split the module further", req.Name, len(p), wire.MaxPayload))
	}
	return wire.Frame{Kind: wire.KindResult, Op: opCompile, Seq: f.Seq, Payload: p}
}

// ServeListener accepts controllers on ln and serves each on its own
// goroutine (Serve) until ctx ends or ln fails. A connection that has not
// sent its hello within cfg.HandshakeTimeout is closed; beyond
// cfg.MaxConns connections, new ones are closed at once. TLS, when
// wanted, is ln's (tls.NewListener): the handshake happens within the
// hello's deadline.
func ServeListener(ctx context.Context, ln net.Listener, cfg ServeConfig) error {
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = 10 * time.Second
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 64
	}
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, cfg.MaxConns)
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return ctx.Err()
			}
			return fmt.Errorf("worker: accepting: %w", err)
		}
		select {
		case sem <- struct{}{}:
		default:
			logf("gorc worker: %v: refused, %d connections already served", c.RemoteAddr(), cfg.MaxConns)
			c.Close()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			defer c.Close()
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			stopConn := context.AfterFunc(cctx, func() { c.Close() })
			defer stopConn()
			c.SetDeadline(time.Now().Add(cfg.HandshakeTimeout))
			err := serve(cctx, c, c, func() { c.SetDeadline(time.Time{}) })
			if err != nil && ctx.Err() == nil {
				logf("gorc worker: %v: %v", c.RemoteAddr(), err)
			}
		}()
	}
}
