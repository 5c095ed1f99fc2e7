//go:build cgo

package main

// Tests of the shared executor (`gorc executor -listen 127.0.0.1:0
// -shared`, docs/SHARING.md) with real processes on loopback: controllers
// that are gorc run and gorc kaleido processes linking against one
// another's code.

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared/wire"
)

// sharedExecutor is a `gorc executor -listen 127.0.0.1:0 -shared`
// subprocess whose stderr (the directory's log) the test can watch.
type sharedExecutor struct {
	addr string
	cmd  *exec.Cmd
	out  *syncBuffer // the executor's stdout: what the programs print

	mu    sync.Mutex
	log   []string
	added chan struct{} // closed and replaced on every log line
}

func startSharedExecutor(t *testing.T) *sharedExecutor {
	t.Helper()
	return startSharedExecutorOut(t, nil)
}

// startSharedExecutorOut starts a shared executor whose stdout is
// stdout (nil: a buffer the test reads, x.out).
func startSharedExecutorOut(t *testing.T, stdout *os.File) *sharedExecutor {
	t.Helper()
	bin := gorcBinary(t)
	x := &sharedExecutor{out: &syncBuffer{}, added: make(chan struct{})}
	x.cmd = exec.Command(bin, "executor", "-listen", "127.0.0.1:0", "-shared")
	x.cmd.Stdout = x.out
	if stdout != nil {
		x.cmd.Stdout = stdout
	}
	se, err := x.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := x.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		x.cmd.Process.Kill()
		x.cmd.Wait()
		if t.Failed() {
			t.Logf("shared executor log:\n%s", strings.Join(x.lines(), "\n"))
		}
	})
	go func() {
		sc := bufio.NewScanner(se)
		for sc.Scan() {
			x.mu.Lock()
			x.log = append(x.log, sc.Text())
			close(x.added)
			x.added = make(chan struct{})
			x.mu.Unlock()
		}
		io.Copy(io.Discard, se)
	}()
	l := x.waitLog(t, 10*time.Second, "listening on ")
	x.addr = "tcp://" + strings.TrimSpace(l[strings.Index(l, "listening on ")+len("listening on "):])
	return x
}

func (x *sharedExecutor) lines() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]string(nil), x.log...)
}

// waitLog waits for a log line containing every one of parts.
func (x *sharedExecutor) waitLog(t *testing.T, d time.Duration, parts ...string) string {
	t.Helper()
	deadline := time.After(d)
	for {
		x.mu.Lock()
		ch := x.added
		for _, l := range x.log {
			all := true
			for _, p := range parts {
				all = all && strings.Contains(l, p)
			}
			if all {
				x.mu.Unlock()
				return l
			}
		}
		x.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("no executor log line with %q within %v", parts, d)
		}
	}
}

// alive checks that the shared executor still serves a controller.
func (x *sharedExecutor) alive(t *testing.T, dir string) {
	t.Helper()
	obj := ccObj(t, dir, "alive", `int main(void) { return 42; }`)
	if r := gorcRunWithin(t, dir, 20*time.Second, "-exec", x.addr, obj); r.status != 42 {
		t.Fatalf("the shared executor no longer serves controllers: %+v", r)
	}
}

// proc is a controller process started in the background.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	done           chan struct{}
	status         int
}

func startGorc(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(gorcBinary(t), args...), done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		p.status = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() { p.cmd.Process.Kill(); <-p.done })
	return p
}

// wait waits at most d for p to end.
func (p *proc) wait(t *testing.T, d time.Duration) time.Duration {
	t.Helper()
	t0 := time.Now()
	select {
	case <-p.done:
		return time.Since(t0)
	case <-time.After(d):
		t.Fatalf("%v still running after %v\nstderr: %s", p.cmd.Args, d, p.stderr.String())
		return 0
	}
}

func (p *proc) String() string {
	return fmt.Sprintf("%v: status %d\nstdout: %s\nstderr: %s", p.cmd.Args[1:], p.status, p.stdout.String(), p.stderr.String())
}

const sharedEvenC = `#include <stdio.h>
int is_odd(int);
int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }
int main(void) { printf("A: is_even(10)=%d\n", is_even(10)); return is_even(10) ? 10 : 20; }
`

const sharedOddC = `#include <stdio.h>
int is_even(int);
int is_odd(int n) { return n == 0 ? 0 : is_even(n - 1); }
int main(void) { printf("B: is_odd(7)=%d\n", is_odd(7)); return is_odd(7) ? 11 : 21; }
`

func TestSharedExecutorMutualRecursionC(t *testing.T) {
	x := startSharedExecutor(t)
	dir := t.TempDir()
	even, odd := ccObj(t, dir, "even", sharedEvenC), ccObj(t, dir, "odd", sharedOddC)
	a := startGorc(t, dir, "run", "-exec", x.addr, "-publish", "a", "-link-shared", "b", even)
	b := startGorc(t, dir, "run", "-exec", x.addr, "-publish", "b", "-link-shared", "a", odd)
	a.wait(t, 60*time.Second)
	b.wait(t, 60*time.Second)
	if a.status != 10 || b.status != 11 {
		t.Fatalf("want statuses 10 and 11:\n%v\n%v", a, b)
	}
	// The programs' output is the shared executor's own.
	out := x.out.String()
	if !strings.Contains(out, "A: is_even(10)=1") || !strings.Contains(out, "B: is_odd(7)=1") {
		t.Errorf("executor output %q lacks the programs' lines", out)
	}
	x.waitLog(t, 10*time.Second, `"a"`, "is Ready")
	x.waitLog(t, 10*time.Second, `"b"`, "is Ready")
	x.alive(t, dir)
}

func TestSharedExecutorMutualRecursionKaleido(t *testing.T) {
	x := startSharedExecutor(t)
	dir := t.TempDir()
	write(t, dir, "a.k", "extern isodd(n);\ndef iseven(n) if n < 1 then 1 else isodd(n-1);\niseven(10) + 100;\n")
	write(t, dir, "b.k", "extern iseven(n);\ndef isodd(n) if n < 1 then 0 else iseven(n-1);\nisodd(7) + 200;\n")
	a := startGorc(t, dir, "kaleido", "-exec", x.addr, "-publish", "ka", "-link-shared", "kb", "a.k")
	b := startGorc(t, dir, "kaleido", "-exec", x.addr, "-publish", "kb", "-link-shared", "ka", "b.k")
	a.wait(t, 60*time.Second)
	b.wait(t, 60*time.Second)
	// The programs print in the shared executor (its stdout).
	out := x.out.String()
	if a.status != 0 || b.status != 0 || !strings.Contains(out, "Evaluated to 101.0") || !strings.Contains(out, "Evaluated to 201.0") {
		t.Fatalf("want 101 and 201 in the executor's output %q:\n%v\n%v", out, a, b)
	}
}

func TestSharedExecutorThreeProcessCycle(t *testing.T) {
	x := startSharedExecutor(t)
	dir := t.TempDir()
	// fa -> fb -> fc -> fa, each in its own process: each step adds its
	// own weight, so the result says the calls went round the cycle.
	src := func(me, next string, w int) string {
		return fmt.Sprintf(`int f%[2]s(int);
int f%[1]s(int n) { return n <= 0 ? 0 : %[3]d + f%[2]s(n - 1); }
int main(void) { return f%[1]s(6); }
`, me, next, w)
	}
	objs := map[string]string{
		"a": ccObj(t, dir, "ca", src("a", "b", 1)),
		"b": ccObj(t, dir, "cb", src("b", "c", 2)),
		"c": ccObj(t, dir, "cc", src("c", "a", 4)),
	}
	callee := map[string]string{"a": "b", "b": "c", "c": "a"}
	procs := map[string]*proc{}
	for _, n := range []string{"a", "b", "c"} {
		procs[n] = startGorc(t, dir, "run", "-exec", x.addr, "-publish", n, "-link-shared", callee[n], objs[n])
	}
	// f(6) goes round the cycle twice: 2*(1+2+4) = 14 from any start.
	for _, n := range []string{"a", "b", "c"} {
		procs[n].wait(t, 60*time.Second)
		if procs[n].status != 14 {
			t.Errorf("controller %s: want status 14:\n%v", n, procs[n])
		}
	}
}

func TestSharedExecutorPublisherKilled(t *testing.T) {
	x := startSharedExecutor(t)
	dir := t.TempDir()
	even, odd := ccObj(t, dir, "even", sharedEvenC), ccObj(t, dir, "odd", sharedOddC)
	// A publishes a (Resolved at once) but cannot get Ready: it also
	// links against "never", which nobody publishes.
	a := startGorc(t, dir, "run", "-exec", x.addr, "-publish", "a", "-link-shared", "b,never", "-shared-timeout", "60s", even)
	x.waitLog(t, 20*time.Second, `published "a"`)
	b := startGorc(t, dir, "run", "-exec", x.addr, "-publish", "b", "-link-shared", "a", "-shared-timeout", "60s", odd)
	x.waitLog(t, 20*time.Second, "resolved", "symbols in a")
	// B linked against A's is_even (Resolved) and waits for it to be
	// Ready: kill A between its Resolved and Ready.
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	took := b.wait(t, 30*time.Second)
	if took > 15*time.Second {
		t.Errorf("B learned of the dead publisher after %v (timeout 60s): want at once", took)
	}
	msg := b.stderr.String()
	for _, want := range []string{"is_even", `shared dylib "a"`, "published by controller #", "publisher disconnected"} {
		if !strings.Contains(msg, want) {
			t.Errorf("B's error lacks %q:\n%v", want, b)
		}
	}
	if b.status == 0 || b.status == 11 {
		t.Errorf("B ran although A never got Ready:\n%v", b)
	}
	x.alive(t, dir)
}

func TestSharedExecutorTimeoutNamesPublisher(t *testing.T) {
	x := startSharedExecutor(t)
	dir := t.TempDir()
	odd := ccObj(t, dir, "odd", sharedOddC)
	// Nobody publishes "a": the lookup gives up after the timeout.
	b := startGorc(t, dir, "run", "-exec", x.addr, "-publish", "b", "-link-shared", "a", "-shared-timeout", "1s", odd)
	b.wait(t, 30*time.Second)
	if b.status == 0 || !strings.Contains(b.stderr.String(), `timed out after 1s waiting for shared dylib "a" to be published`) {
		t.Fatalf("want a timeout naming a:\n%v", b)
	}
	x.alive(t, dir)
}

func TestSharedExecutorWeakAndRequired(t *testing.T) {
	x := startSharedExecutor(t)
	dir := t.TempDir()
	odd := ccObj(t, dir, "odd", sharedOddC)
	// A weak reference to a name nobody publishes resolves to zero.
	weak := ccObj(t, dir, "weak", `int is_odd(int);
__attribute__((weak)) int gone(int);
int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }
int main(void) { return gone ? 99 : 10 + is_even(4); }
`)
	a := startGorc(t, dir, "run", "-exec", x.addr, "-publish", "a", "-link-shared", "b", weak)
	b := startGorc(t, dir, "run", "-exec", x.addr, "-publish", "b", "-link-shared", "a", odd)
	a.wait(t, 60*time.Second)
	b.wait(t, 60*time.Second)
	if a.status != 11 || b.status != 11 {
		t.Fatalf("weak reference to nothing: want statuses 11 and 11:\n%v\n%v", a, b)
	}
	// A required one is an error naming it and where it was looked for;
	// the publisher that links against A learns that A's link failed.
	req := ccObj(t, dir, "req", `int is_odd(int);
int nowhere(int);
int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1) + nowhere(0); }
int main(void) { return is_even(4); }
`)
	a = startGorc(t, dir, "run", "-exec", x.addr, "-publish", "a2", "-link-shared", "b2", req)
	b = startGorc(t, dir, "run", "-exec", x.addr, "-publish", "b2", "-link-shared", "a2", "-shared-timeout", "60s", ccObj(t, dir, "odd2", sharedOddC))
	a.wait(t, 60*time.Second)
	took := b.wait(t, 60*time.Second)
	for _, want := range []string{"nowhere", `shared dylib "b2"`, "referenced by"} {
		if !strings.Contains(a.stderr.String(), want) {
			t.Errorf("A's error lacks %q:\n%v", want, a)
		}
	}
	if b.status == 0 || !strings.Contains(b.stderr.String(), "link failed") || took > 30*time.Second {
		t.Errorf("B should fail at once, told that A's link failed (took %v):\n%v", took, b)
	}
	x.alive(t, dir)
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rawController speaks the protocol frame by frame, as a hostile
// controller would.
type rawController struct {
	t    *testing.T
	conn net.Conn
	seq  uint64
	syms map[string]uint64
}

func dialRaw(t *testing.T, addr string) *rawController {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(addr, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &rawController{t: t, conn: conn}
	if err := wire.WriteFrame(conn, wire.Frame{Kind: wire.KindHello, Payload: wire.EncodeControllerHello(wire.ControllerHello{Version: wire.Version})}); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	f, err := wire.ReadFrame(conn)
	if err != nil || f.Kind != wire.KindHello {
		t.Fatalf("hello: %v %v", f.Kind, err)
	}
	h, err := wire.DecodeHello(f.Payload)
	if err != nil {
		t.Fatal(err)
	}
	c.syms = h.Symbols
	return c
}

// call sends one call and returns its answer frame.
func (c *rawController) call(op wire.Op, e *wire.Encoder) wire.Frame {
	c.t.Helper()
	c.seq++
	if err := wire.WriteFrame(c.conn, wire.Frame{Kind: wire.KindCall, Op: op, Seq: c.seq, Payload: e.Payload()}); err != nil {
		c.t.Fatalf("%v: %v", op, err)
	}
	c.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	f, err := wire.ReadFrame(c.conn)
	if err != nil {
		c.t.Fatalf("%v: the executor did not answer: %v", op, err)
	}
	if f.Seq != c.seq {
		c.t.Fatalf("%v: answer to %d, want %d", op, f.Seq, c.seq)
	}
	return f
}

// refused checks that the call is answered with an Error frame saying
// why.
func (c *rawController) refused(what string, op wire.Op, e *wire.Encoder, why string) {
	c.t.Helper()
	f := c.call(op, e)
	if f.Kind != wire.KindError || !strings.Contains(string(f.Payload), why) {
		c.t.Errorf("%s: got %v %q, want an error saying %q", what, f.Kind, f.Payload, why)
	}
}

func u64s(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

func TestSharedExecutorHostileController(t *testing.T) {
	x := startSharedExecutor(t)
	dir := t.TempDir()
	ctx := context.Background()
	// The victim: a controller in this process that publishes one
	// function and keeps a private one.
	victim, err := jit.New(ctx, jit.Options{Exec: x.addr, Publish: "v"})
	if err != nil {
		t.Fatal(err)
	}
	defer victim.Close(ctx)
	if err := victim.AddObjectFile(ccObj(t, dir, "victim", `static int secret = 1234;
static int hidden(int x) { return x + secret; }
int victim_fn(int x) { return hidden(x); }
`)); err != nil {
		t.Fatal(err)
	}
	fn, err := jit.Func[func(int32) int32](victim, "victim_fn")
	if err != nil {
		t.Fatal(err)
	}

	h := dialRaw(t, x.addr)
	f := h.call(wire.OpSharedLookup, new(wire.Encoder).Strings([]string{"v"}).Strings([]string{"victim_fn"}).U64(uint64(5*time.Second)))
	d := wire.NewDecoder(f.Payload)
	addrs := d.U64s()
	if f.Kind != wire.KindResult || d.Finish() != nil || len(addrs) != 1 || addrs[0] == 0 {
		t.Fatalf("a published symbol is public: lookup = %v %q", f.Kind, f.Payload)
	}
	p := addrs[0]
	page := p &^ 4095
	const foreign = "not this controller's memory"
	h.refused("write", wire.OpWrite, new(wire.Encoder).U64(p).Bytes([]byte{0xcc}), foreign)
	h.refused("read", wire.OpRead, new(wire.Encoder).U64(p).U64(16), foreign)
	h.refused("protect", wire.OpProtect, new(wire.Encoder).U64(page).U64(page+4096).U64(uint64(3)), foreign)
	h.refused("decommit", wire.OpDecommit, new(wire.Encoder).U64(page).U64(page+4096), foreign)
	h.refused("release", wire.OpRelease, new(wire.Encoder).U64(page).U64(page+4096), foreign)
	h.refused("run-void of private code", wire.OpRunVoid, new(wire.Encoder).U64(p+1), "not a published symbol")
	h.refused("run-main of private code", wire.OpRunMain, new(wire.Encoder).U64(p+1).Strings(nil), "not a published symbol")
	h.refused("typed call of private code", wire.OpCallWrapper, new(wire.Encoder).U64(h.syms[epc.CallName]).Bytes(u64s(p+1, 0, 0, 0)), "not a published symbol")
	h.refused("EH frames in another's memory", wire.OpCallWrapper, new(wire.Encoder).U64(h.syms[epc.EHFrameRegisterName]).Bytes(u64s(p, 64)), foreign)
	h.refused("initializers in another's memory", wire.OpCallWrapper, new(wire.Encoder).U64(h.syms[epc.RunInitializersName]).Bytes(u64s(1, p+1, 0)), "not a published symbol")
	h.refused("publishing another's address", wire.OpPublish, new(wire.Encoder).String("evil").String("").Strings([]string{"x"}).U64s([]uint64{p}), foreign)
	h.refused("taking over another's publication", wire.OpEmitted, new(wire.Encoder).String("v").Strings(nil), "not published by this controller")
	h.refused("publishing a taken name", wire.OpPublish, new(wire.Encoder).String("v").String("").Strings(nil).U64s(nil), "already published")
	h.refused("run-program", wire.OpRunProgram, new(wire.Encoder).U64(p).Strings(nil).U64s(nil).U64s(nil), "must not")

	// Its own memory is its to use.
	f = h.call(wire.OpReserve, new(wire.Encoder).U64(1<<16).U64(0))
	d = wire.NewDecoder(f.Payload)
	own := d.U64()
	if f.Kind != wire.KindResult || own == 0 {
		t.Fatalf("reserve: %v %q", f.Kind, f.Payload)
	}
	if f := h.call(wire.OpProtect, new(wire.Encoder).U64(own).U64(own+4096).U64(3)); f.Kind != wire.KindResult {
		t.Fatalf("protecting its own memory: %q", f.Payload)
	}
	if f := h.call(wire.OpWrite, new(wire.Encoder).U64(own).Bytes([]byte("mine"))); f.Kind != wire.KindResult {
		t.Fatalf("writing its own memory: %q", f.Payload)
	}
	// The victim is untouched.
	if got := fn(8); got != 1242 {
		t.Fatalf("victim_fn(8) = %d after the attack, want 1242", got)
	}
	// Garbage ends the hostile connection, not the executor.
	h.conn.Write([]byte("this is not a frame header at all, is it?"))
	h.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		if _, err := wire.ReadFrame(h.conn); err != nil {
			break
		}
	}
	if got := fn(9); got != 1243 {
		t.Fatalf("victim_fn(9) = %d, want 1243", got)
	}
	x.alive(t, dir)
}

// TestSharedExecutorCodeOutlivesPublisher: a publisher that disconnects
// while another controller links against its code leaves that code in
// place until the other is gone too.
func TestSharedExecutorCodeOutlivesPublisher(t *testing.T) {
	x := startSharedExecutor(t)
	dir := t.TempDir()
	ctx := context.Background()
	open := func(pub, link, name, src string) *jit.JIT {
		j, err := jit.New(ctx, jit.Options{Exec: x.addr, Publish: pub, LinkShared: []string{link}, SharedTimeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := j.AddObjectFile(ccObj(t, dir, name, src)); err != nil {
			t.Fatal(err)
		}
		return j
	}
	a := open("a", "b", "even", sharedEvenC)
	b := open("b", "a", "odd", sharedOddC)
	errs := make(chan error, 2)
	go func() { errs <- a.LinkAll(ctx) }()
	go func() { errs <- b.LinkAll(ctx) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	odd, err := jit.Func[func(int32) int32](b, "is_odd")
	if err != nil {
		t.Fatal(err)
	}
	// A leaves (its session ends, its memory is released as far as A is
	// concerned); B still calls into A's is_even.
	if err := a.Close(ctx); err != nil {
		t.Fatalf("closing A: %v", err)
	}
	x.waitLog(t, 10*time.Second, "controller #1", "left; its memory is kept")
	for n, want := range map[int32]int32{7: 1, 10: 0, 1001: 1} {
		if got := odd(n); got != want {
			t.Fatalf("after A left, B's is_odd(%d) = %d, want %d", n, got, want)
		}
	}
	// When B leaves too, A's memory goes.
	if err := b.Close(ctx); err != nil {
		t.Fatalf("closing B: %v", err)
	}
	x.waitLog(t, 10*time.Second, "controller #1", "memory released")
	x.alive(t, dir)
}

// TestSharedExecutorLazy: two `gorc run -lazy` processes on one shared
// executor, each publishing its functions (its stubs) and linking
// against the other's. A's main calls its own lazy is_even, which calls
// B's lazy is_odd: each first call re-enters the controller that owns
// the trampoline, whichever controller's code made it. (Each program
// calls both functions, so whichever controller runs first compiles
// what it owns before it leaves: a departed lazy publisher cannot
// compile, see docs/SHARING.md.)
func TestSharedExecutorLazy(t *testing.T) {
	x := startSharedExecutor(t)
	dir := t.TempDir()
	even := ccObj(t, dir, "even", `int is_odd(int);
int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }
int main(void) { return is_even(10) ? 10 : 20; }
`)
	odd := ccObj(t, dir, "odd", `int is_even(int);
int is_odd(int n) { return n == 0 ? 0 : is_even(n - 1); }
int main(void) { return is_odd(7) ? 11 : 21; }
`)
	a := startGorc(t, dir, "run", "-lazy", "-exec", x.addr, "-publish", "a", "-link-shared", "b", even)
	b := startGorc(t, dir, "run", "-lazy", "-exec", x.addr, "-publish", "b", "-link-shared", "a", odd)
	a.wait(t, 60*time.Second)
	b.wait(t, 60*time.Second)
	if a.status != 10 || b.status != 11 {
		t.Fatalf("want statuses 10 and 11:\n%v\n%v", a, b)
	}
	x.alive(t, dir)
}

// TestSharedExecutorKaleidoLazyRefused: lazy Kaleidoscope neither
// publishes nor searches the directory, so combining -lazy with
// -publish/-link-shared is refused up front, naming the flags, instead of
// failing at the first call with an undefined symbol.
func TestSharedExecutorKaleidoLazyRefused(t *testing.T) {
	x := startSharedExecutor(t)
	dir := t.TempDir()
	write(t, dir, "a.k", "extern isodd(n);\ndef iseven(n) if n < 1 then 1 else isodd(n-1);\niseven(10) + 100;\n")
	p := startGorc(t, dir, "kaleido", "-lazy", "-exec", x.addr, "-publish", "ka", "-link-shared", "kb", "a.k")
	p.wait(t, 60*time.Second)
	if p.status != 2 || !strings.Contains(p.stderr.String(), "-lazy cannot be combined with -publish or -link-shared") {
		t.Fatalf("want a refusal naming the flags:\n%v", p)
	}
	x.alive(t, dir)
}

// TestSharedExecutorCrashNamesController: controller A's code faults in
// a shared executor while controller B's main is running there. The
// process dies (one address space is one fault domain), but B is told at
// once which controller's code crashed and where (not a hang, not a bare
// end of stream), A names its own function, and the listener starts a
// new shared executor that serves the next controller.
func TestSharedExecutorCrashNamesController(t *testing.T) {
	x := startSharedExecutor(t)
	dir := t.TempDir()
	waiter := ccObj(t, dir, "waiter", `#include <stdio.h>
#include <unistd.h>
int main(void) { printf("B: waiting\n"); fflush(stdout); sleep(60); return 0; }
`)
	crashy := ccObj(t, dir, "crashy", `__attribute__((noinline)) int boom(volatile int *p) { return *p + 1; }
int main(void) { return boom(0); }
`)
	b := startGorc(t, dir, "run", "-exec", x.addr, waiter)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(x.out.String(), "B: waiting") {
		if time.Now().After(deadline) {
			t.Fatalf("B's main did not start:\n%v", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	a := startGorc(t, dir, "run", "-exec", x.addr, "-publish", "crashy", crashy)
	a.wait(t, 30*time.Second)
	// B's program sleeps 60 s: 30 s tells "told of the crash" from "ran
	// to its end" on a loaded CI machine too.
	if took := b.wait(t, 45*time.Second); took > 30*time.Second {
		t.Errorf("B learned of the crash after %v", took)
	}
	if a.status == 0 || !strings.Contains(a.stderr.String(), "boom") {
		t.Errorf("A's error does not name its crashing function boom:\n%v", a)
	}
	msg := b.stderr.String()
	t.Logf("A: %s\nB: %s", a.stderr.String(), msg)
	for _, want := range []string{"SIGSEGV", "boom+0x", `shared dylib "crashy"`, "in code run for controller #2 (127.0.0.1:", "every controller of it lost it"} {
		if !strings.Contains(msg, want) {
			t.Errorf("B's error lacks %q:\n%v", want, b)
		}
	}
	if b.status == 0 {
		t.Errorf("B succeeded although its executor died:\n%v", b)
	}
	x.waitLog(t, 10*time.Second, "shared executor (pid", "killed by SIGSEGV", "starting a new one")
	x.alive(t, dir)
}

// TestSharedExecutorExitNamesController: controller A's code calls
// exit(7) in a shared executor while controller B's main is running
// there. The process ends for everyone, but B is told how and whose code
// called exit() (not a bare end of stream), and the listener starts a new
// shared executor that serves the next controller.
func TestSharedExecutorExitNamesController(t *testing.T) {
	x := startSharedExecutor(t)
	dir := t.TempDir()
	waiter := ccObj(t, dir, "waiter", `#include <stdio.h>
#include <unistd.h>
int main(void) { printf("B: waiting\n"); fflush(stdout); sleep(60); return 0; }
`)
	quitter := ccObj(t, dir, "quitter", `#include <stdlib.h>
int main(void) { exit(7); }
`)
	b := startGorc(t, dir, "run", "-exec", x.addr, waiter)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(x.out.String(), "B: waiting") {
		if time.Now().After(deadline) {
			t.Fatalf("B's main did not start:\n%v", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	a := startGorc(t, dir, "run", "-exec", x.addr, quitter)
	a.wait(t, 30*time.Second)
	if took := b.wait(t, 15*time.Second); took > 10*time.Second {
		t.Errorf("B learned of the exit after %v", took)
	}
	t.Logf("A: %s\nB: %s", a.stderr.String(), b.stderr.String())
	for who, p := range map[string]*proc{"A": a, "B": b} {
		for _, want := range []string{"executor exited with status 7", "exit() was called in code run for controller #2 (127.0.0.1:", "every controller of it lost it"} {
			if !strings.Contains(p.stderr.String(), want) {
				t.Errorf("%s's error lacks %q:\n%v", who, want, p)
			}
		}
		if strings.Contains(p.stderr.String(), "EOF") {
			t.Errorf("%s's error says EOF:\n%v", who, p)
		}
	}
	if b.status == 0 {
		t.Errorf("B succeeded although its executor exited:\n%v", b)
	}
	x.waitLog(t, 10*time.Second, "shared executor (pid", "starting a new one")
	x.alive(t, dir)
}

// TestSharedExecutorStdoutFloodIsolated: controller A's program floods
// the shared executor's stdout, which nobody reads, and blocks in write()
// holding stdout's lock. Controller B's calls are still answered: the
// output barrier after a call that ran code does not wait for a stdio
// lock another controller's program holds.
func TestSharedExecutorStdoutFloodIsolated(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close() // never read: the pipe fills
	x := startSharedExecutorOut(t, w)
	w.Close()
	dir := t.TempDir()
	flood := ccObj(t, dir, "flood", `#include <stdio.h>
int main(void) { for (;;) printf("flood flood flood flood flood flood flood\n"); }
`)
	a := startGorc(t, dir, "run", "-exec", x.addr, flood)
	time.Sleep(500 * time.Millisecond) // A's program fills the pipe and blocks
	select {
	case <-a.done:
		t.Fatalf("A ended:\n%v", a)
	default:
	}
	x.alive(t, dir)
}
