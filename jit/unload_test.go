//go:build cgo

package jit_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// The module the unloading tests add and remove: a C++ static object,
// an __attribute__((destructor)) function and an atexit handler count
// their runs in the host's events array; mod_entry throws and catches
// through the module's own frames.
const unloadModuleSrc = `#include <cstdlib>
#include <stdexcept>
extern "C" long events[8];
enum { STATIC_DTOR, DESTRUCTOR, ATEXIT, CTOR };
struct Obj {
	Obj() { events[CTOR]++; }
	~Obj() { events[STATIC_DTOR]++; }
};
static Obj obj;
__attribute__((destructor)) static void fini() { events[DESTRUCTOR]++; }
static void at_exit_handler() { events[ATEXIT]++; }
__attribute__((constructor)) static void init() { atexit(at_exit_handler); }
__attribute__((noinline)) static int thrower(int x) {
	if (x > 0) throw std::runtime_error("boom");
	return 0;
}
extern "C" int mod_entry(int argc, char **argv) {
	try {
		return thrower(argc);
	} catch (const std::runtime_error &) {
		return 42;
	}
}
`

// unloadObjects compiles the module (g++) and the host that holds the
// counters (gcc), once per test binary.
func unloadObjects(t testing.TB) (mod, host []byte) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "mod.cpp")
	if err := os.WriteFile(src, []byte(unloadModuleSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("g++", "-c", "-O1", "-o", filepath.Join(dir, "mod.o"), src).CombinedOutput()
	if err != nil {
		t.Fatalf("g++: %v\n%s", err, out)
	}
	h, err := cc(dir, "host", "long events[8];")
	if err != nil {
		t.Fatal(err)
	}
	mod, err = os.ReadFile(filepath.Join(dir, "mod.o"))
	if err != nil {
		t.Fatal(err)
	}
	host, err = os.ReadFile(h)
	if err != nil {
		t.Fatal(err)
	}
	return mod, host
}

// unloadJIT is a JIT with the host linked and libstdc++ loaded.
type unloadJIT struct {
	*jit.JIT
	mod    []byte
	events shared.ExecutorAddr
}

var unloadModes = []struct {
	name string
	opts func() jit.Options
}{
	{"in-process", func() jit.Options { return jit.Options{} }},
	{"child", func() jit.Options { return jit.Options{Exec: "child", ExecutorCommand: []string{os.Args[0]}} }},
	{"child-shm", func() jit.Options {
		return jit.Options{Exec: "child", SHM: true, ExecutorCommand: []string{os.Args[0]}}
	}},
}

func newUnloadJIT(t testing.TB, ctx context.Context, opts jit.Options, mod, host []byte) *unloadJIT {
	t.Helper()
	j, err := jit.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := j.Close(context.Background()); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if err := j.LoadDylib(ctx, "-lstdc++"); err != nil {
		t.Fatal(err)
	}
	if err := j.AddObject("host.o", host); err != nil {
		t.Fatal(err)
	}
	ev, err := j.Lookup(ctx, "events")
	if err != nil {
		t.Fatal(err)
	}
	return &unloadJIT{JIT: j, mod: mod, events: ev}
}

// counts reads the host's events: static destructor, destructor
// function, atexit handler, constructor.
func (u *unloadJIT) counts(t testing.TB, ctx context.Context) [4]int64 {
	t.Helper()
	b, err := u.EPC.Read(ctx, u.events, 32)
	if err != nil {
		t.Fatal(err)
	}
	var c [4]int64
	for i := range c {
		c[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return c
}

// add adds the module under a new tracker, initializes it and returns the
// tracker and mod_entry's address.
func (u *unloadJIT) add(t testing.TB, ctx context.Context) (*jit.Tracker, shared.ExecutorAddr) {
	t.Helper()
	tr, err := u.NewTracker()
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.AddObject("mod.o", u.mod); err != nil {
		t.Fatal(err)
	}
	if err := tr.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	addr, err := u.Lookup(ctx, "mod_entry")
	if err != nil {
		t.Fatal(err)
	}
	return tr, addr
}

// TestCloseUnloadsTrackers checks that Close runs the destructors of the
// trackers still there exactly once — not again when the executor exits —
// and that a removed tracker's do not run again at Close.
func TestCloseUnloadsTrackers(t *testing.T) {
	for _, m := range unloadModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			dir := t.TempDir()
			log := filepath.Join(dir, "fini.log")
			src := `#include <stdio.h>
#include <stdlib.h>
static void note(const char *what) { FILE *f = fopen(LOG, "a"); fprintf(f, "%s %s\n", NAME, what); fclose(f); }
static void bye(void) { note("atexit"); }
__attribute__((constructor)) static void init(void) { atexit(bye); }
__attribute__((destructor)) static void fini(void) { note("destructor"); }
int NAME_fn(void) { return 1; }`
			var objs []string
			for _, name := range []string{"kept", "removed"} {
				o, err := cc(dir, name, strings.ReplaceAll(src, "NAME_fn", name+"_fn"), `-DLOG="`+log+`"`, `-DNAME="`+name+`"`)
				if err != nil {
					t.Fatal(err)
				}
				objs = append(objs, o)
			}
			j, err := jit.New(ctx, m.opts())
			if err != nil {
				t.Fatal(err)
			}
			var trs []*jit.Tracker
			for _, o := range objs {
				tr, err := j.NewTracker()
				if err != nil {
					t.Fatal(err)
				}
				if err := tr.AddObjectFile(o); err != nil {
					t.Fatal(err)
				}
				if err := tr.Initialize(ctx); err != nil {
					t.Fatal(err)
				}
				trs = append(trs, tr)
			}
			if err := trs[1].Remove(ctx); err != nil {
				t.Fatal(err)
			}
			if err := j.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if err := trs[0].Remove(ctx); err != nil {
				t.Errorf("Remove after Close: %v", err)
			}
			got, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			// As dlclose and exit run them: the atexit handler (registered
			// by the constructor, after the destructor) first.
			want := "removed atexit\nremoved destructor\nkept atexit\nkept destructor\n"
			if string(got) != want {
				t.Errorf("finalizer log:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestConcurrentTrackers adds, runs and removes modules from several
// goroutines at once (each its own symbol names), in this process and in
// a child executor.
func TestConcurrentTrackers(t *testing.T) {
	dir := t.TempDir()
	const workers, cycles = 4, 40
	var objs []string
	for w := 0; w < workers; w++ {
		o, err := cc(dir, fmt.Sprint("w", w), fmt.Sprintf(`#include <stdlib.h>
static int ready;
static void bye(void) {}
__attribute__((constructor)) static void init(void) { ready = %d; atexit(bye); }
int w%d_fn(void) { return ready; }`, w+1, w))
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
	for _, m := range unloadModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
			defer cancel()
			j, err := jit.New(ctx, m.opts())
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			errs := make(chan error, workers)
			for w := 0; w < workers; w++ {
				go func() {
					errs <- func() error {
						for c := 0; c < cycles; c++ {
							tr, err := j.NewTracker()
							if err != nil {
								return err
							}
							if err := tr.AddObjectFile(objs[w]); err != nil {
								return err
							}
							if err := tr.Initialize(ctx); err != nil {
								return err
							}
							addr, err := j.Lookup(ctx, fmt.Sprintf("w%d_fn", w))
							if err != nil {
								return err
							}
							if r, err := j.EPC.RunAsMain(ctx, addr, []string{"w"}); err != nil || r != w+1 {
								return fmt.Errorf("worker %d cycle %d: w%d_fn() = %d, %v; want %d", w, c, w, r, err, w+1)
							}
							if err := tr.Remove(ctx); err != nil {
								return err
							}
						}
						return nil
					}()
				}()
			}
			for w := 0; w < workers; w++ {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
			if st := j.SlabStats(); st.Allocations > 2 {
				t.Errorf("slab after every tracker was removed: %+v", st)
			}
		})
	}
}

// TestUnloadProperties checks, in this process, in child executors (code
// over the pipe or through shared memory) and in a TCP executor, what must
// hold after Tracker.Remove.
func TestUnloadProperties(t *testing.T) {
	mod, host := unloadObjects(t)
	props := []struct {
		name  string
		check func(t *testing.T, ctx context.Context, u *unloadJIT)
	}{
		{"symbols are gone", func(t *testing.T, ctx context.Context, u *unloadJIT) {
			tr, _ := u.add(t, ctx)
			if err := tr.Remove(ctx); err != nil {
				t.Fatal(err)
			}
			_, err := u.Lookup(ctx, "mod_entry")
			var nf *orc.SymbolsNotFoundError
			if !errors.As(err, &nf) || !strings.Contains(err.Error(), "mod_entry is not defined by any input") {
				t.Fatalf("lookup after remove: %v, want a not-found error naming mod_entry", err)
			}
			if err := tr.AddObject("mod.o", u.mod); !errors.Is(err, orc.ErrResourceTrackerRemoved) {
				t.Errorf("add to a removed tracker: %v", err)
			}
			if err := tr.Remove(ctx); err != nil {
				t.Errorf("second remove: %v", err)
			}
		}},
		{"destructors run exactly once per removal", func(t *testing.T, ctx context.Context, u *unloadJIT) {
			for cycle := int64(1); cycle <= 2; cycle++ {
				tr, _ := u.add(t, ctx)
				if got, want := u.counts(t, ctx), [4]int64{cycle - 1, cycle - 1, cycle - 1, cycle}; got != want {
					t.Fatalf("cycle %d after initialize: counts (static dtor, destructor, atexit, ctor) = %v, want %v", cycle, got, want)
				}
				if err := tr.Remove(ctx); err != nil {
					t.Fatal(err)
				}
				if err := tr.Remove(ctx); err != nil {
					t.Fatal(err)
				}
				if got, want := u.counts(t, ctx), [4]int64{cycle, cycle, cycle, cycle}; got != want {
					t.Fatalf("cycle %d after remove: counts (static dtor, destructor, atexit, ctor) = %v, want %v", cycle, got, want)
				}
			}
		}},
		{"exceptions work in a re-added copy", func(t *testing.T, ctx context.Context, u *unloadJIT) {
			var prev shared.ExecutorAddr
			for cycle := 0; cycle < 3; cycle++ {
				tr, entry := u.add(t, ctx)
				if cycle > 0 && entry != prev {
					t.Logf("cycle %d: mod_entry at %v, was %v", cycle, entry, prev)
				}
				prev = entry
				if r, err := u.EPC.RunAsMain(ctx, entry, []string{"mod"}); err != nil || r != 42 {
					t.Fatalf("cycle %d: throw and catch = %d, %v; want 42", cycle, r, err)
				}
				if err := tr.Remove(ctx); err != nil {
					t.Fatal(err)
				}
				if _, local := u.EPC.(epc.LocalMemory); local {
					if f := executor.UnwindFunctionStart(entry); f != 0 {
						t.Fatalf("cycle %d: the unwinder still knows %v (function %v) after remove: stale FDE", cycle, entry, f)
					}
				}
			}
		}},
		{"memory returns to the slab and is reused", func(t *testing.T, ctx context.Context, u *unloadJIT) {
			before := u.SlabStats()
			tr, first := u.add(t, ctx)
			if u.SlabStats().InUse <= before.InUse {
				t.Fatalf("slab in use %d after add, %d before", u.SlabStats().InUse, before.InUse)
			}
			if err := tr.Remove(ctx); err != nil {
				t.Fatal(err)
			}
			if after := u.SlabStats(); after.InUse != before.InUse || after.Allocations != before.Allocations {
				t.Fatalf("slab after remove %+v, before add %+v", after, before)
			}
			// The executor's pages are released: the old code is no
			// longer accessible. A small module's code is
			// carved from shared code blocks (memmgr's code heap): its
			// pages stay, and the freed code is overwritten with int3
			// (in this process and in a child without -shm).
			b, err := u.EPC.Read(ctx, first, 1)
			if u.SlabStats().HeapBlocks > 0 {
				if err != nil || b[0] != 0xcc {
					t.Errorf("the removed module's code at %v reads %x, %v; want int3", first, b, err)
				}
			} else if err == nil {
				t.Errorf("reading the removed module's code at %v succeeded", first)
			}
			tr, again := u.add(t, ctx)
			if again != first {
				t.Errorf("re-added module at %v, the freed copy was at %v: memory not reused", again, first)
			}
			if err := tr.Remove(ctx); err != nil {
				t.Fatal(err)
			}
		}},
		{"a module that fails to link is removed cleanly", func(t *testing.T, ctx context.Context, u *unloadJIT) {
			dir := t.TempDir()
			o, err := cc(dir, "broken", "int nowhere_at_all(void); int broken(void) { return nowhere_at_all(); }")
			if err != nil {
				t.Fatal(err)
			}
			before := u.SlabStats()
			tr, _ := u.NewTracker()
			if err := tr.AddObjectFile(o); err != nil {
				t.Fatal(err)
			}
			if err := tr.Initialize(ctx); err == nil || !strings.Contains(err.Error(), "nowhere_at_all (referenced by "+o+")") {
				t.Fatalf("initialize of a module with an undefined symbol: %v", err)
			}
			if err := tr.Remove(ctx); err != nil {
				t.Fatal(err)
			}
			if after := u.SlabStats(); after.InUse != before.InUse {
				t.Errorf("slab in use %d after removing the failed module, %d before", after.InUse, before.InUse)
			}
			// Its undefined symbols are forgotten with it: a later failed
			// lookup reports what is missing now.
			_, err = u.Lookup(ctx, "broken")
			var nf *orc.SymbolsNotFoundError
			if !errors.As(err, &nf) || strings.Contains(err.Error(), "nowhere_at_all") {
				t.Errorf("lookup of the removed module's symbol: %v, want not found without the old undefined symbol", err)
			}
			// The same names can be added again and work.
			tr2, _ := u.add(t, ctx)
			if err := tr2.Remove(ctx); err != nil {
				t.Fatal(err)
			}
		}},
		{"initialize runs each constructor once", func(t *testing.T, ctx context.Context, u *unloadJIT) {
			dir := t.TempDir()
			o, err := cc(dir, "second", `extern long events[8];
__attribute__((constructor)) static void init(void) { events[4]++; }
__attribute__((destructor)) static void fini(void) { events[5]++; }`)
			if err != nil {
				t.Fatal(err)
			}
			tr, _ := u.add(t, ctx)
			if err := tr.Initialize(ctx); err != nil {
				t.Fatal(err)
			}
			if err := tr.AddObjectFile(o); err != nil {
				t.Fatal(err)
			}
			if err := tr.Initialize(ctx); err != nil {
				t.Fatal(err)
			}
			b, err := u.EPC.Read(ctx, u.events, 48)
			if err != nil {
				t.Fatal(err)
			}
			ev := func(i int) uint64 { return binary.LittleEndian.Uint64(b[8*i:]) }
			if ev(3) != 1 || ev(4) != 1 || ev(5) != 0 {
				t.Fatalf("after three initializations: constructors %d and %d, destructor %d; want 1, 1, 0", ev(3), ev(4), ev(5))
			}
			if err := tr.Remove(ctx); err != nil {
				t.Fatal(err)
			}
			if b, err = u.EPC.Read(ctx, u.events, 48); err != nil {
				t.Fatal(err)
			}
			if ev(0) != 1 || ev(5) != 1 {
				t.Fatalf("after remove: destructors %d and %d, want 1 each", ev(0), ev(5))
			}
		}},
		{"thread-local storage is reused", func(t *testing.T, ctx context.Context, u *unloadJIT) {
			// glibc's static TLS surplus (about 1.6 KB) holds a few
			// hundred blocks (this one: about 210); a removed module's block
			// is reused.
			dir := t.TempDir()
			o, err := cc(dir, "tlsmod", "__thread int x = 5; __thread int y; int tls_get(void) { return x++ + y++; }")
			if err != nil {
				t.Fatal(err)
			}
			for cycle := 0; cycle < 500; cycle++ {
				tr, _ := u.NewTracker()
				if err := tr.AddObjectFile(o); err != nil {
					t.Fatal(err)
				}
				if err := tr.Initialize(ctx); err != nil {
					t.Fatalf("cycle %d: %v", cycle, err)
				}
				if cycle%100 == 0 {
					get, err := u.Lookup(ctx, "tls_get")
					if err != nil {
						t.Fatal(err)
					}
					// A fresh thread starts with the image.
					if r, err := u.EPC.RunAsMain(ctx, get, []string{"t"}); err != nil || r != 5 {
						t.Fatalf("cycle %d: tls_get() = %d, %v; want 5", cycle, r, err)
					}
				}
				if err := tr.Remove(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"removing a module in use is refused", func(t *testing.T, ctx context.Context, u *unloadJIT) {
			dir := t.TempDir()
			a, err := cc(dir, "liba", "int a_fn(int x) { return x + 1; }")
			if err != nil {
				t.Fatal(err)
			}
			b, err := cc(dir, "user", "int a_fn(int); int b_fn(int x) { return a_fn(x) * 2; }")
			if err != nil {
				t.Fatal(err)
			}
			ta, _ := u.NewTracker()
			tb, _ := u.NewTracker()
			if err := ta.AddObjectFile(a); err != nil {
				t.Fatal(err)
			}
			if err := tb.AddObjectFile(b); err != nil {
				t.Fatal(err)
			}
			if err := tb.Initialize(ctx); err != nil {
				t.Fatal(err)
			}
			err = ta.Remove(ctx)
			var inUse *jit.InUseError
			if !errors.As(err, &inUse) || !strings.Contains(err.Error(), "user.o uses a_fn (defined by "+a+")") {
				t.Fatalf("remove of a used module: %v", err)
			}
			if _, err := u.Lookup(ctx, "a_fn"); err != nil {
				t.Fatalf("refused remove changed something: %v", err)
			}
			if len(inUse.Permanent) != 0 || !strings.HasSuffix(err.Error(), "remove the users first") {
				t.Errorf("a user under a tracker reported as permanent: %v", err)
			}
			if err := tb.Remove(ctx); err != nil {
				t.Fatal(err)
			}
			if err := ta.Remove(ctx); err != nil {
				t.Fatalf("remove after its user is gone: %v", err)
			}
			// A user added without a tracker cannot be removed: the
			// error says the module stays.
			tc, _ := u.NewTracker()
			if err := tc.AddObjectFile(a); err != nil {
				t.Fatal(err)
			}
			if err := u.AddObjectFile(b); err != nil {
				t.Fatal(err)
			}
			if _, err := u.Lookup(ctx, "b_fn"); err != nil {
				t.Fatal(err)
			}
			err = tc.Remove(ctx)
			if !errors.As(err, &inUse) || len(inUse.Permanent) != 1 || inUse.Permanent[0] != b ||
				!strings.Contains(err.Error(), "not under a tracker (the module stays until Close): "+b) {
				t.Fatalf("remove of a module used by a permanent object: %v", err)
			}
		}},
	}
	tcp := tcpExecutor(t)
	modes := append(unloadModes, struct {
		name string
		opts func() jit.Options
	}{"tcp", func() jit.Options { return jit.Options{Exec: tcp} }})
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			for _, p := range props {
				t.Run(p.name, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
					defer cancel()
					u := newUnloadJIT(t, ctx, m.opts(), mod, host)
					p.check(t, ctx, u)
				})
			}
		})
	}
}
