//go:build cgo

package jit

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/orc"
)

// TestLazyIRCalleeStubsBeforeLink: compiling a lazily compiled function
// defines the stubs of the module's functions its code refers to (and
// only those), in the main dylib, before its graph is linked, so that
// the link finds them defined instead of running the stub generator
// through a session lookup per callee; the program still runs.
func TestLazyIRCalleeStubsBeforeLink(t *testing.T) {
	const src = `define i32 @h(i32 %x) {
entry:
  %r = add i32 %x, 1
  ret i32 %r
}
define i32 @k(i32 %x) {
entry:
  %r = call i32 @h(i32 %x)
  ret i32 %r
}
define i32 @unused(i32 %x) {
entry:
  ret i32 %x
}
define i32 @main() {
entry:
  %a = call i32 @k(i32 1)
  %b = call i32 @h(i32 %a)
  ret i32 %b
}
`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	j, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if err := j.AddLazyIR(ctx, "m.ll", []byte(src), 2, PartitionFunction); err != nil {
		t.Fatal(err)
	}
	stubs := func() []string {
		var s []string
		for _, si := range j.Symbols() {
			switch n := si.Name.String(); n {
			case "h", "k", "unused", "main":
				s = append(s, n)
			}
		}
		slices.Sort(s)
		return s
	}
	// main's stub, made by the generator for this lookup.
	if _, err := j.Lookup(ctx, "main"); err != nil {
		t.Fatal(err)
	}
	if got := stubs(); !slices.Equal(got, []string{"main"}) {
		t.Fatalf("after looking up main, the main dylib defines %v, want [main]", got)
	}
	j.mu.Lock()
	lm := j.lazyIR[0].lm
	j.mu.Unlock()
	// Compile main's body (what its first call does before linking it).
	g, err := lm.compile(ctx, []orc.SymbolName{j.ES.Intern("main")})
	if err != nil {
		t.Fatal(err)
	}
	if g == nil {
		t.Fatal("no graph")
	}
	if got := stubs(); !slices.Equal(got, []string{"h", "k", "main"}) {
		t.Fatalf("after compiling main, the main dylib defines %v, want [h k main] (main's callees stubbed, unused not)", got)
	}
	if n := j.LazyCompiled(); n != 1 {
		t.Errorf("%d functions compiled, want 1 (a stub is not a compile)", n)
	}
}
