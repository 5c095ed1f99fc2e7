package elf_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	jelf "github.com/gorc-jit/gorc/jitlink/elf"
)

// sectionIndex returns the index of the section called name in obj.
func sectionIndex(t *testing.T, obj []byte, name string) int {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range f.Sections {
		if s.Name == name {
			return i
		}
	}
	t.Fatalf("no section %s", name)
	return -1
}

// TestUnappliedSectionsRefused patches gcc objects so that they hold a
// section or relocations the reader would otherwise skip although they
// matter (issue 14 item 10: GNU ld refuses them; ignoring them makes a
// program that crashes), and checks that each is refused with an error
// naming the file, the section (name and index) and what is wrong; the
// cases that do not matter to the program still load.
func TestUnappliedSectionsRefused(t *testing.T) {
	pie := readTestdata(t)["small-pie.o"]
	debug := compile(t, "c", "int g; int f(int x) { return x + g; }", "-O1", "-g", "-fPIC")
	le := binary.LittleEndian
	setType := func(typ uint32) func([]byte, int) {
		return func(h []byte, _ int) { le.PutUint32(h[4:], typ) }
	}
	tests := []struct {
		name    string
		obj     []byte
		section string
		mut     func(h []byte, idx int) // h: the section's header
		want    []string                // nil: the object must still load
	}{
		{"rela.text as SHT_REL", pie, ".rela.text", setType(uint32(elf.SHT_REL)), []string{"SHT_REL (0x9)", "loadable section #1 .text"}},
		{"rela.text as 0x13", pie, ".rela.text", setType(0x13), []string{"type 0x13", ".text", "does not apply"}},
		{"rela.text as an OS type", pie, ".rela.text", setType(0x60000001), []string{"type 0x60000001", ".text"}},
		{"rela.init_array as SHT_REL", pie, ".rela.init_array", setType(uint32(elf.SHT_REL)), []string{"SHT_REL", ".init_array"}},
		{"rela.eh_frame as a processor type", pie, ".rela.eh_frame", setType(0x70000003), []string{"type 0x70000003", ".eh_frame"}},
		{"text as 0x13", pie, ".text", setType(0x13), []string{"loadable (SHF_ALLOC)", "type 0x13"}},
		{"data as SHT_DYNAMIC", pie, ".data", setType(uint32(elf.SHT_DYNAMIC)), []string{"loadable (SHF_ALLOC)", "SHT_DYNAMIC (0x6)"}},
		{"rodata as a processor type", pie, ".rodata.str1.1", setType(0x7fff0000), []string{"loadable (SHF_ALLOC)", "type 0x7fff0000"}},
		{"rela.text names no section", pie, ".rela.text", func(h []byte, _ int) { le.PutUint32(h[44:], 999) }, []string{"section 999, which does not exist"}},
		{"rela.text names section 0", pie, ".rela.text", func(h []byte, _ int) { le.PutUint32(h[44:], 0) }, []string{"section 0, which does not exist"}},
		{"rela.text links the string table", pie, ".rela.text", func(h []byte, _ int) { le.PutUint32(h[40:], 14) }, []string{"section 14 as its symbol table, which is not the symbol table"}},
		// Non-loadable sections of other types are skipped, as before.
		{"comment as 0x13", pie, ".comment", setType(0x13), nil},
		{"note.GNU-stack as LLVM addrsig", pie, ".note.GNU-stack", setType(0x6fff4c03), nil},
		{"rela.debug_info as SHT_REL", debug, ".rela.debug_info", setType(uint32(elf.SHT_REL)), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			idx := sectionIndex(t, tc.obj, tc.section)
			obj := corrupt(tc.obj, func(b []byte) { tc.mut(sectionHeader(b, idx), idx) })
			_, err := jelf.Parse("mutated.o", obj)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("a section that does not matter to the program was refused: %v", err)
				}
				if err := linkAny(obj); err != nil {
					t.Fatalf("link: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			var fe *jelf.FormatError
			if !errors.As(err, &fe) || fe.File != "mutated.o" || fe.Section != tc.section {
				t.Errorf("error %v: want a FormatError for mutated.o, section %s", err, tc.section)
			}
			msg := err.Error()
			for _, w := range append([]string{fmt.Sprintf("#%d", idx)}, tc.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
		})
	}
}
