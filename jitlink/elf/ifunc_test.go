package elf_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/shared"
)

const ifuncSrc = `
static int add_generic(int a, int b) { return a + b; }
static int add_fast(int a, int b) { return a + b + 1000; }
static void *resolve_add(void) { __builtin_cpu_init(); return __builtin_cpu_supports("sse2") ? (void *)add_fast : (void *)add_generic; }
int add(int, int) __attribute__((ifunc("resolve_add")));
static int hidden(int, int) __attribute__((ifunc("resolve_add")));
int (*padd)(int, int) = add;
__attribute__((target_clones("avx2", "default"))) int tc(int x) { return x * 3; }
int main(void) { return add(1, 2) + padd(3, 4) + tc(1) + hidden(5, 6); }
`

// TestIFuncObject links gcc's ifunc and target_clones object: every
// STT_GNU_IFUNC name is a stub in the ifunc section whose slot first
// points back into the stub (the resolve path) and whose resolver slot
// holds the resolver's address; every reference to the name (the call,
// the pointer in .data) reaches the stub.
func TestIFuncObject(t *testing.T) {
	for _, flags := range [][]string{{"-O0"}, {"-O2"}, {"-O2", "-fPIC"}, {"-O2", "-ffunction-sections"}} {
		t.Run(strings.Join(flags, ""), func(t *testing.T) {
			obj := compile(t, "c", ifuncSrc, flags...)
			g, mm, _ := linkAt(t, "ifunc.o", obj, 0x10000, 0x20000000, &tlsLayout)
			stubs := map[string]*jitlink.Symbol{}
			for _, s := range g.Symbols {
				if s.Name != "" && s.Block != nil && s.Block.Section.Name == ".text.gorc.ifunc" {
					stubs[s.Name] = s
				}
			}
			for _, n := range []string{"add", "tc"} {
				s := stubs[n]
				if s == nil {
					t.Fatalf("%s: no stub in .text.gorc.ifunc (have %v)", n, stubs)
				}
				if !s.Callable || s.Scope != jitlink.ScopeDefault {
					t.Errorf("%s: callable %v scope %v, want callable default", n, s.Callable, s.Scope)
				}
				code, err := mm.Read(s.Address(), 0x9b)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(code, []byte{0xff, 0x25}) || !bytes.HasSuffix(code[:0x95], []byte{0x5f}) {
					t.Fatalf("%s: stub code % x", n, code[:8])
				}
				slot := shared.ExecutorAddr(int64(s.Address()) + 6 + int64(int32(binary.LittleEndian.Uint32(code[2:]))))
				v, err := mm.Read(slot, 8)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := binary.LittleEndian.Uint64(v), uint64(s.Address()+6); got != want {
					t.Errorf("%s: slot holds %#x, want the resolve path %#x", n, got, want)
				}
			}
			if g.Scratch != nil {
				t.Errorf("the reader left scratch state %v (graphs with it are not merged)", g.Scratch)
			}
			// The address taken in .data is the stub's.
			pa := g.FindSymbol("padd")
			if pa == nil {
				t.Fatal("padd missing")
			}
			v, err := mm.Read(pa.Address(), 8)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := binary.LittleEndian.Uint64(v), uint64(stubs["add"].Address()); got != want {
				t.Errorf("padd = %#x, want add's stub %#x", got, want)
			}
		})
	}
}

// TestIFuncRefused: an STT_GNU_IFUNC symbol that cannot be linked is
// refused naming the symbol.
func TestIFuncRefused(t *testing.T) {
	obj := compile(t, "c", ifuncSrc, "-O2")
	for _, tc := range []struct {
		name  string
		patch func([]byte, int) // the symbol table entry of add
		want  string
	}{
		{"in data", func(e []byte, dataIdx int) {
			binary.LittleEndian.PutUint16(e[6:], uint16(dataIdx))
			binary.LittleEndian.PutUint64(e[8:], 0)
		}, "STT_GNU_IFUNC resolver in non-code section .data"},
		{"absolute", func(e []byte, _ int) { binary.LittleEndian.PutUint16(e[6:], 0xfff1) }, "STT_GNU_IFUNC symbol must be defined in a section"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bytes.Clone(obj)
			e, dataIdx := symEntry(t, b, "add")
			tc.patch(e, dataIdx)
			_, err := jelf.Parse("ifunc.o", b)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "(add)") {
				t.Fatalf("err %v, want %q naming add", err, tc.want)
			}
		})
	}
}

// symEntry returns the symbol table entry of name in obj (to patch in
// place) and the section index of .data.
func symEntry(t *testing.T, obj []byte, name string) ([]byte, int) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	data := -1
	var tab *elf.Section
	for i, s := range f.Sections {
		switch s.Name {
		case ".data":
			data = i
		case ".symtab":
			tab = s
		}
	}
	syms, err := f.Symbols()
	if err != nil || tab == nil || data < 0 {
		t.Fatalf("symbols: %v (symtab %v, .data %d)", err, tab != nil, data)
	}
	for i, s := range syms {
		if s.Name == name {
			off := tab.Offset + uint64(i+1)*24 // Symbols drops entry 0
			return obj[off : off+24], data
		}
	}
	t.Fatalf("no symbol %s", name)
	return nil, 0
}
