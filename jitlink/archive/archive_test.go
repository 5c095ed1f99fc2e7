package archive_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink/archive"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"

	_ "github.com/gorc-jit/gorc/target" // registers the architectures with the ELF reader
)

func TestSmallArchive(t *testing.T) {
	data, err := os.ReadFile("testdata/small.a")
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.Parse("small.a", data)
	if err != nil {
		t.Fatal(err)
	}
	if !a.HasIndex || len(a.Members) != 2 {
		t.Fatalf("index %v, members %d", a.HasIndex, len(a.Members))
	}
	if a.Members[0].Name != "a_member_with_a_long_name.o" || a.Members[1].Name != "b.o" {
		t.Errorf("member names %q %q", a.Members[0].Name, a.Members[1].Name)
	}
	for sym, want := range map[string]string{"f": "a_member_with_a_long_name.o", "counter": "a_member_with_a_long_name.o", "_Z1gi": "b.o"} {
		m, ok := a.MemberDefining(sym)
		if !ok || m.Name != want {
			t.Errorf("%s: defined by %v, want %s", sym, m, want)
			continue
		}
		if _, err := jelf.Parse(m.Name, m.Data); err != nil {
			t.Errorf("member %s does not parse: %v", m.Name, err)
		}
	}
	if _, ok := a.MemberDefining("printf"); ok {
		t.Errorf("printf is only referenced, not defined")
	}
}

// TestArCrossCheck builds archives with GNU ar (with and without a symbol
// index) and checks our index against the members' own symbol tables.
func TestArCrossCheck(t *testing.T) {
	ar, err := exec.LookPath("ar")
	if err != nil {
		t.Fatalf("ar not found (binutils): %v", err)
	}
	dir := t.TempDir()
	objs := []string{"../elf/testdata/small-pie.o", "../elf/testdata/small-cxx.o", "../elf/testdata/small-large.o"}
	var names []string
	for i, o := range objs {
		b, err := os.ReadFile(o)
		if err != nil {
			t.Fatal(err)
		}
		n := filepath.Join(dir, strings.Repeat("x", 5*i+1)+".o")
		if err := os.WriteFile(n, b, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	for _, flags := range []string{"rcs", "rcS"} {
		out := filepath.Join(dir, flags+".a")
		if b, err := exec.Command(ar, append([]string{flags, out}, names...)...).CombinedOutput(); err != nil {
			t.Fatalf("ar: %v %s", err, b)
		}
		data, _ := os.ReadFile(out)
		a, err := archive.Parse(out, data)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Members) != 3 {
			t.Fatalf("%s: %d members", flags, len(a.Members))
		}
		if !a.HasIndex {
			for i, m := range a.Members {
				syms, err := jelf.DefinedSymbols(m.Name, m.Data)
				if err != nil {
					t.Fatal(err)
				}
				a.AddIndex(i, syms)
			}
		}
		// Every defined global symbol of a member maps to the first member
		// defining it.
		first := map[string]int{}
		for i, m := range a.Members {
			syms, err := jelf.DefinedSymbols(m.Name, m.Data)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range syms {
				if _, ok := first[s]; !ok {
					first[s] = i
				}
			}
		}
		for s, i := range first {
			if got, ok := a.Symbols[s]; !ok || got != i {
				t.Errorf("%s: symbol %s -> member %d, want %d", flags, s, got, i)
			}
		}
	}
}

func TestDebianStaticLibraries(t *testing.T) {
	for _, lib := range []struct{ path, sym string }{
		{"/usr/lib/x86_64-linux-gnu/libsqlite3.a", "sqlite3_open"},
		{"/usr/lib/x86_64-linux-gnu/libz.a", "crc32"},
		{"/usr/lib/x86_64-linux-gnu/liblua5.4.a", "luaL_newstate"},
	} {
		data, err := os.ReadFile(lib.path)
		if err != nil {
			t.Fatalf("%v (run scripts/deps.sh)", err)
		}
		a, err := archive.Parse(lib.path, data)
		if err != nil {
			t.Fatal(err)
		}
		m, ok := a.MemberDefining(lib.sym)
		if !ok {
			t.Fatalf("%s: %s not in index", lib.path, lib.sym)
		}
		g, err := jelf.Parse(lib.path+"("+m.Name+")", m.Data)
		if err != nil {
			t.Fatal(err)
		}
		if g.FindSymbol(lib.sym) == nil {
			t.Errorf("%s(%s) does not define %s", lib.path, m.Name, lib.sym)
		}
	}
}

func TestMalformedArchives(t *testing.T) {
	good, _ := os.ReadFile("testdata/small.a")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "bad magic"},
		{"thin", []byte("!<thin>\n"), "thin archives"},
		{"truncated header", append([]byte(archive.Magic), "abc"...), "truncated member header"},
		{"bad size", append([]byte(archive.Magic), []byte("x.o/            0           0     0     644     12x4      `\n")...), "bad member size"},
		{"size past end", append([]byte(archive.Magic), []byte("x.o/            0           0     0     644     9999      `\n")...), "past the end"},
		{"bad terminator", append([]byte(archive.Magic), []byte("x.o/            0           0     0     644     0         ``")...), "terminator"},
		{"long name out of range", append([]byte(archive.Magic), []byte("/999            0           0     0     644     0         `\n")...), "long name"},
		{"index points nowhere", append([]byte(archive.Magic), []byte("/               0           0     0     0       10        `\n\x00\x00\x00\x01\x00\x00\x00\x99a\x00")...), "not a member"},
		{"index count too large", append([]byte(archive.Magic), []byte("/               0           0     0     0       4         `\n\xff\xff\xff\xff")...), "do not fit"},
	}
	for _, tc := range tests {
		_, err := archive.Parse("t.a", tc.data)
		var fe *archive.FormatError
		if err == nil || !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "t.a") {
			t.Errorf("%s: got %v, want error containing %q", tc.name, err, tc.want)
		}
	}
	for n := 0; n < len(good); n += 7 {
		_, _ = archive.Parse("t.a", good[:n]) // must not panic
	}
	if _, err := archive.Parse("ok.a", bytes.Clone(good)); err != nil {
		t.Fatal(err)
	}
}

func FuzzArchive(f *testing.F) {
	good, err := os.ReadFile("testdata/small.a")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte("!<arch>\n//                                              8         `\nlong.o/\n/0              0           0     0     644     0         `\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := archive.Parse("fuzz.a", data)
		if err != nil {
			return
		}
		for s := range a.Symbols {
			if _, ok := a.MemberDefining(s); !ok {
				t.Fatalf("index entry %s has no member", s)
			}
		}
	})
}

// BenchmarkParse parses Debian's static libraries (header walk and symbol
// index): gorc run does it for every archive on its command line, before
// the link starts.
func BenchmarkParse(b *testing.B) {
	for _, lib := range []string{"libsqlite3.a", "liblua5.4.a", "libz.a"} {
		path := filepath.Join("/usr/lib/x86_64-linux-gnu", lib)
		data, err := os.ReadFile(path)
		if err != nil {
			b.Logf("skipping %s: %v", lib, err)
			continue
		}
		b.Run(lib, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := archive.Parse(lib, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
