package elf_test

import (
	"bytes"
	"debug/elf"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"
)

// An object with DWARF keeps its bytes and, per section header, the
// blocks its loaded sections became; one without DWARF keeps nothing.
func TestSourceKeptOnlyWithDebugInfo(t *testing.T) {
	src := `int counter; static int sq(int x) { return x * x; } int f(int x) { return sq(x) + counter; }`
	for _, tc := range []struct {
		name  string
		flags []string
		keep  bool
	}{
		{"g", []string{"-g", "-O1"}, true},
		{"gz", []string{"-g", "-gz", "-O1"}, true},
		{"no debug info", []string{"-O1"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obj := compile(t, "c", src, tc.flags...)
			g, err := jelf.Parse("t.o", obj)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.keep {
				if len(g.Sources) != 0 {
					t.Fatalf("object without debug info kept %d sources", len(g.Sources))
				}
				return
			}
			if len(g.Sources) != 1 {
				t.Fatalf("kept %d sources, want 1", len(g.Sources))
			}
			s := g.Sources[0]
			if !bytes.Equal(s.Data, obj) || s.Name != "t.o" {
				t.Fatalf("source %q does not hold the object's bytes", s.Name)
			}
			f, err := elf.NewFile(bytes.NewReader(obj))
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Sections) != len(f.Sections) {
				t.Fatalf("%d source sections, the file has %d", len(s.Sections), len(f.Sections))
			}
			for i, sec := range f.Sections {
				ss := s.Sections[i]
				loaded := sec.Flags&elf.SHF_ALLOC != 0
				if loaded != (len(ss.Blocks) > 0) && sec.Size > 0 {
					t.Errorf("section %d %s (flags %v): %d blocks recorded", i, sec.Name, sec.Flags, len(ss.Blocks))
				}
				for k, b := range ss.Blocks {
					if b.Section.Name != sec.Name && sec.Name != ".eh_frame" {
						t.Errorf("section %d %s: block %d is in graph section %s", i, sec.Name, k, b.Section.Name)
					}
					// (The reader may append an .eh_frame terminator at
					// the section's end.)
					if ss.Offsets[k]+b.Size > sec.Size && !(sec.Name == ".eh_frame" && ss.Offsets[k] == sec.Size) {
						t.Errorf("section %d %s: block %d at offset %#x+%#x exceeds the section (%#x)", i, sec.Name, k, ss.Offsets[k], b.Size, sec.Size)
					}
				}
				if _, ok := ss.Addr(); ok {
					t.Errorf("section %s has an address before layout", sec.Name)
				}
			}
		})
	}
}

// MergeGraphs (archive waves) keeps every input's source object.
func TestMergeGraphsKeepsSources(t *testing.T) {
	a := parseSrc(t, "a.o", "c", `int fa(void) { return 1; }`, "-g")
	b := parseSrc(t, "b.o", "c", `int fb(void) { return 2; }`, "-O1")
	c := parseSrc(t, "c.o", "c", `int fc(void) { return 3; }`, "-g")
	m, err := jitlink.MergeGraphs("abc", a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range m.Sources {
		names = append(names, s.Name)
	}
	if strings.Join(names, " ") != "a.o c.o" {
		t.Fatalf("merged graph keeps sources %v, want [a.o c.o]", names)
	}
}
