package jitlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

func TestDeadStrip(t *testing.T) {
	g := jitlink.NewLinkGraph("t", amd64.Arch)
	text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	ia := g.AddSection(".init_array", shared.ProtRead|shared.ProtWrite, jitlink.SectionKeepAlive|jitlink.SectionInitArray)
	root := g.AddContentBlock(text, make([]byte, 8), 1, 0)
	callee := g.AddContentBlock(text, make([]byte, 8), 1, 0)
	dead := g.AddContentBlock(text, make([]byte, 8), 1, 0)
	ctor := g.AddContentBlock(text, make([]byte, 8), 1, 0)
	init := g.AddContentBlock(ia, make([]byte, 8), 8, 0)
	g.AddDefinedSymbol(root, 0, "main", 8, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
	cs := g.AddDefinedSymbol(callee, 0, "callee", 8, jitlink.LinkageStrong, jitlink.ScopeLocal, true, false)
	g.AddDefinedSymbol(dead, 0, "dead", 8, jitlink.LinkageStrong, jitlink.ScopeLocal, true, false)
	ctorSym := g.AddDefinedSymbol(ctor, 0, "ctor", 8, jitlink.LinkageStrong, jitlink.ScopeLocal, true, false)
	used := g.AddExternalSymbol("used", false)
	unused := g.AddExternalSymbol("unused", false)
	root.AddEdge(amd64.BranchPCRel32, 1, cs, -4)
	callee.AddEdge(amd64.BranchPCRel32, 1, used, -4)
	dead.AddEdge(amd64.BranchPCRel32, 1, unused, -4)
	init.AddEdge(amd64.Pointer64, 0, ctorSym, 0)

	jitlink.DeadStrip(g)
	if len(text.Blocks) != 3 || len(ia.Blocks) != 1 {
		t.Fatalf("text blocks %d (want 3: main, callee, ctor), init blocks %d", len(text.Blocks), len(ia.Blocks))
	}
	if g.FindSymbol("dead") != nil {
		t.Errorf("dead symbol kept")
	}
	if _, ok := g.Externals["unused"]; ok {
		t.Errorf("unreferenced external kept")
	}
	if _, ok := g.Externals["used"]; !ok {
		t.Errorf("referenced external dropped")
	}
}

func TestLayoutSegmentsAndAlignment(t *testing.T) {
	g := jitlink.NewLinkGraph("t", amd64.Arch)
	text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	ro := g.AddSection(".rodata", shared.ProtRead, 0)
	data := g.AddSection(".data", shared.ProtRead|shared.ProtWrite, 0)
	bss := g.AddSection(".bss", shared.ProtRead|shared.ProtWrite, 0)
	scratch := g.AddSection(".scratch", shared.ProtRead, 0)
	scratch.Lifetime = jitlink.LifetimeFinalize
	var blocks []*jitlink.Block
	blocks = append(blocks, g.AddContentBlock(text, []byte{0xc3}, 16, 0))
	blocks = append(blocks, g.AddContentBlock(text, []byte{0xc3, 0xc3, 0xc3}, 32, 4))
	blocks = append(blocks, g.AddContentBlock(ro, []byte("hello"), 1, 0))
	blocks = append(blocks, g.AddContentBlock(data, []byte{1, 2, 3, 4, 5, 6, 7, 8}, 8, 0))
	blocks = append(blocks, g.AddZeroFillBlock(bss, 100, 64, 0))
	blocks = append(blocks, g.AddContentBlock(scratch, []byte{9}, 1, 0))
	for _, b := range blocks {
		g.AddDefinedSymbol(b, 0, "", 0, jitlink.LinkageStrong, jitlink.ScopeDefault, false, true)
	}
	mm := jitlinktest.NewMemoryManager(0x100000)
	if err := jitlink.Link(context.Background(), g, &jitlinktest.Context{MM: mm}); err != nil {
		t.Fatal(err)
	}
	req := mm.Requests[0]
	wantProt := []shared.MemProt{shared.ProtRead | shared.ProtExec, shared.ProtRead, shared.ProtRead | shared.ProtWrite, shared.ProtRead}
	if len(req.Segments) != len(wantProt) {
		t.Fatalf("segments %+v", req.Segments)
	}
	for i, s := range req.Segments {
		if s.Prot != wantProt[i] {
			t.Errorf("segment %d prot %v, want %v", i, s.Prot, wantProt[i])
		}
	}
	if req.Segments[3].Lifetime != jitlink.LifetimeFinalize {
		t.Errorf("scratch segment lifetime %v", req.Segments[3].Lifetime)
	}
	for _, b := range blocks {
		if uint64(b.Addr)%b.Align != b.AlignOfs {
			t.Errorf("block at %v: align %d offset %d violated", b.Addr, b.Align, b.AlignOfs)
		}
		if !b.IsZeroFill() {
			m, _ := mm.Read(b.Addr, b.Size)
			if string(m) != string(b.Content) {
				t.Errorf("content at %v not copied", b.Addr)
			}
		}
	}
	for i := range blocks {
		for j := range blocks {
			if i != j && blocks[i].Range().Overlaps(blocks[j].Range()) {
				t.Errorf("blocks %d and %d overlap", i, j)
			}
		}
	}
}

func TestLinkCancelled(t *testing.T) {
	g := jitlink.NewLinkGraph("t", amd64.Arch)
	text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	b := g.AddContentBlock(text, []byte{0xc3}, 1, 0)
	g.AddDefinedSymbol(b, 0, "f", 1, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	lc := &jitlinktest.Context{MM: jitlinktest.NewMemoryManager(0x10000), Passes: func(g *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error {
		cfg.PrePrune = append(cfg.PrePrune, func(*jitlink.LinkGraph) error { return nil })
		return nil
	}}
	err := jitlink.Link(ctx, g, lc)
	if !errors.Is(err, context.Canceled) || lc.Err == nil {
		t.Fatalf("got %v (notified %v)", err, lc.Err)
	}
}

// cycleCtx resolves externals from a shared table filled by NotifyResolved
// and waits until the names it needs appear, as a session would.
type cycleCtx struct {
	jitlinktest.Context
	table *symTable
}

type symTable struct {
	mu   sync.Mutex
	cond *sync.Cond
	m    map[string]shared.ExecutorAddr
}

func (c *cycleCtx) NotifyResolved(ctx context.Context, g *jitlink.LinkGraph) error {
	c.table.mu.Lock()
	for _, s := range g.Symbols {
		if s.Name != "" {
			c.table.m[s.Name] = s.Address()
		}
	}
	c.table.cond.Broadcast()
	c.table.mu.Unlock()
	return nil
}

func (c *cycleCtx) LookupExternals(ctx context.Context, syms map[string]jitlink.SymbolLookupFlags) (map[string]jitlink.ExternalDef, error) {
	c.table.mu.Lock()
	defer c.table.mu.Unlock()
	res := map[string]jitlink.ExternalDef{}
	for name := range syms {
		for {
			if a, ok := c.table.m[name]; ok {
				res[name] = jitlink.ExternalDef{Addr: a}
				break
			}
			c.table.cond.Wait()
		}
	}
	return res, nil
}

// TestCyclicGraphs links two graphs that call each other concurrently:
// each publishes its addresses before looking up the other's.
func TestCyclicGraphs(t *testing.T) {
	tab := &symTable{m: map[string]shared.ExecutorAddr{}}
	tab.cond = sync.NewCond(&tab.mu)
	mm := jitlinktest.NewMemoryManager(0x100000)
	mk := func(def, ref string) *jitlink.LinkGraph {
		g := jitlink.NewLinkGraph(def+".o", amd64.Arch)
		text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
		b := g.AddContentBlock(text, []byte{0xe8, 0, 0, 0, 0, 0xc3}, 16, 0)
		g.AddDefinedSymbol(b, 0, def, 6, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
		b.AddEdge(amd64.BranchPCRel32, 1, g.AddExternalSymbol(ref, false), -4)
		return g
	}
	ga, gb := mk("a", "b"), mk("b", "a")
	errs := make(chan error, 2)
	for _, g := range []*jitlink.LinkGraph{ga, gb} {
		go func() {
			errs <- jitlink.Link(context.Background(), g, &cycleCtx{Context: jitlinktest.Context{MM: mm}, table: tab})
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range [][2]*jitlink.LinkGraph{{ga, gb}, {gb, ga}} {
		from, to := p[0], p[1]
		code := from.Symbols[0].Block.Content
		d := int32(uint32(code[1]) | uint32(code[2])<<8 | uint32(code[3])<<16 | uint32(code[4])<<24)
		if got := from.Symbols[0].Address() + 5 + shared.ExecutorAddr(int64(d)); got != to.Symbols[0].Address() {
			t.Errorf("%s calls %v, want %v", from.Name, got, to.Symbols[0].Address())
		}
	}
}

// TestCodeNotAt4GiBBoundary: libgcc ignores FDEs whose 32-bit pc_begin has
// zero low bits, so no code may start at a 4 GiB-aligned address even when
// the memory manager returns such a segment.
func TestCodeNotAt4GiBBoundary(t *testing.T) {
	g := jitlink.NewLinkGraph("t", amd64.Arch)
	text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	eh := g.AddSection(".eh_frame", shared.ProtRead, jitlink.SectionEHFrame)
	fn := g.AddContentBlock(text, []byte{0xc3}, 16, 0)
	g.AddDefinedSymbol(fn, 0, "f", 1, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
	term := g.AddContentBlock(eh, make([]byte, 4), 4, 0)
	g.AddAnonymousSymbol(term, 0, 4).Live = true
	mm := jitlinktest.NewMemoryManager(0x7f16_0000_0000)
	if err := jitlink.Link(context.Background(), g, &jitlinktest.Context{MM: mm}); err != nil {
		t.Fatal(err)
	}
	if uint32(fn.Addr) == 0 {
		t.Fatalf("code placed at %v", fn.Addr)
	}
}

// TestCodeAt4GiBBoundaryInsideSegment: a 4 GiB boundary inside the code
// segment must not fall on a block's start nor on a function an FDE
// describes inside a block (libgcc would ignore its FDE); the link moves
// the code past it instead of failing. The memory manager places the
// segment so that the boundary falls exactly there.
func TestCodeAt4GiBBoundaryInsideSegment(t *testing.T) {
	const boundary = 0x7f16_0000_0000
	for _, tc := range []struct {
		name string
		// first block's size (it starts at 16, after the code pad) and
		// the offset in the second block of the function its FDE names
		first, fnOfs uint64
		// whole: the FDE follows a CIE in one block of records
		// (BlockEHRecords), its pc_begin not at the block's offset 8
		whole bool
	}{
		{"block start", 0x1000 - 16, 0, false},
		{"function inside a block", 0x800 - 16, 0x800, false},
		{"function inside a block, records whole", 0x800 - 16, 0x800, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := jitlink.NewLinkGraph("t", amd64.Arch)
			text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
			eh := g.AddSection(".eh_frame", shared.ProtRead, jitlink.SectionEHFrame)
			a := g.AddContentBlock(text, make([]byte, tc.first), 16, 0)
			g.AddDefinedSymbol(a, 0, "a", tc.first, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
			b := g.AddContentBlock(text, make([]byte, 0x1000), 16, 0)
			fn := g.AddDefinedSymbol(b, tc.fnOfs, "f", 16, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
			// An FDE record: length, CIE pointer, pc_begin (the edge at
			// offset 8), pc_range; then the terminator.
			rec := []byte{20, 0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
			at := uint64(0) // the FDE's offset in its block
			if tc.whole {
				// A CIE (length 12, id 0) first; the FDE's CIE pointer
				// is then 20 back from its own field at 20.
				rec = append([]byte{12, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, rec...)
				at = 16
				rec[at+4] = 20
			}
			fde := g.AddContentBlock(eh, rec, 4, 0)
			if tc.whole {
				fde.Flags |= jitlink.BlockEHRecords
			}
			fde.AddEdge(amd64.Delta32, at+8, fn, 0)
			g.AddAnonymousSymbol(fde, 0, uint64(len(rec))).Live = true
			term := g.AddContentBlock(eh, make([]byte, 4), 4, 0)
			g.AddAnonymousSymbol(term, 0, 4).Live = true
			mm := jitlinktest.NewMemoryManager(boundary - 0x1000)
			if err := jitlink.Link(context.Background(), g, &jitlinktest.Context{MM: mm}); err != nil {
				t.Fatal(err)
			}
			if a.Addr != boundary-0x1000+16 {
				t.Errorf("first block at %v, want the segment start + 16", a.Addr)
			}
			if uint32(b.Addr) == 0 || uint32(fn.Address()) == 0 {
				t.Fatalf("block at %v, function at %v: a 4 GiB-aligned address", b.Addr, fn.Address())
			}
			if b.Addr < a.Addr+shared.ExecutorAddr(tc.first) || b.Addr%16 != 0 {
				t.Errorf("second block at %v overlaps the first (%v + %#x) or is misaligned", b.Addr, a.Addr, tc.first)
			}
			// The FDE's pc_begin says where the function is.
			pc := int64(int32(binary.LittleEndian.Uint32(fde.Content[at+8:])))
			if got := fde.Addr.Add(at+8) + shared.ExecutorAddr(pc); got != fn.Address() {
				t.Errorf("FDE names %v, function at %v", got, fn.Address())
			}
		})
	}
}

// TestCodeWithoutUnwindTablesAt4GiBBoundary: the 4 GiB rule is about
// FDEs; a graph without unwind tables (stubs, trampolines) may start at a
// 4 GiB-aligned address.
func TestCodeWithoutUnwindTablesAt4GiBBoundary(t *testing.T) {
	g := jitlink.NewLinkGraph("t", amd64.Arch)
	text := g.AddSection("$trampolines", shared.ProtRead|shared.ProtExec, jitlink.SectionSynthetic)
	fn := g.AddContentBlock(text, []byte{0xc3}, 16, 0)
	g.AddDefinedSymbol(fn, 0, "f", 1, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
	mm := jitlinktest.NewMemoryManager(0x7f16_0000_0000)
	if err := jitlink.Link(context.Background(), g, &jitlinktest.Context{MM: mm}); err != nil {
		t.Fatal(err)
	}
	if fn.Addr != 0x7f16_0000_0000 {
		t.Errorf("code placed at %v, want the segment start 0x7f1600000000", fn.Addr)
	}
}

func TestEmptyGraphNeedsNoMemory(t *testing.T) {
	g := jitlink.NewLinkGraph("empty", amd64.Arch)
	text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	g.AddDefinedSymbol(g.AddContentBlock(text, []byte{0xc3}, 1, 0), 0, "dead", 1, jitlink.LinkageStrong, jitlink.ScopeLocal, true, false)
	mm := jitlinktest.NewMemoryManager(0x10000)
	lc := &jitlinktest.Context{MM: mm}
	if err := jitlink.Link(context.Background(), g, lc); err != nil {
		t.Fatal(err)
	}
	if len(mm.Requests) != 0 || !lc.Finalized {
		t.Errorf("requests %d, finalized %v", len(mm.Requests), lc.Finalized)
	}
}

// TestTBSSOnly: a graph whose only thread-local data is zero-initialized
// asks for no memory for it, and its symbols get image offsets.
func TestTBSSOnly(t *testing.T) {
	g := jitlink.NewLinkGraph("t", amd64.Arch)
	text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	tbss := g.AddSection(".tbss", shared.ProtRead|shared.ProtWrite, jitlink.SectionTLS)
	code := g.AddContentBlock(text, make([]byte, 8), 1, 0)
	g.AddDefinedSymbol(code, 0, "f", 8, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
	z := g.AddZeroFillBlock(tbss, 16, 8, 0)
	v := g.AddDefinedSymbol(z, 8, "v", 4, jitlink.LinkageStrong, jitlink.ScopeDefault, false, true)
	code.AddEdge(amd64.TPOff32, 2, v, 0)
	mm := jitlinktest.NewMemoryManager(0x10000)
	lc := &jitlinktest.Context{MM: mm, TLS: &jitlink.TLSLayout{Static: true, TPOffset: -32}}
	if err := jitlink.Link(context.Background(), g, lc); err != nil {
		t.Fatal(err)
	}
	if len(mm.Requests[0].Segments) != 1 {
		t.Errorf("segments %+v, want only the code", mm.Requests[0].Segments)
	}
	if lc.Template.Size != 16 || lc.Template.InitSize != 0 {
		t.Errorf("template %+v", lc.Template)
	}
	if got := int32(uint32(code.Content[2]) | uint32(code.Content[3])<<8 | uint32(code.Content[4])<<16 | uint32(code.Content[5])<<24); got != -24 {
		t.Errorf("tpoff %d, want -24", got)
	}
}
