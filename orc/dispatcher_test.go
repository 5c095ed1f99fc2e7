package orc_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/orc"
)

func TestPoolDispatcherBound(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		p := orc.NewPoolDispatcher(n)
		limit := int32(n)
		if limit < 1 {
			limit = 1
		}
		var cur, peak, ran atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 50; i++ {
			wg.Add(1)
			p.Dispatch(func() {
				defer wg.Done()
				c := cur.Add(1)
				for {
					old := peak.Load()
					if c <= old || peak.CompareAndSwap(old, c) {
						break
					}
				}
				time.Sleep(200 * time.Microsecond)
				cur.Add(-1)
				ran.Add(1)
			})
		}
		wg.Wait()
		if err := p.Shutdown(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		if ran.Load() != 50 || peak.Load() > limit {
			t.Fatalf("n=%d: ran %d, peak concurrency %d", n, ran.Load(), peak.Load())
		}
		// After shutdown, tasks run in place.
		inPlace := false
		p.Dispatch(func() { inPlace = true })
		if !inPlace {
			t.Fatal("task after Shutdown did not run in place")
		}
	}
}

func TestEndSessionWaitsForMaterializers(t *testing.T) {
	es := orc.NewExecutionSession(orc.WithDispatcher(orc.NewPoolDispatcher(2)))
	jd := mustJD(t, es, "main")
	release := make(chan struct{})
	started := make(chan struct{})
	var finished atomic.Bool
	must(t, jd.Define(&orc.SimpleMaterializationUnit{UnitName: "slow.o", Syms: orc.SymbolFlagsMap{es.Intern("s"): orc.Exported},
		MaterializeFunc: func(ctx context.Context, r *orc.MaterializationResponsibility) {
			close(started)
			<-release
			err := r.NotifyResolved(orc.SymbolMap{es.Intern("s"): {Addr: 1}})
			if !errors.Is(err, orc.ErrJITDylibRemoved) && !errors.Is(err, orc.ErrResourceTrackerRemoved) {
				t.Errorf("resolve after EndSession: %v", err)
			}
			if ctx.Err() == nil {
				t.Error("materializer context not cancelled by EndSession")
			}
			finished.Store(true)
		}}, nil))
	q := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateReady, "s")
	<-started
	short, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err := es.EndSession(short)
	if err == nil || !strings.Contains(err.Error(), "waiting for materializations") {
		t.Fatalf("EndSession with a stuck materializer: %v", err)
	}
	if r := wait(t, q); r.err == nil {
		t.Fatal("pending lookup survived EndSession")
	}
	close(release)
	p := es.Dispatcher()
	if err := p.Shutdown(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if !finished.Load() {
		t.Fatal("materializer did not finish")
	}
}

func TestPoolDispatcherFIFOUnderLoad(t *testing.T) {
	p := orc.NewPoolDispatcher(1)
	const n = 5000
	var mu sync.Mutex
	var order []int
	release := make(chan struct{})
	p.Dispatch(func() { <-release })
	for i := 0; i < n; i++ {
		i := i
		p.Dispatch(func() {
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			if i%700 == 0 {
				// Keep feeding the queue while it drains.
				p.Dispatch(func() {})
			}
		})
	}
	close(release)
	if err := p.Shutdown(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if len(order) != n {
		t.Fatalf("ran %d of %d tasks", len(order), n)
	}
	for i, v := range order {
		if v != i {
			t.Fatalf("task %d ran at position %d", v, i)
		}
	}
}
