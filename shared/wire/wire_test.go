package wire

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	frames := []Frame{
		{Kind: KindHello, Payload: EncodeHello(Hello{Version: Version, Triple: "x", PageSize: 4096, Symbols: map[string]uint64{"a": 1}})},
		{Kind: KindCall, Op: OpWrite, Seq: 7, Payload: new(Encoder).U64(0x1000).Bytes([]byte("abc")).Payload()},
		{Kind: KindResult, Op: OpLookup, Seq: 1 << 40, Payload: nil},
	}
	for _, f := range frames {
		if err := WriteFrame(&buf, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range frames {
		got, err := ReadFrame(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != want.Kind || got.Op != want.Op || got.Seq != want.Seq || !bytes.Equal(got.Payload, want.Payload) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	}
	if _, err := ReadFrame(&buf); err != io.EOF {
		t.Fatalf("at end: %v, want EOF", err)
	}
}

func TestFrameErrors(t *testing.T) {
	hdr := func(n uint32, kind, op, r byte) []byte {
		b := make([]byte, HeaderSize)
		b[0], b[1], b[2], b[3] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
		b[4], b[5], b[6] = kind, op, r
		return b
	}
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"truncated header", []byte{1, 2, 3}, "truncated frame header"},
		{"too large", hdr(MaxPayload+1, 2, 1, 0), "maximum payload"},
		{"bad kind", hdr(0, 99, 0, 0), "unknown kind"},
		{"reserved", hdr(0, 2, 1, 5), "reserved"},
		{"truncated payload", append(hdr(10, 2, 1, 0), 1, 2), "truncated payload"},
	}
	for _, tc := range tests {
		_, err := ReadFrame(bytes.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := WriteFrame(io.Discard, Frame{Kind: KindCall, Payload: make([]byte, MaxPayload+1)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized write: %v", err)
	}
}

func TestDecoder(t *testing.T) {
	p := new(Encoder).U64(5).String("hi").Strings([]string{"a", "bc"}).U64s([]uint64{1, 2}).Bytes(nil).Payload()
	d := NewDecoder(p)
	if d.U64() != 5 || d.String() != "hi" || strings.Join(d.Strings(), ",") != "a,bc" || len(d.U64s()) != 2 || len(d.Bytes()) != 0 {
		t.Fatal("round trip mismatch")
	}
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
	// Hostile counts and lengths: errors, no huge allocations.
	bad := [][]byte{
		new(Encoder).U64(1 << 60).Payload(),            // string length
		new(Encoder).U64(1 << 40).U64(1).Payload(),     // list count
		new(Encoder).U64(2).String("a").Payload(),      // list shorter than count
		append(new(Encoder).U64(1).Payload(), 0, 0, 0), // trailing bytes after a u64
	}
	for i, b := range bad {
		d := NewDecoder(b)
		d.Strings()
		if d.Finish() == nil {
			t.Errorf("case %d: no error", i)
		}
	}
	if _, err := DecodeHello([]byte{1, 2}); err == nil {
		t.Error("truncated hello accepted")
	}
}

// FuzzReadFrame: arbitrary bytes never panic, hang or allocate more than
// the announced (bounded) payload; decoding every frame's payload as a
// hello and as a list never panics.
func FuzzReadFrame(f *testing.F) {
	var buf bytes.Buffer
	WriteFrame(&buf, Frame{Kind: KindHello, Payload: EncodeHello(Hello{Version: 1, Triple: "x86_64", PageSize: 4096, Symbols: map[string]uint64{"atexit": 5}})})
	f.Add(buf.Bytes())
	f.Add([]byte{0xff, 0xff, 0xff, 0x7f, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		for i := 0; i < 64; i++ {
			fr, err := ReadFrame(r)
			if err != nil {
				return
			}
			DecodeHello(fr.Payload)
			if h, err := DecodeControllerHello(fr.Payload); err == nil && (h.Version != Version || h.Flags&^knownFlags != 0) {
				t.Fatalf("accepted controller hello %+v", h)
			}
			d := NewDecoder(fr.Payload)
			d.Strings()
			d.U64s()
			d.Bytes()
			d.Finish()
		}
	})
}

func TestControllerHello(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    ControllerHello
		wantErr string
	}{
		{"plain", EncodeControllerHello(ControllerHello{Version: Version}), ControllerHello{Version: Version}, ""},
		{"stdio", EncodeControllerHello(ControllerHello{Version: Version, Flags: FlagForwardStdio | FlagMergeOutput}),
			ControllerHello{Version: Version, Flags: FlagForwardStdio | FlagMergeOutput}, ""},
		{"version 1", new(Encoder).U64(1).Payload(), ControllerHello{}, "version 1 not supported"},
		{"no flags", new(Encoder).U64(Version).Payload(), ControllerHello{}, "needs 8 bytes"},
		{"unknown flag", new(Encoder).U64(Version).U64(1 << 40).Payload(), ControllerHello{}, "unknown flags"},
		{"trailing", append(EncodeControllerHello(ControllerHello{Version: Version}), 0), ControllerHello{}, "trailing"},
		{"empty", nil, ControllerHello{}, "needs 8 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := DecodeControllerHello(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || h != tc.want {
				t.Fatalf("got %+v, %v; want %+v", h, err, tc.want)
			}
		})
	}
}

func TestStdioFrames(t *testing.T) {
	var buf bytes.Buffer
	in := []Frame{
		{Kind: KindStdout, Payload: []byte("out\n")},
		{Kind: KindStderr, Payload: []byte("err\n")},
		{Kind: KindCall, Op: OpStdin, Seq: 3, Payload: StdinPayload([]byte("input"), false)},
		{Kind: KindCall, Op: OpStdin, Seq: 4, Payload: StdinPayload(nil, true)},
	}
	for _, f := range in {
		if err := WriteFrame(&buf, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range in {
		got, err := ReadFrame(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != want.Kind || got.Op != want.Op || !bytes.Equal(got.Payload, want.Payload) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		if got.Op == OpStdin {
			d := NewDecoder(got.Payload)
			data, eof := d.Bytes(), d.U64()
			if err := d.Finish(); err != nil || (eof == 1) != (len(data) == 0) {
				t.Fatalf("stdin payload %q eof %d: %v", data, eof, err)
			}
		}
	}
	if KindStdout.String() != "stdout" || KindStderr.String() != "stderr" || OpStdin.String() != "stdin" {
		t.Errorf("names: %v %v %v", KindStdout, KindStderr, OpStdin)
	}
}

// countingWriter records the size of every Write call.
type countingWriter struct {
	bytes.Buffer
	writes []int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, len(p))
	return w.Buffer.Write(p)
}

// TestWriteFrameTail: a frame written as head and tail reads back as one
// payload equal to their concatenation, the same bytes WriteFrame writes
// for it; a large tail is written by itself (not copied), small ones go
// with the header in one Write.
func TestWriteFrameTail(t *testing.T) {
	big := bytes.Repeat([]byte{0xab}, 200<<10)
	for _, tc := range []struct {
		name       string
		head, tail []byte
		writes     int
	}{
		{"empty", nil, nil, 1},
		{"small head and tail", []byte("head"), []byte("tail"), 1},
		{"tail filling the first write", []byte("head"), big[:64<<10-4], 1},
		{"large tail", new(Encoder).U64(0x1000).U64(uint64(len(big))).Payload(), big, 2},
		{"large head and tail", big[:100<<10], big, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w countingWriter
			f := Frame{Kind: KindCall, Op: OpWrite, Seq: 9, Payload: tc.head}
			if err := WriteFrameTail(&w, f, tc.tail); err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			whole := append(append([]byte{}, tc.head...), tc.tail...)
			if err := WriteFrame(&want, Frame{Kind: KindCall, Op: OpWrite, Seq: 9, Payload: whole}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(w.Bytes(), want.Bytes()) {
				t.Errorf("bytes differ from WriteFrame of the concatenation (%d vs %d bytes)", w.Len(), want.Len())
			}
			if len(w.writes) != tc.writes {
				t.Errorf("%d Write calls %v, want %d", len(w.writes), w.writes, tc.writes)
			}
			got, err := ReadFrame(&w.Buffer)
			if err != nil || got.Seq != 9 || !bytes.Equal(got.Payload, whole) {
				t.Errorf("read back: seq %d, payload equal %v, err %v", got.Seq, bytes.Equal(got.Payload, whole), err)
			}
		})
	}
	if err := WriteFrameTail(io.Discard, Frame{Kind: KindCall, Payload: []byte{1}}, make([]byte, MaxPayload)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversize head+tail: %v, want ErrTooLarge", err)
	}
}

// countWriter records the writes made to it.
type countWriter struct {
	bytes.Buffer
	writes int
}

func (w *countWriter) Write(p []byte) (int, error) { w.writes++; return w.Buffer.Write(p) }

// TestWriteFrameParts checks that a frame written in parts is the frame
// with the parts concatenated, that small parts are gathered into the
// header's write and large ones written as they are, and that an
// oversize frame is refused before anything is written.
func TestWriteFrameParts(t *testing.T) {
	big := bytes.Repeat([]byte{0xab}, 40<<10)
	for _, tc := range []struct {
		name    string
		payload []byte
		parts   [][]byte
		writes  int
	}{
		{"empty", nil, nil, 1},
		{"small", []byte("head"), [][]byte{[]byte("a"), nil, []byte("bc")}, 1},
		{"large middle", []byte("head"), [][]byte{[]byte("a"), big, []byte("z")}, 3},
		{"large first", nil, [][]byte{big, []byte("z"), big}, 4},
		{"large last", nil, [][]byte{[]byte("a"), big}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Frame{Kind: KindCall, Op: OpBatch, Seq: 77, Payload: tc.payload}
			var want bytes.Buffer
			whole := Frame{Kind: f.Kind, Op: f.Op, Seq: f.Seq, Payload: bytes.Join(append([][]byte{tc.payload}, tc.parts...), nil)}
			if err := WriteFrame(&want, whole); err != nil {
				t.Fatal(err)
			}
			var got countWriter
			if err := WriteFrameParts(&got, f, tc.parts); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("stream differs from WriteFrame's (%d vs %d bytes)", got.Len(), want.Len())
			}
			if got.writes != tc.writes {
				t.Errorf("%d writes, want %d", got.writes, tc.writes)
			}
		})
	}
	var w countWriter
	huge := make([]byte, MaxPayload/2+1)
	if err := WriteFrameParts(&w, Frame{Kind: KindCall, Op: OpBatch}, [][]byte{huge, huge}); !errors.Is(err, ErrTooLarge) || w.Len() != 0 {
		t.Errorf("oversize frame: %v after %d bytes written; want ErrTooLarge and nothing written", err, w.Len())
	}
}
