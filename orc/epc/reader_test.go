package epc

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/shared/wire"
)

// Tests of Remote's reader token (see readAnswer) against a scripted
// executor over os.Pipe pipes (so calls read their own answers).

// fakeExec is the executor end of the pipes: it answers the hello, then
// gives every call frame to handle (on its own goroutine, in order).
type fakeExec struct {
	w   *os.File
	wmu sync.Mutex
}

// send writes b (any bytes: a frame, or a piece of one) to the controller.
func (x *fakeExec) send(b []byte) {
	x.wmu.Lock()
	x.w.Write(b)
	x.wmu.Unlock()
}

func frameBytes(f wire.Frame) []byte {
	var b bytes.Buffer
	wire.WriteFrame(&b, f)
	return b.Bytes()
}

func startFake(t *testing.T, fwd *Stdio, handle func(x *fakeExec, f wire.Frame)) (*Remote, *fakeExec) {
	t.Helper()
	cr, cw, err := os.Pipe() // controller to executor
	if err != nil {
		t.Fatal(err)
	}
	er, ew, err := os.Pipe() // executor to controller
	if err != nil {
		t.Fatal(err)
	}
	x := &fakeExec{w: ew}
	served := make(chan struct{})
	go func() {
		defer close(served)
		defer cr.Close()
		if _, err := wire.ReadFrame(cr); err != nil {
			return
		}
		x.send(frameBytes(wire.Frame{Kind: wire.KindHello, Payload: wire.EncodeHello(wire.Hello{Version: wire.Version, Triple: "x86_64-unknown-linux-gnu", PageSize: 4096, PID: 1})}))
		for {
			f, err := wire.ReadFrame(cr)
			if err != nil {
				return
			}
			handle(x, f)
		}
	}()
	e := &Remote{w: cw, closer: multiCloser{cw, er}, pending: map[uint64]chan reply{}, done: make(chan struct{}), fwd: fwd}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.start(ctx, er); err != nil {
		t.Fatal(err)
	}
	if e.dl == nil {
		t.Fatal("a pipe from os.Pipe does not take read deadlines: calls do not read their answers")
	}
	t.Cleanup(func() {
		e.Close(context.Background())
		x.wmu.Lock()
		ew.Close()
		x.wmu.Unlock()
		select {
		case <-e.done:
		case <-time.After(5 * time.Second):
			t.Error("the connection did not end after Close")
		}
		<-served
	})
	return e, x
}

// echo answers a call with its own payload.
func echo(x *fakeExec, f wire.Frame) {
	x.send(frameBytes(wire.Frame{Kind: wire.KindResult, Op: f.Op, Seq: f.Seq, Payload: f.Payload}))
}

// echoCallValue makes a call whose answer must carry v back.
func echoCallValue(ctx context.Context, e *Remote, v uint64) error {
	d, err := e.call(ctx, wire.OpReserve, new(wire.Encoder).U64(v).Payload())
	if err != nil {
		return err
	}
	if got := d.U64(); got != v {
		return errors.New("answer of another call")
	}
	return d.Finish()
}

// TestReaderCancelMidFrame cancels a call while the frame it is reading
// has only partly arrived (small frames, and one larger than the read
// buffer): the call returns promptly, and the next call reads its answer
// after the rest of that frame.
func TestReaderCancelMidFrame(t *testing.T) {
	old := idlePoll
	idlePoll = 200 * time.Millisecond // the calls below hold the token, not the background reader
	defer func() { idlePoll = old }()
	for _, size := range []int{64, 1 << 20} {
		// The executor answers the first of each pair of calls with part
		// of a frame (the rest goes out with the second call's answer).
		var rest []byte
		calls := 0
		e, _ := startFake(t, nil, func(x *fakeExec, f wire.Frame) {
			calls++
			if calls%2 == 0 {
				x.send(append(rest, frameBytes(wire.Frame{Kind: wire.KindResult, Op: f.Op, Seq: f.Seq, Payload: f.Payload})...))
				return
			}
			b := frameBytes(wire.Frame{Kind: wire.KindResult, Op: f.Op, Seq: f.Seq, Payload: make([]byte, size)})
			cut := wire.HeaderSize + size/2 // inside the payload
			if calls%4 == 1 {
				cut = 5 // inside the header
			}
			x.send(b[:cut])
			rest = b[cut:]
		})
		ctx := context.Background()
		for i := range 8 {
			cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
			start := time.Now()
			err := echoCallValue(cctx, e, uint64(i))
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("size %d, call %d: %v, want the context's error", size, i, err)
			}
			if d := time.Since(start); d > 10*time.Second { // a hang, not a slow machine
				t.Fatalf("cancelled call returned after %v", d)
			}
			if err := echoCallValue(ctx, e, uint64(1000+i)); err != nil {
				t.Fatalf("size %d, call after a cancelled one: %v", size, err)
			}
		}
	}
}

// TestReaderBetweenCalls checks that frames arriving while no call waits
// are read: forwarded output (after quick calls, and after a long call,
// during which the background reader stops polling), then the executor's
// death.
func TestReaderBetweenCalls(t *testing.T) {
	out := make(chan []byte, 10)
	e, x0 := startFake(t, &Stdio{Stdin: NoStdin, Stdout: chanWriter(out), Stderr: chanWriter(out)}, func(x *fakeExec, f wire.Frame) {
		if binary.LittleEndian.Uint64(f.Payload) == 777 {
			go func() {
				time.Sleep(50 * time.Millisecond)
				echo(x, f)
			}()
			return
		}
		echo(x, f)
	})
	ctx := context.Background()
	for i := range 3 {
		if err := echoCallValue(ctx, e, uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(10 * time.Millisecond)
	for i := range 4 {
		if err := echoCallValue(ctx, e, uint64(i)); err != nil {
			t.Fatal(err)
		}
		if i >= 2 {
			// A long call, right after a quick one (which leaves the token
			// free), so it reads its answer itself.
			if err := echoCallValue(ctx, e, 777); err != nil {
				t.Fatal(err)
			}
		}
		x0.send(frameBytes(wire.Frame{Kind: wire.KindStdout, Payload: []byte("hello")}))
		select {
		case b := <-out:
			if string(b) != "hello" {
				t.Fatalf("output %q", b)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("output sent while no call waits was not written")
		}
	}
	x0.wmu.Lock()
	x0.w.Close()
	x0.wmu.Unlock()
	select {
	case <-e.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the executor's end while no call waits was not noticed")
	}
	if err := echoCallValue(ctx, e, 1); !errors.Is(err, ErrExecutorLost) {
		t.Fatalf("call after the executor ended: %v", err)
	}
}

type chanWriter chan []byte

func (c chanWriter) Write(b []byte) (int, error) {
	c <- bytes.Clone(b)
	return len(b), nil
}

// TestReaderStorm issues calls from many goroutines, some cancelled,
// against an executor that answers out of order, late, in pieces, with
// output in between; every call gets its own answer or its context's
// error, and none hangs.
func TestReaderStorm(t *testing.T) {
	var mu sync.Mutex
	var held []wire.Frame
	rng := rand.New(rand.NewPCG(1, 2))
	e, x := startFake(t, &Stdio{Stdin: NoStdin, Stdout: chanWriter(make(chan []byte, 1<<16)), Stderr: chanWriter(make(chan []byte, 1<<16))}, func(x *fakeExec, f wire.Frame) {
		if f.Op == wire.OpStdin {
			echo(x, f)
			return
		}
		mu.Lock()
		held = append(held, f)
		var out []wire.Frame
		if len(held) > 3 || rng.IntN(3) == 0 {
			rng.Shuffle(len(held), func(i, j int) { held[i], held[j] = held[j], held[i] })
			out, held = held, nil
		}
		r := rng.Uint64()
		mu.Unlock()
		for _, g := range out {
			if r%5 == 0 {
				x.send(frameBytes(wire.Frame{Kind: wire.KindStdout, Payload: []byte("out")}))
			}
			b := frameBytes(wire.Frame{Kind: wire.KindResult, Op: g.Op, Seq: g.Seq, Payload: g.Payload})
			if r%3 == 0 {
				x.wmu.Lock()
				x.w.Write(b[:7])
				time.Sleep(time.Duration(r%200) * time.Microsecond)
				x.w.Write(b[7:])
				x.wmu.Unlock()
			} else {
				x.send(b)
			}
			r /= 7
		}
	})
	// Whatever is held back is answered a little later.
	stop := make(chan struct{})
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			mu.Lock()
			out := held
			held = nil
			mu.Unlock()
			for _, g := range out {
				echo(x, g)
			}
		}
	}()
	var wg sync.WaitGroup
	deadline := time.Now().Add(2 * time.Second)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := uint64(0); time.Now().Before(deadline); i++ {
				v := uint64(g)<<32 | i
				ctx, cancel := context.WithCancel(context.Background())
				if i%4 == 3 {
					ctx, cancel = context.WithTimeout(context.Background(), time.Duration(i%50)*time.Microsecond)
				}
				err := echoCallValue(ctx, e, v)
				cancel()
				if err != nil && !(i%4 == 3 && errors.Is(err, context.DeadlineExceeded)) {
					t.Errorf("call %#x: %v", v, err)
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("calls hang")
	}
	close(stop)
	<-flushed
}
