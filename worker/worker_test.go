package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/shared/wire"
	"github.com/gorc-jit/gorc/target"
)

// modeEnv makes the test binary a worker process: "serve" serves on
// stdin/stdout; "die" exits as soon as a request arrives (a worker killed
// mid-job); "hang" never answers one; "slow" waits a second before
// compiling.
const modeEnv = "GORC_WORKER_TEST_MODE"

func TestMain(m *testing.M) {
	switch mode := os.Getenv(modeEnv); mode {
	case "":
		os.Exit(m.Run())
	case "serve":
		if err := Serve(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	default:
		r := &onRequest{Reader: os.Stdin, mode: mode}
		if err := Serve(context.Background(), r, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// onRequest misbehaves once the hello has been read and a request starts
// arriving (the second read from the stream).
type onRequest struct {
	io.Reader
	mode  string
	reads int
}

func (r *onRequest) Read(p []byte) (int, error) {
	n, err := r.Reader.Read(p)
	r.reads++
	if r.reads >= 2 {
		switch r.mode {
		case "die":
			os.Exit(3)
		case "hang":
			select {}
		case "slow":
			time.Sleep(time.Second)
		}
	}
	return n, err
}

// spawn starts the test binary as a worker in mode.
func spawn(t *testing.T, mode string) *Conn {
	t.Helper()
	t.Setenv(modeEnv, mode)
	c, err := Spawn(context.Background(), "test worker "+mode, []string{os.Args[0], "-test.run=^$"}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// chainModule is n functions f0..f(n-1), each calling the one before it
// and an internal helper that counts its calls in an internal global,
// and @count returning that count.
func chainModule(n int) string {
	var sb strings.Builder
	sb.WriteString("@counter = internal global i64 0\n\n")
	sb.WriteString("define internal i64 @helper(i64 %x) {\nentry:\n  %c = load i64, ptr @counter\n  %n = add i64 %c, 1\n  store i64 %n, ptr @counter\n  %r = mul i64 %x, 3\n  ret i64 %r\n}\n\n")
	sb.WriteString("define i64 @count() {\nentry:\n  %c = load i64, ptr @counter\n  ret i64 %c\n}\n\n")
	sb.WriteString("define i64 @f0(i64 %x) {\nentry:\n  %h = call i64 @helper(i64 %x)\n  ret i64 %h\n}\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&sb, "\ndefine i64 @f%d(i64 %%x) {\nentry:\n  %%p = call i64 @f%d(i64 %%x)\n  %%h = call i64 @helper(i64 %%p)\n  %%r = add i64 %%h, %d\n  ret i64 %%r\n}\n", i, i-1, i)
	}
	return sb.String()
}

func hostTriple(t testing.TB) string {
	t.Helper()
	tg, err := target.Host()
	if err != nil {
		t.Skip(err)
	}
	return tg.Triple
}

// runChain links objs in a fresh in-process JIT and returns f(n-1)(2)
// and then the helper's call count.
func runChain(t *testing.T, n int, objs [][]byte) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	for i, o := range objs {
		if err := j.AddObject(fmt.Sprintf("part%d.o", i), o); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.LinkAll(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := jit.Func[func(int64) int64](j, fmt.Sprintf("f%d", n-1))
	if err != nil {
		t.Fatal(err)
	}
	count, err := jit.Func[func() int64](j, "count")
	if err != nil {
		t.Fatal(err)
	}
	return f(2), count()
}

// TestSplitLinksLikeOneObject: a module cut into 1 to 7 parts, each
// compiled alone, links and computes what the whole module compiled at
// once computes — internal functions and globals called across parts
// included.
func TestSplitLinksLikeOneObject(t *testing.T) {
	const n = 20
	triple := hostTriple(t)
	src := chainModule(n)
	whole, err := Compile(context.Background(), &Request{Name: "chain.ll", Triple: triple, OptLevel: 2, IR: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	wantV, wantC := runChain(t, n, [][]byte{whole.Object})
	for _, k := range []int{1, 2, 3, 7} {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			m, err := ir.Parse("chain.ll", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			parts := Split(m, k)
			if len(parts) != k {
				t.Fatalf("Split(%d) gave %d parts", k, len(parts))
			}
			seen := map[string]int{}
			var objs [][]byte
			for i, p := range parts {
				if p.OwnsGlobals != (i == 0) {
					t.Errorf("part %d: OwnsGlobals %v", i, p.OwnsGlobals)
				}
				for _, f := range p.Funcs {
					seen[f.Name]++
				}
				rep, err := Compile(context.Background(), p.Request(m, "chain.ll", triple, 2))
				if err != nil {
					t.Fatalf("part %d: %v\n%s", i, err, p.Request(m, "chain.ll", triple, 2).IR)
				}
				objs = append(objs, rep.Object)
			}
			if len(seen) != n+2 {
				t.Errorf("parts hold %d functions, want %d", len(seen), n+2)
			}
			for f, c := range seen {
				if c != 1 {
					t.Errorf("@%s is in %d parts", f, c)
				}
			}
			v, c := runChain(t, n, objs)
			if v != wantV || c != wantC {
				t.Errorf("%d parts: f%d(2) = %d, count %d; whole module: %d, %d", k, n-1, v, c, wantV, wantC)
			}
		})
	}
}

func TestRequestRoundTrip(t *testing.T) {
	for _, r := range []*Request{
		{Name: "a.ll", Triple: "x86_64-unknown-linux-gnu", IR: []byte("define void @f() {\nentry:\n  ret void\n}\n")},
		{Name: "", Triple: "x86_64-pc-linux", OptLevel: 3, Only: []string{"f", "g h"}, OmitGlobals: true},
	} {
		got, err := DecodeRequest(r.Encode())
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != r.Name || got.Triple != r.Triple || got.OptLevel != r.OptLevel || got.OmitGlobals != r.OmitGlobals ||
			strings.Join(got.Only, ",") != strings.Join(r.Only, ",") || !bytes.Equal(got.IR, r.IR) {
			t.Errorf("round trip of %+v gave %+v", r, got)
		}
		if got.Key() != r.Key() {
			t.Errorf("the key changed in the round trip")
		}
	}
}

func TestDecodeRequestErrors(t *testing.T) {
	good := (&Request{Name: "m", Triple: "x86_64-unknown-linux-gnu"}).Encode()
	badLevel := (&Request{Name: "m", Triple: "x86_64-unknown-linux-gnu", OptLevel: 9}).Encode()
	noTriple := (&Request{Name: "m"}).Encode()
	for _, tc := range []struct {
		name    string
		payload []byte
		want    string
	}{
		{"empty", nil, "decoding a compile request"},
		{"truncated", good[:len(good)-3], "decoding a compile request"},
		{"trailing", append(append([]byte{}, good...), 1), "decoding a compile request"},
		{"level", badLevel, "optimisation level 9"},
		{"triple", noTriple, "no target triple"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeRequest(tc.payload)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestCompileErrorsNameTheFunction: what does not compile is an error
// naming the module and function, never a crash.
func TestCompileErrorsNameTheFunction(t *testing.T) {
	triple := hostTriple(t)
	for _, tc := range []struct {
		name string
		req  Request
		want string
	}{
		{"syntax", Request{Name: "bad.ll", IR: []byte("define i64 @f() {\nentry:\n  ret i64 %nope\n}\n")}, "bad.ll:3"},
		{"missing", Request{Name: "m.ll", Only: []string{"g"}, IR: []byte("define void @f() {\nentry:\n  ret void\n}\n")}, "@g is not defined"},
		{"triple", Request{Name: "m.ll", Triple: "riscv64-unknown-linux-gnu"}, "unsupported target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.req
			if r.Triple == "" {
				r.Triple = triple
			}
			_, err := Compile(context.Background(), &r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func chainRequests(t *testing.T, n, k int) []*Request {
	t.Helper()
	m, err := ir.Parse("chain.ll", []byte(chainModule(n)))
	if err != nil {
		t.Fatal(err)
	}
	var reqs []*Request
	for _, p := range Split(m, k) {
		reqs = append(reqs, p.Request(m, "chain.ll", hostTriple(t), 2))
	}
	return reqs
}

func TestPoolSpawnedWorkers(t *testing.T) {
	reqs := chainRequests(t, 40, 4)
	p := NewPool(spawn(t, "serve"), spawn(t, "serve"))
	reps, err := p.CompileAll(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	var objs [][]byte
	for i, r := range reps {
		local, err := Compile(context.Background(), reqs[i])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(r.Object, local.Object) {
			t.Errorf("part %d: the worker's object differs from the local compile's", i)
		}
		objs = append(objs, r.Object)
	}
	if s := p.Stats(); s.Remote != 4 || s.Local != 0 {
		t.Errorf("stats %+v, want 4 remote jobs", s)
	}
	runChain(t, 40, objs)
}

// TestPoolRetriesAfterWorkerFailure: a worker that dies mid-job, one
// killed mid-job, one that never answers (timeout): the jobs go to the
// remaining worker, or are compiled here; nothing hangs, every object
// comes back.
func TestPoolRetriesAfterWorkerFailure(t *testing.T) {
	for _, tc := range []struct {
		name  string
		modes []string
	}{
		{"dies", []string{"die", "serve"}},
		{"hangs", []string{"hang"}},
		{"all-die", []string{"die", "die"}},
		{"killed", []string{"slow"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cs []*Conn
			for _, m := range tc.modes {
				cs = append(cs, spawn(t, m))
			}
			p := NewPool(cs...)
			p.Timeout = 2 * time.Second
			if tc.name == "killed" {
				p.Timeout = time.Minute
				time.AfterFunc(300*time.Millisecond, func() { syscall.Kill(cs[0].PID, syscall.SIGKILL) })
			}
			reqs := chainRequests(t, 30, 3)
			start := time.Now()
			reps, err := p.CompileAll(context.Background(), reqs)
			if err != nil {
				t.Fatal(err)
			}
			// Below the killed case's one-minute job timeout, above
			// what a loaded CI machine under -race needs.
			if d := time.Since(start); d > 45*time.Second {
				t.Errorf("took %v", d)
			}
			var objs [][]byte
			for _, r := range reps {
				objs = append(objs, r.Object)
			}
			runChain(t, 30, objs)
			s := p.Stats()
			if s.Retried == 0 || s.Dropped == 0 {
				t.Errorf("stats %+v: want a retried job and a dropped worker", s)
			}
		})
	}
}

// TestPoolReportsCompileErrors: a request that does not compile fails the
// batch with the worker's message (not retried elsewhere).
func TestPoolReportsCompileErrors(t *testing.T) {
	p := NewPool(spawn(t, "serve"))
	bad := &Request{Name: "bad.ll", Triple: hostTriple(t), Only: []string{"missing"}, IR: []byte("define void @f() {\nentry:\n  ret void\n}\n")}
	_, err := p.CompileAll(context.Background(), []*Request{bad})
	var re *RemoteError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "@missing is not defined") {
		t.Fatalf("error %v, want a RemoteError naming @missing", err)
	}
	if s := p.Stats(); s.Retried != 0 || p.Workers() != 1 {
		t.Errorf("stats %+v, %d workers: a compile error must not drop the worker", s, p.Workers())
	}
}

// TestServeBadInput: garbage instead of frames ends Serve with an error;
// a bad request inside a good frame is answered with an error frame and
// the worker goes on serving.
func TestServeBadInput(t *testing.T) {
	var out bytes.Buffer
	if err := Serve(context.Background(), strings.NewReader("GET / HTTP/1.1\r\n\r\n"), &out); err == nil {
		t.Error("Serve accepted an HTTP request")
	}
	var in bytes.Buffer
	wire.WriteFrame(&in, wire.Frame{Kind: wire.KindHello, Payload: encodeControllerHello()})
	wire.WriteFrame(&in, wire.Frame{Kind: wire.KindCall, Op: opCompile, Seq: 1, Payload: []byte{1, 2, 3}})
	wire.WriteFrame(&in, wire.Frame{Kind: wire.KindCall, Op: 9, Seq: 2})
	good := &Request{Name: "ok.ll", Triple: hostTriple(t), IR: []byte("define void @f() {\nentry:\n  ret void\n}\n")}
	wire.WriteFrame(&in, wire.Frame{Kind: wire.KindCall, Op: opCompile, Seq: 3, Payload: good.Encode()})
	out.Reset()
	if err := Serve(context.Background(), &in, &out); err != nil {
		t.Fatal(err)
	}
	var kinds []wire.Kind
	for {
		f, err := wire.ReadFrame(&out)
		if err != nil {
			break
		}
		kinds = append(kinds, f.Kind)
	}
	want := []wire.Kind{wire.KindHello, wire.KindError, wire.KindError, wire.KindResult}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("answers %v, want %v", kinds, want)
	}
}

// TestListener: a worker on loopback TCP serves a dialled controller; an
// executor-speaking peer is refused with a clear error.
func TestListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeListener(ctx, ln, ServeConfig{HandshakeTimeout: time.Second}) }()
	c, err := Dial(ctx, ln.Addr().String(), nil, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	reqs := chainRequests(t, 5, 1)
	if _, err := c.Compile(ctx, reqs[0], 10*time.Second); err != nil {
		t.Fatal(err)
	}
	c.Close()
	// A peer that says nothing is dropped after the handshake timeout.
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a silent peer was not dropped: %v", err)
	}
	nc.Close()
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Error(err)
	}
}

// TestSplitSourceLinksLikeOneObject: the definitions sliced out of the
// source (no body parsed or printed by the controller) compile and link
// to what the whole module computes; quoted names are read as the parser
// reads them.
func TestSplitSourceLinksLikeOneObject(t *testing.T) {
	const n = 20
	triple := hostTriple(t)
	src := chainModule(n)
	// A quoted name with an escape, called across parts.
	src = strings.Replace(src, "define i64 @f0(i64 %x)", "define i64 @\"f\\30\"(i64 %x)", 1)
	src = strings.Replace(src, "call i64 @f0(", "call i64 @\"f\\30\"(", 1)
	whole, err := Compile(context.Background(), &Request{Name: "chain.ll", Triple: triple, OptLevel: 2, IR: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	wantV, wantC := runChain(t, n, [][]byte{whole.Object})
	for _, k := range []int{1, 2, 5} {
		reqs, ok, err := SplitSource("chain.ll", []byte(src), k, triple, 2, false)
		if err != nil || !ok {
			t.Fatalf("SplitSource(%d): ok %v, %v", k, ok, err)
		}
		if len(reqs) != k {
			t.Errorf("SplitSource(%d) gave %d parts", k, len(reqs))
		}
		var objs [][]byte
		for i, r := range reqs {
			if r.OmitGlobals != (i > 0) {
				t.Errorf("part %d: OmitGlobals %v", i, r.OmitGlobals)
			}
			rep, err := Compile(context.Background(), r)
			if err != nil {
				t.Fatalf("part %d: %v\n%s", i, err, r.IR)
			}
			objs = append(objs, rep.Object)
		}
		if v, c := runChain(t, n, objs); v != wantV || c != wantC {
			t.Errorf("%d sliced parts: f%d(2) = %d, count %d; whole module: %d, %d", k, n-1, v, c, wantV, wantC)
		}
	}
}

// TestSplitSourceDeclines: what slicing cannot do safely is left to
// Split (ok false), and a syntax error is the parser's.
func TestSplitSourceDeclines(t *testing.T) {
	triple := hostTriple(t)
	for _, tc := range []struct {
		name, src  string
		noInternal bool
		err        string
	}{
		{name: "internal symbols to rename", src: chainModule(3), noInternal: true},
		{name: "definition not at a line start", src: "  define void @f() {\nentry:\n  ret void\n}\n"},
		{name: "syntax error", src: "define void @f( {\n}\n", err: "chain.ll:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reqs, ok, err := SplitSource("chain.ll", []byte(tc.src), 2, triple, 2, tc.noInternal)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || ok || reqs != nil {
				t.Errorf("ok %v, %d requests, %v: want a refusal", ok, len(reqs), err)
			}
		})
	}
}

// TestPoolCompilesTooLargeRequestsHere: a request over the frame size is
// compiled in this process, and the worker stays in the pool.
func TestPoolCompilesTooLargeRequestsHere(t *testing.T) {
	p := NewPool(spawn(t, "serve"))
	src := chainModule(3) + "\n; " + strings.Repeat("x", wire.MaxPayload) + "\n"
	reqs := []*Request{{Name: "big.ll", Triple: hostTriple(t), IR: []byte(src)}}
	reps, err := p.CompileAll(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps[0].Object) == 0 {
		t.Fatal("no object")
	}
	if s := p.Stats(); s.Local != 1 || s.Dropped != 0 || p.Workers() != 1 {
		t.Errorf("stats %+v, %d workers: want the job compiled here and the worker kept", s, p.Workers())
	}
}
