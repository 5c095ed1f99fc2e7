//go:build cgo

package jit_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc"
)

func newLazyTestJIT(t *testing.T, exec string) (context.Context, *jit.JIT) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	j, err := jit.New(ctx, jit.Options{Exec: exec, ExecutorCommand: []string{os.Args[0]}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close(ctx) })
	return ctx, j
}

// TestAddLazyIRStubsOnlyReferred: AddLazyIR declares nothing per function
// up front; a stub appears in the main dylib only for a function linked
// code refers to (main, the two functions main calls and the one those
// call), so start-up does not grow with the functions never called.
func TestAddLazyIRStubsOnlyReferred(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, "define i32 @h%d(i32 %%x) {\nentry:\n  %%r = add i32 %%x, %d\n  ret i32 %%r\n}\n", i, i)
	}
	b.WriteString("define i32 @k(i32 %x) {\nentry:\n  %r = call i32 @h7(i32 %x)\n  ret i32 %r\n}\n")
	b.WriteString("define i32 @main() {\nentry:\n  %a = call i32 @k(i32 1)\n  %b = call i32 @h30(i32 %a)\n  ret i32 %b\n}\n")
	for _, exec := range []string{"local", "child"} {
		t.Run(exec, func(t *testing.T) {
			ctx, j := newLazyTestJIT(t, exec)
			if err := j.AddLazyIR(ctx, "m.ll", []byte(b.String()), 2, jit.PartitionFunction); err != nil {
				t.Fatal(err)
			}
			addr, err := j.Lookup(ctx, "main")
			if err != nil {
				t.Fatal(err)
			}
			st, err := j.EPC.RunAsMain(ctx, addr, []string{"m"})
			if err != nil {
				t.Fatal(err)
			}
			if st != 38 {
				t.Errorf("main returned %d, want 38", st)
			}
			var stubs []string
			for _, s := range j.Symbols() {
				if n := s.Name.String(); n == "main" || n == "k" || strings.HasPrefix(n, "h") {
					stubs = append(stubs, n)
				}
			}
			if want := "h30 h7 k main"; strings.Join(stubs, " ") != want {
				t.Errorf("main dylib defines %v, want only %s", stubs, want)
			}
			if n := j.LazyCompiled(); n != 4 {
				t.Errorf("%d functions compiled, want 4", n)
			}
		})
	}
}

// TestAddLazyIRDefinitionBeforeProcess: a lazily compiled function named
// like a C library function is the one code reaches, also when the module
// is added after linking started (its stubs are made on demand, and that
// comes before the process's symbols).
func TestAddLazyIRDefinitionBeforeProcess(t *testing.T) {
	ctx, j := newLazyTestJIT(t, "local")
	if err := j.LinkAll(ctx); err != nil {
		t.Fatal(err)
	}
	src := "define i32 @abs(i32 %x) {\nentry:\n  ret i32 42\n}\ndefine i32 @main() {\nentry:\n  %r = call i32 @abs(i32 -5)\n  ret i32 %r\n}\n"
	if err := j.AddLazyIR(ctx, "m.ll", []byte(src), 2, jit.PartitionFunction); err != nil {
		t.Fatal(err)
	}
	addr, err := j.Lookup(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	st, err := j.EPC.RunAsMain(ctx, addr, []string{"m"})
	if err != nil {
		t.Fatal(err)
	}
	if st != 42 {
		t.Errorf("main returned %d, want 42 (the module's abs, not the C library's)", st)
	}
}

// TestAddLazyIRDuplicateDefinitions: a function defined by a lazy IR
// module and by another input is a duplicate definition, as when every
// stub was defined up front: another lazy module (at AddLazyIR), an
// object added before linking (when linking starts) or after (at
// AddLazyIR).
func TestAddLazyIRDuplicateDefinitions(t *testing.T) {
	const m1 = "define i32 @g(i32 %x) {\nentry:\n  ret i32 %x\n}\ndefine i32 @main() {\nentry:\n  ret i32 0\n}\n"
	const m2 = "define i32 @g(i32 %x) {\nentry:\n  ret i32 1\n}\n"
	var dup *orc.DuplicateDefinitionError
	t.Run("two lazy modules", func(t *testing.T) {
		ctx, j := newLazyTestJIT(t, "local")
		if err := j.AddLazyIR(ctx, "m1.ll", []byte(m1), 2, jit.PartitionFunction); err != nil {
			t.Fatal(err)
		}
		if err := j.AddLazyIR(ctx, "m2.ll", []byte(m2), 2, jit.PartitionFunction); !errors.As(err, &dup) || dup.Symbol.String() != "g" {
			t.Fatalf("second module defining g: %v, want a duplicate definition of g", err)
		}
	})
	t.Run("object added first", func(t *testing.T) {
		ctx, j := newLazyTestJIT(t, "local")
		if err := j.AddIR(ctx, "m2.ll", []byte(m2), 2); err != nil {
			t.Fatal(err)
		}
		if err := j.AddLazyIR(ctx, "m1.ll", []byte(m1), 2, jit.PartitionFunction); err != nil {
			t.Fatal(err)
		}
		if _, err := j.Lookup(ctx, "main"); !errors.As(err, &dup) || dup.Symbol.String() != "g" {
			t.Fatalf("lookup: %v, want a duplicate definition of g", err)
		}
	})
	t.Run("lazy module added after linking", func(t *testing.T) {
		ctx, j := newLazyTestJIT(t, "local")
		if err := j.AddIR(ctx, "m2.ll", []byte(m2), 2); err != nil {
			t.Fatal(err)
		}
		if err := j.LinkAll(ctx); err != nil {
			t.Fatal(err)
		}
		if err := j.AddLazyIR(ctx, "m1.ll", []byte(m1), 2, jit.PartitionFunction); !errors.As(err, &dup) || dup.Symbol.String() != "g" {
			t.Fatalf("AddLazyIR: %v, want a duplicate definition of g", err)
		}
	})
}

// TestAddLazyIRLinkOnceODR: a linkonce_odr function (a C++ inline
// function or template) defined by several lazy IR modules, or by an
// object and a lazy module, is no duplicate: the first definition wins,
// as the first object's COMDAT group does, and every module's callers
// reach it.
func TestAddLazyIRLinkOnceODR(t *testing.T) {
	const m1 = "declare i32 @h()\ndefine linkonce_odr i32 @g(i32 %x) {\nentry:\n  %r = add i32 %x, 40\n  ret i32 %r\n}\ndefine i32 @main() {\nentry:\n  %a = call i32 @g(i32 1)\n  %b = call i32 @h()\n  %r = add i32 %a, %b\n  ret i32 %r\n}\n"
	const m2 = "define linkonce_odr i32 @g(i32 %x) {\nentry:\n  %r = add i32 %x, 40\n  ret i32 %r\n}\ndefine i32 @h() {\nentry:\n  %r = call i32 @g(i32 -40)\n  %s = add i32 %r, 1\n  ret i32 %s\n}\n"
	for _, eager := range []bool{false, true} {
		name := "two lazy modules"
		if eager {
			name = "object added first"
		}
		t.Run(name, func(t *testing.T) {
			ctx, j := newLazyTestJIT(t, "local")
			var err error
			if eager {
				err = j.AddIR(ctx, "m2.ll", []byte(m2), 2)
			} else {
				err = j.AddLazyIR(ctx, "m2.ll", []byte(m2), 2, jit.PartitionFunction)
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := j.AddLazyIR(ctx, "m1.ll", []byte(m1), 2, jit.PartitionFunction); err != nil {
				t.Fatal(err)
			}
			addr, err := j.Lookup(ctx, "main")
			if err != nil {
				t.Fatal(err)
			}
			st, err := j.EPC.RunAsMain(ctx, addr, []string{"m"})
			if err != nil {
				t.Fatal(err)
			}
			if st != 42 {
				t.Errorf("main returned %d, want 42", st)
			}
		})
	}
}

// BenchmarkAddLazyIRStartup: the lazy start-up of a 10,000-function
// module of which main calls 1%: add the module and link main (its stubs
// made), without running it (the first calls are BenchmarkFirstCall's,
// orc/lazy).
func BenchmarkAddLazyIRStartup(b *testing.B) {
	const n = 10000
	var sb strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "define double @f%d(double %%x) {\nentry:\n  %%a = fmul double %%x, %d.0\n  %%b = fadd double %%a, 1.0\n  ret double %%b\n}\n", i, i)
	}
	sb.WriteString("define i32 @main() {\nentry:\n")
	for i := 0; i < n; i += 100 {
		fmt.Fprintf(&sb, "  %%r%d = call double @f%d(double 1.0)\n", i, i)
	}
	sb.WriteString("  ret i32 0\n}\n")
	src := []byte(sb.String())
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		ctx := context.Background()
		j, err := jit.New(ctx, jit.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := j.AddLazyIR(ctx, "m.ll", src, 2, jit.PartitionFunction); err != nil {
			b.Fatal(err)
		}
		if _, err := j.Lookup(ctx, "main"); err != nil {
			b.Fatal(err)
		}
		j.Close(ctx)
	}
}
