// Package mutate makes deterministic, seeded mutants of compiler and
// linker inputs (ELF objects, archives, LLVM IR text, Kaleidoscope
// source) for the mutation test in this package (mutate_test.go), which
// runs each mutant through gorc's parse, compile and link path and checks
// that it gives a clean error or a result, never a panic or a hang.
//
// The mutations are the ones that found bugs in parsers before: byte
// flips and interesting byte values, truncations, duplicated and deleted
// ranges, patched ELF header and section header fields (offsets, sizes,
// counts, alignments set to 0, 1, near 2^63 or 2^64), and for text inputs
// token-level edits (huge numbers, deep nesting, long names, repeated
// lines).
package mutate

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Kind says which mutations suit an input.
type Kind int

// Input kinds.
const (
	Binary  Kind = iota // any binary input: byte-level mutations only
	ELF                 // ELF64 little-endian objects: also header patches
	Text                // .ll and .k files: also token-level edits
	Archive             // ar archives: also ELF patches inside a member
)

// Mutate returns a mutant of data (data itself is not changed) and a
// short description of what was done, chosen by r.
func Mutate(r *rand.Rand, kind Kind, data []byte) ([]byte, string) {
	out := bytes.Clone(data)
	n := 1 + r.IntN(3) // a few mutations stacked
	var what []string
	for range n {
		var w string
		switch {
		case kind == ELF && r.IntN(2) == 0:
			out, w = patchELF(r, out)
		case kind == Archive && r.IntN(2) == 0:
			out, w = patchMember(r, out)
		case kind == Text && r.IntN(2) == 0:
			out, w = editText(r, out)
		default:
			out, w = mutateBytes(r, out)
		}
		what = append(what, w)
	}
	return out, strings.Join(what, "; ")
}

var interesting = []uint64{0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0xffff, 1 << 31, 1<<32 - 1, 1 << 32, 1 << 62, 1<<63 - 1, 1 << 63, 1<<64 - 16, 1<<64 - 1}

func mutateBytes(r *rand.Rand, b []byte) ([]byte, string) {
	if len(b) == 0 {
		return []byte{byte(r.IntN(256))}, "insert a byte into empty input"
	}
	i := r.IntN(len(b))
	switch r.IntN(6) {
	case 0:
		bit := byte(1) << r.IntN(8)
		b[i] ^= bit
		return b, fmt.Sprintf("flip bit %#x at %d", bit, i)
	case 1:
		v := byte(interesting[r.IntN(8)])
		b[i] = v
		return b, fmt.Sprintf("set byte %d to %#x", i, v)
	case 2:
		return b[:i], fmt.Sprintf("truncate to %d bytes", i)
	case 3:
		j := i + r.IntN(min(len(b)-i, 4096)+1)
		out := append(append(append([]byte(nil), b[:j]...), b[i:j]...), b[j:]...)
		return out, fmt.Sprintf("duplicate [%d,%d)", i, j)
	case 4:
		j := i + r.IntN(min(len(b)-i, 4096)+1)
		return append(b[:i:i], b[j:]...), fmt.Sprintf("delete [%d,%d)", i, j)
	default:
		w := []int{2, 4, 8}[r.IntN(3)]
		if i+w > len(b) {
			return b, "no-op"
		}
		v := interesting[r.IntN(len(interesting))]
		var tmp [8]byte
		binary.LittleEndian.PutUint64(tmp[:], v)
		copy(b[i:i+w], tmp[:w])
		return b, fmt.Sprintf("set %d-byte word at %d to %#x", w, i, v)
	}
}

// patchELF sets a field of the ELF header or of a section header (ELF64
// little-endian layout) to an interesting value.
func patchELF(r *rand.Rand, b []byte) ([]byte, string) {
	if len(b) < 64 {
		return mutateBytes(r, b)
	}
	type field struct {
		name     string
		off, len int
	}
	// ELF header fields.
	hdr := []field{{"e_type", 16, 2}, {"e_machine", 18, 2}, {"e_shoff", 40, 8}, {"e_ehsize", 52, 2}, {"e_shentsize", 58, 2}, {"e_shnum", 60, 2}, {"e_shstrndx", 62, 2}}
	// Section header fields (relative to the header's start).
	sec := []field{{"sh_name", 0, 4}, {"sh_type", 4, 4}, {"sh_flags", 8, 8}, {"sh_offset", 24, 8}, {"sh_size", 32, 8}, {"sh_link", 40, 4}, {"sh_info", 44, 4}, {"sh_addralign", 48, 8}, {"sh_entsize", 56, 8}}
	// Symbol (Elf64_Sym) and relocation (Elf64_Rela) fields.
	symF := []field{{"st_name", 0, 4}, {"st_info", 4, 1}, {"st_other", 5, 1}, {"st_shndx", 6, 2}, {"st_value", 8, 8}, {"st_size", 16, 8}}
	relF := []field{{"r_offset", 0, 8}, {"r_info.type", 8, 4}, {"r_info.sym", 12, 4}, {"r_addend", 16, 8}}
	var f field
	where := ""
	shoff := binary.LittleEndian.Uint64(b[40:])
	shnum := uint64(binary.LittleEndian.Uint16(b[60:]))
	if e, what, ok := tableEntry(r, b, shoff, shnum); ok && r.IntN(2) == 0 {
		// An entry of .symtab (type 2) or a .rela section (type 4).
		if what == "symbol" {
			f = symF[r.IntN(len(symF))]
		} else {
			f = relF[r.IntN(len(relF))]
		}
		f.off += int(e.off)
		where = fmt.Sprintf(" of %s %d", what, e.idx)
	} else if r.IntN(4) == 0 || shnum == 0 || shoff >= uint64(len(b)) {
		f = hdr[r.IntN(len(hdr))]
	} else {
		idx := uint64(r.IntN(int(shnum)))
		base := shoff + 64*idx // no wrap: shoff < len(b), idx < 2^16
		if base+64 > uint64(len(b)) {
			return mutateBytes(r, b)
		}
		f = sec[r.IntN(len(sec))]
		f.off += int(base)
		where = fmt.Sprintf(" of section header %d", idx)
	}
	v := interesting[r.IntN(len(interesting))]
	if r.IntN(3) == 0 {
		// Near the old value: off-by-small errors.
		var old uint64
		switch f.len {
		case 1:
			old = uint64(b[f.off])
		case 2:
			old = uint64(binary.LittleEndian.Uint16(b[f.off:]))
		case 4:
			old = uint64(binary.LittleEndian.Uint32(b[f.off:]))
		default:
			old = binary.LittleEndian.Uint64(b[f.off:])
		}
		v = old + uint64(r.IntN(33)) - 16
	}
	switch f.len {
	case 1:
		b[f.off] = byte(v)
	case 2:
		binary.LittleEndian.PutUint16(b[f.off:], uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b[f.off:], uint32(v))
	default:
		binary.LittleEndian.PutUint64(b[f.off:], v)
	}
	return b, fmt.Sprintf("set %s%s to %#x", f.name, where, v)
}

type entry struct{ off, idx uint64 }

// tableEntry picks a random entry of a random symbol table or RELA
// section of the ELF64 object b, if it has one inside the file.
func tableEntry(r *rand.Rand, b []byte, shoff, shnum uint64) (entry, string, bool) {
	type table struct {
		off, n uint64
		what   string
	}
	var tabs []table
	if shoff > uint64(len(b)) {
		return entry{}, "", false
	}
	for i := uint64(0); i < shnum && i < 4096; i++ {
		h := shoff + 64*i // no wrap: shoff <= len(b), i < 4096
		if h+64 > uint64(len(b)) {
			break
		}
		typ := binary.LittleEndian.Uint32(b[h+4:])
		off := binary.LittleEndian.Uint64(b[h+24:])
		size := binary.LittleEndian.Uint64(b[h+32:])
		if off > uint64(len(b)) || size > uint64(len(b))-off {
			continue
		}
		switch typ {
		case 2: // SHT_SYMTAB
			tabs = append(tabs, table{off, size / 24, "symbol"})
		case 4: // SHT_RELA
			tabs = append(tabs, table{off, size / 24, "relocation"})
		}
	}
	if len(tabs) == 0 {
		return entry{}, "", false
	}
	t := tabs[r.IntN(len(tabs))]
	if t.n == 0 {
		return entry{}, "", false
	}
	i := uint64(r.IntN(int(min(t.n, 1<<20))))
	return entry{t.off + 24*i, i}, t.what, true
}

// patchMember applies an ELF patch to a random ELF member of the ar
// archive b (in place: the member keeps its size).
func patchMember(r *rand.Rand, b []byte) ([]byte, string) {
	const magic = "!<arch>\n"
	if !bytes.HasPrefix(b, []byte(magic)) {
		return mutateBytes(r, b)
	}
	type member struct{ off, size int }
	var elfs []member
	for off := len(magic); off+60 <= len(b); {
		size, err := strconv.Atoi(strings.TrimSpace(string(b[off+48 : off+58])))
		if err != nil || size < 0 || size > len(b)-off-60 {
			break
		}
		data := off + 60
		if size >= 64 && bytes.HasPrefix(b[data:], []byte("\x7fELF")) {
			elfs = append(elfs, member{data, size})
		}
		off = data + size + size%2
	}
	if len(elfs) == 0 {
		return mutateBytes(r, b)
	}
	m := elfs[r.IntN(len(elfs))]
	patched, what := patchELF(r, b[m.off:m.off+m.size:m.off+m.size])
	if len(patched) != m.size {
		return b, "no-op"
	}
	return b, fmt.Sprintf("member at %d: %s", m.off, what)
}

// editText makes a token-level edit to source text.
func editText(r *rand.Rand, b []byte) ([]byte, string) {
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines) == 0 {
		return mutateBytes(r, b)
	}
	li := r.IntN(len(lines))
	line := lines[li]
	switch r.IntN(7) {
	case 0: // repeat a line
		k := 1 + r.IntN(50)
		rep := bytes.Repeat(line, k)
		lines[li] = rep
		return bytes.Join(lines, nil), fmt.Sprintf("repeat line %d %d times", li+1, k)
	case 1: // delete a line
		return bytes.Join(append(lines[:li:li], lines[li+1:]...), nil), fmt.Sprintf("delete line %d", li+1)
	case 2: // swap two lines
		lj := r.IntN(len(lines))
		lines[li], lines[lj] = lines[lj], lines[li]
		return bytes.Join(lines, nil), fmt.Sprintf("swap lines %d and %d", li+1, lj+1)
	case 3: // replace a number by an extreme one
		nums := []string{"0", "-1", "4611686018427387904", "9223372036854775807", "18446744073709551616", "1e308", "1e400", "0.0000000000000000000000001", "99999999999999999999999999999"}
		idx := numberAt(line, r)
		if idx < 0 {
			return mutateBytes(r, b)
		}
		end := idx
		for end < len(line) && (line[end] >= '0' && line[end] <= '9' || line[end] == '.') {
			end++
		}
		s := nums[r.IntN(len(nums))]
		lines[li] = append(append(append([]byte(nil), line[:idx]...), s...), line[end:]...)
		return bytes.Join(lines, nil), fmt.Sprintf("number on line %d -> %s", li+1, s)
	case 4: // insert punctuation
		p := []string{"(", ")", "[", "]", "{", "}", ",", ";", "=", "%", "@", "!", "#", "\"", "<", ">", "*", "x", "-"}[r.IntN(19)]
		i := r.IntN(len(line) + 1)
		lines[li] = append(append(append([]byte(nil), line[:i]...), p...), line[i:]...)
		return bytes.Join(lines, nil), fmt.Sprintf("insert %q on line %d", p, li+1)
	case 5: // deep nesting
		k := 100 + r.IntN(5000)
		open, close := []string{"(", "[1 x ", "-", "!"}[r.IntN(4)], ""
		switch open {
		case "(":
			close = ")"
		case "[1 x ":
			close = "]"
		}
		i := r.IntN(len(line) + 1)
		ins := strings.Repeat(open, k) + "1" + strings.Repeat(close, k)
		lines[li] = append(append(append([]byte(nil), line[:i]...), ins...), line[i:]...)
		return bytes.Join(lines, nil), fmt.Sprintf("insert %d-deep %q on line %d", k, open, li+1)
	default: // long identifier
		k := 1000 + r.IntN(100000)
		i := r.IntN(len(line) + 1)
		lines[li] = append(append(append([]byte(nil), line[:i]...), strings.Repeat("z", k)...), line[i:]...)
		return bytes.Join(lines, nil), fmt.Sprintf("insert %d-byte name on line %d", k, li+1)
	}
}

// numberAt returns the index of the start of a random number in line, or -1.
func numberAt(line []byte, r *rand.Rand) int {
	var starts []int
	for i := range line {
		if line[i] >= '0' && line[i] <= '9' && (i == 0 || !(line[i-1] >= '0' && line[i-1] <= '9' || line[i-1] == '.')) {
			starts = append(starts, i)
		}
	}
	if len(starts) == 0 {
		return -1
	}
	return starts[r.IntN(len(starts))]
}
