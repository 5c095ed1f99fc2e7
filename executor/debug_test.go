//go:build cgo

package executor

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

func args64(vals ...uint64) []byte {
	var b []byte
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

// elfImage reserves a page holding a minimal ELF header.
func elfImage(t *testing.T) shared.ExecutorAddrRange {
	t.Helper()
	ps := PageSize()
	r, err := Reserve(ps, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Release(r) })
	if err := Protect(r, shared.ProtRead|shared.ProtWrite); err != nil {
		t.Fatal(err)
	}
	img := make([]byte, 64)
	copy(img, "\x7fELF\x02\x01\x01")
	if err := Write(r.Start, img); err != nil {
		t.Fatal(err)
	}
	return r
}

func hasEntry(r shared.ExecutorAddrRange) bool {
	for _, e := range GDBEntries() {
		if e == r {
			return true
		}
	}
	return false
}

func TestGDBRegisterDeregister(t *testing.T) {
	syms := BootstrapSymbols()
	reg, dereg := syms[GDBRegisterName], syms[GDBDeregisterName]
	if reg == 0 || dereg == 0 {
		t.Fatalf("bootstrap symbols lack %s or %s", GDBRegisterName, GDBDeregisterName)
	}
	r := elfImage(t)
	img := shared.ExecutorAddrRange{Start: r.Start, End: r.Start.Add(64)}
	if _, err := CallWrapper(reg, args64(uint64(img.Start), 64)); err != nil {
		t.Fatal(err)
	}
	if !hasEntry(img) {
		t.Fatalf("after register, entries %v lack %v", GDBEntries(), img)
	}
	if _, err := CallWrapper(reg, args64(uint64(img.Start), 64)); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Errorf("registering twice: got %v, want an 'already registered' error", err)
	}
	if _, err := CallWrapper(dereg, args64(uint64(img.Start), 64)); err != nil {
		t.Fatal(err)
	}
	if hasEntry(img) {
		t.Fatalf("after deregister, entries %v still hold %v", GDBEntries(), img)
	}
	if _, err := CallWrapper(dereg, args64(uint64(img.Start), 64)); err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Errorf("deregistering twice: got %v, want a 'not registered' error", err)
	}
}

func TestGDBRegisterBadArguments(t *testing.T) {
	reg := BootstrapSymbols()[GDBRegisterName]
	r := elfImage(t)
	notELF := r.Start.Add(128) // zeros
	for _, tc := range []struct {
		name string
		arg  []byte
		want string
	}{
		{"short", args64(uint64(r.Start)), "want 16 argument bytes"},
		{"null", args64(0, 64), "bad range"},
		{"tiny", args64(uint64(r.Start), 10), "bad range"},
		{"not ELF", args64(uint64(notELF), 64), "does not hold an ELF image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CallWrapper(reg, tc.arg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// Memory released (or decommitted) without the deallocation action must
// not stay on the debugger's list: gdb would read freed memory.
func TestGDBReleaseForgetsDebugObjects(t *testing.T) {
	reg := BootstrapSymbols()[GDBRegisterName]
	for _, op := range []string{"release", "decommit"} {
		t.Run(op, func(t *testing.T) {
			r := elfImage(t)
			img := shared.ExecutorAddrRange{Start: r.Start, End: r.Start.Add(64)}
			if _, err := CallWrapper(reg, args64(uint64(img.Start), 64)); err != nil {
				t.Fatal(err)
			}
			var err error
			if op == "release" {
				err = Release(r)
			} else {
				err = Decommit(r)
			}
			if err != nil {
				t.Fatal(err)
			}
			if hasEntry(img) {
				t.Fatalf("after %s, entries %v still hold %v", op, GDBEntries(), img)
			}
		})
	}
}

func perfArgs(entries ...any) []byte {
	b := args64(uint64(len(entries) / 3))
	for i := 0; i+2 < len(entries); i += 3 {
		name := entries[i+2].(string)
		b = append(b, args64(entries[i].(uint64), entries[i+1].(uint64), uint64(len(name)))...)
		b = append(b, name...)
		for len(b)%8 != 0 {
			b = append(b, 0)
		}
	}
	return b
}

// perfMapTested: the executor opens (and truncates) the perf map and the
// jitdump file once per process, so TestPerfMapService can check them only
// on its first run in a process (go test -count=N runs it N times).
var perfMapTested bool

func TestPerfMapService(t *testing.T) {
	if perfMapTested {
		t.Skip("the perf map and jitdump file are opened once per process: checked by this test's first run")
	}
	perfMapTested = true
	fn := BootstrapSymbols()[PerfMapName]
	if fn == 0 {
		t.Fatalf("bootstrap symbols lack %s", PerfMapName)
	}
	jdDir := t.TempDir()
	t.Setenv("JITDUMPDIR", jdDir)
	path := fmt.Sprintf("/tmp/perf-%d.map", os.Getpid())
	t.Cleanup(func() { os.Remove(path) })
	// A map left by an earlier process with this PID must not name our
	// code (this test is the package's only writer of the map).
	if err := os.WriteFile(path, []byte("1000 10 stale_function\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Two "functions" in readable memory: the jitdump copies their code.
	code := elfImage(t).Start
	arg := perfArgs(uint64(code), uint64(0x40), "hot_loop", uint64(code+0x40), uint64(0x12), "a_much_longer_name_than_eight\nbytes")
	if _, err := CallWrapper(fn, arg); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%x 40 hot_loop\n%x 12 a_much_longer_name_than_eight bytes\n", uint64(code), uint64(code+0x40))
	if string(got) != want {
		t.Fatalf("%s is %q, want %q", path, got, want)
	}
	dumps, _ := filepath.Glob(filepath.Join(jdDir, ".debug", "jit", "gorc-jit-*", fmt.Sprintf("jit-%d.dump", os.Getpid())))
	if len(dumps) != 1 {
		t.Fatalf("want one jitdump file under %s, found %v", jdDir, dumps)
	}
	checkJitdump(t, dumps[0], code)
	for _, tc := range []struct {
		name string
		arg  []byte
		want string
	}{
		{"empty", nil, "want a u64 count"},
		{"count too large", args64(1000), "cannot fit"},
		{"truncated name", append(args64(1, 0x1000, 4, 100), "abcdefgh"...), "exceeds the argument"},
		{"unreadable code", perfArgs(uint64(8), uint64(16), "nowhere"), "code at 0x8+0x10: Bad address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CallWrapper(fn, tc.arg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// checkJitdump checks the jitdump header and the JIT_CODE_LOAD records
// of the two functions TestPerfMapService registered at code.
func checkJitdump(t *testing.T, path string, code shared.ExecutorAddr) {
	t.Helper()
	d, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	if len(d) < 40 || le.Uint32(d) != 0x4A695444 || le.Uint32(d[4:]) != 1 || le.Uint32(d[8:]) != 40 || le.Uint32(d[12:]) != 62 || int(le.Uint32(d[20:])) != os.Getpid() {
		t.Fatalf("%s: bad jitdump header % x", path, d[:min(len(d), 40)])
	}
	mem, err := Read(code, 0x52)
	if err != nil {
		t.Fatal(err)
	}
	type rec struct {
		name       string
		addr, size uint64
		index      uint64
		code       []byte
	}
	var recs []rec
	for off := 40; off+56 <= len(d); {
		total := int(le.Uint32(d[off+4:]))
		if le.Uint32(d[off:]) != 0 || total < 56 || off+total > len(d) {
			t.Fatalf("%s: bad record at %d: % x", path, off, d[off:min(len(d), off+56)])
		}
		r := d[off : off+total]
		size := le.Uint64(r[40:])
		nameEnd := 56 + strings.IndexByte(string(r[56:]), 0)
		recs = append(recs, rec{name: string(r[56:nameEnd]), addr: le.Uint64(r[32:]), size: size, index: le.Uint64(r[48:]), code: r[nameEnd+1:]})
		off += total
	}
	want := []rec{
		{"hot_loop", uint64(code), 0x40, 0, mem[:0x40]},
		{"a_much_longer_name_than_eight bytes", uint64(code + 0x40), 0x12, 1, mem[0x40:0x52]},
	}
	if len(recs) != len(want) {
		t.Fatalf("%s: %d records, want %d", path, len(recs), len(want))
	}
	for i, w := range want {
		r := recs[i]
		if r.name != w.name || r.addr != w.addr || r.size != w.size || r.index != w.index || string(r.code) != string(w.code) {
			t.Errorf("record %d: %q at %#x+%#x index %d code % x, want %q at %#x+%#x index %d code % x", i, r.name, r.addr, r.size, r.index, r.code, w.name, w.addr, w.size, w.index, w.code)
		}
	}
}
