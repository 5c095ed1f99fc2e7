//go:build cgo

package objlayer_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink/archive"
	"github.com/gorc-jit/gorc/memmgr"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/orc/objlayer"
)

// lib is a static archive of a test: its members' sources, in archive
// order. A member named "unused*" is corrupted after the archive is
// built (its ELF magic overwritten), so that parsing it is an error: it
// must never be parsed.
type lib struct {
	name    string
	members [][2]string // member name, C source
}

// closureRun is the outcome of linking main against libs.
type closureRun struct {
	entry  int    // entry's return value
	linked int    // objects linked (main + members)
	err    string // the link error, if any
}

// linkArchives links mainSrc against libs (searched in order, before the
// process symbols, as jit does) with or without LinkClosure, and runs
// entry.
func linkArchives(t *testing.T, closure bool, libs []lib, mainSrc string, flags ...string) closureRun {
	t.Helper()
	dir := t.TempDir()
	ar, err := exec.LookPath("ar")
	if err != nil {
		t.Fatalf("ar is required (binutils; run scripts/deps.sh): %v", err)
	}
	e, err := epc.NewInProcess()
	if err != nil {
		t.Fatal(err)
	}
	m, err := memmgr.NewInProcessMapper(e)
	if err != nil {
		t.Fatal(err)
	}
	slab, err := memmgr.NewSlab(m, memmgr.SlabOptions{Size: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	es := orc.NewExecutionSession(orc.WithDispatcher(orc.NewPoolDispatcher(1 << 10)))
	t.Cleanup(func() {
		ctx := context.Background()
		es.EndSession(ctx)
		slab.Close(ctx)
		e.Close(ctx)
	})
	jd, err := es.CreateJITDylib("main")
	if err != nil {
		t.Fatal(err)
	}
	l := objlayer.New(es, e, slab)
	var gens []*objlayer.ArchiveGenerator
	for _, lb := range libs {
		var objs []string
		for _, mb := range lb.members {
			compile(t, dir, lb.name+"_"+mb[0], mb[1], flags...)
			objs = append(objs, filepath.Join(dir, lb.name+"_"+mb[0]+".o"))
		}
		path := filepath.Join(dir, lb.name+".a")
		if out, err := exec.Command(ar, append([]string{"rcs", path}, objs...)...).CombinedOutput(); err != nil {
			t.Fatalf("ar: %v\n%s", err, out)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		a, err := archive.Parse(path, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, mb := range a.Members {
			if strings.Contains(mb.Name, "_unused") {
				copy(mb.Data, "JUNK") // aliases data
			}
		}
		g, err := objlayer.NewArchiveGenerator(l, nil, path, data)
		if err != nil {
			t.Fatal(err)
		}
		gens = append(gens, g)
		jd.AddGenerator(g)
	}
	if closure {
		for _, g := range gens {
			g.LinkClosure(gens...)
		}
	}
	p := objlayer.NewProcessSymbolsGenerator(e)
	p.DSOHandle = slab.DSOHandle
	jd.AddGenerator(p)
	if _, err := l.Add(jd, nil, "main.o", compile(t, dir, "main", mainSrc, flags...)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	def, err := es.LookupSymbol(ctx, jd, "entry")
	if err != nil {
		l.Quiesce()
		return closureRun{err: err.Error(), linked: l.Linked()}
	}
	r, err := e.RunAsMain(ctx, def.Addr, []string{"t"})
	if err != nil {
		t.Fatalf("run entry: %v", err)
	}
	l.Quiesce()
	return closureRun{entry: r, linked: l.Linked()}
}

// TestArchiveClosureSameAsWaves checks that linking each lookup's member
// closure as one wave pulls the same members, binds the same definitions
// and reports the same errors as the wave-by-wave search, in the cases
// where the closure must stop or must not look.
func TestArchiveClosureSameAsWaves(t *testing.T) {
	chain := lib{"libc3", [][2]string{
		{"c1", `int c2(void); int c1(void) { return c2() + 1; }`},
		{"c2", `int c3(void); int c2(void) { return c3() + 1; }`},
		{"c3", `int c3(void) { return 40; }`},
		{"unused", `int unused(void) { return 7; }`},
	}}
	tests := []struct {
		name  string
		libs  []lib
		main  string
		flags []string
		want  closureRun
	}{{
		// Three rounds in one closure; the member nobody needs is
		// never parsed (it is corrupt: parsing it would fail the link).
		name: "chain, unused member never parsed",
		libs: []lib{chain},
		main: `int c1(void); int entry(void) { return c1(); }`,
		want: closureRun{entry: 42, linked: 4},
	}, {
		// The archive also defines a name main.o defines: the closure
		// does not pull its member (the dylib's definition is found
		// first), though the members are parsed ahead on every core
		// before the rounds decide: that member is corrupt, and its
		// parse error must not fail the link.
		name: "member for a name the dylib defines, parsed ahead, not linked",
		libs: []lib{{"libhelp", [][2]string{
			{"h1", `int helper(void); int h1(void) { return helper() + 2; }`},
			{"unused", `int helper(void) { return 1000; }`},
		}}},
		main: `int h1(void); int helper(void) { return 40; } int entry(void) { return h1(); }`,
		want: closureRun{entry: 42, linked: 2},
	}, {
		// The process (libc) defines rand too: the archive, searched
		// first, wins, whether main or a pulled member refers to it.
		name: "archive member beats a process symbol",
		libs: []lib{{"librand", [][2]string{
			{"r1", `int rand(void); int r1(void) { return rand() + 1; }`},
			{"rand", `int rand(void) { return 41; }`},
		}}},
		main: `int r1(void); int rand(void); int entry(void) { return r1() + rand(); }`,
		want: closureRun{entry: 83, linked: 3},
	}, {
		// b.a's member needs a name a.a defines, and a.a's member also
		// defines b2, which b.a would otherwise pull from b2.o: a.a
		// is searched first in that round, so b2 comes from a.a.
		name: "a.a b.a, b's member needs a's",
		libs: []lib{
			{"liba", [][2]string{{"a1", `int a1(void) { return 40; } int b2(void) { return 1; }`}}},
			{"libb", [][2]string{
				{"b1", `int a1(void); int b2(void); int b1(void) { return a1() + b2() + 1; }`},
				{"b2", `int b2(void) { return 1000; }`},
			}},
		},
		main: `int b1(void); int entry(void) { return b1(); }`,
		want: closureRun{entry: 42, linked: 3},
	}, {
		// A weak reference pulls a member, as it does in the
		// wave-by-wave search (unlike GNU ld): the closure follows
		// the same rule, from main and from a member.
		name: "weak references",
		libs: []lib{{"libweak", [][2]string{
			{"w1", `extern int wf(void) __attribute__((weak)); int w1(void) { return &wf ? wf() : 1000; }`},
			{"wf", `int wf(void) { return 40; }`},
			{"wg", `int wg(void) { return 2; }`},
		}}},
		main: `extern int wg(void) __attribute__((weak)); int w1(void); int entry(void) { return w1() + (&wg ? wg() : 500); }`,
		want: closureRun{entry: 42, linked: 4},
	}, {
		// h.o's weak w loses to main's strong one, so its body (its
		// own section) is dead and x.o is not needed: the closure
		// stops before h.o, whose references depend on that verdict.
		name: "weak definition that loses: its references are not followed",
		libs: []lib{{"libwd", [][2]string{
			{"c1", `int h(void); int c1(void) { return h() + 10; }`},
			{"h", `int x(void); int h(void) { return 30; } __attribute__((weak)) int w(void) { return x(); }`},
			{"x", `int x(void) { return 5000; }`},
		}}},
		main:  `int w(void) { return 2; } int c1(void); int entry(void) { return c1() + w(); }`,
		flags: []string{"-ffunction-sections"},
		want:  closureRun{entry: 42, linked: 3},
	}, {
		// h.o's unreferenced static function (its own section) is
		// dead-stripped, so x, which only it calls, is not needed.
		name: "reference from dead code only",
		libs: []lib{{"libdead", [][2]string{
			{"c1", `int h(void); int c1(void) { return h() + 10; }`},
			{"h", `int x(void); static __attribute__((used)) int dead(void) { return x(); } int h(void) { return 32; }`},
			{"x", `int x(void) { return 5000; }`},
		}}},
		main:  `int c1(void); int entry(void) { return c1(); }`,
		flags: []string{"-ffunction-sections"},
		want:  closureRun{entry: 42, linked: 3},
	}, {
		// Two members pulled in the same round define dup strongly.
		name: "duplicate definition",
		libs: []lib{{"libdup", [][2]string{
			{"d1", `int d2(void); int d3(void); int d1(void) { return d2() + d3(); }`},
			{"d2", `int dup(void) { return 1; } int d2(void) { return dup(); }`},
			{"d3", `int dup(void) { return 2; } int d3(void) { return 3; }`},
		}}},
		main: `int d1(void); int entry(void) { return d1(); }`,
		want: closureRun{err: "dup"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, closure := range []bool{false, true} {
				got := linkArchives(t, closure, tc.libs, tc.main, tc.flags...)
				if tc.want.err != "" {
					if got.err == "" || !strings.Contains(got.err, tc.want.err) {
						t.Errorf("closure=%v: error %q, want one naming %q", closure, got.err, tc.want.err)
					}
					continue
				}
				if got != tc.want {
					t.Errorf("closure=%v: got %+v, want %+v", closure, got, tc.want)
				}
			}
		})
	}
}

// ExampleArchiveGenerator_LinkClosure shows how a JIT whose dylib
// searches its archives before anything else links each lookup's
// archive members as one wave.
func ExampleArchiveGenerator_LinkClosure() {
	var gens []*objlayer.ArchiveGenerator // one per archive, in search order
	for _, g := range gens {
		g.LinkClosure(gens...)
	}
	fmt.Println(len(gens))
	// Output: 0
}

// BenchmarkArchiveClosure links bench/drivers/sqlite.c's object against
// Debian's libsqlite3.a (up to main's Resolved state, nothing runs), the
// archive searched wave by wave and as one closure.
func BenchmarkArchiveClosure(b *testing.B) {
	const archivePath = "/usr/lib/x86_64-linux-gnu/libsqlite3.a"
	data, err := os.ReadFile(archivePath)
	if err != nil {
		b.Skipf("libsqlite3.a (libsqlite3-dev): %v", err)
	}
	src, err := os.ReadFile("../../bench/drivers/sqlite.c")
	if err != nil {
		b.Fatal(err)
	}
	obj := compile(b, b.TempDir(), "sqlite", string(src), "-O2")
	for _, closure := range []bool{false, true} {
		name := "waves"
		if closure {
			name = "closure"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				benchLinkOnce(b, closure, obj, archivePath, data)
			}
		})
	}
}

func benchLinkOnce(b *testing.B, closure bool, obj []byte, archivePath string, data []byte) {
	ctx := context.Background()
	e, err := epc.NewInProcess()
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close(ctx)
	if _, err := e.LoadDylib(ctx, "-lm", nil); err != nil {
		b.Fatal(err)
	}
	m, err := memmgr.NewInProcessMapper(e)
	if err != nil {
		b.Fatal(err)
	}
	slab, err := memmgr.NewSlab(m, memmgr.SlabOptions{Size: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer slab.Close(ctx)
	es := orc.NewExecutionSession(orc.WithDispatcher(orc.NewPoolDispatcher(1 << 10)))
	defer es.EndSession(ctx)
	jd, err := es.CreateJITDylib("main")
	if err != nil {
		b.Fatal(err)
	}
	l := objlayer.New(es, e, slab)
	g, err := objlayer.NewArchiveGenerator(l, nil, archivePath, data)
	if err != nil {
		b.Fatal(err)
	}
	if closure {
		g.LinkClosure(g)
	}
	jd.AddGenerator(g)
	p := objlayer.NewProcessSymbolsGenerator(e)
	p.DSOHandle = slab.DSOHandle
	jd.AddGenerator(p)
	if _, err := l.Add(jd, nil, "sqlite.o", obj); err != nil {
		b.Fatal(err)
	}
	if _, err := es.LookupSymbol(ctx, jd, "main"); err != nil {
		b.Fatal(err)
	}
	l.Quiesce()
	g.Wait()
}
