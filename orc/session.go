package orc

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
)

// ExecutionSession is the JIT'd program: its symbol pool, its JITDylibs,
// the dispatcher that runs materializations and the resource managers that
// free what removed definitions used. It is safe for concurrent use.
type ExecutionSession struct {
	pool       *SymbolStringPool
	dispatcher Dispatcher
	reportErr  func(error)

	ctx    context.Context // passed to materializers; cancelled by EndSession
	cancel context.CancelFunc
	// inPlaceCtx is ctx under WithInPlaceMaterialization, made once: a
	// lazy first call runs two or three materializations in place.
	inPlaceCtx context.Context
	tasks      taskCounter // outstanding dispatched materializations

	mu       sync.Mutex // the session lock: guards everything below and all dylib state
	ended    bool
	jds      []*JITDylib
	byName   map[string]*JITDylib
	managers []ResourceManager
	nextKey  ResourceKey
	epoch    uint64 // for graph searches
}

// Option configures an ExecutionSession.
type Option func(*ExecutionSession)

// WithDispatcher sets the dispatcher (default: InPlaceDispatcher). The
// session owns it: EndSession shuts it down.
func WithDispatcher(d Dispatcher) Option {
	return func(es *ExecutionSession) { es.dispatcher = d }
}

// WithErrorReporter sets the function that receives errors with no other
// destination (for example a materializer that panicked). The default
// discards them.
func WithErrorReporter(f func(error)) Option {
	return func(es *ExecutionSession) { es.reportErr = f }
}

// WithSymbolStringPool makes the session intern names in p (to share names
// between sessions).
func WithSymbolStringPool(p *SymbolStringPool) Option {
	return func(es *ExecutionSession) { es.pool = p }
}

// NewExecutionSession returns a session configured by opts.
func NewExecutionSession(opts ...Option) *ExecutionSession {
	es := &ExecutionSession{byName: make(map[string]*JITDylib)}
	for _, o := range opts {
		o(es)
	}
	if es.pool == nil {
		es.pool = NewSymbolStringPool()
	}
	if es.dispatcher == nil {
		es.dispatcher = InPlaceDispatcher{}
	}
	if es.reportErr == nil {
		es.reportErr = func(error) {}
	}
	es.ctx, es.cancel = context.WithCancel(context.Background())
	es.inPlaceCtx = WithInPlaceMaterialization(es.ctx)
	return es
}

// SymbolStringPool returns the session's name pool.
func (es *ExecutionSession) SymbolStringPool() *SymbolStringPool { return es.pool }

// Intern returns the interned SymbolName for name.
func (es *ExecutionSession) Intern(name string) SymbolName { return es.pool.Intern(name) }

// InternAll interns names into out (of the same length) at once
// (SymbolStringPool.InternAll).
func (es *ExecutionSession) InternAll(names []string, out []SymbolName) {
	es.pool.InternAll(names, out)
}

// ReportError passes err to the session's error reporter.
func (es *ExecutionSession) ReportError(err error) {
	if err != nil {
		es.reportErr(err)
	}
}

// Dispatcher returns the session's dispatcher.
func (es *ExecutionSession) Dispatcher() Dispatcher { return es.dispatcher }

// CreateJITDylib creates an empty JITDylib whose link order is itself
// (MatchAllSymbols). Names must be unique within the session.
func (es *ExecutionSession) CreateJITDylib(name string) (*JITDylib, error) {
	es.mu.Lock()
	defer es.mu.Unlock()
	if es.ended {
		return nil, fmt.Errorf("create JITDylib %q: %w", name, ErrSessionEnded)
	}
	if _, ok := es.byName[name]; ok {
		return nil, fmt.Errorf("create JITDylib %q: a JITDylib with that name already exists", name)
	}
	jd := &JITDylib{
		es:       es,
		name:     name,
		symbols:  make(map[SymbolName]*symbolEntry),
		trackers: make(map[*ResourceTracker]struct{}),
		mrs:      make(map[*MaterializationResponsibility]struct{}),
	}
	jd.linkOrder = JITDylibSearchOrder{{JD: jd, Flags: MatchAllSymbols}}
	jd.defaultRT = es.newTrackerLocked(jd)
	es.jds = append(es.jds, jd)
	es.byName[name] = jd
	return jd, nil
}

// GetJITDylibByName returns the dylib called name, or nil.
func (es *ExecutionSession) GetJITDylibByName(name string) *JITDylib {
	es.mu.Lock()
	defer es.mu.Unlock()
	return es.byName[name]
}

// JITDylibs returns the session's dylibs in creation order.
func (es *ExecutionSession) JITDylibs() []*JITDylib {
	es.mu.Lock()
	defer es.mu.Unlock()
	return append([]*JITDylib(nil), es.jds...)
}

// RegisterResourceManager adds rm; it is told about tracker removals and
// transfers. Managers are notified in reverse registration order.
func (es *ExecutionSession) RegisterResourceManager(rm ResourceManager) {
	es.mu.Lock()
	defer es.mu.Unlock()
	es.managers = append(es.managers, rm)
}

// DeregisterResourceManager removes rm.
func (es *ExecutionSession) DeregisterResourceManager(rm ResourceManager) {
	es.mu.Lock()
	defer es.mu.Unlock()
	for i, m := range es.managers {
		if m == rm {
			es.managers = append(es.managers[:i:i], es.managers[i+1:]...)
			return
		}
	}
}

// RemoveJITDylib removes jd and everything defined in it: pending lookups
// of its symbols fail, running materializations become defunct (their
// later calls return errors), and resource managers free each tracker's
// resources. Other dylibs' link orders that name jd make their lookups
// fail.
func (es *ExecutionSession) RemoveJITDylib(ctx context.Context, jd *JITDylib) error {
	if jd == nil || jd.es != es {
		return errors.New("remove JITDylib: dylib does not belong to this session")
	}
	var acts actions
	es.mu.Lock()
	if jd.removed {
		es.mu.Unlock()
		return fmt.Errorf("remove JITDylib %q: %w", jd.name, ErrJITDylibRemoved)
	}
	keys := es.removeJITDylibLocked(jd, &acts)
	managers := append([]ResourceManager(nil), es.managers...)
	es.mu.Unlock()
	acts.run()
	return es.notifyRemoved(ctx, jd, keys, managers)
}

func (es *ExecutionSession) removeJITDylibLocked(jd *JITDylib, acts *actions) []ResourceKey {
	jd.removed = true
	var keys []ResourceKey
	for rt := range jd.trackers {
		keys = append(keys, rt.key)
	}
	es.removeTrackersLocked(jd, nil, acts) // all of them
	jd.linkOrder = nil
	jd.generators = nil
	delete(es.byName, jd.name)
	for i, d := range es.jds {
		if d == jd {
			es.jds = append(es.jds[:i:i], es.jds[i+1:]...)
			break
		}
	}
	return keys
}

func (es *ExecutionSession) notifyRemoved(ctx context.Context, jd *JITDylib, keys []ResourceKey, managers []ResourceManager) error {
	var errs []error
	for _, k := range keys {
		for i := len(managers) - 1; i >= 0; i-- {
			if err := managers[i].HandleRemoveResources(ctx, jd, k); err != nil {
				errs = append(errs, fmt.Errorf("JITDylib %q: removing resources of tracker %d: %w", jd.name, k, err))
			}
		}
	}
	return errors.Join(errs...)
}

// EndSession removes every JITDylib (failing pending lookups, freeing
// resources), then waits until outstanding materializations finish or ctx
// is done. Afterwards the session refuses new work with ErrSessionEnded.
func (es *ExecutionSession) EndSession(ctx context.Context) error {
	var acts actions
	es.mu.Lock()
	if es.ended {
		es.mu.Unlock()
		return nil
	}
	es.ended = true
	type removed struct {
		jd   *JITDylib
		keys []ResourceKey
	}
	var rs []removed
	for i := len(es.jds) - 1; i >= 0; i-- {
		jd := es.jds[i]
		rs = append(rs, removed{jd, es.removeJITDylibLocked(jd, &acts)})
	}
	managers := append([]ResourceManager(nil), es.managers...)
	es.mu.Unlock()
	acts.run()
	es.cancel()
	var errs []error
	for _, r := range rs {
		if err := es.notifyRemoved(ctx, r.jd, r.keys, managers); err != nil {
			errs = append(errs, err)
		}
	}
	if err := es.tasks.wait(ctx); err != nil {
		errs = append(errs, fmt.Errorf("end session: waiting for materializations: %w", err))
	}
	if err := es.dispatcher.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("end session: dispatcher shutdown: %w", err))
	}
	return errors.Join(errs...)
}

// actions collects callbacks found under the session lock, to be run after
// it is released.
type actions struct {
	fns []func()
	mat []materialization
}

func (a *actions) add(f func()) { a.fns = append(a.fns, f) }

func (a *actions) run() {
	for _, f := range a.fns {
		f()
	}
	a.fns = nil
}

type materialization struct {
	mu MaterializationUnit
	mr *MaterializationResponsibility
}

// inlineMaterializer is implemented by units whose Materialize is cheap and
// never blocks (absolute symbols, reexports): they run on the goroutine
// that triggers them instead of going through the dispatcher.
type inlineMaterializer interface {
	materializesInline()
}

// QueueObserver is implemented by units that must know when the session
// has committed to materializing them, before Materialize runs. Queued is
// called once, on the goroutine that triggered the materialization (a
// lookup, before that lookup can return), just before the unit is handed
// to the dispatcher or run in place; Materialize follows, possibly much
// later and on another goroutine. A layer counting its links in flight
// counts from Queued, so that a failed lookup can wait for every link it
// started, including those whose goroutine has not run yet.
type QueueObserver interface {
	Queued()
}

func noteQueued(m materialization) {
	if q, ok := m.mu.(QueueObserver); ok {
		q.Queued()
	}
}

func (es *ExecutionSession) dispatchAll(mats []materialization) {
	for _, m := range mats {
		noteQueued(m)
		if _, ok := m.mu.(inlineMaterializer); ok {
			es.runMaterialize(m)
			continue
		}
		es.tasks.add()
		es.dispatcher.Dispatch(func() {
			defer es.tasks.done()
			es.runMaterialize(m)
		})
	}
}

type inPlaceKey struct{}

// WithInPlaceMaterialization returns a context under which a synchronous
// Lookup that has to wait runs one of the materializations it triggers
// on its own goroutine (the others still go to the dispatcher), and so do
// the lookups that materialization makes. The caller would only wait
// otherwise; running the work itself saves handing it to a dispatcher
// goroutine and waking the caller again, which is most of a lazy first
// call's latency on a loaded machine. Use it only where the caller can
// afford to run a materialization (its stack, its locks): lazy
// call-through re-entries do.
func WithInPlaceMaterialization(ctx context.Context) context.Context {
	if ctx == context.Background() {
		return inPlaceBackground // (made once: every lazy re-entry asks)
	}
	return context.WithValue(ctx, inPlaceKey{}, true)
}

var inPlaceBackground = context.WithValue(context.Background(), inPlaceKey{}, true)

func inPlaceRequested(ctx context.Context) bool {
	v, _ := ctx.Value(inPlaceKey{}).(bool)
	return v
}

// dispatchAllButOne dispatches mats except the last one that is not
// inline, which it returns (ok false: none) for the caller to run with
// runInPlace. The one kept is started last, so that whatever it waits for
// among the others is already dispatched.
func (es *ExecutionSession) dispatchAllButOne(mats []materialization) (materialization, bool) {
	keep := -1
	for i := len(mats) - 1; i >= 0; i-- {
		if _, ok := mats[i].mu.(inlineMaterializer); !ok {
			keep = i
			break
		}
	}
	if keep < 0 {
		es.dispatchAll(mats)
		return materialization{}, false
	}
	m := mats[keep]
	es.dispatchAll(mats[:keep])
	es.dispatchAll(mats[keep+1:])
	return m, true
}

// runInPlace runs m on this goroutine, counted as an outstanding task;
// its own lookups are in place too.
func (es *ExecutionSession) runInPlace(m materialization) {
	noteQueued(m)
	es.tasks.add()
	defer es.tasks.done()
	es.runMaterializeCtx(m, true)
}

func (es *ExecutionSession) runMaterialize(m materialization) {
	es.runMaterializeCtx(m, false)
}

func (es *ExecutionSession) runMaterializeCtx(m materialization, inPlace bool) {
	defer func() {
		if r := recover(); r != nil {
			err := fmt.Errorf("unit %q panicked while materializing: %v\n%s", m.mr.unit, r, debug.Stack())
			// Report first: failing wakes the lookups, which may then
			// check that the panic was reported.
			es.ReportError(err)
			m.mr.FailMaterialization(err)
		}
	}()
	ctx := es.ctx
	if inPlace {
		ctx = es.inPlaceCtx
	} else if bn, ok := es.dispatcher.(blockingNotifier); ok {
		if _, inline := m.mu.(inlineMaterializer); !inline {
			ctx = context.WithValue(ctx, workerKey{}, bn)
		}
	}
	m.mu.Materialize(ctx, m.mr)
}

// taskCounter counts outstanding tasks; unlike sync.WaitGroup it allows
// adding while someone waits.
type taskCounter struct {
	mu   sync.Mutex
	n    int
	idle chan struct{}
}

func (c *taskCounter) add() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *taskCounter) done() {
	c.mu.Lock()
	c.n--
	if c.n == 0 && c.idle != nil {
		close(c.idle)
		c.idle = nil
	}
	c.mu.Unlock()
}

func (c *taskCounter) wait(ctx context.Context) error {
	c.mu.Lock()
	if c.n == 0 {
		c.mu.Unlock()
		return nil
	}
	if c.idle == nil {
		c.idle = make(chan struct{})
	}
	idle := c.idle
	c.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
