//go:build cgo

package executor

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

// fakeController is the controller end of a server's stream for tests
// that drive the server's calls to the controller by hand: frames the
// server sends are read from r; answers are handed to the server's reader
// side with s.answered, as its read loop would.
type fakeController struct {
	s *server
	r *io.PipeReader
}

func newFakeController(t *testing.T) *fakeController {
	pr, pw := io.Pipe()
	t.Cleanup(func() { pr.Close(); pw.Close() })
	return &fakeController{s: &server{w: pw, lostCh: make(chan struct{})}, r: pr}
}

// next reads the server's next frame.
func (c *fakeController) next(t *testing.T) wire.Frame {
	t.Helper()
	f, err := wire.ReadFrame(c.r)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// reentryAnswer encodes an OpReentryApply result: the landing address,
// the failure message and the batch steps.
func reentryAnswer(landing uint64, msg string, steps ...func(*wire.Encoder)) []byte {
	b := new(wire.Encoder).U64(uint64(len(steps)))
	for _, s := range steps {
		s(b)
	}
	return new(wire.Encoder).U64(landing).String(msg).Bytes(b.Payload()).Payload()
}

func writeStep(addr shared.ExecutorAddr, data []byte) func(*wire.Encoder) {
	return func(e *wire.Encoder) { e.U64(wire.BatchWrite).U64(uint64(addr)).Bytes(data) }
}

func callStep(fn shared.ExecutorAddr) func(*wire.Encoder) {
	return func(e *wire.Encoder) { e.U64(wire.BatchCallWrapper).U64(uint64(fn)).Bytes(nil) }
}

// TestReentryApply: the steps of an OpReentryApply answer are run before
// the answer reaches the re-entering thread (by the reader, in stream
// order); a malformed answer, or one calling anything but the executor's
// own services, runs no step and fails the re-entry with a message naming
// why; an answer with landing 0 fails it with the controller's message,
// after its steps ran.
func TestReentryApply(t *testing.T) {
	r, err := Reserve(PageSize(), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Release(r) })
	if err := Protect(r, shared.ProtRead|shared.ProtWrite); err != nil {
		t.Fatal(err)
	}
	at := r.Start.Add(64)
	for _, tc := range []struct {
		name    string
		answer  []byte
		landing shared.ExecutorAddr
		err     string // in the re-entry's error ("" none)
		written string // at `at` afterwards
	}{
		{"steps then landing", reentryAnswer(0x1234, "", writeStep(at, []byte("one")), writeStep(at.Add(3), []byte("two"))), 0x1234, "", "onetwo"},
		{"failed compile, steps still run", reentryAnswer(0, "lazy call of f: no such symbol", writeStep(at, []byte("ran"))), 0, "lazy call of f: no such symbol", "ran"},
		{"landing 0 without a message", reentryAnswer(0, ""), 0, "landing address 0", "\x00\x00\x00"},
		{"malformed", []byte{1, 2, 3}, 0, "malformed re-entry answer", "\x00\x00\x00"},
		{"trailing bytes", append(reentryAnswer(0x1234, "", writeStep(at, []byte("no"))), 9), 0, "malformed re-entry answer", "\x00\x00\x00"},
		{"not a service", reentryAnswer(0x1234, "", writeStep(at, []byte("no")), callStep(0x4000)), 0, "not one of the executor's own services", "\x00\x00\x00"},
		{"step outside memory", reentryAnswer(0x1234, "", writeStep(at, []byte("yes")), writeStep(0x1000, []byte("x"))), 0, "step 1 of 2", "yes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			Write(at, make([]byte, 16))
			c := newFakeController(t)
			type res struct {
				a   shared.ExecutorAddr
				err error
			}
			done := make(chan res, 1)
			go func() {
				a, err := c.s.reentry(0x7777)
				done <- res{a, err}
			}()
			f := c.next(t)
			if f.Kind != wire.KindCall || f.Op != wire.OpReentryApply {
				t.Fatalf("server sent %v %v, want a reentry-apply call", f.Kind, f.Op)
			}
			if d := wire.NewDecoder(f.Payload); d.U64() != 0x7777 || d.Finish() != nil {
				t.Fatalf("reentry-apply payload %x", f.Payload)
			}
			if !c.s.answered(wire.Frame{Kind: wire.KindResult, Op: wire.OpReentryApply, Seq: f.Seq, Payload: tc.answer}) {
				t.Fatal("the answer was not taken")
			}
			// Run by the reader (answered) already, before the thread resumes.
			got, _ := Read(at, uint64(len(tc.written)))
			if string(got) != tc.written {
				t.Errorf("memory after the answer: %q, want %q", got, tc.written)
			}
			var rr res
			select {
			case rr = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the re-entry did not return")
			}
			if tc.err == "" {
				if rr.err != nil || rr.a != tc.landing {
					t.Fatalf("re-entry: %v %v, want %v", rr.a, rr.err, tc.landing)
				}
			} else if rr.err == nil || !strings.Contains(rr.err.Error(), tc.err) {
				t.Fatalf("re-entry: %v %v, want an error containing %q", rr.a, rr.err, tc.err)
			}
		})
	}
}

// TestReentryApplyFallback: a controller that does not know
// OpReentryApply answers it with an error; the executor asks again with
// OpReentry, and keeps using it.
func TestReentryApplyFallback(t *testing.T) {
	c := newFakeController(t)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		var a shared.ExecutorAddr
		var err error
		wg.Add(1)
		go func() { defer wg.Done(); a, err = c.s.reentry(0x10) }()
		f := c.next(t)
		if i == 0 {
			if f.Op != wire.OpReentryApply {
				t.Fatalf("first re-entry sent %v, want reentry-apply", f.Op)
			}
			c.s.answered(wire.Frame{Kind: wire.KindError, Op: f.Op, Seq: f.Seq, Payload: []byte("controller does not serve reentry-apply")})
			f = c.next(t)
		}
		if f.Op != wire.OpReentry {
			t.Fatalf("re-entry %d sent %v, want reentry", i, f.Op)
		}
		c.s.answered(wire.Frame{Kind: wire.KindResult, Op: f.Op, Seq: f.Seq, Payload: new(wire.Encoder).U64(0x99).Payload()})
		wg.Wait()
		if err != nil || a != 0x99 {
			t.Fatalf("re-entry %d: %v %v, want 0x99", i, a, err)
		}
	}
}

// FuzzReentryAnswer feeds the executor hostile OpReentryApply answers —
// raw bytes, and well-formed ones whose steps write and protect in and
// around a real reservation or call arbitrary addresses — and checks that
// each is taken without a fault and gives the waiting thread a landing
// address or an error.
func FuzzReentryAnswer(f *testing.F) {
	f.Add(uint64(0x1000), uint8(0), uint64(0), uint64(16), uint8(3), []byte("abc"), false)
	f.Add(uint64(0), uint8(1), uint64(4096), uint64(8192), uint8(7), []byte(nil), false)
	f.Add(uint64(1), uint8(2), uint64(0), uint64(0), uint8(0), []byte("x"), false)
	f.Add(uint64(0), uint8(0), uint64(0), uint64(0), uint8(0), reentryAnswer(0x1234, "", writeStep(0x1000, []byte("x"))), true)
	f.Fuzz(func(t *testing.T, landing uint64, kind uint8, off, size uint64, prot uint8, data []byte, raw bool) {
		fuzzResOnce.Do(func() {
			r, err := Reserve(1<<20, false)
			if err != nil {
				t.Fatal(err)
			}
			fuzzRes = r
		})
		payload := data
		if !raw {
			start := uint64(fuzzRes.Start) + off%(3<<20) - 1<<20 // before, in and after the reservation
			var step func(*wire.Encoder)
			switch kind % 3 {
			case 0:
				step = func(e *wire.Encoder) { e.U64(wire.BatchWrite).U64(start).Bytes(data) }
			case 1:
				step = func(e *wire.Encoder) {
					e.U64(wire.BatchProtect).U64(start).U64(start + size%(2<<20)).U64(uint64(prot))
				}
			case 2: // never one of the executor's services: refused, not run
				step = callStep(shared.ExecutorAddr(start))
			}
			payload = reentryAnswer(landing, string(data), step)
		}
		out := applyReentryAnswer(wire.Frame{Kind: wire.KindResult, Op: wire.OpReentryApply, Seq: 1, Payload: payload})
		switch out.Kind {
		case wire.KindResult:
			d := wire.NewDecoder(out.Payload)
			if d.U64() == 0 || d.Finish() != nil {
				t.Fatalf("result %x is not a landing address", out.Payload)
			}
		case wire.KindError:
			if out.Op != wire.OpReentry || len(out.Payload) == 0 || bytes.Equal(out.Payload, []byte{0}) {
				t.Fatalf("error answer %v %q", out.Op, out.Payload)
			}
		default:
			t.Fatalf("answer kind %v", out.Kind)
		}
	})
}
