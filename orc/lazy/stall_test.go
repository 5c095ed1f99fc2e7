//go:build cgo

package lazy_test

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// stallMain: thread A makes the first call of slow() (whose
// materialization the test holds back) while the main thread B keeps
// counting in progress until A is done.
const stallMain = `#include <pthread.h>
#include <unistd.h>
extern long slow(long);
volatile long progress;
volatile int done;
static void *a(void *p) { long r = slow(41); done = 1; return (void *)r; }
int main(void) {
	pthread_t t;
	if (pthread_create(&t, 0, a, 0)) return 100;
	while (!done) { progress++; usleep(200); }
	void *r;
	pthread_join(t, &r);
	return (long)r == 42 ? 0 : 1;
}`

// gatedReexport defines name in a dylib as its definition in impl, but
// only once release is closed; entered is closed when its materialization
// starts.
func gatedReexport(name orc.SymbolName, impl *orc.JITDylib, entered, release chan struct{}) orc.MaterializationUnit {
	return &orc.SimpleMaterializationUnit{
		UnitName: "gate",
		Syms:     orc.SymbolFlagsMap{name: orc.Exported | orc.Callable},
		MaterializeFunc: func(ctx context.Context, r *orc.MaterializationResponsibility) {
			close(entered)
			select {
			case <-release:
			case <-ctx.Done():
				r.FailMaterialization(ctx.Err())
				return
			}
			m, err := r.GetExecutionSession().Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, impl), orc.NewSymbolLookupSet(name), orc.SymbolStateReady)
			if err != nil {
				r.FailMaterialization(err)
				return
			}
			if err := r.NotifyResolved(orc.SymbolMap{name: m[name]}); err != nil {
				r.FailMaterialization(err)
				return
			}
			if err := r.NotifyEmitted(nil); err != nil {
				r.FailMaterialization(err)
			}
		},
	}
}

// TestReentryDoesNotStall: while thread A waits in a lazy re-entry whose
// materialization is slow, the program's other thread keeps running and
// the executor keeps answering the controller (memory reads); then A
// proceeds and the program ends normally.
func TestReentryDoesNotStall(t *testing.T) {
	dir := t.TempDir()
	mainObj := cc(t, dir, "main", stallMain)
	implObj := cc(t, dir, "slow", "long slow(long x) { return x + 1; }")
	for _, mode := range execModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			j, err := jit.New(ctx, mode.opts())
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			impl, _ := j.ES.CreateJITDylib("impl")
			gate, _ := j.ES.CreateJITDylib("gate")
			if _, err := j.Layer.Add(impl, nil, "slow.o", implObj); err != nil {
				t.Fatal(err)
			}
			slow := j.ES.Intern("slow")
			entered, release := make(chan struct{}), make(chan struct{})
			if err := gate.Define(gatedReexport(slow, impl, entered, release), nil); err != nil {
				t.Fatal(err)
			}
			if err := j.AddLazyReexports(gate, orc.SymbolAliasMap{slow: {Aliasee: slow, Flags: orc.Exported | orc.Callable}}); err != nil {
				t.Fatal(err)
			}
			if err := j.AddObject("main.o", mainObj); err != nil {
				t.Fatal(err)
			}
			mainAddr, err := j.Lookup(ctx, "main")
			if err != nil {
				t.Fatal(err)
			}
			progress, err := j.Lookup(ctx, "progress")
			if err != nil {
				t.Fatal(err)
			}
			done, err := j.Lookup(ctx, "done")
			if err != nil {
				t.Fatal(err)
			}
			type result struct {
				st  int
				err error
			}
			res := make(chan result, 1)
			go func() {
				st, err := j.EPC.RunAsMain(ctx, mainAddr, []string{"stall"})
				res <- result{st, err}
			}()
			select {
			case <-entered:
			case r := <-res:
				t.Fatalf("program ended (%d, %v) before slow was materialized", r.st, r.err)
			case <-ctx.Done():
				t.Fatal("slow's materialization never started")
			}
			read := func(a shared.ExecutorAddr, n uint64) uint64 {
				t.Helper()
				rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				b, err := j.EPC.Read(rctx, a, n)
				if err != nil {
					t.Fatalf("reading executor memory while a re-entry waits: %v", err)
				}
				if n == 4 {
					return uint64(binary.LittleEndian.Uint32(b))
				}
				return binary.LittleEndian.Uint64(b)
			}
			p1 := read(progress, 8)
			deadline := time.Now().Add(10 * time.Second)
			for read(progress, 8) < p1+10 {
				if time.Now().After(deadline) {
					t.Fatalf("thread B made no progress while thread A waited in a re-entry (progress %d)", read(progress, 8))
				}
				time.Sleep(5 * time.Millisecond)
			}
			if d := read(done, 4); d != 0 {
				t.Fatalf("thread A finished (done=%d) before its body was released", d)
			}
			close(release)
			r := <-res
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.st != 0 {
				t.Errorf("main returned %d, want 0 (slow(41) == 42)", r.st)
			}
		})
	}
}
