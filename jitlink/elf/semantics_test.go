package elf_test

import (
	"context"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

func nameAt(g *jitlink.LinkGraph, a shared.ExecutorAddr) string {
	for _, s := range g.Symbols {
		if s.Name != "" && s.Callable && s.Address() == a {
			return s.Name
		}
	}
	return a.String()
}

func TestInitFiniOrder(t *testing.T) {
	src := `
volatile int sink;
__attribute__((constructor(200))) static void a(void) { sink++; }
__attribute__((constructor(101))) static void b(void) { sink++; }
__attribute__((constructor)) static void c(void) { sink++; }
__attribute__((destructor(101))) static void d(void) { sink++; }
__attribute__((destructor(300))) static void e(void) { sink++; }
__attribute__((destructor)) static void f(void) { sink++; }
static void g1(void) { sink++; }
static void g2(void) { sink++; }
__attribute__((section(".ctors"), used)) static void (*ct[])(void) = {g1, g2};
int main(void) { return 0; }
`
	obj := compile(t, "c", src, "-O1")
	g, _, _ := linkAt(t, "init.o", obj, 0x10000, 0x20000000, &tlsLayout)
	var inits, finis []string
	for _, f := range g.Inits {
		inits = append(inits, nameAt(g, f.Fn))
	}
	for _, f := range g.Finis {
		finis = append(finis, nameAt(g, f.Fn))
	}
	// .ctors entries run in reverse (g2 before g1) at default priority,
	// after .init_array's default-priority entries of the same object as
	// GNU ld orders them by section.
	if got, want := strings.Join(inits, ","), "b,a,c,g2,g1"; got != want {
		t.Errorf("inits %s, want %s", got, want)
	}
	if got, want := strings.Join(finis, ","), "f,e,d"; got != want {
		t.Errorf("finis %s, want %s", got, want)
	}
}

// TestEHFrameConsistency checks that dead-stripping keeps .eh_frame
// consistent: every FDE left points at a live function and at a CIE, and
// the section ends with a terminator.
func TestEHFrameConsistency(t *testing.T) {
	src := `
static int unused_fn(int x) { return x * 7; }
int (*volatile keep)(int);
int used_fn(int x) { return x + 1; }
__attribute__((noinline)) static int helper(int x) { return x - 3; }
int main(void) { return used_fn(1) + helper(2); }
`
	obj := compile(t, "c", src, "-O1", "-ffunction-sections", "-fno-inline")
	g, mm, _ := linkAt(t, "eh.o", obj, 0x10000, 0x20000000, &tlsLayout)
	r := g.EHFrameRange()
	eh, err := mm.Read(r.Start, r.Size())
	if err != nil {
		t.Fatal(err)
	}
	live := map[shared.ExecutorAddr]string{}
	for _, s := range g.Symbols {
		if s.Callable {
			live[s.Address()] = s.Name
		}
	}
	fdes := map[string]bool{}
	pos := 0
	for {
		if pos+4 > len(eh) {
			t.Fatalf("no terminator")
		}
		n := int(binary.LittleEndian.Uint32(eh[pos:]))
		if n == 0 {
			if pos+4 != len(eh) {
				t.Errorf("terminator at %d, section is %d bytes", pos, len(eh))
			}
			break
		}
		if id := binary.LittleEndian.Uint32(eh[pos+4:]); id != 0 {
			cie := pos + 4 - int(id)
			if cie < 0 || binary.LittleEndian.Uint32(eh[cie+4:]) != 0 {
				t.Errorf("FDE at %d: CIE pointer %d does not reach a CIE", pos, id)
			}
			pc := r.Start + shared.ExecutorAddr(pos+8) + shared.ExecutorAddr(int64(int32(binary.LittleEndian.Uint32(eh[pos+8:]))))
			name, ok := live[pc]
			if !ok {
				t.Errorf("FDE at %d covers %v, which is not a live function", pos, pc)
			}
			fdes[name] = true
		}
		pos += 4 + n
	}
	for _, want := range []string{"main", "used_fn", "helper"} {
		if !fdes[want] {
			t.Errorf("no FDE for %s (have %v)", want, fdes)
		}
	}
	if fdes["unused_fn"] || g.FindSymbol("unused_fn") != nil {
		t.Errorf("unused_fn should be dead-stripped with its FDE")
	}
}

func TestComdatAndWeak(t *testing.T) {
	src := `inline int shared_inline(int x) { return x * 5; }
int user(int x) { return shared_inline(x); }`
	obj := compile(t, "c++", src, "-O0")
	g, err := jelf.Parse("comdat.o", obj)
	if err != nil {
		t.Fatal(err)
	}
	var grp *jitlink.ComdatGroup
	for _, c := range g.Comdats {
		if c.Signature == "_Z13shared_inlinei" {
			grp = c
		}
	}
	if grp == nil || len(grp.Sections) == 0 {
		t.Fatalf("no COMDAT group for _Z13shared_inlinei: %+v", g.Comdats)
	}
	sym := g.FindSymbol("_Z13shared_inlinei")
	if sym == nil || sym.Linkage != jitlink.LinkageWeak || sym.Block.Section.Comdat != grp {
		t.Fatalf("COMDAT member should be weak and in the group: %+v", sym)
	}
	// Another object's copy wins: this graph uses it through an external.
	if err := g.MakeExternal(sym); err != nil {
		t.Fatal(err)
	}
	mm := jitlinktest.NewMemoryManager(0x10000)
	lc := &jitlinktest.Context{MM: mm, Symbols: map[string]shared.ExecutorAddr{"_Z13shared_inlinei": 0x30000}}
	if err := jitlink.Link(context.Background(), g, lc); err != nil {
		t.Fatal(err)
	}
	if _, ok := lc.Looked["_Z13shared_inlinei"]; !ok {
		t.Errorf("the discarded definition should be looked up")
	}
	for _, s := range grp.Sections {
		if strings.HasPrefix(s.Name, ".text") && len(s.Blocks) != 0 {
			t.Errorf("the losing copy's code (%s) should be dead-stripped", s.Name)
		}
	}
}

func TestCommonSymbols(t *testing.T) {
	obj := compile(t, "c", "__attribute__((common)) int buf[10]; __attribute__((common, aligned(32))) char c; int get(int i){return buf[i]+c;}", "-O1")
	g, err := jelf.Parse("common.o", obj)
	if err != nil {
		t.Fatal(err)
	}
	buf := g.FindSymbol("buf")
	if buf == nil || !buf.IsCommon() || buf.Size != 40 || buf.Linkage != jitlink.LinkageWeak {
		t.Fatalf("buf: %+v", buf)
	}
	if c := g.FindSymbol("c"); c == nil || c.Block.Align != 32 {
		t.Fatalf("c: %+v", c)
	}
	// The adapter merges commons: the largest size and alignment win.
	if err := g.ResizeCommon(buf, 400, 64); err != nil {
		t.Fatal(err)
	}
	mm := jitlinktest.NewMemoryManager(0x10000)
	lc := &jitlinktest.Context{MM: mm}
	if err := jitlink.Link(context.Background(), g, lc); err != nil {
		t.Fatal(err)
	}
	if buf.Block.Size != 400 || buf.Address()%64 != 0 {
		t.Errorf("common not resized: size %d at %v", buf.Block.Size, buf.Address())
	}
}

func TestLow2GiB(t *testing.T) {
	obj := compile(t, "c", "int x; int *px(void){ return &x; } long get(int i){ static long t[4]; return t[i]; }", "-O2", "-fno-pic", "-fno-pie")
	g, err := jelf.Parse("low.o", obj)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Low2GiB {
		t.Fatalf("non-PIC object with R_X86_64_32S should need low memory")
	}
	mm := jitlinktest.NewMemoryManager(0x1_0000_0000)
	err = jitlink.Link(context.Background(), g, &jitlinktest.Context{MM: mm})
	if err == nil || !strings.Contains(err.Error(), "2 GiB") {
		t.Fatalf("want an error placing the graph below 2 GiB, got %v", err)
	}
	if !mm.Requests[0].Low2GiB {
		t.Errorf("AllocRequest.Low2GiB not set")
	}
}

func TestUndefinedSymbolsListed(t *testing.T) {
	obj := compile(t, "c", "extern int a1(void), b2(void); extern int w(void) __attribute__((weak)); int f(void){ return a1() + b2() + (w ? w() : 0); }", "-O1")
	g, err := jelf.Parse("undef.o", obj)
	if err != nil {
		t.Fatal(err)
	}
	mm := jitlinktest.NewMemoryManager(0x10000)
	lc := &jitlinktest.Context{MM: mm}
	err = jitlink.Link(context.Background(), g, lc)
	if err == nil || !strings.Contains(err.Error(), "a1") || !strings.Contains(err.Error(), "b2") || strings.Contains(err.Error(), " w") {
		t.Fatalf("want both missing names (and not the weak one), got %v", err)
	}
	if lc.Err == nil || mm.Abandoned != 1 {
		t.Errorf("NotifyFailed %v, abandoned %d", lc.Err, mm.Abandoned)
	}
}

// TestDynamicTLS links general-dynamic code when the executor cannot put
// the image in static TLS: tls_index entries and calls to the executor's
// __tls_get_addr remain.
func TestDynamicTLS(t *testing.T) {
	obj := compile(t, "c", "__thread int v = 3; static __thread int w; int get(void){ return v + w; }", "-O1", "-fPIC")
	dyn := jitlink.TLSLayout{Static: false, Module: 42, GetAddr: 0x7000_0000_0000 + 0x1000_0000}
	g, mm, _ := linkAt(t, "dyn.o", obj, 0x7000_0000_0000, 0x7000_1000_0000, &dyn)
	got := g.FindSection(amd64.GOTSectionName)
	if got == nil {
		t.Fatal("no GOT")
	}
	found := 0
	for _, b := range got.Blocks {
		if b.Size != 16 {
			continue
		}
		m, _ := mm.Read(b.Addr, 16)
		if binary.LittleEndian.Uint64(m) != 42 {
			t.Errorf("tls_index module %d, want 42", binary.LittleEndian.Uint64(m))
		}
		found++
	}
	if found == 0 {
		t.Fatalf("no tls_index entries")
	}
	v := g.FindSymbol("v")
	for _, b := range got.Blocks {
		m, _ := mm.Read(b.Addr, b.Size)
		if b.Size == 16 && binary.LittleEndian.Uint64(m[8:]) == uint64(v.Address()-g.TLS.InitAddr) {
			return
		}
	}
	t.Errorf("no tls_index {42, offset of v}")
}
