package jit

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/orc/objlayer"
	"github.com/gorc-jit/gorc/shared"
)

// Location names a JIT'd code address: the function (symbol) that
// contains it, the offset from the symbol's start, and the object it
// came from.
type Location struct {
	Symbol string // empty when the code has no symbol (then Section is set)
	// Section is the code's section when no symbol covers the address.
	Section string
	Offset  uint64
	Object  string
}

func (l Location) String() string {
	name := l.Symbol
	if name == "" {
		name = l.Section
	}
	return fmt.Sprintf("%s+%#x (%s)", name, l.Offset, l.Object)
}

// codeBlock is one executable block of a linked graph.
type codeBlock struct {
	start, end shared.ExecutorAddr
	section    string
	object     string
	syms       []codeSym       // sorted by address
	key        orc.ResourceKey // the tracker it was linked under
}

type codeSym struct {
	name       string
	addr, size uint64
}

// symtab records where every JIT'd code block and function lies (a
// layer plugin), so a crash address can be named. Recording is an append
// (linking stays cheap); a lookup scans, and the latest block wins where
// freed memory was reused by a later graph.
type symtab struct {
	mu     sync.Mutex
	blocks []codeBlock // in the order they were emitted
	// perKey counts the blocks of each live tracker. A removed tracker's
	// blocks stay in blocks as dead entries (their key is no longer in
	// perKey; lookups skip them) until they are half of blocks: removing
	// thousands of trackers (the end of a lazy session, one per compiled
	// function) is then linear, not quadratic.
	perKey map[orc.ResourceKey]int
	dead   int
	// building counts the graphs whose blocks are being recorded by a
	// goroutine NotifyEmitted started; built is signalled when it falls
	// to 0. Every reader and changer of blocks waits for it (wait).
	building int
	built    sync.Cond

	// lazy holds the code tables of replayed images (LoadImage), still
	// encoded: decoded into blocks by the first reader (wait), so that a
	// replay that never names an address (almost every run) never
	// decodes the thousands of names.
	lazy []lazyCode

	// pending holds the small graphs (a lazily compiled function's)
	// whose blocks are not recorded yet: they are recorded in batches by
	// a goroutine, off the first call's path. Every reader and changer of
	// blocks flushes it first (settle).
	pendingOnce sync.Once
	pending     *objlayer.Backlog[emitted]
}

// emitted is a graph waiting in symtab.pending, and its tracker.
type emitted struct {
	g   *jitlink.LinkGraph
	key orc.ResourceKey
}

// symBatch is how many small graphs symtab queues before a goroutine
// records them.
const symBatch = 32

func (t *symtab) backlog() *objlayer.Backlog[emitted] {
	t.pendingOnce.Do(func() {
		t.pending = objlayer.NewBacklog(symBatch, func(es []emitted) {
			for _, e := range es {
				t.record(e.g, e.key, false)
			}
		})
	})
	return t.pending
}

// settle records the queued graphs. t.mu must not be held.
func (t *symtab) settle() {
	t.backlog().Flush()
}

// wait waits (t.mu held) until no graph's blocks are being recorded,
// then decodes the replayed images' code tables (lazy).
func (t *symtab) wait() {
	for t.building > 0 {
		if t.built.L == nil {
			t.built.L = &t.mu
		}
		t.built.Wait()
	}
	if len(t.lazy) > 0 {
		t.decodeLazy()
	}
}

// lazyCode is a replayed image's code table, still encoded, and where its
// blocks go.
type lazyCode struct {
	raw        string // the image's code table (decodeCode), or:
	fd         int    // a descriptor of the file it lies in (-1: none)
	off        int64  // its offset there
	len        int    // its length there
	base, size uint64 // the image's span in this run
	at         int    // its blocks' index in blocks (emission order)
	n          int    // the blocks it counts in perKey[0]
}

// load returns the code table, reading it from the file (and closing
// the descriptor) when it is there.
func (l *lazyCode) load() (string, error) {
	if l.fd < 0 {
		return l.raw, nil
	}
	defer l.close()
	buf := make([]byte, l.len)
	for done := 0; done < len(buf); {
		n, err := syscall.Pread(l.fd, buf[done:], l.off+int64(done))
		if n <= 0 {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		done += n
	}
	return unsafe.String(unsafe.SliceData(buf), len(buf)), nil // buf is not written again
}

// loadLazyFiles reads the code tables still in their files into memory
// and closes the files (a cache entry's lease is being broken).
func (t *symtab) loadLazyFiles() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range t.lazy {
		l := &t.lazy[i]
		if l.fd < 0 {
			continue
		}
		raw, err := l.load()
		if err != nil {
			raw = "" // decodes to nothing: the table names no address
		}
		l.raw = raw
	}
}

// close closes the descriptor, if any.
func (l *lazyCode) close() {
	if l.fd >= 0 {
		syscall.Close(l.fd)
		l.fd = -1
	}
}

// dropLazy forgets the pending code tables (the JIT is closing: their
// code is going), closing their files.
func (t *symtab) dropLazy() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range t.lazy {
		t.lazy[i].close()
		if t.perKey[0] -= t.lazy[i].n; t.perKey[0] <= 0 {
			delete(t.perKey, 0)
		}
	}
	t.lazy = nil
}

// decodeLazy decodes the pending code tables into blocks (t.mu held),
// each at its place in emission order. A table that does not decode
// (a damaged image that passed the entry's checksum) names nothing: its
// count is taken back from perKey.
func (t *symtab) decodeLazy() {
	lazy := t.lazy
	t.lazy = nil
	shift := 0
	for _, l := range lazy {
		raw, err := l.load()
		var code []imageCode
		if err == nil {
			code, err = decodeCode(raw, l.size)
		}
		if err != nil || len(code) != l.n {
			if t.perKey[0] -= l.n; t.perKey[0] <= 0 {
				delete(t.perKey, 0)
			}
			continue
		}
		nsyms := 0
		for _, c := range code {
			nsyms += len(c.Syms)
		}
		pool := make([]codeSym, 0, nsyms) // every block's symbols: one allocation
		cbs := make([]codeBlock, 0, len(code))
		for _, c := range code {
			cb := codeBlock{start: shared.ExecutorAddr(l.base + c.Start), end: shared.ExecutorAddr(l.base + c.End), section: c.Section, object: c.Obj}
			at := len(pool)
			for _, s := range c.Syms {
				pool = append(pool, codeSym{name: s.Name, addr: l.base + s.Off, size: s.Size})
			}
			if len(pool) > at {
				cb.syms = pool[at:len(pool):len(pool)]
			}
			cbs = append(cbs, cb)
		}
		t.blocks = slices.Insert(t.blocks, l.at+shift, cbs...)
		shift += len(cbs)
	}
}

// ModifyPassConfig implements objlayer.Plugin (no passes).
func (t *symtab) ModifyPassConfig(*orc.MaterializationResponsibility, *jitlink.LinkGraph, *jitlink.PassConfiguration) error {
	return nil
}

// NotifyEmitted implements objlayer.Plugin: it records g's code blocks
// and the symbols defined in them. The recording runs in a goroutine:
// it is only read to name a crash address (or when the tracker goes),
// and NotifyEmitted is on the path between the link and the program's
// start (for sqlite's one large graph, half a millisecond of sorting
// and allocating), while the other cores are idle. g is not changed
// after its emission.
func (t *symtab) NotifyEmitted(r *orc.MaterializationResponsibility, g *jitlink.LinkGraph) error {
	var key orc.ResourceKey
	small := len(g.Symbols) < asyncRecordSymbols
	pending := t.backlog()
	err := r.WithResourceKeyDo(func(k orc.ResourceKey) {
		key = k
		if small {
			// Queued under the session lock: a removal or transfer
			// of k, which settles first, cannot miss it. A goroutine
			// per graph would cost a small graph (a lazily compiled
			// function) more than recording it; a batch does not.
			pending.Add(emitted{g: g, key: k})
			return
		}
		// Counted under the session lock too: a removal of k that
		// comes after this waits for the recording (t.wait). Counted
		// after the lock was released, a removal in between found
		// nothing to forget, and the goroutine then recorded the
		// removed tracker's blocks (naming freed memory).
		t.mu.Lock()
		t.building++
		t.mu.Unlock()
		go t.record(g, k, true)
	})
	if symtabEmittedHook != nil && err == nil {
		symtabEmittedHook(g, key)
	}
	return nil // (err: removed while linking, its memory is freed already)
}

// symtabEmittedHook, when set (by a test), is called by NotifyEmitted
// once g is queued or its recording started.
var symtabEmittedHook func(g *jitlink.LinkGraph, key orc.ResourceKey)

// asyncRecordSymbols is the graph size (symbols) from which NotifyEmitted
// records a graph's blocks in a goroutine.
const asyncRecordSymbols = 256

// record adds g's code blocks (emitted under key) to t. A lazily
// compiled function's graph is recorded on the calling thread at each
// first call, so this makes few allocations: the blocks in one slice of
// the size counted first (a pool of stubs is a graph of hundreds), all
// their symbols in one backing array, a block's index found by a scan
// (a map only for graphs of many code blocks), and sorting without
// reflection.
//
// counted says the graph is one of t.building (recorded by a goroutine of
// its own).
func (t *symtab) record(g *jitlink.LinkGraph, key orc.ResourceKey, counted bool) {
	nblocks := 0
	for _, sec := range g.Sections {
		if sec.Prot&shared.ProtExec != 0 {
			nblocks += len(sec.Blocks)
		}
	}
	order := make([]*jitlink.Block, 0, nblocks)
	cbs := make([]codeBlock, 0, nblocks)
	for _, sec := range g.Sections {
		if sec.Prot&shared.ProtExec == 0 {
			continue
		}
		for _, b := range sec.Blocks {
			if b.Size == 0 || b.Addr == 0 {
				continue
			}
			cbs = append(cbs, codeBlock{start: b.Addr, end: b.Addr.Add(b.Size), section: sec.Name, object: g.Name, key: key})
			order = append(order, b)
		}
	}
	var byBlock map[*jitlink.Block]int
	if len(order) > 8 {
		byBlock = make(map[*jitlink.Block]int, len(order))
		for i, b := range order {
			byBlock[b] = i
		}
	}
	indexOf := func(b *jitlink.Block) int {
		if byBlock != nil {
			if i, ok := byBlock[b]; ok {
				return i
			}
			return -1
		}
		for i, o := range order {
			if o == b {
				return i
			}
		}
		return -1
	}
	// Two passes over the symbols: count each block's, then fill one
	// backing array, each block's syms a full slice of it.
	counts := make([]int, len(order))
	total := 0
	for _, s := range g.Symbols {
		if s.Name == "" || s.Kind != jitlink.SymDefined || s.Block == nil {
			continue
		}
		if i := indexOf(s.Block); i >= 0 {
			counts[i]++
			total++
		}
	}
	if total > 0 {
		backing := make([]codeSym, total)
		off := 0
		for i, n := range counts {
			cbs[i].syms = backing[off : off : off+n]
			off += n
		}
		for _, s := range g.Symbols {
			if s.Name == "" || s.Kind != jitlink.SymDefined || s.Block == nil {
				continue
			}
			if i := indexOf(s.Block); i >= 0 {
				cbs[i].syms = append(cbs[i].syms, codeSym{name: s.Name, addr: uint64(s.Block.Addr) + s.Offset, size: s.Size})
			}
		}
		for i := range cbs {
			slices.SortStableFunc(cbs[i].syms, func(a, b codeSym) int { return cmp.Compare(a.addr, b.addr) })
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.blocks) + len(cbs); n > cap(t.blocks) {
		// Doubling: append grows a large slice by a quarter, so a
		// session's thousands of one-block graphs copied and allocated
		// the table about five times over.
		grown := make([]codeBlock, len(t.blocks), max(2*cap(t.blocks), n, 64))
		copy(grown, t.blocks)
		t.blocks = grown
	}
	t.blocks = append(t.blocks, cbs...)
	if len(order) > 0 {
		if t.perKey == nil {
			t.perKey = map[orc.ResourceKey]int{}
		}
		t.perKey[key] += len(order)
	}
	if !counted {
		return
	}
	t.building--
	if t.building == 0 && t.built.L != nil {
		t.built.Broadcast()
	}
}

// HandleRemoveResources implements orc.ResourceManager: the code of a
// removed tracker is forgotten.
func (t *symtab) HandleRemoveResources(_ context.Context, _ *orc.JITDylib, key orc.ResourceKey) error {
	t.settle()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.wait()
	n := t.perKey[key]
	if n == 0 {
		return nil
	}
	delete(t.perKey, key)
	t.dead += n
	if t.dead*2 < len(t.blocks) {
		return nil
	}
	kept := t.blocks[:0]
	for _, b := range t.blocks {
		if t.perKey[b.key] > 0 {
			kept = append(kept, b)
		}
	}
	clear(t.blocks[len(kept):])
	t.blocks = kept
	t.dead = 0
	return nil
}

// HandleTransferResources implements orc.ResourceManager.
func (t *symtab) HandleTransferResources(_ *orc.JITDylib, dst, src orc.ResourceKey) {
	t.settle()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.wait()
	if t.perKey[src] == 0 {
		return
	}
	t.perKey[dst] += t.perKey[src]
	delete(t.perKey, src)
	for i := range t.blocks {
		if t.blocks[i].key == src {
			t.blocks[i].key = dst
		}
	}
}

// at returns the location of pc, if it lies in JIT'd code.
func (t *symtab) at(pc shared.ExecutorAddr) (Location, bool) {
	t.settle()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.wait()
	var b *codeBlock
	for i := len(t.blocks) - 1; i >= 0; i-- {
		if c := &t.blocks[i]; c.start <= pc && pc < c.end && t.perKey[c.key] > 0 {
			b = c
			break
		}
	}
	if b == nil {
		return Location{}, false
	}
	// The last symbol starting at or before pc; prefer one whose size
	// covers pc, then the nearest (sizes of assembly labels are often 0).
	var best *codeSym
	for k := range b.syms {
		s := &b.syms[k]
		if s.addr > uint64(pc) {
			break
		}
		if best == nil || s.addr > best.addr || (s.addr == best.addr && s.size > best.size) {
			best = s
		}
	}
	if best == nil {
		return Location{Section: b.section, Offset: uint64(pc - b.start), Object: b.object}, true
	}
	return Location{Symbol: best.name, Offset: uint64(pc) - best.addr, Object: b.object}, true
}

// SymbolAt names the JIT'd function containing pc (an address in the
// executor), with the offset into it and its object; ok is false when pc
// is not in code this JIT linked.
func (j *JIT) SymbolAt(pc shared.ExecutorAddr) (loc Location, ok bool) {
	return j.syms.at(pc)
}

// CrashLocation says where in JIT'd code the executor's fatal signal
// came from, when the executor reported a crash (child and remote
// executors; see epc.Remote.Crash): "in F+0x12 (obj.o)" when the
// faulting instruction is JIT'd, "called from F+0x9 (obj.o)" when it lies
// outside (abort in libc) and a JIT'd function is on the stack. ok is
// false when there is no report or no JIT'd code is involved.
func (j *JIT) CrashLocation() (where string, ok bool) {
	r, isRemote := j.EPC.(*epc.Remote)
	if !isRemote {
		return "", false
	}
	return j.crashWhere(r.Crash())
}

// crashWhere names the JIT'd function a crash report points at (see
// CrashLocation).
func (j *JIT) crashWhere(c *epc.Crash) (where string, ok bool) {
	if c == nil {
		return "", false
	}
	if loc, ok := j.SymbolAt(c.PC); ok {
		return "in " + loc.String(), true
	}
	for _, ret := range c.Frames {
		// A return address points after the call: look up the call.
		if loc, ok := j.SymbolAt(ret - 1); ok {
			loc.Offset++ // report the return address itself
			return fmt.Sprintf("called from %v (pc %v is outside JIT'd code)", loc, c.PC), true
		}
	}
	return "", false
}

// ExplainExecutorError adds the crash location (CrashLocation) to an
// error from a child or remote executor that died of a signal, and
// replaces the error of a call to a child executor that never completed
// its start (New does not wait for it) by the reason it did not; other
// errors are returned unchanged.
func (j *JIT) ExplainExecutorError(err error) error {
	if herr := j.executorError(err); herr != err {
		return herr // the executor never started
	}
	if err == nil || !strings.Contains(err.Error(), "terminated by signal") {
		return err
	}
	if where, ok := j.CrashLocation(); ok {
		return fmt.Errorf("%w, %s", err, where)
	}
	return err
}

// OnLocalCrash makes a fatal signal in JIT'd code run in this process
// (the in-process executor) call f, before the signal ends the process,
// with the handler's report and where in JIT'd code it happened, in
// CrashLocation's words ("in F+0x12 (obj.o)", "called from ..."; empty
// when no JIT'd code is involved). f runs while the crashing thread waits
// in its signal handler (at most about 2 s): it should only print. It is
// an error for a child or remote executor, whose crashes
// ExplainExecutorError reports.
func (j *JIT) OnLocalCrash(f func(c *epc.Crash, where string)) error {
	p, ok := j.EPC.(*epc.InProcess)
	if !ok {
		return fmt.Errorf("jit: on local crash: the executor is not in this process (%T)", j.EPC)
	}
	return p.OnCrash(func(c *epc.Crash) {
		where, _ := j.crashWhere(c)
		f(c, where)
	})
}
