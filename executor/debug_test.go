//go:build cgo

package executor

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"

	"gorc/shared"
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

func TestPerfMapService(t *testing.T) {
	fn := BootstrapSymbols()[PerfMapName]
	if fn == 0 {
		t.Fatalf("bootstrap symbols lack %s", PerfMapName)
	}
	path := fmt.Sprintf("/tmp/perf-%d.map", os.Getpid())
	before, _ := os.ReadFile(path)
	t.Cleanup(func() {
		if len(before) == 0 {
			os.Remove(path)
		}
	})
	arg := perfArgs(uint64(0x7f0000001000), uint64(0x40), "hot_loop", uint64(0x7f0000001040), uint64(0x12), "a_much_longer_name_than_eight\nbytes")
	if _, err := CallWrapper(fn, arg); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "7f0000001000 40 hot_loop\n7f0000001040 12 a_much_longer_name_than_eight bytes\n"
	if !strings.HasSuffix(string(got), want) {
		t.Fatalf("%s ends with %q, want %q", path, got[len(before):], want)
	}
	for _, tc := range []struct {
		name string
		arg  []byte
		want string
	}{
		{"empty", nil, "want a u64 count"},
		{"count too large", args64(1000), "cannot fit"},
		{"truncated name", append(args64(1, 0x1000, 4, 100), "abcdefgh"...), "exceeds the argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CallWrapper(fn, tc.arg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
