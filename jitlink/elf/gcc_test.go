package elf_test

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

// compile compiles src (C, or C++ when lang is "c++") with gcc/g++ and the
// given flags and returns the object bytes.
func compile(t testing.TB, lang, src string, flags ...string) []byte {
	t.Helper()
	key := lang + "\x00" + strings.Join(flags, " ") + "\x00" + src
	if b, ok := compiled.Load(key); ok {
		return b.([]byte)
	}
	b := compileUncached(t, lang, src, flags...)
	compiled.Store(key, b)
	return b
}

// compiled caches objects per (language, flags, source) within a test run.
var compiled sync.Map

func compileUncached(t testing.TB, lang, src string, flags ...string) []byte {
	t.Helper()
	cc := "gcc"
	if lang == "c++" {
		cc = "g++"
	}
	path, err := exec.LookPath(cc)
	if err != nil {
		t.Fatalf("%s not found in PATH (run scripts/deps.sh): %v", cc, err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "t.o")
	args := append([]string{"-x", lang, "-c", "-o", out, "-"}, flags...)
	cmd := exec.Command(path, args...)
	cmd.Stdin = strings.NewReader(src)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", cc, flags, err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const cProgram = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
extern int ext_data;
extern int ext_func(int);
extern int weak_missing(void) __attribute__((weak));
extern int weak_var __attribute__((weak));
__attribute__((common)) int common_var;
static int counter;
int table[16] = {1,2,3};
const char *names[] = {"alpha", "beta", "gamma"};
int (*fptr)(int) = ext_func;
__thread int tls_a = 7;
__thread int tls_b;
static __thread long tls_c = 3;
extern __thread int tls_ext;
__attribute__((visibility("hidden"))) int hidden_fn(int x) { return x * 3; }
__attribute__((visibility("internal"))) int internal_fn(int x) { return x + 11; }
static int local_fn(int x) { counter += x; return counter; }
__attribute__((weak)) int weak_def(int x) { return x - 1; }
__attribute__((constructor(101))) static void ctor_early(void) { counter = 1; }
__attribute__((constructor)) static void ctor_late(void) { counter++; }
__attribute__((destructor)) static void dtor(void) { counter = 0; }
__attribute__((section("my_items"))) int item1 = 10;
__attribute__((section("my_items"))) int item2 = 20;
extern int __start_my_items[], __stop_my_items[];
int sum_items(void) { int s = 0; for (int *p = __start_my_items; p < __stop_my_items; p++) s += *p; return s; }
int use_all(int n) {
	char buf[64];
	snprintf(buf, sizeof buf, "%s-%d", names[n % 3], table[n & 15]);
	printf("%s %d %d\n", buf, ext_data, ext_func(n));
	fprintf(stderr, "err %p\n", (void*)stdout);
	if (weak_missing) weak_missing();
	tls_a += n; tls_b += tls_a; tls_c++;
	common_var += local_fn(n) + hidden_fn(n) + internal_fn(n) + weak_def(n) + tls_ext;
	return (int)strlen(buf) + (int)tls_c + (&weak_var != 0) + fptr(n) + sum_items();
}
int main(int argc, char **argv) { return use_all(argc) + (int)(long)malloc(0); }
`

const cxxProgram = `
#include <vector>
#include <string>
#include <stdexcept>
#include <cstdio>
struct Base { virtual ~Base() {} virtual int f() const { return 1; } };
struct Derived : Base { int f() const override { return 2; } };
template <typename T> T twice(T x) { return x + x; }
static std::vector<int> global_vec = {1, 2, 3};
thread_local int tl_counter = 5;
int run(int n) {
	Derived d; Base &b = d;
	std::string s = "hello";
	try {
		if (n > 100) throw std::runtime_error("big");
		global_vec.at(n);
	} catch (const std::exception &e) {
		std::printf("caught %s\n", e.what());
	}
	tl_counter += n;
	return b.f() + twice(n) + (int)s.size() + (int)global_vec.size() + tl_counter;
}
int main(int argc, char **) { return run(argc); }
`

type mode struct {
	name  string
	flags []string
}

var modes = []mode{
	{"pie-O0", []string{"-O0"}},
	{"pie-O2", []string{"-O2"}},
	{"pic-O1", []string{"-O1", "-fPIC"}},
	{"pic-O3", []string{"-O3", "-fPIC", "-ffunction-sections", "-fdata-sections"}},
	{"nopic-O2", []string{"-O2", "-fno-pic", "-fno-pie"}},
	{"large-O0", []string{"-O0", "-mcmodel=large"}},
	{"large-pic-O2", []string{"-O2", "-mcmodel=large", "-fPIC"}},
	{"pic-g", []string{"-O2", "-fPIC", "-g"}},
	{"noplt-O2", []string{"-O2", "-fPIC", "-fno-plt"}},
}

// externals gives every external a fake address far from the JIT memory
// (so that stubs and GOT entries are required) and returns the map.
func externals(g *jitlink.LinkGraph, near, far shared.ExecutorAddr) map[string]shared.ExecutorAddr {
	m := map[string]shared.ExecutorAddr{}
	i := 0
	for name := range g.Externals {
		if name == "weak_missing" || name == "weak_var" {
			continue
		}
		m[name] = far + shared.ExecutorAddr(i*0x100)
		if name == "__dso_handle" {
			m[name] = near // the adapter defines it near the JIT'd code
		}
		i++
	}
	return m
}

var extTLSLayout = jitlink.TLSLayout{Static: true, TPOffset: -0x3000, Module: 9}

var tlsLayout = jitlink.TLSLayout{Static: true, TPOffset: -0x1000, Module: 7, GetAddr: 0x7f00_dead_0000}

// linkAt links obj at base with externals far away and returns the graph,
// the memory manager and the context.
func linkAt(t *testing.T, name string, obj []byte, base, far shared.ExecutorAddr, tls *jitlink.TLSLayout) (*jitlink.LinkGraph, *jitlinktest.MemoryManager, *jitlinktest.Context) {
	t.Helper()
	g, err := jelf.Parse(name, obj)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	mm := jitlinktest.NewMemoryManager(base)
	lc := &jitlinktest.Context{MM: mm, Symbols: externals(g, base+0x2000_0000, far), TLS: tls,
		ExtTLS: map[string]jitlink.TLSRef{"tls_ext": {Layout: extTLSLayout, Offset: 0x40}}}
	if err := jitlink.Link(context.Background(), g, lc); err != nil {
		t.Fatalf("link: %v", err)
	}
	if !lc.Finalized {
		t.Fatalf("link returned without finalizing")
	}
	return g, mm, lc
}

// checker verifies the linked memory against the relocations read with the
// standard library's debug/elf, decoding instructions with x86asm.
type checker struct {
	t      *testing.T
	mm     *jitlinktest.MemoryManager
	ef     *elf.File
	syms   []elf.Symbol
	addrOf map[string]shared.ExecutorAddr // defined non-local names
	ext    map[string]shared.ExecutorAddr
	secAt  map[int]shared.ExecutorAddr // ELF section index -> linked address
	tpBase int64                       // TLS image start relative to TP
	tlsImg shared.ExecutorAddr
	g      *jitlink.LinkGraph
	n      map[string]int
}

func newChecker(t *testing.T, obj []byte, g *jitlink.LinkGraph, mm *jitlinktest.MemoryManager, lc *jitlinktest.Context) *checker {
	ef, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	syms, err := ef.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	c := &checker{t: t, mm: mm, ef: ef, syms: syms, addrOf: map[string]shared.ExecutorAddr{}, ext: lc.Symbols,
		secAt: map[int]shared.ExecutorAddr{}, g: g, n: map[string]int{}}
	for _, s := range g.Symbols {
		if s.Name != "" {
			c.addrOf[s.Name] = s.Address()
		}
	}
	// Derive each ELF section's address from a symbol defined in it.
	for _, s := range syms {
		if s.Section == elf.SHN_UNDEF || s.Section >= elf.SHN_LORESERVE || s.Name == "" || elf.ST_TYPE(s.Info) == elf.STT_SECTION {
			continue
		}
		if a, ok := c.addrOf[s.Name]; ok && elf.ST_BIND(s.Info) != elf.STB_LOCAL {
			c.secAt[int(s.Section)] = a - shared.ExecutorAddr(s.Value)
		}
	}
	if g.TLS != nil {
		c.tlsImg = g.TLS.InitAddr
		c.tpBase = tlsLayout.TPOffset
	}
	return c
}

func (c *checker) read(a shared.ExecutorAddr, n uint64) []byte {
	b, err := c.mm.Read(a, n)
	if err != nil {
		c.t.Fatalf("%v", err)
	}
	return b
}

func (c *checker) u64(a shared.ExecutorAddr) uint64 { return binary.LittleEndian.Uint64(c.read(a, 8)) }

// symAddr returns the linked address of relocation symbol s, or false when
// it cannot be determined independently.
func (c *checker) symAddr(s elf.Symbol) (shared.ExecutorAddr, bool) {
	switch {
	case elf.ST_TYPE(s.Info) == elf.STT_SECTION:
		a, ok := c.secAt[int(s.Section)]
		return a, ok
	case s.Section == elf.SHN_UNDEF:
		if s.Name == jitlink.TLSGetAddrName {
			return tlsLayout.GetAddr, true
		}
		if elf.ST_TYPE(s.Info) == elf.STT_TLS {
			return 0, false
		}
		a, ok := c.ext[s.Name]
		if !ok && elf.ST_BIND(s.Info) == elf.STB_WEAK {
			return 0, true
		}
		if !ok {
			a, ok = c.addrOf[s.Name] // __start_/__stop_
		}
		return a, ok
	case s.Section == elf.SHN_COMMON:
		a, ok := c.addrOf[s.Name]
		return a, ok
	case s.Section == elf.SHN_ABS:
		return shared.ExecutorAddr(s.Value), true
	}
	if elf.ST_BIND(s.Info) != elf.STB_LOCAL {
		a, ok := c.addrOf[s.Name]
		return a, ok
	}
	a, ok := c.secAt[int(s.Section)]
	return a + shared.ExecutorAddr(s.Value), ok
}

// viaStubOrGOT follows a stub (jmp *GOT(%rip)) to its target.
func (c *checker) throughStub(a shared.ExecutorAddr) shared.ExecutorAddr {
	b, err := c.mm.Read(a, 6)
	if err != nil {
		return a
	}
	if b[0] == 0xff && b[1] == 0x25 {
		got := a + 6 + shared.ExecutorAddr(int64(int32(binary.LittleEndian.Uint32(b[2:]))))
		return shared.ExecutorAddr(c.u64(got))
	}
	return a
}

func (c *checker) run() {
	t := c.t
	for _, sec := range c.ef.Sections {
		if sec.Type != elf.SHT_RELA {
			continue
		}
		tgt := c.ef.Sections[sec.Info]
		if tgt.Flags&elf.SHF_ALLOC == 0 || tgt.Name == ".eh_frame" {
			continue
		}
		base, ok := c.secAt[int(sec.Info)]
		if !ok {
			continue
		}
		data, err := sec.Data()
		if err != nil {
			t.Fatal(err)
		}
		var insts map[uint64]x86asm.Inst
		var instAt map[uint64]uint64 // reloc offset -> instruction start
		if tgt.Flags&elf.SHF_EXECINSTR != 0 {
			insts, instAt = c.decode(int(sec.Info), base)
		}
		relaxedCalls := map[uint64]bool{}
		for off := 0; off+24 <= len(data); off += 24 {
			roff := binary.LittleEndian.Uint64(data[off:])
			info := binary.LittleEndian.Uint64(data[off+8:])
			A := int64(binary.LittleEndian.Uint64(data[off+16:]))
			typ := elf.R_X86_64(uint32(info))
			si := int(info >> 32)
			if si == 0 || si > len(c.syms) {
				continue
			}
			sym := c.syms[si-1]
			P := base + shared.ExecutorAddr(roff)
			if !c.liveAt(P) {
				continue // dead-stripped
			}
			if typ == elf.R_X86_64_TLSGD || typ == elf.R_X86_64_TLSLD {
				if c.checkTLSSeq(typ, sym, P) {
					c.n["tls-relaxed"]++
					relaxedCalls[roff+8] = true
					if typ == elf.R_X86_64_TLSLD {
						relaxedCalls[roff+5] = true
					}
				}
				continue
			}
			if typ == elf.R_X86_64_GOTTPOFF {
				start, ok := instAt[roff]
				if !ok {
					continue
				}
				in := insts[start]
				want := c.tpoffOf(sym)
				next := base + shared.ExecutorAddr(start) + shared.ExecutorAddr(in.Len)
				switch a := in.Args[1].(type) {
				case x86asm.Imm:
					if int64(int32(a)) != want {
						t.Errorf("%s+%#x: relaxed IE %v: offset %d, want %d", tgt.Name, roff, in, int64(int32(a)), want)
					}
					c.n["ie-relaxed"]++
				case x86asm.Mem:
					ent := shared.ExecutorAddr(int64(next) + int64(int32(a.Disp)))
					if int64(c.u64(ent)) != want {
						t.Errorf("%s+%#x: IE GOT entry holds %d, want %d", tgt.Name, roff, int64(c.u64(ent)), want)
					}
					c.n["ie-got"]++
				default:
					t.Errorf("%s+%#x: unexpected IE instruction %v", tgt.Name, roff, in)
				}
				continue
			}
			S, ok := c.symAddr(sym)
			if !ok {
				continue
			}
			where := fmt.Sprintf("%s+%#x %v %s%+d", tgt.Name, roff, typ, sym.Name, A)
			switch typ {
			case elf.R_X86_64_64:
				if got := c.u64(P); got != uint64(int64(S)+A) {
					t.Errorf("%s: wrote %#x, want %#x", where, got, uint64(int64(S)+A))
				}
				c.n["abs64"]++
			case elf.R_X86_64_PC32, elf.R_X86_64_PLT32, elf.R_X86_64_GOTPCREL, elf.R_X86_64_GOTPCRELX, elf.R_X86_64_REX_GOTPCRELX:
				start, ok := instAt[roff]
				if !ok || relaxedCalls[roff] {
					continue
				}
				in := insts[start]
				next := base + shared.ExecutorAddr(start) + shared.ExecutorAddr(in.Len)
				eff, isMem := effective(in, next)
				want := shared.ExecutorAddr(int64(S) + A + int64(next-P))
				if typ == elf.R_X86_64_PC32 || typ == elf.R_X86_64_PLT32 {
					switch {
					case eff == want:
						c.n["pcrel"]++
					case (in.Op == x86asm.CALL || in.Op == x86asm.JMP) && c.throughStub(eff) == want:
						c.n["stub"]++
					case in.Op == x86asm.MOV && isMem && shared.ExecutorAddr(c.u64(eff)) == want:
						c.n["far-lea"]++ // lea turned into a load from a slot
					case in.Op == x86asm.JMP && c.checkThunk(tgt, base, start, roff, eff, S, A):
						c.n["far-thunk"]++
					default:
						t.Errorf("%s: %v: operand points at %v, want %v", where, in, eff, want)
					}
					continue
				}
				// GOT forms: either relaxed to a direct reference, or through
				// a GOT entry holding S.
				direct := eff == S && (in.Op == x86asm.LEA || !isMem)
				if !direct {
					if !isMem || shared.ExecutorAddr(c.u64(eff)) != S {
						t.Errorf("%s: %v: neither direct nor through a GOT entry holding %v (eff %v)", where, in, S, eff)
					}
					c.n["got"]++
				} else {
					c.n["relaxed"]++
				}
			case elf.R_X86_64_32, elf.R_X86_64_32S:
				v := binary.LittleEndian.Uint32(c.read(P, 4))
				if uint64(v) != uint64(int64(S)+A)&0xffffffff {
					t.Errorf("%s: wrote %#x, want %#x", where, v, int64(S)+A)
				}
				c.n["abs32"]++
			case elf.R_X86_64_TPOFF32:
				v := int32(binary.LittleEndian.Uint32(c.read(P, 4)))
				want := int64(S-c.tlsImg) + c.tpBase + A
				if int64(v) != want {
					t.Errorf("%s: wrote %d, want %d", where, v, want)
				}
				c.n["tpoff"]++
			case elf.R_X86_64_GOTOFF64, elf.R_X86_64_PLTOFF64:
				v := int64(c.u64(P))
				got := c.gotBase()
				target := shared.ExecutorAddr(int64(got) + v - A)
				if target != S && c.throughStub(target) != S {
					t.Errorf("%s: GOT%+d = %v, want %v", where, v, target, S)
				}
				c.n["gotoff"]++
			case elf.R_X86_64_GOT64:
				v := int64(c.u64(P))
				ent := shared.ExecutorAddr(int64(c.gotBase()) + v - A)
				if shared.ExecutorAddr(c.u64(ent)) != S {
					t.Errorf("%s: GOT entry at %v holds %#x, want %v", where, ent, c.u64(ent), S)
				}
				c.n["got64"]++
			case elf.R_X86_64_GOTPC64:
				v := int64(c.u64(P))
				if shared.ExecutorAddr(int64(P)+v-A) != c.gotBase() {
					t.Errorf("%s: GOTPC64 gives %v, want GOT base %v", where, shared.ExecutorAddr(int64(P)+v-A), c.gotBase())
				}
				c.n["gotpc"]++
			}
		}
	}
}

// checkThunk checks a far-data thunk at th that replaces the instruction
// at offset start of section sec: it must load want into a scratch
// register, run the original instruction on it and jump back to next.
func (c *checker) checkThunk(sec *elf.Section, base shared.ExecutorAddr, start, roff uint64, th, S shared.ExecutorAddr, A int64) bool {
	data, _ := sec.Data()
	orig, err := x86asm.Decode(data[start:], 64)
	if err != nil {
		return false
	}
	next := base + shared.ExecutorAddr(start) + shared.ExecutorAddr(orig.Len)
	want := shared.ExecutorAddr(int64(S) + A + int64(start+uint64(orig.Len)-roff))
	var code []byte
	for n := uint64(64); n > 0 && code == nil; n-- {
		code, _ = c.mm.Read(th, n)
	}
	var ins []x86asm.Inst
	pc := th
	var pcs []shared.ExecutorAddr
	for len(ins) < 7 {
		in, err := x86asm.Decode(code, 64)
		if err != nil {
			c.t.Errorf("thunk at %v does not decode: %v", th, err)
			return true
		}
		ins = append(ins, in)
		pcs = append(pcs, pc)
		code = code[in.Len:]
		pc += shared.ExecutorAddr(in.Len)
	}
	// lea; push; mov slot; INSN; pop; lea; jmp
	slotLoad := ins[2]
	m, ok := slotLoad.Args[1].(x86asm.Mem)
	if slotLoad.Op != x86asm.MOV || !ok || m.Base != x86asm.RIP {
		c.t.Errorf("thunk at %v: %v is not a slot load", th, slotLoad)
		return true
	}
	slot := pcs[3] + shared.ExecutorAddr(int64(int32(m.Disp)))
	if got := shared.ExecutorAddr(c.u64(slot)); got != want {
		c.t.Errorf("thunk at %v: slot holds %v, want %v", th, got, want)
	}
	if ins[3].Op != orig.Op {
		c.t.Errorf("thunk at %v runs %v, want the original %v", th, ins[3], orig)
	}
	scratch := slotLoad.Args[0]
	usesScratch := false
	for _, a := range ins[3].Args {
		if mm, ok := a.(x86asm.Mem); ok && mm.Base == scratch && mm.Disp == 0 {
			usesScratch = true
		}
	}
	if !usesScratch {
		c.t.Errorf("thunk at %v: %v does not address (%v)", th, ins[3], scratch)
	}
	back := ins[6]
	if back.Op != x86asm.JMP || pc+shared.ExecutorAddr(int64(back.Args[0].(x86asm.Rel))) != next {
		c.t.Errorf("thunk at %v does not jump back to %v: %v", th, next, back)
	}
	return true
}

// tpoffOf returns the expected %fs-relative offset of TLS symbol s.
func (c *checker) tpoffOf(s elf.Symbol) int64 {
	if s.Section == elf.SHN_UNDEF {
		return extTLSLayout.TPOffset + 0x40
	}
	var a shared.ExecutorAddr
	if elf.ST_BIND(s.Info) != elf.STB_LOCAL {
		a = c.addrOf[s.Name]
	} else {
		for _, sym := range c.g.Symbols {
			if sym.Name == s.Name && sym.TLS {
				a = sym.Address()
			}
		}
	}
	return int64(a-c.tlsImg) + c.tpBase
}

// checkTLSSeq checks a general- or local-dynamic sequence relaxed to
// local-exec; it reports false (after checking nothing) when the sequence
// was not relaxed.
func (c *checker) checkTLSSeq(typ elf.R_X86_64, s elf.Symbol, P shared.ExecutorAddr) bool {
	if typ == elf.R_X86_64_TLSGD {
		b := c.read(P-4, 16)
		if b[0] != 0x64 {
			return false
		}
		in, err := x86asm.Decode(b, 64)
		in2, err2 := x86asm.Decode(b[in.Len:], 64)
		if err != nil || err2 != nil || in.Op != x86asm.MOV || in.Args[1].(x86asm.Mem).Segment != x86asm.FS || in2.Op != x86asm.LEA {
			c.t.Errorf("relaxed GD sequence at %v does not decode: %v; %v (%x)", P, in, in2, b)
			return true
		}
		if d := int64(int32(in2.Args[1].(x86asm.Mem).Disp)); d != c.tpoffOf(s) {
			c.t.Errorf("relaxed GD for %s: offset %d, want %d", s.Name, d, c.tpoffOf(s))
		}
		return true
	}
	b := c.read(P-3, 12)
	if b[3] != 0x64 {
		return false
	}
	in, err := x86asm.Decode(b, 64)
	if err != nil || in.Len != 12 || in.Op != x86asm.MOV || in.Args[1].(x86asm.Mem).Segment != x86asm.FS {
		c.t.Errorf("relaxed LD sequence at %v does not decode: %v (%x)", P, in, b)
	}
	return true
}

func (c *checker) gotBase() shared.ExecutorAddr {
	sec := c.g.FindSection(amd64.GOTSectionName)
	if sec == nil || len(sec.Blocks) == 0 {
		c.t.Fatalf("no GOT section")
	}
	return sec.Blocks[0].Addr
}

func (c *checker) liveAt(a shared.ExecutorAddr) bool {
	for _, sec := range c.g.Sections {
		for _, b := range sec.Blocks {
			if b.Range().Contains(a) {
				return true
			}
		}
	}
	return false
}

func effective(in x86asm.Inst, next shared.ExecutorAddr) (shared.ExecutorAddr, bool) {
	for _, a := range in.Args {
		switch a := a.(type) {
		case x86asm.Mem:
			if a.Base == x86asm.RIP {
				return shared.ExecutorAddr(int64(next) + int64(int32(a.Disp))), true
			}
		case x86asm.Rel:
			return shared.ExecutorAddr(int64(next) + int64(a)), false
		}
	}
	return 0, false
}

// decode disassembles every function of ELF section idx as linked and
// maps each byte offset to the instruction containing it.
func (c *checker) decode(idx int, base shared.ExecutorAddr) (map[uint64]x86asm.Inst, map[uint64]uint64) {
	insts := map[uint64]x86asm.Inst{}
	at := map[uint64]uint64{}
	for _, s := range c.syms {
		if int(s.Section) != idx || elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Size == 0 {
			continue
		}
		if !c.liveAt(base + shared.ExecutorAddr(s.Value)) {
			continue
		}
		code := c.read(base+shared.ExecutorAddr(s.Value), s.Size)
		for pc := uint64(0); pc < s.Size; {
			in, err := x86asm.Decode(code[pc:], 64)
			if err != nil {
				c.t.Errorf("%s+%#x: cannot decode linked code: %v", s.Name, pc, err)
				break
			}
			start := s.Value + pc
			insts[start] = in
			for k := uint64(0); k < uint64(in.Len); k++ {
				at[start+k] = start
			}
			pc += uint64(in.Len)
		}
	}
	return insts, at
}

// TestFarData links PIE and non-PIC objects whose external data is far
// out of ±2 GiB reach: PC-relative data references must go through slots
// and thunks, calls through stubs.
func TestFarData(t *testing.T) {
	for _, p := range []struct{ name, lang, src string }{{"c", "c", cProgram}, {"cxx", "c++", cxxProgram}} {
		for _, m := range []mode{{"pie-O0", []string{"-O0"}}, {"pie-O2", []string{"-O2"}}, {"pie-O3", []string{"-O3", "-ffunction-sections"}}} {
			t.Run(p.name+"/"+m.name, func(t *testing.T) {
				t.Parallel()
				obj := compile(t, p.lang, p.src, m.flags...)
				base := shared.ExecutorAddr(0x7000_0000_0000)
				g, mm, lc := linkAt(t, p.name+"-far.o", obj, base, 0x7fff_0000_0000, &tlsLayout)
				c := newChecker(t, obj, g, mm, lc)
				c.run()
				if p.lang == "c" && c.n["far-thunk"]+c.n["far-lea"] == 0 {
					t.Errorf("no far-data rewrites checked: %v", c.n)
				}
				t.Logf("checked %v", c.n)
			})
		}
	}
}

func TestLinkGCCObjects(t *testing.T) {
	type prog struct{ name, lang, src string }
	progs := []prog{{"c", "c", cProgram}, {"cxx", "c++", cxxProgram}}
	for _, p := range progs {
		for _, m := range modes {
			if p.lang == "c++" && strings.HasPrefix(m.name, "nopic") {
				continue
			}
			t.Run(p.name+"/"+m.name, func(t *testing.T) {
				t.Parallel()
				obj := compile(t, p.lang, p.src, m.flags...)
				base := shared.ExecutorAddr(0x7000_0000_0000)
				if strings.HasPrefix(m.name, "nopic") {
					base = 0x40_0000
				}
				// Externals far away (stubs and GOT entries needed) unless
				// the mode accesses external data PC-relatively (PIE's
				// copy-relocation model, non-PIC), where they must be near.
				far := shared.ExecutorAddr(0x7fff_0000_0000)
				if strings.HasPrefix(m.name, "pie") || strings.HasPrefix(m.name, "nopic") {
					far = base + 0x4000_0000
				}
				g, mm, lc := linkAt(t, p.name+"-"+m.name+".o", obj, base, far, &tlsLayout)
				c := newChecker(t, obj, g, mm, lc)
				c.run()
				total := 0
				for _, v := range c.n {
					total += v
				}
				if total < 5 {
					t.Errorf("only %d relocations checked: %v", total, c.n)
				}
				t.Logf("checked %v", c.n)
				if p.lang == "c" {
					checkCProgram(t, g, mm, lc)
				}
			})
		}
	}
}

// checkCProgram checks graph-level facts of cProgram's link.
func checkCProgram(t *testing.T, g *jitlink.LinkGraph, mm *jitlinktest.MemoryManager, lc *jitlinktest.Context) {
	for _, name := range []string{"main", "use_all", "hidden_fn", "internal_fn", "weak_def", "table", "tls_a", "common_var", "sum_items"} {
		if _, ok := lc.Resolved[name]; !ok {
			t.Errorf("symbol %s not resolved", name)
		}
	}
	if f := g.FindSymbol("internal_fn"); f == nil || f.Scope != jitlink.ScopeHidden {
		t.Errorf("internal_fn should be hidden, got %+v", f)
	}
	if f := g.FindSymbol("weak_def"); f == nil || f.Linkage != jitlink.LinkageWeak {
		t.Errorf("weak_def should be weak")
	}
	if f := g.FindSymbol("common_var"); f == nil || !f.IsCommon() {
		t.Errorf("common_var should be common (gcc -fcommon?) or at least defined: %+v", f)
	}
	if lc.Looked["weak_missing"] != jitlink.LookupWeak {
		t.Errorf("weak_missing looked up as %v", lc.Looked["weak_missing"])
	}
	if _, ok := lc.Looked["__start_my_items"]; ok {
		t.Errorf("__start_my_items should be synthesized, not looked up")
	}
	if len(g.Inits) != 2 || g.Inits[0].Priority != 101 || len(g.Finis) != 1 {
		t.Errorf("inits %v finis %v", g.Inits, g.Finis)
	}
	if g.TLS == nil || g.TLS.Size < 16 || g.TLS.InitSize < 8 {
		t.Errorf("TLS template %+v", g.TLS)
	}
	if r := g.EHFrameRange(); r.Size() == 0 {
		t.Errorf("no .eh_frame")
	}
}

func toAddrs(m map[string]uint64) map[string]shared.ExecutorAddr {
	r := make(map[string]shared.ExecutorAddr, len(m))
	for k, v := range m {
		r[k] = shared.ExecutorAddr(v)
	}
	return r
}

// relocKinds is the expected reloc type -> edge kind mapping (independent
// of the reader's table).
var relocKinds = map[elf.R_X86_64]jitlink.EdgeKind{
	elf.R_X86_64_64:            amd64.Pointer64,
	elf.R_X86_64_PC32:          amd64.Delta32,
	elf.R_X86_64_PLT32:         amd64.BranchPCRel32,
	elf.R_X86_64_32:            amd64.Pointer32,
	elf.R_X86_64_32S:           amd64.Pointer32Signed,
	elf.R_X86_64_GOTPCREL:      amd64.RequestGOTAndTransformToDelta32,
	elf.R_X86_64_GOTPCRELX:     amd64.RequestGOTAndTransformToPCRel32GOTLoadRelaxable,
	elf.R_X86_64_REX_GOTPCRELX: amd64.RequestGOTAndTransformToPCRel32GOTLoadREXRelaxable,
	elf.R_X86_64_GOTOFF64:      amd64.Delta64FromGOT,
	elf.R_X86_64_PLTOFF64:      amd64.Delta64FromGOT,
	elf.R_X86_64_GOT64:         amd64.RequestGOTAndTransformToDelta64FromGOT,
	elf.R_X86_64_GOTPC64:       amd64.Delta64,
	elf.R_X86_64_PC64:          amd64.Delta64,
	elf.R_X86_64_TPOFF32:       amd64.TPOff32,
	elf.R_X86_64_GOTTPOFF:      amd64.RequestTLSIEGOT,
	elf.R_X86_64_TLSGD:         amd64.RequestTLSGD,
	elf.R_X86_64_TLSLD:         amd64.RequestTLSLD,
	elf.R_X86_64_DTPOFF32:      amd64.DTPOff32,
	elf.R_X86_64_DTPOFF64:      amd64.DTPOff64,
}

// TestGraphEdgesMatchRelocations checks, for every mode, that the parsed
// graph has one edge of the expected kind per relocation of each loaded
// section (counted with debug/elf), plus the reader's own EH-frame edges.
func TestGraphEdgesMatchRelocations(t *testing.T) {
	for _, p := range []struct{ name, lang, src string }{{"c", "c", cProgram}, {"cxx", "c++", cxxProgram}} {
		for _, m := range modes {
			if p.lang == "c++" && strings.HasPrefix(m.name, "nopic") {
				continue
			}
			t.Run(p.name+"/"+m.name, func(t *testing.T) {
				obj := compile(t, p.lang, p.src, m.flags...)
				ef, err := elf.NewFile(bytes.NewReader(obj))
				if err != nil {
					t.Fatal(err)
				}
				want := map[jitlink.EdgeKind]int{}
				for _, sec := range ef.Sections {
					if sec.Type != elf.SHT_RELA || ef.Sections[sec.Info].Flags&elf.SHF_ALLOC == 0 {
						continue
					}
					data, _ := sec.Data()
					for off := 0; off+24 <= len(data); off += 24 {
						typ := elf.R_X86_64(binary.LittleEndian.Uint32(data[off+8:]))
						k, ok := relocKinds[typ]
						if !ok {
							t.Fatalf("relocation %v not in the test's table", typ)
						}
						want[k]++
					}
				}
				g, err := jelf.Parse("t.o", obj)
				if err != nil {
					t.Fatal(err)
				}
				got := map[jitlink.EdgeKind]int{}
				for _, sec := range g.Sections {
					for _, b := range sec.Blocks {
						for _, e := range b.Edges {
							if e.Kind == jitlink.KindKeepAlive || e.Kind == amd64.NegDelta32 {
								continue // the reader's EH-frame structure edges
							}
							got[e.Kind]++
						}
					}
				}
				for k, n := range want {
					if got[k] != n {
						t.Errorf("%s: %d edges, want %d", amd64.KindName(k), got[k], n)
					}
				}
				for k, n := range got {
					if want[k] == 0 {
						t.Errorf("%s: %d unexpected edges", amd64.KindName(k), n)
					}
				}
			})
		}
	}
}
