// Package archive reads static archives (ar format, as GNU ar writes them:
// a "/" or "/SYM64/" symbol index, a "//" long-name table, BSD "#1/N"
// names) and indexes which member defines which symbol, so that a linker
// can load only the members it needs. Thin archives are refused.
//
// Parse never panics on malformed input; every error names the archive
// and the byte offset.
package archive

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Magic is the ar global header.
const Magic = "!<arch>\n"

const thinMagic = "!<thin>\n"
const hdrSize = 60

// FormatError is a malformed archive.
type FormatError struct {
	File   string
	Offset int64
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("archive: %s: offset %#x: %s", e.File, e.Offset, e.Msg)
}

// Member is one archive member.
type Member struct {
	Name   string
	Offset int64  // offset of the member header in the archive
	Data   []byte // aliases the archive bytes
}

// Archive is a parsed static archive.
type Archive struct {
	Name    string
	Members []Member
	// Symbols maps each symbol in the archive's index to the index (in
	// Members) of the first member defining it.
	Symbols map[string]int
	// HasIndex reports whether the archive had a symbol index.
	HasIndex bool
}

// IsArchive reports whether data starts with the ar magic (regular or
// thin).
func IsArchive(data []byte) bool {
	return bytes.HasPrefix(data, []byte(Magic)) || bytes.HasPrefix(data, []byte(thinMagic))
}

// Parse reads an archive. Member data aliases data.
func Parse(name string, data []byte) (*Archive, error) {
	errf := func(off int64, format string, args ...any) error {
		return &FormatError{File: name, Offset: off, Msg: fmt.Sprintf(format, args...)}
	}
	if bytes.HasPrefix(data, []byte(thinMagic)) {
		return nil, errf(0, "thin archives are not supported (members live in separate files); rebuild with 'ar rc' without T")
	}
	if !bytes.HasPrefix(data, []byte(Magic)) {
		return nil, errf(0, "not an ar archive (bad magic)")
	}
	a := &Archive{Name: name, Symbols: map[string]int{}}
	var longNames []byte
	var index []byte
	var index64 bool
	var indexOff int64
	byOffset := map[int64]int{}
	off := int64(len(Magic))
	for off < int64(len(data)) {
		if int64(len(data))-off < hdrSize {
			if strings.TrimSpace(string(data[off:])) == "" {
				break // trailing padding
			}
			return nil, errf(off, "truncated member header (%d bytes left)", int64(len(data))-off)
		}
		h := data[off : off+hdrSize]
		if h[58] != '`' || h[59] != '\n' {
			return nil, errf(off+58, "bad member header terminator %q", h[58:60])
		}
		sizeStr := strings.TrimSpace(string(h[48:58]))
		size, err := strconv.ParseInt(sizeStr, 10, 64)
		if err != nil || size < 0 {
			return nil, errf(off+48, "bad member size %q", sizeStr)
		}
		body := off + hdrSize
		if size > int64(len(data))-body {
			return nil, errf(off+48, "member size %d runs past the end of the archive (%d bytes)", size, len(data))
		}
		content := data[body : body+size : body+size]
		rawName := strings.TrimRight(string(h[0:16]), " ")
		var mname string
		switch {
		case rawName == "/" || rawName == "/SYM64/":
			if index != nil {
				return nil, errf(off, "second symbol index")
			}
			index, index64, indexOff = content, rawName == "/SYM64/", off
			if index == nil {
				index = []byte{}
			}
			a.HasIndex = true
		case rawName == "//":
			longNames = content
		case rawName == "__.SYMDEF" || rawName == "__.SYMDEF SORTED":
			// BSD symbol index: ignored; members are indexed below if needed.
		case strings.HasPrefix(rawName, "#1/"):
			n, err := strconv.Atoi(rawName[3:])
			if err != nil || n < 0 || int64(n) > size {
				return nil, errf(off, "bad BSD long name length %q", rawName)
			}
			mname = strings.TrimRight(string(content[:n]), "\x00")
			content = content[n:]
		case strings.HasPrefix(rawName, "/") && len(rawName) > 1:
			n, err := strconv.Atoi(strings.TrimSpace(rawName[1:]))
			if err != nil || n < 0 || n >= len(longNames) {
				return nil, errf(off, "long name reference %q outside the name table (%d bytes)", rawName, len(longNames))
			}
			rest := longNames[n:]
			end := bytes.Index(rest, []byte("/\n"))
			if end < 0 {
				end = bytes.IndexByte(rest, '\n')
			}
			if end < 0 {
				return nil, errf(off, "unterminated long name at table offset %d", n)
			}
			mname = string(rest[:end])
		default:
			mname = strings.TrimSuffix(rawName, "/")
		}
		if mname != "" {
			byOffset[off] = len(a.Members)
			a.Members = append(a.Members, Member{Name: mname, Offset: off, Data: content})
		}
		off = body + size
		if off%2 == 1 {
			off++
		}
	}
	if index != nil {
		if err := a.readIndex(index, index64, byOffset); err != nil {
			return nil, errf(indexOff, "symbol index: %v", err)
		}
	}
	return a, nil
}

func (a *Archive) readIndex(ix []byte, is64 bool, byOffset map[int64]int) error {
	w := 4
	if is64 {
		w = 8
	}
	if len(ix) < w {
		return fmt.Errorf("too short (%d bytes)", len(ix))
	}
	word := func(b []byte) uint64 {
		if is64 {
			return binary.BigEndian.Uint64(b)
		}
		return uint64(binary.BigEndian.Uint32(b))
	}
	n := word(ix)
	if n > uint64(len(ix)-w)/uint64(w) {
		return fmt.Errorf("%d entries do not fit in %d bytes", n, len(ix))
	}
	offs := ix[w : w+int(n)*w]
	// One string for the whole name table, which every name slices: one
	// allocation instead of one per symbol (sqlite's index has 1,389),
	// and the map sized once for all entries instead of growing (and
	// rehashing) as they come. This runs before the link can start.
	names := string(ix[w+int(n)*w:])
	if len(a.Symbols) == 0 {
		a.Symbols = make(map[string]int, n)
	}
	for i := uint64(0); i < n; i++ {
		end := strings.IndexByte(names, 0)
		if end < 0 {
			return fmt.Errorf("name of entry %d is not NUL-terminated", i)
		}
		sym := names[:end]
		names = names[end+1:]
		mo := word(offs[i*uint64(w):])
		m, ok := byOffset[int64(mo)]
		if !ok {
			return fmt.Errorf("entry %d (%s) points at offset %#x, which is not a member", i, sym, mo)
		}
		if _, dup := a.Symbols[sym]; !dup {
			a.Symbols[sym] = m
		}
	}
	return nil
}

// MemberDefining returns the member that defines sym according to the
// symbol index.
func (a *Archive) MemberDefining(sym string) (*Member, bool) {
	i, ok := a.Symbols[sym]
	if !ok {
		return nil, false
	}
	return &a.Members[i], true
}

// Member returns the first member called name.
func (a *Archive) Member(name string) (*Member, bool) {
	for i := range a.Members {
		if a.Members[i].Name == name {
			return &a.Members[i], true
		}
	}
	return nil, false
}

// AddIndex records that member m defines each of syms (for archives
// without a symbol index: the caller scans the members' symbol tables,
// e.g. with elf.DefinedSymbols). Earlier definitions win.
func (a *Archive) AddIndex(m int, syms []string) {
	for _, s := range syms {
		if _, ok := a.Symbols[s]; !ok {
			a.Symbols[s] = m
		}
	}
}
