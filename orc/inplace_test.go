package orc_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// heldDispatcher queues tasks and runs them only once released, so a
// materialization that completes before the release ran in place.
type heldDispatcher struct {
	mu       sync.Mutex
	released bool
	queue    []func()
}

func (d *heldDispatcher) Dispatch(task func()) {
	d.mu.Lock()
	if !d.released {
		d.queue = append(d.queue, task)
		d.mu.Unlock()
		return
	}
	d.mu.Unlock()
	go task()
}

func (d *heldDispatcher) release() {
	d.mu.Lock()
	d.released = true
	q := d.queue
	d.queue = nil
	d.mu.Unlock()
	for _, t := range q {
		go t()
	}
}

func (d *heldDispatcher) Shutdown(context.Context) error { d.release(); return nil }

func (d *heldDispatcher) queued() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.queue)
}

// unitFunc defines name, materialized by f (which returns its address).
func unitFunc(es *orc.ExecutionSession, name string, f func(ctx context.Context) (shared.ExecutorAddr, error)) orc.MaterializationUnit {
	n := es.Intern(name)
	flags := orc.Exported | orc.Callable
	return &orc.SimpleMaterializationUnit{
		UnitName: name,
		Syms:     orc.SymbolFlagsMap{n: flags},
		MaterializeFunc: func(ctx context.Context, r *orc.MaterializationResponsibility) {
			a, err := f(ctx)
			if err != nil {
				r.FailMaterialization(err)
				return
			}
			if err := r.NotifyResolved(orc.SymbolMap{n: {Addr: a, Flags: flags}}); err != nil {
				r.FailMaterialization(err)
				return
			}
			if err := r.NotifyEmitted(nil); err != nil {
				r.FailMaterialization(err)
			}
		},
	}
}

func TestLookupInPlaceMaterialization(t *testing.T) {
	d := &heldDispatcher{}
	es := newSession(t, orc.WithDispatcher(d))
	t.Cleanup(d.release)
	jd := mustJD(t, es, "main")
	// a needs b: the in-place materialization's own lookup is in place too.
	if err := jd.Define(unitFunc(es, "b", func(context.Context) (shared.ExecutorAddr, error) { return 0x2000, nil }), nil); err != nil {
		t.Fatal(err)
	}
	if err := jd.Define(unitFunc(es, "a", func(ctx context.Context) (shared.ExecutorAddr, error) {
		d, err := es.LookupSymbol(ctx, jd, "b")
		return d.Addr + 1, err
	}), nil); err != nil {
		t.Fatal(err)
	}
	if err := jd.Define(unitFunc(es, "c", func(context.Context) (shared.ExecutorAddr, error) { return 0x3000, nil }), nil); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		inPlace bool
		sym     string
		want    shared.ExecutorAddr
	}{
		{"plain lookup waits for the dispatcher", false, "c", 0},
		{"in place, nested lookup in place too", true, "a", 0x2001},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			if tc.inPlace {
				ctx = orc.WithInPlaceMaterialization(ctx)
			}
			def, err := es.LookupSymbol(ctx, jd, tc.sym)
			if tc.want == 0 {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("lookup of %s = %v, %v; want it to wait for the held dispatcher", tc.sym, def, err)
				}
				if d.queued() != 1 {
					t.Fatalf("%d tasks queued, want 1", d.queued())
				}
				return
			}
			if err != nil || def.Addr != tc.want {
				t.Fatalf("lookup of %s = %v, %v; want %v", tc.sym, def.Addr, err, tc.want)
			}
		})
	}
}

// Several units triggered by one in-place lookup: one runs in place, the
// others go to the dispatcher first, so the one in place may wait for them.
func TestLookupInPlaceWaitsForDispatched(t *testing.T) {
	es := newSession(t, orc.WithDispatcher(orc.NewPoolDispatcher(2)))
	jd := mustJD(t, es, "main")
	for i, n := range []string{"x", "y", "z"} {
		addr := shared.ExecutorAddr(0x100 * (i + 1))
		var others []string
		if n == "x" {
			others = []string{"y", "z"}
		}
		if err := jd.Define(unitFunc(es, n, func(ctx context.Context) (shared.ExecutorAddr, error) {
			// x waits for y and z: whichever runs in place, the others
			// must already be dispatched.
			for _, o := range others {
				if _, err := es.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.NewSymbolLookupSet(es.Intern(o)), orc.SymbolStateResolved); err != nil {
					return 0, err
				}
			}
			return addr, nil
		}), nil); err != nil {
			t.Fatal(err)
		}
	}
	ctx := orc.WithInPlaceMaterialization(ctxT(t))
	m, err := es.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.NewSymbolLookupSet(es.Intern("y"), es.Intern("z"), es.Intern("x")), orc.SymbolStateReady)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 3 || m[es.Intern("x")].Addr != 0x100 {
		t.Fatalf("got %v", m)
	}
}
