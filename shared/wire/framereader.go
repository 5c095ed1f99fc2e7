package wire

// This file holds FrameReader, the reader of frames that can stop partway
// through a frame and be resumed later (by another goroutine), and
// frameState, the frame parsing it shares with ReadFrame: header checks,
// payload growth and the truncation errors exist once.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// FrameReader reads frames from a stream, buffered, as ReadFrame does,
// except that it can stop partway through a frame: when a read of the
// stream times out (an error that is os.ErrDeadlineExceeded, as a read
// deadline on an *os.File or a net.Conn gives), Next returns that error
// and keeps the part of the frame read so far, and the next call to Next
// resumes the frame. So a goroutine can interrupt its own read with a
// deadline and leave the stream, half a frame included, to whichever
// goroutine reads next. Calls to Next must not overlap.
type FrameReader struct {
	r *bufio.Reader
	s frameState
}

// NewFrameReader returns a FrameReader over r with a buffer of size bytes:
// a frame that fits in it (header and payload) is usually read from r in
// one Read.
func NewFrameReader(r io.Reader, size int) *FrameReader {
	return &FrameReader{r: bufio.NewReaderSize(r, size)}
}

// Next returns the next frame. Its errors are ReadFrame's (io.EOF as is
// between frames; a truncated or invalid frame is an error, after which
// the stream cannot be trusted), except for a timeout: Next returns the
// stream's timeout error unchanged, keeps what it has read of the frame,
// and the next call continues from there.
func (fr *FrameReader) Next() (Frame, error) { return fr.s.read(fr.r, true) }

// Peek returns the next n bytes of the stream without consuming them
// (fewer, with the stream's error, when it ends or fails first). Between
// frames, it shows what a peer sent before it is parsed as a frame: a
// controller uses it to recognise a peer that is not an executor at all
// (an HTTP server's answer). The bytes are valid until the next call.
func (fr *FrameReader) Peek(n int) ([]byte, error) { return fr.r.Peek(n) }

// Buffered returns the number of bytes read from the stream and not yet
// consumed: Peek(Buffered()) does not block.
func (fr *FrameReader) Buffered() int { return fr.r.Buffered() }

// InFrame reports whether Next has read part of a frame that it has not
// returned yet (after a timeout).
func (fr *FrameReader) InFrame() bool { return fr.s.nh > 0 }

// frameState is a frame as read so far.
type frameState struct {
	hdr [HeaderSize]byte
	nh  int    // header bytes read
	n   uint32 // payload bytes announced (once the header is complete)
	f   Frame  // kind, op and seq (once the header is complete); Payload as read so far
}

// largePayload is the payload size up to which the payload is allocated
// at once; larger payloads grow (doubling) as their bytes arrive, so that
// a lying length costs at most twice the data actually sent.
const largePayload = 1 << 20

// read continues the frame from r until it is complete. When resumable,
// a timeout error from r is returned as is with the state kept; every
// other error (and every returned frame) resets the state.
func (s *frameState) read(r io.Reader, resumable bool) (Frame, error) {
	for s.nh < HeaderSize {
		k, err := r.Read(s.hdr[s.nh:])
		s.nh += k
		if err == nil || s.nh == HeaderSize {
			continue
		}
		if resumable && isTimeout(err) {
			return Frame{}, err
		}
		nh := s.nh
		s.reset()
		if nh == 0 {
			return Frame{}, err // io.EOF between frames, or the stream's error
		}
		return Frame{}, fmt.Errorf("wire: truncated frame header: %w", unexpectedEOF(err))
	}
	if s.f.Payload == nil {
		if err := s.checkHeader(); err != nil {
			s.reset()
			return Frame{}, err
		}
	}
	for uint32(len(s.f.Payload)) < s.n {
		p := s.f.Payload
		if len(p) == cap(p) {
			q := make([]byte, len(p), min(uint64(s.n), 2*uint64(cap(p))))
			populate(q)
			copy(q, p)
			p = q
		}
		k, err := r.Read(p[len(p):cap(p)])
		s.f.Payload = p[:len(p)+k]
		if err == nil || uint32(len(s.f.Payload)) == s.n {
			continue
		}
		if resumable && isTimeout(err) {
			return Frame{}, err
		}
		seq, got, n := s.f.Seq, len(s.f.Payload), s.n
		s.reset()
		return Frame{}, fmt.Errorf("wire: frame seq %d: truncated payload (%d of %d bytes): %w", seq, got, n, unexpectedEOF(err))
	}
	f := s.f
	s.reset()
	return f, nil
}

// checkHeader checks the complete header and sets up the frame: a length
// over MaxPayload, an unknown kind or a non-zero reserved field is an
// error.
func (s *frameState) checkHeader() error {
	h := &s.hdr
	n := binary.LittleEndian.Uint32(h[:])
	f := Frame{Kind: Kind(h[4]), Op: Op(h[5]), Seq: binary.LittleEndian.Uint64(h[8:])}
	if n > MaxPayload {
		return fmt.Errorf("wire: frame seq %d announces %d payload bytes: %w", f.Seq, n, ErrTooLarge)
	}
	if f.Kind < KindHello || f.Kind > maxKind {
		return fmt.Errorf("wire: frame seq %d: unknown kind %d", f.Seq, h[4])
	}
	if h[6] != 0 || h[7] != 0 {
		return fmt.Errorf("wire: frame seq %d: reserved header bytes %#x %#x are not zero", f.Seq, h[6], h[7])
	}
	f.Payload = make([]byte, 0, min(n, largePayload)) // never nil: marks the header checked
	populate(f.Payload)
	s.f, s.n = f, n
	return nil
}

func (s *frameState) reset() { *s = frameState{} }

// unexpectedEOF is err, except that io.EOF inside a frame is
// io.ErrUnexpectedEOF.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }
