//go:build cgo

package objlayer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/orc"
)

// TestEmitGraph: a unit that links its own graph (Layer.EmitGraph, as a
// lazy compile-on-demand unit of one function does) defines and runs the
// function, resolving externals through linkAs's search order; a unit
// that does not own exactly the graph's definitions, or a graph with
// initializers, is refused (ok false) and left as it was, and a link
// error is returned, not reported on the unit.
func TestEmitGraph(t *testing.T) {
	dir := t.TempDir()
	v := newEnv(t)
	ctx := context.Background()
	// linkAs holds the external the emitted graph calls; v.jd does not.
	lib, err := v.es.CreateJITDylib("emit-lib")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.l.Add(lib, nil, "lib.o", compile(t, dir, "lib", "int base(void) { return 40; }")); err != nil {
		t.Fatal(err)
	}
	linkAs, err := v.es.CreateJITDylib("emit-linkas")
	if err != nil {
		t.Fatal(err)
	}
	if err := linkAs.SetLinkOrder(orc.SearchOrder(orc.MatchAllSymbols, lib), false); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, src string
		owns      []string // the unit's symbols
		ok        bool     // EmitGraph links it
		errHas    string   // the link's error, when ok
		call      string
		want      int
	}{
		{name: "one", src: "int base(void);\nint one(void) { return base() + 2; }", owns: []string{"one"}, ok: true, call: "one", want: 42},
		{name: "two", src: "int two_a(void) { return 1; }\nint two_b(void) { return 2; }", owns: []string{"two_a"}},
		{name: "other", src: "int other_a(void) { return 1; }", owns: []string{"other_a", "other_b"}},
		{name: "ctor", src: "static int k;\n__attribute__((constructor)) static void init(void) { k = 5; }\nint ctor(void) { return k; }", owns: []string{"ctor"}},
		{name: "undef", src: "int nowhere(void);\nint undef(void) { return nowhere(); }", owns: []string{"undef"}, ok: true, errHas: "nowhere"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := elf.Parse(c.name+".o", compile(t, dir, c.name, c.src))
			if err != nil {
				t.Fatal(err)
			}
			syms := orc.SymbolFlagsMap{}
			var names []orc.SymbolName
			for _, n := range c.owns {
				syms[v.es.Intern(n)] = orc.Exported | orc.Callable
				names = append(names, v.es.Intern(n))
			}
			type emitted struct {
				ok  bool
				err error
			}
			// The materializer's result, handed over: the lookup can
			// return (symbols ready) before EmitGraph itself returns.
			done := make(chan emitted, 1)
			u := &orc.SimpleMaterializationUnit{UnitName: c.name, Syms: syms, MaterializeFunc: func(ctx context.Context, r *orc.MaterializationResponsibility) {
				ok, lerr := v.l.EmitGraph(ctx, r, g, linkAs)
				if !ok || lerr != nil {
					r.FailMaterialization(&refused{ok, lerr})
				}
				done <- emitted{ok, lerr}
			}}
			if err := v.jd.Define(u, nil); err != nil {
				t.Fatal(err)
			}
			_, err = v.es.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, v.jd), orc.NewSymbolLookupSet(names...), orc.SymbolStateReady)
			var res emitted
			select {
			case res = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the unit's materializer did not finish within 30 s")
			}
			ok, lerr := res.ok, res.err
			if ok != c.ok {
				t.Fatalf("EmitGraph ok = %v, want %v (lookup: %v)", ok, c.ok, err)
			}
			switch {
			case !c.ok:
				if err == nil {
					t.Fatal("lookup of a refused unit succeeded")
				}
			case c.errHas != "":
				if lerr == nil || !strings.Contains(lerr.Error(), c.errHas) {
					t.Fatalf("link error %v, want one naming %s", lerr, c.errHas)
				}
			default:
				if err != nil || lerr != nil {
					t.Fatalf("lookup: %v, link: %v", err, lerr)
				}
				if got := v.call(t, c.call); got != c.want {
					t.Errorf("%s() = %d, want %d", c.call, got, c.want)
				}
			}
		})
	}
}

// refused is the error a test unit fails with when EmitGraph did not link
// its graph.
type refused struct {
	ok  bool
	err error
}

func (e *refused) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return "EmitGraph refused the graph"
}
