package orc_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

func newSession(t testing.TB, opts ...orc.Option) *orc.ExecutionSession {
	t.Helper()
	es := orc.NewExecutionSession(opts...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := es.EndSession(ctx); err != nil {
			t.Errorf("EndSession: %v", err)
		}
	})
	return es
}

func mustJD(t testing.TB, es *orc.ExecutionSession, name string) *orc.JITDylib {
	t.Helper()
	jd, err := es.CreateJITDylib(name)
	if err != nil {
		t.Fatal(err)
	}
	return jd
}

func abs(es *orc.ExecutionSession, kv ...any) orc.MaterializationUnit {
	m := orc.SymbolMap{}
	for i := 0; i < len(kv); i += 2 {
		m[es.Intern(kv[i].(string))] = orc.ExecutorSymbolDef{Addr: shared.ExecutorAddr(kv[i+1].(int)), Flags: orc.Exported | orc.Callable}
	}
	return orc.AbsoluteSymbols(m)
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// ctlUnit hands its responsibility to the test, which drives it.
type ctlUnit struct {
	name  string
	syms  orc.SymbolFlagsMap
	mrs   chan *orc.MaterializationResponsibility
	count atomic.Int32

	mu        sync.Mutex
	discarded []string
}

func newCtl(es *orc.ExecutionSession, name string, flags orc.JITSymbolFlags, names ...string) *ctlUnit {
	u := &ctlUnit{name: name, syms: orc.SymbolFlagsMap{}, mrs: make(chan *orc.MaterializationResponsibility, 4)}
	for _, n := range names {
		u.syms[es.Intern(n)] = flags
	}
	return u
}

func (u *ctlUnit) Name() string                { return u.name }
func (u *ctlUnit) Symbols() orc.SymbolFlagsMap { return u.syms }
func (u *ctlUnit) InitSymbol() orc.SymbolName  { return orc.SymbolName{} }
func (u *ctlUnit) Materialize(_ context.Context, r *orc.MaterializationResponsibility) {
	u.count.Add(1)
	u.mrs <- r
}
func (u *ctlUnit) Discard(_ *orc.JITDylib, n orc.SymbolName) {
	u.mu.Lock()
	u.discarded = append(u.discarded, n.String())
	u.mu.Unlock()
}

func (u *ctlUnit) discards() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.discarded...)
}

func (u *ctlUnit) take(t testing.TB) *orc.MaterializationResponsibility {
	t.Helper()
	select {
	case r := <-u.mrs:
		return r
	case <-time.After(10 * time.Second):
		t.Fatalf("unit %s was never materialized", u.name)
		return nil
	}
}

// resolveAll resolves every owned symbol at base, base+16, ... in name order.
func resolveAll(t testing.TB, r *orc.MaterializationResponsibility, addrs map[string]int) {
	t.Helper()
	m := orc.SymbolMap{}
	for n, f := range r.Symbols() {
		m[n] = orc.ExecutorSymbolDef{Addr: shared.ExecutorAddr(addrs[n.String()]), Flags: f}
	}
	if err := r.NotifyResolved(m); err != nil {
		t.Fatal(err)
	}
}

type asyncResult struct {
	m   orc.SymbolMap
	err error
}

func lookupAsync(es *orc.ExecutionSession, order orc.JITDylibSearchOrder, required orc.SymbolState, names ...string) chan asyncResult {
	ch := make(chan asyncResult, 1)
	var set orc.SymbolLookupSet
	for _, n := range names {
		set = set.Add(es.Intern(n), orc.RequiredSymbol)
	}
	es.LookupAsync(context.Background(), orc.LookupKindStatic, order, set, required, func(m orc.SymbolMap, err error) {
		ch <- asyncResult{m, err}
	}, nil)
	return ch
}

func pending(ch chan asyncResult) bool {
	select {
	case r := <-ch:
		ch <- r
		return false
	default:
		return true
	}
}

func wait(t testing.TB, ch chan asyncResult) asyncResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("lookup did not complete")
		return asyncResult{}
	}
}

func stateOf(jd *orc.JITDylib, name string) string {
	for _, s := range jd.Symbols() {
		if s.Name.String() == name {
			if s.Failed {
				return "FAILED"
			}
			return s.State.String()
		}
	}
	return "absent"
}
