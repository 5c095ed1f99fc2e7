//go:build cgo

package lazy_test

import (
	"context"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/lazy"
)

// TestDefineLazyReexportsNow: where stubs are pooled (in this process,
// and over a byte stream, whose pointer writes travel with a re-entry's
// answer) DefineLazyReexports makes the stub at once and defines the
// alias Ready (no unit left to materialize). The body is linked on the
// first call only, once, and later calls go through the repointed stub.
func TestDefineLazyReexportsNow(t *testing.T) {
	dir := t.TempDir()
	obj := cc(t, dir, "f1", fsrc(1))
	for _, mode := range execModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			j, err := jit.New(ctx, mode.opts())
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			counter := &linkCounter{}
			j.Layer.AddPlugin(counter)
			lib, err := j.ES.CreateJITDylib("lib")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := j.Layer.Add(lib, nil, "f1.o", obj); err != nil {
				t.Fatal(err)
			}
			lz, err := j.Lazy()
			if err != nil {
				t.Fatal(err)
			}
			n := j.ES.Intern("f1")
			aliases := orc.SymbolAliasMap{n: {Aliasee: n, Flags: orc.Exported | orc.Callable}}
			if err := lazy.DefineLazyReexports(ctx, j.Main, nil, lz.CallThrough, lz.Stubs, lib, aliases); err != nil {
				t.Fatal(err)
			}
			if got := symbolState(j.Main, "f1"); got != "Ready" {
				t.Errorf("f1 after DefineLazyReexports: %s, want Ready", got)
			}
			if _, made := lz.Stubs.FindStub("f1"); !made {
				t.Error("no stub for f1 after DefineLazyReexports")
			}
			a, err := j.Lookup(ctx, "f1")
			if err != nil {
				t.Fatal(err)
			}
			if c := counter.count("f1.o"); c != 0 {
				t.Fatalf("f1.o linked %d times before the first call", c)
			}
			for i := range 2 {
				// f1(argc) = argc*10 + 1
				if st, err := j.EPC.RunAsMain(ctx, a, []string{"f1"}); err != nil || st != 11 {
					t.Fatalf("call %d: f1(1) = %d, %v; want 11", i, st, err)
				}
			}
			if c := counter.count("f1.o"); c != 1 {
				t.Errorf("f1.o linked %d times, want 1", c)
			}
			if re := lz.CallThrough.Reentries(); re != 1 {
				t.Errorf("%d re-entries for two calls, want 1", re)
			}
			// A second definition of the name is refused, in both forms.
			if err := lazy.DefineLazyReexports(ctx, j.Main, nil, lz.CallThrough, lz.Stubs, lib, aliases); err == nil {
				t.Error("defining f1's reexport again succeeded")
			}
		})
	}
}

// TestDefineLazyReexportsUnpooled: with a stubs manager that links each
// group of stubs (no pool), DefineLazyReexports defines the
// lazy-reexports unit: nothing is made until the alias is looked up.
func TestDefineLazyReexportsUnpooled(t *testing.T) {
	ctx := context.Background()
	j, lz := newLocalLazy(t)
	lib, err := j.ES.CreateJITDylib("lib")
	if err != nil {
		t.Fatal(err)
	}
	n := j.ES.Intern("f1")
	if err := lib.Define(orc.AbsoluteSymbols(orc.SymbolMap{n: {Addr: 0x1000, Flags: orc.Exported | orc.Callable}}), nil); err != nil {
		t.Fatal(err)
	}
	stubs := lazy.NewStubsManager(hostArch(t), jitlinktest.NewMemoryManager(0x10000), nil)
	aliases := orc.SymbolAliasMap{n: {Aliasee: n, Flags: orc.Exported | orc.Callable}}
	if err := lazy.DefineLazyReexports(ctx, j.Main, nil, lz.CallThrough, stubs, lib, aliases); err != nil {
		t.Fatal(err)
	}
	if got := symbolState(j.Main, "f1"); got != "NeverSearched" {
		t.Errorf("f1 after DefineLazyReexports: %s, want NeverSearched", got)
	}
	if _, made := stubs.FindStub("f1"); made {
		t.Error("stub made before any lookup")
	}
	d, err := j.ES.LookupSymbol(ctx, j.Main, "f1")
	if err != nil {
		t.Fatal(err)
	}
	if s, made := stubs.FindStub("f1"); !made || s.Addr != d.Addr {
		t.Errorf("after the lookup: stub %+v (made %v), f1 at %v", s, made, d.Addr)
	}
}

// symbolState is jd's state of name ("absent" if undefined).
func symbolState(jd *orc.JITDylib, name string) string {
	for _, s := range jd.Symbols() {
		if s.Name.String() == name {
			return s.State.String()
		}
	}
	return "absent"
}
