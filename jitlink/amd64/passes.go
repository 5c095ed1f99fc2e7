package amd64

import (
	"math"
	"slices"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// Names of the synthetic sections and the GOT base symbol.
const (
	GOTSectionName   = "$__GOT"
	StubsSectionName = "$__STUBS"
	GOTSymbolName    = "_GLOBAL_OFFSET_TABLE_"
)

// graphState is the per-graph state of the x86-64 passes.
type graphState struct {
	got, stubs *jitlink.Section
	gotHeader  *jitlink.Symbol
	gotEntries symPairs // target <-> entry
	ieEntries  map[*jitlink.Symbol]*jitlink.Symbol
	gdEntries  map[*jitlink.Symbol]*jitlink.Symbol
	ldEntry    *jitlink.Symbol
	stubsOf    symPairs // target <-> stub
	arena      []byte   // content of synthetic blocks
	chunk      int      // size of the last arena chunk
	hint       int      // size hint of the maps: the graph's externals
	// Reserved by reserveSmall: the synthetic sections' block lists and
	// the entries' and stubs' edges, carved from one allocation each.
	blocks []*jitlink.Block
	edges  []jitlink.Edge
	small  int // entries reserved for (0: none)
	// reach: reserveSmall proved that every allocation of the graph lies
	// in g.AllocRange (a small graph with a promised range that nothing
	// binds below 2 GiB): a branch to an external already resolved in
	// 32-bit reach of the whole range needs no stub (elide).
	reach bool
	// far is PrepareFarData's list of sites that may need a thunk.
	far thunkState
	// The reservation of a graph of at most smallInline such edges (a
	// lazily compiled function calling a few callees) lives in the state
	// itself: one allocation instead of four.
	arenaArr  [22*smallInline + 8]byte
	blocksArr [2*smallInline + 1]*jitlink.Block
	edgesArr  [2 * smallInline]jitlink.Edge
}

// smallInline is the most GOT entries and stubs reserveSmall reserves for
// inside the graph's state.
const smallInline = 2

// bytes returns n zeroed bytes for a synthetic block's content, carved from
// a shared chunk (GOT entries and stubs are many and tiny). Chunks grow
// from 256 bytes to 4 KiB: a lazily compiled function's graph needs a
// few entries, and every chunk is fresh memory.
func (st *graphState) bytes(n int) []byte {
	if len(st.arena) < n {
		st.chunk = min(4096, max(256, 2*st.chunk))
		st.arena = make([]byte, max(st.chunk, n))
	}
	b := st.arena[:n:n]
	st.arena = st.arena[n:]
	return b
}

// symPairs relates targets and the symbols made for them (GOT entries,
// stubs) both ways. While small (a lazily compiled function's graph has
// a few) the pairs are a slice searched linearly: two maps each way cost
// a small graph's link four map allocations for a handful of entries.
// Past smallPairs (or when the graph's externals say it will be large)
// they are maps.
type symPairs struct {
	list      []symPair
	fwd, back map[*jitlink.Symbol]*jitlink.Symbol
}

type symPair struct{ target, made *jitlink.Symbol }

// smallPairs is the most pairs kept in a slice.
const smallPairs = 16

func (p *symPairs) made(target *jitlink.Symbol) (*jitlink.Symbol, bool) {
	if p.fwd != nil {
		s, ok := p.fwd[target]
		return s, ok
	}
	for _, q := range p.list {
		if q.target == target {
			return q.made, true
		}
	}
	return nil, false
}

func (p *symPairs) target(made *jitlink.Symbol) (*jitlink.Symbol, bool) {
	if p.back != nil {
		t, ok := p.back[made]
		return t, ok
	}
	for _, q := range p.list {
		if q.made == made {
			return q.target, true
		}
	}
	return nil, false
}

// add records a pair; hint is how many the graph may need.
func (p *symPairs) add(target, made *jitlink.Symbol, hint int) {
	if p.fwd == nil && (hint > smallPairs || len(p.list) >= smallPairs) {
		p.fwd = make(map[*jitlink.Symbol]*jitlink.Symbol, max(hint, 2*len(p.list)))
		p.back = make(map[*jitlink.Symbol]*jitlink.Symbol, max(hint, 2*len(p.list)))
		for _, q := range p.list {
			p.fwd[q.target], p.back[q.made] = q.made, q.target
		}
		p.list = nil
	}
	if p.fwd != nil {
		p.fwd[target], p.back[made] = made, target
		return
	}
	if p.list == nil {
		p.list = make([]symPair, 0, max(hint, 2))
	}
	p.list = append(p.list, symPair{target, made})
}

func state(g *jitlink.LinkGraph) *graphState {
	if st, ok := g.ArchState.(*graphState); ok {
		return st
	}
	// Most GOT entries and stubs are for the graph's externals: the maps
	// are sized for them once instead of growing entry by entry, and made
	// only when a first entry is added (a small graph, such as one lazily
	// compiled function calling nothing, needs none of them).
	st := &graphState{hint: len(g.Externals)}
	g.ArchState = st
	return st
}

func (st *graphState) gotSection(g *jitlink.LinkGraph) *jitlink.Section {
	if st.got == nil {
		st.got = g.AddSection(GOTSectionName, shared.ProtRead, jitlink.SectionSynthetic)
		st.got.Blocks = st.blockList(st.small + 1)
		hdr := g.AddMutableContentBlock(st.got, st.bytes(8), 8, 0)
		st.gotHeader = g.AddDefinedSymbol(hdr, 0, "", 0, jitlink.LinkageStrong, jitlink.ScopeLocal, false, true)
		if ext, ok := g.Externals[GOTSymbolName]; ok {
			g.RedirectEdges(ext, st.gotHeader)
			delete(g.Externals, GOTSymbolName)
		}
	}
	return st.got
}

func (st *graphState) newGOTSlot(g *jitlink.LinkGraph, size uint64) (*jitlink.Block, *jitlink.Symbol) {
	sec := st.gotSection(g)
	b := g.AddMutableContentBlock(sec, st.bytes(int(size)), 8, 0)
	b.Edges = st.edgeList(int(size / 8))
	b.Ordinal = uint64(len(sec.Blocks)-1) * 8
	return b, g.AddAnonymousSymbol(b, 0, size)
}

func (st *graphState) gotEntry(g *jitlink.LinkGraph, target *jitlink.Symbol) *jitlink.Symbol {
	if e, ok := st.gotEntries.made(target); ok {
		return e
	}
	b, e := st.newGOTSlot(g, 8)
	b.AddEdge(Pointer64, 0, target, 0)
	st.gotEntries.add(target, e, st.hint)
	return e
}

func (st *graphState) ieEntry(g *jitlink.LinkGraph, target *jitlink.Symbol) *jitlink.Symbol {
	if e, ok := st.ieEntries[target]; ok {
		return e
	}
	b, e := st.newGOTSlot(g, 8)
	b.AddEdge(TPOff64, 0, target, 0)
	if st.ieEntries == nil {
		st.ieEntries = map[*jitlink.Symbol]*jitlink.Symbol{}
	}
	st.ieEntries[target] = e
	return e
}

func (st *graphState) gdEntry(g *jitlink.LinkGraph, target *jitlink.Symbol) *jitlink.Symbol {
	if e, ok := st.gdEntries[target]; ok {
		return e
	}
	b, e := st.newGOTSlot(g, 16)
	b.AddEdge(TLSModuleID64, 0, target, 0)
	b.AddEdge(DTPOff64, 8, target, 0)
	if st.gdEntries == nil {
		st.gdEntries = map[*jitlink.Symbol]*jitlink.Symbol{}
	}
	st.gdEntries[target] = e
	return e
}

func (st *graphState) ldEntryFor(g *jitlink.LinkGraph, target *jitlink.Symbol) *jitlink.Symbol {
	if st.ldEntry == nil {
		b, e := st.newGOTSlot(g, 16)
		b.AddEdge(TLSModuleID64, 0, target, 0)
		st.ldEntry = e
	}
	return st.ldEntry
}

// stubFor returns a stub "jmp *GOT(%rip)" for target.
func (st *graphState) stubFor(g *jitlink.LinkGraph, target *jitlink.Symbol) *jitlink.Symbol {
	if s, ok := st.stubsOf.made(target); ok {
		return s
	}
	ent := st.gotEntry(g, target)
	if st.stubs == nil {
		st.stubs = g.AddSection(StubsSectionName, shared.ProtRead|shared.ProtExec, jitlink.SectionSynthetic)
		st.stubs.Blocks = st.blockList(st.small)
	}
	code := st.bytes(6)
	code[0], code[1] = 0xff, 0x25 // jmp *disp32(%rip)
	b := g.AddMutableContentBlock(st.stubs, code, 2, 0)
	b.Edges = st.edgeList(1)
	b.Ordinal = uint64(len(st.stubs.Blocks)-1) * 6
	b.AddEdge(Delta32, 2, ent, -4)
	s := g.AddDefinedSymbol(b, 0, "", 6, jitlink.LinkageStrong, jitlink.ScopeLocal, true, false)
	st.stubsOf.add(target, s, st.hint)
	return s
}

// BuildGOTAndStubs is the post-prune pass that gives every GOT-relative
// edge a GOT entry (or a TLS GOT entry / tls_index) and every branch to a
// symbol outside the graph a stub, and defines _GLOBAL_OFFSET_TABLE_.
func BuildGOTAndStubs(g *jitlink.LinkGraph) error {
	st := state(g)
	reserveSmall(g, st)
	if _, ok := g.Externals[GOTSymbolName]; ok {
		st.gotSection(g)
	}
	nsec := len(g.Sections)
	for si := 0; si < nsec; si++ {
		sec := g.Sections[si]
		if sec.Flags&jitlink.SectionSynthetic != 0 {
			continue
		}
		for _, b := range sec.Blocks {
			for i := range b.Edges {
				e := &b.Edges[i]
				switch e.Kind {
				case RequestGOTAndTransformToDelta32:
					e.Target, e.Kind = st.gotEntry(g, e.Target), Delta32
				case RequestGOTAndTransformToPCRel32GOTLoadRelaxable:
					e.Target, e.Kind = st.gotEntry(g, e.Target), PCRel32GOTLoadRelaxable
				case RequestGOTAndTransformToPCRel32GOTLoadREXRelaxable:
					e.Target, e.Kind = st.gotEntry(g, e.Target), PCRel32GOTLoadREXRelaxable
				case RequestGOTAndTransformToDelta64FromGOT:
					e.Target, e.Kind = st.gotEntry(g, e.Target), Delta64FromGOT
				case RequestGOTAndTransformToDelta64:
					e.Target, e.Kind = st.gotEntry(g, e.Target), Delta64
				case Delta64FromGOT:
					st.gotSection(g)
				case BranchPCRel32:
					if e.Target.Kind != jitlink.SymDefined && !st.elide(g, e) {
						e.Target = st.stubFor(g, e.Target)
					}
				case Delta32:
					// "call/jmp sym" with R_X86_64_PC32 (old non-PIC code):
					// a branch, so it may go through a stub.
					if e.Target.Kind != jitlink.SymDefined && !e.Target.TLS && e.Offset >= 1 && e.Addend == -4 &&
						e.Offset+4 <= uint64(len(b.Content)) && (b.Content[e.Offset-1] == 0xe8 || b.Content[e.Offset-1] == 0xe9) &&
						sec.Prot&shared.ProtExec != 0 && e.Target.Name != GOTSymbolName {
						e.Kind = BranchPCRel32
						e.Target = st.stubFor(g, e.Target)
					}
				case RequestTLSIEGOT:
					e.Target, e.Kind = st.ieEntry(g, e.Target), TLSIEDelta32
				case RequestTLSGD:
					e.Target, e.Kind = st.gdEntry(g, e.Target), TLSGDDelta32
				case RequestTLSLD:
					e.Target, e.Kind = st.ldEntryFor(g, e.Target), TLSLDDelta32
				case Pointer32, Pointer32Signed:
					if e.Target.Kind == jitlink.SymDefined {
						g.Low2GiB = true
					}
				}
			}
		}
	}
	return nil
}

// smallGOT is the most entries reserveSmall reserves for, and
// smallBlocks the most blocks of a graph it looks at.
const (
	smallGOT    = 32
	smallBlocks = 256
)

// reserveSmall reserves, for a graph with at most smallGOT edges that may
// need a GOT entry or a stub (a lazily compiled function's graph has a
// few), the blocks, symbols, bytes and sections of all of them at once:
// otherwise each entry and stub takes its block and symbol from chunks of
// the graph's arenas and its bytes from a 256-byte chunk, several
// allocations per small link. Larger graphs grow as before (reserving
// for every edge would over-reserve where many edges share a target).
func reserveSmall(g *jitlink.LinkGraph, st *graphState) {
	// A graph of more blocks than a small one has is not walked twice
	// (BuildGOTAndStubs walks every edge anyway).
	nb := 0
	for _, sec := range g.Sections {
		if nb += len(sec.Blocks); nb > smallBlocks {
			return
		}
	}
	n, elidable, low := 0, 0, false
	for _, sec := range g.Sections {
		if sec.Flags&jitlink.SectionSynthetic != 0 {
			continue
		}
		for _, b := range sec.Blocks {
			for i := range b.Edges {
				switch b.Edges[i].Kind {
				case RequestGOTAndTransformToDelta32, RequestGOTAndTransformToPCRel32GOTLoadRelaxable,
					RequestGOTAndTransformToPCRel32GOTLoadREXRelaxable, RequestGOTAndTransformToDelta64FromGOT,
					RequestGOTAndTransformToDelta64, BranchPCRel32, Delta32,
					RequestTLSIEGOT, RequestTLSGD, RequestTLSLD:
					if b.Edges[i].Kind == BranchPCRel32 && b.Edges[i].Target.Kind == jitlink.SymDefined {
						continue // a branch within the graph needs no stub
					}
					if b.Edges[i].Kind == BranchPCRel32 && inReach(g, &b.Edges[i]) {
						elidable++ // no stub if the graph is not bound low
					}
					if b.Edges[i].Kind == Delta32 && b.Edges[i].Target.Kind == jitlink.SymDefined {
						continue
					}
					if n++; n > smallGOT {
						return
					}
				case Pointer32, Pointer32Signed:
					if b.Edges[i].Target.Kind == jitlink.SymDefined {
						low = true // BuildGOTAndStubs sets Low2GiB
					}
				}
			}
		}
	}
	if elidable > 0 && !low && !g.Low2GiB {
		st.reach = true
		n -= elidable
	}
	if n == 0 {
		return
	}
	// Per edge at most a GOT entry (16 bytes for a TLS pair) and a stub
	// (6 bytes), a block and a symbol each; and the GOT's header (8
	// bytes).
	g.ReserveBlocks(2*n + 1)
	g.ReserveSymbols(2*n + 1)
	g.Sections = slices.Grow(g.Sections, 2)
	g.Symbols = slices.Grow(g.Symbols, n)
	if n <= smallInline {
		st.arena = st.arenaArr[: 22*n+8 : 22*n+8]
		st.blocks = st.blocksArr[: 2*n+1 : 2*n+1]
		st.edges = st.edgesArr[: 2*n : 2*n]
	} else {
		st.arena = make([]byte, 22*n+8)
		st.blocks = make([]*jitlink.Block, 2*n+1)
		st.edges = make([]jitlink.Edge, 2*n)
	}
	st.chunk = 256
	st.small = n
}

// inReach reports whether branch edge e's target is outside the graph,
// has a known address (an absolute, or an external its link context
// resolved early: jitlink.EarlyResolver) and is in 32-bit PC-relative
// reach of every address of g.AllocRange, the range the memory manager
// promised the graph's allocation. The bounds are checked at both ends:
// the displacement is monotonic in the branch's address.
func inReach(g *jitlink.LinkGraph, e *jitlink.Edge) bool {
	t := e.Target
	r := g.AllocRange
	if t.Kind == jitlink.SymDefined || t.TLS || t.Addr == 0 || r.End <= r.Start {
		return false
	}
	v := int64(t.Addr) + e.Addend
	return fits(v-int64(r.Start)) && fits(v-int64(r.End))
}

// elide reports whether branch edge e needs no stub: reserveSmall proved
// the graph's allocation lies in its promised range and e's target is in
// reach of all of it. The edge then keeps the external as its target and
// its fixup branches to the address the lookup gives (the same one: an
// early address is a resolved symbol's final one; if it were not, the
// fixup reports "out of range" rather than branching elsewhere).
func (st *graphState) elide(g *jitlink.LinkGraph, e *jitlink.Edge) bool {
	return st.reach && inReach(g, e)
}

// blockList returns an empty block list with room for n blocks from the
// reservation (nil without one, or past it: the list grows as before).
func (st *graphState) blockList(n int) []*jitlink.Block {
	if n == 0 || len(st.blocks) < n {
		return nil
	}
	l := st.blocks[:0:n]
	st.blocks = st.blocks[n:]
	return l
}

// edgeList is blockList for a synthetic block's n edges.
func (st *graphState) edgeList(n int) []jitlink.Edge {
	if n == 0 || len(st.edges) < n {
		return nil
	}
	l := st.edges[:0:n]
	st.edges = st.edges[n:]
	return l
}

// stable reports whether a direct reference to t may replace its stub or
// GOT entry as far as LinkGraph.KeepStubs is concerned: always, unless
// the graph is recorded for a replay in another process and t lies
// outside the memory the replay places again (g.Stable).
func stable(g *jitlink.LinkGraph, t *jitlink.Symbol) bool {
	if !g.KeepStubs || t.Kind == jitlink.SymDefined {
		return true
	}
	a := t.Address()
	return a >= g.Stable.Start && a < g.Stable.End
}

func fits(v int64) bool { return v >= math.MinInt32 && v <= math.MaxInt32 }

func isRIPModRM(m byte) bool { return m&0xc7 == 0x05 }

// Optimize is the pre-fixup pass: it relaxes GOT loads of targets in reach
// into direct forms (mov→lea, call *→addr32 call, jmp *→jmp; nop), lets
// branches bypass stubs whose target is in reach, and, when the TLS image
// is in the static TLS block, relaxes initial-exec, general-dynamic and
// local-dynamic TLS accesses to local-exec.
func Optimize(g *jitlink.LinkGraph) error {
	st := state(g)
	useFarData(g)
	static := g.TLSLayout != nil && g.TLSLayout.Static && g.TLS != nil
	ldRelax := static && st.ldEntry != nil
	if ldRelax {
		ldRelax = allLDRelaxable(g)
	}
	for _, sec := range g.Sections {
		if sec.Flags&jitlink.SectionSynthetic != 0 {
			continue
		}
		for _, b := range sec.Blocks {
			for i := range b.Edges {
				e := &b.Edges[i]
				switch e.Kind {
				case PCRel32GOTLoadRelaxable, PCRel32GOTLoadREXRelaxable:
					relaxGOTLoad(g, st, b, e)
				case BranchPCRel32:
					if t, ok := st.stubsOf.target(e.Target); ok && stable(g, t) {
						P := int64(b.Addr) + int64(e.Offset)
						if t.Address() != 0 && fits(int64(t.Address())+e.Addend-P) {
							e.Target = t
						}
					}
				case TLSIEDelta32:
					relaxIE(g, b, e)
				case TLSGDDelta32:
					relaxGD(g, b, e)
				case TLSLDDelta32:
					if ldRelax {
						relaxLD(b, e)
					}
				case DTPOff32:
					if ldRelax {
						e.Kind = TPOff32
					}
				case DTPOff64:
					if ldRelax {
						e.Kind = TPOff64
					}
				}
			}
		}
	}
	return nil
}

func relaxGOTLoad(g *jitlink.LinkGraph, st *graphState, b *jitlink.Block, e *jitlink.Edge) {
	t, ok := st.gotEntries.target(e.Target)
	if !ok || e.Offset < 2 || e.Offset+4 > uint64(len(b.Content)) || t.TLS {
		return
	}
	c := b.Content
	P := int64(b.Addr) + int64(e.Offset)
	if t.Kind != jitlink.SymDefined && t.Address() == 0 {
		return // weak undefined: keep the (null) GOT entry
	}
	if !stable(g, t) {
		return // recorded for a replay elsewhere (LinkGraph.KeepStubs)
	}
	if !fits(int64(t.Address()) + e.Addend - P) {
		return
	}
	op, modrm := c[e.Offset-2], c[e.Offset-1]
	switch {
	case op == 0x8b && isRIPModRM(modrm):
		// mov foo@GOTPCREL(%rip), %reg -> lea foo(%rip), %reg
		c[e.Offset-2] = 0x8d
		e.Target, e.Kind = t, Delta32
	case e.Kind == PCRel32GOTLoadRelaxable && op == 0xff && modrm == 0x15:
		// call *foo@GOTPCREL(%rip) -> addr32 call foo
		c[e.Offset-2], c[e.Offset-1] = 0x67, 0xe8
		e.Target, e.Kind = t, Delta32
	case e.Kind == PCRel32GOTLoadRelaxable && op == 0xff && modrm == 0x25 && e.Offset+4 <= uint64(len(c)):
		// jmp *foo@GOTPCREL(%rip) -> jmp foo; nop
		c[e.Offset-2] = 0xe9
		copy(c[e.Offset-1:], []byte{0, 0, 0, 0})
		c[e.Offset+3] = 0x90
		e.Offset--
		e.Target, e.Kind = t, Delta32
	}
}

// gotEntryTarget returns the symbol a GOT entry (e's target) refers to
// through an edge of kind k, or nil: for an entry the linker did not
// build (an external or absolute target, a malformed input) there is
// nothing to relax.
func gotEntryTarget(e *jitlink.Edge, k jitlink.EdgeKind) *jitlink.Symbol {
	if e.Target == nil || e.Target.Block == nil {
		return nil
	}
	var t *jitlink.Symbol
	for _, ge := range e.Target.Block.Edges {
		if ge.Kind == k {
			t = ge.Target
		}
	}
	return t
}

// relaxIE turns "mov x@gottpoff(%rip), %reg" into "mov $tpoff, %reg" and
// "add x@gottpoff(%rip), %reg" into "add $tpoff, %reg".
func relaxIE(g *jitlink.LinkGraph, b *jitlink.Block, e *jitlink.Edge) {
	if e.Offset < 3 || e.Offset+4 > uint64(len(b.Content)) || e.Addend != -4 {
		return
	}
	c := b.Content
	rex, op, modrm := c[e.Offset-3], c[e.Offset-2], c[e.Offset-1]
	if rex != 0x48 && rex != 0x4c || !isRIPModRM(modrm) {
		return
	}
	reg := (modrm >> 3) & 7
	var nop byte
	switch op {
	case 0x8b:
		nop = 0xc7
	case 0x03:
		if reg == 4 && rex == 0x48 {
			return // %rsp: leave it
		}
		nop = 0x81
	default:
		return
	}
	// The GOT entry's target: the TLS symbol.
	t := gotEntryTarget(e, TPOff64)
	if !staticTLS(g, t) {
		return
	}
	if rex == 0x4c {
		c[e.Offset-3] = 0x49
	}
	c[e.Offset-2] = nop
	c[e.Offset-1] = 0xc0 | reg
	e.Kind, e.Target, e.Addend = TPOff32, t, 0
}

var gdSeq = [...]byte{0x66, 0x48, 0x8d, 0x3d}
var gdLE = [...]byte{0x64, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0, 0x48, 0x8d, 0x80}

// relaxGD rewrites the 16-byte general-dynamic sequence
//
//	data16 lea x@tlsgd(%rip), %rdi; data16 data16 rex.W call __tls_get_addr@PLT
//
// into "mov %fs:0, %rax; lea x@tpoff(%rax), %rax".
func relaxGD(g *jitlink.LinkGraph, b *jitlink.Block, e *jitlink.Edge) {
	c := b.Content
	if e.Offset < 4 || e.Offset+12 > uint64(len(c)) || e.Addend != -4 {
		return
	}
	s := c[e.Offset-4:]
	if [4]byte(s[:4]) != gdSeq || s[8] != 0x66 || s[9] != 0x66 || s[10] != 0x48 || s[11] != 0xe8 {
		return
	}
	call := findEdge(b, e.Offset+8)
	if call == nil {
		return
	}
	t := gotEntryTarget(e, DTPOff64)
	if !staticTLS(g, t) {
		return
	}
	copy(s, gdLE[:])
	call.Kind, call.Target, call.Addend = TPOff32, t, 0
	e.Kind = jitlink.KindKeepAlive
}

func staticTLS(g *jitlink.LinkGraph, t *jitlink.Symbol) bool {
	if t == nil {
		return false
	}
	r, ok := g.TLSRefOf(t)
	return ok && r.Layout.Static
}

func findEdge(b *jitlink.Block, off uint64) *jitlink.Edge {
	for i := range b.Edges {
		if b.Edges[i].Offset == off {
			return &b.Edges[i]
		}
	}
	return nil
}

func ldMatches(c []byte, off uint64) bool {
	if off < 3 || off+9 > uint64(len(c)) {
		return false
	}
	return c[off-3] == 0x48 && c[off-2] == 0x8d && c[off-1] == 0x3d && c[off+4] == 0xe8
}

func allLDRelaxable(g *jitlink.LinkGraph) bool {
	for _, sec := range g.Sections {
		if sec.Flags&jitlink.SectionSynthetic != 0 {
			continue
		}
		for _, b := range sec.Blocks {
			for i := range b.Edges {
				e := &b.Edges[i]
				if e.Kind == TLSLDDelta32 && (!ldMatches(b.Content, e.Offset) || e.Addend != -4 || findEdge(b, e.Offset+5) == nil) {
					return false
				}
			}
		}
	}
	return true
}

var ldLE = [...]byte{0x66, 0x66, 0x66, 0x64, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0}

// relaxLD rewrites "lea x@tlsld(%rip), %rdi; call __tls_get_addr@PLT" into
// "mov %fs:0, %rax" (padded); DTPOFF edges then become TPOFF edges.
func relaxLD(b *jitlink.Block, e *jitlink.Edge) {
	c := b.Content
	copy(c[e.Offset-3:], ldLE[:])
	if call := findEdge(b, e.Offset+5); call != nil {
		call.Kind = jitlink.KindKeepAlive
	}
	e.Kind = jitlink.KindKeepAlive
}
