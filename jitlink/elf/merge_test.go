package elf_test

import (
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"
)

func parseSrc(t *testing.T, name, lang, src string, flags ...string) *jitlink.LinkGraph {
	t.Helper()
	g, err := jelf.Parse(name, compile(t, lang, src, flags...))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestMergeGraphs(t *testing.T) {
	a := parseSrc(t, "a.o", "c", `
__attribute__((section("items"), used)) static int a1 = 1;
extern int __start_items[], __stop_items[];
__attribute__((weak)) int pick(void) { return 1; }
__attribute__((common)) char buf[8];
int count(void) { return __stop_items - __start_items; }`, "-O1")
	b := parseSrc(t, "b.o", "c", `
__attribute__((section("items"), used)) static int b1 = 2, b2 = 3;
int pick(void) { return 2; }
__attribute__((common, aligned(64))) char buf[100];
int main(void) { extern int count(void); return count() + pick(); }`, "-O1")
	m, err := jitlink.MergeGraphs("ab", a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Externals) != 0 {
		names := []string{}
		for n := range m.Externals {
			names = append(names, n)
		}
		t.Errorf("externals left after merging: %v", names)
	}
	pick := m.FindSymbol("pick")
	if pick == nil || pick.Linkage != jitlink.LinkageStrong {
		t.Errorf("the strong pick should win: %+v", pick)
	}
	buf := m.FindSymbol("buf")
	if buf == nil || buf.Block.Size != 100 || buf.Block.Align != 64 {
		t.Errorf("largest common should win: %+v", buf)
	}
	start, stop := m.FindSymbol("__start_items"), m.FindSymbol("__stop_items")
	if start == nil || stop == nil || start.Block.Section != stop.Block.Section {
		t.Fatalf("start/stop not defined over one section")
	}
	var size uint64
	for _, blk := range start.Block.Section.Blocks {
		size += blk.Size
	}
	if size != 12 || start.Block != start.Block.Section.Blocks[0] || stop.Offset != stop.Block.Size {
		t.Errorf("items section spans %d bytes over %d blocks; want 12 bytes from both objects", size, len(start.Block.Section.Blocks))
	}

	c := parseSrc(t, "c.o", "c", "int dup(void){return 1;}", "-O1")
	d := parseSrc(t, "d.o", "c", "int dup(void){return 2;}", "-O1")
	if _, err := jitlink.MergeGraphs("cd", c, d); err == nil || !strings.Contains(err.Error(), "dup") || !strings.Contains(err.Error(), "c.o") || !strings.Contains(err.Error(), "d.o") {
		t.Errorf("duplicate strong definitions: got %v", err)
	}
}

// TestMergeGraphsChain merges a weak definition that loses to an earlier
// weak one, which in turn loses to a later strong one: every reference,
// to either weak definition or from an external, must end at the strong
// one (MergeGraphs follows the chain of replacements).
func TestMergeGraphsChain(t *testing.T) {
	a := parseSrc(t, "a.o", "c", `
__attribute__((weak)) int f(void) { return 1; }
int callA(void) { return f() + 10; }`, "-O0")
	b := parseSrc(t, "b.o", "c", `
__attribute__((weak)) int f(void) { return 2; }
int callB(void) { return f() + 20; }`, "-O0")
	c := parseSrc(t, "c.o", "c", `
int f(void) { return 3; }
extern int callA(void), callB(void);
int callC(void) { return f() + callA() + callB(); }`, "-O0")
	d := parseSrc(t, "d.o", "c", `
extern int f(void);
int callD(void) { return f(); }`, "-O0")
	m, err := jitlink.MergeGraphs("abcd", a, b, c, d)
	if err != nil {
		t.Fatal(err)
	}
	strong := m.FindSymbol("f")
	if strong == nil || strong.Linkage != jitlink.LinkageStrong {
		t.Fatalf("f after merging: %+v, want c.o's strong definition", strong)
	}
	refs := 0
	for _, sec := range m.Sections {
		for _, blk := range sec.Blocks {
			for _, e := range blk.Edges {
				if e.Target.Name != "f" {
					continue
				}
				refs++
				if e.Target != strong {
					t.Errorf("an edge of %s goes to %+v, not to the strong f", sec.Name, e.Target)
				}
			}
		}
	}
	if refs < 4 {
		t.Errorf("%d references to f, want at least 4 (one per object)", refs)
	}
	if len(m.Externals) != 0 {
		t.Errorf("externals left: %d", len(m.Externals))
	}
	// Merging the result again (nothing left to replace) changes nothing.
	if _, err := jitlink.MergeGraphs("again", m); err != nil {
		t.Fatal(err)
	}
}

// TestMergeGraphsDuplicateNamesBoth: two strong definitions of one name
// are an error naming the symbol and both objects, the first definer
// whichever input it was.
func TestMergeGraphsDuplicateNamesBoth(t *testing.T) {
	a := parseSrc(t, "a.o", "c", `int other(void) { return 0; }`, "-O1")
	b := parseSrc(t, "b.o", "c", `int dup(void) { return 1; }`, "-O1")
	c := parseSrc(t, "c.o", "c", `int dup(void) { return 2; }`, "-O1")
	_, err := jitlink.MergeGraphs("abc", a, b, c)
	if err == nil || !strings.Contains(err.Error(), "duplicate definition of dup in b.o and c.o") {
		t.Errorf("MergeGraphs: %v, want a duplicate definition of dup in b.o and c.o", err)
	}
}
