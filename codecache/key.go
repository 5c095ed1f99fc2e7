package codecache

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"io"
	"os"
	"runtime/debug"
	"sync"
)

// KeyBuilder computes a Key: a SHA-256 over the format version, the
// identity of the running gorc build (BuildIdentity), the kind of
// artifact, and named fields (each name and value length-prefixed, so no
// two different field lists hash alike).
type KeyBuilder struct {
	h hash.Hash
}

// NewKey starts a key for an artifact of the given kind (for example
// "kaleido-object"), bound to this build of gorc.
func NewKey(kind string) *KeyBuilder { return newKey(BuildIdentity(), kind) }

func newKey(identity, kind string) *KeyBuilder {
	b := &KeyBuilder{h: sha256.New()}
	b.Int("format", formatVersion)
	b.String("build", identity)
	b.String("kind", kind)
	return b
}

func (b *KeyBuilder) field(name string, v []byte) *KeyBuilder {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(name)))
	b.h.Write(n[:])
	io.WriteString(b.h, name)
	binary.LittleEndian.PutUint64(n[:], uint64(len(v)))
	b.h.Write(n[:])
	b.h.Write(v)
	return b
}

// String adds a named string field.
func (b *KeyBuilder) String(name, v string) *KeyBuilder { return b.field(name, []byte(v)) }

// Bytes adds a named byte field (an input's content).
func (b *KeyBuilder) Bytes(name string, v []byte) *KeyBuilder { return b.field(name, v) }

// Int adds a named integer field.
func (b *KeyBuilder) Int(name string, v int64) *KeyBuilder {
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], uint64(v))
	return b.field(name, buf[:])
}

// Sum returns the key.
func (b *KeyBuilder) Sum() Key {
	var k Key
	copy(k[:], b.h.Sum(nil))
	return k
}

// BuildIdentity names the running build of gorc, so that entries written
// by one build are never read by another: the module's build information
// (module version, VCS revision, build settings, dependencies) when it
// was built from a clean checkout; otherwise (no VCS information, or a
// modified tree, where the revision does not name the code) also the Go
// build ID of the executable, which changes with any input of the build,
// or, when the executable has none, the SHA-256 of the executable.
func BuildIdentity() string { return buildIdentity() }

var buildIdentity = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "no-buildinfo " + executableIdentity()
	}
	clean := false
	rev := ""
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			clean = s.Value == "false"
		}
	}
	id := bi.String()
	if rev == "" || !clean {
		id += "\n" + executableIdentity()
	}
	return id
})

// executableIdentity is the Go build ID of the running executable, or its
// SHA-256 when it has none (or cannot be read: then a constant that makes
// the identity differ from any readable build's).
func executableIdentity() string {
	if id, ok := memoryBuildID(); ok {
		return "go-buildid " + id
	}
	f, err := os.Open("/proc/self/exe")
	if err != nil {
		exe, err := os.Executable()
		if err != nil {
			return "exe-unknown"
		}
		if f, err = os.Open(exe); err != nil {
			return "exe-unreadable"
		}
	}
	defer f.Close()
	if id := goBuildID(f); id != "" {
		return "go-buildid " + id
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "exe-unreadable"
	}
	return "exe-sha256 " + hex.EncodeToString(h.Sum(nil))
}

// goBuildID reads the Go build ID from the ELF note .note.go.buildid of
// the executable f ("" if there is none). The Go linker puts the note
// at the start of the file, so the first read usually holds it, found
// through the program headers; only otherwise is the file parsed as ELF
// (its section headers, at the end of a 14 MB gorc: several times the
// cost, at the start of every run that uses the cache).
func goBuildID(f *os.File) string {
	var head [16 << 10]byte
	n, _ := f.ReadAt(head[:], 0)
	if id, ok := noteBuildID(head[:n]); ok {
		return id
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return ""
	}
	s := ef.Section(".note.go.buildid")
	if s == nil {
		return ""
	}
	note, err := s.Data()
	if err != nil {
		return ""
	}
	id, _ := goNote(note)
	return id
}

// noteBuildID finds the Go build ID note through the program headers of
// the ELF file that starts with head; ok is false when head is not a
// 64-bit little-endian ELF file or does not hold the headers and notes.
func noteBuildID(head []byte) (id string, ok bool) {
	if len(head) < 64 || string(head[:4]) != elf.ELFMAG || elf.Class(head[4]) != elf.ELFCLASS64 || elf.Data(head[5]) != elf.ELFDATA2LSB {
		return "", false
	}
	le := binary.LittleEndian
	phoff, phentsize, phnum := le.Uint64(head[0x20:]), uint64(le.Uint16(head[0x36:])), uint64(le.Uint16(head[0x38:]))
	if phentsize < 56 || phoff > uint64(len(head)) || phnum > (uint64(len(head))-phoff)/phentsize {
		return "", false
	}
	for i := range phnum {
		ph := head[phoff+i*phentsize:]
		if elf.ProgType(le.Uint32(ph)) != elf.PT_NOTE {
			continue
		}
		off, size := le.Uint64(ph[8:]), le.Uint64(ph[32:])
		if off > uint64(len(head)) || size > uint64(len(head))-off {
			return "", false
		}
		if id, found := goNote(head[off : off+size]); found {
			return id, true
		}
	}
	return "", false
}

// goNote returns the Go build ID in a run of ELF notes (found is false
// when none of them is one).
func goNote(notes []byte) (id string, found bool) {
	le := binary.LittleEndian
	for len(notes) >= 12 {
		// namesz, descsz, type (4 bytes each), the name, the descriptor,
		// each padded to 4 bytes.
		namesz, descsz, typ := uint64(le.Uint32(notes)), uint64(le.Uint32(notes[4:])), le.Uint32(notes[8:])
		nameEnd := 12 + (namesz+3)&^3
		descEnd := nameEnd + (descsz+3)&^3
		if nameEnd > uint64(len(notes)) || nameEnd+descsz > uint64(len(notes)) {
			return "", false
		}
		if namesz == 4 && string(notes[12:15]) == "Go\x00" && typ == 4 {
			return string(notes[nameEnd : nameEnd+descsz]), true
		}
		if descEnd > uint64(len(notes)) {
			return "", false
		}
		notes = notes[descEnd:]
	}
	return "", false
}
