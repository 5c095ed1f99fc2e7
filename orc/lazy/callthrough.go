package lazy

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// NotifyLandingFunc is told where a call-through's body was found, before
// the caller lands there (typically it repoints a stub).
type NotifyLandingFunc func(ctx context.Context, body shared.ExecutorAddr) error

// CallThroughManager answers trampoline hits with session lookups (LLVM's
// LazyCallThroughManager). Install its HandleReentry as the executor's
// re-entry handler (epc.Reentry.SetReentryHandler). It is safe for
// concurrent use: each re-entry blocks only its own thread, and
// concurrent first calls of one function share one materialization
// because the session coalesces lookups of a symbol being materialized.
type CallThroughManager struct {
	es   *orc.ExecutionSession
	pool *TrampolinePool

	mu    sync.RWMutex
	sites map[shared.ExecutorAddr]*callSite // by trampoline return address

	reentries atomic.Int64
}

type callSite struct {
	jd     *orc.JITDylib
	name   orc.SymbolName
	what   string // the function as its callers know it, for messages
	notify NotifyLandingFunc
}

// NewCallThroughManager returns a manager that takes trampolines from pool
// and looks bodies up in es.
func NewCallThroughManager(es *orc.ExecutionSession, pool *TrampolinePool) *CallThroughManager {
	return &CallThroughManager{es: es, pool: pool, sites: map[shared.ExecutorAddr]*callSite{}}
}

// CallThrough is one call-through request: on first entry, look up Name
// in JD (all symbols visible) and call Notify with its address.
type CallThrough struct {
	JD     *orc.JITDylib
	Name   orc.SymbolName
	Notify NotifyLandingFunc
	// What names the function in errors (e.g. the stub's name); default
	// "NAME (in JITDylib JD)".
	What string
}

// GetCallThroughTrampolines returns one trampoline per request, in order.
func (m *CallThroughManager) GetCallThroughTrampolines(ctx context.Context, reqs []CallThrough) ([]shared.ExecutorAddr, error) {
	tr, err := m.pool.Get(ctx, len(reqs))
	if err != nil {
		return nil, err
	}
	off := m.pool.ReturnOffset()
	names := make([]string, len(reqs))
	m.mu.Lock()
	for i, r := range reqs {
		what := r.What
		names[i] = what
		if what == "" {
			what = fmt.Sprintf("%s (in JITDylib %s)", r.Name, r.JD.Name())
			names[i] = r.Name.String()
		}
		m.sites[tr[i].Add(off)] = &callSite{jd: r.JD, name: r.Name, what: what, notify: r.Notify}
	}
	m.mu.Unlock()
	// The names for a process the program forks (it cannot ask us):
	// written before the stubs that lead to these trampolines.
	if err := m.pool.WriteNames(ctx, tr, names); err != nil {
		return nil, fmt.Errorf("lazy: naming trampolines: %w", err)
	}
	return tr, nil
}

// Reentries returns how many re-entries the manager has answered (or
// failed to).
func (m *CallThroughManager) Reentries() int64 { return m.reentries.Load() }

// HandleReentry resolves a trampoline hit, given the return address the
// re-entry point saw: it looks the body up (materializing it, waiting for
// Ready), calls the site's notify function and returns the body's
// address. The error names the function and why it could not be reached.
func (m *CallThroughManager) HandleReentry(ret shared.ExecutorAddr) (shared.ExecutorAddr, error) {
	m.reentries.Add(1)
	m.mu.RLock()
	s := m.sites[ret]
	m.mu.RUnlock()
	if s == nil {
		return 0, fmt.Errorf("lazy: re-entry from %v: %w", ret, shared.ErrNotMyTrampoline)
	}
	// The re-entering thread only waits for the body: let it compile and
	// link the body itself rather than hand that to a dispatcher
	// goroutine and be woken again (most of a first call's latency).
	ctx := orc.WithInPlaceMaterialization(context.Background())
	res, err := m.es.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, s.jd), orc.NewSymbolLookupSet(s.name), orc.SymbolStateReady)
	if err != nil {
		return 0, fmt.Errorf("lazy call of %s: %w", s.what, err)
	}
	def, ok := res[s.name]
	if !ok || def.Addr == 0 {
		return 0, fmt.Errorf("lazy call of %s: resolved to address 0", s.what)
	}
	if s.notify != nil {
		if err := s.notify(ctx, def.Addr); err != nil {
			return 0, fmt.Errorf("lazy call of %s: %w", s.what, err)
		}
	}
	return def.Addr, nil
}
