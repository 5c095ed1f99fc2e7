// Package elf reads ELF64 relocatable objects (ET_REL, as gcc and g++
// produce them) into jitlink link graphs. The reader knows the ELF format;
// what a relocation type means is the architecture's (Arch), found from
// the object's e_machine among the architectures registered with
// RegisterArch (package target registers x86-64).
//
// The reader does all its own bounds checking: malformed input yields a
// *FormatError naming the file, section and offset; it never panics,
// never allocates more than a small multiple of the input size and never
// loops without consuming input.
package elf

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// FormatError is a malformed or unsupported object.
type FormatError struct {
	File    string
	Section string // empty for the file header
	Offset  uint64 // file offset, or offset in Section when Section is set
	Msg     string
}

func (e *FormatError) Error() string {
	if e.Section != "" {
		return fmt.Sprintf("elf: %s: section %s: offset %#x: %s", e.File, e.Section, e.Offset, e.Msg)
	}
	return fmt.Sprintf("elf: %s: offset %#x: %s", e.File, e.Offset, e.Msg)
}

const (
	ehdrSize  = 64
	shdrSize  = 64
	symSize   = 24
	relaSize  = 24
	shfRetain = 0x200000   // SHF_GNU_RETAIN
	shfExcl   = 0x80000000 // SHF_EXCLUDE
	stbUnique = 10         // STB_GNU_UNIQUE
	grpComdat = 1
	// maxZeroFill bounds a NOBITS section or common symbol.
	maxZeroFill = 1 << 36
)

type shdr struct {
	name           uint32
	typ            elf.SectionType
	flags          elf.SectionFlag
	off, size      uint64
	link, info     uint32
	align, entsize uint64
	nameStr        string
	sec            *jitlink.Section
	blocks         []*jitlink.Block // sorted by Ordinal (offset in section)
	secSym         *jitlink.Symbol
	group          *jitlink.ComdatGroup
	nrel           int
	// ehCode, for an .eh_frame kept whole (ehWhole): the sections its
	// FDEs describe code in (the second -1 or .text.unlikely).
	ehCode               [2]int
	isEH                 bool
	ehWhole              bool
	alloc, kept, skipped bool
}

type reader struct {
	file   string
	data   []byte
	g      *jitlink.LinkGraph
	arch   Arch
	relTab []jitlink.RelocationInfo
	sh     []shdr
	syms   []*jitlink.Symbol
	sym0   *jitlink.Symbol
	strs   string
	symtb  int
	named  map[string]*jitlink.Section

	headersOnly bool
	sc          *scratch
}

// scratch is the memory a reader uses during one parse and drops after
// it: the section header table, the symbol index, the section-name map
// and the one-block lists of unsplit sections. A `gorc run` parses
// dozens of archive members and never collects (its heap grows to its
// first goal with no garbage collection), so memory dropped after a
// parse is never reused and each parse's scratch would be fresh pages
// (about a tenth of what parsing libsqlite3.a allocates); a pool hands
// the same memory to the next parse on the same P.
type scratch struct {
	sh    []shdr
	syms  []*jitlink.Symbol
	named map[string]*jitlink.Section
	one   []*jitlink.Block
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// newReader returns a reader of data with scratch memory from the pool;
// its release returns the memory.
func newReader(name string, data []byte, headersOnly bool) *reader {
	return &reader{file: name, data: data, headersOnly: headersOnly, sc: scratchPool.Get().(*scratch)}
}

// release clears what the parse left in its scratch memory (nothing of
// the graph stays reachable from the pool) and returns it to the pool.
// The reader must not be used afterwards.
func (r *reader) release() {
	sc := r.sc
	if sc == nil {
		return
	}
	r.sc = nil
	if r.sh != nil {
		clear(r.sh)
		sc.sh = r.sh[:0]
	}
	if r.syms != nil {
		clear(r.syms)
		sc.syms = r.syms[:0]
	}
	if r.named != nil {
		clear(r.named)
		sc.named = r.named
	}
	// (past len, the array was cleared by the previous release, or is
	// fresh)
	clear(sc.one)
	sc.one = sc.one[:0]
	r.sh, r.syms, r.named = nil, nil, nil
	scratchPool.Put(sc)
}

// shdrs returns n zeroed section headers.
func (r *reader) shdrs(n uint64) []shdr {
	if r.sc != nil && uint64(cap(r.sc.sh)) >= n {
		return r.sc.sh[:n]
	}
	return make([]shdr, n)
}

// symIndex returns n nil symbol slots.
func (r *reader) symIndex(n uint64) []*jitlink.Symbol {
	if r.sc != nil && uint64(cap(r.sc.syms)) >= n {
		return r.sc.syms[:n]
	}
	return make([]*jitlink.Symbol, n)
}

// sectionNames returns an empty section-name map.
func (r *reader) sectionNames() map[string]*jitlink.Section {
	if r.sc != nil && r.sc.named != nil {
		return r.sc.named
	}
	return map[string]*jitlink.Section{}
}

// oneBlock returns a list of the one block b, for a section that is not
// split: cut from a shared array (the list is only read, and replaced
// rather than appended to), which a large object would otherwise pay
// one allocation per section for.
func (r *reader) oneBlock(b *jitlink.Block) []*jitlink.Block {
	if r.sc == nil {
		return []*jitlink.Block{b}
	}
	if len(r.sc.one) == cap(r.sc.one) {
		// A new array: the lists cut from the old one keep it alive
		// until the parse ends.
		r.sc.one = make([]*jitlink.Block, 0, max(64, 2*cap(r.sc.one)))
	}
	r.sc.one = append(r.sc.one, b)
	n := len(r.sc.one)
	return r.sc.one[n-1 : n : n]
}

func (r *reader) errf(off uint64, format string, args ...any) error {
	return &FormatError{File: r.file, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (r *reader) secErr(i int, off uint64, format string, args ...any) error {
	name := fmt.Sprintf("#%d", i)
	if i >= 0 && i < len(r.sh) && r.sh[i].nameStr != "" {
		name = r.sh[i].nameStr
	}
	return &FormatError{File: r.file, Section: name, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// Parse reads an ELF64 relocatable object into a link graph named name,
// for the registered architecture its e_machine names. The graph's
// content aliases data, which must not change afterwards.
func Parse(name string, data []byte) (*jitlink.LinkGraph, error) {
	r := newReader(name, data, false)
	defer r.release()
	if err := r.parse(); err != nil {
		return nil, err
	}
	return r.g, nil
}

// DefinedSymbols returns the names of the global (non-local) symbols an
// object defines, without building a graph: archives without a symbol
// index use it to find which member defines what.
func DefinedSymbols(name string, data []byte) ([]string, error) {
	r := newReader(name, data, true)
	defer r.release()
	if err := r.parse(); err != nil {
		return nil, err
	}
	if r.symtb < 0 {
		return nil, nil
	}
	st := &r.sh[r.symtb]
	tab := r.data[st.off : st.off+st.size]
	var out []string
	for off := uint64(symSize); off+symSize <= uint64(len(tab)); off += symSize {
		e := tab[off:]
		bind := elf.ST_BIND(e[4])
		if bind == elf.STB_LOCAL || le.Uint16(e[6:]) == uint16(elf.SHN_UNDEF) {
			continue
		}
		n, ok := cstr(r.strs, le.Uint32(e))
		if !ok {
			return nil, r.secErr(r.symtb, off, "bad symbol name offset %#x", le.Uint32(e))
		}
		if n != "" {
			out = append(out, n)
		}
	}
	return out, nil
}

// HasELFMagic reports whether data starts with the ELF magic number, i.e.
// whether it claims to be an ELF file at all (CheckHeader then says what
// kind, and what is wrong with it).
func HasELFMagic(data []byte) bool {
	return len(data) >= 4 && string(data[:4]) == elf.ELFMAG
}

// CheckHeader checks the ELF header of data (the file name) and returns
// nil for an ELF64 little-endian relocatable object of a registered
// architecture. Otherwise the *FormatError says what the file is and what
// is wrong with it (its class, data encoding, version, type and machine),
// so that a 32-bit object, an executable, a shared library or a corrupt
// header is named as such.
func CheckHeader(name string, data []byte) error {
	_, err := checkHeader(name, data)
	return err
}

func checkHeader(file string, d []byte) (Arch, error) {
	errf := func(off uint64, format string, args ...any) error {
		return &FormatError{File: file, Offset: off, Msg: fmt.Sprintf(format, args...)}
	}
	if !HasELFMagic(d) {
		if len(d) < 4 {
			return nil, errf(0, "file too short for an ELF header (%d bytes)", len(d))
		}
		return nil, errf(0, "not an ELF file (bad magic %q, want \"\\x7fELF\")", d[:4])
	}
	if len(d) < 16 {
		return nil, errf(0, "corrupt ELF header: file too short for e_ident (%d bytes, want 16)", len(d))
	}
	class, data, version := elf.Class(d[4]), elf.Data(d[5]), d[6]
	if class != elf.ELFCLASS32 && class != elf.ELFCLASS64 {
		return nil, errf(4, "corrupt ELF header: class byte %#x is neither ELFCLASS32 nor ELFCLASS64", d[4])
	}
	if data != elf.ELFDATA2LSB && data != elf.ELFDATA2MSB {
		return nil, errf(5, "corrupt ELF header: data encoding byte %#x is neither ELFDATA2LSB nor ELFDATA2MSB", d[5])
	}
	if version != byte(elf.EV_CURRENT) {
		return nil, errf(6, "corrupt ELF header: version %d (want 1, EV_CURRENT)", version)
	}
	// e_type and e_machine are at the same offsets in both classes, in the
	// file's own byte order: read them to say what the file is.
	var typ elf.Type
	var mach elf.Machine
	if len(d) >= 20 {
		var bo binary.ByteOrder = binary.LittleEndian
		if data == elf.ELFDATA2MSB {
			bo = binary.BigEndian
		}
		typ, mach = elf.Type(bo.Uint16(d[16:])), elf.Machine(bo.Uint16(d[18:]))
	}
	what := func() string {
		if len(d) < 20 {
			return fmt.Sprintf("%v %v", class, data)
		}
		return fmt.Sprintf("%v %v %v %v", class, data, typ, mach)
	}
	if class != elf.ELFCLASS64 {
		return nil, errf(4, "unsupported ELF class: a 32-bit object (%s); gorc links 64-bit objects (ELFCLASS64)", what())
	}
	if data != elf.ELFDATA2LSB {
		return nil, errf(5, "unsupported data encoding: a big-endian object (%s); gorc links little-endian objects (ELFDATA2LSB)", what())
	}
	if len(d) < ehdrSize {
		return nil, errf(0, "corrupt ELF header: file too short for an ELF64 header (%d bytes, want %d)", len(d), ehdrSize)
	}
	switch typ {
	case elf.ET_REL:
	case elf.ET_DYN:
		return nil, errf(16, "unsupported object type ET_DYN: a shared library or position-independent executable (%s), not a relocatable object (want ET_REL; give a shared library as FILE.so or -lNAME)", what())
	case elf.ET_EXEC:
		return nil, errf(16, "unsupported object type ET_EXEC: an executable (%s), not a relocatable object (want ET_REL, as gcc -c writes)", what())
	case elf.ET_CORE:
		return nil, errf(16, "unsupported object type ET_CORE: a core dump (%s), not a relocatable object (want ET_REL)", what())
	default:
		return nil, errf(16, "unsupported object type %v (%s), want ET_REL, a relocatable object", typ, what())
	}
	a, err := ArchFor(mach)
	if err != nil {
		return nil, errf(18, "%v", err)
	}
	return a, nil
}

// IsELFObject reports whether data starts like an ELF64 relocatable object.
func IsELFObject(data []byte) bool {
	return len(data) >= ehdrSize && string(data[:4]) == elf.ELFMAG && data[4] == byte(elf.ELFCLASS64) &&
		binary.LittleEndian.Uint16(data[16:]) == uint16(elf.ET_REL)
}

var le = binary.LittleEndian

func (r *reader) parse() error {
	d := r.data
	a, err := checkHeader(r.file, d)
	if err != nil {
		return err
	}
	r.arch, r.relTab = a, a.ELFRelocations()
	r.g = jitlink.NewLinkGraph(r.file, a)
	shoff := le.Uint64(d[40:])
	shentsize := le.Uint16(d[58:])
	shnum := uint64(le.Uint16(d[60:]))
	shstrndx := uint64(le.Uint16(d[62:]))
	if shoff == 0 {
		return r.errf(40, "no section header table")
	}
	if shentsize != shdrSize {
		return r.errf(58, "section header entry size %d, want %d", shentsize, shdrSize)
	}
	if shoff > uint64(len(d)) || uint64(len(d))-shoff < shdrSize {
		return r.errf(40, "section header table at %#x is past the end of the file (%d bytes)", shoff, len(d))
	}
	if shnum == 0 {
		shnum = le.Uint64(d[shoff+32:])
	}
	if shstrndx == uint64(elf.SHN_XINDEX) {
		shstrndx = uint64(le.Uint32(d[shoff+40:]))
	}
	if shnum > (uint64(len(d))-shoff)/shdrSize {
		return r.errf(shoff, "section header table (%d entries) extends past the end of the file", shnum)
	}
	if shstrndx == 0 || shstrndx >= shnum {
		return r.errf(62, "section name table index %d out of range (have %d sections)", shstrndx, shnum)
	}
	r.sh = r.shdrs(shnum)
	for i := range r.sh {
		h := d[shoff+uint64(i)*shdrSize:]
		s := &r.sh[i]
		s.name = le.Uint32(h[0:])
		s.typ = elf.SectionType(le.Uint32(h[4:]))
		s.flags = elf.SectionFlag(le.Uint64(h[8:]))
		s.off = le.Uint64(h[24:])
		s.size = le.Uint64(h[32:])
		s.link = le.Uint32(h[40:])
		s.info = le.Uint32(h[44:])
		s.align = le.Uint64(h[48:])
		s.entsize = le.Uint64(h[56:])
		if s.typ != elf.SHT_NOBITS && i != 0 {
			if s.off > uint64(len(d)) || uint64(len(d))-s.off < s.size {
				return r.secErr(i, 0, "contents [%#x, +%#x) extend past the end of the file (%d bytes)", s.off, s.size, len(d))
			}
		}
	}
	shstr, err := r.content(int(shstrndx))
	if err != nil {
		return err
	}
	if r.sh[shstrndx].typ != elf.SHT_STRTAB {
		return r.secErr(int(shstrndx), 0, "section name table has type %v, want SHT_STRTAB", r.sh[shstrndx].typ)
	}
	shstrs := string(shstr)
	for i := range r.sh {
		if i == 0 {
			continue
		}
		n, ok := cstr(shstrs, r.sh[i].name)
		if !ok {
			return r.secErr(i, 0, "bad section name offset %#x (name table is %d bytes)", r.sh[i].name, len(shstrs))
		}
		r.sh[i].nameStr = n
	}
	if err := r.findSymtab(); err != nil {
		return err
	}
	if r.headersOnly {
		return nil
	}
	if err := r.checkSectionTypes(); err != nil {
		return err
	}
	if err := r.groups(); err != nil {
		return err
	}
	if err := r.sections(); err != nil {
		return err
	}
	if err := r.symbols(); err != nil {
		return err
	}
	if err := r.relocations(); err != nil {
		return err
	}
	if err := r.ehFrames(); err != nil {
		return err
	}
	r.keepSource()
	jitlink.DefineStartStop(r.g)
	return nil
}

func cstr(tab string, off uint32) (string, bool) {
	if uint64(off) >= uint64(len(tab)) {
		return "", off == 0 && len(tab) == 0
	}
	s := tab[off:]
	i := strings.IndexByte(s, 0)
	if i < 0 {
		return "", false
	}
	return s[:i], true
}

func (r *reader) content(i int) ([]byte, error) {
	if i <= 0 || i >= len(r.sh) {
		return nil, r.errf(0, "section index %d out of range (have %d sections)", i, len(r.sh))
	}
	s := &r.sh[i]
	if s.typ == elf.SHT_NOBITS {
		return nil, nil
	}
	return r.data[s.off : s.off+s.size : s.off+s.size], nil
}

func (r *reader) findSymtab() error {
	r.symtb = -1
	for i := range r.sh {
		if r.sh[i].typ == elf.SHT_SYMTAB {
			if r.symtb >= 0 {
				return r.secErr(i, 0, "second symbol table (first is section %d)", r.symtb)
			}
			r.symtb = i
		}
	}
	if r.symtb < 0 {
		return nil
	}
	s := &r.sh[r.symtb]
	if s.entsize != symSize {
		return r.secErr(r.symtb, 0, "symbol entry size %d, want %d", s.entsize, symSize)
	}
	if s.size%symSize != 0 {
		return r.secErr(r.symtb, 0, "size %d is not a multiple of the entry size", s.size)
	}
	if s.link == 0 || uint64(s.link) >= uint64(len(r.sh)) || r.sh[s.link].typ != elf.SHT_STRTAB {
		return r.secErr(r.symtb, 0, "string table index %d is not a string table", s.link)
	}
	st, err := r.content(int(s.link))
	if err != nil {
		return err
	}
	r.strs = string(st)
	return nil
}

func (r *reader) symName(idx uint32) (string, uint8, uint16, error) {
	if r.symtb < 0 {
		return "", 0, 0, r.errf(0, "symbol %d referenced but the object has no symbol table", idx)
	}
	s := &r.sh[r.symtb]
	if uint64(idx) >= s.size/symSize {
		return "", 0, 0, r.secErr(r.symtb, 0, "symbol index %d out of range (%d symbols)", idx, s.size/symSize)
	}
	e := r.data[s.off+uint64(idx)*symSize:]
	n, ok := cstr(r.strs, le.Uint32(e))
	if !ok {
		return "", 0, 0, r.secErr(r.symtb, uint64(idx)*symSize, "bad symbol name offset %#x", le.Uint32(e))
	}
	return n, e[4], le.Uint16(e[6:]), nil
}

func (r *reader) groups() error {
	for i := range r.sh {
		s := &r.sh[i]
		if s.typ != elf.SHT_GROUP {
			continue
		}
		c, err := r.content(i)
		if err != nil {
			return err
		}
		if len(c) < 4 || len(c)%4 != 0 {
			return r.secErr(i, 0, "group section size %d is not a positive multiple of 4", len(c))
		}
		if le.Uint32(c)&grpComdat == 0 {
			continue
		}
		if int(s.link) != r.symtb || r.symtb < 0 {
			return r.secErr(i, 0, "group's symbol table index %d is not the symbol table", s.link)
		}
		name, info, shndx, err := r.symName(s.info)
		if err != nil {
			return err
		}
		if elf.ST_TYPE(info) == elf.STT_SECTION {
			if uint64(shndx) >= uint64(len(r.sh)) {
				return r.secErr(i, 0, "group signature section %d out of range", shndx)
			}
			name = r.sh[shndx].nameStr
		}
		grp := &jitlink.ComdatGroup{Signature: name}
		r.g.Comdats = append(r.g.Comdats, grp)
		for off := 4; off < len(c); off += 4 {
			m := le.Uint32(c[off:])
			if m == 0 || uint64(m) >= uint64(len(r.sh)) {
				return r.secErr(i, uint64(off), "group member section index %d out of range", m)
			}
			r.sh[m].group = grp
		}
	}
	return nil
}

func parsePrio(name, prefix string) (uint32, bool) {
	if name == prefix {
		return 65535, true
	}
	// (No prefix+".": the concatenation was an allocation per section of
	// every object linked, four prefixes each.)
	if len(name) <= len(prefix) || name[len(prefix)] != '.' || !strings.HasPrefix(name, prefix) {
		return 0, false
	}
	n, err := strconv.ParseUint(name[len(prefix)+1:], 10, 16)
	if err != nil {
		return 65535, true
	}
	return uint32(n), true
}

func (r *reader) sections() error {
	r.named = r.sectionNames()
	for i := range r.sh {
		s := &r.sh[i]
		if i > 0 && s.flags&elf.SHF_EXECINSTR != 0 && s.flags&elf.SHF_ALLOC == 0 && s.nameStr == ".note.GNU-stack" {
			// An executable .note.GNU-stack: the object needs an
			// executable stack (gcc's trampolines for nested functions
			// whose address is taken), which a static linker gives the
			// program (PT_GNU_STACK RWX).
			r.g.ExecStack = true
		}
		if i == 0 || s.flags&elf.SHF_ALLOC == 0 || s.flags&shfExcl != 0 {
			continue
		}
		switch s.typ {
		case elf.SHT_PROGBITS, elf.SHT_NOBITS, elf.SHT_INIT_ARRAY, elf.SHT_FINI_ARRAY, elf.SHT_PREINIT_ARRAY:
		case r.arch.ELFUnwindSectionType():
			if s.typ == 0 {
				s.skipped = true
				continue
			}
		default:
			s.skipped = true
			continue
		}
		align := s.align
		if align == 0 {
			align = 1
		}
		if align&(align-1) != 0 {
			return r.secErr(i, 0, "alignment %d is not a power of two", s.align)
		}
		if align > 1<<16 {
			return r.secErr(i, 0, "alignment %d too large", s.align)
		}
		s.align = align
		if s.typ == elf.SHT_NOBITS && s.size > maxZeroFill {
			return r.secErr(i, 0, "zero-fill size %#x too large", s.size)
		}
		prot := shared.ProtRead
		if s.flags&elf.SHF_WRITE != 0 {
			prot |= shared.ProtWrite
		}
		if s.flags&elf.SHF_EXECINSTR != 0 {
			if prot&shared.ProtWrite != 0 {
				return r.secErr(i, 0, "section is writable and executable (W^X)")
			}
			prot |= shared.ProtExec
		}
		var flags jitlink.SectionFlags
		prio := uint32(65535)
		name := s.nameStr
		if p, ok := parsePrio(name, ".init_array"); ok || s.typ == elf.SHT_INIT_ARRAY {
			flags |= jitlink.SectionInitArray | jitlink.SectionKeepAlive
			if ok {
				prio = p
			}
		} else if p, ok := parsePrio(name, ".fini_array"); ok || s.typ == elf.SHT_FINI_ARRAY {
			flags |= jitlink.SectionFiniArray | jitlink.SectionKeepAlive
			if ok {
				prio = p
			}
		} else if s.typ == elf.SHT_PREINIT_ARRAY || name == ".preinit_array" {
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
		} else if (s.typ == r.arch.ELFUnwindSectionType() && s.typ != 0) || name == ".eh_frame" {
			flags |= jitlink.SectionEHFrame
			s.isEH = true
		}
		if s.flags&elf.SHF_TLS != 0 {
			flags |= jitlink.SectionTLS
		}
		if s.flags&(elf.SHF_MERGE|elf.SHF_STRINGS) == elf.SHF_MERGE|elf.SHF_STRINGS {
			flags |= jitlink.SectionMergeStrings
		}
		if s.flags&shfRetain != 0 || jitlink.IsCIdentifier(name) {
			// C-identifier sections may be walked with __start_/__stop_
			// from another object: keep them, as GNU ld does.
			flags |= jitlink.SectionKeepAlive
		}
		// Same-named sections outside groups share one jitlink section so
		// that their blocks stay contiguous (__start_/__stop_).
		var sec *jitlink.Section
		if s.group == nil && !s.isEH {
			if ex := r.named[name]; ex != nil && ex.Prot == prot && ex.Flags == flags && ex.Priority == prio {
				sec = ex
			}
		}
		if sec == nil {
			sec = r.g.AddSection(name, prot, flags)
			sec.Priority = prio
			sec.Comdat = s.group
			if s.group != nil {
				s.group.Sections = append(s.group.Sections, sec)
			} else if !s.isEH && r.named[name] == nil {
				r.named[name] = sec
			}
		}
		s.sec = sec
		s.kept = true
		s.alloc = true
		if s.isEH {
			continue // split in ehFrames after relocations are known
		}
		var b *jitlink.Block
		if s.typ == elf.SHT_NOBITS {
			b = r.g.AddZeroFillBlock(sec, s.size, align, 0)
		} else {
			c, _ := r.content(i)
			b = r.g.AddContentBlock(sec, c, align, 0)
		}
		s.blocks = r.oneBlock(b)
	}
	// Count relocations per target section to size edge slices once.
	for i := range r.sh {
		s := &r.sh[i]
		if (s.typ == elf.SHT_RELA || s.typ == elf.SHT_REL) && uint64(s.info) < uint64(len(r.sh)) && s.entsize != 0 {
			t := &r.sh[s.info]
			t.nrel += int(s.size / s.entsize)
			if t.isEH && t.kept {
				if code, ok := r.ehWhole(int(s.info), i); ok {
					t.ehWhole, t.ehCode = true, code
					for _, c := range code {
						if c >= 0 {
							r.sh[c].nrel++ // its keep-alive edge
						}
					}
				} else {
					r.countKeepAlives(i)
				}
			}
		}
	}
	// Split .eh_frame into records now so symbols can find their blocks.
	for i := range r.sh {
		s := &r.sh[i]
		if s.kept && s.isEH && s.ehWhole {
			r.wholeEH(i)
		} else if s.kept && s.isEH {
			if err := r.splitEH(i); err != nil {
				return err
			}
		} else if s.kept && s.nrel > 0 {
			n := s.nrel
			if n > 1<<20 {
				n = 1 << 20
			}
			s.blocks[0].Edges = make([]jitlink.Edge, 0, n)
		}
	}
	return nil
}

// countKeepAlives adds, to the edge count of each section that the
// .eh_frame relocations of RELA section i point into, one edge per
// relocation: ehFrames gives a function's block one keep-alive edge per
// FDE, and room for them up front spares copying the block's (often the
// whole .text section's) edges. Malformed entries are left for
// relocations() to report.
func (r *reader) countKeepAlives(i int) {
	s := &r.sh[i]
	if s.typ != elf.SHT_RELA || s.entsize != relaSize || r.symtb < 0 {
		return
	}
	c, err := r.content(i)
	if err != nil {
		return
	}
	st := &r.sh[r.symtb]
	nsym := st.size / symSize
	for off := uint64(0); off+relaSize <= uint64(len(c)); off += relaSize {
		symi := le.Uint64(c[off+8:]) >> 32
		if symi == 0 || symi >= nsym {
			continue
		}
		shndx := uint64(le.Uint16(r.data[st.off+symi*symSize+6:]))
		if shndx < uint64(len(r.sh)) {
			r.sh[shndx].nrel++
		}
	}
}

// ehWhole reports whether .eh_frame section i (whose relocations are RELA
// section rel) can be kept in one block rather than split into its CIE
// and FDE records, and if so the sections its FDEs describe: when every
// FDE describes code in one and the same loadable, executable section
// outside any COMDAT group (a C object compiled without
// -ffunction-sections: one .text), dead-stripping by record cannot keep
// less than the whole section does, since the records live or die with
// that one block. The one other section allowed is .text.unlikely, where
// gcc puts the cold parts of .text's functions (reached only from their
// hot parts, so live when .text is); the block keeps both alive, as it
// is kept alive by either. The section must be well formed records (no
// terminator or padding record, no 64-bit lengths), each FDE with exactly
// one relocation, at its pc_begin (offset 8), against a symbol defined
// in that section; and no other relocation (no personality routine or
// LSDA pointers). Anything else is split as before (splitEH), which also
// reports what is malformed. sqlite's members keep 2,858 .eh_frame
// blocks and their symbols and edges otherwise, 83% of the graph's
// blocks.
func (r *reader) ehWhole(i, rel int) (code [2]int, ok bool) {
	s, rs := &r.sh[i], &r.sh[rel]
	no := [2]int{-1, -1}
	if rs.typ != elf.SHT_RELA || rs.entsize != relaSize || rs.size%relaSize != 0 || r.symtb < 0 || s.typ == elf.SHT_NOBITS {
		return no, false
	}
	c, err := r.content(i)
	if err != nil || len(c) == 0 {
		return no, false
	}
	rc, err := r.content(rel)
	if err != nil {
		return no, false
	}
	st := &r.sh[r.symtb]
	nsym := st.size / symSize
	code = no
	k := uint64(0) // the next relocation
	nrel := uint64(len(rc)) / relaSize
	for pos := uint64(0); pos < uint64(len(c)); {
		if uint64(len(c))-pos < 8 {
			return no, false
		}
		length := uint64(le.Uint32(c[pos:]))
		if length == 0 || length == 0xffffffff || length < 4 || uint64(len(c))-pos-4 < length {
			return no, false
		}
		if le.Uint32(c[pos+4:]) != 0 { // an FDE: its pc_begin's relocation, and nothing else
			if k >= nrel || length < 12 {
				return no, false
			}
			e := rc[k*relaSize:]
			k++
			symi := le.Uint64(e[8:]) >> 32
			if le.Uint64(e) != pos+8 || symi == 0 || symi >= nsym {
				return no, false
			}
			se := r.data[st.off+symi*symSize:]
			shndx := int(le.Uint16(se[6:]))
			if shndx == int(elf.SHN_UNDEF) || shndx >= len(r.sh) {
				return no, false
			}
			t := &r.sh[shndx]
			if !t.kept || t.isEH || t.group != nil || t.typ != elf.SHT_PROGBITS || t.flags&elf.SHF_EXECINSTR == 0 {
				return no, false
			}
			switch {
			case shndx == code[0] || shndx == code[1]:
			case t.nameStr == ".text.unlikely" && code[1] < 0:
				code[1] = shndx
			case code[0] < 0:
				code[0] = shndx
			default:
				return no, false
			}
		} else if k < nrel && le.Uint64(rc[k*relaSize:]) < pos+4+length {
			return no, false // a CIE with a relocation (a personality routine)
		}
		pos += 4 + length
	}
	if k != nrel || code[0] < 0 && code[1] < 0 {
		return no, false
	}
	return code, true
}

// wholeEH makes .eh_frame section i (ehWhole) one block of its records,
// followed by a terminator as splitEH adds one.
func (r *reader) wholeEH(i int) {
	s := &r.sh[i]
	c, _ := r.content(i)
	s.blocks = appendWholeEH(r.g, s.sec, c, s.align, s.nrel, s.blocks)
}

// appendWholeEH adds .eh_frame content c to sec as one block of records
// (room for nrel edges) and the 4-byte zero terminator after it, and
// appends both to blocks.
func appendWholeEH(g *jitlink.LinkGraph, sec *jitlink.Section, c []byte, align uint64, nrel int, blocks []*jitlink.Block) []*jitlink.Block {
	b := g.AddContentBlock(sec, c, align, 0)
	b.Flags |= jitlink.BlockEHRecords
	if nrel > 0 {
		b.Edges = make([]jitlink.Edge, 0, nrel)
	}
	t := g.AddMutableContentBlock(sec, make([]byte, 4), 1, 0)
	t.Ordinal = uint64(len(c))
	g.AddAnonymousSymbol(t, 0, 4).Live = true
	return append(blocks, b, t)
}

func (r *reader) splitEH(i int) error {
	s := &r.sh[i]
	c, _ := r.content(i)
	if c == nil {
		return r.secErr(i, 0, ".eh_frame must have contents")
	}
	pos := uint64(0)
	for pos < uint64(len(c)) {
		if uint64(len(c))-pos < 4 {
			return r.secErr(i, pos, "truncated CIE/FDE length")
		}
		length := uint64(le.Uint32(c[pos:]))
		if length == 0xffffffff {
			return r.secErr(i, pos, "64-bit DWARF CIE/FDE records are not supported")
		}
		size := length + 4
		if length == 0 {
			size = uint64(len(c)) - pos // terminator and padding
		} else if length < 4 || uint64(len(c))-pos < size {
			return r.secErr(i, pos, "CIE/FDE record length %d runs past the end of the section (%d bytes)", length, len(c))
		}
		align := uint64(1)
		if pos == 0 {
			align = s.align
		}
		b := r.g.AddContentBlock(s.sec, c[pos:pos+size], align, 0)
		b.Ordinal = pos
		s.blocks = append(s.blocks, b)
		if length == 0 {
			// keep the terminator so the registered section is well formed
			r.g.AddAnonymousSymbol(b, 0, size).Live = true
		}
		pos += size
	}
	// An FDE gets its relocations' edges (pc_begin, perhaps an LSDA
	// pointer) and then the edge to its CIE (ehFrames): room for three,
	// cut from one array, spares each record growing its own slice from
	// nothing (one more edge just grows that record's slice).
	nfde := 0
	for _, b := range s.blocks {
		if isFDE(b.Content) {
			nfde++
		}
	}
	if nfde > 0 {
		const per = 3
		edges := make([]jitlink.Edge, nfde*per)
		for _, b := range s.blocks {
			if isFDE(b.Content) {
				b.Edges, edges = edges[:0:per], edges[per:]
			}
		}
	}
	if n := len(s.blocks); n == 0 || le.Uint32(s.blocks[n-1].Content) != 0 {
		// gcc's objects leave the terminator to crtend.o; add one so the
		// section can be registered with __register_frame as it is.
		b := r.g.AddMutableContentBlock(s.sec, make([]byte, 4), 1, 0)
		b.Ordinal = pos
		s.blocks = append(s.blocks, b)
		r.g.AddAnonymousSymbol(b, 0, 4).Live = true
	}
	return nil
}

// isFDE reports whether an .eh_frame record is an FDE (not a CIE or the
// terminator).
func isFDE(c []byte) bool {
	return len(c) >= 8 && le.Uint32(c) != 0 && le.Uint32(c[4:]) != 0
}

// blockAt finds the block of section i containing offset off (off may be
// the end of the last block).
func (r *reader) blockAt(i int, off uint64) *jitlink.Block {
	bs := r.sh[i].blocks
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

func (r *reader) sectionSymbol(i int) *jitlink.Symbol {
	s := &r.sh[i]
	if s.secSym == nil && len(s.blocks) > 0 {
		s.secSym = r.g.AddAnonymousSymbol(s.blocks[0], 0, 0)
	}
	return s.secSym
}

func (r *reader) symbols() error {
	if r.symtb < 0 {
		return nil
	}
	st := &r.sh[r.symtb]
	n := st.size / symSize
	r.syms = r.symIndex(n)
	r.g.ReserveSymbols(int(n))
	var xindex []byte
	for i := range r.sh {
		if r.sh[i].typ == elf.SHT_SYMTAB_SHNDX && int(r.sh[i].link) == r.symtb {
			xindex, _ = r.content(i)
		}
	}
	var common *jitlink.Section
	tab := r.data[st.off : st.off+st.size]
	if len(r.g.Externals) == 0 {
		// Size the externals map once from the undefined global symbols
		// (st_shndx 0, binding not local): growing it rehashes, and every
		// table it leaves behind is fresh memory.
		undef := 0
		for idx := uint64(1); idx < n; idx++ {
			e := tab[idx*symSize:]
			if le.Uint16(e[6:]) == uint16(elf.SHN_UNDEF) && elf.ST_BIND(e[4]) != elf.STB_LOCAL {
				undef++
			}
		}
		r.g.Externals = make(map[string]*jitlink.Symbol, undef)
	}
	for idx := uint64(1); idx < n; idx++ {
		e := tab[idx*symSize:]
		off := idx * symSize
		name, ok := cstr(r.strs, le.Uint32(e))
		if !ok {
			return r.secErr(r.symtb, off, "symbol %d: bad name offset %#x", idx, le.Uint32(e))
		}
		info, other := e[4], e[5]
		shndx := uint32(le.Uint16(e[6:]))
		value, size := le.Uint64(e[8:]), le.Uint64(e[16:])
		typ, bind := elf.ST_TYPE(info), elf.ST_BIND(info)
		vis := elf.ST_VISIBILITY(other)
		if shndx == uint32(elf.SHN_XINDEX) {
			if uint64(len(xindex)) < (idx+1)*4 {
				return r.secErr(r.symtb, off, "symbol %d (%s): SHN_XINDEX without an extended index", idx, name)
			}
			shndx = le.Uint32(xindex[idx*4:])
		}
		scope := jitlink.ScopeDefault
		switch {
		case bind == elf.STB_LOCAL:
			scope = jitlink.ScopeLocal
		case vis == elf.STV_HIDDEN || vis == elf.STV_INTERNAL:
			scope = jitlink.ScopeHidden
		}
		linkage := jitlink.LinkageStrong
		if bind == elf.STB_WEAK || bind == stbUnique {
			linkage = jitlink.LinkageWeak
		}
		switch bind {
		case elf.STB_LOCAL, elf.STB_GLOBAL, elf.STB_WEAK, stbUnique:
		default:
			return r.secErr(r.symtb, off, "symbol %d (%s): unsupported binding %v", idx, name, bind)
		}
		if typ == elf.STT_GNU_IFUNC && (shndx == uint32(elf.SHN_UNDEF) || shndx == uint32(elf.SHN_ABS) || shndx == uint32(elf.SHN_COMMON)) {
			return r.secErr(r.symtb, off, "symbol %d (%s): STT_GNU_IFUNC symbol must be defined in a section", idx, name)
		}
		if typ == elf.STT_FILE {
			continue
		}
		switch {
		case shndx == uint32(elf.SHN_UNDEF):
			if bind == elf.STB_LOCAL {
				if name == "" {
					continue
				}
				return r.secErr(r.symtb, off, "symbol %d (%s): undefined local symbol", idx, name)
			}
			if name == "" {
				return r.secErr(r.symtb, off, "symbol %d: undefined symbol without a name", idx)
			}
			ext := r.g.AddExternalSymbol(name, bind == elf.STB_WEAK)
			if typ == elf.STT_TLS {
				ext.TLS = true
			}
			r.syms[idx] = ext
		case shndx == uint32(elf.SHN_ABS):
			s := r.g.AddAbsoluteSymbol(name, shared.ExecutorAddr(value), linkage, scope, bind != elf.STB_LOCAL)
			s.Size = size
			r.syms[idx] = s
		case shndx == uint32(elf.SHN_COMMON):
			if name == "" || bind == elf.STB_LOCAL {
				return r.secErr(r.symtb, off, "symbol %d: common symbol must be global and named", idx)
			}
			align := value
			if align == 0 {
				align = 1
			}
			if align&(align-1) != 0 || align > 1<<16 {
				return r.secErr(r.symtb, off, "symbol %d (%s): common alignment %d is not a power of two", idx, name, value)
			}
			if size > maxZeroFill {
				return r.secErr(r.symtb, off, "symbol %d (%s): common size %#x too large", idx, name, size)
			}
			if common == nil {
				common = r.g.AddSection(".bss.common", shared.ProtRead|shared.ProtWrite, 0)
			}
			b := r.g.AddZeroFillBlock(common, size, align, 0)
			b.Flags |= jitlink.BlockCommon
			r.syms[idx] = r.g.AddDefinedSymbol(b, 0, name, size, jitlink.LinkageWeak, scope, false, true)
		case shndx >= uint32(elf.SHN_LORESERVE) && shndx <= 0xffff:
			return r.secErr(r.symtb, off, "symbol %d (%s): unsupported section index %#x", idx, name, shndx)
		default:
			if uint64(shndx) >= uint64(len(r.sh)) {
				return r.secErr(r.symtb, off, "symbol %d (%s): section index %d out of range", idx, name, shndx)
			}
			sh := &r.sh[shndx]
			if !sh.kept {
				continue // symbol in a non-allocated or skipped section
			}
			if typ == elf.STT_SECTION {
				r.syms[idx] = r.sectionSymbol(int(shndx))
				continue
			}
			b := r.blockAt(int(shndx), value)
			if b == nil || value > sh.size {
				return r.secErr(r.symtb, off, "symbol %d (%s): value %#x is outside section %s (%d bytes)", idx, name, value, sh.nameStr, sh.size)
			}
			if typ == elf.STT_TLS && sh.flags&elf.SHF_TLS == 0 {
				return r.secErr(r.symtb, off, "symbol %d (%s): thread-local symbol in non-TLS section %s", idx, name, sh.nameStr)
			}
			if sh.group != nil {
				linkage = jitlink.LinkageWeak
			}
			if name == "" {
				scope = jitlink.ScopeLocal
			}
			if typ == elf.STT_GNU_IFUNC {
				if sh.flags&elf.SHF_EXECINSTR == 0 {
					return r.secErr(r.symtb, off, "symbol %d (%s): STT_GNU_IFUNC resolver in non-code section %s", idx, name, sh.nameStr)
				}
				s, err := addIFunc(r.g, b, value-b.Ordinal, name, linkage, scope, bind != elf.STB_LOCAL)
				if err != nil {
					return r.secErr(r.symtb, off, "symbol %d (%s): STT_GNU_IFUNC: %v", idx, name, err)
				}
				r.syms[idx] = s
				continue
			}
			r.syms[idx] = r.g.AddDefinedSymbol(b, value-b.Ordinal, name, size, linkage, scope,
				typ == elf.STT_FUNC, bind != elf.STB_LOCAL)
		}
	}
	dropIFuncKeys(r.g)
	return nil
}

// Section types the reader knows. Anything else is refused when it is
// loadable (SHF_ALLOC) or relocation-like and names a loadable section,
// because ignoring it would leave the program without contents or fixups
// that a static linker would have applied (or rejected).
const (
	shtGNUAttributes = 0x6ffffff5
	shtGNUVerdef     = 0x6ffffffd
	shtGNUVerneed    = 0x6ffffffe
	shtGNUVersym     = 0x6fffffff
	shtLoOS          = 0x60000000
	shfInfoLink      = 0x40 // SHF_INFO_LINK: sh_info is a section index
)

// sectionTypeName names a section type for messages, with its number.
func sectionTypeName(t elf.SectionType) string {
	if n := t.String(); !strings.HasPrefix(n, "SHT_") || strings.Contains(n, "+") {
		return fmt.Sprintf("%#x", uint32(t))
	}
	return fmt.Sprintf("%v (%#x)", t, uint32(t))
}

// checkSectionTypes refuses sections the reader would otherwise skip
// although they matter to the program: a loadable section of a type it
// does not load, and relocations it does not apply (SHT_REL, or any
// unknown type that refers to the symbol table or has SHF_INFO_LINK)
// that target a loadable section. Non-loadable sections of other types
// (debug info, notes, LLVM's address-significance tables, ...) are
// skipped as before. It also checks that every RELA section's sh_info
// names an existing section and its sh_link the symbol table.
func (r *reader) checkSectionTypes() error {
	unwind := r.arch.ELFUnwindSectionType()
	for i := 1; i < len(r.sh); i++ {
		s := &r.sh[i]
		known := true
		switch s.typ {
		case elf.SHT_NULL, elf.SHT_PROGBITS, elf.SHT_NOBITS, elf.SHT_SYMTAB, elf.SHT_STRTAB, elf.SHT_NOTE,
			elf.SHT_GROUP, elf.SHT_SYMTAB_SHNDX, elf.SHT_INIT_ARRAY, elf.SHT_FINI_ARRAY, elf.SHT_PREINIT_ARRAY,
			shtGNUAttributes, shtGNUVerdef, shtGNUVerneed, shtGNUVersym:
		case elf.SHT_RELA:
			if s.info == 0 || uint64(s.info) >= uint64(len(r.sh)) {
				return r.secErr(i, 0, "relocation section #%d applies to section %d, which does not exist (the object has %d sections)", i, s.info, len(r.sh))
			}
			if r.symtb < 0 || int(s.link) != r.symtb {
				return r.secErr(i, 0, "relocation section #%d uses section %d as its symbol table, which is not the symbol table", i, s.link)
			}
			continue
		default:
			known = unwind != 0 && s.typ == unwind
		}
		if known {
			continue
		}
		if s.flags&elf.SHF_ALLOC != 0 && s.flags&shfExcl == 0 {
			return r.secErr(i, 0, "section #%d is loadable (SHF_ALLOC) but has type %s, which gorc does not load", i, sectionTypeName(s.typ))
		}
		relocLike := s.typ == elf.SHT_REL || s.flags&shfInfoLink != 0 || (r.symtb >= 0 && int(s.link) == r.symtb)
		if relocLike && s.info != 0 && uint64(s.info) < uint64(len(r.sh)) {
			t := &r.sh[s.info]
			if t.flags&elf.SHF_ALLOC != 0 && t.flags&shfExcl == 0 {
				what := "relocations of a type gorc does not apply"
				if s.typ == elf.SHT_REL {
					what = "SHT_REL relocations (implicit addends), which gorc does not apply (it applies SHT_RELA)"
				}
				return r.secErr(i, 0, "section #%d has type %s and refers to loadable section #%d %s: %s", i, sectionTypeName(s.typ), s.info, t.nameStr, what)
			}
		}
	}
	return nil
}

func (r *reader) relocations() error {
	for i := range r.sh {
		s := &r.sh[i]
		// checkSectionTypes has refused SHT_REL and other relocation
		// types for loaded sections and RELA sections with a bad sh_info
		// or sh_link.
		if s.typ != elf.SHT_RELA {
			continue
		}
		ti := int(s.info)
		t := &r.sh[ti]
		if !t.kept {
			continue // relocations of debug info and other skipped sections
		}
		if s.entsize != relaSize || s.size%relaSize != 0 {
			return r.secErr(i, 0, "RELA entry size %d / section size %d invalid", s.entsize, s.size)
		}
		if t.typ == elf.SHT_NOBITS {
			if s.size > 0 {
				return r.secErr(i, 0, "relocations applied to zero-fill section %s", t.nameStr)
			}
			continue
		}
		c, _ := r.content(i)
		relTab := r.relTab
		for off := uint64(0); off+relaSize <= uint64(len(c)); off += relaSize {
			roff := le.Uint64(c[off:])
			info := le.Uint64(c[off+8:])
			addend := int64(le.Uint64(c[off+16:]))
			rt := uint32(info)
			symi := info >> 32
			if rt == 0 { // R_*_NONE on every architecture
				continue
			}
			var ri jitlink.RelocationInfo
			if uint64(rt) < uint64(len(relTab)) {
				ri = relTab[rt]
			}
			if ri.Kind == jitlink.KindInvalid {
				return r.secErr(ti, roff, "%s (relocation %d in %s)", r.arch.ELFUnsupportedRelocation(rt), off/relaSize, s.nameStr)
			}
			typ := relName{r.arch, rt}
			var target *jitlink.Symbol
			if symi == 0 {
				if r.sym0 == nil {
					r.sym0 = r.g.AddAbsoluteSymbol("", 0, jitlink.LinkageStrong, jitlink.ScopeLocal, false)
				}
				target = r.sym0
			} else {
				if symi >= uint64(len(r.syms)) {
					return r.secErr(ti, roff, "%v: symbol index %d out of range (%d symbols)", typ, symi, len(r.syms))
				}
				target = r.syms[symi]
				if target == nil {
					name, _, _, _ := r.symName(uint32(symi))
					return r.secErr(ti, roff, "%v: refers to symbol %d (%q) in a section that is not loaded", typ, symi, name)
				}
			}
			if roff > t.size || t.size-roff < uint64(ri.Size) {
				return r.secErr(ti, roff, "%v: fixup extends past the end of the section (%d bytes)", typ, t.size)
			}
			b := t.blocks[0]
			if len(t.blocks) > 1 {
				b = r.blockAt(ti, roff)
			}
			if b == nil || roff-b.Ordinal+uint64(ri.Size) > b.Size {
				return r.secErr(ti, roff, "%v: fixup straddles a record boundary", typ)
			}
			if ri.Low2GiB {
				r.g.Low2GiB = true
			}
			b.Edges = append(b.Edges, jitlink.Edge{Kind: ri.Kind, Offset: roff - b.Ordinal, Target: target, Addend: addend})
		}
	}
	return nil
}

// ehFrames links each FDE to its CIE (an ELFCIEPointerKind edge on the CIE pointer)
// and its function to the FDE (a keep-alive edge), so dead-stripping keeps
// keepWholeRecords gives the one block of each code section of code
// (section indexes, -1 for none; blocksOf gives a section's blocks) a
// keep-alive edge to eh, an .eh_frame kept as one block: the code keeps
// its records alive.
func keepWholeRecords(g *jitlink.LinkGraph, eh *jitlink.Block, code [2]int, blocksOf func(int) []*jitlink.Block) {
	var records *jitlink.Symbol
	for _, c := range code {
		if c < 0 {
			continue
		}
		bs := blocksOf(c)
		if len(bs) != 1 {
			continue
		}
		if records == nil {
			records = g.AddAnonymousSymbol(eh, 0, 0)
		}
		bs[0].AddEdge(jitlink.KindKeepAlive, 0, records, 0)
	}
}

// frames and functions together.
func (r *reader) ehFrames() error {
	// One anonymous symbol per CIE, shared by its FDEs' CIE edges (the
	// records of a section nearly always share one CIE).
	var lastCIE *jitlink.Block
	var lastCIESym *jitlink.Symbol
	for i := range r.sh {
		s := &r.sh[i]
		if !s.kept || !s.isEH {
			continue
		}
		if s.ehWhole {
			// Its CIE pointers stand as they are; the code keeps the
			// records alive.
			keepWholeRecords(r.g, s.blocks[0], s.ehCode, func(c int) []*jitlink.Block { return r.sh[c].blocks })
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
				return r.secErr(i, ptr, "FDE's CIE pointer %#x points before the section", id)
			}
			cie := r.blockAt(i, ptr-uint64(id))
			if cie == nil || cie.Ordinal != ptr-uint64(id) || len(cie.Content) < 8 || le.Uint32(cie.Content[4:]) != 0 {
				return r.secErr(i, ptr, "FDE's CIE pointer %#x does not point at a CIE", id)
			}
			if cie != lastCIE {
				lastCIE, lastCIESym = cie, r.g.AddAnonymousSymbol(cie, 0, 0)
			}
			b.Edges = append(b.Edges, jitlink.Edge{Kind: r.arch.ELFCIEPointerKind(), Offset: 4, Target: lastCIESym})
			var fn *jitlink.Symbol
			for _, e := range b.Edges {
				if e.Offset == 8 {
					fn = e.Target
				}
			}
			if fn == nil {
				continue // no pc_begin relocation: leave it to be stripped
			}
			if fn.Kind == jitlink.SymDefined {
				fn.Block.AddEdge(jitlink.KindKeepAlive, 0, r.g.AddAnonymousSymbol(b, 0, 0), 0)
			}
		}
	}
	return nil
}

// relName formats a relocation type with the architecture's name for it,
// only when a message is built.
type relName struct {
	a   Arch
	typ uint32
}

func (n relName) String() string { return n.a.ELFRelocationName(n.typ) }
