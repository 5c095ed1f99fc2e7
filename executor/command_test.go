//go:build cgo

package executor

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/shared/wire"
)

// TestMain lets the test binary act as `gorc executor`: spawned children
// (ServeListener) and the stdio helper run Command.
func TestMain(m *testing.M) {
	if os.Getenv(FDsEnv) != "" || os.Getenv("GORC_EXECUTOR_HELPER") == "stdio" {
		os.Exit(Command(context.Background(), nil, os.Stderr))
	}
	os.Exit(m.Run())
}

// call sends one call on a raw protocol stream and returns the answer.
func call(t *testing.T, w io.Writer, r io.Reader, seq uint64, op wire.Op, p []byte) wire.Frame {
	t.Helper()
	if err := wire.WriteFrame(w, wire.Frame{Kind: wire.KindCall, Op: op, Seq: seq, Payload: p}); err != nil {
		t.Fatal(err)
	}
	f, err := wire.ReadFrame(r)
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != wire.KindResult {
		t.Fatalf("%v: %v %s", op, f.Kind, f.Payload)
	}
	return f
}

func hello(t *testing.T, w io.Writer, r io.Reader) wire.Hello {
	t.Helper()
	wire.WriteFrame(w, wire.Frame{Kind: wire.KindHello, Payload: wire.EncodeControllerHello(wire.ControllerHello{Version: wire.Version})})
	f, err := wire.ReadFrame(r)
	if err != nil || f.Kind != wire.KindHello {
		t.Fatalf("hello: %v %v", f.Kind, err)
	}
	h, err := wire.DecodeHello(f.Payload)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestCommandStdio: `gorc executor` without -listen speaks on its
// stdin/stdout, and the program it runs writes to stderr instead.
func TestCommandStdio(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "GORC_EXECUTOR_HELPER=stdio")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	w, _ := cmd.StdinPipe()
	rc, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(rc)
	h := hello(t, w, r)
	puts := h.Symbols["__gorc_echo"]
	if puts == 0 {
		t.Fatal("no bootstrap symbols")
	}
	// Reserve a page, write "puts(msg); return 3", run it as main.
	f := call(t, w, r, 1, wire.OpLookup, new(wire.Encoder).U64(0).Strings([]string{"puts"}).Payload())
	putsAddr := wire.NewDecoder(f.Payload).U64s()[0]
	f = call(t, w, r, 2, wire.OpReserve, new(wire.Encoder).U64(4096).U64(0).Payload())
	d := wire.NewDecoder(f.Payload)
	start, end := d.U64(), d.U64()
	call(t, w, r, 3, wire.OpProtect, new(wire.Encoder).U64(start).U64(end).U64(3).Payload())
	code := []byte{0x53, 0x48, 0xbf}
	code = binary.LittleEndian.AppendUint64(code, start+64)
	code = append(code, 0x48, 0xb8)
	code = binary.LittleEndian.AppendUint64(code, putsAddr)
	code = append(code, 0xff, 0xd0, 0x5b, 0xb8, 3, 0, 0, 0, 0xc3)
	call(t, w, r, 4, wire.OpWrite, new(wire.Encoder).U64(start).Bytes(code).Payload())
	call(t, w, r, 5, wire.OpWrite, new(wire.Encoder).U64(start+64).Bytes([]byte("from the program\x00")).Payload())
	call(t, w, r, 6, wire.OpProtect, new(wire.Encoder).U64(start).U64(end).U64(5).Payload())
	f = call(t, w, r, 7, wire.OpRunMain, new(wire.Encoder).U64(start).Strings([]string{"p"}).Payload())
	if st := wire.NewDecoder(f.Payload).U64(); st != 3 {
		t.Fatalf("status %d", st)
	}
	w.Close()
	cmd.Wait()
	if !strings.Contains(stderr.String(), "from the program") {
		t.Fatalf("program output not on stderr: %q", stderr.String())
	}
}

func TestCommandListen(t *testing.T) {
	var out bytes.Buffer
	if st := Command(context.Background(), []string{"-listen", "0.0.0.0:0"}, &out); st != 2 || !strings.Contains(out.String(), "without mutual TLS") {
		t.Fatalf("non-loopback without TLS: status %d, %q", st, out.String())
	}
	out.Reset()
	if st := Command(context.Background(), []string{"-listen", "127.0.0.1:0", "-tls-cert", "x"}, &out); st != 2 || !strings.Contains(out.String(), "needs all of") {
		t.Fatalf("partial TLS flags: status %d, %q", st, out.String())
	}
	// Loopback: serve, connect, run a call, stop.
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() { done <- Command(ctx, []string{"-listen", "127.0.0.1:0"}, pw) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	var addr string
	if _, err := fmt.Sscanf(line, "gorc executor: listening on %s", &addr); err != nil {
		t.Fatalf("listen line %q", line)
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	h := hello(t, conn, conn)
	if h.PID == uint64(os.Getpid()) {
		t.Fatal("session not in a child process")
	}
	f := call(t, conn, conn, 1, wire.OpCallWrapper, new(wire.Encoder).U64(h.Symbols[EchoName]).Bytes([]byte("hi")).Payload())
	if got := string(wire.NewDecoder(f.Payload).Bytes()); got != "hi" {
		t.Fatalf("echo %q", got)
	}
	conn.Close()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("listener did not stop")
	}
	pw.Close()
}
