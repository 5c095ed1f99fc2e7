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
	exe, err := os.Executable()
	if err != nil {
		return "exe-unknown"
	}
	if id := goBuildID(exe); id != "" {
		return "go-buildid " + id
	}
	f, err := os.Open(exe)
	if err != nil {
		return "exe-unreadable"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "exe-unreadable"
	}
	return "exe-sha256 " + hex.EncodeToString(h.Sum(nil))
}

// goBuildID reads the Go build ID from the ELF note .note.go.buildid of
// the executable at path ("" if there is none).
func goBuildID(path string) string {
	f, err := elf.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := f.Section(".note.go.buildid")
	if s == nil {
		return ""
	}
	note, err := s.Data()
	// namesz, descsz, type (4 bytes each), "Go\0\0", then the ID.
	if err != nil || len(note) < 16 {
		return ""
	}
	namesz := binary.LittleEndian.Uint32(note)
	descsz := binary.LittleEndian.Uint32(note[4:])
	off := 12 + (namesz+3)&^3
	if namesz != 4 || string(note[12:15]) != "Go\x00" || uint64(off)+uint64(descsz) > uint64(len(note)) {
		return ""
	}
	return string(note[off : off+descsz])
}
