//go:build cgo

package epc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

// rawExecutor is a child executor (this test binary, see TestMain) driven
// frame by frame with package wire, without Remote: the calling goroutine
// writes a call and reads its answer itself. It measures the protocol and
// the executor without the controller's reader goroutine, and it records
// the bytes of both directions for docs/PROTOCOL.md.
type rawExecutor struct {
	w    io.Writer
	r    *bufio.Reader
	cmd  *exec.Cmd
	in   *os.File // controller -> executor
	out  *os.File // executor -> controller
	sent bytes.Buffer
	recv bytes.Buffer
	rec  bool
}

func startRawExecutor(tb testing.TB, record bool, stderr io.Writer) *rawExecutor {
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
	cmd.Env = childEnv(executor.FDsEnv + "=3,4")
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	toR.Close()
	fromW.Close()
	x := &rawExecutor{cmd: cmd, in: toW, out: fromR, rec: record}
	x.w, x.r = toW, bufio.NewReaderSize(fromR, 64<<10)
	if record {
		x.w = io.MultiWriter(toW, &x.sent)
		x.r = bufio.NewReaderSize(io.TeeReader(fromR, &x.recv), 64<<10)
	}
	tb.Cleanup(x.close)
	return x
}

func (x *rawExecutor) close() {
	x.in.Close()
	done := make(chan struct{})
	go func() { x.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		x.cmd.Process.Kill()
		<-done
	}
	x.out.Close()
}

// exchange sends f and returns the next frame from the executor.
func (x *rawExecutor) exchange(tb testing.TB, f wire.Frame) wire.Frame {
	tb.Helper()
	if err := wire.WriteFrame(x.w, f); err != nil {
		tb.Fatal(err)
	}
	g, err := wire.ReadFrame(x.r)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// hello performs the version-2 handshake without flags.
func (x *rawExecutor) hello(tb testing.TB) wire.Hello {
	tb.Helper()
	p := wire.EncodeControllerHello(wire.ControllerHello{Version: wire.Version})
	g := x.exchange(tb, wire.Frame{Kind: wire.KindHello, Payload: p})
	if g.Kind != wire.KindHello {
		tb.Fatalf("executor answered the hello with %v: %s", g.Kind, g.Payload)
	}
	h, err := wire.DecodeHello(g.Payload)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// echoCall is a call-wrapper frame for the echo service.
func echoCall(h wire.Hello, seq uint64, arg []byte) wire.Frame {
	return wire.Frame{Kind: wire.KindCall, Op: wire.OpCallWrapper, Seq: seq,
		Payload: new(wire.Encoder).U64(h.Symbols[EchoName]).Bytes(arg).Payload()}
}

// BenchmarkWireDirect is the echo call of BenchmarkCallRoundTrip/child
// made with package wire on the calling goroutine (no Remote, no reader
// goroutine in the controller): what the protocol and the executor cost
// by themselves over the pipes. Compare with BenchmarkCallRoundTrip's
// floor-pipe and child.
func BenchmarkWireDirect(b *testing.B) {
	x := startRawExecutor(b, false, os.Stderr)
	h := x.hello(b)
	arg := make([]byte, 16)
	var l latencies
	seq := uint64(0)
	for b.Loop() {
		seq++
		l.time(func() {
			g := x.exchange(b, echoCall(h, seq, arg))
			if g.Kind != wire.KindResult || g.Seq != seq {
				b.Fatalf("answer %v seq %d", g.Kind, g.Seq)
			}
		})
	}
	l.report(b)
}

// TestWireExchangeLayout checks, on a real child executor, the byte
// layout docs/PROTOCOL.md documents: the hello exchange, one call and its
// result, one call answered by an error frame, and the refusal of a hello
// with a wrong version. With GORC_PROTOCOL_DUMP=FILE it writes a hex dump
// of those exchanges (the worked example in docs/PROTOCOL.md is one).
func TestWireExchangeLayout(t *testing.T) {
	var dump strings.Builder
	section := func(title string, b []byte) {
		fmt.Fprintf(&dump, "%s (%d bytes)\n%s\n", title, len(b), hex.Dump(b))
	}
	x := startRawExecutor(t, true, os.Stderr)
	h := x.hello(t)
	sent, recv := bytes.Clone(x.sent.Bytes()), bytes.Clone(x.recv.Bytes())
	// Controller hello: header {len 16, kind 1, op 0, 0, seq 0}, version, flags.
	want := []byte{16, 0, 0, 0, byte(wire.KindHello), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	want = binary.LittleEndian.AppendUint64(want, wire.Version)
	want = binary.LittleEndian.AppendUint64(want, 0)
	if !bytes.Equal(sent, want) {
		t.Fatalf("controller hello bytes\n%s\nwant\n%s", hex.Dump(sent), hex.Dump(want))
	}
	if len(recv) < wire.HeaderSize || int(binary.LittleEndian.Uint32(recv)) != len(recv)-wire.HeaderSize ||
		recv[4] != byte(wire.KindHello) || binary.LittleEndian.Uint64(recv[8:]) != 0 {
		t.Fatalf("executor hello header % x", recv[:min(len(recv), 16)])
	}
	p := recv[wire.HeaderSize:]
	if binary.LittleEndian.Uint64(p) != wire.Version || h.Triple != "x86_64-unknown-linux-gnu" || h.PageSize != 4096 ||
		int(h.PID) != x.cmd.Process.Pid || h.Symbols[EchoName] == 0 {
		t.Fatalf("executor hello %+v", h)
	}
	section("controller -> executor: hello", sent)
	section("executor -> controller: hello", recv)

	// One echo call, sequence 1.
	x.sent.Reset()
	x.recv.Reset()
	g := x.exchange(t, echoCall(h, 1, []byte("ping")))
	if g.Kind != wire.KindResult || g.Op != wire.OpCallWrapper || g.Seq != 1 {
		t.Fatalf("echo answer %v %v seq %d", g.Kind, g.Op, g.Seq)
	}
	wantRes := []byte{12, 0, 0, 0, byte(wire.KindResult), byte(wire.OpCallWrapper), 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 'p', 'i', 'n', 'g'}
	if !bytes.Equal(x.recv.Bytes(), wantRes) {
		t.Fatalf("echo result bytes\n%s", hex.Dump(x.recv.Bytes()))
	}
	section("controller -> executor: call call-wrapper seq 1 (echo service, \"ping\")", x.sent.Bytes())
	section("executor -> controller: result seq 1", x.recv.Bytes())

	// A call the executor refuses: protect with W+X, sequence 2.
	x.sent.Reset()
	x.recv.Reset()
	g = x.exchange(t, wire.Frame{Kind: wire.KindCall, Op: wire.OpProtect, Seq: 2,
		Payload: new(wire.Encoder).U64(0x10000).U64(0x11000).U64(uint64(shared.ProtRead | shared.ProtWrite | shared.ProtExec)).Payload()})
	if g.Kind != wire.KindError || g.Op != wire.OpProtect || g.Seq != 2 || len(g.Payload) == 0 {
		t.Fatalf("W+X protect answered %v %v seq %d %q", g.Kind, g.Op, g.Seq, g.Payload)
	}
	section("controller -> executor: call protect seq 2 (0x10000-0x11000, rwx)", x.sent.Bytes())
	section(fmt.Sprintf("executor -> controller: error seq 2 (%q)", g.Payload), x.recv.Bytes())

	// A hello with the wrong version is answered by an error frame, and
	// the executor ends the connection.
	var yerr bytes.Buffer
	y := startRawExecutor(t, true, &yerr)
	g = y.exchange(t, wire.Frame{Kind: wire.KindHello, Payload: wire.EncodeControllerHello(wire.ControllerHello{Version: 99})})
	if g.Kind != wire.KindError || !strings.Contains(string(g.Payload), "99") {
		t.Fatalf("hello version 99 answered %v %q", g.Kind, g.Payload)
	}
	if _, err := wire.ReadFrame(y.r); err != io.EOF {
		t.Fatalf("after refusing the hello the executor sent more or failed: %v", err)
	}
	y.close()
	if !strings.Contains(yerr.String(), "version 99 not supported") {
		t.Errorf("executor's own report of the refused hello: %q", yerr.String())
	}
	section("controller -> executor: hello version 99", y.sent.Bytes())
	section(fmt.Sprintf("executor -> controller: error (%q), then end of stream", g.Payload), y.recv.Bytes())

	// Version 2 stdio forwarding: a hello with FlagForwardStdio, then
	// code that writes "hi\n" to descriptor 1 with a system call, run by
	// run-void: its stdout frame arrives before the run-void result.
	z := startRawExecutor(t, true, os.Stderr)
	g = z.exchange(t, wire.Frame{Kind: wire.KindHello, Payload: wire.EncodeControllerHello(wire.ControllerHello{Version: wire.Version, Flags: wire.FlagForwardStdio})})
	if g.Kind != wire.KindHello {
		t.Fatalf("hello with stdio forwarding answered %v %q", g.Kind, g.Payload)
	}
	zh, _ := wire.DecodeHello(g.Payload)
	if zh.PageSize == 0 {
		t.Fatalf("executor hello %+v", zh)
	}
	section("controller -> executor: hello with FlagForwardStdio", z.sent.Bytes())
	code := []byte{
		0xb8, 1, 0, 0, 0, // mov eax, 1 (write)
		0xbf, 1, 0, 0, 0, // mov edi, 1
		0x48, 0x8d, 0x35, 8, 0, 0, 0, // lea rsi, [rip+8] (the message)
		0xba, 3, 0, 0, 0, // mov edx, 3
		0x0f, 0x05, // syscall
		0xc3, // ret
		'h', 'i', '\n'}
	seq := uint64(0)
	call := func(op wire.Op, p []byte) wire.Frame {
		seq++
		g := z.exchange(t, wire.Frame{Kind: wire.KindCall, Op: op, Seq: seq, Payload: p})
		if g.Kind != wire.KindResult || g.Seq != seq {
			t.Fatalf("%v: %v seq %d %q", op, g.Kind, g.Seq, g.Payload)
		}
		return g
	}
	d := wire.NewDecoder(call(wire.OpReserve, new(wire.Encoder).U64(zh.PageSize).U64(0).Payload()).Payload)
	start, end := d.U64(), d.U64()
	call(wire.OpProtect, new(wire.Encoder).U64(start).U64(end).U64(uint64(shared.ProtRead|shared.ProtWrite)).Payload())
	call(wire.OpWrite, new(wire.Encoder).U64(start).Bytes(code).Payload())
	call(wire.OpProtect, new(wire.Encoder).U64(start).U64(end).U64(uint64(shared.ProtRead|shared.ProtExec)).Payload())
	z.sent.Reset()
	z.recv.Reset()
	seq++
	if err := wire.WriteFrame(z.w, wire.Frame{Kind: wire.KindCall, Op: wire.OpRunVoid, Seq: seq, Payload: new(wire.Encoder).U64(start).Payload()}); err != nil {
		t.Fatal(err)
	}
	out, err := wire.ReadFrame(z.r)
	if err != nil || out.Kind != wire.KindStdout || out.Seq != 0 || out.Op != 0 || string(out.Payload) != "hi\n" {
		t.Fatalf("expected a stdout frame \"hi\\n\" before the result, got %v %v seq %d %q (%v)", out.Kind, out.Op, out.Seq, out.Payload, err)
	}
	res, err := wire.ReadFrame(z.r)
	if err != nil || res.Kind != wire.KindResult || res.Op != wire.OpRunVoid || res.Seq != seq || len(res.Payload) != 0 {
		t.Fatalf("run-void answer %v %v seq %d %q (%v)", res.Kind, res.Op, res.Seq, res.Payload, err)
	}
	section(fmt.Sprintf("controller -> executor: call run-void seq %d (code at %#x writes \"hi\\n\" to fd 1)", seq, start), z.sent.Bytes())
	section(fmt.Sprintf("executor -> controller: stdout \"hi\\n\", then result seq %d (empty)", seq), z.recv.Bytes())
	// Program stdin: one chunk, end of file.
	z.sent.Reset()
	z.recv.Reset()
	seq++
	if g := z.exchange(t, wire.Frame{Kind: wire.KindCall, Op: wire.OpStdin, Seq: seq, Payload: wire.StdinPayload([]byte("abc"), true)}); g.Kind != wire.KindResult || g.Seq != seq {
		t.Fatalf("stdin: %v seq %d %q", g.Kind, g.Seq, g.Payload)
	}
	section(fmt.Sprintf("controller -> executor: call stdin seq %d (\"abc\", eof)", seq), z.sent.Bytes())
	section(fmt.Sprintf("executor -> controller: result seq %d", seq), z.recv.Bytes())

	if path := os.Getenv("GORC_PROTOCOL_DUMP"); path != "" {
		if err := os.WriteFile(path, []byte(dump.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWireLimits sends bad and hostile frames to a live child executor.
// Payload-level faults get an error answer and the connection stays
// usable (an echo call after each works); frame-level faults end the
// stream: the executor closes it and exits with status 1, promptly.
func TestWireLimits(t *testing.T) {
	header := func(n uint32, kind, op byte, reserved uint16, seq uint64) []byte {
		h := binary.LittleEndian.AppendUint32(nil, n)
		h = append(h, kind, op)
		h = binary.LittleEndian.AppendUint16(h, reserved)
		return binary.LittleEndian.AppendUint64(h, seq)
	}
	t.Run("answered", func(t *testing.T) {
		x := startRawExecutor(t, false, os.Stderr)
		h := x.hello(t)
		r := wire.NewDecoder(x.exchange(t, wire.Frame{Kind: wire.KindCall, Op: wire.OpReserve, Seq: 1,
			Payload: new(wire.Encoder).U64(h.PageSize).U64(0).Payload()}).Payload)
		start, end := r.U64(), r.U64()
		if r.Finish() != nil || end-start != h.PageSize {
			t.Fatalf("reserve: [%#x, %#x) %v", start, end, r.Err())
		}
		for i, tc := range []struct {
			name string
			f    wire.Frame
			want string // in the error message
		}{
			{"trailing bytes", wire.Frame{Kind: wire.KindCall, Op: wire.OpReserve, Payload: new(wire.Encoder).U64(4096).U64(0).U64(7).U64(7).Payload()}, "trailing"},
			{"missing field", wire.Frame{Kind: wire.KindCall, Op: wire.OpProtect, Payload: new(wire.Encoder).U64(start).Payload()}, "needs 8 bytes"},
			{"count beyond the payload", wire.Frame{Kind: wire.KindCall, Op: wire.OpLookup, Payload: new(wire.Encoder).U64(0).U64(1 << 40).Payload()}, "list of 1099511627776 elements"},
			{"length beyond the payload", wire.Frame{Kind: wire.KindCall, Op: wire.OpWrite, Payload: new(wire.Encoder).U64(start).U64(1 << 50).Payload()}, "byte string needs"},
			{"unknown op", wire.Frame{Kind: wire.KindCall, Op: 99}, "unexpected call frame (op op(99))"},
			{"op 0", wire.Frame{Kind: wire.KindCall}, "unexpected call frame"},
			{"reentry from the controller", wire.Frame{Kind: wire.KindCall, Op: wire.OpReentry, Payload: new(wire.Encoder).U64(1).Payload()}, "unexpected call frame (op reentry)"},
			{"reentry-apply from the controller", wire.Frame{Kind: wire.KindCall, Op: wire.OpReentryApply, Payload: new(wire.Encoder).U64(1).Payload()}, "unexpected call frame (op reentry-apply)"},
			{"unsolicited result", wire.Frame{Kind: wire.KindResult, Op: wire.OpReserve}, "unexpected result frame"},
			{"second hello", wire.Frame{Kind: wire.KindHello, Payload: wire.EncodeControllerHello(wire.ControllerHello{Version: wire.Version})}, "unexpected hello frame"},
			{"write outside reservations", wire.Frame{Kind: wire.KindCall, Op: wire.OpWrite, Payload: new(wire.Encoder).U64(0x1000).Bytes([]byte{1}).Payload()}, "not inside a reservation"},
			{"write to inaccessible reserved memory", wire.Frame{Kind: wire.KindCall, Op: wire.OpWrite, Payload: new(wire.Encoder).U64(start).Bytes([]byte{1}).Payload()}, "protection"},
			{"write past the reservation", wire.Frame{Kind: wire.KindCall, Op: wire.OpWrite, Payload: new(wire.Encoder).U64(end - 1).Bytes([]byte{1, 2}).Payload()}, "reservation"},
			{"read beyond one message", wire.Frame{Kind: wire.KindCall, Op: wire.OpRead, Payload: new(wire.Encoder).U64(start).U64(wire.MaxPayload).Payload()}, "more than one message carries"},
			{"protect W+X", wire.Frame{Kind: wire.KindCall, Op: wire.OpProtect, Payload: new(wire.Encoder).U64(start).U64(end).U64(7).Payload()}, "W^X"},
			{"protect bad bits", wire.Frame{Kind: wire.KindCall, Op: wire.OpProtect, Payload: new(wire.Encoder).U64(start).U64(end).U64(9).Payload()}, "bad protection"},
			{"release part of a reservation", wire.Frame{Kind: wire.KindCall, Op: wire.OpRelease, Payload: new(wire.Encoder).U64(start).U64(start + 1).Payload()}, "release"},
			{"reserve zero bytes", wire.Frame{Kind: wire.KindCall, Op: wire.OpReserve, Payload: new(wire.Encoder).U64(0).U64(0).Payload()}, "zero size"},
			{"reserve beyond the limit", wire.Frame{Kind: wire.KindCall, Op: wire.OpReserve, Payload: new(wire.Encoder).U64(1 << 40).U64(0).Payload()}, "too large"},
			{"stdin without forwarding", wire.Frame{Kind: wire.KindCall, Op: wire.OpStdin, Payload: wire.StdinPayload([]byte("x"), false)}, "not forwarded"},
			{"call-wrapper to address 0", wire.Frame{Kind: wire.KindCall, Op: wire.OpCallWrapper, Payload: new(wire.Encoder).U64(0).Bytes(nil).Payload()}, "null function"},
		} {
			seq := uint64(100 + i)
			tc.f.Seq = seq
			g := x.exchange(t, tc.f)
			if g.Kind != wire.KindError || g.Seq != seq || !strings.Contains(string(g.Payload), tc.want) {
				t.Errorf("%s: answered %v seq %d %q, want an error containing %q", tc.name, g.Kind, g.Seq, g.Payload, tc.want)
			}
			// The connection is still good.
			e := x.exchange(t, echoCall(h, seq+1000, []byte(tc.name)))
			if e.Kind != wire.KindResult || e.Seq != seq+1000 || !bytes.Contains(e.Payload, []byte(tc.name)) {
				t.Fatalf("after %s: echo answered %v seq %d %q", tc.name, e.Kind, e.Seq, e.Payload)
			}
		}
	})
	for _, tc := range []struct {
		name  string
		bytes []byte
		close bool   // close the stream after the bytes
		want  string // in the executor's stderr
	}{
		{"length beyond the limit", header(wire.MaxPayload+1, byte(wire.KindCall), byte(wire.OpWrite), 0, 1), false, "maximum payload size"},
		{"length 4 GiB", header(^uint32(0), byte(wire.KindCall), byte(wire.OpWrite), 0, 1), false, "maximum payload size"},
		{"unknown kind", header(0, 9, 0, 0, 1), false, "unknown kind 9"},
		{"kind 0", header(0, 0, 0, 0, 1), false, "unknown kind 0"},
		{"reserved bytes", header(0, byte(wire.KindCall), byte(wire.OpRead), 0x100, 1), false, "reserved header bytes"},
		{"truncated header", header(8, byte(wire.KindCall), byte(wire.OpRead), 0, 1)[:10], true, "truncated frame header"},
		{"truncated payload", append(header(100, byte(wire.KindCall), byte(wire.OpWrite), 0, 1), make([]byte, 10)...), true, "truncated payload"},
		{"large payload cut short", append(header(60<<20, byte(wire.KindCall), byte(wire.OpWrite), 0, 1), make([]byte, 3<<20)...), true, "truncated payload"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			x := startRawExecutor(t, false, &stderr)
			x.hello(t)
			if _, err := x.in.Write(tc.bytes); err != nil {
				t.Fatal(err)
			}
			if tc.close {
				x.in.Close()
			}
			// The executor ends the stream; nothing but end-of-stream comes back.
			got := make(chan error, 1)
			go func() {
				f, err := wire.ReadFrame(x.r)
				if err == nil {
					err = fmt.Errorf("executor sent a %v frame %q", f.Kind, f.Payload)
				}
				got <- err
			}()
			select {
			case err := <-got:
				if err != io.EOF {
					t.Fatalf("after a bad frame: %v, want end of stream", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("executor still connected 10 s after a bad frame")
			}
			werr := make(chan error, 1)
			go func() { werr <- x.cmd.Wait() }()
			select {
			case err := <-werr:
				if x.cmd.ProcessState.ExitCode() != 1 {
					t.Errorf("executor ended with %v, want exit status 1", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("executor did not exit")
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("executor stderr %q does not contain %q", stderr.String(), tc.want)
			}
		})
	}
}

// TestRemoteHostileExecutor: a controller whose executor sends a bad
// frame fails the pending call with ErrExecutorLost and the reason, and
// every later call too, without hanging.
func TestRemoteHostileExecutor(t *testing.T) {
	for _, tc := range []struct {
		name string
		resp []byte // sent instead of an answer to the first call
		want string
	}{
		{"length beyond the limit", append(binary.LittleEndian.AppendUint32(nil, wire.MaxPayload+1), 3, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0), "maximum payload size"},
		{"unknown kind", []byte{0, 0, 0, 0, 42, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, "unknown kind 42"},
		{"truncated", []byte{8, 0, 0, 0, 3, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2}, "truncated payload"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			toExecR, toExecW := io.Pipe()
			fromExecR, fromExecW := io.Pipe()
			go func() { // a fake executor
				r := bufio.NewReader(toExecR)
				if _, err := wire.ReadFrame(r); err != nil {
					return
				}
				wire.WriteFrame(fromExecW, wire.Frame{Kind: wire.KindHello, Payload: wire.EncodeHello(wire.Hello{Version: wire.Version, Triple: "x86_64-unknown-linux-gnu", PageSize: 4096, PID: 1})})
				if _, err := wire.ReadFrame(r); err != nil {
					return
				}
				fromExecW.Write(tc.resp)
				fromExecW.Close()
				io.Copy(io.Discard, toExecR)
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			e, err := NewRemote(ctx, fromExecR, toExecW, toExecW)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close(ctx)
			_, err = e.Reserve(ctx, 4096, false)
			if !errors.Is(err, ErrExecutorLost) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("call answered by %s: %v", tc.name, err)
			}
			if _, err := e.LookupSymbols(ctx, 0, []string{"x"}); !errors.Is(err, ErrExecutorLost) {
				t.Fatalf("later call: %v", err)
			}
		})
	}
}

// spawnQuick is spawn with childEnv (no exit sleep under -race).
func spawnQuick(tb testing.TB) *Remote {
	tb.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = childEnv()
	cmd.Stderr = os.Stderr
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err := SpawnChild(ctx, cmd)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Close(ctx)
	})
	return e
}

// TestCallsOverlap: a call that runs JIT'd code does not hold up the
// calls behind it. JIT'd code spins until a flag in executor memory
// becomes non-zero; the flag is set by a later write call, which can only
// be served while the first call is still running.
func TestCallsOverlap(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *Remote
	}{{"child", spawnQuick}, {"tcp", startTCPExecutor}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			e := tc.open(t)
			ps := e.PageSize()
			r, err := e.Reserve(ctx, 2*ps, false)
			if err != nil {
				t.Fatal(err)
			}
			code := shared.ExecutorAddrRange{Start: r.Start, End: r.Start.Add(ps)}
			flag := shared.ExecutorAddrRange{Start: code.End, End: r.End}
			// spin: mov eax, [rip+flag]; test eax, eax; jz spin; ret
			disp := int32(int64(flag.Start) - int64(code.Start+6))
			prog := binary.LittleEndian.AppendUint32([]byte{0x8b, 0x05}, uint32(disp))
			prog = append(prog, 0x85, 0xc0, 0x74, 0xf6, 0xc3)
			for _, step := range []error{
				e.Protect(ctx, code, shared.ProtRead|shared.ProtWrite),
				e.Write(ctx, code.Start, prog),
				e.Protect(ctx, code, shared.ProtRead|shared.ProtExec),
				e.Protect(ctx, flag, shared.ProtRead|shared.ProtWrite),
			} {
				if step != nil {
					t.Fatal(step)
				}
			}
			done := make(chan error, 1)
			go func() { done <- e.RunVoid(ctx, code.Start) }()
			// Calls behind the spinning one are answered.
			for i := range 20 {
				out, err := e.CallWrapper(ctx, shared.WrapperCall{Fn: e.BootstrapSymbols()[EchoName], Arg: []byte{byte(i)}})
				if err != nil || len(out) != 1 || out[0] != byte(i) {
					t.Fatalf("echo %d while JIT'd code runs: %v %v", i, out, err)
				}
			}
			select {
			case err := <-done:
				t.Fatalf("the spinning code returned before the flag was set: %v", err)
			default:
			}
			if err := e.Write(ctx, flag.Start, []byte{1, 0, 0, 0}); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-ctx.Done():
				t.Fatal("run-void did not return after the flag was written")
			}
		})
	}
}
