//go:build cgo

package jit_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc"
)

// FuzzLazyIR adds arbitrary text as a lazy IR module (the splitter:
// ir.ParseLazy; the partitioner: AddLazyIR's stubs and partitions, in
// function, callees and module partitions by the first byte) to a JIT in
// this process, then compiles and links the body of every function it
// defined, one lookup each, as first calls would (nothing runs). It must
// not panic or hang; every error must name the module ("fuzz.ll").
// The seed corpus is testdata/fuzz/FuzzLazyIR plus the inputs below.
func FuzzLazyIR(f *testing.F) {
	f.Add(byte(0), []byte(lazyModuleIR))
	f.Add(byte(1), []byte(lazyModuleIR))
	f.Add(byte(2), []byte(lazyModuleIR))
	if src, err := os.ReadFile(filepath.Join("..", "cmd", "gorc", "testdata", "fib.ll")); err == nil {
		f.Add(byte(0), src)
	}
	// A body that fails only when compiled; a callee nothing defines; a
	// body that does not verify; recursion through its own stub.
	f.Add(byte(0), []byte("define i64 @bad(i64 %x) {\n  %r = add i64 %x, %nope\n  ret i64 %r\n}\ndefine i64 @main() {\n  %v = call i64 @bad(i64 1)\n  ret i64 %v\n}\n"))
	f.Add(byte(1), []byte("declare i64 @nowhere(i64)\ndefine i64 @u(i64 %x) {\n  %r = call i64 @nowhere(i64 %x)\n  ret i64 %r\n}\n"))
	f.Add(byte(0), []byte("define i64 @d(i64 %x) {\nentry:\n  %c = icmp eq i64 %x, 0\n  br i1 %c, label %a, label %b\na:\n  %y = add i64 %x, 1\n  br label %b\nb:\n  %z = add i64 %y, 1\n  ret i64 %z\n}\n"))
	f.Add(byte(1), []byte("define internal i64 @g(i64 %x) {\n  %c = icmp eq i64 %x, 0\n  br i1 %c, label %z, label %r\nz:\n  ret i64 0\nr:\n  %y = sub i64 %x, 1\n  %v = call i64 @g(i64 %y)\n  ret i64 %v\n}\ndefine i64 @main() {\n  %v = call i64 @g(i64 5)\n  ret i64 %v\n}\n"))
	f.Fuzz(func(t *testing.T, part byte, src []byte) {
		if len(src) > 1<<14 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		j, err := jit.New(ctx, jit.Options{Exec: "local"})
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close(ctx)
		p := []jit.Partitioning{jit.PartitionFunction, jit.PartitionCallees, jit.PartitionModule}[int(part)%3]
		named := func(what string, err error) {
			if err != nil && !strings.Contains(err.Error(), "fuzz.ll") {
				t.Fatalf("%s: error does not name the module: %v", what, err)
			}
		}
		if err := j.AddLazyIR(ctx, "fuzz.ll", src, 1, p); err != nil {
			named("AddLazyIR", err)
			return
		}
		bodies, _, err := j.LazyDylibs()
		if err != nil {
			t.Fatal(err)
		}
		// The functions the module defines, by the names their bodies
		// have in the JIT (internal ones renamed NAME.lazy1, the first
		// lazy module's).
		m, pending, err := ir.ParseLazy("fuzz.ll", src)
		if err != nil {
			t.Fatalf("AddLazyIR accepted what ParseLazy refuses: %v", err)
		}
		for _, fn := range m.Funcs {
			if fn.IsDeclaration() && !pending.Pending(fn) {
				continue
			}
			name := fn.Name
			if fn.Linkage == ir.Internal || fn.Linkage == ir.Private {
				name += ".lazy1"
			}
			// The stub first (its generator defines the body), then the
			// body: a first call's lookups.
			if _, err := j.Lookup(ctx, name); err != nil {
				named("looking up "+name, err)
				continue
			}
			_, err := j.ES.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, bodies), orc.NewSymbolLookupSet(j.ES.Intern(name)), orc.SymbolStateReady)
			if ctx.Err() != nil {
				t.Fatalf("compiling %s: no answer within 60 s", name)
			}
			named("compiling "+name, err)
		}
	})
}
