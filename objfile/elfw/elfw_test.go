package elfw

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildSample makes an object with functions, data, a float constant and
// calls to an external, using hand-encoded machine code.
func buildSample(t testing.TB) []byte {
	w := New()
	w.FileName = "sample.s"
	text := w.Text()
	cst := w.ROCst8()
	data := w.Data()
	bss := w.BSS()
	bss.Size = 64

	var c [8]byte
	binary.LittleEndian.PutUint64(c[:], math.Float64bits(2.5))
	cOff := cst.Append(c[:])

	must := func(id SymID, err error) SymID {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// int get42(void) { return 42; }
	f0 := text.Append([]byte{0xb8, 42, 0, 0, 0, 0xc3})
	get42 := must(w.AddSymbol(Symbol{Name: "get42", Section: text, Value: f0, Size: 6, Bind: BindGlobal, Type: TypeFunc}))
	text.AlignTo(16, 0x90)
	// double getc(void) { return 2.5; }  movsd xmm0, [rip+c]; ret
	f1 := text.Append([]byte{0xf2, 0x0f, 0x10, 0x05, 0, 0, 0, 0, 0xc3})
	if err := text.AddReloc(f1+4, R_X86_64_PC32, cst.Symbol(), int64(cOff)-4); err == nil {
		t.Fatal("relocation against a mergeable section symbol accepted")
	}
	lc := must(w.AddSymbol(Symbol{Name: ".LC0", Section: cst, Value: cOff, Size: 8, Bind: BindLocal, Type: TypeObject}))
	if err := text.AddReloc(f1+4, R_X86_64_PC32, lc, -4); err != nil {
		t.Fatal(err)
	}
	must(w.AddSymbol(Symbol{Name: "getc_", Section: text, Value: f1, Size: 9, Bind: BindGlobal, Type: TypeFunc}))
	text.AlignTo(16, 0x90)
	// int readcounter(void) { return counter; }  mov eax, [rip+counter]; ret
	d0 := data.Append([]byte{7, 0, 0, 0})
	counter := must(w.AddSymbol(Symbol{Name: "counter", Section: data, Value: d0, Size: 4, Bind: BindGlobal, Type: TypeObject}))
	f2 := text.Append([]byte{0x8b, 0x05, 0, 0, 0, 0, 0xc3})
	if err := text.AddReloc(f2+2, R_X86_64_PC32, counter, -4); err != nil {
		t.Fatal(err)
	}
	must(w.AddSymbol(Symbol{Name: "readcounter", Section: text, Value: f2, Size: 7, Bind: BindGlobal, Type: TypeFunc}))
	text.AlignTo(16, 0x90)
	// void say(void) { putchar('A'); putchar('\n'); }
	// push rax; mov edi,'A'; call putchar; mov edi,10; call putchar; pop rax; ret
	f3 := text.Append([]byte{0x50, 0xbf, 'A', 0, 0, 0, 0xe8, 0, 0, 0, 0, 0xbf, 10, 0, 0, 0, 0xe8, 0, 0, 0, 0, 0x58, 0xc3})
	putchar := must(w.AddSymbol(Symbol{Name: "putchar", Bind: BindGlobal}))
	if again := must(w.AddSymbol(Symbol{Name: "putchar", Bind: BindGlobal})); again != putchar {
		t.Fatalf("second undefined reference got a new id")
	}
	for _, o := range []uint64{7, 17} {
		if err := text.AddReloc(f3+o, R_X86_64_PLT32, putchar, -4); err != nil {
			t.Fatal(err)
		}
	}
	must(w.AddSymbol(Symbol{Name: "say", Section: text, Value: f3, Size: 23, Bind: BindGlobal, Type: TypeFunc}))
	// int *externptr(void) { return &errno_like; } via GOTPCRELX:
	// mov rax, [rip+sym@GOTPCREL]; ret
	text.AlignTo(16, 0x90)
	f4 := text.Append([]byte{0x48, 0x8b, 0x05, 0, 0, 0, 0, 0xc3})
	ext := must(w.AddSymbol(Symbol{Name: "ext_value", Bind: BindGlobal}))
	if err := text.AddReloc(f4+3, R_X86_64_REX_GOTPCRELX, ext, -4); err != nil {
		t.Fatal(err)
	}
	must(w.AddSymbol(Symbol{Name: "extptr", Section: text, Value: f4, Size: 8, Bind: BindGlobal, Type: TypeFunc}))
	// A local helper and a weak symbol.
	f5 := text.Append([]byte{0x31, 0xc0, 0xc3})
	must(w.AddSymbol(Symbol{Name: "helper", Section: text, Value: f5, Size: 3, Bind: BindLocal, Type: TypeFunc}))
	must(w.AddSymbol(Symbol{Name: "weakzero", Section: text, Value: f5, Size: 3, Bind: BindWeak, Type: TypeFunc}))
	// void *fp = get42;  (R_X86_64_64 in .data)
	data.AlignTo(8, 0)
	d1 := data.Append(make([]byte, 8))
	if err := data.AddReloc(d1, R_X86_64_64, get42, 0); err != nil {
		t.Fatal(err)
	}
	must(w.AddSymbol(Symbol{Name: "fp", Section: data, Value: d1, Size: 8, Bind: BindGlobal, Type: TypeObject}))
	must(w.AddSymbol(Symbol{Name: "buf", Section: bss, Value: 0, Size: 64, Bind: BindGlobal, Type: TypeObject}))
	obj, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

func TestParsesWithDebugELF(t *testing.T) {
	obj := buildSample(t)
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatalf("debug/elf: %v", err)
	}
	if f.Type != elf.ET_REL || f.Machine != elf.EM_X86_64 || f.Class != elf.ELFCLASS64 {
		t.Fatalf("header: type %v machine %v class %v", f.Type, f.Machine, f.Class)
	}
	for _, name := range []string{".text", ".rodata.cst8", ".data", ".bss", ".note.GNU-stack", ".rela.text", ".rela.data", ".symtab", ".strtab", ".shstrtab"} {
		if f.Section(name) == nil {
			t.Errorf("missing section %s", name)
		}
	}
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		bind elf.SymBind
		typ  elf.SymType
		size uint64
		def  bool
	}{
		"get42":     {elf.STB_GLOBAL, elf.STT_FUNC, 6, true},
		"counter":   {elf.STB_GLOBAL, elf.STT_OBJECT, 4, true},
		"putchar":   {elf.STB_GLOBAL, elf.STT_NOTYPE, 0, false},
		"helper":    {elf.STB_LOCAL, elf.STT_FUNC, 3, true},
		"weakzero":  {elf.STB_WEAK, elf.STT_FUNC, 3, true},
		"buf":       {elf.STB_GLOBAL, elf.STT_OBJECT, 64, true},
		"ext_value": {elf.STB_GLOBAL, elf.STT_NOTYPE, 0, false},
	}
	seen := map[string]bool{}
	sawGlobal := false
	for _, s := range syms {
		b := elf.ST_BIND(s.Info)
		if b == elf.STB_LOCAL && sawGlobal {
			t.Errorf("local symbol %q after a global one", s.Name)
		}
		if b != elf.STB_LOCAL {
			sawGlobal = true
		}
		w, ok := want[s.Name]
		if !ok {
			continue
		}
		seen[s.Name] = true
		if b != w.bind || elf.ST_TYPE(s.Info) != w.typ || s.Size != w.size || (s.Section != elf.SHN_UNDEF) != w.def {
			t.Errorf("symbol %s: bind %v type %v size %d shndx %v", s.Name, b, elf.ST_TYPE(s.Info), s.Size, s.Section)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("saw %v, want all of %v", seen, want)
	}
	// Relocations decode and point at the right symbols.
	rs := f.Section(".rela.text")
	rb, err := rs.Data()
	if err != nil {
		t.Fatal(err)
	}
	if len(rb) != 5*24 {
		t.Fatalf(".rela.text has %d bytes, want %d", len(rb), 5*24)
	}
	types := map[elf.R_X86_64]int{}
	for i := 0; i < len(rb); i += 24 {
		info := binary.LittleEndian.Uint64(rb[i+8:])
		types[elf.R_X86_64(info&0xffffffff)]++
		si := info >> 32
		if si == 0 || int(si) > len(syms) {
			t.Errorf("relocation %d: bad symbol index %d", i/24, si)
		}
	}
	if types[elf.R_X86_64_PLT32] != 2 || types[elf.R_X86_64_PC32] != 2 || types[elf.R_X86_64_REX_GOTPCRELX] != 1 {
		t.Errorf("relocation types %v", types)
	}
}

func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required for this test but was not found in PATH (install binutils/gcc: bash scripts/deps.sh)", name)
	}
	return p
}

func TestLinkWithGCC(t *testing.T) {
	gcc := needTool(t, "gcc")
	dir := t.TempDir()
	obj := filepath.Join(dir, "sample.o")
	if err := os.WriteFile(obj, buildSample(t), 0o644); err != nil {
		t.Fatal(err)
	}
	driver := `#include <stdio.h>
int get42(void); double getc_(void); int readcounter(void); void say(void);
int *extptr(void); int weakzero(void); extern void *fp; extern char buf[64];
extern int counter;
int ext_value = 99;
int main(void) {
	say();
	counter = 11;
	printf("%d %.2f %d %d %d %d %d\n", get42(), getc_(), readcounter(), *extptr(),
		((int (*)(void))fp)(), weakzero(), buf[63]);
	return 0;
}
`
	src := filepath.Join(dir, "main.c")
	if err := os.WriteFile(src, []byte(driver), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "a.out")
	for _, pie := range []string{"-pie", "-no-pie"} {
		out, err := exec.Command(gcc, pie, "-Wl,--fatal-warnings", "-o", exe, src, obj).CombinedOutput()
		if err != nil {
			t.Fatalf("gcc %s: %v\n%s", pie, err, out)
		}
		out, err = exec.Command(exe).CombinedOutput()
		if err != nil {
			t.Fatalf("run: %v\n%s", err, out)
		}
		if got, want := string(out), "A\n42 2.50 11 99 42 0 0\n"; got != want {
			t.Errorf("%s: output %q, want %q", pie, got, want)
		}
	}
}

func TestObjdumpReads(t *testing.T) {
	objdump := needTool(t, "objdump")
	dir := t.TempDir()
	obj := filepath.Join(dir, "sample.o")
	if err := os.WriteFile(obj, buildSample(t), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(objdump, "-dr", obj).CombinedOutput()
	if err != nil {
		t.Fatalf("objdump: %v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{"<get42>:", "<say>:", "R_X86_64_PLT32\tputchar-0x4", "R_X86_64_REX_GOTPCRELX\text_value-0x4", "movsd"} {
		if !strings.Contains(s, want) {
			t.Errorf("objdump output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "warning") || strings.Contains(s, "error") {
		t.Errorf("objdump complains:\n%s", s)
	}
}

func TestAPIErrors(t *testing.T) {
	w := New()
	text := w.Text()
	text.Append([]byte{0xc3})
	other := New().Text()
	cases := []struct {
		name string
		err  func() error
	}{
		{"empty section name", func() error { _, err := w.AddSection("", elf.SHT_PROGBITS, 0, 1); return err }},
		{"bad alignment", func() error { _, err := w.AddSection(".x", elf.SHT_PROGBITS, 0, 3); return err }},
		{"duplicate section", func() error { _, err := w.AddSection(".text", elf.SHT_PROGBITS, 0, 1); return err }},
		{"symtab section", func() error { _, err := w.AddSection(".y", elf.SHT_SYMTAB, 0, 1); return err }},
		{"reloc past end", func() error { return text.AddReloc(0, R_X86_64_PC32, 0, 0) }},
		{"reloc huge offset", func() error { return text.AddReloc(^uint64(0)-1, R_X86_64_PC32, 0, 0) }},
		{"reloc bad type", func() error { return text.AddReloc(0, RelocType(999), 0, 0) }},
		{"reloc bad symbol", func() error { text.Append(make([]byte, 8)); return text.AddReloc(0, R_X86_64_PC32, 77, 0) }},
		{"reloc negative symbol", func() error { return text.AddReloc(0, R_X86_64_PC32, -1, 0) }},
		{"bss reloc", func() error { return w.BSS().AddReloc(0, R_X86_64_64, text.Symbol(), 0) }},
		{"symbol past section", func() error {
			_, err := w.AddSymbol(Symbol{Name: "f", Section: text, Value: 0, Size: 100, Bind: BindGlobal})
			return err
		}},
		{"foreign section", func() error {
			_, err := w.AddSymbol(Symbol{Name: "g", Section: other, Bind: BindGlobal})
			return err
		}},
		{"local undefined", func() error { _, err := w.AddSymbol(Symbol{Name: "u", Bind: BindLocal}); return err }},
		{"unnamed undefined", func() error { _, err := w.AddSymbol(Symbol{Bind: BindGlobal}); return err }},
		{"bad binding", func() error { _, err := w.AddSymbol(Symbol{Name: "b", Bind: 9}); return err }},
		{"bad type", func() error { _, err := w.AddSymbol(Symbol{Name: "b", Bind: BindGlobal, Type: 9}); return err }},
		{"bad visibility", func() error {
			_, err := w.AddSymbol(Symbol{Name: "b", Bind: BindGlobal, Visibility: 9})
			return err
		}},
		{"duplicate definition", func() error {
			if _, err := w.AddSymbol(Symbol{Name: "d", Section: text, Bind: BindGlobal}); err != nil {
				return nil
			}
			_, err := w.AddSymbol(Symbol{Name: "d", Section: text, Bind: BindGlobal})
			return err
		}},
		{"set size unknown", func() error { return w.SetSymbolSize(1234, 1) }},
	}
	for _, c := range cases {
		if err := c.err(); err == nil {
			t.Errorf("%s: no error", c.name)
		} else if !strings.HasPrefix(err.Error(), "elfw: ") {
			t.Errorf("%s: error %q lacks context prefix", c.name, err)
		}
	}
	// A symbol whose section shrank is caught at Bytes time.
	id, err := w.AddSymbol(Symbol{Name: "late", Section: text, Bind: BindGlobal})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.SetSymbolSize(id, 1<<20); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Bytes(); err == nil {
		t.Error("Bytes accepted a symbol larger than its section")
	}
}

func BenchmarkWrite(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buildSample(b)
	}
}

func ExampleWriter() {
	w := New()
	text := w.Text()
	off := text.Append([]byte{0xb8, 42, 0, 0, 0, 0xc3}) // mov eax, 42; ret
	if _, err := w.AddSymbol(Symbol{Name: "answer", Section: text, Value: off, Size: 6, Bind: BindGlobal, Type: TypeFunc}); err != nil {
		panic(err)
	}
	obj, err := w.Bytes()
	if err != nil {
		panic(err)
	}
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		panic(err)
	}
	syms, _ := f.Symbols()
	for _, s := range syms {
		fmt.Println(s.Name, elf.ST_BIND(s.Info), elf.ST_TYPE(s.Info), s.Size)
	}
	// Output:
	// answer STB_GLOBAL STT_FUNC 6
}

// TestBytesAllocatesTheObjectOnce: serializing a large object (many
// functions, symbols and relocations) allocates little more than the
// object itself: it is written into one buffer sized in advance, the
// relocation entries in place (a JIT compiler hands such an object
// straight to the linker; every extra copy is fresh memory to fault in).
func TestBytesAllocatesTheObjectOnce(t *testing.T) {
	w := New()
	text := w.Text()
	ext, err := w.AddSymbol(Symbol{Name: "external_function", Bind: BindGlobal})
	if err != nil {
		t.Fatal(err)
	}
	code := make([]byte, 400)
	for i := 0; i < 2000; i++ {
		off := text.Append(code)
		if _, err := w.AddSymbol(Symbol{Name: fmt.Sprintf("function_number_%d", i), Section: text, Value: off, Size: uint64(len(code)), Bind: BindGlobal, Type: TypeFunc}); err != nil {
			t.Fatal(err)
		}
		for j := uint64(0); j < 8; j++ {
			if err := text.AddReloc(off+1+j*40, R_X86_64_PLT32, ext, -4); err != nil {
				t.Fatal(err)
			}
		}
	}
	var obj []byte
	allocated := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if obj, err = w.Bytes(); err != nil {
				b.Fatal(err)
			}
		}
	}).AllocedBytesPerOp()
	if limit := int64(len(obj)) * 5 / 4; allocated > limit {
		t.Errorf("Bytes allocated %d bytes for a %d-byte object (limit %d)", allocated, len(obj), limit)
	}
	if _, err := elf.NewFile(bytes.NewReader(obj)); err != nil {
		t.Fatal(err)
	}
}
