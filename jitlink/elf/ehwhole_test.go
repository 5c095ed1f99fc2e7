package elf_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"
)

// TestEHFrameWhole checks when the reader keeps an object's .eh_frame in
// one block of records (one .text, perhaps with gcc's .text.unlikely cold
// parts, and no personality or LSDA) and when it splits it into one
// block per CIE and FDE (code in several sections, C++ exception tables),
// and the graph's shape in each case: a whole block's edges are exactly
// the FDEs' pc_begin relocations, and each code section keeps it alive
// with one edge.
func TestEHFrameWhole(t *testing.T) {
	const twoFns = `int g1; __attribute__((noinline)) int f(int x) { return x * 3 + g1; }
int h(int x) { return f(x) + f(x + 1); }
`
	const cold = `extern void abort(void);
__attribute__((cold, noinline)) void fail(int x) { if (x == 42) abort(); }
int k(int x) { if (x > 1000) fail(x); return x + 1; }
int m(int x) { return k(x) * 2; }
`
	const cxx = `#include <stdexcept>
int thrower(int k) { if (k) throw std::runtime_error("r"); return 1; }
int catcher(int k) { try { return thrower(k); } catch (...) { return -1; } }
`
	cases := []struct {
		name, lang, src string
		flags           []string
		whole           bool
		codeSecs        []string // sections holding a keep-alive edge to the whole block
	}{
		{"one-text-O2", "c", twoFns, []string{"-O2"}, true, []string{".text"}},
		{"one-text-O0", "c", twoFns, []string{"-O0"}, true, []string{".text"}},
		{"one-text-pic", "c", twoFns, []string{"-O2", "-fPIC"}, true, []string{".text"}},
		{"cold-part", "c", cold, []string{"-O2"}, true, []string{".text", ".text.unlikely"}},
		{"function-sections", "c", twoFns, []string{"-O2", "-ffunction-sections"}, false, nil},
		{"cxx-exceptions", "c++", cxx, []string{"-O2"}, false, nil},
		{"cxx-exceptions-nopic", "c++", cxx, []string{"-O2", "-fno-pic"}, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := compile(t, tc.lang, tc.src, tc.flags...)
			fdes := countFDEs(t, obj)
			g, err := jelf.Parse("t.o", obj)
			if err != nil {
				t.Fatal(err)
			}
			var eh *jitlink.Section
			for _, s := range g.Sections {
				if s.Has(jitlink.SectionEHFrame) {
					eh = s
				}
			}
			if eh == nil {
				t.Fatal("no .eh_frame section in the graph")
			}
			if !tc.whole {
				for _, b := range eh.Blocks {
					if b.Flags&jitlink.BlockEHRecords != 0 {
						t.Fatalf("block at %#x kept whole, want records split", b.Ordinal)
					}
				}
				if len(eh.Blocks) < fdes+1 {
					t.Errorf("%d .eh_frame blocks for %d FDEs, want one a record", len(eh.Blocks), fdes)
				}
				return
			}
			if len(eh.Blocks) != 2 || eh.Blocks[0].Flags&jitlink.BlockEHRecords == 0 || len(eh.Blocks[1].Content) != 4 {
				t.Fatalf(".eh_frame blocks: %d, want the records whole and a terminator", len(eh.Blocks))
			}
			w := eh.Blocks[0]
			if len(w.Edges) != fdes {
				t.Errorf("whole block has %d edges, want one per FDE (%d)", len(w.Edges), fdes)
			}
			for _, e := range w.Edges {
				c := w.Content[e.Offset-8:]
				if binary.LittleEndian.Uint32(c[4:]) == 0 {
					t.Errorf("edge at %#x is not an FDE's pc_begin", e.Offset)
				}
				if e.Target.Kind != jitlink.SymDefined || e.Target.Block.Section.Name[:5] != ".text" {
					t.Errorf("edge at %#x targets %q, not code", e.Offset, e.Target.Name)
				}
			}
			var keeps []string
			for _, s := range g.Sections {
				for _, b := range s.Blocks {
					for _, e := range b.Edges {
						if e.Kind == jitlink.KindKeepAlive && e.Target.Block == w {
							keeps = append(keeps, s.Name)
						}
					}
				}
			}
			if len(keeps) != len(tc.codeSecs) {
				t.Fatalf("keep-alive edges to the records from %v, want from %v", keeps, tc.codeSecs)
			}
			for i := range keeps {
				if keeps[i] != tc.codeSecs[i] {
					t.Errorf("keep-alive edges to the records from %v, want from %v", keeps, tc.codeSecs)
				}
			}
		})
	}
}

// countFDEs counts the FDE records of obj's .eh_frame (debug/elf).
func countFDEs(t *testing.T, obj []byte) int {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Section(".eh_frame")
	if s == nil {
		t.Fatal("no .eh_frame")
	}
	c, err := s.Data()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for pos := 0; pos+8 <= len(c); {
		l := int(binary.LittleEndian.Uint32(c[pos:]))
		if l == 0 {
			break
		}
		if binary.LittleEndian.Uint32(c[pos+4:]) != 0 {
			n++
		}
		pos += 4 + l
	}
	return n
}
