//go:build cgo

package objlayer_test

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/jitlink"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/orc/objlayer"
	"github.com/gorc-jit/gorc/shared"
)

const debugSrc = `
static int helper(int x) { return x * 3; }
int answer(int x) { return helper(x) + 42; }
int main_like(void) { return answer(1); }
`

// newDebugEntries returns the debug objects registered since before.
func newDebugEntries(before []shared.ExecutorAddrRange) []shared.ExecutorAddrRange {
	old := map[shared.ExecutorAddrRange]bool{}
	for _, r := range before {
		old[r] = true
	}
	var out []shared.ExecutorAddrRange
	for _, r := range executor.GDBEntries() {
		if !old[r] {
			out = append(out, r)
		}
	}
	return out
}

// The debug object of a -g object is registered when the object is
// linked, names the addresses the linker chose, and is deregistered when
// its tracker is removed.
func TestGDBPluginRegistersDebugObject(t *testing.T) {
	dir := t.TempDir()
	v := newEnv(t)
	v.l.AddPlugin(objlayer.NewGDBPlugin(v.e))
	ctx := context.Background()
	obj := compile(t, dir, "dbg", debugSrc, "-g", "-ffunction-sections")
	rt, err := v.jd.CreateResourceTracker()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.l.Add(v.jd, rt, "dbg.o", obj); err != nil {
		t.Fatal(err)
	}
	before := executor.GDBEntries()
	def, err := v.es.LookupSymbol(ctx, v.jd, "answer")
	if err != nil {
		t.Fatal(err)
	}
	added := newDebugEntries(before)
	if len(added) != 1 {
		t.Fatalf("linking dbg.o registered %d debug objects (%v), want 1", len(added), added)
	}
	img, err := executor.Read(added[0].Start, added[0].Size())
	if err != nil {
		t.Fatal(err)
	}
	if len(img) != len(obj) {
		t.Errorf("debug object is %d bytes, the object %d", len(img), len(obj))
	}
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		t.Fatalf("debug object is not an ELF file: %v", err)
	}
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range syms {
		if s.Name != "answer" {
			continue
		}
		found = true
		sec := f.Sections[s.Section]
		if got := shared.ExecutorAddr(sec.Addr + s.Value); got != def.Addr {
			t.Errorf("debug object: %s.sh_addr %#x + answer's value %#x = %v, want the linked address %v", sec.Name, sec.Addr, s.Value, got, def.Addr)
		}
	}
	if !found {
		t.Fatal("debug object has no symbol answer")
	}
	for _, s := range f.Sections {
		if strings.HasPrefix(s.Name, ".debug_") && s.Addr != 0 {
			t.Errorf("non-loaded section %s got sh_addr %#x", s.Name, s.Addr)
		}
	}
	if f.Section(".debug_info") == nil {
		t.Error("debug object lacks .debug_info")
	}
	if err := rt.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range executor.GDBEntries() {
		if r == added[0] {
			t.Fatalf("debug object %v is still registered after its tracker was removed", r)
		}
	}
}

// Objects without debug information are not registered.
func TestGDBPluginSkipsObjectsWithoutDebugInfo(t *testing.T) {
	dir := t.TempDir()
	v := newEnv(t)
	v.l.AddPlugin(objlayer.NewGDBPlugin(v.e))
	obj := compile(t, dir, "nodbg", debugSrc, "-g0")
	if _, err := v.l.Add(v.jd, nil, "nodbg.o", obj); err != nil {
		t.Fatal(err)
	}
	before := executor.GDBEntries()
	if _, err := v.es.LookupSymbol(context.Background(), v.jd, "answer"); err != nil {
		t.Fatal(err)
	}
	if added := newDebugEntries(before); len(added) != 0 {
		t.Fatalf("an object without debug info registered %d debug objects", len(added))
	}
}

// perfMapTested is set by the first run of TestPerfMapPluginWritesFunctions.
var perfMapTested bool

// The perf map names every function of a linked object with its address.
func TestPerfMapPluginWritesFunctions(t *testing.T) {
	if perfMapTested {
		// (go test -count=N: the cleanup removed the file the executor
		// keeps writing to.)
		t.Skip("the in-process executor opens its perf map once per process: checked by this test's first run")
	}
	perfMapTested = true
	dir := t.TempDir()
	t.Setenv("JITDUMPDIR", dir) // the executor also writes a jitdump file
	v := newEnv(t)
	p, err := objlayer.NewPerfMapPlugin(v.e)
	if err != nil {
		t.Fatal(err)
	}
	v.l.AddPlugin(p)
	obj := compile(t, dir, "perf", debugSrc+`int perf_second(int x) { return answer(x) - 1; }`, "-fno-inline")
	if _, err := v.l.Add(v.jd, nil, "perf.o", obj); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/tmp/perf-%d.map", os.Getpid())
	t.Cleanup(func() { os.Remove(path) })
	ctx := context.Background()
	want := map[string]shared.ExecutorAddr{}
	for _, n := range []string{"answer", "perf_second", "main_like"} {
		def, err := v.es.LookupSymbol(ctx, v.jd, n)
		if err != nil {
			t.Fatal(err)
		}
		want[n] = def.Addr
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	// Later lines win: the map is truncated when the process first
	// writes it and appended to afterwards.
	for _, line := range strings.Split(string(data), "\n") {
		var start, size uint64
		var name string
		if n, _ := fmt.Sscanf(line, "%x %x %s", &start, &size, &name); n == 3 {
			if size == 0 {
				t.Errorf("%s: %q has size 0", path, line)
			}
			got[name] = fmt.Sprintf("%#x", start)
		}
	}
	for n, a := range want {
		if got[n] != fmt.Sprintf("%#x", uint64(a)) {
			t.Errorf("perf map entry of %s at %s, want %v (map: %q)", n, got[n], a, data)
		}
	}
	if _, ok := got["helper"]; !ok {
		t.Errorf("perf map lacks the static function helper (map: %q)", data)
	}
}

// Objects with debug information are still merged when they share a
// section registry, and the merged graph registers one debug object per
// object.
func TestGDBPluginMergedRegistryObjects(t *testing.T) {
	dir := t.TempDir()
	v := newEnv(t)
	v.l.AddPlugin(objlayer.NewGDBPlugin(v.e))
	const hdr = `struct ent { long v; };
#define REG(n, val) __attribute__((section("gorc_dbg"), used, aligned(8))) static const struct ent n = {val};
`
	srcs := []string{
		hdr + `extern const struct ent __start_gorc_dbg[], __stop_gorc_dbg[];
REG(a, 1)
int dsum(void) { int s = 0; for (const struct ent *e = __start_gorc_dbg; e < __stop_gorc_dbg; e++) s += e->v; return s; }`,
		hdr + "REG(b, 2)\n",
		hdr + "REG(c, 4)\n",
	}
	var gs []*jitlink.LinkGraph
	for i, src := range srcs {
		name := fmt.Sprintf("d%d", i)
		g, err := jelf.Parse(name+".o", compile(t, dir, name, src, "-g"))
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, g)
	}
	merged := objlayer.MergeSectionRegistries(gs)
	if len(merged) != 1 {
		t.Fatalf("merged into %d graphs, want 1", len(merged))
	}
	if n := len(merged[0].Sources); n != 3 {
		t.Fatalf("merged graph keeps %d source objects, want 3", n)
	}
	if _, err := v.l.AddGraph(v.jd, nil, merged[0]); err != nil {
		t.Fatal(err)
	}
	before := executor.GDBEntries()
	if got := v.call(t, "dsum"); got != 7 {
		t.Errorf("dsum = %d, want 7", got)
	}
	if added := newDebugEntries(before); len(added) != 3 {
		t.Errorf("the merged graph registered %d debug objects, want 3", len(added))
	}
}
