//go:build cgo

package objlayer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/memmgr"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/orc/objlayer"
)

// compile compiles C source with gcc -c and returns the object bytes.
func compile(t testing.TB, dir, name, src string, flags ...string) []byte {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Fatalf("gcc is required (run scripts/deps.sh): %v", err)
	}
	c := filepath.Join(dir, name+".c")
	o := filepath.Join(dir, name+".o")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-c", "-O1", "-fcommon", "-o", o, c}, flags...)
	if out, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %v: %v\n%s", args, err, out)
	}
	data, err := os.ReadFile(o)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// env is a session wired to an in-process executor and a slab.
type env struct {
	es   *orc.ExecutionSession
	jd   *orc.JITDylib
	e    *epc.InProcess
	slab *memmgr.Slab
	l    *objlayer.Layer
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, orc.NewPoolDispatcher(1<<10))
}

// newEnvWith is newEnv with the session's dispatcher d.
func newEnvWith(t testing.TB, d orc.Dispatcher) *env {
	t.Helper()
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
	es := orc.NewExecutionSession(orc.WithDispatcher(d))
	jd, err := es.CreateJITDylib("main")
	if err != nil {
		t.Fatal(err)
	}
	l := objlayer.New(es, e, slab)
	p := objlayer.NewProcessSymbolsGenerator(e)
	p.DSOHandle = slab.DSOHandle
	jd.AddGenerator(p)
	t.Cleanup(func() {
		ctx := context.Background()
		es.EndSession(ctx)
		slab.Close(ctx)
		e.Close(ctx)
	})
	return &env{es: es, jd: jd, e: e, slab: slab, l: l}
}

// call links what name needs and calls it as int name(void).
func (v *env) call(t testing.TB, name string) int {
	t.Helper()
	ctx := context.Background()
	def, err := v.es.LookupSymbol(ctx, v.jd, name)
	if err != nil {
		t.Fatalf("lookup %s: %v", name, err)
	}
	r, err := v.e.RunAsMain(ctx, def.Addr, []string{"t"})
	if err != nil {
		t.Fatalf("run %s: %v", name, err)
	}
	return r
}

func TestLinkerSemantics(t *testing.T) {
	dir := t.TempDir()
	v := newEnv(t)
	objs := []struct{ name, src string }{
		{"a", `
int shared_common;                        /* common, 4 bytes here */
__attribute__((weak)) int pick(void) { return 1; }
__attribute__((weak)) int only_weak(void) { return 5; }
extern int missing(void) __attribute__((weak));
int b_value(void);
int a_calls_b(void) { return b_value() * 10 + (missing ? 1 : 0); }
int cycle_a(int n) ;
int test_main(void) {
	shared_common = 7;
	return pick() * 1000 + only_weak() * 100 + a_calls_b() + cycle_a(5);
}`},
		{"b", `
char shared_common[64];                   /* common, the larger one wins */
int pick(void) { return 3; }              /* strong overrides the weak pick */
int a_calls_b(void);
int b_value(void) { return 4; }
int cycle_b(int n);
int cycle_a(int n) { return n == 0 ? 0 : cycle_b(n - 1) + 1; }
int big_common(void) { shared_common[63] = 1; return sizeof shared_common; }`},
		{"c", `
int cycle_a(int n);
int cycle_b(int n) { return n == 0 ? 0 : cycle_a(n - 1) + 1; }`},
	}
	for _, o := range objs {
		if _, err := v.l.Add(v.jd, nil, o.name+".o", compile(t, dir, o.name, o.src)); err != nil {
			t.Fatal(err)
		}
	}
	// pick: strong 3; only_weak: 5; a_calls_b: 4*10 + 0 (missing weak is
	// null); cycle_a(5) across two objects: 5.
	if got, want := v.call(t, "test_main"), 3*1000+5*100+40+5; got != want {
		t.Errorf("test_main = %d, want %d", got, want)
	}
	if got := v.call(t, "big_common"); got != 64 {
		t.Errorf("big_common = %d, want 64", got)
	}
	if n := v.l.Linked(); n != 3 {
		t.Errorf("linked %d graphs, want 3", n)
	}
}

func TestUndefinedSymbolsListedWithReferrers(t *testing.T) {
	dir := t.TempDir()
	v := newEnv(t)
	a := compile(t, dir, "a", `int nowhere_one(void); int f(void) { return nowhere_one(); }`)
	b := compile(t, dir, "b", `int nowhere_two(void); int f(void); int g(void) { return nowhere_two() + f(); }`)
	if _, err := v.l.Add(v.jd, nil, "a.o", a); err != nil {
		t.Fatal(err)
	}
	if _, err := v.l.Add(v.jd, nil, "b.o", b); err != nil {
		t.Fatal(err)
	}
	_, err := v.es.LookupSymbol(context.Background(), v.jd, "g")
	if err == nil {
		t.Fatal("lookup of g succeeded with undefined symbols")
	}
	v.l.Quiesce()
	u := v.l.Undefined()
	var ue *objlayer.UndefinedError
	if !errors.As(u, &ue) {
		t.Fatalf("Undefined() = %v, want *UndefinedError", u)
	}
	msg := ue.Error()
	for _, want := range []string{"nowhere_one (referenced by a.o)", "nowhere_two (referenced by b.o)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
}

func TestRemoveFreesMemoryAndAllowsRedefinition(t *testing.T) {
	dir := t.TempDir()
	v := newEnv(t)
	ctx := context.Background()
	obj1 := compile(t, dir, "v1", `int version(void) { return 1; }`)
	obj2 := compile(t, dir, "v2", `int version(void) { return 2; }`)
	rt, err := v.jd.CreateResourceTracker()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.l.Add(v.jd, rt, "v1.o", obj1); err != nil {
		t.Fatal(err)
	}
	if got := v.call(t, "version"); got != 1 {
		t.Fatalf("version = %d, want 1", got)
	}
	if v.slab.Stats().Allocations == 0 {
		t.Fatal("no allocation after linking")
	}
	before := v.slab.Stats().Allocations
	if err := rt.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	if after := v.slab.Stats().Allocations; after >= before {
		t.Errorf("allocations %d after removal, %d before: memory not freed", after, before)
	}
	if _, err := v.l.Add(v.jd, nil, "v2.o", obj2); err != nil {
		t.Fatal(err)
	}
	if got := v.call(t, "version"); got != 2 {
		t.Fatalf("version after re-add = %d, want 2", got)
	}
}

func TestArchiveLoadsOnlyNeededMembers(t *testing.T) {
	dir := t.TempDir()
	ar, err := exec.LookPath("ar")
	if err != nil {
		t.Fatalf("ar is required (binutils; run scripts/deps.sh): %v", err)
	}
	v := newEnv(t)
	compile(t, dir, "m1", `int m2(void); int m1(void) { return m2() + 1; }`)
	compile(t, dir, "m2", `int m2(void) { return 41; }`)
	compile(t, dir, "m3", `int m3(void) { return *(volatile int *)0; }`)
	lib := filepath.Join(dir, "libm123.a")
	if out, err := exec.Command(ar, "rcs", lib, filepath.Join(dir, "m1.o"), filepath.Join(dir, "m2.o"), filepath.Join(dir, "m3.o")).CombinedOutput(); err != nil {
		t.Fatalf("ar: %v\n%s", err, out)
	}
	data, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	g, err := objlayer.NewArchiveGenerator(v.l, nil, lib, data)
	if err != nil {
		t.Fatal(err)
	}
	v.jd.AddGenerator(g)
	if _, err := v.l.Add(v.jd, nil, "main.o", compile(t, dir, "main", `int m1(void); int entry(void) { return m1(); }`)); err != nil {
		t.Fatal(err)
	}
	if got := v.call(t, "entry"); got != 42 {
		t.Errorf("entry = %d, want 42", got)
	}
	// main.o, m1.o (needed by main), m2.o (needed by m1): not m3.o.
	if n := v.l.Linked(); n != 3 {
		t.Errorf("linked %d graphs, want 3 (main, m1, m2)", n)
	}
}

func TestBadObjectIsAnError(t *testing.T) {
	v := newEnv(t)
	for _, data := range [][]byte{nil, []byte("not an object"), []byte("\x7fELF\x02\x01\x01\x00garbage")} {
		if _, err := v.l.Add(v.jd, nil, "bad.o", data); err == nil {
			t.Errorf("Add(%q) succeeded", data)
		}
	}
	if _, err := objlayer.NewArchiveGenerator(v.l, nil, "bad.a", []byte("!<arch>\nshort")); err == nil {
		t.Error("NewArchiveGenerator accepted a truncated archive")
	}
}

func TestSectionRegistryAcrossObjects(t *testing.T) {
	dir := t.TempDir()
	v := newEnv(t)
	const hdr = `struct ent { long v; };
#define REG(n, val) __attribute__((section("gorc_tests"), used, aligned(8))) static const struct ent n = {val};
`
	srcs := []string{
		hdr + `extern const struct ent __start_gorc_tests[], __stop_gorc_tests[];
REG(a, 1)
int sum(void) { int s = 0; for (const struct ent *e = __start_gorc_tests; e < __stop_gorc_tests; e++) s = s * 10 + e->v; return s; }`,
		hdr + "REG(b, 2)\nREG(c, 3)\n",
		hdr + "REG(d, 4)\n",
		`int unrelated(void) { return 9; }`,
	}
	var gs []*jitlink.LinkGraph
	for i, src := range srcs {
		name := fmt.Sprintf("r%d", i)
		g, err := elf.Parse(name+".o", compile(t, dir, name, src))
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, g)
	}
	merged := objlayer.MergeSectionRegistries(gs)
	if len(merged) != 2 {
		t.Fatalf("merged into %d graphs, want 2 (the registry and the unrelated object)", len(merged))
	}
	for _, g := range merged {
		if _, err := v.l.AddGraph(v.jd, nil, g); err != nil {
			t.Fatal(err)
		}
	}
	// Objects' parts in input order, as a static linker concatenates them
	// (gcc may emit b and c in either order within r1.o).
	if got := v.call(t, "sum"); got != 1234 && got != 1324 {
		t.Errorf("sum over the registry = %d, want 1234 or 1324", got)
	}
	if got := v.call(t, "unrelated"); got != 9 {
		t.Errorf("unrelated = %d, want 9", got)
	}
}

func TestNonPICCXXExceptions(t *testing.T) {
	gxx, err := exec.LookPath("g++")
	if err != nil {
		t.Fatalf("g++ is required (run scripts/deps.sh): %v", err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "x.cpp")
	obj := filepath.Join(dir, "x.o")
	os.WriteFile(src, []byte(`#include <stdexcept>
#include <vector>
static int thrower(int k) {
	if (k == 1) throw std::runtime_error("r");   // throw site: mov $_ZTISt13runtime_error
	if (k == 2) throw 7;                         // _ZTIi
	return std::vector<int>(2).at(k);            // throws from inside libstdc++
}
extern "C" int test_main(void) {
	int score = 0;
	for (int k = 1; k <= 3; k++) {
		try { thrower(k); }
		catch (const std::out_of_range &) { score += 100; }
		catch (const std::exception &) { score += 10; }   // LSDA entries to libstdc++ typeinfo
		catch (int v) { score += v; }
	}
	return score;
}`), 0o644)
	if out, err := exec.Command(gxx, "-c", "-O2", "-fno-pic", "-o", obj, src).CombinedOutput(); err != nil {
		t.Fatalf("g++: %v\n%s", err, out)
	}
	data, err := os.ReadFile(obj)
	if err != nil {
		t.Fatal(err)
	}
	v := newEnv(t)
	if _, err := v.e.LoadDylib(context.Background(), "-lstdc++", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := v.l.Add(v.jd, nil, "x.o", data); err != nil {
		t.Fatal(err)
	}
	if got := v.call(t, "test_main"); got != 10+7+100 {
		t.Errorf("test_main = %d, want 117", got)
	}
}

// TestArchiveParallelAndPrefetchedMembers checks that parsing members
// concurrently and ahead of need changes nothing about what links: a wave
// of twenty members needed at once links, and a member parsed ahead (it
// defines a name an already-loaded member references) is not linked when
// a command-line object already defines that name.
func TestArchiveParallelAndPrefetchedMembers(t *testing.T) {
	dir := t.TempDir()
	ar, err := exec.LookPath("ar")
	if err != nil {
		t.Fatalf("ar is required (binutils; run scripts/deps.sh): %v", err)
	}
	v := newEnv(t)
	members := []string{filepath.Join(dir, "p1.o"), filepath.Join(dir, "helper.o")}
	compile(t, dir, "p1", `int helper(void); int p1(void) { return helper() + 1; }`)
	compile(t, dir, "helper", `int helper(void) { return 100; }`)
	mainSrc := "int helper(void) { return 1; }\nint p1(void);\n"
	sum := "p1()"
	want := 2
	for i := range 20 {
		name := fmt.Sprintf("q%d", i)
		compile(t, dir, name, fmt.Sprintf("int q%d(void) { return %d; }", i, i+1))
		members = append(members, filepath.Join(dir, name+".o"))
		mainSrc += fmt.Sprintf("int q%d(void);\n", i)
		sum += fmt.Sprintf(" + q%d()", i)
		want += i + 1
	}
	mainSrc += "int entry(void) { return " + sum + "; }\n"
	lib := filepath.Join(dir, "libpq.a")
	if out, err := exec.Command(ar, append([]string{"rcs", lib}, members...)...).CombinedOutput(); err != nil {
		t.Fatalf("ar: %v\n%s", err, out)
	}
	data, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	g, err := objlayer.NewArchiveGenerator(v.l, nil, lib, data)
	if err != nil {
		t.Fatal(err)
	}
	v.jd.AddGenerator(g)
	if _, err := v.l.Add(v.jd, nil, "main.o", compile(t, dir, "main", mainSrc)); err != nil {
		t.Fatal(err)
	}
	if got := v.call(t, "entry"); got != want {
		t.Errorf("entry = %d, want %d (helper from main.o, not the archive)", got, want)
	}
	// main.o, p1.o and the twenty q members; helper.o was parsed ahead
	// (p1.o references helper) but must not be linked.
	if n := v.l.Linked(); n != 22 {
		t.Errorf("linked %d graphs, want 22 (main, p1, q0..q19)", n)
	}
}

// TestArchiveWaveUndefinedNamesMember checks that members linked together
// as one graph (one lookup's wave) still report an undefined symbol with
// the member that referenced it, and that a weak definition in the wave
// yields to a strong one defined earlier in the session.
func TestArchiveWaveUndefinedNamesMember(t *testing.T) {
	dir := t.TempDir()
	ar, err := exec.LookPath("ar")
	if err != nil {
		t.Fatalf("ar is required (binutils; run scripts/deps.sh): %v", err)
	}
	build := func(name string, srcs map[string]string) []byte {
		var objs []string
		for _, n := range []string{"u1", "u2", "w1"} {
			if src, ok := srcs[n]; ok {
				compile(t, dir, n, src)
				objs = append(objs, filepath.Join(dir, n+".o"))
			}
		}
		lib := filepath.Join(dir, name)
		if out, err := exec.Command(ar, append([]string{"rcs", lib}, objs...)...).CombinedOutput(); err != nil {
			t.Fatalf("ar: %v\n%s", err, out)
		}
		data, err := os.ReadFile(lib)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}

	t.Run("undefined", func(t *testing.T) {
		v := newEnv(t)
		data := build("libu.a", map[string]string{
			"u1": `int not_defined_anywhere(void); int u1(void) { return not_defined_anywhere(); }`,
			"u2": `int u2(void) { return 2; }`,
		})
		g, err := objlayer.NewArchiveGenerator(v.l, nil, "libu.a", data)
		if err != nil {
			t.Fatal(err)
		}
		v.jd.AddGenerator(g)
		if _, err := v.l.Add(v.jd, nil, "main.o", compile(t, dir, "mainu", `int u1(void); int u2(void); int entry(void) { return u1() + u2(); }`)); err != nil {
			t.Fatal(err)
		}
		if _, err := v.es.LookupSymbol(context.Background(), v.jd, "entry"); err == nil {
			t.Fatal("lookup succeeded with an undefined symbol")
		}
		v.l.Quiesce()
		var ue *objlayer.UndefinedError
		if u := v.l.Undefined(); !errors.As(u, &ue) {
			t.Fatalf("Undefined() = %v, want *UndefinedError", u)
		}
		if want := "not_defined_anywhere (referenced by libu.a(u1.o))"; !strings.Contains(ue.Error(), want) {
			t.Errorf("error %q does not mention %q", ue.Error(), want)
		}
	})

	t.Run("weak yields to strong", func(t *testing.T) {
		v := newEnv(t)
		data := build("libw.a", map[string]string{
			"u2": `int pick(void); int u2(void) { return pick() * 10; }`,
			"w1": `__attribute__((weak)) int pick(void) { return 1; } int w1(void) { return pick(); }`,
		})
		g, err := objlayer.NewArchiveGenerator(v.l, nil, "libw.a", data)
		if err != nil {
			t.Fatal(err)
		}
		v.jd.AddGenerator(g)
		if _, err := v.l.Add(v.jd, nil, "main.o", compile(t, dir, "mainw", `int pick(void) { return 7; } int u2(void); int w1(void); int entry(void) { return u2() + w1(); }`)); err != nil {
			t.Fatal(err)
		}
		// main.o's strong pick wins over w1.o's weak one, also for u2.o,
		// which was linked in the same graph as w1.o.
		if got := v.call(t, "entry"); got != 77 {
			t.Errorf("entry = %d, want 77 (strong pick from main.o everywhere)", got)
		}
	})
}
