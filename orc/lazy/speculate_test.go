package lazy_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/lazy"
	"github.com/gorc-jit/gorc/shared"
)

// specWorld is a chain of n functions f_i → f_{i-1}, each "compiled"
// (materialized) by a speculative batch or by a first call, counting
// compiles per function.
type specWorld struct {
	es       *orc.ExecutionSession
	jd       *orc.JITDylib
	n        int
	mu       sync.Mutex
	claimed  map[string]chan struct{} // closed once the claim's unit is defined
	compiles map[string]int
	batches  []int // sizes planned
}

func newSpecWorld(t *testing.T, n int) *specWorld {
	es := orc.NewExecutionSession()
	t.Cleanup(func() { es.EndSession(context.Background()) })
	jd, err := es.CreateJITDylib("spec")
	if err != nil {
		t.Fatal(err)
	}
	return &specWorld{es: es, jd: jd, n: n, claimed: map[string]chan struct{}{}, compiles: map[string]int{}}
}

func (w *specWorld) unit(names []string) orc.MaterializationUnit {
	syms := orc.SymbolFlagsMap{}
	for _, n := range names {
		syms[w.es.Intern(n)] = orc.Exported | orc.Callable
	}
	return &orc.SimpleMaterializationUnit{UnitName: fmt.Sprint(names), Syms: syms, MaterializeFunc: func(_ context.Context, r *orc.MaterializationResponsibility) {
		defs := orc.SymbolMap{}
		w.mu.Lock()
		for n := range r.Symbols() {
			w.compiles[n.String()]++
			defs[n] = orc.ExecutorSymbolDef{Addr: shared.ExecutorAddr(0x1000 + 16*len(w.compiles)), Flags: orc.Exported | orc.Callable}
		}
		w.mu.Unlock()
		time.Sleep(100 * time.Microsecond) // a compile takes time
		if err := r.NotifyResolved(defs); err != nil {
			r.FailMaterialization(err)
			return
		}
		if err := r.NotifyEmitted(nil); err != nil {
			r.FailMaterialization(err)
		}
	}}
}

// plan claims up to max functions of the chain from roots down.
func (w *specWorld) plan(_ context.Context, roots []string, max int) (*orc.JITDylib, []orc.SymbolName, []string) {
	var names []string
	var rest []string
	defined := make(chan struct{})
	defer close(defined)
	w.mu.Lock()
	for _, r := range roots {
		var i int
		fmt.Sscanf(r, "f%d", &i)
		for ; i >= 0; i-- {
			n := fmt.Sprintf("f%d", i)
			if w.claimed[n] != nil {
				break
			}
			if len(names) == max {
				rest = append(rest, n)
				break
			}
			w.claimed[n] = defined
			names = append(names, n)
		}
	}
	w.batches = append(w.batches, len(names))
	w.mu.Unlock()
	if len(names) == 0 {
		return nil, nil, rest
	}
	if err := w.jd.Define(w.unit(names), nil); err != nil {
		panic(err)
	}
	syms := make([]orc.SymbolName, len(names))
	for i, n := range names {
		syms[i] = w.es.Intern(n)
	}
	return w.jd, syms, rest
}

// firstCall is a first call of f: compiled at once if no batch claimed
// it, else (once the batch's unit is defined) a wait for the batch's
// materialization.
func (w *specWorld) firstCall(ctx context.Context, f string) error {
	w.mu.Lock()
	if c := w.claimed[f]; c == nil {
		c = make(chan struct{})
		w.claimed[f] = c
		w.mu.Unlock()
		err := w.jd.Define(w.unit([]string{f}), nil)
		close(c)
		if err != nil {
			return err
		}
	} else {
		w.mu.Unlock()
		<-c
	}
	_, err := w.es.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, w.jd), orc.NewSymbolLookupSet(w.es.Intern(f)), orc.SymbolStateReady)
	return err
}

// TestSpeculatorCompilesEachOnce: first calls from 8 goroutines race a
// speculator over a chain of 500 functions: every function is compiled
// exactly once, batches grow from SpeculationBatchMin to at most
// SpeculationBatchMax, and Stop returns with nothing running.
func TestSpeculatorCompilesEachOnce(t *testing.T) {
	const n = 500
	w := newSpecWorld(t, n)
	s := lazy.NewSpeculator(w.es, 2, w.plan)
	ctx := context.Background()
	if err := w.firstCall(ctx, fmt.Sprintf("f%d", n-1)); err != nil {
		t.Fatal(err)
	}
	s.Enqueue(fmt.Sprintf("f%d", n-2))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := n - 2 - g; i >= 0; i -= 8 {
				if err := w.firstCall(ctx, fmt.Sprintf("f%d", i)); err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s.Stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := 0; i < n; i++ {
		if c := w.compiles[fmt.Sprintf("f%d", i)]; c != 1 {
			t.Errorf("f%d compiled %d times", i, c)
		}
	}
	for _, b := range w.batches {
		if b > lazy.SpeculationBatchMax {
			t.Errorf("a batch of %d functions (max %d)", b, lazy.SpeculationBatchMax)
		}
	}
	if len(w.batches) > 0 && w.batches[0] > lazy.SpeculationBatchMin {
		t.Errorf("first batch %d functions, want at most %d", w.batches[0], lazy.SpeculationBatchMin)
	}
	t.Logf("%d batches planned (%v), %d of them defined", len(w.batches), w.batches, s.Batches())
}

// TestSpeculatorStop: Stop cancels what is queued and returns; Enqueue
// after Stop does nothing; Stop twice is harmless.
func TestSpeculatorStop(t *testing.T) {
	w := newSpecWorld(t, 100000)
	var planned atomic.Int64
	s := lazy.NewSpeculator(w.es, 1, func(ctx context.Context, roots []string, max int) (*orc.JITDylib, []orc.SymbolName, []string) {
		planned.Add(1)
		return w.plan(ctx, roots, max)
	})
	s.Enqueue("f99999")
	time.Sleep(5 * time.Millisecond)
	done := make(chan struct{})
	go func() { s.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return")
	}
	p := planned.Load()
	s.Enqueue("f5")
	time.Sleep(5 * time.Millisecond)
	if planned.Load() != p {
		t.Errorf("planned after Stop")
	}
	s.Stop()
	if p == 0 {
		t.Errorf("nothing planned before Stop")
	}
}

// TestSpeculatorIdleThenWoken: a speculator whose queue ran dry waits
// (its goroutines live until Stop, keeping their grown stacks) and plans
// again for names enqueued later; Stop ends every goroutine it started.
func TestSpeculatorIdleThenWoken(t *testing.T) {
	w := newSpecWorld(t, 40)
	before := runtime.NumGoroutine()
	s := lazy.NewSpeculator(w.es, 2, w.plan)
	compiled := func(f string) bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.compiles[f] > 0
	}
	waitFor := func(f string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !compiled(f) {
			if time.Now().After(deadline) {
				t.Fatalf("%s not compiled 10 s after it was enqueued", f)
			}
			time.Sleep(time.Millisecond)
		}
	}
	// f_i calls f_{i-1}: f5 reaches f0 only, in one batch.
	s.Enqueue("f5")
	waitFor("f0")
	time.Sleep(20 * time.Millisecond) // the queue is empty: idle
	w.mu.Lock()
	n := len(w.batches)
	w.mu.Unlock()
	if compiled("f6") {
		t.Fatal("f6 compiled before it was enqueued")
	}
	s.Enqueue("f39")
	waitFor("f6")
	w.mu.Lock()
	if len(w.batches) <= n {
		t.Errorf("no batch planned for a name enqueued after the speculator went idle (%d batches before, %d after)", n, len(w.batches))
	}
	w.mu.Unlock()
	s.Stop()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after Stop, %d before the speculator", runtime.NumGoroutine(), before)
		}
		time.Sleep(time.Millisecond)
	}
}
