package jitlink

import (
	"fmt"
	"slices"
	"sort"

	"github.com/gorc-jit/gorc/internal/diag"
	"github.com/gorc-jit/gorc/shared"
)

// Linkage says how a defined symbol behaves when another definition of the
// same name exists.
type Linkage uint8

const (
	// LinkageStrong definitions clash with other strong definitions.
	LinkageStrong Linkage = iota
	// LinkageWeak definitions yield to a strong one, and one weak copy is
	// chosen among several (weak symbols, COMDAT members, commons).
	LinkageWeak
)

func (l Linkage) String() string {
	if l == LinkageWeak {
		return "weak"
	}
	return "strong"
}

// Scope says who can see a symbol.
type Scope uint8

const (
	// ScopeDefault symbols are exported: other graphs and the session see them.
	ScopeDefault Scope = iota
	// ScopeHidden symbols are visible to other objects of the same JIT
	// dylib but not exported from it (STV_HIDDEN, STV_INTERNAL).
	ScopeHidden
	// ScopeLocal symbols are private to their graph (STB_LOCAL).
	ScopeLocal
)

func (s Scope) String() string {
	switch s {
	case ScopeHidden:
		return "hidden"
	case ScopeLocal:
		return "local"
	}
	return "default"
}

// EdgeKind is a relocation kind. The values below FirstArchKind are generic;
// architectures (package jitlink/amd64) define the rest and name them
// through Arch.EdgeKindName.
type EdgeKind uint16

const (
	// KindInvalid is the zero kind.
	KindInvalid EdgeKind = iota
	// KindKeepAlive keeps its target alive while its block is alive. It
	// writes nothing (EH frames: a function keeps its FDE alive).
	KindKeepAlive
	// FirstArchKind is the first architecture-specific kind.
	FirstArchKind EdgeKind = 16
)

// Edge is a fixup: at Offset in its block, write a value computed from
// Target's address and Addend according to Kind.
type Edge struct {
	Offset uint64
	Target *Symbol
	Addend int64
	Kind   EdgeKind
}

// SectionFlags classify a section for dead-stripping, layout and the
// adapter (initializers, EH frames, TLS).
type SectionFlags uint32

const (
	// SectionKeepAlive: every block of the section is a dead-strip root.
	SectionKeepAlive SectionFlags = 1 << iota
	// SectionInitArray: .init_array[.PRIO] — pointers to constructors.
	SectionInitArray
	// SectionFiniArray: .fini_array[.PRIO] — pointers to destructors.
	SectionFiniArray
	// SectionPreinitArray: .preinit_array.
	SectionPreinitArray
	// SectionCtors: .ctors[.PRIO], run in reverse order.
	SectionCtors
	// SectionDtors: .dtors[.PRIO].
	SectionDtors
	// SectionEHFrame: .eh_frame, split into CIE and FDE blocks.
	SectionEHFrame
	// SectionTLS: a thread-local template section (.tdata, .tbss).
	SectionTLS
	// SectionMergeStrings: SHF_MERGE|SHF_STRINGS (kept whole).
	SectionMergeStrings
	// SectionSynthetic: created by a pass (GOT, stubs, TLS index).
	SectionSynthetic
)

// Section groups blocks with the same protections.
type Section struct {
	Name     string
	Prot     shared.MemProt
	Lifetime MemLifetime
	Flags    SectionFlags
	// Priority is the initializer priority for init/fini/ctors/dtors
	// sections (65535 when the name has no suffix; lower runs first).
	Priority uint32
	// Comdat is the COMDAT group the section belongs to, or nil.
	Comdat *ComdatGroup
	Blocks []*Block
	// Ordinal is the section's position in the graph.
	Ordinal int
	// first holds the block list of a section of one block (most
	// sections of a compiled function's object): no allocation for it.
	first [1]*Block
}

// Has reports whether all of f are set.
func (s *Section) Has(f SectionFlags) bool { return s.Flags&f == f }

// Range returns the address range spanned by the section's blocks once
// laid out (the zero range if the section is empty).
func (s *Section) Range() shared.ExecutorAddrRange {
	var r shared.ExecutorAddrRange
	for i, b := range s.Blocks {
		end := b.Addr.Add(b.Size)
		if i == 0 || b.Addr < r.Start {
			r.Start = b.Addr
		}
		if end > r.End {
			r.End = end
		}
	}
	return r
}

// ComdatGroup is an ELF SHT_GROUP with GRP_COMDAT: of all groups with the
// same Signature across the objects of a link, one copy should be used.
// The reader gives every symbol defined in a group weak linkage, so the
// session's weak-definition rules pick one copy; the losing graphs turn
// their definitions into external references (LinkGraph.MakeExternal) and
// dead-stripping then drops their copies.
type ComdatGroup struct {
	Signature string
	Sections  []*Section
}

// BlockFlags describe a block.
type BlockFlags uint8

const (
	// BlockCommon marks a zero-fill block made for an SHN_COMMON symbol.
	BlockCommon BlockFlags = 1 << iota
	// BlockEHRecords marks an .eh_frame block that holds several whole
	// CIE and FDE records (an object's .eh_frame kept in one piece, as
	// the ELF reader does when every FDE describes code in one and the
	// same block): its CIE pointers are already right in its content, and
	// each of its edges is an FDE's pc_begin.
	BlockEHRecords
)

// Block is a contiguous piece of content (or zero-fill) that is laid out as
// a unit.
type Block struct {
	Section *Section
	// Content is nil for zero-fill blocks. Before allocation it may alias
	// the input file; after allocation it is the block's working memory.
	Content []byte
	Size    uint64
	// The block's address must satisfy Addr % Align == AlignOfs.
	Align    uint64
	AlignOfs uint64
	Addr     shared.ExecutorAddr
	Edges    []Edge
	Flags    BlockFlags
	// Ordinal is the block's input offset in its section (layout order).
	Ordinal uint64
	live    bool
	ownMem  bool
}

// IsZeroFill reports whether the block has no content.
func (b *Block) IsZeroFill() bool { return b.Content == nil }

// Range returns [Addr, Addr+Size).
func (b *Block) Range() shared.ExecutorAddrRange {
	return shared.ExecutorAddrRange{Start: b.Addr, End: b.Addr.Add(b.Size)}
}

// MutableContent returns the block's content, copying it first if it still
// aliases the input, so that a pass may edit it.
func (b *Block) MutableContent() []byte {
	if b.Content != nil && !b.ownMem {
		c := make([]byte, len(b.Content))
		copy(c, b.Content)
		b.Content = c
		b.ownMem = true
	}
	return b.Content
}

// AddEdge appends an edge.
func (b *Block) AddEdge(kind EdgeKind, off uint64, target *Symbol, addend int64) {
	b.Edges = append(b.Edges, Edge{Kind: kind, Offset: off, Target: target, Addend: addend})
}

// SymbolKind says where a symbol's address comes from.
type SymbolKind uint8

const (
	// SymDefined symbols live in a block of the graph.
	SymDefined SymbolKind = iota
	// SymExternal symbols are defined elsewhere and looked up at link time.
	SymExternal
	// SymAbsolute symbols have a fixed address.
	SymAbsolute
)

// Symbol names an address: an offset in a block, an external definition
// or an absolute value.
type Symbol struct {
	Name  string // empty for anonymous symbols
	Block *Block // nil unless Kind == SymDefined
	// Offset in Block; Offset == Block.Size is allowed (end symbols).
	Offset   uint64
	Size     uint64
	Kind     SymbolKind
	Linkage  Linkage
	Scope    Scope
	Callable bool
	// Live makes the symbol a dead-strip root.
	Live bool
	// TLS: the symbol is thread-local (STT_TLS); its address is in the
	// graph's TLS template and only its offset there is meaningful.
	TLS bool
	// Weak (externals): a weak reference; missing resolves to 0.
	WeakRef bool
	// Addr of an external or absolute symbol.
	Addr shared.ExecutorAddr

	startStop bool // defined by DefineStartStop
	// early: an external whose final address the link context gave
	// before the passes (SetEarlyAddress): not looked up again.
	early bool
	// win, during MergeGraphs: 0, or 1 + the index of the symbol that
	// references to this one go to (it fits in the struct's padding:
	// Symbol stays 64 bytes).
	win uint32
}

// SetEarlyAddress gives external s of g its final address before the
// post-prune passes (a link context's EarlyResolver does): Link then
// leaves s out of LookupExternals, so the link context must record
// whatever it needs of s (the session's dependency) when it calls this.
func (g *LinkGraph) SetEarlyAddress(s *Symbol, a shared.ExecutorAddr) {
	if s.Kind != SymExternal {
		return
	}
	s.Addr, s.early = a, true
}

// Address returns the symbol's address (defined symbols: once laid out).
func (s *Symbol) Address() shared.ExecutorAddr {
	if s.Kind == SymDefined {
		return s.Block.Addr.Add(s.Offset)
	}
	return s.Addr
}

// IsDefined reports whether the symbol lives in a block.
func (s *Symbol) IsDefined() bool { return s.Kind == SymDefined }

// IsCommon reports whether the symbol is a common (SHN_COMMON) definition.
func (s *Symbol) IsCommon() bool {
	return s.Kind == SymDefined && s.Block.Flags&BlockCommon != 0
}

// String describes the symbol for diagnostics.
func (s *Symbol) String() string {
	n := s.Name
	if n == "" {
		n = "<anon>"
		if s.Kind == SymDefined {
			n = fmt.Sprintf("<anon %s+%#x>", s.Block.Section.Name, s.Block.Ordinal+s.Offset)
		}
	}
	return n
}

// Arch is what the generic link algorithm needs from an architecture.
type Arch interface {
	// Name is the architecture's name ("x86-64").
	Name() string
	// EdgeKindName names an edge kind for diagnostics.
	EdgeKindName(EdgeKind) string
	// ApplyFixup writes edge e of block b (whose Content is working memory
	// and whose address is known).
	ApplyFixup(g *LinkGraph, b *Block, e *Edge) error
	// AddDefaultPasses installs the architecture's passes (GOT and stub
	// building, relaxation, TLS) into cfg.
	AddDefaultPasses(g *LinkGraph, cfg *PassConfiguration) error

	// The stub shapes below are the architecture's code for indirection
	// (like LLVM's per-ABI OrcABISupport). Each adds one block to sec
	// (which the caller creates with the protections it needs) and
	// returns an anonymous, non-live symbol for it; the caller names it,
	// marks it live or points edges at it.

	// AddPointer adds a PointerSize()-byte slot holding target+addend
	// (zero when target is nil).
	AddPointer(g *LinkGraph, sec *Section, target *Symbol, addend int64) *Symbol
	// AddPointerJumpStub adds a StubSize()-byte callable stub that jumps
	// to the address held in slot (a symbol made by AddPointer). The slot
	// can later be repointed atomically by writing PointerSize() bytes.
	AddPointerJumpStub(g *LinkGraph, sec *Section, slot *Symbol) *Symbol
	// AddTrampoline adds a TrampolineSize()-byte callable trampoline that
	// calls reentry (the executor's lazy re-entry point, any address) so
	// that the address the re-entry point receives as its return address
	// is the trampoline's address plus TrampolineReturnOffset(). The
	// re-entry point does not return into the trampoline.
	AddTrampoline(g *LinkGraph, sec *Section, reentry *Symbol) *Symbol
	// TrampolineReturnOffset is the offset in a trampoline of the return
	// address its call pushes.
	TrampolineReturnOffset() uint64
	// PointerSize is the size of a pointer slot in bytes.
	PointerSize() int
	// StubSize is the size of a pointer jump stub in bytes.
	StubSize() int
	// TrampolineSize is the size of a trampoline in bytes (not counting
	// the re-entry slot that trampolines of one graph share).
	TrampolineSize() int
}

// StubBlockArch is implemented by architectures that can lay out many
// stubs or trampolines as one block (one block, one symbol and an edge
// per stub, instead of a block and a symbol each: the lazy machinery
// makes thousands at once). The shapes are those of the Arch methods.
type StubBlockArch interface {
	// AddPointerJumpStubBlock adds len(targets) pointer slots holding
	// targets as one block of ptrSec and as many jump stubs as one block
	// of stubSec, stub i jumping through slot i. It returns a symbol at
	// the start of each block: stub i is at stubs+i*StubSize(), slot i at
	// slots+i*PointerSize().
	AddPointerJumpStubBlock(g *LinkGraph, stubSec, ptrSec *Section, targets []shared.ExecutorAddr) (stubs, slots *Symbol)
	// AddTrampolineBlock adds n trampolines calling reentry as one block
	// of sec (with their shared re-entry slot) and returns a symbol at
	// the first: trampoline i is at first+i*TrampolineSize().
	AddTrampolineBlock(g *LinkGraph, sec *Section, reentry *Symbol, n int) (first *Symbol)
}

// LinkGraph is one object (or a synthesized unit) as the linker sees it.
type LinkGraph struct {
	Name string
	Arch Arch
	// Sections in input order.
	Sections []*Section
	// Symbols are the defined symbols (named and anonymous).
	Symbols []*Symbol
	// Externals are the symbols to look up, by name.
	Externals map[string]*Symbol
	// Absolutes are symbols with fixed addresses.
	Absolutes []*Symbol
	// Comdats are the object's COMDAT groups.
	Comdats []*ComdatGroup
	// Low2GiB is set when the graph holds 32-bit absolute references
	// (R_X86_64_32/32S) and so must be placed below 2 GiB. It is passed to
	// the MemoryManager in AllocRequest.Low2GiB.
	Low2GiB bool
	// ExecStack is set when the object asks for an executable stack
	// (an executable .note.GNU-stack section).
	ExecStack bool
	// KeepStubs, set by a plugin that records the linked memory to replay
	// it in another process (the linked-image cache), keeps the GOT entry
	// and stub of every external whose address lies outside Stable: a
	// shared library that ASLR put in 32-bit reach of this process's
	// memory need not be in reach in the next process, where a direct
	// branch recorded here could not be replayed. No stub is left out on
	// a range promise (RangePromiser) either. Targets inside Stable (the
	// JIT's own memory, placed again by the replay) are still reached
	// directly.
	KeepStubs bool
	Stable    shared.ExecutorAddrRange
	// AllocRange, when not empty, is the address range the memory
	// manager promised the graph's allocation will lie in (set by Link
	// before the post-prune passes, see RangePromiser and EarlyResolver;
	// checked after allocation unless a pass set Low2GiB).
	AllocRange shared.ExecutorAddrRange
	// AllocActions are run at finalization (EH-frame registration, ...).
	AllocActions []shared.AllocActionPair
	// TLS describes the thread-local template once laid out (nil if the
	// graph has no TLS sections).
	TLS *TLSTemplate
	// TLSLayout is what the LinkContext chose for the TLS template.
	TLSLayout *TLSLayout
	// Inits and Finis are filled after fixups (before the PostFixup
	// passes): the constructor and destructor function addresses of this
	// graph, each in run order (see docs/JITLINK.md for merging graphs).
	Inits, Finis []InitFunc

	// Scratch lets passes keep per-graph state keyed by any value.
	Scratch map[any]any
	// ArchState is the architecture's passes' per-graph state (one
	// value: a map like Scratch costs every small graph's link a map).
	ArchState any
	// Sources are the objects the graph was read from, when a reader
	// kept them (objects with debug information; see SourceObject).
	Sources []*SourceObject

	externalTLS map[*Symbol]TLSRef

	symArena     []Symbol
	blkArena     []Block
	secArena     []Section // ReserveSections' room for sections
	nsyms, nblks int       // symbols and blocks taken from the arenas so far
	// symReserved, blkReserved: a reader reserved the graph's symbols
	// or blocks (ReserveSymbols, ReserveBlocks), so what is added after
	// is a pass's few (GOT entries, stubs).
	symReserved, blkReserved bool
}

// NewLinkGraph returns an empty graph.
func NewLinkGraph(name string, arch Arch) *LinkGraph {
	return &LinkGraph{Name: name, Arch: arch, Externals: make(map[string]*Symbol)}
}

// Symbols and blocks come from per-graph arenas whose chunks grow with
// the graph (16, 32, ... up to a cap): a small object does not pay for a
// large chunk, and every chunk is fresh memory the process must fault in.
// Past a reader's reservation, chunks are a quarter of the graph (at
// least 4): the passes add a few symbols and blocks per external (a GOT
// entry, a stub), and a lazily compiled function's graph of ten symbols
// took a chunk of 16 for its three.

// arenaChunk is the size of a graph's next arena chunk, n taken so far.
func arenaChunk(n int, reserved bool, limit int) int {
	if reserved {
		return min(max(n/4, 4), limit)
	}
	return min(max(n, 16), limit)
}

func (g *LinkGraph) newSymbol() *Symbol {
	if len(g.symArena) == 0 {
		g.symArena = make([]Symbol, arenaChunk(g.nsyms, g.symReserved, 256))
	}
	s := &g.symArena[0]
	g.symArena = g.symArena[1:]
	g.nsyms++
	return s
}

func (g *LinkGraph) newBlock() *Block {
	if len(g.blkArena) == 0 {
		g.blkArena = make([]Block, arenaChunk(g.nblks, g.blkReserved, 128))
	}
	b := &g.blkArena[0]
	g.blkArena = g.blkArena[1:]
	g.nblks++
	return b
}

// ReserveSymbols makes room for n more symbols in one allocation. A reader
// that knows how many symbols it will add (the ELF symbol table's size)
// calls it before adding them.
func (g *LinkGraph) ReserveSymbols(n int) {
	if n > len(g.symArena) {
		g.symArena = make([]Symbol, n)
	}
	g.symReserved = true
}

// ReserveBlocks makes room for n more blocks in one allocation, as
// ReserveSymbols does for symbols.
func (g *LinkGraph) ReserveBlocks(n int) {
	if n > len(g.blkArena) {
		g.blkArena = make([]Block, n)
	}
	g.blkReserved = true
}

// ReserveSections makes room for n more sections: the list and the
// sections themselves, one allocation each. A reader that knows how many
// sections it will add (and the passes' synthetic ones) calls it first.
func (g *LinkGraph) ReserveSections(n int) {
	g.Sections = slices.Grow(g.Sections, n)
	if n > len(g.secArena) {
		g.secArena = make([]Section, n)
	}
}

// AddSection appends a new section.
func (g *LinkGraph) AddSection(name string, prot shared.MemProt, flags SectionFlags) *Section {
	var s *Section
	if len(g.secArena) > 0 {
		s = &g.secArena[0]
		g.secArena = g.secArena[1:]
	} else {
		s = new(Section)
	}
	*s = Section{Name: name, Prot: prot, Flags: flags, Ordinal: len(g.Sections), Priority: 65535}
	s.Blocks = s.first[:0:1]
	g.Sections = append(g.Sections, s)
	return s
}

// FindSection returns the first section called name, or nil.
func (g *LinkGraph) FindSection(name string) *Section {
	for _, s := range g.Sections {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// AddContentBlock appends a block with content to sec. The content is not
// copied.
func (g *LinkGraph) AddContentBlock(sec *Section, content []byte, align, alignOfs uint64) *Block {
	b := g.newBlock()
	*b = Block{Section: sec, Content: content, Size: uint64(len(content)), Align: align, AlignOfs: alignOfs}
	if b.Content == nil {
		b.Content = []byte{}
	}
	sec.Blocks = append(sec.Blocks, b)
	return b
}

// AddMutableContentBlock is AddContentBlock for content the graph owns
// (passes may edit it without copying).
func (g *LinkGraph) AddMutableContentBlock(sec *Section, content []byte, align, alignOfs uint64) *Block {
	b := g.AddContentBlock(sec, content, align, alignOfs)
	b.ownMem = true
	return b
}

// AddZeroFillBlock appends a zero-fill block to sec.
func (g *LinkGraph) AddZeroFillBlock(sec *Section, size, align, alignOfs uint64) *Block {
	b := g.newBlock()
	*b = Block{Section: sec, Size: size, Align: align, AlignOfs: alignOfs}
	sec.Blocks = append(sec.Blocks, b)
	return b
}

// AddDefinedSymbol defines a symbol at off in b.
func (g *LinkGraph) AddDefinedSymbol(b *Block, off uint64, name string, size uint64, l Linkage, s Scope, callable, live bool) *Symbol {
	sym := g.newSymbol()
	*sym = Symbol{Name: name, Block: b, Offset: off, Size: size, Kind: SymDefined, Linkage: l, Scope: s, Callable: callable, Live: live}
	if b.Section.Has(SectionTLS) {
		sym.TLS = true
	}
	g.Symbols = append(g.Symbols, sym)
	return sym
}

// AddAnonymousSymbol defines a local, unnamed symbol at off in b.
func (g *LinkGraph) AddAnonymousSymbol(b *Block, off, size uint64) *Symbol {
	return g.AddDefinedSymbol(b, off, "", size, LinkageStrong, ScopeLocal, false, false)
}

// AddExternalSymbol returns the external symbol called name, creating it.
// A reference is weak only if every reference is weak.
func (g *LinkGraph) AddExternalSymbol(name string, weak bool) *Symbol {
	if s, ok := g.Externals[name]; ok {
		if !weak {
			s.WeakRef = false
		}
		return s
	}
	sym := g.newSymbol()
	*sym = Symbol{Name: name, Kind: SymExternal, WeakRef: weak, Scope: ScopeDefault}
	g.Externals[name] = sym
	return sym
}

// AddAbsoluteSymbol adds a symbol with a fixed address.
func (g *LinkGraph) AddAbsoluteSymbol(name string, addr shared.ExecutorAddr, l Linkage, s Scope, live bool) *Symbol {
	sym := g.newSymbol()
	*sym = Symbol{Name: name, Kind: SymAbsolute, Addr: addr, Linkage: l, Scope: s, Live: live}
	g.Absolutes = append(g.Absolutes, sym)
	return sym
}

// MakeExternal turns a defined or absolute symbol into a reference to an
// external definition of the same name (the adapter does this when another
// object's definition wins: weak, COMDAT, common). Edges that pointed at
// sym now resolve through the lookup. If the graph already has an external
// of that name, edges are redirected to it.
func (g *LinkGraph) MakeExternal(sym *Symbol) error {
	if sym.Name == "" {
		return fmt.Errorf("jitlink: %s: cannot make an anonymous symbol external", g.Name)
	}
	if sym.Kind == SymExternal {
		return nil
	}
	g.removeDefined(sym)
	if ext, ok := g.Externals[sym.Name]; ok && ext != sym {
		g.RedirectEdges(sym, ext)
		return nil
	}
	sym.Kind = SymExternal
	sym.Block = nil
	sym.Offset = 0
	sym.Live = false
	sym.WeakRef = false
	sym.Scope = ScopeDefault
	g.Externals[sym.Name] = sym
	return nil
}

// DefineExternal turns an external symbol into a definition at off in b
// (used for __start_/__stop_ and _GLOBAL_OFFSET_TABLE_).
func (g *LinkGraph) DefineExternal(sym *Symbol, b *Block, off uint64, l Linkage, s Scope) {
	delete(g.Externals, sym.Name)
	sym.Kind = SymDefined
	sym.Block = b
	sym.Offset = off
	sym.Linkage = l
	sym.Scope = s
	sym.WeakRef = false
	if b.Section.Has(SectionTLS) {
		sym.TLS = true
	}
	g.Symbols = append(g.Symbols, sym)
}

func (g *LinkGraph) removeDefined(sym *Symbol) {
	for i, s := range g.Symbols {
		if s == sym {
			g.Symbols = append(g.Symbols[:i], g.Symbols[i+1:]...)
			return
		}
	}
	for i, s := range g.Absolutes {
		if s == sym {
			g.Absolutes = append(g.Absolutes[:i], g.Absolutes[i+1:]...)
			return
		}
	}
}

// RedirectEdges makes every edge that targets from target to instead.
func (g *LinkGraph) RedirectEdges(from, to *Symbol) {
	for _, sec := range g.Sections {
		for _, b := range sec.Blocks {
			for i := range b.Edges {
				if b.Edges[i].Target == from {
					b.Edges[i].Target = to
				}
			}
		}
	}
}

// ResizeCommon grows a common block to size and align (the adapter calls
// it so that the chosen copy of a common symbol has the largest size and
// alignment seen across objects).
func (g *LinkGraph) ResizeCommon(sym *Symbol, size, align uint64) error {
	if !sym.IsCommon() {
		return fmt.Errorf("jitlink: %s: symbol %s is not common", g.Name, diag.Clip(sym.Name))
	}
	if align == 0 || align&(align-1) != 0 {
		return fmt.Errorf("jitlink: %s: common %s: alignment %d is not a power of two", g.Name, diag.Clip(sym.Name), align)
	}
	if size > sym.Block.Size {
		sym.Block.Size = size
		sym.Size = size
	}
	if align > sym.Block.Align {
		sym.Block.Align = align
	}
	return nil
}

// FindSymbol returns the defined or absolute symbol called name, or nil;
// a non-local definition is preferred over local ones.
func (g *LinkGraph) FindSymbol(name string) *Symbol {
	var local *Symbol
	for _, s := range g.Symbols {
		if s.Name == name {
			if s.Scope != ScopeLocal {
				return s
			}
			if local == nil {
				local = s
			}
		}
	}
	if local != nil {
		return local
	}
	for _, s := range g.Absolutes {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// EdgeKindName names k using the graph's architecture.
func (g *LinkGraph) EdgeKindName(k EdgeKind) string {
	switch k {
	case KindKeepAlive:
		return "KeepAlive"
	}
	if g.Arch != nil {
		return g.Arch.EdgeKindName(k)
	}
	return fmt.Sprintf("kind(%d)", k)
}

// EHFrameRange returns the laid-out range of the graph's .eh_frame data
// (zero if none). Valid after allocation.
func (g *LinkGraph) EHFrameRange() shared.ExecutorAddrRange {
	for _, s := range g.Sections {
		if s.Has(SectionEHFrame) && len(s.Blocks) > 0 {
			return s.Range()
		}
	}
	return shared.ExecutorAddrRange{}
}

// blocksInOrder returns the section's blocks sorted by input order.
func sortBlocks(bs []*Block) {
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].Ordinal < bs[j].Ordinal })
}

// RelocationInfo says how an object reader turns one relocation type of
// an architecture into an edge. Architectures publish a table of them
// indexed by relocation type (see jitlink/elf's Arch); the zero value
// (Kind KindInvalid) marks an unsupported type.
type RelocationInfo struct {
	// Kind is the edge kind the relocation becomes.
	Kind EdgeKind
	// Size is the width in bytes of the field the relocation writes.
	Size uint8
	// Low2GiB: the relocation writes a 32-bit absolute address, so the
	// graph must be placed below 2 GiB (LinkGraph.Low2GiB).
	Low2GiB bool
}

// IFuncArch is implemented by architectures that can link GNU indirect
// functions (STT_GNU_IFUNC symbols, IR ifuncs): a symbol whose address
// is that of a resolver, a function that returns the address callers
// must reach.
type IFuncArch interface {
	// AddIFuncStub adds to codeSec a callable stub standing for the
	// indirect function whose resolver is resolver (a symbol of g,
	// defined in it or external: it is called through a slot), and
	// to ptrSec (writable) the stub's pointer slot. The stub jumps
	// through the slot; the slot first points to code in the stub that
	// saves the argument registers, calls the resolver once, stores its
	// result in the slot and jumps there. It returns the stub's
	// anonymous, non-live, callable symbol; the caller names it.
	AddIFuncStub(g *LinkGraph, codeSec, ptrSec *Section, resolver *Symbol) *Symbol
}
