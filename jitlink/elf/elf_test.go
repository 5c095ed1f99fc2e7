package elf_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
)

func readTestdata(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/*.o")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata objects: %v", err)
	}
	m := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m[filepath.Base(f)] = b
	}
	return m
}

// linkAny parses and links data with every external resolved; it must
// never panic whatever the input.
func linkAny(data []byte) error {
	g, err := jelf.Parse("fuzz.o", data)
	if err != nil {
		return err
	}
	mm := jitlinktest.NewMemoryManager(0x10000)
	mm.Limit = 1 << 24
	syms := map[string]uint64{}
	for n := range g.Externals {
		syms[n] = 0x2000
	}
	lc := &jitlinktest.Context{MM: mm, Symbols: toAddrs(syms), TLS: &tlsLayout,
		ExtTLS: map[string]jitlink.TLSRef{}}
	for n, s := range g.Externals {
		if s.TLS {
			lc.ExtTLS[n] = jitlink.TLSRef{Layout: tlsLayout}
		}
	}
	return jitlink.Link(context.Background(), g, lc)
}

func TestTestdataObjectsLink(t *testing.T) {
	for name, data := range readTestdata(t) {
		if err := linkAny(data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestTruncatedObjects(t *testing.T) {
	for name, data := range readTestdata(t) {
		for n := 0; n < len(data); n++ {
			_, err := jelf.Parse(name, data[:n])
			if err == nil {
				// Truncating past the last section's content but keeping
				// the headers can leave a valid object; that is fine only
				// if the section header table is intact.
				shoff := binary.LittleEndian.Uint64(data[40:])
				if uint64(n) < shoff+64*uint64(binary.LittleEndian.Uint16(data[60:])) {
					t.Fatalf("%s truncated to %d bytes: no error", name, n)
				}
				continue
			}
			var fe *jelf.FormatError
			if !errors.As(err, &fe) || fe.File != name {
				t.Fatalf("%s[:%d]: error %v is not a FormatError naming the file", name, n, err)
			}
		}
	}
}

// corrupt returns a copy of data with f applied.
func corrupt(data []byte, f func(b []byte)) []byte {
	b := append([]byte(nil), data...)
	f(b)
	return b
}

func sectionHeader(b []byte, i int) []byte {
	shoff := binary.LittleEndian.Uint64(b[40:])
	return b[shoff+uint64(i)*64:]
}

func findSection(t *testing.T, b []byte, typ uint32) int {
	n := int(binary.LittleEndian.Uint16(b[60:]))
	for i := 0; i < n; i++ {
		if binary.LittleEndian.Uint32(sectionHeader(b, i)[4:]) == typ {
			return i
		}
	}
	t.Fatalf("no section of type %d", typ)
	return -1
}

func TestMalformedObjects(t *testing.T) {
	base := readTestdata(t)["small-pie.o"]
	le := binary.LittleEndian
	tests := []struct {
		name string
		mut  func(b []byte)
		want string
	}{
		{"bad magic", func(b []byte) { b[0] = 0 }, "bad magic"},
		{"32-bit", func(b []byte) { b[4] = 1 }, "ELFCLASS64"},
		{"big-endian", func(b []byte) { b[5] = 2 }, "little-endian"},
		{"executable", func(b []byte) { le.PutUint16(b[16:], 2) }, "ET_REL"},
		{"aarch64", func(b []byte) { le.PutUint16(b[18:], 183) }, "unsupported machine EM_AARCH64 (supported: EM_X86_64)"},
		{"shoff past end", func(b []byte) { le.PutUint64(b[40:], 1<<40) }, "past the end"},
		{"shnum huge", func(b []byte) { le.PutUint16(b[60:], 0xfff0) }, "past the end"},
		{"shstrndx out of range", func(b []byte) { le.PutUint16(b[62:], 999) }, "out of range"},
		{"section offset past end", func(b []byte) { le.PutUint64(sectionHeader(b, 1)[24:], 1<<50) }, "past the end"},
		{"section size huge", func(b []byte) { le.PutUint64(sectionHeader(b, 1)[32:], 1<<62) }, "past the end"},
		{"bad section name", func(b []byte) { le.PutUint32(sectionHeader(b, 1)[0:], 1<<30) }, "bad section name"},
		{"symtab entsize", func(b []byte) { le.PutUint64(sectionHeader(b, findSection(t, b, 2))[56:], 7) }, "entry size"},
		{"symbol section index", func(b []byte) {
			st := sectionHeader(b, findSection(t, b, 2))
			off, size := le.Uint64(st[24:]), le.Uint64(st[32:])
			le.PutUint16(b[off+size-24+6:], 0xfe00)
		}, "out of range"},
		{"symbol name", func(b []byte) {
			st := sectionHeader(b, findSection(t, b, 2))
			off, size := le.Uint64(st[24:]), le.Uint64(st[32:])
			le.PutUint32(b[off+size-24:], 1<<31)
		}, "bad name offset"},
		{"reloc symbol index", func(b []byte) {
			rs := sectionHeader(b, findSection(t, b, 4))
			off := le.Uint64(rs[24:])
			le.PutUint64(b[off+8:], 0xffff_0000_0002)
		}, "symbol index"},
		{"reloc offset", func(b []byte) {
			rs := sectionHeader(b, findSection(t, b, 4))
			off := le.Uint64(rs[24:])
			le.PutUint64(b[off:], 1<<40)
		}, "past the end of the section"},
		{"reloc type", func(b []byte) {
			rs := sectionHeader(b, findSection(t, b, 4))
			off := le.Uint64(rs[24:])
			le.PutUint32(b[off+8:], 16) // R_X86_64_DTPMOD64
		}, "unsupported relocation R_X86_64_DTPMOD64"},
		{"section alignment", func(b []byte) { le.PutUint64(sectionHeader(b, 1)[48:], 3) }, "power of two"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jelf.Parse("small-pie.o", corrupt(base, tc.mut))
			if err == nil {
				t.Fatalf("no error")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "small-pie.o") {
				t.Fatalf("error %q does not mention %q and the file", err, tc.want)
			}
		})
	}
}

func TestUnsupportedTLSDescriptors(t *testing.T) {
	obj := compile(t, "c", "extern __thread int x; int f(void){return x;}", "-O2", "-fPIC", "-mtls-dialect=gnu2")
	_, err := jelf.Parse("desc.o", obj)
	if err == nil || !strings.Contains(err.Error(), "-mtls-dialect=gnu") || !strings.Contains(err.Error(), "section .text") || !strings.Contains(err.Error(), "offset") {
		t.Fatalf("want a clear TLSDESC error, got %v", err)
	}
}

func FuzzELFObject(f *testing.F) {
	for _, data := range readTestdata(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = linkAny(data)
		_, _ = jelf.DefinedSymbols("fuzz.o", data)
	})
}

// TestCheckHeaderSaysWhatIsWrong: an ELF file gorc does not link is named
// for what it is (class, data encoding, type, machine) or for what is
// corrupt in its header, not just "not a relocatable object".
func TestCheckHeaderSaysWhatIsWrong(t *testing.T) {
	base := readTestdata(t)["small-pie.o"]
	le := binary.LittleEndian
	// elf32 is the e_ident and the start of a 32-bit i386 header.
	elf32 := func(typ uint16) []byte {
		b := make([]byte, 52)
		copy(b, "\x7fELF\x01\x01\x01")
		le.PutUint16(b[16:], typ)
		le.PutUint16(b[18:], 3) // EM_386
		return b
	}
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"valid", base, nil},
		{"32-bit object", elf32(1), []string{"32-bit", "ELFCLASS32", "ET_REL", "EM_386", "ELFCLASS64"}},
		{"32-bit executable", elf32(2), []string{"32-bit", "ELFCLASS32", "ET_EXEC", "EM_386"}},
		{"big-endian", corrupt(base, func(b []byte) { b[5] = 2; b[16], b[17] = 0, 1; b[18], b[19] = 0, 0x2b }), []string{"big-endian", "ELFDATA2MSB", "ET_REL", "EM_SPARCV9"}},
		{"class byte", corrupt(base, func(b []byte) { b[4] = 7 }), []string{"corrupt ELF header", "class byte 0x7"}},
		{"data byte", corrupt(base, func(b []byte) { b[5] = 0 }), []string{"corrupt ELF header", "data encoding byte 0x0"}},
		{"version", corrupt(base, func(b []byte) { b[6] = 9 }), []string{"corrupt ELF header", "version 9"}},
		{"truncated ident", base[:10], []string{"corrupt ELF header", "10 bytes"}},
		{"truncated header", base[:40], []string{"corrupt ELF header", "40 bytes, want 64"}},
		{"executable", corrupt(base, func(b []byte) { le.PutUint16(b[16:], 2) }), []string{"ET_EXEC", "an executable", "EM_X86_64"}},
		{"shared library", corrupt(base, func(b []byte) { le.PutUint16(b[16:], 3) }), []string{"ET_DYN", "shared library"}},
		{"core dump", corrupt(base, func(b []byte) { le.PutUint16(b[16:], 4) }), []string{"ET_CORE", "core dump"}},
		{"machine", corrupt(base, func(b []byte) { le.PutUint16(b[18:], 183) }), []string{"EM_AARCH64", "supported: EM_X86_64"}},
		{"not ELF", []byte("!<arch>\nxxxxxxxx"), []string{"not an ELF file", "bad magic"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := jelf.CheckHeader("x.o", tc.data)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("CheckHeader: %v", err)
				}
				return
			}
			var fe *jelf.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("CheckHeader = %v, want a *FormatError", err)
			}
			for _, w := range append(tc.want, "x.o") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			// Parse reports the same.
			if _, perr := jelf.Parse("x.o", tc.data); perr == nil || perr.Error() != err.Error() {
				t.Errorf("Parse = %v, want %v", perr, err)
			}
		})
	}
}
