//go:build cgo

package objlayer_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/objlayer"
	"github.com/gorc-jit/gorc/shared"
)

// heldDispatcher runs the first task it is given at once and holds every
// later one until hold after the first has finished: the interleaving a
// loaded machine produces when one object's link fails before the
// goroutine of another object's link has run at all.
type heldDispatcher struct {
	hold time.Duration

	mu      sync.Mutex
	started bool
	first   chan struct{} // closed when the first task has finished
	wg      sync.WaitGroup
}

func (d *heldDispatcher) Dispatch(task func()) {
	d.mu.Lock()
	if d.first == nil {
		d.first = make(chan struct{})
	}
	first := !d.started
	d.started = true
	done := d.first
	d.mu.Unlock()
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		if first {
			defer close(done)
		} else {
			<-done
			time.Sleep(d.hold)
		}
		task()
	}()
}

func (d *heldDispatcher) Shutdown(context.Context) error {
	d.wg.Wait()
	return nil
}

// TestUndefinedListsObjectsNotYetStarted: b.o's link fails (an undefined
// name) before a.o's link has started; the lookup that asked for both
// fails at once. Quiesce must still wait for a.o's link, which has been
// handed to the dispatcher, so that Undefined names a.o's missing symbol
// too (session 25: TestRunUndefinedSymbolsNothingRuns named only b.o's
// once in five CI runs).
//
// a.o also uses lib_value, which a library dylib later in the link order
// defines: a.o's lookup in the main dylib fails (helper failed with b.o),
// and the names left are then looked for in the rest of the order, so
// lib_value is not reported.
func TestUndefinedListsObjectsNotYetStarted(t *testing.T) {
	dir := t.TempDir()
	a := compile(t, dir, "a", `int missing_in_a(void); int helper(void); extern int lib_value;
int in_a(void) { return missing_in_a() + helper() + lib_value; }`)
	b := compile(t, dir, "b", `extern int missing_data_in_b; int helper(void) { return missing_data_in_b; }`)
	v := newEnvWith(t, &heldDispatcher{hold: 200 * time.Millisecond})
	lib, err := v.es.CreateJITDylib("lib")
	if err != nil {
		t.Fatal(err)
	}
	var libValue int32 = 7
	if err := lib.Define(orc.AbsoluteSymbols(orc.SymbolMap{v.es.Intern("lib_value"): {Addr: shared.ExecutorAddr(uintptr(unsafe.Pointer(&libValue))), Flags: orc.Exported}}), nil); err != nil {
		t.Fatal(err)
	}
	if err := v.jd.AddToLinkOrder(lib, orc.MatchAllSymbols); err != nil {
		t.Fatal(err)
	}
	if _, err := v.l.Add(v.jd, nil, "a.o", a); err != nil {
		t.Fatal(err)
	}
	if _, err := v.l.Add(v.jd, nil, "b.o", b); err != nil {
		t.Fatal(err)
	}
	// b.o's unit is dispatched first (the set's order), so it is the
	// one that runs at once.
	set := orc.NewSymbolLookupSet(v.es.Intern("helper"), v.es.Intern("in_a"))
	if _, err := v.es.Lookup(context.Background(), orc.SearchOrder(orc.MatchAllSymbols, v.jd), set, orc.SymbolStateReady); err == nil {
		t.Fatal("lookup succeeded with undefined symbols")
	}
	v.l.Quiesce()
	var ue *objlayer.UndefinedError
	if u := v.l.Undefined(); !errors.As(u, &ue) {
		t.Fatalf("Undefined() = %v, want *UndefinedError", u)
	}
	want := []objlayer.Undefined{{Name: "missing_data_in_b", By: "b.o"}, {Name: "missing_in_a", By: "a.o"}}
	if len(ue.Syms) != len(want) || ue.Syms[0] != want[0] || ue.Syms[1] != want[1] {
		t.Errorf("Undefined() = %v, want %v", ue.Syms, want)
	}
}
