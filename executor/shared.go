//go:build cgo

package executor

// This file holds the shared executor (`gorc executor -listen ADDR
// -shared`): one process serving several controllers, each a peer with
// memory of its own, and the symbol directory through which they publish
// dylibs to one another and link against what others published (seed
// 004). docs/SHARING.md describes the model; the states follow seed 001's
// (Resolved, Emitted, Ready) across processes.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

// Bounds of the directory's waits.
const (
	// DefaultSharedTimeout bounds a wait for other controllers' symbols
	// when the controller names no timeout.
	DefaultSharedTimeout = 30 * time.Second
	// MaxSharedTimeout caps any such wait.
	MaxSharedTimeout = 10 * time.Minute
)

// ErrForeignMemory is returned (wrapped) when a controller of a shared
// executor names memory it does not own (another controller's, or none).
var ErrForeignMemory = errors.New("address range is not this controller's memory")

// dylibState is where a published dylib is, seed 001's states across
// processes.
type dylibState int

const (
	stResolved dylibState = iota // addresses assigned (published)
	stEmitted                    // linked and finalized by its publisher
	stReady                      // emitted, and so is every dylib it reaches
	stFailed                     // its publisher failed or left before Ready
)

func (s dylibState) String() string {
	return [...]string{"Resolved", "Emitted", "Ready", "Failed"}[s]
}

// Hub is the state a shared executor's controllers share: their memory
// ownership and the symbol directory. One Hub serves all the connections
// of one listener (ListenerConfig.Shared).
type Hub struct {
	mu      sync.Mutex
	nextID  uint64
	dylibs  map[string]*sharedDylib // published names
	changed chan struct{}           // closed and replaced on every change
	zombies map[*peer]bool          // departed peers whose memory others still use
	peers   map[*peer]bool          // connected peers
	// release unmaps a reservation (Release; a field for tests).
	release func(shared.ExecutorAddrRange) error
	// service calls one of the executor's own services by name (a field
	// for tests): undoing a departed controller's registrations.
	service func(name string, arg []byte) error
	// ownerAdd, ownerDel and finalizeRange (module.go; fields for tests)
	// track the controllers' memory for the atexit family and finalize
	// the handlers registered under DSO handles in a range.
	ownerAdd, ownerDel func(shared.ExecutorAddrRange)
	finalizeRange      func(shared.ExecutorAddrRange) int
	// Logf (may be nil) reports the directory's events: publications,
	// links against them, state changes, memory kept for others, and
	// controllers dropped for not reading their answers.
	Logf func(format string, args ...any)
	// WriteTimeout bounds how long a write to one controller may make no
	// progress (its connection's buffer full: it stopped reading) before
	// that controller is dropped (0: DefaultWriteTimeout). Each
	// connection writes on its own, so until then only that controller's
	// answers wait.
	WriteTimeout time.Duration
}

func (h *Hub) logf(format string, args ...any) {
	if h.Logf != nil {
		h.Logf("executor: "+format, args...)
	}
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{dylibs: map[string]*sharedDylib{}, changed: make(chan struct{}), zombies: map[*peer]bool{}, peers: map[*peer]bool{}, release: Release, service: callService,
		ownerAdd: ownerAdd, ownerDel: ownerDel, finalizeRange: finalizeRange}
}

// callService calls the executor's service name with arg.
func callService(name string, arg []byte) error {
	bootOnce.Do(bootstrap)
	fn := bootSyms[name]
	if fn == 0 {
		return fmt.Errorf("executor: service %s: not available", name)
	}
	_, err := CallWrapper(fn, arg)
	return err
}

// peer is one controller of a shared executor.
type peer struct {
	id   uint64
	addr string // the controller's network address
	res  []shared.ExecutorAddrRange
	tls  []shared.ExecutorAddrRange // TLS initialization images it allocated
	// running counts its calls running code: its memory is not freed
	// under them.
	running int
	pinned  []shared.ExecutorAddrRange // decommits and releases deferred: others run code there
	dylibs  []*sharedDylib             // published by this peer
	// send writes a frame on its connection (nil until it is served):
	// a dying executor tells every controller why.
	send func(wire.Frame) error
	// regs are its registrations through the executor's services still
	// in force (EH frames, GDB objects, module ranges), oldest first, and
	// dsos the module DSO handles it registered handlers under: undone
	// before its memory is freed (undoLocked).
	regs []registration
	dsos []uint64
}

// registration is one registration a controller made through a service
// of the executor: undo (a service) with arg undoes it.
type registration struct {
	undo string
	arg  []byte
}

func (p *peer) String() string { return fmt.Sprintf("controller #%d (%s)", p.id, p.addr) }

type sharedDylib struct {
	name      string
	owner     *peer
	publisher string // the owner and its own label, for messages
	syms      map[string]uint64
	state     dylibState
	deps      []string
	err       error
	users     map[*peer][]string // other peers that resolved its symbols, and which
}

// join registers a new controller.
func (h *Hub) join(addr string) *peer {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextID++
	p := &peer{id: h.nextID, addr: addr}
	h.peers[p] = true
	return p
}

// served records how to write to p's connection.
func (h *Hub) served(p *peer, send func(wire.Frame) error) {
	h.mu.Lock()
	p.send = send
	h.mu.Unlock()
}

// broadcastLocked wakes every waiter. h.mu held.
func (h *Hub) broadcastLocked() {
	close(h.changed)
	h.changed = make(chan struct{})
}

// ---------------------------------------------------------------------
// memory ownership

func inside(r shared.ExecutorAddrRange, addr shared.ExecutorAddr, size uint64) bool {
	end := uint64(addr) + size
	return end >= uint64(addr) && addr >= r.Start && end <= uint64(r.End)
}

func overlaps(a, b shared.ExecutorAddrRange) bool { return a.Start < b.End && b.Start < a.End }

// ownsLocked reports whether [addr, addr+size) lies in one of p's
// reservations.
func (p *peer) ownsLocked(addr shared.ExecutorAddr, size uint64) bool {
	for _, r := range p.res {
		if inside(r, addr, size) {
			return true
		}
	}
	for _, r := range p.tls {
		if inside(r, addr, size) {
			return true
		}
	}
	return false
}

// ownsCode reports whether addr (a lazy trampoline's return address) is
// in memory p reserved: only then did p's controller hand the trampoline
// out, and only p's controller can answer its re-entry.
func (h *Hub) ownsCode(p *peer, addr shared.ExecutorAddr) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return p.ownsLocked(addr, 1)
}

// ownTLS records a TLS initialization image p allocated.
func (h *Hub) ownTLS(p *peer, r shared.ExecutorAddrRange) {
	h.mu.Lock()
	p.tls = append(p.tls, r)
	h.mu.Unlock()
}

// runStart and runEnd bracket a call of p's that runs code.
func (h *Hub) runStart(p *peer) {
	h.mu.Lock()
	p.running++
	h.mu.Unlock()
}

func (h *Hub) runEnd(p *peer) {
	h.mu.Lock()
	p.running--
	var free freed
	if p.running == 0 && h.zombies[p] {
		free = h.sweepLocked()
	}
	h.mu.Unlock()
	h.free(free)
}

// reserved records a reservation p made.
func (h *Hub) reserved(p *peer, r shared.ExecutorAddrRange) {
	h.ownerAdd(r)
	h.mu.Lock()
	p.res = append(p.res, r)
	h.mu.Unlock()
}

// checkOwn fails unless [addr, addr+size) is p's memory; write also
// refuses pinned memory (code other controllers run).
func (h *Hub) checkOwn(p *peer, op string, addr shared.ExecutorAddr, size uint64, write bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !p.ownsLocked(addr, size) {
		return fmt.Errorf("executor: %s [%v, +%#x): %w (shared executor, %v)", op, addr, size, ErrForeignMemory, p)
	}
	if write {
		r := shared.ExecutorAddrRange{Start: addr, End: addr + shared.ExecutorAddr(size)}
		for _, pin := range p.pinned {
			if overlaps(pin, r) {
				return fmt.Errorf("executor: %s [%v, +%#x): the memory holds published code other controllers still link against (freed when they disconnect)", op, addr, size)
			}
		}
	}
	return nil
}

// inUseLocked reports whether memory p frees may hold code other
// controllers run: p published a dylib (not failed) whose symbols another
// controller resolved. Published code reaches more than the pages its
// symbols are on (its GOT, stubs, data, constants), and the executor does
// not know the publisher's layout, so while that holds every decommit and
// release of p's is deferred (r is not consulted).
func (p *peer) inUseLocked(r shared.ExecutorAddrRange) bool {
	for _, d := range p.dylibs {
		if len(d.users) > 0 && d.state != stFailed {
			return true
		}
	}
	return false
}

// decommit answers p's decommit of r: false means it is deferred (r holds
// published code others use; it is pinned instead and freed with p's
// memory).
func (h *Hub) decommit(p *peer, r shared.ExecutorAddrRange) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !p.ownsLocked(r.Start, r.Size()) {
		return false, fmt.Errorf("executor: decommit %v: %w (shared executor, %v)", r, ErrForeignMemory, p)
	}
	if p.inUseLocked(r) {
		p.pinned = append(p.pinned, r)
		return false, nil
	}
	return true, nil
}

// releaseOwn answers p's release of r: true means unmap it now; false,
// that it is pinned and unmapped when the others let go.
func (h *Hub) releaseOwn(p *peer, r shared.ExecutorAddrRange) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	i := -1
	for k, x := range p.res {
		if x == r {
			i = k
		}
	}
	if i < 0 {
		return false, fmt.Errorf("executor: release %v: %w (shared executor, %v)", r, ErrForeignMemory, p)
	}
	if p.inUseLocked(r) {
		p.pinned = append(p.pinned, r)
		return false, nil
	}
	p.res = append(p.res[:i], p.res[i+1:]...)
	return true, nil
}

// checkCall fails unless fn may be called by p: its own memory, a
// published symbol, or one of the executor's services (whose arguments
// checkWrapper looks at).
func (h *Hub) checkCall(p *peer, op string, fn shared.ExecutorAddr) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.callableLocked(p, fn) {
		return nil
	}
	return fmt.Errorf("executor: %s %v: %w and not a published symbol (shared executor, %v)", op, fn, ErrForeignMemory, p)
}

func (h *Hub) callableLocked(p *peer, fn shared.ExecutorAddr) bool {
	if p.ownsLocked(fn, 1) {
		return true
	}
	for _, d := range h.dylibs {
		if d.state == stFailed {
			continue
		}
		for _, a := range d.syms {
			if shared.ExecutorAddr(a) == fn {
				return true
			}
		}
	}
	return false
}

// checkWrapper vets a call-wrapper request of p: a service of the
// executor with its address arguments in p's memory, or a wrapper
// function p may call.
func (h *Hub) checkWrapper(p *peer, fn shared.ExecutorAddr, arg []byte) error {
	bootOnce.Do(bootstrap)
	name := ""
	for n, a := range bootSyms { // (never changed after bootstrap: no copy)
		if a == fn && a != 0 {
			name = n
			break
		}
	}
	if name == "" {
		return h.checkCall(p, "call-wrapper", fn)
	}
	u := func(i int) (uint64, bool) {
		if len(arg) < 8*(i+1) {
			return 0, false
		}
		return binary.LittleEndian.Uint64(arg[8*i:]), true
	}
	rangeArg := func() error {
		a, ok1 := u(0)
		n, ok2 := u(1)
		if !ok1 || !ok2 {
			return fmt.Errorf("executor: %s: short argument", name)
		}
		return h.checkOwn(p, name, shared.ExecutorAddr(a), n, false)
	}
	// ownDSO: a module's DSO handle is an address in its controller's
	// memory; another controller's (or the executor's own) would let p
	// run or drop their destructors and atexit handlers.
	ownDSO := func() error {
		dso, ok := u(0)
		if !ok {
			return fmt.Errorf("executor: %s: short argument", name)
		}
		return h.checkOwn(p, name+" (DSO handle)", shared.ExecutorAddr(dso), 1, false)
	}
	switch name {
	case EchoName, PerfMapName:
		return nil
	case EHFrameRegisterName, EHFrameDeregisterName, LazyNamesName, GDBRegisterName, GDBDeregisterName:
		return rangeArg()
	case ModuleRegisterName, ModuleDeregisterName:
		// (dso, start, end): the handle and [start, end) both p's.
		start, ok1 := u(1)
		end, ok2 := u(2)
		if !ok1 || !ok2 || end < start {
			return fmt.Errorf("executor: %s: bad argument (want dso, start, end)", name)
		}
		if err := ownDSO(); err != nil {
			return err
		}
		return h.checkOwn(p, name, shared.ExecutorAddr(start), end-start, false)
	case ModuleFinalizeName:
		return ownDSO()
	case ModuleInitName:
		// (dso, n, init..., m, fini...): the handle p's, and every
		// function one p may call, as RunInitializersName's.
		if err := ownDSO(); err != nil {
			return err
		}
		return h.checkInitFns(p, name, arg[8:])
	case TLSSetImageName:
		src, ok1 := u(1)
		n, ok2 := u(2)
		if !ok1 || !ok2 {
			return fmt.Errorf("executor: %s: short argument", name)
		}
		return h.checkOwn(p, name, shared.ExecutorAddr(src), n, false)
	case CallName:
		f, ok := u(0)
		if !ok {
			return fmt.Errorf("executor: %s: short argument", name)
		}
		return h.checkCall(p, "call", shared.ExecutorAddr(f))
	case RunInitializersName:
		return h.checkInitFns(p, name, arg)
	}
	return fmt.Errorf("executor: call-wrapper %s: not offered to the controllers of a shared executor", name)
}

// checkInitFns vets an initializer list (n, init..., m, fini...) of
// service name: every function one p may call.
func (h *Hub) checkInitFns(p *peer, name string, arg []byte) error {
	vals := make([]uint64, 0, len(arg)/8)
	for i := 0; 8*i+8 <= len(arg); i++ {
		vals = append(vals, binary.LittleEndian.Uint64(arg[8*i:]))
	}
	if len(vals) == 0 || vals[0] > uint64(len(vals)-1) {
		return fmt.Errorf("executor: %s: bad argument", name)
	}
	n := vals[0]
	fns := append([]uint64{}, vals[1:1+n]...)
	if rest := vals[1+n:]; len(rest) > 0 {
		if rest[0] > uint64(len(rest)-1) {
			return fmt.Errorf("executor: %s: bad argument", name)
		}
		fns = append(fns, rest[1:1+rest[0]]...)
	}
	for _, f := range fns {
		if err := h.checkCall(p, name, shared.ExecutorAddr(f)); err != nil {
			return err
		}
	}
	return nil
}

// checkBatch vets every step of p's batch as its own call would be
// (protect and write: p's memory, not pinned; call-wrapper: checkWrapper),
// and allows only call-wrapper steps that call the executor's own short
// services (quickService): a batch runs on the connection's reader, not
// under runStart and the crash attribution of a call that runs code.
func (h *Hub) checkBatch(p *peer, steps []batchStep) error {
	for i, st := range steps {
		var err error
		switch st.kind {
		case wire.BatchProtect:
			err = h.checkOwn(p, "protect", st.r.Start, st.r.Size(), true)
		case wire.BatchWrite:
			err = h.checkOwn(p, "write", st.addr, uint64(len(st.data)), true)
		case wire.BatchCallWrapper:
			if !quickService(st.addr) {
				err = fmt.Errorf("executor: call-wrapper %v: a shared executor runs only its own short services in a batch", st.addr)
			} else {
				err = h.checkWrapper(p, st.addr, st.data)
			}
		default:
			err = fmt.Errorf("executor: unknown step kind %d", st.kind)
		}
		if err != nil {
			return fmt.Errorf("executor: batch step %d: %w", i, err)
		}
	}
	return nil
}

// ---------------------------------------------------------------------
// the directory

// publish makes name's symbols visible at their addresses (Resolved).
// Every address must lie in p's memory.
func (h *Hub) publish(p *peer, name, label string, syms []string, addrs []uint64) error {
	if name == "" {
		return fmt.Errorf("executor: publish: empty shared name")
	}
	if len(syms) != len(addrs) {
		return fmt.Errorf("executor: publish %q: %d names, %d addresses", name, len(syms), len(addrs))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if d := h.dylibs[name]; d != nil && !(d.state == stFailed && !h.peers[d.owner]) {
		return fmt.Errorf("executor: publish %q: the name is already published by %s", name, d.publisher)
	}
	m := make(map[string]uint64, len(syms))
	for i, s := range syms {
		if !p.ownsLocked(shared.ExecutorAddr(addrs[i]), 0) {
			return fmt.Errorf("executor: publish %q: symbol %s at %#x: %w (%v)", name, s, addrs[i], ErrForeignMemory, p)
		}
		m[s] = addrs[i]
	}
	who := p.String()
	if label != "" {
		who += " " + label
	}
	d := &sharedDylib{name: name, owner: p, publisher: who, syms: m, users: map[*peer][]string{}}
	h.dylibs[name] = d
	h.logf("%s published %q (%d symbols): Resolved", who, name, len(m))
	p.dylibs = append(p.dylibs, d)
	h.broadcastLocked()
	return nil
}

// ownDylibLocked returns p's published dylib name.
func (h *Hub) ownDylibLocked(p *peer, op, name string) (*sharedDylib, error) {
	d := h.dylibs[name]
	if d == nil || d.owner != p {
		return nil, fmt.Errorf("executor: %s %q: not published by this controller (%v)", op, name, p)
	}
	return d, nil
}

// emitted records that name is linked and finalized, and which shared
// dylibs its code links against; readiness is recomputed.
func (h *Hub) emitted(p *peer, name string, deps []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	d, err := h.ownDylibLocked(p, "emitted", name)
	if err != nil {
		return err
	}
	if d.state == stFailed {
		return fmt.Errorf("executor: emitted %q: %w", name, d.err)
	}
	d.state = max(d.state, stEmitted)
	d.deps = deps
	h.updateLocked()
	h.broadcastLocked()
	return nil
}

// failed marks p's dylib name as failed with reason.
func (h *Hub) failed(p *peer, name, reason string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	d, err := h.ownDylibLocked(p, "publish-fail", name)
	if err != nil {
		return err
	}
	h.failLocked(d, fmt.Errorf("its link failed in the publisher: %s", reason))
	h.updateLocked()
	h.broadcastLocked()
	return nil
}

func (h *Hub) failLocked(d *sharedDylib, err error) {
	if d.state == stReady || d.state == stFailed {
		return
	}
	d.state = stFailed
	d.err = fmt.Errorf("shared dylib %q (published by %s) failed before Ready: %w", d.name, d.publisher, err)
	h.logf("%v", d.err)
}

// updateLocked promotes Emitted dylibs whose every reachable dependency
// is Emitted to Ready (a cycle becomes Ready together, as an SCC does in
// one session), and fails those that reach a failed one.
func (h *Hub) updateLocked() {
	for changed := true; changed; {
		changed = false
		for _, d := range h.dylibs {
			if d.state != stEmitted {
				continue
			}
			seen := map[string]bool{d.name: true}
			stack := []*sharedDylib{d}
			ok := true
			var bad *sharedDylib
			for len(stack) > 0 && bad == nil {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				for _, dep := range x.deps {
					if seen[dep] {
						continue
					}
					seen[dep] = true
					y := h.dylibs[dep]
					switch {
					case y == nil || y.state < stEmitted:
						ok = false
					case y.state == stFailed:
						bad = y
					default:
						stack = append(stack, y)
					}
				}
			}
			switch {
			case bad != nil:
				h.failLocked(d, fmt.Errorf("it depends on %w", bad.err))
				changed = true
			case ok:
				d.state = stReady
				changed = true
				h.logf("shared dylib %q (published by %s) is Ready", d.name, d.publisher)
			}
		}
	}
}

// wait blocks until cond (called with h.mu held) returns done or an
// error, the timeout passes or lost is closed. Waiters are woken by
// broadcastLocked, not by polling.
func (h *Hub) wait(timeout time.Duration, lost <-chan struct{}, cond func() (bool, error), what func() string) error {
	if timeout <= 0 {
		timeout = DefaultSharedTimeout
	}
	timeout = min(timeout, MaxSharedTimeout)
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		h.mu.Lock()
		done, err := cond()
		ch := h.changed
		if done || err != nil {
			h.mu.Unlock()
			return err
		}
		h.mu.Unlock()
		select {
		case <-ch:
		case <-t.C:
			h.mu.Lock()
			defer h.mu.Unlock()
			return fmt.Errorf("executor: timed out after %v %s", timeout, what())
		case <-lost:
			return fmt.Errorf("executor: controller connection lost")
		}
	}
}

// lookup waits until every dylib in names is published (at least
// Resolved), then returns the address of each symbol in the first dylib
// that has it (0: in none of them). p becomes a user of the dylibs it
// resolved symbols from, which keeps their memory alive while p is.
func (h *Hub) lookup(p *peer, names, syms []string, timeout time.Duration, lost <-chan struct{}) ([]uint64, error) {
	cond := func() (bool, error) {
		for _, n := range names {
			d := h.dylibs[n]
			if d == nil {
				return false, nil
			}
			if d.state == stFailed {
				return false, symbolsErr(d, syms)
			}
		}
		return true, nil
	}
	what := func() string {
		var missing []string
		for _, n := range names {
			if h.dylibs[n] == nil {
				missing = append(missing, fmt.Sprintf("%q", n))
			}
		}
		return fmt.Sprintf("waiting for shared dylib %s to be published (looking up %s)", strings.Join(missing, ", "), list(syms))
	}
	if err := h.wait(timeout, lost, cond, what); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]uint64, len(syms))
	defer func() {
		n := 0
		for _, a := range out {
			if a != 0 {
				n++
			}
		}
		if n > 0 {
			h.logf("%v resolved %d symbols in %s", p, n, strings.Join(names, ", "))
		}
	}()
	for i, s := range syms {
		for _, n := range names {
			d := h.dylibs[n]
			if d == nil {
				continue
			}
			if a, ok := d.syms[s]; ok {
				out[i] = a
				if d.owner != p {
					d.users[p] = append(d.users[p], s)
				}
				break
			}
		}
	}
	return out, nil
}

// symbolsErr names the symbols a waiter wanted from a failed dylib.
func symbolsErr(d *sharedDylib, want []string) error {
	var hit []string
	for _, s := range want {
		if _, ok := d.syms[s]; ok {
			hit = append(hit, s)
		}
	}
	if len(hit) == 0 {
		return fmt.Errorf("executor: %w", d.err)
	}
	return fmt.Errorf("executor: symbol %s: %w", list(hit), d.err)
}

func list(ss []string) string {
	const most = 8
	if len(ss) > most {
		return strings.Join(ss[:most], ", ") + fmt.Sprintf(" and %d more", len(ss)-most)
	}
	return strings.Join(ss, ", ")
}

// await waits until every dylib in names is Ready.
func (h *Hub) await(p *peer, names []string, timeout time.Duration, lost <-chan struct{}) error {
	cond := func() (bool, error) {
		all := true
		for _, n := range names {
			d := h.dylibs[n]
			if d == nil {
				all = false
				continue
			}
			switch d.state {
			case stFailed:
				return false, symbolsErr(d, d.users[p])
			case stReady:
			default:
				all = false
			}
		}
		return all, nil
	}
	what := func() string {
		var parts []string
		for _, n := range names {
			d := h.dylibs[n]
			switch {
			case d == nil:
				parts = append(parts, fmt.Sprintf("%q (not published)", n))
			case d.state != stReady:
				s := fmt.Sprintf("%q (published by %s, %v", n, d.publisher, d.state)
				if u := d.users[p]; len(u) > 0 {
					s += "; symbols " + list(u)
				}
				parts = append(parts, s+")")
			}
		}
		return "waiting for shared dylibs to be Ready: " + strings.Join(parts, ", ")
	}
	return h.wait(timeout, lost, cond, what)
}

// leave ends p's connection. Its dylibs not yet Ready fail (waiters get
// the error; the name stays failed until someone publishes it again), and
// its memory is released unless other connected controllers link against
// its Ready dylibs: then the memory and those dylibs stay, still
// published, until no connected controller needs them.
func (h *Hub) leave(p *peer) {
	h.mu.Lock()
	delete(h.peers, p)
	for _, d := range p.dylibs {
		h.failLocked(d, fmt.Errorf("the publisher disconnected"))
	}
	h.zombies[p] = true
	h.updateLocked()
	free := h.sweepLocked()
	if h.zombies[p] {
		h.logf("%v left; its memory is kept: other controllers link against its code", p)
	}
	h.broadcastLocked()
	h.mu.Unlock()
	h.free(free)
}

// free undoes the departed controllers' registrations, then unmaps their
// memory. h.mu not held: the services take their own locks, and
// destructors run here.
func (h *Hub) free(f freed) {
	for _, z := range f.peers {
		h.undo(z)
	}
	for _, r := range f.res {
		h.release(r)
	}
}

// freed is what sweepLocked collected.
type freed struct {
	peers []*peer                    // their registrations to undo
	res   []shared.ExecutorAddrRange // then their memory to unmap
}

// sweepLocked collects the departed peers nobody needs, takes their
// dylibs out of the directory and returns them and their reservations to
// unmap (free).
func (h *Hub) sweepLocked() freed {
	var f freed
	for z := range h.collectLocked() {
		if len(z.res) > 0 {
			h.logf("%v's memory released (%d reservations)", z, len(z.res))
		}
		for _, d := range z.dylibs {
			if h.dylibs[d.name] == d && d.state != stFailed {
				delete(h.dylibs, d.name)
			}
		}
		f.peers = append(f.peers, z)
		f.res = append(f.res, z.res...)
	}
	return f
}

// collectLocked removes and returns the departed peers nobody needs any
// more: a departed peer is needed while a connected peer (or a needed
// departed one) uses one of its Ready dylibs — a mark from the connected
// peers along "uses" edges, so a cycle of departed peers is freed too.
func (h *Hub) collectLocked() map[*peer]bool {
	needed := map[*peer]bool{}
	var stack []*peer
	for p := range h.peers {
		needed[p] = true
		stack = append(stack, p)
	}
	for z := range h.zombies {
		if z.running > 0 && !needed[z] {
			needed[z] = true
			stack = append(stack, z)
		}
	}
	// uses[p] lists the owners of dylibs p resolved symbols from.
	uses := map[*peer][]*peer{}
	for z := range h.zombies {
		for _, d := range z.dylibs {
			if d.state == stFailed {
				continue
			}
			for u := range d.users {
				uses[u] = append(uses[u], z)
			}
		}
	}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, o := range uses[x] {
			if !needed[o] {
				needed[o] = true
				stack = append(stack, o)
			}
		}
	}
	gone := map[*peer]bool{}
	for z := range h.zombies {
		if !needed[z] {
			gone[z] = true
			delete(h.zombies, z)
		}
	}
	// Their uses end with them.
	for z := range gone {
		for _, d := range h.allDylibsLocked() {
			delete(d.users, z)
		}
	}
	return gone
}

func (h *Hub) allDylibsLocked() []*sharedDylib {
	var out []*sharedDylib
	for p := range h.peers {
		out = append(out, p.dylibs...)
	}
	for z := range h.zombies {
		out = append(out, z.dylibs...)
	}
	return out
}

// Published describes a dylib in a shared executor's directory (for tests
// and logs).
type Published struct {
	Name, Publisher, State string
	Symbols                []string
	Users                  int
}

// Directory lists the published dylibs, by name.
func (h *Hub) Directory() []Published {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Published
	for _, d := range h.dylibs {
		p := Published{Name: d.name, Publisher: d.publisher, State: d.state.String(), Users: len(d.users)}
		for s := range d.syms {
			p.Symbols = append(p.Symbols, s)
		}
		sort.Strings(p.Symbols)
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// KeptPeers is the number of departed controllers whose memory is kept
// because others still link against their published code.
func (h *Hub) KeptPeers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.zombies)
}

// ---------------------------------------------------------------------
// registrations a controller leaves behind

// noteService records what p's successful call of the executor's service
// at fn with arg registered or deregistered, so that what is still
// registered when p departs is undone before its memory is freed: an EH
// frame left registered over freed memory is read by the next exception
// any controller throws, a module range left registered makes a later
// module-register over the reused memory fail, a handler left under a
// module's DSO handle is called by exit(), and a lazy names block left
// registered is read by a forked child's refusal (and holds one of the
// executor's 4,096 block entries).
func (h *Hub) noteService(p *peer, fn shared.ExecutorAddr, arg []byte) {
	if fn == 0 {
		return
	}
	bootOnce.Do(bootstrap)
	name := ""
	for n, a := range bootSyms {
		if a == fn {
			name = n
			break
		}
	}
	key := func(n int) []byte {
		if len(arg) < 8*n {
			return nil
		}
		return append([]byte(nil), arg[:8*n]...)
	}
	var add, drop *registration
	var dso []byte
	switch name {
	case EHFrameRegisterName:
		add = &registration{EHFrameDeregisterName, key(2)}
	case EHFrameDeregisterName:
		drop = &registration{EHFrameDeregisterName, key(2)}
	case GDBRegisterName:
		add = &registration{GDBDeregisterName, key(2)}
	case GDBDeregisterName:
		drop = &registration{GDBDeregisterName, key(2)}
	case ModuleRegisterName:
		add = &registration{ModuleDeregisterName, key(3)}
		dso = key(1)
	case ModuleDeregisterName:
		drop = &registration{ModuleDeregisterName, key(3)}
	case ModuleInitName:
		dso = key(1)
	case LazyNamesName:
		// (names, size, first, count, stride, forget): a block of
		// trampolines' name slots in p's memory, read by a refused
		// first call in a forked child; undone by the same call with
		// forget set.
		if k := key(6); k != nil {
			forget := binary.LittleEndian.Uint64(k[40:]) != 0
			binary.LittleEndian.PutUint64(k[40:], 1)
			if forget {
				drop = &registration{LazyNamesName, k}
			} else {
				add = &registration{LazyNamesName, k}
			}
		}
	default:
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if add != nil && add.arg != nil {
		p.regs = append(p.regs, *add)
	}
	if drop != nil && drop.arg != nil {
		for i := len(p.regs) - 1; i >= 0; i-- {
			if r := p.regs[i]; r.undo == drop.undo && string(r.arg) == string(drop.arg) {
				p.regs = append(p.regs[:i], p.regs[i+1:]...)
				break
			}
		}
	}
	if dso != nil {
		d := binary.LittleEndian.Uint64(dso)
		for _, x := range p.dsos {
			if x == d {
				return
			}
		}
		p.dsos = append(p.dsos, d)
	}
}

// undo undoes what departed z left registered, before its memory is
// freed (h.mu not held; z is no longer reachable from the hub, so nothing
// else changes its records).
func (h *Hub) undo(z *peer) {
	h.mu.Lock()
	regs, dsos, res := z.regs, z.dsos, z.res
	z.regs, z.dsos = nil, nil
	h.mu.Unlock()
	h.undoIn(z, regs, dsos, res)
}

// releasing undoes what p left registered in r, which p releases now.
func (h *Hub) releasing(p *peer, r shared.ExecutorAddrRange) {
	h.mu.Lock()
	var regs []registration
	var dsos []uint64
	keep := p.regs[:0]
	for _, g := range p.regs {
		if len(g.arg) >= 8 && r.Contains(shared.ExecutorAddr(regAddr(g))) {
			regs = append(regs, g)
		} else {
			keep = append(keep, g)
		}
	}
	p.regs = keep
	keepD := p.dsos[:0]
	for _, d := range p.dsos {
		if r.Contains(shared.ExecutorAddr(d)) {
			dsos = append(dsos, d)
		} else {
			keepD = append(keepD, d)
		}
	}
	p.dsos = keepD
	h.mu.Unlock()
	h.undoIn(p, regs, dsos, []shared.ExecutorAddrRange{r})
}

// regAddr is the address a registration is of: an EH frame's or GDB
// object's start, a module range's start.
func regAddr(g registration) uint64 {
	if g.undo == ModuleDeregisterName && len(g.arg) >= 16 {
		return binary.LittleEndian.Uint64(g.arg[8:])
	}
	return binary.LittleEndian.Uint64(g.arg)
}

// undoIn undoes z's registrations regs and finalizes its modules dsos and
// every DSO handle in res handlers were registered under, before res is
// freed: first the handlers run (C++ static destructors, .fini_array
// entries, atexit handlers, as dlclose runs a library's: the memory is
// still mapped, and exit() would otherwise call them after it is freed),
// modules newest first, then the EH frames, GDB objects and module ranges
// are deregistered, newest first, and res stops being z's for the atexit
// family.
func (h *Hub) undoIn(z *peer, regs []registration, dsos []uint64, res []shared.ExecutorAddrRange) {
	fin := 0
	if len(dsos)+len(res) > 0 {
		func() {
			defer runFor(z)() // (a fault in a destructor names z)
			for i := len(dsos) - 1; i >= 0; i-- {
				if err := h.service(ModuleFinalizeName, le64(dsos[i])); err != nil {
					h.logf("%v: finalizing module %#x: %v", z, dsos[i], err)
				}
			}
			for _, r := range res {
				fin += h.finalizeRange(r)
			}
		}()
	}
	for i := len(regs) - 1; i >= 0; i-- {
		if err := h.service(regs[i].undo, regs[i].arg); err != nil {
			h.logf("%v: %s: %v", z, regs[i].undo, err)
		}
	}
	for _, r := range res {
		h.ownerDel(r)
	}
	if len(regs)+len(dsos)+fin > 0 {
		h.logf("%v: undid %d registrations, finalized %d modules and %d other DSO handles before freeing its memory", z, len(regs), len(dsos), fin)
	}
}

func le64(vs ...uint64) []byte {
	b := make([]byte, 8*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
	return b
}
