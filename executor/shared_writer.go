//go:build cgo

package executor

// This file holds how a shared executor writes to its controllers: each
// connection on its own, under its own lock, with a bound on how long a
// write may make no progress. A controller that stops reading its
// connection (a full socket buffer) stalls only its own answers, and is
// dropped after Hub.WriteTimeout, which releases what it alone owned as
// any disconnect does.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gorc-jit/gorc/shared/wire"
)

// DefaultWriteTimeout is how long a shared executor waits for a controller
// to take any byte of an answer before it drops the controller
// (Hub.WriteTimeout, `gorc executor -write-timeout`).
const DefaultWriteTimeout = 30 * time.Second

// writeChunk is how much of a frame one write with a fresh deadline
// carries: the bound is on a write making no progress, not on a large
// answer taking long on a slow link.
const writeChunk = 64 << 10

// deadliner is a connection whose writes can be bounded (net.Conn,
// crypto/tls.Conn, os.File on a pipe or socket).
type deadliner interface {
	SetWriteDeadline(time.Time) error
}

// stallWriter writes in chunks of writeChunk, each within timeout. A
// writer that turns out not to support deadlines (a regular file) is
// written without them.
type stallWriter struct {
	w       io.Writer
	d       deadliner // nil: no deadlines
	timeout time.Duration
}

func (w *stallWriter) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		end := min(len(p), n+writeChunk)
		if w.d != nil && w.d.SetWriteDeadline(time.Now().Add(w.timeout)) != nil {
			w.d = nil
		}
		k, err := w.w.Write(p[n:end])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// errStalled marks a write that made no progress within the timeout.
var errStalled = errors.New("the controller took no answer bytes")

// writer returns what a shared connection writes its frames to (w, with
// a bound on stalled writes when w can have write deadlines) and how to
// drop the connection (close w, when it can be closed; the reader then
// fails and the controller leaves the hub).
func (sc *sharedConn) writer(w io.Writer) (io.Writer, func(error)) {
	timeout := sc.hub.WriteTimeout
	if timeout <= 0 {
		timeout = DefaultWriteTimeout
	}
	out := w
	if d, ok := w.(deadliner); ok {
		out = &stallWriter{w: w, d: d, timeout: timeout}
	}
	drop := func(err error) {
		sc.hub.logf("dropped %v: %v; its memory is released as on any disconnect", sc.peer, err)
		if c, ok := w.(io.Closer); ok {
			c.Close()
		}
	}
	return out, drop
}

// sendShared writes one frame on a shared connection (s.mu held). A
// write that stalls drops the connection; later sends fail at once.
func (s *server) sendShared(f wire.Frame) error {
	if s.dropped != nil {
		return s.dropped
	}
	err := wire.WriteFrame(s.w, f)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		timeout := s.sh.hub.WriteTimeout
		if timeout <= 0 {
			timeout = DefaultWriteTimeout
		}
		s.dropped = fmt.Errorf("executor: %w for %v (it stopped reading its connection)", errStalled, timeout)
		s.drop(s.dropped)
		return s.dropped
	}
	return err
}
