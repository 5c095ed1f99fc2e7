package elf

import (
	"debug/elf"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/objfile/elfw"
	"github.com/gorc-jit/gorc/shared"
)

// FromWriter builds the link graph of the object that w describes — the
// graph Parse(name, bytes) gives for bytes from w.Bytes() — straight from
// the writer's sections, symbols and relocations, without serializing
// and re-reading the object. The JIT hands the backend's objects to the
// linker this way; objects that are written out (-emit obj, the code
// cache, compile workers) still go through Bytes and Parse.
//
// The graph's block contents alias the writer's section data, which must
// not change afterwards. Bad input (fields of the writer's exported
// structs set to values its methods would refuse) yields a *FormatError
// naming the section or symbol, as Parse would for the written object.
// An object with DWARF sections (.debug_*) is serialized and parsed, so
// that the graph keeps its source for the GDB plugin as Parse's does.
func FromWriter(name string, w *elfw.Writer) (*jitlink.LinkGraph, error) {
	if w == nil {
		return nil, &FormatError{File: name, Msg: "nil object writer"}
	}
	if err := w.Err(); err != nil {
		return nil, fmt.Errorf("elf: %s: %w", name, err)
	}
	for _, s := range w.Sections() {
		if n := cname(s.Name); strings.HasPrefix(n, ".debug_") || strings.HasPrefix(n, ".zdebug_") {
			data, err := w.Bytes()
			if err != nil {
				return nil, fmt.Errorf("elf: %s: %w", name, err)
			}
			return Parse(name, data)
		}
	}
	a, err := ArchFor(elf.EM_X86_64) // elfw writes x86-64 objects
	if err != nil {
		return nil, &FormatError{File: name, Offset: 18, Msg: err.Error()}
	}
	d := directs.Get().(*direct)
	d.file, d.w, d.arch, d.relTab, d.g = name, w, a, a.ELFRelocations(), jitlink.NewLinkGraph(name, a)
	err = d.build()
	g := d.g
	d.release()
	if err != nil {
		return nil, err
	}
	return g, nil
}

// directs holds FromWriter's scratch between objects: a JIT compiling
// one function at a time builds a graph per first call, and the lists of
// sections, blocks and symbols below are the graph builder's own (the
// graph keeps none of them), so they serve the next object instead of
// being allocated for each (6 allocations of a one-function object's).
var directs = sync.Pool{New: func() any { return new(direct) }}

// release empties d, keeping its lists' memory, and puts it back in
// directs.
func (d *direct) release() {
	for i := range d.secs {
		s := &d.secs[i]
		clear(s.blocks)
		*s = dsec{blocks: s.blocks[:0]}
	}
	d.secs = d.secs[:0]
	clear(d.syms)
	d.syms = d.syms[:0]
	*d = direct{secs: d.secs, syms: d.syms}
	directs.Put(d)
}

// cname is a name as the string table gives it back: up to its first NUL.
func cname(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// dsec is what FromWriter knows of one of the writer's sections.
type dsec struct {
	src    *elfw.Section
	name   string
	sec    *jitlink.Section
	blocks []*jitlink.Block // sorted by Ordinal
	secSym *jitlink.Symbol
	nrel   int
	isEH   bool
	kept   bool
	// ehWhole, ehCode: as the reader's shdr fields (ehWhole).
	ehWhole bool
	ehCode  [2]int
}

type direct struct {
	file   string
	w      *elfw.Writer
	arch   Arch
	relTab []jitlink.RelocationInfo
	g      *jitlink.LinkGraph
	secs   []dsec
	index  map[*elfw.Section]int // nil for a few sections: secIndex searches
	syms   []*jitlink.Symbol     // by elfw.SymID
	// startStop: an undefined symbol is named __start_X or __stop_X
	// (jitlink.DefineStartStop may define it).
	startStop bool
	common    *jitlink.Section // .bss.common, made for the first common symbol
}

func (d *direct) secErr(i int, off uint64, format string, args ...any) error {
	name := fmt.Sprintf("#%d", i+1)
	if i >= 0 && i < len(d.secs) && d.secs[i].name != "" {
		name = d.secs[i].name
	}
	return &FormatError{File: d.file, Section: name, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// symErr reports a bad symbol; Offset is the symbol's id.
func (d *direct) symErr(id int, format string, args ...any) error {
	return &FormatError{File: d.file, Section: ".symtab", Offset: uint64(id), Msg: fmt.Sprintf(format, args...)}
}

func (d *direct) build() error {
	ws := d.w.Sections()
	if n := len(ws); cap(d.secs) < n {
		d.secs = append(d.secs[:cap(d.secs)], make([]dsec, n-cap(d.secs))...)
	}
	d.secs = d.secs[:len(ws)]
	if len(ws) > smallSections {
		d.index = make(map[*elfw.Section]int, len(ws))
	}
	for i, s := range ws {
		if s == nil {
			return d.secErr(i, 0, "nil section")
		}
		d.secs[i] = dsec{src: s, name: cname(s.Name), blocks: d.secs[i].blocks[:0]}
		if d.index != nil {
			d.index[s] = i
		}
	}
	d.reserve()
	if err := d.sections(); err != nil {
		return err
	}
	if err := d.symbols(); err != nil {
		return err
	}
	if err := d.relocations(); err != nil {
		return err
	}
	if err := d.ehFrames(); err != nil {
		return err
	}
	if d.startStop {
		jitlink.DefineStartStop(d.g)
	}
	return nil
}

// smallSections: a writer with at most this many sections (a compiled
// function's object has three or four) is searched for a section's index
// instead of indexed by a map.
const smallSections = 16

// secIndex returns the index of the writer's section s.
func (d *direct) secIndex(s *elfw.Section) (int, bool) {
	if d.index != nil {
		k, ok := d.index[s]
		return k, ok
	}
	for k := range d.secs {
		if d.secs[k].src == s {
			return k, true
		}
	}
	return 0, false
}

// reserve sizes the graph's blocks and symbols for the object in one
// allocation each (at most a few too many): a JIT's object of one small
// function has four or five blocks and about as many symbols, which the
// graph's growing arenas would otherwise allocate in chunks of 16.
func (d *direct) reserve() {
	unwind := d.arch.ELFUnwindSectionType()
	nb, ns, nsec := 0, len(d.w.Symbols()), 0
	for i := range d.secs {
		src := d.secs[i].src
		if src.Flags&elf.SHF_ALLOC == 0 {
			continue
		}
		nsec++
		if (unwind != 0 && src.Type == unwind) || d.secs[i].name == ".eh_frame" {
			if code, ok := d.ehWhole(i); ok {
				// The records and a terminator; a symbol for each.
				d.secs[i].ehWhole, d.secs[i].ehCode = true, code
				nb += 2
				ns += 2
				continue
			}
			// A block per CIE or FDE and a terminator; an anonymous
			// symbol for each, and one for each FDE's keep-alive edge.
			n := ehRecords(src.Data) + 1
			nb += n
			ns += 2 * n
			continue
		}
		nb++
		ns++ // its section symbol
	}
	d.g.ReserveBlocks(nb)
	d.g.ReserveSymbols(ns)
	// (And the GOT's and the stubs' sections, which a compiled
	// function's calls usually need.)
	d.g.ReserveSections(nsec + 2)
	d.g.Symbols = slices.Grow(d.g.Symbols, ns)
}

// ehRecords counts the CIE and FDE records of .eh_frame contents (up to
// the first record that is malformed, which splitEH reports).
func ehRecords(c []byte) int {
	n := 0
	for pos := 0; len(c)-pos >= 4; n++ {
		length := int(le.Uint32(c[pos:]))
		if length == 0 || length == 0xffffffff || length > len(c)-pos-4 {
			return n + 1
		}
		pos += length + 4
	}
	return n
}

// sections mirrors reader.sections for the section types a Writer makes.
func (d *direct) sections() error {
	unwind := d.arch.ELFUnwindSectionType()
	named := map[string]*jitlink.Section{}
	for i := range d.secs {
		s := &d.secs[i]
		src := s.src
		switch src.Type {
		case elf.SHT_PROGBITS, elf.SHT_NOBITS, elf.SHT_NOTE, elf.SHT_INIT_ARRAY, elf.SHT_FINI_ARRAY:
		default:
			if unwind == 0 || src.Type != unwind {
				return d.secErr(i, 0, "section type %s cannot be linked from an object writer", sectionTypeName(src.Type))
			}
		}
		if src.Flags&elf.SHF_ALLOC == 0 || src.Flags&shfExcl != 0 || src.Type == elf.SHT_NOTE {
			continue
		}
		align := src.Align
		if align == 0 {
			align = 1
		}
		if align&(align-1) != 0 {
			return d.secErr(i, 0, "alignment %d is not a power of two", src.Align)
		}
		if align > 1<<16 {
			return d.secErr(i, 0, "alignment %d too large", src.Align)
		}
		size := uint64(len(src.Data))
		if src.Type == elf.SHT_NOBITS {
			size = src.Size
			if size > maxZeroFill {
				return d.secErr(i, 0, "zero-fill size %#x too large", size)
			}
		}
		prot := shared.ProtRead
		if src.Flags&elf.SHF_WRITE != 0 {
			prot |= shared.ProtWrite
		}
		if src.Flags&elf.SHF_EXECINSTR != 0 {
			if prot&shared.ProtWrite != 0 {
				return d.secErr(i, 0, "section is writable and executable (W^X)")
			}
			prot |= shared.ProtExec
		}
		var flags jitlink.SectionFlags
		prio := uint32(65535)
		name := s.name
		if p, ok := parsePrio(name, ".init_array"); ok || src.Type == elf.SHT_INIT_ARRAY {
			flags |= jitlink.SectionInitArray | jitlink.SectionKeepAlive
			if ok {
				prio = p
			}
		} else if p, ok := parsePrio(name, ".fini_array"); ok || src.Type == elf.SHT_FINI_ARRAY {
			flags |= jitlink.SectionFiniArray | jitlink.SectionKeepAlive
			if ok {
				prio = p
			}
		} else if name == ".preinit_array" {
			flags |= jitlink.SectionPreinitArray | jitlink.SectionKeepAlive
		} else if p, ok := parsePrio(name, ".ctors"); ok {
			flags |= jitlink.SectionCtors | jitlink.SectionKeepAlive
			if name != ".ctors" {
				prio = 65535 - p
			}
		} else if p, ok := parsePrio(name, ".dtors"); ok {
			flags |= jitlink.SectionDtors | jitlink.SectionKeepAlive
			if name != ".dtors" {
				prio = 65535 - p
			}
		} else if (src.Type == unwind && unwind != 0) || name == ".eh_frame" {
			flags |= jitlink.SectionEHFrame
			s.isEH = true
		}
		if src.Flags&elf.SHF_TLS != 0 {
			flags |= jitlink.SectionTLS
		}
		if src.Flags&(elf.SHF_MERGE|elf.SHF_STRINGS) == elf.SHF_MERGE|elf.SHF_STRINGS {
			flags |= jitlink.SectionMergeStrings
		}
		if src.Flags&shfRetain != 0 || jitlink.IsCIdentifier(name) {
			flags |= jitlink.SectionKeepAlive
		}
		var sec *jitlink.Section
		if !s.isEH {
			if ex := named[name]; ex != nil && ex.Prot == prot && ex.Flags == flags && ex.Priority == prio {
				sec = ex
			}
		}
		if sec == nil {
			sec = d.g.AddSection(name, prot, flags)
			sec.Priority = prio
			if !s.isEH && named[name] == nil {
				named[name] = sec
			}
		}
		s.sec = sec
		s.kept = true
		if s.isEH {
			continue
		}
		var b *jitlink.Block
		if src.Type == elf.SHT_NOBITS {
			b = d.g.AddZeroFillBlock(sec, size, align, 0)
		} else {
			b = d.g.AddContentBlock(sec, src.Data[:len(src.Data):len(src.Data)], align, 0)
		}
		s.blocks = append(s.blocks[:0], b)
	}
	// Count relocations per target section to size edge slices once (the
	// .eh_frame's relocations also give their targets a keep-alive edge).
	syms := d.w.Symbols()
	for i := range d.secs {
		s := &d.secs[i]
		n := len(s.src.Relocs)
		if n == 0 {
			continue
		}
		s.nrel += n
		if s.isEH && s.ehWhole {
			for _, c := range s.ehCode {
				if c >= 0 {
					d.secs[c].nrel++ // its keep-alive edge
				}
			}
		} else if s.isEH {
			for _, r := range s.src.Relocs {
				if r.Sym >= 0 && int(r.Sym) < len(syms) {
					if k, ok := d.secIndex(syms[r.Sym].Section); ok {
						d.secs[k].nrel++
					}
				}
			}
		}
	}
	for i := range d.secs {
		s := &d.secs[i]
		if s.kept && s.isEH && s.ehWhole {
			d.wholeEH(i)
		} else if s.kept && s.isEH {
			if err := d.splitEH(i); err != nil {
				return err
			}
		} else if s.kept && s.nrel > 0 && s.src.Type != elf.SHT_NOBITS {
			s.blocks[0].Edges = make([]jitlink.Edge, 0, min(s.nrel, 1<<20))
		}
	}
	return nil
}

// ehWhole mirrors reader.ehWhole for .eh_frame section i of the writer
// (called before sections(), so it reads the code sections' flags rather
// than their kept state).
func (d *direct) ehWhole(i int) (code [2]int, ok bool) {
	no := [2]int{-1, -1}
	src := d.secs[i].src
	rel := src.Relocs
	c := src.Data
	if src.Type == elf.SHT_NOBITS || len(rel) == 0 || len(c) == 0 {
		return no, false
	}
	syms := d.w.Symbols()
	unwind := d.arch.ELFUnwindSectionType()
	code = no
	k := 0 // the next relocation
	for pos := uint64(0); pos < uint64(len(c)); {
		if uint64(len(c))-pos < 8 {
			return no, false
		}
		length := uint64(le.Uint32(c[pos:]))
		if length == 0 || length == 0xffffffff || length < 4 || uint64(len(c))-pos-4 < length {
			return no, false
		}
		if le.Uint32(c[pos+4:]) != 0 { // an FDE
			if k >= len(rel) || length < 12 {
				return no, false
			}
			r := rel[k]
			k++
			if r.Offset != pos+8 || r.Sym < 0 || int(r.Sym) >= len(syms) || syms[r.Sym].Section == nil {
				return no, false
			}
			shndx, found := d.secIndex(syms[r.Sym].Section)
			if !found {
				return no, false
			}
			t := d.secs[shndx].src
			if t.Type != elf.SHT_PROGBITS || t.Flags&elf.SHF_ALLOC == 0 || t.Flags&shfExcl != 0 || t.Flags&elf.SHF_EXECINSTR == 0 ||
				d.secs[shndx].name == ".eh_frame" || (unwind != 0 && t.Type == unwind) {
				return no, false
			}
			switch {
			case shndx == code[0] || shndx == code[1]:
			case d.secs[shndx].name == ".text.unlikely" && code[1] < 0:
				code[1] = shndx
			case code[0] < 0:
				code[0] = shndx
			default:
				return no, false
			}
		} else if k < len(rel) && rel[k].Offset < pos+4+length {
			return no, false // a CIE with a relocation
		}
		pos += 4 + length
	}
	if k != len(rel) || code[0] < 0 && code[1] < 0 {
		return no, false
	}
	return code, true
}

// wholeEH mirrors reader.wholeEH.
func (d *direct) wholeEH(i int) {
	s := &d.secs[i]
	c := s.src.Data[:len(s.src.Data):len(s.src.Data)]
	align := s.src.Align
	if align == 0 {
		align = 1
	}
	s.blocks = appendWholeEH(d.g, s.sec, c, align, s.nrel, s.blocks)
}

// splitEH splits an .eh_frame section into its CIE and FDE records, as
// reader.splitEH does.
func (d *direct) splitEH(i int) error {
	s := &d.secs[i]
	if s.src.Type == elf.SHT_NOBITS {
		return d.secErr(i, 0, ".eh_frame must have contents")
	}
	c := s.src.Data[:len(s.src.Data):len(s.src.Data)]
	align := s.src.Align
	if align == 0 {
		align = 1
	}
	// Each FDE gets its PC-begin relocation's edge and the CIE pointer's
	// (ehFrames): both from one array, not an allocation per record.
	pool := make([]jitlink.Edge, 2*min(len(s.src.Relocs), 1<<20)+2)
	pos := uint64(0)
	for pos < uint64(len(c)) {
		if uint64(len(c))-pos < 4 {
			return d.secErr(i, pos, "truncated CIE/FDE length")
		}
		length := uint64(le.Uint32(c[pos:]))
		if length == 0xffffffff {
			return d.secErr(i, pos, "64-bit DWARF CIE/FDE records are not supported")
		}
		size := length + 4
		if length == 0 {
			size = uint64(len(c)) - pos
		} else if length < 4 || uint64(len(c))-pos < size {
			return d.secErr(i, pos, "CIE/FDE record length %d runs past the end of the section (%d bytes)", length, len(c))
		}
		a := uint64(1)
		if pos == 0 {
			a = align
		}
		b := d.g.AddContentBlock(s.sec, c[pos:pos+size], a, 0)
		b.Ordinal = pos
		s.blocks = append(s.blocks, b)
		if length >= 8 && le.Uint32(c[pos+4:]) != 0 && len(pool) >= 2 {
			b.Edges, pool = pool[:0:2], pool[2:]
		}
		if length == 0 {
			d.g.AddAnonymousSymbol(b, 0, size).Live = true
		}
		pos += size
	}
	if n := len(s.blocks); n == 0 || le.Uint32(s.blocks[n-1].Content) != 0 {
		b := d.g.AddMutableContentBlock(s.sec, make([]byte, 4), 1, 0)
		b.Ordinal = pos
		s.blocks = append(s.blocks, b)
		d.g.AddAnonymousSymbol(b, 0, 4).Live = true
	}
	return nil
}

// blockNear returns blockAt's answer for off when it is bs[h] or bs[h+1]
// (bs sorted by Ordinal), with the index found; nil when it is neither.
func blockNear(bs []*jitlink.Block, h int, off uint64) (*jitlink.Block, int) {
	for k := h; k < len(bs) && k <= h+1; k++ {
		b := bs[k]
		if b.Ordinal > off {
			return nil, h
		}
		if k+1 < len(bs) && bs[k+1].Ordinal <= off {
			continue
		}
		if off-b.Ordinal > b.Size {
			return nil, h
		}
		return b, k
	}
	return nil, h
}

// blockAt finds the block of section i containing offset off (off may be
// the end of the last block).
func (d *direct) blockAt(i int, off uint64) *jitlink.Block {
	bs := d.secs[i].blocks
	if len(bs) == 1 {
		if off <= bs[0].Size {
			return bs[0]
		}
		return nil
	}
	k := sort.Search(len(bs), func(j int) bool { return bs[j].Ordinal > off }) - 1
	if k < 0 {
		return nil
	}
	b := bs[k]
	if off-b.Ordinal > b.Size {
		return nil
	}
	return b
}

// secSize is the size of section i as its header would give it.
func (d *direct) secSize(i int) uint64 {
	if src := d.secs[i].src; src.Type == elf.SHT_NOBITS {
		return src.Size
	}
	return uint64(len(d.secs[i].src.Data))
}

// symbols mirrors reader.symbols in the order Bytes writes the symbol
// table: the local symbols first, then the global and weak ones.
func (d *direct) symbols() error {
	syms := d.w.Symbols()
	d.syms = slices.Grow(d.syms[:0], len(syms))[:len(syms)]
	clear(d.syms)
	undef := 0
	for k := range syms {
		if syms[k].Section == nil && !syms[k].Common && syms[k].Bind != elfw.BindLocal {
			undef++
		}
	}
	d.g.Externals = make(map[string]*jitlink.Symbol, undef)
	for pass := 0; pass < 2; pass++ {
		for id := range syms {
			s := &syms[id]
			if (s.Bind == elfw.BindLocal) != (pass == 0) {
				continue
			}
			if err := d.symbol(id, s); err != nil {
				return err
			}
		}
	}
	dropIFuncKeys(d.g)
	return nil
}

func (d *direct) symbol(id int, s *elfw.Symbol) error {
	name := ""
	if s.Type != elfw.TypeSection {
		name = cname(s.Name)
	}
	switch s.Bind {
	case elfw.BindLocal, elfw.BindGlobal, elfw.BindWeak:
	default:
		return d.symErr(id, "symbol %d (%s): unsupported binding %d", id, name, s.Bind)
	}
	switch s.Type {
	case elfw.TypeNone, elfw.TypeObject, elfw.TypeFunc, elfw.TypeSection, elfw.TypeTLS, elfw.TypeIFunc:
	default:
		return d.symErr(id, "symbol %d (%s): unsupported type %d", id, name, s.Type)
	}
	scope := jitlink.ScopeDefault
	switch {
	case s.Bind == elfw.BindLocal:
		scope = jitlink.ScopeLocal
	case elf.SymVis(s.Visibility&3) == elf.STV_HIDDEN || elf.SymVis(s.Visibility&3) == elf.STV_INTERNAL:
		scope = jitlink.ScopeHidden
	}
	linkage := jitlink.LinkageStrong
	if s.Bind == elfw.BindWeak {
		linkage = jitlink.LinkageWeak
	}
	if s.Common {
		// As the reader makes an SHN_COMMON symbol (reader.symbols).
		if s.Value == 0 || s.Value&(s.Value-1) != 0 || s.Value > 1<<16 {
			return d.symErr(id, "symbol %d (%s): common alignment %d is not a power of two", id, name, s.Value)
		}
		if s.Size > maxZeroFill {
			return d.symErr(id, "symbol %d (%s): common size %#x too large", id, name, s.Size)
		}
		if d.common == nil {
			d.common = d.g.AddSection(".bss.common", shared.ProtRead|shared.ProtWrite, 0)
		}
		b := d.g.AddZeroFillBlock(d.common, s.Size, s.Value, 0)
		b.Flags |= jitlink.BlockCommon
		d.syms[id] = d.g.AddDefinedSymbol(b, 0, name, s.Size, jitlink.LinkageWeak, scope, false, true)
		return nil
	}
	if s.Section == nil {
		if s.Bind == elfw.BindLocal {
			if name == "" {
				return nil
			}
			return d.symErr(id, "symbol %d (%s): undefined local symbol", id, name)
		}
		if name == "" {
			return d.symErr(id, "symbol %d: undefined symbol without a name", id)
		}
		d.syms[id] = d.g.AddExternalSymbol(name, s.Bind == elfw.BindWeak)
		if s.Type == elfw.TypeTLS {
			d.syms[id].TLS = true
		}
		if strings.HasPrefix(name, "__st") {
			d.startStop = true
		}
		return nil
	}
	k, ok := d.secIndex(s.Section)
	if !ok {
		return d.symErr(id, "symbol %d (%s): section %s belongs to another writer", id, name, s.Section.Name)
	}
	sh := &d.secs[k]
	if s.Value+s.Size > d.secSize(k) || s.Value+s.Size < s.Value {
		// Bytes refuses it.
		return d.symErr(id, "symbol %d (%s): value %#x size %#x exceeds section %s (size %#x)", id, name, s.Value, s.Size, sh.name, d.secSize(k))
	}
	if !sh.kept {
		return nil // symbol in a non-allocated section
	}
	if s.Type == elfw.TypeSection {
		if sh.secSym == nil && len(sh.blocks) > 0 {
			sh.secSym = d.g.AddAnonymousSymbol(sh.blocks[0], 0, 0)
		}
		d.syms[id] = sh.secSym
		return nil
	}
	b := d.blockAt(k, s.Value)
	if b == nil {
		return d.symErr(id, "symbol %d (%s): value %#x is outside section %s (%d bytes)", id, name, s.Value, sh.name, d.secSize(k))
	}
	if s.Type == elfw.TypeTLS && s.Section.Flags&elf.SHF_TLS == 0 {
		return d.symErr(id, "symbol %d (%s): thread-local symbol in non-TLS section %s", id, name, sh.name)
	}
	if name == "" {
		scope = jitlink.ScopeLocal
	}
	if s.Type == elfw.TypeIFunc {
		if s.Section.Flags&elf.SHF_EXECINSTR == 0 {
			return d.symErr(id, "symbol %d (%s): STT_GNU_IFUNC resolver in non-code section %s", id, name, sh.name)
		}
		is, err := addIFunc(d.g, b, s.Value-b.Ordinal, name, linkage, scope, s.Bind != elfw.BindLocal)
		if err != nil {
			return d.symErr(id, "symbol %d (%s): STT_GNU_IFUNC: %v", id, name, err)
		}
		d.syms[id] = is
		return nil
	}
	d.syms[id] = d.g.AddDefinedSymbol(b, s.Value-b.Ordinal, name, s.Size, linkage, scope,
		s.Type == elfw.TypeFunc, s.Bind != elfw.BindLocal)
	return nil
}

// relocations mirrors reader.relocations.
func (d *direct) relocations() error {
	for ti := range d.secs {
		t := &d.secs[ti]
		rel := t.src.Relocs
		if len(rel) == 0 || !t.kept {
			continue
		}
		if t.src.Type == elf.SHT_NOBITS {
			return d.secErr(ti, 0, "relocations applied to zero-fill section %s", t.name)
		}
		size := uint64(len(t.src.Data))
		hint := 0 // relocations usually come in offset order: try the last block and the next first
		for k, r := range rel {
			rt := uint32(r.Type)
			if rt == 0 {
				continue
			}
			var ri jitlink.RelocationInfo
			if uint64(rt) < uint64(len(d.relTab)) {
				ri = d.relTab[rt]
			}
			if ri.Kind == jitlink.KindInvalid {
				return d.secErr(ti, r.Offset, "%s (relocation %d in .rela%s)", d.arch.ELFUnsupportedRelocation(rt), k, t.src.Name)
			}
			typ := relName{d.arch, rt}
			if r.Sym < 0 || int(r.Sym) >= len(d.syms) {
				return d.secErr(ti, r.Offset, "%v: symbol id %d out of range (%d symbols)", typ, r.Sym, len(d.syms))
			}
			target := d.syms[r.Sym]
			if target == nil {
				return d.secErr(ti, r.Offset, "%v: refers to symbol %d (%q) in a section that is not loaded", typ, r.Sym, cname(d.w.Symbols()[r.Sym].Name))
			}
			if r.Offset > size || size-r.Offset < uint64(ri.Size) {
				return d.secErr(ti, r.Offset, "%v: fixup extends past the end of the section (%d bytes)", typ, size)
			}
			b := t.blocks[0]
			if len(t.blocks) > 1 {
				b, hint = blockNear(t.blocks, hint, r.Offset)
				if b == nil {
					b = d.blockAt(ti, r.Offset)
				}
			}
			if b == nil || r.Offset-b.Ordinal+uint64(ri.Size) > b.Size {
				return d.secErr(ti, r.Offset, "%v: fixup straddles a record boundary", typ)
			}
			if ri.Low2GiB {
				d.g.Low2GiB = true
			}
			b.Edges = append(b.Edges, jitlink.Edge{Kind: ri.Kind, Offset: r.Offset - b.Ordinal, Target: target, Addend: r.Addend})
		}
	}
	return nil
}

// ehFrames mirrors reader.ehFrames: each FDE points at its CIE, and its
// function keeps it alive.
func (d *direct) ehFrames() error {
	// One anonymous symbol per CIE, shared by its FDEs' CIE edges, as the
	// reader makes it.
	var lastCIE *jitlink.Block
	var lastCIESym *jitlink.Symbol
	lastCIESec := -1
	for i := range d.secs {
		s := &d.secs[i]
		if !s.kept || !s.isEH {
			continue
		}
		if s.ehWhole {
			keepWholeRecords(d.g, s.blocks[0], s.ehCode, func(c int) []*jitlink.Block { return d.secs[c].blocks })
			continue
		}
		for _, b := range s.blocks {
			c := b.Content
			if len(c) < 8 || le.Uint32(c) == 0 {
				continue
			}
			id := le.Uint32(c[4:])
			if id == 0 {
				continue // CIE
			}
			ptr := b.Ordinal + 4
			if uint64(id) > ptr {
				return d.secErr(i, ptr, "FDE's CIE pointer %#x points before the section", id)
			}
			var cie *jitlink.Block
			if lastCIE != nil && lastCIESec == i && lastCIE.Ordinal == ptr-uint64(id) {
				cie = lastCIE // checked when it was first found
			} else {
				cie = d.blockAt(i, ptr-uint64(id))
			}
			if cie == nil || cie.Ordinal != ptr-uint64(id) || len(cie.Content) < 8 || le.Uint32(cie.Content[4:]) != 0 {
				return d.secErr(i, ptr, "FDE's CIE pointer %#x does not point at a CIE", id)
			}
			if cie != lastCIE {
				lastCIE, lastCIESym, lastCIESec = cie, d.g.AddAnonymousSymbol(cie, 0, 0), i
			}
			b.Edges = append(b.Edges, jitlink.Edge{Kind: d.arch.ELFCIEPointerKind(), Offset: 4, Target: lastCIESym})
			var fn *jitlink.Symbol
			for _, e := range b.Edges {
				if e.Offset == 8 {
					fn = e.Target
				}
			}
			if fn == nil {
				continue
			}
			if fn.Kind == jitlink.SymDefined {
				fn.Block.AddEdge(jitlink.KindKeepAlive, 0, d.g.AddAnonymousSymbol(b, 0, 0), 0)
			}
		}
	}
	return nil
}
