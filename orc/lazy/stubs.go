package lazy

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// Stub is one indirect stub: callable code at Addr that jumps to the
// address held in the pointer slot at Pointer.
type Stub struct {
	Addr    shared.ExecutorAddr
	Pointer shared.ExecutorAddr
}

// StubsManager creates indirect stubs in executor memory and repoints
// them (LLVM's IndirectStubsManager). Stubs are named; a manager usually
// serves one JITDylib, so names are unique within it. It is safe for
// concurrent use.
type StubsManager struct {
	arch jitlink.Arch
	mm   jitlink.MemoryManager
	mem  epc.MemoryAccess

	mu     sync.Mutex
	stubs  map[string]Stub
	gen    map[string]uint64 // bumped by Redirect: older call-throughs no longer repoint
	allocs []jitlink.FinalizedAlloc
	seq    int

	// The pool (PoolStubs): stubs linked ahead, not handed out yet.
	poolMu    sync.Mutex
	poolMax   int // 0: no pool, each CreateStubs links its own
	poolChunk int // stubs of the next block
	pool      []Stub
}

// NewStubsManager returns a manager that builds stubs with arch's shapes
// in memory from mm and repoints them through mem (the executor's memory
// access: in-process a direct store, remotely the protocol's write).
func NewStubsManager(arch jitlink.Arch, mm jitlink.MemoryManager, mem epc.MemoryAccess) *StubsManager {
	return &StubsManager{arch: arch, mm: mm, mem: mem, stubs: map[string]Stub{}, gen: map[string]uint64{}}
}

// PoolStubs makes CreateStubs take its stubs from blocks linked ahead of
// need, of up to max stubs each (the first of 64, each next one twice as
// large), and set their pointers with one store each, instead of linking
// an allocation per call: for an executor whose memory writes are
// cheap (in this process), where a link per lazily compiled function's
// few new callees cost more than the stores. It needs an architecture
// whose stubs are made as one block (jitlink.StubBlockArch) and the
// manager's memory access; without them it does nothing.
func (m *StubsManager) PoolStubs(max int) {
	if _, ok := m.arch.(jitlink.StubBlockArch); !ok || m.mem == nil || max <= 0 {
		return
	}
	m.poolMu.Lock()
	m.poolMax, m.poolChunk = max, min(64, max)
	m.poolMu.Unlock()
}

// pooled reports whether stubs come from a pool (PoolStubs).
func (m *StubsManager) pooled() bool {
	m.poolMu.Lock()
	defer m.poolMu.Unlock()
	return m.poolMax > 0
}

// Allocations returns how many allocations the manager's stubs live in.
func (m *StubsManager) Allocations() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.allocs)
}

// CreateStubs creates one stub per name, its pointer initialized to the
// given address, all in one allocation (or taken from the pool,
// PoolStubs). A name that already has a stub is an error.
func (m *StubsManager) CreateStubs(ctx context.Context, inits map[string]shared.ExecutorAddr) (map[string]Stub, error) {
	if len(inits) == 0 {
		return map[string]Stub{}, nil
	}
	names := make([]string, 0, len(inits))
	for n := range inits {
		names = append(names, n)
	}
	sort.Strings(names)
	targets := make([]shared.ExecutorAddr, len(names))
	for i, n := range names {
		targets[i] = inits[n]
	}
	made, err := m.createStubs(ctx, names, targets)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Stub, len(names))
	for i, n := range names {
		out[n] = made[i]
	}
	return out, nil
}

// createStubs is CreateStubs for names given sorted, with their initial
// targets beside them (targets[i] is names[i]'s); it returns the stubs in
// the same order. The lazy reexports make their stubs this way, without
// the maps of CreateStubs' interface (a first call's link makes one or a
// few).
func (m *StubsManager) createStubs(ctx context.Context, names []string, targets []shared.ExecutorAddr) ([]Stub, error) {
	m.mu.Lock()
	for _, n := range names {
		if _, dup := m.stubs[n]; dup {
			m.mu.Unlock()
			return nil, fmt.Errorf("lazy: stub %q already exists", n)
		}
	}
	m.mu.Unlock()
	if taken, ok, err := m.fromPool(ctx, names); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return m.publish(ctx, names, targets, taken)
	}
	m.mu.Lock()
	m.seq++
	gname := fmt.Sprintf("<stubs #%d>", m.seq)
	m.mu.Unlock()

	g := jitlink.NewLinkGraph(gname, m.arch)
	code := g.AddSection("$stubs", shared.ProtRead|shared.ProtExec, jitlink.SectionSynthetic)
	slots := g.AddSection("$stub_pointers", shared.ProtRead|shared.ProtWrite, jitlink.SectionSynthetic)
	// addrs gives stub i's and slot i's addresses once linked.
	var addrs func(i int) Stub
	if ba, ok := m.arch.(jitlink.StubBlockArch); ok {
		// All stubs as one block, all slots as another: a graph of two
		// blocks however many stubs (thousands for a large lazy module).
		stubs, ptrs := ba.AddPointerJumpStubBlock(g, code, slots, targets)
		stubs.Live, ptrs.Live = true, true
		ss, ps := uint64(m.arch.StubSize()), uint64(m.arch.PointerSize())
		addrs = func(i int) Stub {
			return Stub{Addr: stubs.Address().Add(uint64(i) * ss), Pointer: ptrs.Address().Add(uint64(i) * ps)}
		}
	} else {
		type pair struct{ stub, slot *jitlink.Symbol }
		made := make([]pair, len(names))
		for i := range names {
			target := g.AddAbsoluteSymbol("", targets[i], jitlink.LinkageStrong, jitlink.ScopeLocal, false)
			slot := m.arch.AddPointer(g, slots, target, 0)
			stub := m.arch.AddPointerJumpStub(g, code, slot)
			slot.Live, stub.Live = true, true
			made[i] = pair{stub, slot}
		}
		addrs = func(i int) Stub { return Stub{Addr: made[i].stub.Address(), Pointer: made[i].slot.Address()} }
	}
	alloc, err := linkSynthetic(ctx, g, m.mm, nil)
	if err != nil {
		return nil, fmt.Errorf("lazy: creating stubs for %s: %w", describeNames(names), err)
	}
	out := make([]Stub, len(names))
	m.mu.Lock()
	defer m.mu.Unlock()
	m.allocs = append(m.allocs, alloc)
	for i, n := range names {
		s := addrs(i)
		if _, dup := m.stubs[n]; dup {
			// Lost a race with another CreateStubs of the same name: the
			// first one stays; this allocation is wasted but harmless.
			return nil, fmt.Errorf("lazy: stub %q already exists", n)
		}
		m.stubs[n] = s
		out[i] = s
	}
	return out, nil
}

// fromPool takes len(names) stubs from the pool, linking a block when
// it runs short; ok is false when the manager has no pool.
func (m *StubsManager) fromPool(ctx context.Context, names []string) (taken []Stub, ok bool, err error) {
	m.poolMu.Lock()
	defer m.poolMu.Unlock()
	if m.poolMax == 0 {
		return nil, false, nil
	}
	if len(m.pool) < len(names) {
		n := max(m.poolChunk, len(names)-len(m.pool))
		m.poolChunk = min(2*m.poolChunk, m.poolMax)
		block, err := m.linkBlock(ctx, n)
		if err != nil {
			return nil, true, fmt.Errorf("lazy: creating stubs for %s: %w", describeNames(names), err)
		}
		m.pool = append(m.pool, block...)
	}
	taken = m.pool[:len(names):len(names)]
	m.pool = m.pool[len(names):]
	return taken, true, nil
}

// linkBlock links n stubs whose pointers hold 0 (set when each is handed
// out) as one allocation.
func (m *StubsManager) linkBlock(ctx context.Context, n int) ([]Stub, error) {
	m.mu.Lock()
	m.seq++
	gname := fmt.Sprintf("<stub pool #%d>", m.seq)
	m.mu.Unlock()
	g := jitlink.NewLinkGraph(gname, m.arch)
	code := g.AddSection("$stubs", shared.ProtRead|shared.ProtExec, jitlink.SectionSynthetic)
	slots := g.AddSection("$stub_pointers", shared.ProtRead|shared.ProtWrite, jitlink.SectionSynthetic)
	stubs, ptrs := m.arch.(jitlink.StubBlockArch).AddPointerJumpStubBlock(g, code, slots, make([]shared.ExecutorAddr, n))
	stubs.Live, ptrs.Live = true, true
	alloc, err := linkSynthetic(ctx, g, m.mm, nil)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.allocs = append(m.allocs, alloc)
	m.mu.Unlock()
	ss, ps := uint64(m.arch.StubSize()), uint64(m.arch.PointerSize())
	out := make([]Stub, n)
	for i := range out {
		out[i] = Stub{Addr: stubs.Address().Add(uint64(i) * ss), Pointer: ptrs.Address().Add(uint64(i) * ps)}
	}
	return out, nil
}

// publish points the pooled stubs taken at their initial targets and
// records them under names (taken[i] is names[i]'s).
func (m *StubsManager) publish(ctx context.Context, names []string, targets []shared.ExecutorAddr, taken []Stub) ([]Stub, error) {
	if err := m.writePointers(ctx, names, targets, taken); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, n := range names {
		if _, dup := m.stubs[n]; dup {
			// Lost a race with another CreateStubs of the same name: the
			// first one stays; the stubs taken are wasted but harmless.
			return nil, fmt.Errorf("lazy: stub %q already exists", n)
		}
		m.stubs[n] = taken[i]
	}
	return taken, nil
}

// FindStub returns the stub named name.
func (m *StubsManager) FindStub(name string) (Stub, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.stubs[name]
	return s, ok
}

// UpdatePointer makes stub name jump to addr. The pointer is written with
// one aligned pointer-sized store (the executor performs aligned 8-byte
// writes as a single atomic store), so threads calling through the stub
// meanwhile jump to either the old or the new target.
func (m *StubsManager) UpdatePointer(ctx context.Context, name string, addr shared.ExecutorAddr) error {
	s, ok := m.FindStub(name)
	if !ok {
		return fmt.Errorf("lazy: update pointer: no stub named %q", name)
	}
	return m.writePointer(ctx, name, s, addr)
}

// UpdatePointers makes each stub names[i] jump to addrs[i], as one
// batch over a byte stream (UpdatePointer for each otherwise); a name
// without a stub is skipped. A speculative compile points the stubs of
// the functions it compiled at their code, so that their first calls do
// not re-enter the JIT.
func (m *StubsManager) UpdatePointers(ctx context.Context, names []string, addrs []shared.ExecutorAddr) error {
	var ns []string
	var as []shared.ExecutorAddr
	var taken []Stub
	m.mu.Lock()
	for i, n := range names {
		if s, ok := m.stubs[n]; ok {
			ns = append(ns, n)
			as = append(as, addrs[i])
			taken = append(taken, s)
		}
	}
	m.mu.Unlock()
	if len(ns) == 0 {
		return nil
	}
	return m.writePointers(ctx, ns, as, taken)
}

func (m *StubsManager) writePointer(ctx context.Context, name string, s Stub, addr shared.ExecutorAddr) error {
	if ws, ok := m.mem.(epc.WordStorer); ok && m.arch.PointerSize() == 8 {
		// In this process: one atomic store, no cgo call.
		if err := ws.StoreUint64(ctx, s.Pointer, uint64(addr)); err != nil {
			return fmt.Errorf("lazy: update pointer of stub %q at %v: %w", name, s.Pointer, err)
		}
		return nil
	}
	var b []byte
	switch m.arch.PointerSize() {
	case 8:
		b = binary.LittleEndian.AppendUint64(nil, uint64(addr))
	case 4:
		b = binary.LittleEndian.AppendUint32(nil, uint32(addr))
	default:
		return fmt.Errorf("lazy: update pointer of %q: unsupported pointer size %d", name, m.arch.PointerSize())
	}
	var err error
	if ob, ok := m.mem.(epc.OrderedBatcher); ok {
		// Over a byte stream, during a re-entry: sent with its answer
		// (the executor writes it before the caller continues).
		_, err = ob.BatchBeforeNext(ctx, []epc.MemOp{{Kind: epc.MemOpWrite, Addr: s.Pointer, Data: b}})
		if errors.Is(err, epc.ErrBatchUnsupported) {
			err = m.mem.Write(ctx, s.Pointer, b)
		}
	} else {
		err = m.mem.Write(ctx, s.Pointer, b)
	}
	if err != nil {
		return fmt.Errorf("lazy: update pointer of stub %q at %v: %w", name, s.Pointer, err)
	}
	return nil
}

// writePointers sets the pointers of the stubs taken (taken[i] is
// names[i]'s) to their initial targets: over a byte stream as one batch
// (held back for a re-entry's answer during a first call, one exchange
// otherwise), in this process one store each.
func (m *StubsManager) writePointers(ctx context.Context, names []string, targets []shared.ExecutorAddr, taken []Stub) error {
	ob, ok := m.mem.(epc.OrderedBatcher)
	if !ok || len(names) == 1 || m.arch.PointerSize() != 8 {
		for i, n := range names {
			if err := m.writePointer(ctx, n, taken[i], targets[i]); err != nil {
				return err
			}
		}
		return nil
	}
	ops := make([]epc.MemOp, len(names))
	buf := make([]byte, 8*len(names))
	for i := range names {
		b := buf[8*i : 8*i+8 : 8*i+8]
		binary.LittleEndian.PutUint64(b, uint64(targets[i]))
		ops[i] = epc.MemOp{Kind: epc.MemOpWrite, Addr: taken[i].Pointer, Data: b}
	}
	_, err := ob.BatchBeforeNext(ctx, ops)
	if errors.Is(err, epc.ErrBatchUnsupported) {
		for i, n := range names {
			if err := m.mem.Write(ctx, taken[i].Pointer, ops[i].Data); err != nil {
				return fmt.Errorf("lazy: set pointer of stub %q at %v: %w", n, taken[i].Pointer, err)
			}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("lazy: set pointers of stubs %s: %w", describeNames(names), err)
	}
	return nil
}

// generation returns the stub's current generation (see Redirect).
func (m *StubsManager) generation(name string) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gen[name]
}

// bump starts a new generation of stub name and returns it.
func (m *StubsManager) bump(name string) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen[name]++
	return m.gen[name]
}

// updateIfCurrent repoints stub name only while its generation is gen: a
// call-through made before a redirect must not undo it.
func (m *StubsManager) updateIfCurrent(ctx context.Context, name string, gen uint64, addr shared.ExecutorAddr) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gen[name] != gen {
		return nil
	}
	s, ok := m.stubs[name]
	if !ok {
		return fmt.Errorf("lazy: update pointer: no stub named %q", name)
	}
	return m.writePointer(ctx, name, s, addr)
}

// Close releases the memory of every stub. Code must no longer call them.
func (m *StubsManager) Close(ctx context.Context) error {
	m.poolMu.Lock()
	m.pool = nil
	m.poolMu.Unlock()
	m.mu.Lock()
	allocs := m.allocs
	m.allocs, m.stubs = nil, map[string]Stub{}
	m.mu.Unlock()
	if len(allocs) == 0 {
		return nil
	}
	return m.mm.Deallocate(ctx, allocs)
}

// describeNames names up to three of names for messages.
func describeNames(names []string) string {
	if len(names) <= 3 {
		return fmt.Sprintf("%q", names)
	}
	return fmt.Sprintf("%q and %d more", names[:3], len(names)-3)
}

var errClosed = errors.New("lazy: closed")
