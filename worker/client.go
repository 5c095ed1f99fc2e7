package worker

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"sync"
	"time"

	"github.com/gorc-jit/gorc/internal/diag"
	"github.com/gorc-jit/gorc/shared/wire"
)

// Conn is a controller's connection to one worker. Its methods are not
// for concurrent use (one request in flight per connection).
type Conn struct {
	// Name says which worker this is in messages ("worker 2 (pid 123)",
	// "tcp://host:port").
	Name string
	// Triple is the worker's own target (it compiles for any triple it
	// supports, whatever its own).
	Triple string
	// PID is the worker process's id, as it reported it.
	PID int

	rw    io.ReadWriter
	fr    *wire.FrameReader
	close func() error
	abort func() // ends the connection at once (kills a spawned worker)
	seq   uint64
	once  sync.Once
	cerr  error
}

// RemoteError is a worker's answer that a request does not compile: the
// same request fails wherever it is compiled, so it is not retried.
type RemoteError struct {
	Worker string // the worker's Name
	Msg    string // its message (names the module and function)
}

func (e *RemoteError) Error() string { return e.Msg }

// maxMessage bounds the length of a worker's message that is reported.
const maxMessage = 8 << 10

// ErrRequestTooLarge is returned (wrapped) by Conn.Compile for a request
// that does not fit in one frame: the connection stays usable, and a
// Pool compiles such a request in this process.
var ErrRequestTooLarge = errors.New("the request exceeds the protocol's frame size")

// newConn does the hello on rw.
func newConn(ctx context.Context, name string, rw io.ReadWriter, closeFn func() error, abort func(), timeout time.Duration) (*Conn, error) {
	c := &Conn{Name: name, rw: rw, fr: wire.NewFrameReader(rw, 64<<10), close: closeFn, abort: abort}
	var h hello
	err := c.withTimeout(ctx, timeout, func() error {
		if err := wire.WriteFrame(rw, wire.Frame{Kind: wire.KindHello, Payload: encodeControllerHello()}); err != nil {
			return err
		}
		f, err := c.fr.Next()
		if err != nil {
			return err
		}
		if f.Kind == wire.KindError {
			d := wire.NewDecoder(f.Payload)
			return errors.New(diag.ClipN(d.String(), maxMessage))
		}
		if f.Kind != wire.KindHello {
			return fmt.Errorf("expected a hello, got a %v frame", f.Kind)
		}
		h, err = decodeWorkerHello(f.Payload)
		return err
	})
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("worker: %s: hello: %w", name, err)
	}
	c.Triple, c.PID = h.Triple, int(h.PID&(1<<31-1))
	if h.PID != 0 && c.Name == "" {
		c.Name = fmt.Sprintf("worker pid %d", h.PID)
	}
	return c, nil
}

// withTimeout runs fn, closing the connection (which makes fn's reads
// and writes fail) if ctx ends or timeout passes first.
func (c *Conn) withTimeout(ctx context.Context, timeout time.Duration, fn func() error) error {
	var why error
	var mu sync.Mutex
	stop := func(err error) {
		mu.Lock()
		if why == nil {
			why = err
		}
		mu.Unlock()
		if c.abort != nil {
			c.abort()
		}
		c.Close()
	}
	var timer *time.Timer
	if timeout > 0 {
		timer = time.AfterFunc(timeout, func() { stop(fmt.Errorf("no answer within %v", timeout)) })
	}
	unwatch := context.AfterFunc(ctx, func() { stop(ctx.Err()) })
	err := fn()
	if timer != nil {
		timer.Stop()
	}
	unwatch()
	mu.Lock()
	defer mu.Unlock()
	if why != nil {
		return why
	}
	return err
}

// Compile sends req and waits for the object, at most timeout (0: no
// limit) and until ctx ends. A *RemoteError says the request does not
// compile; any other error says the worker failed (killed, disconnected,
// timed out), after which the connection is closed and unusable.
func (c *Conn) Compile(ctx context.Context, req *Request, timeout time.Duration) (*Reply, error) {
	if c.cerr != nil {
		return nil, c.cerr
	}
	payload := req.Encode()
	if len(payload) > wire.MaxPayload {
		return nil, fmt.Errorf("worker: %s: %w (%d bytes, at most %d)", req.Name, ErrRequestTooLarge, len(payload), wire.MaxPayload)
	}
	c.seq++
	seq := c.seq
	var rep *Reply
	var remote *RemoteError
	err := c.withTimeout(ctx, timeout, func() error {
		if err := wire.WriteFrame(c.rw, wire.Frame{Kind: wire.KindCall, Op: opCompile, Seq: seq, Payload: payload}); err != nil {
			return err
		}
		f, err := c.fr.Next()
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		if err != nil {
			return err
		}
		if f.Seq != seq {
			return fmt.Errorf("answer to request %d while waiting for %d", f.Seq, seq)
		}
		switch f.Kind {
		case wire.KindResult:
			rep, err = decodeReply(f.Payload)
			return err
		case wire.KindError:
			d := wire.NewDecoder(f.Payload)
			msg := d.String()
			if err := d.Finish(); err != nil {
				return err
			}
			remote = &RemoteError{Worker: c.Name, Msg: diag.ClipN(msg, maxMessage)}
			return nil
		}
		return fmt.Errorf("unexpected %v frame", f.Kind)
	})
	if err != nil {
		c.Close()
		c.cerr = fmt.Errorf("worker: %s failed compiling %s: %w", c.Name, req.Name, err)
		return nil, c.cerr
	}
	if remote != nil {
		return nil, remote
	}
	return rep, nil
}

// Close ends the connection (and a spawned worker process).
func (c *Conn) Close() error {
	c.once.Do(func() {
		if c.close != nil {
			c.close()
		}
	})
	return nil
}

// Spawn starts a local worker process (argv, e.g. gorc's own executable
// and "worker") talking over its stdin and stdout; its stderr goes to
// stderr (nil: discarded). The worker ends when the connection is closed.
func Spawn(ctx context.Context, name string, argv []string, stderr io.Writer) (*Conn, error) {
	if len(argv) == 0 {
		return nil, errors.New("worker: Spawn: no command")
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("worker: starting %s: %w", argv[0], err)
	}
	if name == "" {
		name = fmt.Sprintf("local worker (pid %d)", cmd.Process.Pid)
	} else {
		name = fmt.Sprintf("%s (pid %d)", name, cmd.Process.Pid)
	}
	var waitOnce sync.Once
	closeFn := func() error {
		in.Close()
		waitOnce.Do(func() {
			// A worker whose stdin closes ends; one stuck in a job is
			// killed after a grace period.
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				cmd.Process.Kill()
				<-done
			}
		})
		return nil
	}
	return newConn(ctx, name, struct {
		io.Reader
		io.Writer
	}{out, in}, closeFn, func() { cmd.Process.Kill() }, 30*time.Second)
}

// Dial connects to a worker listening on addr (host:port), over TLS when
// tlsCfg is set.
func Dial(ctx context.Context, addr string, tlsCfg *tls.Config, timeout time.Duration) (*Conn, error) {
	d := &net.Dialer{Timeout: timeout}
	var nc net.Conn
	var err error
	scheme := "tcp://"
	if tlsCfg != nil {
		scheme = "tls://"
		nc, err = (&tls.Dialer{NetDialer: d, Config: tlsCfg}).DialContext(ctx, "tcp", addr)
	} else {
		nc, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("worker: dialling %s%s: %w", scheme, addr, err)
	}
	return newConn(ctx, scheme+addr, nc, nc.Close, func() { nc.Close() }, timeout)
}
