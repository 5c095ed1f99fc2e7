package elf_test

import (
	"context"
	"os"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/archive"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

var debianArchives = []string{
	"/usr/lib/x86_64-linux-gnu/libsqlite3.a",
	"/usr/lib/x86_64-linux-gnu/liblua5.4.a",
	"/usr/lib/x86_64-linux-gnu/libz.a",
}

func loadArchive(t testing.TB, path string) *archive.Archive {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run scripts/deps.sh to install Debian's static libraries)", err)
	}
	a, err := archive.Parse(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// linkMember links one member with every external resolved near the JIT
// memory (as the session's slab would) and returns the graph.
func linkMember(t testing.TB, name string, data []byte) (*jitlink.LinkGraph, error) {
	g, err := jelf.Parse(name, data)
	if err != nil {
		return nil, err
	}
	mm := jitlinktest.NewMemoryManager(0x7000_0000_0000)
	syms := map[string]shared.ExecutorAddr{}
	ext := map[string]jitlink.TLSRef{}
	for n, s := range g.Externals {
		syms[n] = 0x7000_4000_0000
		if s.TLS {
			ext[n] = jitlink.TLSRef{Layout: tlsLayout, Offset: 0x10}
		}
	}
	lc := &jitlinktest.Context{MM: mm, Symbols: syms, TLS: &tlsLayout, ExtTLS: ext}
	return g, jitlink.Link(context.Background(), g, lc)
}

// TestDebianArchivesLink parses and links every member of Debian's
// sqlite, Lua and zlib static libraries.
func TestDebianArchivesLink(t *testing.T) {
	for _, path := range debianArchives {
		a := loadArchive(t, path)
		n, syms := 0, 0
		for _, m := range a.Members {
			if !jelf.IsELFObject(m.Data) {
				continue
			}
			g, err := linkMember(t, path+"("+m.Name+")", m.Data)
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			syms += len(g.Symbols)
			n++
		}
		if n == 0 || syms < 100 {
			t.Errorf("%s: only %d members, %d symbols linked", path, n, syms)
		}
		t.Logf("%s: linked %d members, %d live symbols", path, n, syms)
	}
}
