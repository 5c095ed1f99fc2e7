//go:build cgo

package epc

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

// TestMain turns the test binary into an executor when it is spawned as
// one (SpawnChild sets GORC_EXECUTOR_FDS).
func TestMain(m *testing.M) {
	if os.Getenv("GORC_PINGPONG") != "" {
		pingPongChild()
	}
	if os.Getenv(executor.FDsEnv) != "" {
		if err := executor.ServeInheritedFDs(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "executor:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func spawn(t testing.TB, stdout *bytes.Buffer) *Remote {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Stderr = os.Stderr
	if stdout != nil {
		cmd.Stdout = stdout
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // a hang, not a slow start
	defer cancel()
	e, err := SpawnChild(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Close(ctx)
	})
	return e
}

// loadCode writes code into a fresh page of e and makes it executable.
func loadCode(t testing.TB, e ExecutorProcessControl, code []byte) shared.ExecutorAddr {
	t.Helper()
	ctx := context.Background()
	r, err := e.Reserve(ctx, e.PageSize(), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Protect(ctx, r, shared.ProtRead|shared.ProtWrite); err != nil {
		t.Fatal(err)
	}
	if err := e.Write(ctx, r.Start, code); err != nil {
		t.Fatal(err)
	}
	if err := e.Protect(ctx, r, shared.ProtRead|shared.ProtExec); err != nil {
		t.Fatal(err)
	}
	return r.Start
}

func TestRemoteBasics(t *testing.T) {
	ctx := context.Background()
	e := spawn(t, nil)
	local := newInProcess(t)
	if e.TargetTriple() != local.TargetTriple() || e.PageSize() != local.PageSize() || e.PID() == os.Getpid() {
		t.Fatalf("hello: %s %d pid %d", e.TargetTriple(), e.PageSize(), e.PID())
	}
	syms := e.BootstrapSymbols()
	if syms[EchoName] == 0 || syms["atexit"] == 0 || syms[TLSGetAddrName] == 0 {
		t.Fatalf("bootstrap symbols %v", syms)
	}
	fn := loadCode(t, e, []byte{0xb8, 42, 0, 0, 0, 0xc3})
	if st, err := e.RunAsMain(ctx, fn, []string{"p"}); err != nil || st != 42 {
		t.Fatalf("RunAsMain: %d, %v", st, err)
	}
	if err := e.RunVoid(ctx, fn); err != nil {
		t.Fatal(err)
	}
	if b, err := e.Read(ctx, fn, 2); err != nil || b[1] != 42 {
		t.Fatalf("read: %v %v", b, err)
	}
	if err := e.Write(ctx, fn, []byte{1}); err == nil || !strings.Contains(err.Error(), "protection") {
		t.Errorf("write to r-x memory: %v", err)
	}
	if err := e.Write(ctx, 0x1000, []byte{1}); err == nil || !strings.Contains(err.Error(), "reservation") {
		t.Errorf("write outside reservations: %v", err)
	}
	if out, err := e.CallWrapper(ctx, shared.WrapperCall{Fn: syms[EchoName], Arg: []byte("ping")}); err != nil || string(out) != "ping" {
		t.Errorf("echo: %q %v", out, err)
	}
	if _, err := e.CallWrapper(ctx, shared.WrapperCall{Fn: syms[EHFrameRegisterName], Arg: []byte{1}}); err == nil || !strings.Contains(err.Error(), "16 argument bytes") {
		t.Errorf("service error not propagated: %v", err)
	}
	h, err := e.LoadDylib(ctx, "-lm", nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.LookupSymbols(ctx, h, []string{"cos", "no_such_thing"})
	if err != nil || a[0] == 0 || a[1] != 0 {
		t.Errorf("lookup: %v %v", a, err)
	}
	if _, err := e.LoadDylib(ctx, "-lgorc_missing", nil); err == nil {
		t.Error("missing library loaded")
	}
	blk, err := e.AllocateTLS(ctx, TLSRequest{Size: 16, Align: 8, ImageSize: 4, Image: []byte{9, 0, 0, 0}})
	if err != nil || blk.TPOffset >= 0 || blk.ModuleID == 0 {
		t.Errorf("TLS: %+v %v", blk, err)
	}
	// TLS local-exec read in the child: mov eax, fs:[tpoff]; ret
	le := binary.LittleEndian.AppendUint32([]byte{0x64, 0x8b, 0x04, 0x25}, uint32(int32(blk.TPOffset)))
	if st, err := e.RunAsMain(ctx, loadCode(t, e, append(le, 0xc3)), nil); err != nil || st != 9 {
		t.Errorf("TLS read in the executor: %d %v", st, err)
	}
}

func TestRemoteConcurrentCalls(t *testing.T) {
	ctx := context.Background()
	e := spawn(t, nil)
	echo := e.BootstrapSymbols()[EchoName]
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				msg := fmt.Sprintf("g%d-%d-%s", g, i, strings.Repeat("x", i*100))
				out, err := e.CallWrapper(ctx, shared.WrapperCall{Fn: echo, Arg: []byte(msg)})
				if err != nil || string(out) != msg {
					t.Errorf("echo %d/%d: %v", g, i, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	defer func(c int) { transferChunk = c }(transferChunk)
	transferChunk = 64 << 10
	big := make([]byte, 5*transferChunk/2) // split into several messages, some in flight at once
	for i := range big {
		big[i] = byte(i % 251) // a chunk written at the wrong place shows
	}
	r, err := e.Reserve(ctx, uint64(len(big)), false)
	if err != nil {
		t.Fatal(err)
	}
	e.Protect(ctx, r, shared.ProtRead|shared.ProtWrite)
	if err := e.Write(ctx, r.Start, big); err != nil {
		t.Fatal(err)
	}
	back, err := e.Read(ctx, r.Start, uint64(len(big)))
	if err != nil || !bytes.Equal(back, big) {
		t.Fatalf("large write/read round trip: %v", err)
	}
	// A write whose later messages fall outside the reservation fails
	// with the executor's error, after the messages in flight are back.
	over := make([]byte, int(r.Size())+3*transferChunk)
	if err := e.Write(ctx, r.Start, over); err == nil || !strings.Contains(err.Error(), "write") {
		t.Fatalf("write past the reservation: got %v, want the executor's error", err)
	}
	if out, err := e.CallWrapper(ctx, shared.WrapperCall{Fn: echo, Arg: []byte("still")}); err != nil || string(out) != "still" {
		t.Fatalf("connection after a failed write: %q, %v", out, err)
	}
}

func TestRemoteRunProgram(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	e := spawn(t, &out)
	puts, _ := e.LookupSymbols(ctx, 0, []string{"puts", "atexit"})
	r, _ := e.Reserve(ctx, 2*e.PageSize(), false)
	data := r.Start.Add(e.PageSize())
	code := []byte{}
	call := func(fn, arg uint64) {
		code = append(code, 0x53, 0x48, 0xbf)
		code = binary.LittleEndian.AppendUint64(code, arg)
		code = append(code, 0x48, 0xb8)
		code = binary.LittleEndian.AppendUint64(code, fn)
		code = append(code, 0xff, 0xd0, 0x5b)
	}
	// handler: puts("bye"); ret  — at offset 0
	call(uint64(puts[0]), uint64(data)+6)
	code = append(code, 0xc3)
	mainOff := len(code)
	// main: atexit(handler); puts("hello"); return 5
	call(uint64(puts[1]), uint64(r.Start))
	call(uint64(puts[0]), uint64(data))
	code = append(code, 0xb8, 5, 0, 0, 0, 0xc3)
	page := shared.ExecutorAddrRange{Start: r.Start, End: r.End}
	e.Protect(ctx, page, shared.ProtRead|shared.ProtWrite)
	e.Write(ctx, r.Start, code)
	e.Write(ctx, data, []byte("hello\x00bye\x00"))
	e.Protect(ctx, shared.ExecutorAddrRange{Start: r.Start, End: data}, shared.ProtRead|shared.ProtExec)
	e.Protect(ctx, shared.ExecutorAddrRange{Start: data, End: r.End}, shared.ProtRead)
	st, err := e.RunProgram(ctx, Program{Main: r.Start.Add(uint64(mainOff)), Args: []string{"prog"}})
	if err != nil || st != 5 {
		t.Fatalf("RunProgram: %d, %v", st, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for e.ExitStatus() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := out.String(); got != "hello\nbye\n" {
		t.Errorf("program stdout %q", got)
	}
	if err := e.ExitStatus(); err == nil || !strings.Contains(err.Error(), "status 5") {
		t.Errorf("executor exit: %v", err)
	}
	if _, err := e.Reserve(ctx, 4096, false); !errors.Is(err, ErrExecutorLost) {
		t.Errorf("call after the program ended: %v", err)
	}
}

func TestRemoteCrashAndKill(t *testing.T) {
	ctx := context.Background()
	t.Run("segv", func(t *testing.T) {
		e := spawn(t, nil)
		fn := loadCode(t, e, []byte{0x8b, 0x04, 0x25, 0, 0, 0, 0, 0xc3}) // mov eax, [0]
		start := time.Now()
		_, err := e.RunAsMain(ctx, fn, nil)
		if err == nil || !strings.Contains(err.Error(), "executor terminated by signal SIGSEGV") {
			t.Fatalf("crash: %v", err)
		}
		// A hang, not a slow machine: the report takes milliseconds
		// here; CI's loaded 2-core VM under -race may be 5x slower.
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("crash reported after %v", d)
		}
		c := e.Crash()
		if c == nil || c.Signal != 11 || c.PC != fn || c.FaultAddr != 0 {
			t.Errorf("crash report %v, want SIGSEGV at pc %v, fault address 0", c, fn)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("at pc %v", fn)) {
			t.Errorf("error does not name the pc: %v", err)
		}
		if _, err := e.Reserve(ctx, 4096, false); !errors.Is(err, ErrExecutorLost) {
			t.Errorf("call after crash: %v", err)
		}
	})
	t.Run("killed mid-call", func(t *testing.T) {
		e := spawn(t, nil)
		// for (;;) {}  — never returns
		fn := loadCode(t, e, []byte{0xeb, 0xfe})
		errc := make(chan error, 1)
		go func() { _, err := e.RunAsMain(ctx, fn, nil); errc <- err }()
		time.Sleep(100 * time.Millisecond)
		e.cmd.Process.Kill()
		select {
		case err := <-errc:
			if err == nil || !strings.Contains(err.Error(), "SIGKILL") {
				t.Fatalf("killed executor: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("pending call did not fail after the executor was killed")
		}
	})
	t.Run("context", func(t *testing.T) {
		e := spawn(t, nil)
		fn := loadCode(t, e, []byte{0xeb, 0xfe})
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if _, err := e.RunAsMain(cctx, fn, nil); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("cancelled call: %v", err)
		}
		e.cmd.Process.Kill()
	})
}

func TestRemoteHandshakeErrors(t *testing.T) {
	// Speak to an executor directly with a wrong version.
	cmd := exec.Command(os.Args[0])
	toR, toW, _ := os.Pipe()
	fromR, fromW, _ := os.Pipe()
	cmd.ExtraFiles = []*os.File{toR, fromW}
	cmd.Env = append(os.Environ(), executor.FDsEnv+"=3,4")
	cmd.Stderr = new(bytes.Buffer)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toR.Close()
	fromW.Close()
	wire.WriteFrame(toW, wire.Frame{Kind: wire.KindHello, Payload: new(wire.Encoder).U64(99).Payload()})
	f, err := wire.ReadFrame(fromR)
	if err != nil || f.Kind != wire.KindError || !strings.Contains(string(f.Payload), "version 99") {
		t.Fatalf("wrong version answered with %v %q %v", f.Kind, f.Payload, err)
	}
	cmd.Wait()
	toW.Close()
	fromR.Close()
	// A controller that receives garbage instead of a hello fails cleanly.
	r, w, _ := os.Pipe()
	w.Write([]byte("garbage, not a frame header"))
	w.Close()
	if _, err := NewRemote(context.Background(), r, new(bytes.Buffer), nil); err == nil {
		t.Fatal("garbage hello accepted")
	}
}

// BenchmarkRemoteWrapperCall measures a trivial wrapper call round trip
// to a child executor over pipes.
func BenchmarkRemoteWrapperCall(b *testing.B) {
	e := spawn(b, nil)
	ctx := context.Background()
	call := shared.WrapperCall{Fn: e.BootstrapSymbols()[EchoName], Arg: make([]byte, 16)}
	for b.Loop() {
		if _, err := e.CallWrapper(ctx, call); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRemoteTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- executor.ServeListener(ctx, ln, []string{os.Args[0]}, t.Logf) }()
	addr := "tcp://" + ln.Addr().String()
	// First controller: runs code, then crashes its executor.
	e, err := Dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := e.RunAsMain(ctx, loadCode(t, e, []byte{0xb8, 42, 0, 0, 0, 0xc3}), nil); err != nil || st != 42 {
		t.Fatalf("over TCP: %d %v", st, err)
	}
	if e.PID() == os.Getpid() {
		t.Fatal("session not served by a child process")
	}
	_, err = e.RunAsMain(ctx, loadCode(t, e, []byte{0x8b, 0x04, 0x25, 0, 0, 0, 0, 0xc3}), nil)
	if !errors.Is(err, ErrExecutorLost) {
		t.Fatalf("crash over TCP: %v", err)
	}
	e.Close(ctx)
	// The listener serves the next controller.
	e2, err := Dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := e2.CallWrapper(ctx, shared.WrapperCall{Fn: e2.BootstrapSymbols()[EchoName], Arg: []byte("again")}); err != nil || string(out) != "again" {
		t.Fatalf("second session: %q %v", out, err)
	}
	e2.Close(ctx)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("listener ended with %v", err)
	}
	if _, err := Dial(context.Background(), "127.0.0.1:1"); err == nil {
		t.Error("dial of a closed port succeeded")
	}
}

// TestRemoteCloseWhileRunning: closing the connection while JIT'd code
// runs forever ends the child executor promptly.
func TestRemoteCloseWhileRunning(t *testing.T) {
	e := spawn(t, nil)
	fn := loadCode(t, e, []byte{0xeb, 0xfe}) // for (;;) {}
	go e.RunAsMain(context.Background(), fn, nil)
	time.Sleep(50 * time.Millisecond)
	// The "status 0" check tells an executor that ended by itself from
	// one killed when ctx expired; the time limit only catches a hang.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	e.Close(ctx)
	if err := e.ExitStatus(); err == nil || !strings.Contains(err.Error(), "status 0") {
		t.Fatalf("executor after close: %v", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("close took %v", d)
	}
}

// TestRemoteReentry: a trampoline in a child executor enters
// __gorc_reentry; the controller's handler names the landing function;
// the arguments arrive intact.
func TestRemoteReentry(t *testing.T) {
	ctx := context.Background()
	e := spawn(t, nil)
	r, _ := e.Reserve(ctx, e.PageSize(), false)
	var code []byte
	at := func(b []byte) shared.ExecutorAddr {
		a := r.Start.Add(uint64(len(code)))
		code = append(code, b...)
		for len(code)%16 != 0 {
			code = append(code, 0xcc)
		}
		return a
	}
	target := at([]byte{0x8d, 0x04, 0x37, 0xf2, 0x0f, 0x2c, 0xc8, 0x01, 0xc8, 0x01, 0xd0, 0xc3}) // rdi+rsi+edx+int(xmm0)
	tramp := at(append(binary.LittleEndian.AppendUint64([]byte{0x49, 0xbb}, uint64(e.BootstrapSymbols()[ReentryName])), 0x41, 0xff, 0xd3, 0x0f, 0x0b))
	m := []byte{0xbf, 10, 0, 0, 0, 0xbe, 20, 0, 0, 0, 0xba, 5, 0, 0, 0, 0x48, 0xb8}
	m = binary.LittleEndian.AppendUint64(m, 0x401c000000000000) // 7.0
	m = append(m, 0x66, 0x48, 0x0f, 0x6e, 0xc0, 0x48, 0x83, 0xec, 0x08, 0xe8)
	mainStart := r.Start.Add(uint64(len(code)))
	m = binary.LittleEndian.AppendUint32(m, uint32(int32(int64(tramp)-int64(mainStart.Add(uint64(len(m)+4))))))
	mainFn := at(append(m, 0x48, 0x83, 0xc4, 0x08, 0xc3))
	e.Protect(ctx, r, shared.ProtRead|shared.ProtWrite)
	e.Write(ctx, r.Start, code)
	e.Protect(ctx, r, shared.ProtRead|shared.ProtExec)
	var mu sync.Mutex
	var seen []shared.ExecutorAddr
	e.SetReentryHandler(func(ret shared.ExecutorAddr) (shared.ExecutorAddr, error) {
		mu.Lock()
		seen = append(seen, ret)
		mu.Unlock()
		if ret != tramp+13 {
			return 0, fmt.Errorf("unknown trampoline %v", ret)
		}
		return target, nil
	})
	for i := 0; i < 2; i++ {
		if st, err := e.RunAsMain(ctx, mainFn, nil); err != nil || st != 42 {
			t.Fatalf("run %d: %d %v", i, st, err)
		}
	}
	mu.Lock()
	n := len(seen)
	mu.Unlock()
	if n != 2 {
		t.Fatalf("handler saw %d re-entries, want 2", n)
	}
	// A handler error ends the run with that error (the thread never
	// lands anywhere) and the executor lives on.
	e.SetReentryHandler(func(shared.ExecutorAddr) (shared.ExecutorAddr, error) { return 0, errors.New("no such function") })
	if _, err := e.RunAsMain(ctx, mainFn, nil); err == nil || !strings.Contains(err.Error(), "lazy compilation failed") || !strings.Contains(err.Error(), "no such function") {
		t.Fatalf("failed re-entry: %v", err)
	}
	e.SetReentryHandler(func(shared.ExecutorAddr) (shared.ExecutorAddr, error) { return target, nil })
	if st, err := e.RunAsMain(ctx, mainFn, nil); err != nil || st != 42 {
		t.Fatalf("run after a failed re-entry: %d %v", st, err)
	}
}

// testPKI makes a CA, a server certificate for 127.0.0.1 and a client
// certificate.
func testPKI(t *testing.T) (ca *x509.CertPool, server, client tls.Certificate) {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey := key()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gorc test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	ca = x509.NewCertPool()
	ca.AddCert(caCert)
	leaf := func(serial int64, usage x509.ExtKeyUsage) tls.Certificate {
		k := key()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "gorc"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}
	}
	return ca, leaf(2, x509.ExtKeyUsageServerAuth), leaf(3, x509.ExtKeyUsageClientAuth)
}

// TestRemoteMutualTLS: an executor listening with mutual TLS serves a
// controller with a client certificate (through the relay to a fresh
// executor process) and refuses one without.
func TestRemoteMutualTLS(t *testing.T) {
	ca, serverCert, clientCert := testPKI(t)
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := tls.NewListener(raw, &tls.Config{Certificates: []tls.Certificate{serverCert},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca, MinVersion: tls.VersionTLS13})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- executor.ServeListener(ctx, ln, []string{os.Args[0]}, t.Logf) }()
	defer func() { cancel(); <-done }()
	addr := raw.Addr().String()
	e, err := DialTLS(ctx, addr, &tls.Config{Certificates: []tls.Certificate{clientCert}, RootCAs: ca, MinVersion: tls.VersionTLS13})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := e.RunAsMain(ctx, loadCode(t, e, []byte{0xb8, 42, 0, 0, 0, 0xc3}), nil); err != nil || st != 42 {
		t.Fatalf("over mutual TLS: %d %v", st, err)
	}
	e.Close(ctx)
	sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
	defer scancel()
	if _, err := DialTLS(sctx, addr, &tls.Config{RootCAs: ca, MinVersion: tls.VersionTLS13}); err == nil {
		t.Fatal("controller without a client certificate was served")
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	l, err := Open(ctx, "local", OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.(*InProcess); !ok {
		t.Fatalf("local: %T", l)
	}
	l.Close(ctx)
	c, err := Open(ctx, "child", OpenOptions{ExecutorCommand: []string{os.Args[0]}, Stdio: Stdio{Stderr: new(bytes.Buffer)}})
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := c.(*Remote); !ok || r.PID() == os.Getpid() {
		t.Fatalf("child: %T", c)
	}
	c.Close(ctx)
	for _, bad := range []string{"remote", "tls://127.0.0.1:1", "udp://x"} {
		if _, err := Open(ctx, bad, OpenOptions{}); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
}

// TestStdinWithoutForwarding: a stdin call on a connection that did not
// ask for stdio forwarding is an error answer, not a crash.
func TestStdinWithoutForwarding(t *testing.T) {
	e := spawn(t, nil)
	_, err := e.call(context.Background(), wire.OpStdin, wire.StdinPayload([]byte("x"), false))
	if err == nil || !strings.Contains(err.Error(), "not forwarded") {
		t.Fatalf("stdin call: %v", err)
	}
	_, err = e.call(context.Background(), wire.OpStdin, []byte{1, 2, 3})
	if err == nil {
		t.Fatal("malformed stdin call accepted")
	}
	if _, err := e.LookupSymbols(context.Background(), 0, []string{"malloc"}); err != nil {
		t.Fatalf("the connection did not survive: %v", err)
	}
}

// TestSameDestination decides when stdout and stderr share one pipe.
func TestSameDestination(t *testing.T) {
	var a, b bytes.Buffer
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := os.Open(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	h, err := os.CreateTemp(t.TempDir(), "other")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	tests := []struct {
		name string
		x, y io.Writer
		want bool
	}{
		{"same buffer", &a, &a, true},
		{"two buffers", &a, &b, false},
		{"one file twice", f, f, true},
		{"same file opened twice", f, g, true},
		{"two files", f, h, false},
		{"file and buffer", f, &a, false},
		{"uncomparable", uncomparable{}, uncomparable{}, false},
	}
	for _, tc := range tests {
		if got := sameDestination(tc.x, tc.y); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

type uncomparable struct{ _ []byte }

func (uncomparable) Write(p []byte) (int, error) { return len(p), nil }

// echoCode is main(): read(0, buf, 64), write(1, buf, n), return n —
// hand-assembled x86-64.
var echoCode = []byte{
	0x48, 0x83, 0xec, 0x48, 0x31, 0xff, 0x48, 0x89, 0xe6, 0xba, 0x40, 0x00,
	0x00, 0x00, 0x31, 0xc0, 0x0f, 0x05, 0x48, 0x89, 0xc2, 0xbf, 0x01, 0x00,
	0x00, 0x00, 0x48, 0x89, 0xe6, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x05,
	0x89, 0xd0, 0x48, 0x83, 0xc4, 0x48, 0xc3,
}

// TestDialStdio forwards a program's stdin and stdout over TCP and over
// mutual TLS (where the listener relays the connection through pipes):
// the bytes read from the controller's reader come back on its writer
// before the call returns.
func TestDialStdio(t *testing.T) {
	ca, serverCert, clientCert := testPKI(t)
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprint("tls=", useTLS), func(t *testing.T) {
			raw, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			var ln net.Listener = raw
			var cfg *tls.Config
			if useTLS {
				ln = tls.NewListener(raw, &tls.Config{Certificates: []tls.Certificate{serverCert},
					ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca, MinVersion: tls.VersionTLS13})
				cfg = &tls.Config{Certificates: []tls.Certificate{clientCert}, RootCAs: ca, MinVersion: tls.VersionTLS13}
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- executor.ServeListener(ctx, ln, []string{os.Args[0]}, t.Logf) }()
			defer func() { cancel(); <-done }()
			var out bytes.Buffer
			e, err := DialStdio(ctx, raw.Addr().String(), cfg, Stdio{Stdin: strings.NewReader("ping over the wire\n"), Stdout: &out, Stderr: io.Discard})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close(ctx)
			st, err := e.RunAsMain(ctx, loadCode(t, e, echoCode), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != "ping over the wire\n" || st != len(got) {
				t.Errorf("stdout %q, status %d", got, st)
			}
		})
	}
}

// TestRemoteTCPKilled: a TCP executor killed mid-call (SIGKILL, no crash
// report of its own) fails the pending call promptly with how it ended,
// which the listener reports; a session whose program exits reports its
// status the same way after the program's exit frame.
func TestRemoteTCPKilled(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- executor.ServeListener(ctx, ln, []string{os.Args[0]}, t.Logf) }()
	defer func() { cancel(); <-done }()
	e, err := Dial(ctx, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(ctx)
	loop := loadCode(t, e, []byte{0xeb, 0xfe}) // jmp .
	errc := make(chan error, 1)
	go func() {
		_, err := e.RunAsMain(ctx, loop, nil)
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	p, err := os.FindProcess(e.PID())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p.Kill()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrExecutorLost) || !strings.Contains(err.Error(), "executor terminated by signal SIGKILL") {
			t.Fatalf("killed executor: %v", err)
		}
		t.Logf("%v after %v", err, time.Since(start).Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Fatal("the pending call did not fail within 5s of the kill")
	}
	if _, err := e.LookupSymbols(ctx, 0, []string{"malloc"}); !errors.Is(err, ErrExecutorLost) || !strings.Contains(err.Error(), "SIGKILL") {
		t.Fatalf("later call: %v", err)
	}
}
