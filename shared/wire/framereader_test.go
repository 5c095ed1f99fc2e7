package wire

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
)

// stepReader is a stream scripted in steps: a step's bytes are returned
// (as many as the caller asks for, the rest stays for the next Read), a
// nil step is a read that times out (os.ErrDeadlineExceeded); after the
// last step every Read returns end (io.EOF if nil).
type stepReader struct {
	steps [][]byte
	end   error
}

func (s *stepReader) Read(p []byte) (int, error) {
	for len(s.steps) > 0 {
		st := s.steps[0]
		if st == nil {
			s.steps = s.steps[1:]
			return 0, fmt.Errorf("read pipe: %w", os.ErrDeadlineExceeded)
		}
		if len(st) == 0 {
			s.steps = s.steps[1:]
			continue
		}
		n := copy(p, st)
		if n == len(st) {
			s.steps = s.steps[1:]
		} else {
			s.steps[0] = st[n:]
		}
		return n, nil
	}
	if s.end != nil {
		return 0, s.end
	}
	return 0, io.EOF
}

// cutAt returns steps giving b in pieces ending at the offsets cuts, each
// piece followed by a timeout.
func cutAt(b []byte, cuts ...int) [][]byte {
	var steps [][]byte
	last := 0
	for _, c := range cuts {
		steps = append(steps, b[last:c:c], nil)
		last = c
	}
	return append(steps, b[last:])
}

// collect calls Next until an error other than a timeout; it returns the
// frames, the number of timeouts seen and that error.
func collect(t *testing.T, fr *FrameReader) ([]Frame, int, error) {
	t.Helper()
	var frames []Frame
	timeouts := 0
	for i := 0; i < 1<<20; i++ {
		f, err := fr.Next()
		if err == nil {
			frames = append(frames, f)
			continue
		}
		if isTimeout(err) {
			timeouts++
			continue
		}
		return frames, timeouts, err
	}
	t.Fatal("Next never ends")
	return nil, 0, nil
}

func sameFrames(t *testing.T, got, want []Frame) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d frames, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Kind != w.Kind || g.Op != w.Op || g.Seq != w.Seq || !bytes.Equal(g.Payload, w.Payload) || g.Payload == nil {
			t.Fatalf("frame %d: got %v %v seq %d (%d bytes), want %v %v seq %d (%d bytes)",
				i, g.Kind, g.Op, g.Seq, len(g.Payload), w.Kind, w.Op, w.Seq, len(w.Payload))
		}
	}
}

func encodeFrames(t testing.TB, frames ...Frame) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, f := range frames {
		if err := WriteFrame(&b, f); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func pattern(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i % 251)
	}
	return p
}

// TestFrameReaderEveryCut cuts a stream of frames at every byte offset,
// with a timeout there: the reader returns the timeout, then resumes and
// returns every frame whole, then io.EOF.
func TestFrameReaderEveryCut(t *testing.T) {
	frames := []Frame{
		{Kind: KindResult, Op: OpWrite, Seq: 1, Payload: []byte{}},
		{Kind: KindCall, Op: OpReentry, Seq: 1<<40 + 3, Payload: pattern(21)},
		{Kind: KindStdout, Payload: pattern(70)}, // larger than a 16-byte buffer
	}
	stream := encodeFrames(t, frames...)
	bounds := map[int]bool{0: true}
	for off, i := 0, 0; i < len(frames); i++ {
		off += HeaderSize + len(frames[i].Payload)
		bounds[off] = true
	}
	for _, size := range []int{16, 32, 64 << 10} {
		for cut := 0; cut <= len(stream); cut++ {
			t.Run(fmt.Sprintf("buf%d/cut%d", size, cut), func(t *testing.T) {
				fr := NewFrameReader(&stepReader{steps: cutAt(stream, cut)}, size)
				var got []Frame
				timeouts := 0
				for {
					f, err := fr.Next()
					if isTimeout(err) {
						timeouts++
						if fr.InFrame() == bounds[cut] {
							t.Fatalf("after the timeout InFrame is %v at offset %d", fr.InFrame(), cut)
						}
						continue
					}
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, f)
				}
				if timeouts != 1 {
					t.Fatalf("%d timeouts returned, want 1", timeouts)
				}
				sameFrames(t, got, frames)
			})
		}
	}
}

// TestFrameReaderSplitAcrossCalls delivers frames in many pieces, a
// timeout after each, so one frame takes several calls to Next.
func TestFrameReaderSplitAcrossCalls(t *testing.T) {
	small := []Frame{
		{Kind: KindHello, Payload: EncodeHello(Hello{Version: Version, Triple: "x86_64", PageSize: 4096})},
		{Kind: KindCall, Op: OpStdin, Seq: 9, Payload: StdinPayload([]byte("input"), true)},
		{Kind: KindError, Op: OpLookup, Seq: 10, Payload: []byte("no such symbol")},
	}
	large := []Frame{ // over the 1 MiB allocated at once: the payload grows
		{Kind: KindResult, Op: OpRead, Seq: 2, Payload: pattern(2<<20 + 3)},
		{Kind: KindResult, Op: OpRead, Seq: 3, Payload: pattern(5)},
	}
	every := func(b []byte, step int) []int {
		var cuts []int
		for c := step; c < len(b); c += step {
			cuts = append(cuts, c)
		}
		return cuts
	}
	tests := []struct {
		name   string
		frames []Frame
		size   int
		cuts   func(b []byte) []int
	}{
		{"every byte", small, 16, func(b []byte) []int { return every(b, 1) }},
		{"every 7 bytes", small, 64 << 10, func(b []byte) []int { return every(b, 7) }},
		{"header in two calls", small, 64 << 10, func([]byte) []int { return []int{3, 9, 16} }},
		{"large in 100 KiB pieces", large, 64 << 10, func(b []byte) []int { return every(b, 100<<10) }},
		{"large in odd pieces", large, 16, func(b []byte) []int { return every(b, 333333) }},
		{"large cut in its header", large, 64 << 10, func([]byte) []int { return []int{7} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stream := encodeFrames(t, tc.frames...)
			cuts := tc.cuts(stream)
			fr := NewFrameReader(&stepReader{steps: cutAt(stream, cuts...)}, tc.size)
			got, timeouts, err := collect(t, fr)
			if err != io.EOF {
				t.Fatalf("at the end: %v, want io.EOF", err)
			}
			if timeouts != len(cuts) {
				t.Fatalf("%d timeouts returned, want %d", timeouts, len(cuts))
			}
			sameFrames(t, got, tc.frames)
		})
	}
}

// TestFrameReaderErrors: a bad or cut-off stream gives ReadFrame's error,
// word for word, however the stream was split into reads and timeouts.
func TestFrameReaderErrors(t *testing.T) {
	hdr := func(n uint32, kind, op, r byte, seq byte) []byte {
		b := make([]byte, HeaderSize)
		b[0], b[1], b[2], b[3] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
		b[4], b[5], b[6], b[8] = kind, op, r, seq
		return b
	}
	good := encodeFrames(t, Frame{Kind: KindResult, Op: OpRead, Seq: 1, Payload: []byte("ok")})
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	tests := []struct {
		name   string
		in     []byte
		cuts   []int
		end    error // the stream's error after in (nil: io.EOF)
		want   string
		frames int // good frames before the error
		is     error
	}{
		{"truncated header", []byte{1, 2, 3}, nil, nil, "wire: truncated frame header: unexpected EOF", 0, io.ErrUnexpectedEOF},
		{"truncated header after timeouts", cat(good, hdr(4, 2, 1, 0, 7)[:11]), []int{5, 20}, nil,
			"wire: truncated frame header: unexpected EOF", 1, io.ErrUnexpectedEOF},
		{"oversized length", hdr(MaxPayload+1, 2, 1, 0, 7), nil, nil,
			fmt.Sprintf("wire: frame seq 7 announces %d payload bytes: frame exceeds the maximum payload size", MaxPayload+1), 0, ErrTooLarge},
		{"oversized length, header in pieces", cat(good, hdr(1<<31, 2, 1, 0, 7)), []int{19, 30}, nil,
			"wire: frame seq 7 announces 2147483648 payload bytes: frame exceeds the maximum payload size", 1, ErrTooLarge},
		{"unknown kind", hdr(0, 99, 0, 0, 7), []int{4}, nil, "wire: frame seq 7: unknown kind 99", 0, nil},
		{"reserved", hdr(0, 2, 1, 5, 7), nil, nil, "wire: frame seq 7: reserved header bytes 0x5 0x0 are not zero", 0, nil},
		{"truncated payload", cat(hdr(10, 2, 1, 0, 7), []byte{1, 2}), nil, nil,
			"wire: frame seq 7: truncated payload (2 of 10 bytes): unexpected EOF", 0, io.ErrUnexpectedEOF},
		{"truncated payload after timeouts", cat(good, hdr(10, 2, 1, 0, 7), []byte{1, 2, 3}), []int{17, 19, 36}, nil,
			"wire: frame seq 7: truncated payload (3 of 10 bytes): unexpected EOF", 1, io.ErrUnexpectedEOF},
		{"truncated large payload", cat(hdr(3<<20, 2, 5, 0, 7), pattern(1<<20+5)), []int{100, 1 << 20}, nil,
			"wire: frame seq 7: truncated payload (1048581 of 3145728 bytes): unexpected EOF", 0, io.ErrUnexpectedEOF},
		{"empty payload cut", hdr(1, 3, 1, 0, 7), nil, nil,
			"wire: frame seq 7: truncated payload (0 of 1 bytes): unexpected EOF", 0, io.ErrUnexpectedEOF},
		{"stream error in the payload", cat(hdr(10, 2, 1, 0, 7), []byte{1}), []int{16}, io.ErrClosedPipe,
			"wire: frame seq 7: truncated payload (1 of 10 bytes): io: read/write on closed pipe", 0, io.ErrClosedPipe},
		{"stream error in the header", hdr(10, 2, 1, 0, 7)[:4], nil, io.ErrClosedPipe,
			"wire: truncated frame header: io: read/write on closed pipe", 0, io.ErrClosedPipe},
		{"stream error between frames", good, []int{18}, io.ErrClosedPipe, "io: read/write on closed pipe", 1, io.ErrClosedPipe},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// ReadFrame on the whole stream.
			r := &stepReader{steps: [][]byte{tc.in}, end: tc.end}
			var rerr error
			for i := 0; rerr == nil; i++ {
				_, rerr = ReadFrame(r)
				if rerr == nil && i >= tc.frames {
					t.Fatalf("ReadFrame: frame %d accepted", i)
				}
			}
			if rerr.Error() != tc.want {
				t.Errorf("ReadFrame: %q, want %q", rerr, tc.want)
			}
			// FrameReader on the stream cut into pieces.
			for _, size := range []int{16, 64 << 10} {
				fr := NewFrameReader(&stepReader{steps: cutAt(tc.in, tc.cuts...), end: tc.end}, size)
				frames, _, err := collect(t, fr)
				if len(frames) != tc.frames || err.Error() != tc.want {
					t.Errorf("FrameReader (buffer %d): %d frames, %q; want %d, %q", size, len(frames), err, tc.frames, tc.want)
				}
				if tc.is != nil && (!errors.Is(err, tc.is) || !errors.Is(rerr, tc.is)) {
					t.Errorf("%v / %v: not %v", rerr, err, tc.is)
				}
				if fr.InFrame() {
					t.Errorf("a partial frame is kept after an error")
				}
			}
		})
	}
}

// FuzzFrameReader: on any byte stream, cut into reads and timeouts at any
// points (cuts: each byte is a read of at most that many bytes, 0 is a
// timeout; the rest of the stream follows in one piece), FrameReader
// returns the same frames as ReadFrame on the whole stream, then the same
// error, and one timeout per timeout of the stream.
func FuzzFrameReader(f *testing.F) {
	f.Add(encodeFrames(f, Frame{Kind: KindCall, Op: OpWrite, Seq: 7, Payload: pattern(40)}, Frame{Kind: KindResult, Seq: 8}), []byte{5, 0, 20, 0, 0, 1})
	f.Fuzz(func(t *testing.T, in, cuts []byte) {
		var want []Frame
		var werr error
		r := bytes.NewReader(in)
		for len(want) < 64 {
			var fr Frame
			if fr, werr = ReadFrame(r); werr != nil {
				break
			}
			want = append(want, fr)
		}
		var steps [][]byte
		rest, timeouts := in, 0
		for _, c := range cuts {
			if c == 0 {
				steps = append(steps, nil)
				timeouts++
				continue
			}
			k := min(int(c), len(rest))
			steps = append(steps, rest[:k:k])
			rest = rest[k:]
		}
		steps = append(steps, rest)
		fr := NewFrameReader(&stepReader{steps: steps}, 16<<(len(cuts)%4))
		var got []Frame
		var gerr error
		seen := 0
		for len(got) < 64 {
			f, err := fr.Next()
			if isTimeout(err) {
				if seen++; seen > timeouts {
					t.Fatalf("%d timeouts returned, the stream had %d", seen, timeouts)
				}
				continue
			}
			if gerr = err; err != nil {
				break
			}
			got = append(got, f)
		}
		if len(got) != len(want) {
			t.Fatalf("FrameReader: %d frames (then %v), ReadFrame: %d (then %v)", len(got), gerr, len(want), werr)
		}
		for i := range got {
			g, w := got[i], want[i]
			if g.Kind != w.Kind || g.Op != w.Op || g.Seq != w.Seq || !bytes.Equal(g.Payload, w.Payload) {
				t.Fatalf("frame %d: FrameReader %v %v seq %d %q, ReadFrame %v %v seq %d %q", i, g.Kind, g.Op, g.Seq, g.Payload, w.Kind, w.Op, w.Seq, w.Payload)
			}
		}
		if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
			t.Fatalf("FrameReader ends with %v, ReadFrame with %v", gerr, werr)
		}
	})
}
