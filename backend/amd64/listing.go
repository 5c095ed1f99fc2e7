package amd64

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// Syntax selects the assembly syntax of a Listing.
type Syntax int

// Listing syntaxes.
const (
	SyntaxATT   Syntax = iota // GNU/AT&T, as objdump -d prints
	SyntaxIntel               // Intel, as objdump -d -M intel prints
)

// Listing disassembles the executable sections of an x86-64 ELF object
// (ours or any other), one function per symbol, with relocations shown
// beside the instructions they patch, in the style of objdump -dr. It is
// what -emit asm prints.
func Listing(obj []byte, syntax Syntax) (string, error) {
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		return "", fmt.Errorf("amd64: listing: %w", err)
	}
	if f.Machine != elf.EM_X86_64 || f.Class != elf.ELFCLASS64 {
		return "", fmt.Errorf("amd64: listing: not an x86-64 ELF64 object (machine %v, class %v)", f.Machine, f.Class)
	}
	syms, err := f.Symbols()
	if err != nil && err != elf.ErrNoSymbols {
		return "", fmt.Errorf("amd64: listing: symbols: %w", err)
	}
	var sb strings.Builder
	for si, sec := range f.Sections {
		if sec.Type != elf.SHT_PROGBITS || sec.Flags&elf.SHF_EXECINSTR == 0 {
			continue
		}
		code, err := sec.Data()
		if err != nil {
			return "", fmt.Errorf("amd64: listing: section %s: %w", sec.Name, err)
		}
		type label struct {
			off  uint64
			name string
		}
		var labels []label
		for _, s := range syms {
			if int(s.Section) == si && elf.ST_TYPE(s.Info) != elf.STT_SECTION && s.Name != "" && s.Value <= uint64(len(code)) {
				labels = append(labels, label{s.Value, s.Name})
			}
		}
		sort.SliceStable(labels, func(i, j int) bool { return labels[i].off < labels[j].off })
		relocs := relocsFor(f, si, syms)
		symname := func(addr uint64) (string, uint64) {
			i := sort.Search(len(labels), func(i int) bool { return labels[i].off > addr }) - 1
			if i >= 0 {
				return labels[i].name, labels[i].off
			}
			return "", 0
		}
		fmt.Fprintf(&sb, "\nDisassembly of section %s:\n", sec.Name)
		li := 0
		for pc := 0; pc < len(code); {
			for li < len(labels) && labels[li].off <= uint64(pc) {
				if labels[li].off == uint64(pc) {
					fmt.Fprintf(&sb, "\n%016x <%s>:\n", pc, labels[li].name)
				}
				li++
			}
			end := len(code)
			if li < len(labels) && labels[li].off < uint64(end) {
				end = int(labels[li].off)
			}
			inst, err := x86asm.Decode(code[pc:end], 64)
			n := inst.Len
			text := ""
			if err != nil || n <= 0 {
				n = 1
				text = "(bad)"
			} else if syntax == SyntaxIntel {
				text = x86asm.IntelSyntax(inst, uint64(pc), symname)
			} else {
				text = x86asm.GNUSyntax(inst, uint64(pc), symname)
			}
			if err == nil {
				if rel, ok := inst.Args[0].(x86asm.Rel); ok {
					target := uint64(int64(pc+n) + int64(rel))
					if name, base := symname(target); name != "" {
						if target == base {
							text += fmt.Sprintf(" <%s>", name)
						} else {
							text += fmt.Sprintf(" <%s+%#x>", name, target-base)
						}
					}
				}
			}
			var hex strings.Builder
			for _, b := range code[pc : pc+n] {
				fmt.Fprintf(&hex, "%02x ", b)
			}
			fmt.Fprintf(&sb, "%6x:\t%-24s\t%s\n", pc, hex.String(), text)
			for _, r := range relocs {
				if r.off >= uint64(pc) && r.off < uint64(pc+n) {
					fmt.Fprintf(&sb, "\t\t\t%x: %s\t%s\n", r.off, r.typ, r.target)
				}
			}
			pc += n
		}
	}
	return sb.String(), nil
}

type listReloc struct {
	off    uint64
	typ    elf.R_X86_64
	target string
}

func relocsFor(f *elf.File, si int, syms []elf.Symbol) []listReloc {
	var out []listReloc
	for _, rs := range f.Sections {
		if rs.Type != elf.SHT_RELA || int(rs.Info) != si {
			continue
		}
		data, err := rs.Data()
		if err != nil {
			continue
		}
		for i := 0; i+24 <= len(data); i += 24 {
			off := binary.LittleEndian.Uint64(data[i:])
			info := binary.LittleEndian.Uint64(data[i+8:])
			add := int64(binary.LittleEndian.Uint64(data[i+16:]))
			name := "?"
			if k := int(info >> 32); k >= 1 && k <= len(syms) {
				s := syms[k-1]
				name = s.Name
				if elf.ST_TYPE(s.Info) == elf.STT_SECTION && int(s.Section) < len(f.Sections) {
					name = f.Sections[s.Section].Name
				}
			}
			switch {
			case add > 0:
				name += fmt.Sprintf("+%#x", add)
			case add < 0:
				name += fmt.Sprintf("-%#x", -add)
			}
			out = append(out, listReloc{off, elf.R_X86_64(info & 0xffffffff), name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].off < out[j].off })
	return out
}
