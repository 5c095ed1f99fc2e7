// Package elfw writes ELF64 x86-64 relocatable objects (ET_REL).
//
// A Writer collects sections, symbols and relocations and serializes them
// with Bytes. The output is a regular object file: gcc and ld link it,
// objdump reads it, and Go's debug/elf parses it. The writer knows nothing
// about instructions; the backend hands it finished section contents plus
// relocation records.
//
// Usage:
//
//	w := elfw.New()
//	text := w.Text()
//	text.Append(code)
//	f, _ := w.AddSymbol(elfw.Symbol{Name: "f", Section: text, Size: len(code), Bind: elfw.BindGlobal, Type: elfw.TypeFunc})
//	ext, _ := w.AddSymbol(elfw.Symbol{Name: "sin", Bind: elfw.BindGlobal}) // undefined
//	_ = text.AddReloc(callOff, elfw.R_X86_64_PLT32, ext, -4)
//	obj, err := w.Bytes()
package elfw

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gorc-jit/gorc/internal/diag"
)

// RelocType is an x86-64 relocation type (the psABI R_X86_64_* numbers).
type RelocType uint32

// The relocation types the writer accepts.
const (
	R_X86_64_64            RelocType = 1
	R_X86_64_PC32          RelocType = 2
	R_X86_64_PLT32         RelocType = 4
	R_X86_64_GOTPCREL      RelocType = 9
	R_X86_64_GOTTPOFF      RelocType = 22
	R_X86_64_32            RelocType = 10
	R_X86_64_32S           RelocType = 11
	R_X86_64_PC64          RelocType = 24
	R_X86_64_GOTPCRELX     RelocType = 41
	R_X86_64_REX_GOTPCRELX RelocType = 42
)

// String returns the psABI name of t.
func (t RelocType) String() string { return elf.R_X86_64(t).String() }

// size returns the number of bytes the relocation patches, or 0 if the
// type is not supported.
func (t RelocType) size() int {
	switch t {
	case R_X86_64_64, R_X86_64_PC64:
		return 8
	case R_X86_64_PC32, R_X86_64_PLT32, R_X86_64_GOTPCREL, R_X86_64_32,
		R_X86_64_32S, R_X86_64_GOTPCRELX, R_X86_64_REX_GOTPCRELX, R_X86_64_GOTTPOFF:
		return 4
	}
	return 0
}

// Bind is a symbol binding.
type Bind uint8

// Symbol bindings.
const (
	BindLocal  Bind = Bind(elf.STB_LOCAL)
	BindGlobal Bind = Bind(elf.STB_GLOBAL)
	BindWeak   Bind = Bind(elf.STB_WEAK)
)

// SymType is a symbol type.
type SymType uint8

// Symbol types.
const (
	TypeNone    SymType = SymType(elf.STT_NOTYPE)
	TypeObject  SymType = SymType(elf.STT_OBJECT)
	TypeFunc    SymType = SymType(elf.STT_FUNC)
	TypeSection SymType = SymType(elf.STT_SECTION)
	TypeTLS     SymType = SymType(elf.STT_TLS)
	// TypeIFunc (STT_GNU_IFUNC): the symbol's value is a resolver, a
	// function returning the address callers of the symbol reach.
	TypeIFunc SymType = SymType(elf.STT_GNU_IFUNC)
)

// Visibility is a symbol's st_other visibility.
type Visibility uint8

// Symbol visibilities.
const (
	VisDefault   Visibility = Visibility(elf.STV_DEFAULT)
	VisHidden    Visibility = Visibility(elf.STV_HIDDEN)
	VisProtected Visibility = Visibility(elf.STV_PROTECTED)
)

// SymID names a symbol added to a Writer.
type SymID int32

// Symbol describes a symbol to add. A nil Section makes it undefined
// (an external reference), which requires a global or weak binding.
type Symbol struct {
	Name       string
	Section    *Section
	Value      uint64
	Size       uint64
	Bind       Bind
	Type       SymType
	Visibility Visibility
	// Common makes a defined symbol without a section a common one
	// (SHN_COMMON: a tentative definition, "int x;" with -fcommon): Value
	// is its alignment, Size its size; the linker allocates it.
	Common bool
}

// Reloc is one relocation record (always RELA on x86-64).
type Reloc struct {
	Offset uint64
	Type   RelocType
	Sym    SymID
	Addend int64
}

// Section is an output section under construction.
type Section struct {
	Name    string
	Type    elf.SectionType
	Flags   elf.SectionFlag
	Align   uint64
	EntSize uint64
	Data    []byte // contents (nil for SHT_NOBITS)
	Size    uint64 // only for SHT_NOBITS (.bss)
	Relocs  []Reloc

	w   *Writer
	idx int   // index in w.secs
	sym SymID // section symbol, -1 until requested
}

// Append appends b to the section contents and returns the offset at which
// it was placed.
func (s *Section) Append(b []byte) uint64 {
	off := uint64(len(s.Data))
	s.Data = append(s.Data, b...)
	return off
}

// AlignTo pads the section with fill bytes until its length is a multiple
// of a (a power of two) and returns the new length. An a that is not a
// power of two up to MaxAlign pads nothing and makes Bytes fail.
func (s *Section) AlignTo(a uint64, fill byte) uint64 {
	if a&(a-1) != 0 || a > MaxAlign {
		if s.w != nil && s.w.err == nil {
			s.w.err = fmt.Errorf("elfw: section %s: AlignTo(%d): not a power of two up to %d", s.Name, a, MaxAlign)
		}
		return uint64(len(s.Data))
	}
	for a > 1 && uint64(len(s.Data))%a != 0 {
		s.Data = append(s.Data, fill)
	}
	if a > s.Align {
		s.Align = a
	}
	return uint64(len(s.Data))
}

// Len is the current size of the section in bytes.
func (s *Section) Len() uint64 {
	if s.Type == elf.SHT_NOBITS {
		return s.Size
	}
	return uint64(len(s.Data))
}

// AddReloc records a relocation at offset off of the section. The patched
// field must lie inside the section and sym must be a symbol of the same
// Writer.
func (s *Section) AddReloc(off uint64, typ RelocType, sym SymID, addend int64) error {
	n := typ.size()
	if n == 0 {
		return fmt.Errorf("elfw: section %s: offset %#x: unsupported relocation type %d", s.Name, off, uint32(typ))
	}
	if s.Type == elf.SHT_NOBITS {
		return fmt.Errorf("elfw: section %s: relocation in a NOBITS section", s.Name)
	}
	if off+uint64(n) > uint64(len(s.Data)) || off+uint64(n) < off {
		return fmt.Errorf("elfw: section %s: %s at offset %#x (%d bytes) lies outside the section (size %#x)", s.Name, typ, off, n, len(s.Data))
	}
	if sym < 0 || int(sym) >= len(s.w.syms) {
		return fmt.Errorf("elfw: section %s: %s at offset %#x: unknown symbol id %d", s.Name, typ, off, sym)
	}
	if t := &s.w.syms[sym]; t.Type == TypeSection && t.Section.Flags&elf.SHF_MERGE != 0 {
		// Linkers locate the merged entry from symbol+addend; with a
		// PC-relative addend that lands outside the entry.
		return fmt.Errorf("elfw: section %s: %s at offset %#x references mergeable section %s through its section symbol; use a local symbol at the constant", s.Name, typ, off, t.Section.Name)
	}
	s.Relocs = append(s.Relocs, Reloc{Offset: off, Type: typ, Sym: sym, Addend: addend})
	return nil
}

// Symbol returns the STT_SECTION symbol of s, creating it on first use;
// relocations against local data usually reference it (except in
// mergeable sections such as .rodata.cst8, whose entries need a local
// symbol each, as gcc's .LC labels).
func (s *Section) Symbol() SymID {
	if s.sym < 0 {
		s.w.syms = append(s.w.syms, Symbol{Section: s, Bind: BindLocal, Type: TypeSection})
		s.sym = SymID(len(s.w.syms) - 1)
	}
	return s.sym
}

// Writer builds one relocatable object.
type Writer struct {
	secs   []*Section
	syms   []Symbol
	byName map[string]SymID
	// FileName, if set, becomes an STT_FILE symbol.
	FileName string
	err      error // the first misuse found by a method without an error result
	// spare holds the sections of objects Reset dropped, for AddSection.
	spare []*Section
}

// Reset empties w for the next object, keeping the memory of its tables
// (symbols, names, the sections' relocation arrays) for it: a JIT that
// compiles thousands of small objects one at a time builds each in the
// same writer. The sections' contents are not reused (a link graph made
// by jitlink/elf.FromWriter aliases them, and a Bytes result is a copy),
// but everything else w handed out is invalid after Reset: the *Section
// values (which become the next object's), symbol ids and relocations.
func (w *Writer) Reset() {
	for _, s := range w.secs {
		*s = Section{Relocs: s.Relocs[:0]}
	}
	w.spare = append(w.spare, w.secs...)
	w.secs = w.secs[:0]
	clear(w.syms)
	w.syms = w.syms[:0]
	clear(w.byName)
	w.FileName = ""
	w.err = nil
}

// New returns an empty Writer. It always emits a .note.GNU-stack section
// (non-executable stack) so linkers do not warn.
func New() *Writer {
	return &Writer{byName: make(map[string]SymID)}
}

// MaxAlign is the largest section alignment the writer accepts: sections
// are padded in memory, so an alignment near 2^63 would make Bytes (or
// AlignTo) append zero bytes until memory runs out.
const MaxAlign = 1 << 16

// AddSection adds a section. Names must be unique and non-empty; align
// must be zero or a power of two up to MaxAlign.
func (w *Writer) AddSection(name string, typ elf.SectionType, flags elf.SectionFlag, align uint64) (*Section, error) {
	if name == "" {
		return nil, errors.New("elfw: AddSection: empty section name")
	}
	if align&(align-1) != 0 || align > MaxAlign {
		return nil, fmt.Errorf("elfw: AddSection %s: alignment %d is not a power of two up to %d", name, align, MaxAlign)
	}
	switch typ {
	case elf.SHT_PROGBITS, elf.SHT_NOBITS, elf.SHT_NOTE, elf.SHT_INIT_ARRAY,
		elf.SHT_FINI_ARRAY, elf.SectionType(0x70000001): // SHT_X86_64_UNWIND
	default:
		return nil, fmt.Errorf("elfw: AddSection %s: section type %v cannot be added directly", name, typ)
	}
	for _, s := range w.secs {
		if s.Name == name {
			return nil, fmt.Errorf("elfw: AddSection: duplicate section %s", name)
		}
	}
	if align == 0 {
		align = 1
	}
	var s *Section
	if n := len(w.spare); n > 0 {
		// A section of an object before Reset: only its relocation array
		// is kept (empty).
		s = w.spare[n-1]
		w.spare = w.spare[:n-1]
		*s = Section{Name: name, Type: typ, Flags: flags, Align: align, Relocs: s.Relocs, w: w, idx: len(w.secs), sym: -1}
	} else {
		s = &Section{Name: name, Type: typ, Flags: flags, Align: align, w: w, idx: len(w.secs), sym: -1}
	}
	w.secs = append(w.secs, s)
	return s, nil
}

// Section returns the section with the given name, or nil.
func (w *Writer) Section(name string) *Section {
	for _, s := range w.secs {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func (w *Writer) std(name string, typ elf.SectionType, flags elf.SectionFlag, align, ent uint64) *Section {
	if s := w.Section(name); s != nil {
		return s
	}
	s, _ := w.AddSection(name, typ, flags, align)
	s.EntSize = ent
	return s
}

// Text returns the .text section (created on first use, 16-byte aligned).
func (w *Writer) Text() *Section {
	return w.std(".text", elf.SHT_PROGBITS, elf.SHF_ALLOC|elf.SHF_EXECINSTR, 16, 0)
}

// ROData returns the .rodata section.
func (w *Writer) ROData() *Section {
	return w.std(".rodata", elf.SHT_PROGBITS, elf.SHF_ALLOC, 16, 0)
}

// ROCst8 returns .rodata.cst8, a mergeable section of 8-byte constants
// (where float constants go).
func (w *Writer) ROCst8() *Section {
	return w.std(".rodata.cst8", elf.SHT_PROGBITS, elf.SHF_ALLOC|elf.SHF_MERGE, 8, 8)
}

// Data returns the .data section.
func (w *Writer) Data() *Section {
	return w.std(".data", elf.SHT_PROGBITS, elf.SHF_ALLOC|elf.SHF_WRITE, 8, 0)
}

// BSS returns the .bss section; grow it by setting Size.
func (w *Writer) BSS() *Section {
	return w.std(".bss", elf.SHT_NOBITS, elf.SHF_ALLOC|elf.SHF_WRITE, 16, 0)
}

// EHFrame returns the .eh_frame section (type SHT_X86_64_UNWIND, as gcc
// emits it).
func (w *Writer) EHFrame() *Section {
	return w.std(".eh_frame", elf.SectionType(0x70000001), elf.SHF_ALLOC, 8, 0)
}

// AddSymbol adds a symbol and returns its id. Named global and weak symbols
// must be unique (an undefined reference added twice returns the first
// id; a definition may replace an earlier undefined reference of the same
// name).
func (w *Writer) AddSymbol(s Symbol) (SymID, error) {
	if s.Bind != BindLocal && s.Bind != BindGlobal && s.Bind != BindWeak {
		return -1, fmt.Errorf("elfw: symbol %q: invalid binding %d", s.Name, s.Bind)
	}
	switch s.Type {
	case TypeNone, TypeObject, TypeFunc, TypeTLS:
	case TypeIFunc:
		if s.Section == nil || s.Common {
			return -1, fmt.Errorf("elfw: symbol %q: an ifunc must be defined in a section", s.Name)
		}
	default:
		return -1, fmt.Errorf("elfw: symbol %q: invalid type %d", s.Name, s.Type)
	}
	if s.Visibility > VisProtected {
		return -1, fmt.Errorf("elfw: symbol %q: invalid visibility %d", s.Name, s.Visibility)
	}
	if s.Common {
		if s.Section != nil || s.Bind == BindLocal || s.Name == "" || s.Type == TypeTLS {
			return -1, fmt.Errorf("elfw: symbol %q: a common symbol must be named, global or weak, not thread-local, and in no section", s.Name)
		}
		if s.Value == 0 || s.Value&(s.Value-1) != 0 {
			return -1, fmt.Errorf("elfw: common symbol %q: alignment %d is not a power of two", s.Name, s.Value)
		}
	} else if s.Section != nil {
		if s.Section.w != w {
			return -1, fmt.Errorf("elfw: symbol %q: section %s belongs to another writer", s.Name, s.Section.Name)
		}
		if s.Value+s.Size > s.Section.Len() || s.Value+s.Size < s.Value {
			return -1, fmt.Errorf("elfw: symbol %q: value %#x size %#x exceeds section %s (size %#x)", diag.Clip(s.Name), s.Value, s.Size, s.Section.Name, s.Section.Len())
		}
	} else {
		if s.Name == "" {
			return -1, errors.New("elfw: undefined symbol without a name")
		}
		if s.Bind == BindLocal {
			return -1, fmt.Errorf("elfw: symbol %q: an undefined symbol cannot be local", s.Name)
		}
	}
	if s.Bind != BindLocal && s.Name == "" {
		return -1, errors.New("elfw: global symbol without a name")
	}
	if s.Bind != BindLocal {
		if id, ok := w.byName[s.Name]; ok {
			old := &w.syms[id]
			switch {
			case s.Section == nil && !s.Common:
				return id, nil
			case old.Section == nil && !old.Common:
				*old = s
				return id, nil
			default:
				return -1, fmt.Errorf("elfw: duplicate definition of symbol %q", s.Name)
			}
		}
	}
	w.syms = append(w.syms, s)
	id := SymID(len(w.syms) - 1)
	if s.Bind != BindLocal {
		w.byName[s.Name] = id
	}
	return id, nil
}

// Lookup returns the id of a global or weak symbol by name.
func (w *Writer) Lookup(name string) (SymID, bool) {
	id, ok := w.byName[name]
	return id, ok
}

// SetSymbolSize updates the size of a defined symbol (useful when a
// function symbol is added before its code is complete).
func (w *Writer) SetSymbolSize(id SymID, size uint64) error {
	if id < 0 || int(id) >= len(w.syms) {
		return fmt.Errorf("elfw: SetSymbolSize: unknown symbol id %d", id)
	}
	w.syms[id].Size = size
	return nil
}

// DefineSymbol places symbol id in section sec at value with the given
// size (used when symbols are created before their contents exist, for
// example functions referenced before they are compiled).
func (w *Writer) DefineSymbol(id SymID, sec *Section, value, size uint64) error {
	if id < 0 || int(id) >= len(w.syms) {
		return fmt.Errorf("elfw: DefineSymbol: unknown symbol id %d", id)
	}
	if sec == nil || sec.w != w {
		return fmt.Errorf("elfw: DefineSymbol %q: section not of this writer", w.syms[id].Name)
	}
	if value+size > sec.Len() || value+size < value {
		return fmt.Errorf("elfw: DefineSymbol %q: value %#x size %#x exceeds section %s (size %#x)", diag.Clip(w.syms[id].Name), value, size, sec.Name, sec.Len())
	}
	s := &w.syms[id]
	s.Section, s.Value, s.Size = sec, value, size
	return nil
}

type strtab struct {
	b   []byte
	idx map[string]uint32
}

func newStrtab() *strtab { return &strtab{b: []byte{0}, idx: map[string]uint32{"": 0}} }

func (t *strtab) add(s string) uint32 {
	if i, ok := t.idx[s]; ok {
		return i
	}
	i := uint32(len(t.b))
	t.b = append(t.b, s...)
	t.b = append(t.b, 0)
	t.idx[s] = i
	return i
}

// Bytes serializes the object. It validates symbol extents and
// relocations again, since sections may have changed after they were
// added.
func (w *Writer) Bytes() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	if w.Section(".note.GNU-stack") == nil {
		w.std(".note.GNU-stack", elf.SHT_PROGBITS, 0, 1, 0)
	}
	le := binary.LittleEndian
	// Section header indices: 0 null, then user sections, then for each
	// section with relocations a .rela section, then symtab, strtab,
	// shstrtab.
	nsec := len(w.secs)
	shIdx := make([]int, nsec)
	for i := range w.secs {
		shIdx[i] = 1 + i
	}
	next := 1 + nsec
	relaIdx := make([]int, nsec)
	for i, s := range w.secs {
		if len(s.Relocs) > 0 {
			relaIdx[i] = next
			next++
		}
	}
	symtabIdx := next
	strtabIdx := next + 1
	shstrIdx := next + 2
	shnum := next + 3

	// Symbol order: null, file, locals, then globals.
	strs := newStrtab()
	strSize := 1 + len(w.FileName) + 1
	for i := range w.syms {
		strSize += len(w.syms[i].Name) + 1
	}
	strs.b = make([]byte, 1, strSize) // the names, each once at most
	strs.idx = make(map[string]uint32, len(w.syms)+2)
	strs.idx[""] = 0
	order := make([]int32, len(w.syms)) // syms index -> final index
	symtab := make([]byte, 0, 24*(len(w.syms)+2))
	putSym := func(name uint32, info, other uint8, shndx uint16, value, size uint64) {
		var e [24]byte
		le.PutUint32(e[0:], name)
		e[4] = info
		e[5] = other
		le.PutUint16(e[6:], shndx)
		le.PutUint64(e[8:], value)
		le.PutUint64(e[16:], size)
		symtab = append(symtab, e[:]...)
	}
	putSym(0, 0, 0, 0, 0, 0)
	nsyms := int32(1)
	if w.FileName != "" {
		putSym(strs.add(w.FileName), uint8(elf.STT_FILE), 0, uint16(elf.SHN_ABS), 0, 0)
		nsyms++
	}
	emit := func(i int) error {
		s := &w.syms[i]
		var shndx uint16
		if s.Section != nil {
			if s.Value+s.Size > s.Section.Len() || s.Value+s.Size < s.Value {
				return fmt.Errorf("elfw: symbol %q: value %#x size %#x exceeds section %s (size %#x)", diag.Clip(s.Name), s.Value, s.Size, s.Section.Name, s.Section.Len())
			}
			shndx = uint16(shIdx[s.Section.idx])
		} else if s.Common {
			shndx = uint16(elf.SHN_COMMON)
		}
		name := uint32(0)
		if s.Type != TypeSection {
			name = strs.add(s.Name)
		}
		putSym(name, uint8(s.Bind)<<4|uint8(s.Type), uint8(s.Visibility), shndx, s.Value, s.Size)
		order[i] = nsyms
		nsyms++
		return nil
	}
	for i := range w.syms {
		if w.syms[i].Bind == BindLocal {
			if err := emit(i); err != nil {
				return nil, err
			}
		}
	}
	firstGlobal := nsyms
	for i := range w.syms {
		if w.syms[i].Bind != BindLocal {
			if err := emit(i); err != nil {
				return nil, err
			}
		}
	}

	shstr := newStrtab()
	type shdr struct {
		name                   uint32
		typ                    uint32
		flags, addr, off, size uint64
		link, info             uint32
		align, entsize         uint64
	}
	hdrs := make([]shdr, shnum)
	// The whole object in one allocation: every section (with its
	// alignment padding), its relocations, the symbol and string tables
	// and the section headers.
	size := 64
	for _, s := range w.secs {
		size += len(s.Data) + 24*len(s.Relocs) + int(min(s.Align, 4096)) + 8
	}
	size += len(symtab) + 8 + len(strs.b) + 64*len(w.secs) + 64*shnum + 8
	out := make([]byte, 64, size)
	place := func(data []byte, align uint64) uint64 {
		for align > 1 && uint64(len(out))%align != 0 {
			out = append(out, 0)
		}
		off := uint64(len(out))
		out = append(out, data...)
		return off
	}
	for i, s := range w.secs {
		h := &hdrs[shIdx[i]]
		h.name = shstr.add(s.Name)
		h.typ = uint32(s.Type)
		h.flags = uint64(s.Flags)
		h.align = s.Align
		h.entsize = s.EntSize
		if s.Type == elf.SHT_NOBITS {
			h.off = uint64(len(out))
			h.size = s.Size
		} else {
			h.off = place(s.Data, s.Align)
			h.size = uint64(len(s.Data))
		}
	}
	for i, s := range w.secs {
		if relaIdx[i] == 0 {
			continue
		}
		// The entries are written in place, at the end of out.
		off := place(nil, 8)
		for _, r := range s.Relocs {
			if r.Offset+uint64(r.Type.size()) > uint64(len(s.Data)) || r.Offset+uint64(r.Type.size()) < r.Offset {
				return nil, fmt.Errorf("elfw: section %s: %s at offset %#x lies outside the section", s.Name, r.Type, r.Offset)
			}
			if r.Sym < 0 || int(r.Sym) >= len(w.syms) {
				// Relocs is an exported field: a record appended to it
				// directly may name no symbol of this writer.
				return nil, fmt.Errorf("elfw: section %s: %s at offset %#x: unknown symbol id %d", s.Name, r.Type, r.Offset, r.Sym)
			}
			var e [24]byte
			le.PutUint64(e[0:], r.Offset)
			le.PutUint64(e[8:], uint64(order[r.Sym])<<32|uint64(r.Type))
			le.PutUint64(e[16:], uint64(r.Addend))
			out = append(out, e[:]...)
		}
		h := &hdrs[relaIdx[i]]
		h.name = shstr.add(".rela" + s.Name)
		h.typ = uint32(elf.SHT_RELA)
		h.flags = uint64(elf.SHF_INFO_LINK)
		h.off = off
		h.size = uint64(len(out)) - off
		h.link = uint32(symtabIdx)
		h.info = uint32(shIdx[i])
		h.align = 8
		h.entsize = 24
	}
	{
		h := &hdrs[symtabIdx]
		h.name = shstr.add(".symtab")
		h.typ = uint32(elf.SHT_SYMTAB)
		h.off = place(symtab, 8)
		h.size = uint64(len(symtab))
		h.link = uint32(strtabIdx)
		h.info = uint32(firstGlobal)
		h.align = 8
		h.entsize = 24
	}
	{
		h := &hdrs[strtabIdx]
		h.name = shstr.add(".strtab")
		h.typ = uint32(elf.SHT_STRTAB)
		h.off = place(strs.b, 1)
		h.size = uint64(len(strs.b))
		h.align = 1
	}
	{
		h := &hdrs[shstrIdx]
		h.name = shstr.add(".shstrtab")
		h.typ = uint32(elf.SHT_STRTAB)
		h.off = place(shstr.b, 1)
		h.size = uint64(len(shstr.b))
		h.align = 1
	}
	shoff := place(nil, 8)
	for _, h := range hdrs {
		var e [64]byte
		le.PutUint32(e[0:], h.name)
		le.PutUint32(e[4:], h.typ)
		le.PutUint64(e[8:], h.flags)
		le.PutUint64(e[16:], h.addr)
		le.PutUint64(e[24:], h.off)
		le.PutUint64(e[32:], h.size)
		le.PutUint32(e[40:], h.link)
		le.PutUint32(e[44:], h.info)
		le.PutUint64(e[48:], h.align)
		le.PutUint64(e[56:], h.entsize)
		out = append(out, e[:]...)
	}
	// ELF header.
	copy(out[0:], "\x7fELF")
	out[4] = byte(elf.ELFCLASS64)
	out[5] = byte(elf.ELFDATA2LSB)
	out[6] = byte(elf.EV_CURRENT)
	out[7] = byte(elf.ELFOSABI_NONE)
	le.PutUint16(out[16:], uint16(elf.ET_REL))
	le.PutUint16(out[18:], uint16(elf.EM_X86_64))
	le.PutUint32(out[20:], uint32(elf.EV_CURRENT))
	le.PutUint64(out[40:], shoff)
	le.PutUint16(out[52:], 64)
	le.PutUint16(out[58:], 64)
	le.PutUint16(out[60:], uint16(shnum))
	le.PutUint16(out[62:], uint16(shstrIdx))
	return out, nil
}

// Sections returns the writer's sections in the order they were added
// (their section header indices are 1, 2, ... in that order). The slice
// is the writer's own: read it, do not change it. A reader that builds a
// link graph straight from a Writer (jitlink/elf.FromWriter) uses it
// instead of serializing with Bytes.
func (w *Writer) Sections() []*Section { return w.secs }

// Symbols returns the writer's symbols, indexed by SymID (in the order
// they were added; Bytes writes the local ones first). The slice is the
// writer's own: read it, do not change it.
func (w *Writer) Symbols() []Symbol { return w.syms }

// Err returns the first misuse recorded by a method without an error
// result (such as AlignTo with a bad alignment), which Bytes reports.
func (w *Writer) Err() error { return w.err }
