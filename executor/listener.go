//go:build cgo

package executor

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/gorc-jit/gorc/shared/wire"
)

// HelloEnv names the environment variable through which a listener hands
// the executor process it spawns the controller's hello frame (hex), which
// the listener already read to authenticate the connection.
const HelloEnv = "GORC_EXECUTOR_HELLO"

// Listener limits (the defaults of ListenerConfig and of the flags of
// `gorc executor -listen`).
const (
	DefaultMaxSessions        = 16
	DefaultMaxUnauthenticated = 128
	DefaultHandshakeTimeout   = 5 * time.Second
	// maxHelloPayload bounds the controller's hello (16 bytes today).
	maxHelloPayload = 4 << 10
)

// ListenerConfig tunes ServeListenerConfig. Zero fields take the defaults.
type ListenerConfig struct {
	// MaxSessions is the number of executor processes serving controllers
	// at once; an authenticated controller beyond it is refused with an
	// Error frame.
	MaxSessions int
	// MaxUnauthenticated is the number of connections that may be in
	// their handshake at once (TLS handshake and the controller's hello).
	// When a new connection arrives with all of them taken, the oldest
	// pending one is closed to make room: a newcomer always gets its
	// chance, and a client that holds connections open without speaking
	// cannot lock others out (it would have to outpace the accept loop).
	MaxUnauthenticated int
	// HandshakeTimeout bounds the time from accept to a complete hello
	// (including the TLS handshake).
	HandshakeTimeout time.Duration
	// Logf (may be nil) reports refusals and each session's end.
	Logf func(format string, args ...any)
	// Shared serves every authenticated controller in this one process
	// (ServeShared, with one Hub for all) instead of a fresh executor
	// process each: the controllers can publish dylibs to one another and
	// link against them (docs/SHARING.md). MaxSessions still bounds them.
	Shared bool
	// Hub is the shared executor's state when Shared (nil: a new one).
	Hub *Hub
	// WriteTimeout, when Shared and Hub is nil, is the new hub's
	// WriteTimeout: a controller that takes no byte of its answers for
	// that long is dropped (0: DefaultWriteTimeout).
	WriteTimeout time.Duration
}

func (c ListenerConfig) withDefaults() ListenerConfig {
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.MaxUnauthenticated <= 0 {
		c.MaxUnauthenticated = DefaultMaxUnauthenticated
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return c
}

// ServeListener is ServeListenerConfig with the default limits.
func ServeListener(ctx context.Context, ln net.Listener, argv []string, logf func(format string, args ...any)) error {
	return ServeListenerConfig(ctx, ln, argv, ListenerConfig{Logf: logf})
}

// ServeListenerConfig accepts controllers on ln until ctx is done or ln
// fails. Connections are accepted concurrently; each is first
// authenticated — the TLS handshake when ln is a crypto/tls listener, then
// the controller's hello frame — within cfg.HandshakeTimeout, and only then
// served by a fresh executor process (argv, e.g. {"/path/to/gorc",
// "executor"}, started with FDsEnv naming the connection and HelloEnv
// carrying the hello), so a program that ends its executor with exit(), or
// a crash, ends only that process. The children share the listener's
// stdin, stdout and stderr. With cfg.Shared every controller is served in
// this process instead (ServeShared; argv is unused and may be nil). A connection with a descriptor (TCP) is handed
// to the child; one without (a crypto/tls connection) is relayed through
// pipes. Refused connections are logged with the peer's address and the
// reason.
func ServeListenerConfig(ctx context.Context, ln net.Listener, argv []string, cfg ListenerConfig) error {
	if len(argv) == 0 && !cfg.Shared {
		return fmt.Errorf("executor: serve listener: empty executor command")
	}
	cfg = cfg.withDefaults()
	if cfg.Shared && cfg.Hub == nil {
		cfg.Hub = NewHub()
		cfg.Hub.Logf = cfg.Logf
		cfg.Hub.WriteTimeout = cfg.WriteTimeout
	}
	if cfg.Shared {
		// A fault in code one controller runs ends the process for all:
		// tell them all who and where before it does.
		if err := reportCrashesTo(cfg.Hub); err != nil {
			return err
		}
		// So does exit() in code a controller runs, while this listener
		// serves: a hub whose listener has returned is not told (its
		// logger may be gone, as a finished test's is).
		defer reportExitsTo(cfg.Hub)()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	unauth := make(chan struct{}, cfg.MaxUnauthenticated)
	pend := &pending{}
	sessions := make(chan struct{}, cfg.MaxSessions)
	var wg sync.WaitGroup
	defer wg.Wait()
	var backoff time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporaryAccept(err) {
				// Out of descriptors or a transient failure: back off
				// rather than spin (as net/http does).
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				cfg.Logf("executor: accept on %v: %v; retrying in %v", ln.Addr(), err, backoff)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("executor: accept on %v: %w", ln.Addr(), err)
		}
		backoff = 0
		select {
		case unauth <- struct{}{}:
		default:
			if old := pend.oldest(); old != nil {
				cfg.Logf("executor: closed %v to make room for %v: %d connections already in their handshake (-max-unauthenticated)", old.RemoteAddr(), conn.RemoteAddr(), cfg.MaxUnauthenticated)
				old.Close()
			}
			// The evicted connection's handshake fails at once and
			// frees its slot.
			select {
			case unauth <- struct{}{}:
			case <-ctx.Done():
				conn.Close()
				return ctx.Err()
			}
		}
		pend.add(conn)
		wg.Add(1)
		go func() {
			defer wg.Done()
			serveConn(ctx, conn, argv, cfg, unauth, sessions, pend)
		}()
	}
}

// pending is the set of connections in their handshake, oldest first.
type pending struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (p *pending) add(c net.Conn) {
	p.mu.Lock()
	p.conns = append(p.conns, c)
	p.mu.Unlock()
}

// remove takes c out of the set; false means it was no longer there
// (evicted by oldest).
func (p *pending) remove(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.conns {
		if x == c {
			p.conns = append(p.conns[:i], p.conns[i+1:]...)
			return true
		}
	}
	return false
}

// oldest removes and returns the longest-pending connection (nil if none).
func (p *pending) oldest() net.Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.conns) == 0 {
		return nil
	}
	c := p.conns[0]
	p.conns = p.conns[1:]
	return c
}

func isTemporaryAccept(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// serveConn authenticates conn, then serves it in a child process. It
// releases its unauth slot once the handshake is over.
func serveConn(ctx context.Context, conn net.Conn, argv []string, cfg ListenerConfig, unauth, sessions chan struct{}, pend *pending) {
	peer := conn.RemoteAddr()
	hello, err := authenticate(ctx, conn, cfg.HandshakeTimeout)
	evicted := !pend.remove(conn)
	<-unauth
	if evicted {
		return // closed by the accept loop to make room
	}
	if err != nil {
		cfg.Logf("executor: refused %v: %v", peer, err)
		conn.Close()
		return
	}
	select {
	case sessions <- struct{}{}:
	default:
		msg := fmt.Sprintf("executor busy: %d sessions already (-max-sessions)", cfg.MaxSessions)
		cfg.Logf("executor: refused %v: %s", peer, msg)
		conn.SetWriteDeadline(time.Now().Add(time.Second))
		wire.WriteFrame(conn, wire.Frame{Kind: wire.KindError, Seq: helloSeq(hello), Payload: []byte(msg)})
		conn.Close()
		return
	}
	defer func() { <-sessions }()
	if cfg.Shared {
		defer conn.Close()
		err = ServeShared(ctx, io.MultiReader(bytes.NewReader(hello), conn), conn, cfg.Hub, peer.String())
		cfg.Logf("executor: controller %v left the shared executor: %v", peer, err)
		return
	}
	err = serveConnInChild(ctx, conn, argv, hello)
	cfg.Logf("executor: session with %v ended: %v", peer, err)
}

// authenticate runs the TLS handshake (for a crypto/tls connection) and
// reads the controller's hello frame, all within timeout, and returns the
// hello frame's bytes. A hello that is not one is answered with an Error
// frame, as Serve would.
func authenticate(ctx context.Context, conn net.Conn, timeout time.Duration) ([]byte, error) {
	deadline := time.Now().Add(timeout)
	// The listener's end does not wait for handshakes to time out.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := conn.SetDeadline(deadline); err != nil {
		return nil, fmt.Errorf("setting the handshake deadline: %w", err)
	}
	if tc, ok := conn.(*tls.Conn); ok {
		hctx, cancel := context.WithDeadline(ctx, deadline)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
	}
	// Read exactly one frame: the bytes after it belong to the session.
	var h [wire.HeaderSize]byte
	if _, err := io.ReadFull(conn, h[:]); err != nil {
		return nil, fmt.Errorf("reading the controller's hello (within %v): %w", timeout, err)
	}
	n := binary.LittleEndian.Uint32(h[:])
	kind := wire.Kind(h[4])
	if kind != wire.KindHello || n > maxHelloPayload {
		refuse(conn, h, "expected hello")
		return nil, fmt.Errorf("the connection opened with a %v frame of %d bytes, not a controller hello", kind, n)
	}
	frame := make([]byte, wire.HeaderSize+int(n))
	copy(frame, h[:])
	if _, err := io.ReadFull(conn, frame[wire.HeaderSize:]); err != nil {
		return nil, fmt.Errorf("reading the controller's hello (within %v): %w", timeout, err)
	}
	f, err := wire.ReadFrame(bytes.NewReader(frame))
	if err == nil {
		_, err = wire.DecodeControllerHello(f.Payload)
	}
	if err != nil {
		refuse(conn, h, err.Error())
		return nil, fmt.Errorf("bad controller hello: %w", err)
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return nil, err
	}
	return frame, nil
}

func helloSeq(frame []byte) uint64 {
	if len(frame) < wire.HeaderSize {
		return 0
	}
	return binary.LittleEndian.Uint64(frame[8:])
}

// refuse answers a bad hello with an Error frame (best effort).
func refuse(conn net.Conn, h [wire.HeaderSize]byte, msg string) {
	conn.SetWriteDeadline(time.Now().Add(time.Second))
	wire.WriteFrame(conn, wire.Frame{Kind: wire.KindError, Seq: binary.LittleEndian.Uint64(h[8:]), Payload: []byte(msg)})
}

// serveConnInChild serves an authenticated connection in a child process;
// hello is the controller's hello frame, already read from conn.
func serveConnInChild(ctx context.Context, conn net.Conn, argv []string, hello []byte) error {
	defer conn.Close()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if fc, ok := conn.(interface{ File() (*os.File, error) }); ok {
		// A plain socket: the child speaks on it directly.
		f, err := fc.File()
		if err != nil {
			return fmt.Errorf("executor: connection descriptor: %w", err)
		}
		defer f.Close()
		cmd.ExtraFiles = []*os.File{f}
		cmd.Env = append(os.Environ(), FDsEnv+"=3,3", HelloEnv+"="+hex.EncodeToString(hello))
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("executor: starting %s: %w", argv[0], err)
		}
		// Keep one copy of the connection (f) until the child has ended,
		// to tell the controller how.
		conn.Close()
		err = cmd.Wait()
		reportEnded(f, cmd)
		return err
	}
	// A connection without a descriptor (TLS): relay it through pipes,
	// the hello first.
	toR, toW, err := os.Pipe()
	if err != nil {
		return err
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		toR.Close()
		toW.Close()
		return err
	}
	cmd.ExtraFiles = []*os.File{toR, fromW}
	cmd.Env = append(os.Environ(), FDsEnv+"=3,4")
	if err := cmd.Start(); err != nil {
		for _, f := range []*os.File{toR, toW, fromR, fromW} {
			f.Close()
		}
		return fmt.Errorf("executor: starting %s: %w", argv[0], err)
	}
	toR.Close()
	fromW.Close()
	go func() {
		// controller -> executor; ends when the controller hangs up
		if _, err := toW.Write(hello); err == nil {
			io.Copy(toW, conn)
		}
		toW.Close()
	}()
	io.Copy(conn, fromR) // executor -> controller; ends when the executor exits
	fromR.Close()
	err = cmd.Wait()
	reportEnded(conn, cmd)
	conn.Close()
	return err
}
