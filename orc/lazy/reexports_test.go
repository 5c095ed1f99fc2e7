//go:build cgo

package lazy_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc"
)

// threadsMain: 8 pthreads wait at a barrier, then each calls the four
// lazily linked functions (through a table of their addresses, in an
// order that differs per thread, and directly), so first calls of every
// function race from several threads.
const threadsMain = `#include <pthread.h>
extern long f0(long), f1(long), f2(long), f3(long);
static long (*const fs[4])(long) = {f0, f1, f2, f3};
static pthread_barrier_t bar;
static long res[8][5];
static void *worker(void *arg) {
	long i = (long)arg;
	pthread_barrier_wait(&bar);
	for (int k = 0; k < 4; k++) res[i][(i + k) % 4] = fs[(i + k) % 4](i);
	res[i][4] = f3(i) + f0(i);
	return 0;
}
int main(void) {
	pthread_t t[8];
	pthread_barrier_init(&bar, 0, 8);
	for (long i = 0; i < 8; i++) if (pthread_create(&t[i], 0, worker, (void *)i)) return 100;
	for (int i = 0; i < 8; i++) pthread_join(t[i], 0);
	int bad = 0;
	for (long i = 0; i < 8; i++) {
		for (long k = 0; k < 4; k++) if (res[i][k] != i * 10 + k) bad++;
		if (res[i][4] != (i * 10 + 3) + i * 10) bad++;
	}
	return bad;
}`

// fsrc is function k of the lazily linked library (f3 calls f2's body
// directly, inside the library).
func fsrc(k int) string {
	if k == 3 {
		return "extern long f2(long);\nlong f3(long x) { return f2(x) + 1; }"
	}
	return fmt.Sprintf("long f%d(long x) { return x * 10 + %d; }", k, k)
}

// TestLazyReexportsConcurrentFirstCalls: 8 threads of a C program make
// their first calls to lazily linked functions at once; each function's
// object is linked exactly once, every thread gets the right results, and
// the stubs end up pointing at the bodies. In-process and in a child
// executor (pipes, shared memory).
func TestLazyReexportsConcurrentFirstCalls(t *testing.T) {
	dir := t.TempDir()
	mainObj := cc(t, dir, "main", threadsMain)
	var libObjs [4][]byte
	for k := range libObjs {
		libObjs[k] = cc(t, dir, fmt.Sprintf("f%d", k), fsrc(k))
	}
	for _, mode := range execModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			j, err := jit.New(ctx, mode.opts())
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			counter := &linkCounter{delay: 20 * time.Millisecond}
			j.Layer.AddPlugin(counter)
			lib, err := j.ES.CreateJITDylib("lib")
			if err != nil {
				t.Fatal(err)
			}
			aliases := orc.SymbolAliasMap{}
			for k, data := range libObjs {
				if _, err := j.Layer.Add(lib, nil, fmt.Sprintf("f%d.o", k), data); err != nil {
					t.Fatal(err)
				}
				n := j.ES.Intern(fmt.Sprintf("f%d", k))
				aliases[n] = orc.SymbolAliasMapEntry{Aliasee: n, Flags: orc.Exported | orc.Callable}
			}
			if err := j.AddLazyReexports(lib, aliases); err != nil {
				t.Fatal(err)
			}
			if err := j.AddObject("main.o", mainObj); err != nil {
				t.Fatal(err)
			}
			mainAddr, err := j.Lookup(ctx, "main")
			if err != nil {
				t.Fatal(err)
			}
			for k := range libObjs {
				if n := counter.count(fmt.Sprintf("f%d.o", k)); n != 0 {
					t.Fatalf("f%d.o linked %d times before the program ran", k, n)
				}
			}
			st, err := j.EPC.RunAsMain(ctx, mainAddr, []string{"threads"})
			if err != nil {
				t.Fatal(err)
			}
			if st != 0 {
				t.Errorf("main returned %d: that many wrong results", st)
			}
			lz, _ := j.Lazy()
			for k := range libObjs {
				name := fmt.Sprintf("f%d", k)
				if n := counter.count(name + ".o"); n != 1 {
					t.Errorf("%s.o linked %d times, want 1", name, n)
				}
				body, err := j.ES.LookupSymbol(ctx, lib, name)
				if err != nil {
					t.Fatal(err)
				}
				stub, ok := lz.Stubs.FindStub(name)
				if !ok {
					t.Fatalf("no stub for %s", name)
				}
				p, err := j.EPC.Read(ctx, stub.Pointer, 8)
				if err != nil {
					t.Fatal(err)
				}
				if got := binary.LittleEndian.Uint64(p); got != uint64(body.Addr) {
					t.Errorf("stub of %s points to %#x, want its body at %v", name, got, body.Addr)
				}
			}
			re := lz.CallThrough.Reentries()
			if re < 4 || re > 8*4 {
				t.Errorf("%d re-entries, want between 4 and 32", re)
			}
			t.Logf("%d re-entries for 4 functions from 8 threads", re)
		})
	}
}
