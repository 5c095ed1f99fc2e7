//go:build cgo

package executor

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

// asm is a tiny x86-64 machine-code builder for tests.
type asm struct{ b []byte }

func (a *asm) raw(b ...byte) *asm { a.b = append(a.b, b...); return a }
func (a *asm) imm32(v uint32) *asm {
	a.b = binary.LittleEndian.AppendUint32(a.b, v)
	return a
}
func (a *asm) imm64(v uint64) *asm {
	a.b = binary.LittleEndian.AppendUint64(a.b, v)
	return a
}
func (a *asm) movRDI(v uint64) *asm { return a.raw(0x48, 0xbf).imm64(v) }
func (a *asm) movRAX(v uint64) *asm { return a.raw(0x48, 0xb8).imm64(v) }
func (a *asm) callRAX() *asm        { return a.raw(0xff, 0xd0) }
func (a *asm) pushRBX() *asm        { return a.raw(0x53) }
func (a *asm) popRBX() *asm         { return a.raw(0x5b) }
func (a *asm) movEAX(v uint32) *asm { return a.raw(0xb8).imm32(v) }
func (a *asm) ret() []byte          { return append(a.raw(0xc3).b[:0:0], a.b...) }

// callC1 is: push rbx; rdi = arg; call fn; pop rbx (keeps rsp 16-aligned).
func (a *asm) callC1(fn, arg uint64) *asm {
	return a.pushRBX().movRDI(arg).movRAX(fn).callRAX().popRBX()
}

// loadCode reserves memory, writes code and data, and makes the code
// read-execute and the data read-only. It returns the code and data
// addresses.
func loadCode(t testing.TB, code, data []byte) (shared.ExecutorAddr, shared.ExecutorAddr) {
	t.Helper()
	ps := PageSize()
	r, err := Reserve(4*ps, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Release(r) })
	codeR := shared.ExecutorAddrRange{Start: r.Start, End: r.Start.Add(ps)}
	dataR := shared.ExecutorAddrRange{Start: r.Start.Add(2 * ps), End: r.Start.Add(3 * ps)}
	for _, x := range []shared.ExecutorAddrRange{codeR, dataR} {
		if err := Protect(x, shared.ProtRead|shared.ProtWrite); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(codeR.Start, code); err != nil {
		t.Fatal(err)
	}
	if err := Write(dataR.Start, data); err != nil {
		t.Fatal(err)
	}
	if err := Protect(codeR, shared.ProtRead|shared.ProtExec); err != nil {
		t.Fatal(err)
	}
	if err := Protect(dataR, shared.ProtRead); err != nil {
		t.Fatal(err)
	}
	return codeR.Start, dataR.Start
}

// mapsProt returns the permission string of the /proc/self/maps line
// containing addr.
func mapsProt(t testing.TB, addr shared.ExecutorAddr) string {
	t.Helper()
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var lo, hi uint64
		var perm string
		if _, err := fmt.Sscanf(sc.Text(), "%x-%x %s", &lo, &hi, &perm); err != nil {
			continue
		}
		if uint64(addr) >= lo && uint64(addr) < hi {
			return perm
		}
	}
	t.Fatalf("address %v not in /proc/self/maps", addr)
	return ""
}

func TestRunAsMain(t *testing.T) {
	tests := []struct {
		name string
		code []byte
		args []string
		want int
	}{
		{"return 42", new(asm).movEAX(42).ret(), []string{"prog"}, 42},
		{"return argc", new(asm).raw(0x89, 0xf8).ret(), []string{"prog", "a", "b"}, 3}, // mov eax, edi
		{"return argv[1][0]", new(asm).raw(0x48, 0x8b, 0x46, 0x08, 0x0f, 0xb6, 0x00).ret(), []string{"prog", "Z"}, 'Z'},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fn, _ := loadCode(t, tc.code, nil)
			got, err := RunAsMain(fn, tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("main returned %d, want %d", got, tc.want)
			}
		})
	}
}

func TestWXorX(t *testing.T) {
	fn, data := loadCode(t, new(asm).movEAX(1).ret(), []byte("hello"))
	if p := mapsProt(t, fn); p[:3] != "r-x" {
		t.Errorf("code mapped %s, want r-x", p)
	}
	if p := mapsProt(t, data); p[:3] != "r--" {
		t.Errorf("data mapped %s, want r--", p)
	}
	r := shared.ExecutorAddrRange{Start: fn, End: fn.Add(PageSize())}
	if err := Protect(r, shared.ProtRead|shared.ProtWrite|shared.ProtExec); err == nil {
		t.Fatal("RWX protection accepted")
	}
	if p := mapsProt(t, fn); p[:3] != "r-x" {
		t.Errorf("after refused RWX, code mapped %s", p)
	}
}

func TestMemoryErrors(t *testing.T) {
	r, err := Reserve(PageSize(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer Release(r)
	outside := r.End.Add(PageSize() * 1000)
	cases := []struct {
		name string
		err  error
	}{
		{"write outside", Write(outside, []byte{1})},
		{"write straddling", Write(r.End-1, []byte{1, 2})},
		{"protect outside", Protect(shared.ExecutorAddrRange{Start: outside, End: outside.Add(PageSize())}, shared.ProtRead)},
		{"protect unaligned", Protect(shared.ExecutorAddrRange{Start: r.Start + 1, End: r.End}, shared.ProtRead)},
		{"decommit outside", Decommit(shared.ExecutorAddrRange{Start: outside, End: outside.Add(PageSize())})},
		{"release unknown", Release(shared.ExecutorAddrRange{Start: outside, End: outside.Add(PageSize())})},
		{"reserve zero", func() error { _, err := Reserve(0, false); return err }()},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	if _, err := Read(outside, 4); !errors.Is(err, ErrNotReserved) {
		t.Errorf("read outside: %v, want ErrNotReserved", err)
	}
	// Inside the reservation but not accessible: refused, not a crash.
	if _, err := Read(r.Start, 4); !errors.Is(err, ErrAccess) {
		t.Errorf("read of PROT_NONE memory: %v, want ErrAccess", err)
	}
	if err := Write(r.Start, []byte{1}); !errors.Is(err, ErrAccess) {
		t.Errorf("write of PROT_NONE memory: %v, want ErrAccess", err)
	}
	Protect(r, shared.ProtRead|shared.ProtExec)
	if err := Write(r.Start, []byte{1}); !errors.Is(err, ErrAccess) {
		t.Errorf("write of r-x memory: %v, want ErrAccess", err)
	}
	if _, err := Memory(r.Start, 8); !errors.Is(err, ErrAccess) {
		t.Errorf("writable view of r-x memory: %v, want ErrAccess", err)
	}
	if _, err := Read(r.Start, 4); err != nil {
		t.Errorf("read of r-x memory: %v", err)
	}
}

func TestDecommitZeroes(t *testing.T) {
	r, err := Reserve(PageSize(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer Release(r)
	if err := Protect(r, shared.ProtRead|shared.ProtWrite); err != nil {
		t.Fatal(err)
	}
	if err := Write(r.Start, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := Decommit(r); err != nil {
		t.Fatal(err)
	}
	if p := mapsProt(t, r.Start); p[:3] != "---" {
		t.Errorf("decommitted memory mapped %s", p)
	}
	if err := Protect(r, shared.ProtRead); err != nil {
		t.Fatal(err)
	}
	b, err := Read(r.Start, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, []byte{0, 0, 0}) {
		t.Fatalf("after decommit read %v, want zeros", b)
	}
}

func TestReserveLow(t *testing.T) {
	r, err := Reserve(64<<20, true)
	if err != nil {
		t.Fatal(err)
	}
	defer Release(r)
	if uint64(r.End) > 1<<31 {
		t.Fatalf("low reservation %v is not below 2 GiB", r)
	}
}

func TestCallWrapper(t *testing.T) {
	syms := BootstrapSymbols()
	echo := syms[EchoName]
	for _, arg := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("ab"), 5000)} {
		got, err := CallWrapper(echo, arg)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, arg) {
			t.Fatalf("echo of %d bytes returned %d bytes", len(arg), len(got))
		}
	}
	_, err := CallWrapper(syms[EHFrameRegisterName], []byte{1, 2, 3})
	var we *WrapperError
	if !errors.As(err, &we) || !strings.Contains(we.Msg, "16 argument bytes") {
		t.Fatalf("bad EH-frame argument: got %v", err)
	}
}

func TestBootstrapAndLookup(t *testing.T) {
	syms := BootstrapSymbols()
	for _, n := range append([]string{EHFrameRegisterName, EHFrameDeregisterName, RunInitializersName, TLSSetImageName, EchoName, "__tls_get_addr"}, RuntimeHelperNames...) {
		if syms[n] == 0 {
			t.Errorf("bootstrap symbol %s missing", n)
		}
	}
	for _, n := range RuntimeHelperNames {
		if got := LookupSymbol(0, n); got != syms[n] {
			t.Errorf("LookupSymbol(%s) = %v, want bootstrap %v", n, got, syms[n])
		}
	}
	for _, n := range []string{"printf", "__cxa_atexit", "__udivti3", "__popcountdi2"} {
		if LookupSymbol(0, n) == 0 {
			t.Errorf("process lookup of %s failed", n)
		}
	}
	if LookupSymbol(0x12345678, "printf") != 0 || Dlclose(0x12345678) == nil {
		t.Error("a bogus library handle was used")
	}
	if LookupSymbol(0, "no_such_symbol_gorc") != 0 {
		t.Error("lookup of a missing symbol returned an address")
	}
}

func TestLoadLibrary(t *testing.T) {
	cases := []struct {
		name, sym string
	}{
		{"-lm", "cos"}, // Debian's libm.so is a linker script
		{"-lpthread", "pthread_create"},
		{"libz.so.1", "crc32"},
		{"-lgcc_s", "__register_frame"}, // no libgcc_s.so in the default dirs: falls back to libgcc_s.so.1
	}
	for _, c := range cases {
		h, path, err := LoadLibrary(c.name, nil)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if Dlsym(h, c.sym) == 0 {
			t.Errorf("%s (%s): %s not found", c.name, path, c.sym)
		}
	}
	if _, _, err := LoadLibrary("-lno_such_library_gorc", []string{t.TempDir()}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing library: %v", err)
	}
	dir := t.TempDir()
	os.WriteFile(dir+"/libbad.so", []byte("garbage"), 0o644)
	if _, _, err := LoadLibrary("-lbad", []string{dir}); err == nil {
		t.Error("garbage library loaded")
	}
	os.WriteFile(dir+"/libscript.so", []byte("/* GNU ld script */\nGROUP ( libm.so.6 AS_NEEDED ( /nonexistent.a ) )\n"), 0o644)
	os.Symlink("/lib/x86_64-linux-gnu/libm.so.6", dir+"/libm.so.6")
	if h, _, err := LoadLibrary("-lscript", []string{dir}); err != nil || Dlsym(h, "sin") == 0 {
		t.Errorf("linker script with relative path: %v", err)
	}
	// Files a script names are dlopened first; one that is not a shared
	// object is read as a script of its own, or reported.
	os.WriteFile(dir+"/libouter.so", []byte("INPUT(libinner.so)\n"), 0o644)
	os.WriteFile(dir+"/libinner.so", []byte("GROUP(libm.so.6)\n"), 0o644)
	if h, _, err := LoadLibrary("-louter", []string{dir}); err != nil || Dlsym(h, "sin") == 0 {
		t.Errorf("nested linker script: %v", err)
	}
	for _, tc := range []struct{ script, want string }{
		{"GROUP(libgarbage.so.1)", "libgarbage.so.1: neither an ELF shared object nor a linker script"},
		{"GROUP(libmissing.so.1)", "libmissing.so.1: no such file"},
		{"GROUP(libbig.so.1)", "libbig.so.1: not an ELF file and too large"},
		{"GROUP(libtrunc.so.1)", "libtrunc.so.1"},
	} {
		os.WriteFile(dir+"/libgarbage.so.1", []byte("garbage"), 0o644)
		os.WriteFile(dir+"/libbig.so.1", bytes.Repeat([]byte("/**/"), 1<<18+1), 0o644)
		os.WriteFile(dir+"/libtrunc.so.1", []byte("\x7fELF\x02\x01"), 0o644)
		os.WriteFile(dir+"/libs.so", []byte(tc.script), 0o644)
		_, _, err := LoadLibrary("-ls", []string{dir})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("script %s: %v, want an error with %q", tc.script, err, tc.want)
		}
	}
}

func TestLinkerScriptInputs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"/* x */ GROUP ( /lib/libc.so.6 /usr/lib/libc_nonshared.a  AS_NEEDED ( /lib64/ld.so.2 ) )", []string{"/lib/libc.so.6", "/usr/lib/libc_nonshared.a", "/lib64/ld.so.2"}},
		{"OUTPUT_FORMAT(elf64-x86-64)\nINPUT(a.so, b.so)", []string{"a.so", "b.so"}},
		{"GROUP ( unterminated", []string{"unterminated"}},
		{"nothing here", nil},
	}
	for _, tc := range tests {
		got := linkerScriptInputs(tc.in)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("linkerScriptInputs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestDebianLinkerScripts reads the real GNU ld scripts Debian ships as
// libm.so and libc.so (copied into testdata).
func TestDebianLinkerScripts(t *testing.T) {
	for file, want := range map[string]string{
		"testdata/libm.so.script": "/lib/x86_64-linux-gnu/libm.so.6",
		"testdata/libc.so.script": "/lib/x86_64-linux-gnu/libc.so.6",
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got := linkerScriptInputs(string(b))
		if len(got) == 0 || got[0] != want {
			t.Errorf("%s: inputs %q, want first %q", file, got, want)
		}
	}
}

func TestReserveShared(t *testing.T) {
	ps := PageSize()
	r, err := ReserveShared(4*ps, false)
	if err != nil {
		t.Fatal(err)
	}
	defer Release(r)
	path, err := SharedMemoryPath(r)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	view, err := syscall.Mmap(int(f.Fd()), 0, int(r.Size()), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(view)
	copy(view[ps:], "shared!")
	page := shared.ExecutorAddrRange{Start: r.Start.Add(ps), End: r.Start.Add(2 * ps)}
	if err := Protect(page, shared.ProtRead); err != nil {
		t.Fatal(err)
	}
	got, err := Read(page.Start, 7)
	if err != nil || string(got) != "shared!" {
		t.Fatalf("executor view reads %q, %v", got, err)
	}
	if err := Decommit(page); err != nil {
		t.Fatal(err)
	}
	if view[ps] != 0 || mapsProt(t, page.Start)[:3] != "---" {
		t.Fatalf("after decommit: controller view %q, executor view %s", view[ps:ps+7], mapsProt(t, page.Start))
	}
	if _, err := SharedMemoryPath(shared.ExecutorAddrRange{Start: r.Start, End: r.End - 1}); err == nil {
		t.Error("path of a non-reservation returned")
	}
}

// TestEHFrameRegistry registers many eh-frame sections (enough to grow the
// executor's set of registered addresses several times), checks that
// duplicates and unknown addresses are refused, and that an address can
// be registered again once deregistered.
func TestEHFrameRegistry(t *testing.T) {
	syms := BootstrapSymbols()
	reg, dereg := syms[EHFrameRegisterName], syms[EHFrameDeregisterName]
	ps := PageSize()
	r, err := Reserve(ps, false)
	if err != nil {
		t.Fatal(err)
	}
	defer Release(r)
	if err := Protect(r, shared.ProtRead|shared.ProtWrite); err != nil {
		t.Fatal(err)
	}
	// Fresh pages are zero: every 8-byte slot is an empty eh-frame
	// section (just the 4-byte zero terminator).
	arg := func(a shared.ExecutorAddr) []byte {
		b := make([]byte, 16)
		binary.LittleEndian.PutUint64(b, uint64(a))
		binary.LittleEndian.PutUint64(b[8:], 8)
		return b
	}
	n := int(ps / 8)
	call := func(fn shared.ExecutorAddr, i int) error {
		_, err := CallWrapper(fn, arg(r.Start.Add(uint64(8*i))))
		return err
	}
	for i := 0; i < n; i++ {
		if err := call(reg, i); err != nil {
			t.Fatalf("register #%d: %v", i, err)
		}
	}
	for _, tc := range []struct {
		name string
		fn   shared.ExecutorAddr
		i    int
		want string
	}{
		{"register twice", reg, 7, "already registered"},
		{"deregister", dereg, 7, ""},
		{"deregister twice", dereg, 7, "was not registered"},
		{"register again", reg, 7, ""},
		{"register twice again", reg, 7, "already registered"},
		{"deregister another", dereg, n - 1, ""},
	} {
		err := call(tc.fn, tc.i)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	for i := 0; i < n-1; i++ {
		if err := call(dereg, i); err != nil {
			t.Fatalf("deregister #%d: %v", i, err)
		}
	}
	if err := call(dereg, 0); err == nil || !strings.Contains(err.Error(), "was not registered") {
		t.Fatalf("deregister after all: got %v", err)
	}
}

// TestStoreUint64: a word stored into writable memory and into a
// dual-mapped read-only block (through its read-write view) reads back;
// unaligned, unreserved and read-only addresses are refused, with
// nothing stored.
func TestStoreUint64(t *testing.T) {
	ps := PageSize()
	r, err := Reserve(3*ps, false)
	if err != nil {
		t.Fatal(err)
	}
	defer Release(r)
	rw := shared.ExecutorAddrRange{Start: r.Start, End: r.Start.Add(ps)}
	ro := shared.ExecutorAddrRange{Start: rw.End, End: rw.End.Add(ps)}
	dual := shared.ExecutorAddrRange{Start: ro.End, End: r.End}
	if err := Protect(rw, shared.ProtRead|shared.ProtWrite); err != nil {
		t.Fatal(err)
	}
	if err := Protect(ro, shared.ProtRead); err != nil {
		t.Fatal(err)
	}
	if _, err := MapDual(dual, shared.ProtRead); err != nil {
		t.Fatal(err)
	}
	const v = 0x1122334455667788
	for _, c := range []struct {
		name string
		addr shared.ExecutorAddr
		err  error // nil: stored
	}{
		{"writable", rw.Start.Add(16), nil},
		{"dual-mapped", dual.Start.Add(ps - 8), nil},
		{"read-only", ro.Start, ErrAccess},
		{"unreserved", r.End.Add(1000 * ps), ErrNotReserved},
		{"unaligned", rw.Start.Add(4), nil},
	} {
		err := StoreUint64(c.addr, v)
		if c.name == "unaligned" {
			if err == nil || !strings.Contains(err.Error(), "aligned") {
				t.Errorf("%s: %v, want an alignment error", c.name, err)
			}
			continue
		}
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: %v, want %v", c.name, err, c.err)
			}
			if b, err := Read(c.addr, 8); err == nil && binary.LittleEndian.Uint64(b) != 0 {
				t.Errorf("%s: stored %#x despite the error", c.name, binary.LittleEndian.Uint64(b))
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		b, err := Read(c.addr, 8)
		if err != nil {
			t.Fatal(err)
		}
		if got := binary.LittleEndian.Uint64(b); got != v {
			t.Errorf("%s: read back %#x, want %#x", c.name, got, uint64(v))
		}
	}
	if b, _ := Read(rw.Start.Add(4), 8); binary.LittleEndian.Uint64(b) != 0 {
		t.Errorf("unaligned store wrote %x", b)
	}
}
