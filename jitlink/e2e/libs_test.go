//go:build cgo

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/archive"
	"github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest/epclink"
	"github.com/gorc-jit/gorc/memmgr"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// This file links drivers against Debian's static sqlite, Lua and zlib
// archives the way a static linker would — only the members that define
// needed symbols, repeated until nothing new is needed — with one graph
// per object, all linked concurrently, and runs them.

const sqliteDriver = `#include <stdio.h>
#include <sqlite3.h>
static int cb(void *u, int n, char **v, char **c) { for (int i = 0; i < n; i++) printf("%s=%s ", c[i], v[i] ? v[i] : "NULL"); printf("\n"); return 0; }
int main(void) {
	sqlite3 *db; char *err = 0;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
	sqlite3_exec(db, "create table t(a integer, b text, c real)", 0, 0, &err);
	sqlite3_exec(db, "begin", 0, 0, &err);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "insert into t values(?, ?, ?)", -1, &st, 0);
	for (int i = 0; i < 20000; i++) {
		char buf[32]; snprintf(buf, sizeof buf, "row%d", i % 97);
		sqlite3_bind_int(st, 1, i); sqlite3_bind_text(st, 2, buf, -1, SQLITE_TRANSIENT); sqlite3_bind_double(st, 3, i * 0.5);
		sqlite3_step(st); sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_exec(db, "commit", 0, 0, &err);
	sqlite3_exec(db, "select count(*), sum(a), avg(c), max(b) from t", cb, 0, &err);
	sqlite3_exec(db, "select b, count(*) from t group by b order by 2 desc, 1 limit 3", cb, 0, &err);
	sqlite3_exec(db, "select length(sqlite_version()) > 0 as v", cb, 0, &err);
	if (err) { printf("error: %s\n", err); return 2; }
	sqlite3_close(db);
	return 0;
}
`

const luaDriver = `#include <stdio.h>
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
int main(void) {
	lua_State *L = luaL_newstate();
	luaL_openlibs(L);
	const char *script =
		"local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end\n"
		"local t = {} for i = 1, 1000 do t[i] = i * i end\n"
		"local s = 0 for _, v in ipairs(t) do s = s + v end\n"
		"print(string.format('fib=%d sum=%d pi=%.5f %s', fib(24), s, math.pi, ('x'):rep(3)))\n"
		"local ok, e = pcall(error, 'boom') print(ok, e)\n"
		"return 5";
	if (luaL_dostring(L, script) != 0) { printf("lua error: %s\n", lua_tostring(L, -1)); return 1; }
	int r = (int)lua_tointeger(L, -1);
	lua_close(L);
	return r;
}
`

const zlibDriver = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
int main(void) {
	uLong n = 3 << 20;
	unsigned char *src = malloc(n), *dst, *back = malloc(n);
	for (uLong i = 0; i < n; i++) src[i] = (unsigned char)((i * 7) ^ (i >> 9));
	uLongf dn = compressBound(n); dst = malloc(dn);
	if (compress2(dst, &dn, src, n, 6) != Z_OK) return 1;
	uLongf bn = n;
	if (uncompress(back, &bn, dst, dn) != Z_OK) return 2;
	printf("in=%lu out=%lu same=%d crc=%08lx adler=%08lx version=%s\n", n, dn, bn == n && memcmp(src, back, n) == 0, crc32(0, src, n), adler32(1, src, n), zlibVersion());
	return 0;
}
`

// multiCtx links several graphs at once, each resolving the symbols
// another defines by waiting until that graph has been resolved.
type multiCtx struct {
	e     *epc.InProcess
	slab  *memmgr.Slab
	owner map[string]int // symbol -> graph index that defines it
	mu    sync.Mutex
	cond  *sync.Cond
	addrs map[string]shared.ExecutorAddr
}

// context returns the link context of one of the graphs: the executor's
// process for the names no graph defines, the other graphs for the rest.
func (mc *multiCtx) context() *jitlinktest.Context {
	lc := epclink.NewContext(mc.e, mc.slab, nil)
	inProcess := lc.Lookup
	lc.Lookup = func(ctx context.Context, names []string) ([]shared.ExecutorAddr, error) {
		addrs := make([]shared.ExecutorAddr, len(names))
		var proc []string
		var at []int // index in names of each of proc
		mc.mu.Lock()
		for i, name := range names {
			if _, ok := mc.owner[name]; !ok {
				proc = append(proc, name)
				at = append(at, i)
				continue
			}
			for {
				if a, ok := mc.addrs[name]; ok {
					addrs[i] = a
					break
				}
				mc.cond.Wait()
			}
		}
		mc.mu.Unlock()
		found, err := inProcess(ctx, proc)
		if err != nil {
			return nil, err
		}
		for j, i := range at {
			addrs[i] = found[j]
		}
		return addrs, nil
	}
	lc.OnResolved = func(ctx context.Context, g *jitlink.LinkGraph) error {
		mc.mu.Lock()
		defer mc.mu.Unlock()
		for _, s := range g.Symbols {
			if s.Name != "" && s.Scope != jitlink.ScopeLocal {
				if _, dup := mc.addrs[s.Name]; !dup {
					mc.addrs[s.Name] = s.Address()
				}
			}
		}
		mc.cond.Broadcast()
		return nil
	}
	return lc
}

// loadStatic parses the driver and pulls archive members in as a static
// linker does; it returns the graphs in load order.
func loadStatic(driver string, archives []string) ([]*jitlink.LinkGraph, error) {
	data, err := os.ReadFile(driver)
	if err != nil {
		return nil, err
	}
	g, err := elf.Parse(filepath.Base(driver), data)
	if err != nil {
		return nil, err
	}
	graphs := []*jitlink.LinkGraph{g}
	defined := map[string]bool{}
	var need []string
	add := func(g *jitlink.LinkGraph) {
		for _, s := range g.Symbols {
			if s.Name != "" && s.Scope != jitlink.ScopeLocal {
				defined[s.Name] = true
			}
		}
		for n, s := range g.Externals {
			if !s.WeakRef {
				need = append(need, n)
			}
		}
	}
	add(g)
	var arcs []*archive.Archive
	for _, p := range archives {
		d, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		a, err := archive.Parse(p, d)
		if err != nil {
			return nil, err
		}
		arcs = append(arcs, a)
	}
	loaded := map[string]bool{}
	for len(need) > 0 {
		n := need[len(need)-1]
		need = need[:len(need)-1]
		if defined[n] {
			continue
		}
		for _, a := range arcs {
			m, ok := a.MemberDefining(n)
			if !ok || loaded[a.Name+m.Name] {
				continue
			}
			loaded[a.Name+m.Name] = true
			mg, err := elf.Parse(a.Name+"("+m.Name+")", m.Data)
			if err != nil {
				return nil, err
			}
			graphs = append(graphs, mg)
			add(mg)
			break
		}
	}
	return graphs, nil
}

func runStatic(driver string, archives []string, low bool) (int, error) {
	ctx := context.Background()
	graphs, err := loadStatic(driver, archives)
	if err != nil {
		return 0, err
	}
	e, slab, err := inProcessSlab(ctx, []string{"-lm"}, 256<<20, low)
	if err != nil {
		return 0, err
	}
	mc := &multiCtx{e: e, slab: slab, owner: map[string]int{}, addrs: map[string]shared.ExecutorAddr{}}
	mc.cond = sync.NewCond(&mc.mu)
	for i, g := range graphs {
		for _, s := range g.Symbols {
			if s.Name != "" && s.Scope != jitlink.ScopeLocal {
				if _, ok := mc.owner[s.Name]; !ok {
					mc.owner[s.Name] = i
				}
			}
		}
	}
	errs := make([]error, len(graphs))
	var wg sync.WaitGroup
	for i, g := range graphs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = jitlink.Link(ctx, g, mc.context())
			if errs[i] != nil {
				// unblock lookups waiting for this graph
				mc.mu.Lock()
				for _, s := range g.Symbols {
					if _, ok := mc.addrs[s.Name]; !ok && s.Name != "" {
						mc.addrs[s.Name] = 0
					}
				}
				mc.cond.Broadcast()
				mc.mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return 0, err
		}
	}
	var inits, finis []jitlink.InitFunc
	for i, g := range graphs {
		inits = append(inits, g.Inits...)
		finis = append(finis, graphs[len(graphs)-1-i].Finis...)
	}
	sort.SliceStable(inits, func(i, j int) bool { return inits[i].Priority < inits[j].Priority })
	sort.SliceStable(finis, func(i, j int) bool { return finis[i].Priority > finis[j].Priority })
	var ia, fa []shared.ExecutorAddr
	for _, f := range inits {
		ia = append(ia, f.Fn)
	}
	for _, f := range finis {
		fa = append(fa, f.Fn)
	}
	return e.RunProgram(ctx, epc.Program{Main: mc.addrs["main"], Args: []string{"driver"}, Inits: ia, Finis: fa})
}

func TestStaticLibraries(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Fatalf("gcc is needed (run scripts/deps.sh): %v", err)
	}
	const lib = "/usr/lib/x86_64-linux-gnu/"
	cases := []struct {
		name, src, archive string
		flags              []string
		low                bool
	}{
		{"sqlite", sqliteDriver, lib + "libsqlite3.a", []string{"-O2"}, false},
		{"sqlite-far", sqliteDriver, lib + "libsqlite3.a", []string{"-O2"}, true},
		{"lua", luaDriver, lib + "liblua5.4.a", []string{"-O2"}, false},
		{"lua-far", luaDriver, lib + "liblua5.4.a", []string{"-O0"}, true},
		{"zlib", zlibDriver, lib + "libz.a", []string{"-O2"}, false},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := os.Stat(tc.archive); err != nil {
				t.Fatalf("%v (run scripts/deps.sh)", err)
			}
			src := filepath.Join(dir, tc.name+".c")
			obj := filepath.Join(dir, tc.name+".o")
			exe := filepath.Join(dir, tc.name+".exe")
			os.WriteFile(src, []byte(tc.src), 0o644)
			if out, err := exec.Command(gcc, append(tc.flags, "-c", "-o", obj, src)...).CombinedOutput(); err != nil {
				t.Fatalf("gcc -c: %v\n%s", err, out)
			}
			if out, err := exec.Command(gcc, append(tc.flags, "-o", exe, obj, tc.archive, "-lm")...).CombinedOutput(); err != nil {
				t.Fatalf("gcc: %v\n%s", err, out)
			}
			native := exec.Command(exe)
			want, _ := native.Output()
			wantCode := native.ProcessState.ExitCode()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			low := "0"
			if tc.low {
				low = "1"
			}
			cmd.Env = append(os.Environ(), "GORC_JITLINK_E2E_DRIVER="+obj, "GORC_JITLINK_E2E_ARCHIVE="+tc.archive, "GORC_JITLINK_E2E_LOW="+low)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			got, _ := cmd.Output()
			code := cmd.ProcessState.ExitCode()
			t.Logf("exit %d: %s", code, got)
			if code != wantCode || string(got) != string(want) {
				t.Fatalf("JIT'd run: exit %d, stdout\n%s\nstderr\n%s\nwant exit %d, stdout\n%s", code, got, stderr.String(), wantCode, want)
			}
		})
	}
}
