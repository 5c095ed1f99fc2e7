//go:build cgo

package objlayer_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/objlayer"
)

// TestRemoveForgetsTrackerRecords checks what the layer keeps per tracker:
// a removed tracker's constructors and destructors are no longer listed
// (they pointed into freed memory), Dependents names the objects linked
// against a tracker's symbols, and the init-symbol name of a removed unit
// is reused by the next one.
func TestRemoveForgetsTrackerRecords(t *testing.T) {
	dir := t.TempDir()
	v := newEnv(t)
	ctx := context.Background()
	lib := compile(t, dir, "lib", `
static int ready;
__attribute__((constructor)) static void init(void) { ready = 1; }
__attribute__((destructor)) static void fini(void) { ready = 0; }
int lib_fn(void) { return 7 + ready; }`)
	user := compile(t, dir, "user", `int lib_fn(void); int user_fn(void) { return lib_fn() * 2; }`)

	rt, err := v.jd.CreateResourceTracker()
	if err != nil {
		t.Fatal(err)
	}
	init1, err := v.l.Add(v.jd, rt, "lib.o", lib)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.call(t, "lib_fn"); got != 7 {
		t.Fatalf("lib_fn = %d, want 7 (constructor not run yet)", got)
	}
	count := func() (n int) {
		inits, finis := v.l.Initializers()
		for _, f := range append(inits, finis...) {
			if f.Key == rt.Key() {
				n++
			}
		}
		return n
	}
	if n := count(); n != 2 {
		t.Fatalf("%d initializers of the tracker listed, want 2 (constructor and destructor)", n)
	}

	urt, err := v.jd.CreateResourceTracker()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.l.Add(v.jd, urt, "user.o", user); err != nil {
		t.Fatal(err)
	}
	if got := v.call(t, "user_fn"); got != 14 {
		t.Fatalf("user_fn = %d, want 14", got)
	}
	deps := v.l.Dependents(rt.Key())
	if len(deps) != 1 || deps[0].Object != "user.o" || deps[0].Symbol != "lib_fn" || deps[0].Definer != "lib.o" || deps[0].Key != urt.Key() {
		t.Fatalf("Dependents = %v, want user.o using lib_fn of lib.o", deps)
	}
	if got := deps[0].String(); !strings.Contains(got, "user.o uses lib_fn (defined by lib.o)") {
		t.Errorf("Dependent.String() = %q", got)
	}
	if d := v.l.Dependents(urt.Key()); len(d) != 0 {
		t.Errorf("nobody uses user.o, Dependents = %v", d)
	}
	if err := urt.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	if d := v.l.Dependents(rt.Key()); len(d) != 0 {
		t.Errorf("after removing user.o, Dependents = %v", d)
	}

	if err := rt.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Errorf("%d initializers of the removed tracker still listed", n)
	}
	names := v.es.SymbolStringPool().Len()
	rt2, err := v.jd.CreateResourceTracker()
	if err != nil {
		t.Fatal(err)
	}
	init2, err := v.l.Add(v.jd, rt2, "lib.o", lib)
	if err != nil {
		t.Fatal(err)
	}
	if init2 != init1 || v.es.SymbolStringPool().Len() != names {
		t.Errorf("re-added unit's init symbol %v (was %v); name pool %d -> %d", init2, init1, names, v.es.SymbolStringPool().Len())
	}
	if got := v.call(t, "lib_fn"); got != 7 {
		t.Fatalf("lib_fn after re-add = %d, want 7", got)
	}
	inits, _ := v.l.TakeInitializersOf(rt2.Key())
	if len(inits) != 1 {
		t.Fatalf("TakeInitializersOf = %v, want the one constructor", inits)
	}
	if again, _ := v.l.TakeInitializersOf(rt2.Key()); len(again) != 0 {
		t.Errorf("second TakeInitializersOf = %v, want none", again)
	}
}

// TestRemoveWhileFinalizingForgetsInitializers: a tracker removed right
// after its object's memory was finalized under its key (before the
// plugins are told) does not leave the object's constructors and
// destructors listed: they would point into freed memory.
func TestRemoveWhileFinalizingForgetsInitializers(t *testing.T) {
	dir := t.TempDir()
	v := newEnv(t)
	ctx := context.Background()
	lib := compile(t, dir, "lib", `
static int ready;
__attribute__((constructor)) static void init(void) { ready = 1; }
__attribute__((destructor)) static void fini(void) { ready = 0; }
int lib_fn(void) { return 7 + ready; }`)
	rt, err := v.jd.CreateResourceTracker()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.l.Add(v.jd, rt, "lib.o", lib); err != nil {
		t.Fatal(err)
	}
	// The removal's error, once it returned (the lookup fails as soon as
	// the symbols are, before the resource managers are told).
	removed := make(chan error, 1)
	var once sync.Once
	objlayer.SetFinalizedHook(func(k orc.ResourceKey) {
		if k == rt.Key() {
			once.Do(func() { removed <- rt.Remove(ctx) })
		}
	})
	defer objlayer.SetFinalizedHook(nil)
	if _, err := v.es.LookupSymbol(ctx, v.jd, "lib_fn"); err == nil {
		t.Error("lookup of a symbol whose tracker was removed while linking succeeded")
	}
	if err := <-removed; err != nil {
		t.Fatalf("removal from the hook: %v", err)
	}
	inits, finis := v.l.Initializers()
	for _, f := range append(inits, finis...) {
		if f.Key == rt.Key() {
			t.Errorf("initializer %v of the removed tracker still listed", f)
		}
	}
}
