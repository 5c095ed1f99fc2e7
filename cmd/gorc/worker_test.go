//go:build cgo

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/shared/wire"
)

// startWorker starts `gorc worker -listen 127.0.0.1:0 EXTRA...` and
// returns its address.
func startWorker(t *testing.T, extra ...string) string {
	t.Helper()
	cmd := exec.Command(gorcBinary(t), append([]string{"worker", "-listen", "127.0.0.1:0"}, extra...)...)
	se, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		br := bufio.NewReader(se)
		l, _ := br.ReadString('\n')
		line <- l
		io.Copy(io.Discard, br)
	}()
	select {
	case l := <-line:
		_, addr, ok := strings.Cut(strings.TrimSpace(l), "listening on ")
		if !ok {
			t.Fatalf("gorc worker -listen: first line %q", l)
		}
		return addr
	case <-time.After(10 * time.Second):
		t.Fatal("gorc worker -listen: no address within 10s")
	}
	return ""
}

func gorcWithin90(t *testing.T, dir string, args ...string) runResult {
	t.Helper()
	bin := gorcBinary(t) // built before the clock starts
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	r, err := runProcess(ctx, dir, append([]string{bin}, args...), "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// workerCounts are the -workers settings compared with the local compile.
var workerCounts = []string{"0", "1", "2"}

// TestWorkersKaleidoscopeCorpus: every program of the Kaleidoscope corpus
// prints the same (stdout, diagnostics, exit status) compiled here, by
// one local worker, by two, and by a worker over TCP.
func TestWorkersKaleidoscopeCorpus(t *testing.T) {
	files, err := filepath.Glob("../../kaleidoscope/testdata/*.k")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	addr := startWorker(t)
	dir := t.TempDir()
	for _, f := range files {
		f, _ := filepath.Abs(f)
		t.Run(filepath.Base(f), func(t *testing.T) {
			want := gorcWithin90(t, dir, "kaleido", "-no-cache", f)
			if exp, err := os.ReadFile(strings.TrimSuffix(f, ".k") + ".stdout"); err == nil && want.stdout != string(exp) {
				t.Fatalf("local compile differs from %s.stdout:\n%v", filepath.Base(f), want)
			}
			for _, flags := range [][]string{{"-workers", "1"}, {"-workers", "2"}, {"-worker", "tcp://" + addr}} {
				got := gorcWithin90(t, dir, append(append([]string{"kaleido", "-no-cache"}, flags...), f)...)
				if got != want {
					t.Errorf("%v:\n%v\nlocal:\n%v", flags, got, want)
				}
			}
		})
	}
}

// TestWorkersIRCorpus: .ll modules (clang's, the Kaleidoscope tutorial's,
// and the Kaleidoscope corpus emitted as IR) run the same with 0, 1 and 2
// workers.
func TestWorkersIRCorpus(t *testing.T) {
	dir := t.TempDir()
	lls := []string{"testdata/fib.ll", "../../ir/testdata/kaleido_tutorial.ll"}
	ks, _ := filepath.Glob("../../kaleidoscope/testdata/*.k")
	for _, k := range ks {
		if strings.Contains(k, "errors") {
			continue
		}
		k, _ := filepath.Abs(k)
		r := gorcWithin90(t, dir, "kaleido", "-emit", "ir", k)
		if r.status != 0 {
			t.Fatalf("-emit ir %s: %v", k, r)
		}
		ll := filepath.Join(dir, strings.TrimSuffix(filepath.Base(k), ".k")+".ll")
		if err := os.WriteFile(ll, []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
		lls = append(lls, ll)
	}
	for _, ll := range lls {
		ll, _ := filepath.Abs(ll)
		t.Run(filepath.Base(ll), func(t *testing.T) {
			var want runResult
			for _, n := range workerCounts {
				got := gorcWithin90(t, dir, "run", "-no-cache", "-workers", n, ll)
				if n == "0" {
					want = got
					continue
				}
				if got.stdout != want.stdout || got.status != want.status {
					t.Errorf("-workers %s:\n%v\n-workers 0:\n%v", n, got, want)
				}
			}
		})
	}
}

// TestWorkersTwoModulesWithSameInternals: two .ll modules that both define
// an internal @helper and an internal @counter link side by side when
// compiled in parts (the parts reach internal symbols by name, so each
// module's are renamed apart).
func TestWorkersTwoModulesWithSameInternals(t *testing.T) {
	dir := t.TempDir()
	mod := func(name, fn string, mul int) string {
		p := filepath.Join(dir, name)
		src := fmt.Sprintf(`@counter = internal global i64 0

define internal i64 @helper(i64 %%x) {
entry:
  %%c = load i64, ptr @counter
  %%n = add i64 %%c, 1
  store i64 %%n, ptr @counter
  %%r = mul i64 %%x, %d
  ret i64 %%r
}

define i64 @%s(i64 %%x) {
entry:
  %%a = call i64 @helper(i64 %%x)
  %%b = call i64 @helper(i64 %%a)
  %%c = load i64, ptr @counter
  %%r = add i64 %%b, %%c
  ret i64 %%r
}
`, mul, fn)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := mod("a.ll", "fa", 2)
	b := mod("b.ll", "fb", 3)
	main := filepath.Join(dir, "main.ll")
	os.WriteFile(main, []byte(`declare i64 @fa(i64)
declare i64 @fb(i64)

define i32 @main() {
entry:
  %x = call i64 @fa(i64 1)
  %y = call i64 @fb(i64 1)
  %s = add i64 %x, %y
  %r = trunc i64 %s to i32
  ret i32 %r
}
`), 0o644)
	// fa(1) = 1*2*2 + 2 = 6; fb(1) = 1*3*3 + 2 = 11: exit status 17.
	for _, n := range workerCounts {
		if r := gorcWithin90(t, dir, "run", "-no-cache", "-workers", n, a, b, main); r.status != 17 {
			t.Errorf("-workers %s: want exit status 17\n%v", n, r)
		}
	}
}

// fakeWorker listens on loopback and plays a worker that answers the
// hello, then misbehaves on the first request: "close" disconnects (a
// worker killed mid-job), "hang" never answers.
func fakeWorker(t *testing.T, mode string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := wire.ReadFrame(c); err != nil {
					return
				}
				e := &wire.Encoder{}
				e.String("gorc-worker").U64(1).String("x86_64-unknown-linux-gnu").U64(1)
				wire.WriteFrame(c, wire.Frame{Kind: wire.KindHello, Payload: e.Payload()})
				if _, err := wire.ReadFrame(c); err != nil {
					return
				}
				if mode == "hang" {
					time.Sleep(time.Minute)
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestWorkerFailureMidJob: a worker that disconnects mid-job, or does not
// answer within -worker-timeout, costs a retry, not the run: the program
// prints what the local compile prints, and the retry is reported.
func TestWorkerFailureMidJob(t *testing.T) {
	dir := t.TempDir()
	k, _ := filepath.Abs("../../kaleidoscope/testdata/mandel.k")
	want := gorcWithin90(t, dir, "kaleido", "-no-cache", k)
	for _, mode := range []string{"close", "hang"} {
		t.Run(mode, func(t *testing.T) {
			addr := fakeWorker(t, mode)
			for _, extra := range [][]string{nil, {"-workers", "1"}} {
				args := append([]string{"kaleido", "-no-cache", "-worker-timeout", "2s", "-worker", "tcp://" + addr}, extra...)
				start := time.Now()
				got := gorcWithin90(t, dir, append(args, k)...)
				if got.stdout != want.stdout || got.status != want.status {
					t.Errorf("%v: stdout/status differ from the local compile:\n%v", args, got)
				}
				// Alone, the failing worker gets the job; beside a good one it
				// may not (then it has nothing to report).
				if extra == nil && (!strings.Contains(got.stderr, "retrying") || !strings.Contains(got.stderr, "tcp://"+addr)) {
					t.Errorf("%v: the failed worker is not reported:\n%s", args, got.stderr)
				}
				if d := time.Since(start); d > 30*time.Second {
					t.Errorf("%v took %v", args, d)
				}
			}
		})
	}
}

// TestWorkerListenRefusesClearTextBeyondLoopback: as gorc executor does.
func TestWorkerListenRefusesClearTextBeyondLoopback(t *testing.T) {
	r := gorcWithin90(t, t.TempDir(), "worker", "-listen", "0.0.0.0:0")
	if r.status != 2 || !strings.Contains(r.stderr, "refusing to listen") || !strings.Contains(r.stderr, "-tls-client-ca") {
		t.Errorf("want a refusal naming the TLS flags:\n%v", r)
	}
}

// TestWorkerMutualTLS: a worker behind mutual TLS compiles for a
// controller with a client certificate and refuses one without.
func TestWorkerMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, srvCrt, srvKey, cliCrt, cliKey := writePKI(t, dir)
	addr := startWorker(t, "-tls-cert", srvCrt, "-tls-key", srvKey, "-tls-client-ca", ca)
	k, _ := filepath.Abs("../../kaleidoscope/testdata/fib.k")
	want := gorcWithin90(t, dir, "kaleido", "-no-cache", k)
	got := gorcWithin90(t, dir, "kaleido", "-no-cache", "-worker", "tls://"+addr, "-tls-cert", cliCrt, "-tls-key", cliKey, "-tls-ca", ca, "-show-times", k)
	if got.stdout != want.stdout || !strings.Contains(got.stderr, "1 jobs remote") {
		t.Errorf("over mutual TLS:\n%v", got)
	}
	if r := gorcWithin90(t, dir, "kaleido", "-no-cache", "-worker", "tls://"+addr, k); r.status != 2 || !strings.Contains(r.stderr, "needs -tls-cert") {
		t.Errorf("tls:// without certificates:\n%v", r)
	}
	// The server's key pair is not a client certificate: the handshake
	// fails, the worker is left out and the program is compiled here.
	r := gorcWithin90(t, dir, "kaleido", "-no-cache", "-worker", "tls://"+addr, "-tls-cert", srvCrt, "-tls-key", srvKey, "-tls-ca", ca, k)
	if r.stdout != want.stdout || !strings.Contains(r.stderr, "compiling without it") {
		t.Errorf("with a server certificate as client certificate:\n%v", r)
	}
}
