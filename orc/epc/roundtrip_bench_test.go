//go:build cgo

package epc

import (
	"context"
	"net"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/shared"
)

// latencies records the duration of each benchmark iteration and reports
// the median and the 90th percentile as extra metrics (p50-ns, p90-ns):
// a round trip's mean hides scheduler outliers that the median does not.
type latencies struct{ d []time.Duration }

func (l *latencies) time(f func()) {
	t := time.Now()
	f()
	l.d = append(l.d, time.Since(t))
}

func (l *latencies) report(b *testing.B) {
	if len(l.d) == 0 {
		return
	}
	slices.Sort(l.d)
	q := func(p float64) float64 { return float64(l.d[int(p*float64(len(l.d)-1))].Nanoseconds()) }
	b.ReportMetric(q(0.5), "p50-ns")
	b.ReportMetric(q(0.9), "p90-ns")
}

// frameSizes are the sizes of a wrapper call to the echo service with a
// 16-byte argument: the call frame (16-byte header, fn u64, arg length
// u64, 16 bytes) and its result (header, length u64, 16 bytes).
const echoCallFrame, echoResultFrame = 16 + 8 + 8 + 16, 16 + 8 + 16

// startTCPExecutor serves executors (this test binary, see TestMain) on a
// loopback port and dials one.
func startTCPExecutor(tb testing.TB) *Remote {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- executor.ServeListener(ctx, ln, []string{os.Args[0]}, nil) }()
	dctx, dcancel := context.WithTimeout(ctx, 10*time.Second)
	defer dcancel()
	e, err := Dial(dctx, "tcp://"+ln.Addr().String())
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer ccancel()
		e.Close(cctx)
		cancel()
		<-done
	})
	return e
}

// BenchmarkCallRoundTrip measures the round trip of a trivial wrapper
// call (the echo service, 16 argument bytes) to an executor in another
// process, next to a raw ping-pong of the same size between two processes
// over the same kind of channel (the floor no protocol can beat):
//
//   - floor-pipe, floor-tcp: raw echo of 48 bytes, no protocol;
//   - child: a spawned executor over two pipes (-exec child);
//   - child-shm: the same after the session reserved shared memory (-exec
//     child -shm); calls still cross the pipes, because -shm carries only
//     code and data, so this shows it adds nothing to a call;
//   - tcp: an executor served on a loopback port (-exec tcp://);
//   - in-process: the call without any process boundary.
//
// Each sub-benchmark reports p50-ns and p90-ns besides the mean.
func BenchmarkCallRoundTrip(b *testing.B) {
	ctx := context.Background()
	floor := func(start func(testing.TB) *pingPeer) func(*testing.B) {
		return func(b *testing.B) {
			p := start(b)
			defer p.close()
			msg, buf := make([]byte, echoCallFrame), make([]byte, 256)
			p.roundTrip(b, msg, buf) // connection warm
			var l latencies
			for b.Loop() {
				l.time(func() { p.roundTrip(b, msg, buf) })
			}
			l.report(b)
		}
	}
	call := func(open func(testing.TB) ExecutorProcessControl) func(*testing.B) {
		return func(b *testing.B) {
			e := open(b)
			c := shared.WrapperCall{Fn: e.BootstrapSymbols()[EchoName], Arg: make([]byte, 16)}
			if out, err := e.CallWrapper(ctx, c); err != nil || len(out) != 16 {
				b.Fatalf("echo call: %d bytes, %v", len(out), err)
			}
			var l latencies
			for b.Loop() {
				l.time(func() {
					if _, err := e.CallWrapper(ctx, c); err != nil {
						b.Fatal(err)
					}
				})
			}
			l.report(b)
		}
	}
	b.Run("floor-pipe", floor(startPipePeer))
	b.Run("floor-tcp", floor(startTCPPeer))
	b.Run("child", call(func(tb testing.TB) ExecutorProcessControl { return spawn(tb, nil) }))
	b.Run("child-shm", call(func(tb testing.TB) ExecutorProcessControl {
		e := spawn(tb, nil)
		r, path, err := e.ReserveShared(ctx, 64<<20, false)
		if err != nil {
			tb.Fatal(err)
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			tb.Fatalf("opening the executor's shared memory: %v", err)
		}
		f.Close()
		tb.Cleanup(func() { e.Release(ctx, r) })
		return e
	}))
	b.Run("tcp", call(func(tb testing.TB) ExecutorProcessControl { return startTCPExecutor(tb) }))
	b.Run("in-process", call(func(tb testing.TB) ExecutorProcessControl { return newInProcess(tb) }))
}

// BenchmarkCallThroughput issues echo calls from several goroutines at
// once to one child executor: sequence numbers let calls overlap, so the
// time per call falls below the round trip.
func BenchmarkCallThroughput(b *testing.B) {
	e := spawn(b, nil)
	ctx := context.Background()
	c := shared.WrapperCall{Fn: e.BootstrapSymbols()[EchoName], Arg: make([]byte, 16)}
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.CallWrapper(ctx, c); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCallVsFloor alternates, in every iteration, one raw ping-pong
// round trip and one wrapper call over the same kind of channel, so both
// see the same machine load (other jobs on a shared machine shift
// separate runs by ±50%). It reports the medians of both (floor-p50-ns,
// call-p50-ns), their 90th percentiles, and the ratio of the medians
// (call/floor, issue 4's goal: at most 2).
func BenchmarkCallVsFloor(b *testing.B) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		peer func(testing.TB) *pingPeer
		exec func(testing.TB) *Remote
	}{
		{name: "pipe", peer: startPipePeer, exec: func(tb testing.TB) *Remote { return spawn(tb, nil) }},
		{name: "tcp", peer: startTCPPeer, exec: startTCPExecutor},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p := tc.peer(b)
			defer p.close()
			e := tc.exec(b)
			c := shared.WrapperCall{Fn: e.BootstrapSymbols()[EchoName], Arg: make([]byte, 16)}
			msg, buf := make([]byte, echoCallFrame), make([]byte, 256)
			p.roundTrip(b, msg, buf)
			if _, err := e.CallWrapper(ctx, c); err != nil {
				b.Fatal(err)
			}
			var floor, call latencies
			for b.Loop() {
				floor.time(func() { p.roundTrip(b, msg, buf) })
				call.time(func() {
					if _, err := e.CallWrapper(ctx, c); err != nil {
						b.Fatal(err)
					}
				})
			}
			if len(floor.d) == 0 {
				return
			}
			slices.Sort(floor.d)
			slices.Sort(call.d)
			q := func(d []time.Duration, p float64) float64 { return float64(d[int(p*float64(len(d)-1))].Nanoseconds()) }
			b.ReportMetric(q(floor.d, 0.5), "floor-p50-ns")
			b.ReportMetric(q(floor.d, 0.9), "floor-p90-ns")
			b.ReportMetric(q(call.d, 0.5), "call-p50-ns")
			b.ReportMetric(q(call.d, 0.9), "call-p90-ns")
			b.ReportMetric(q(call.d, 0.5)/q(floor.d, 0.5), "ratio")
		})
	}
}
