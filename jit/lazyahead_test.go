package jit

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/ir"
)

// aheadModule is a module whose @main calls @c0 … @c(fan-1), and @c0
// heads a chain @c0 → @d0 → @d1 → … → @d(chain-1).
func aheadModule(fan, chain int) string {
	var b strings.Builder
	b.WriteString("define i32 @main() {\nentry:\n")
	for i := 0; i < fan; i++ {
		fmt.Fprintf(&b, "  %%v%d = call i32 @c%d(i32 %d)\n", i, i, i)
	}
	b.WriteString("  ret i32 0\n}\n")
	for i := 0; i < fan; i++ {
		fmt.Fprintf(&b, "define i32 @c%d(i32 %%x) {\nentry:\n", i)
		if i == 0 && chain > 0 {
			b.WriteString("  %r = call i32 @d0(i32 %x)\n  ret i32 %r\n}\n")
			continue
		}
		b.WriteString("  %r = add i32 %x, 1\n  ret i32 %r\n}\n")
	}
	for i := 0; i < chain; i++ {
		fmt.Fprintf(&b, "define i32 @d%d(i32 %%x) {\nentry:\n", i)
		if i+1 < chain {
			fmt.Fprintf(&b, "  %%r = call i32 @d%d(i32 %%x)\n  ret i32 %%r\n}\n", i+1)
		} else {
			b.WriteString("  ret i32 %x\n}\n")
		}
	}
	return b.String()
}

// waitIdle waits for pa's goroutine to stop.
func waitIdle(t *testing.T, pa *parseAhead) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pa.mu.Lock()
		running := pa.running
		pa.mu.Unlock()
		if !running {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("parse-ahead goroutine still running after 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// parsedAhead counts the functions of m, other than those in skip, whose
// bodies are no longer pending.
func parsedAhead(m *ir.Module, lb *ir.LazyBodies, skip ...string) int {
	n := 0
	for _, f := range m.Funcs {
		if !f.IsDeclaration() && !lb.Pending(f) && !strings.Contains(" "+strings.Join(skip, " ")+" ", " "+f.Name+" ") {
			n++
		}
	}
	return n
}

// TestParseAheadWindow: the callees of a parsed function are parsed on
// a goroutine, at most aheadWindow not yet taken by a compile; taking
// bodies down to aheadResume starts the goroutine again; a callee's
// callees are followed (a call chain is parsed down its length); the
// goroutine stops when it has nothing to do.
func TestParseAheadWindow(t *testing.T) {
	t.Run("window", func(t *testing.T) {
		m, lb, pa, _ := aheadFromMain(t, "w.ll", []byte(aheadModule(3*aheadWindow, 0)))
		if n := parsedAhead(m, lb, "main"); n != aheadWindow {
			t.Fatalf("%d bodies parsed ahead, want the window's %d", n, aheadWindow)
		}
		// A compile takes bodies (in call order, as they were queued):
		// above aheadResume nothing more is parsed, at it the goroutine
		// starts again and refills the window.
		taken := 0
		for i := 0; taken < aheadWindow-aheadResume; i++ {
			f := m.Func(fmt.Sprintf("c%d", i))
			if err := lb.ParseBody(f); err != nil {
				t.Fatal(err)
			}
			if ahead, verified := pa.taken(f); !ahead || !verified {
				t.Fatalf("@%s: parsed ahead %v, verified %v; want both", f.Name, ahead, verified)
			}
			taken++
			if taken < aheadWindow-aheadResume {
				if n := parsedAhead(m, lb, "main"); n != aheadWindow {
					t.Fatalf("after %d taken: %d bodies parsed, want %d", taken, n, aheadWindow)
				}
			}
		}
		waitIdle(t, pa)
		if n, want := parsedAhead(m, lb, "main"), taken+aheadWindow; n != want {
			t.Fatalf("after %d taken: %d bodies parsed, want %d", taken, n, want)
		}
	})
	t.Run("chain", func(t *testing.T) {
		const chain = 20
		m, lb, pa, main := aheadFromMain(t, "c.ll", []byte(aheadModule(2, chain)))
		// c0, c1 and the whole chain below c0.
		if n := parsedAhead(m, lb, "main"); n != 2+chain {
			t.Fatalf("%d bodies parsed ahead, want %d", n, 2+chain)
		}
		d := m.Func(fmt.Sprintf("d%d", chain-1))
		if err := lb.ParseBody(d); err != nil {
			t.Fatal(err)
		}
		if ahead, _ := pa.taken(d); !ahead {
			t.Error("the chain's last body was not parsed ahead")
		}
		if ahead, _ := pa.taken(main); ahead {
			t.Error("@main, parsed by its compile, counted as parsed ahead")
		}
	})
}

// TestParseAheadBadBody: a callee whose body has a syntax error is
// reported by the compile that asks for it, as without parse-ahead, and
// stays out of the window (its callees are not followed).
func TestParseAheadBadBody(t *testing.T) {
	src := "define i32 @main() {\nentry:\n  %v = call i32 @bad(i32 1)\n  ret i32 %v\n}\n" +
		"define i32 @bad(i32 %x) {\nentry:\n  %r = frobnicate i32 %x\n  ret i32 %r\n}\n"
	m, lb, pa, _ := aheadFromMain(t, "b.ll", []byte(src))
	bad := m.Func("bad")
	err := lb.ParseBody(bad)
	if err == nil || !strings.Contains(err.Error(), "b.ll:8") || !strings.Contains(err.Error(), "frobnicate") {
		t.Fatalf("ParseBody(@bad) = %v, want the error at b.ll:8 naming frobnicate", err)
	}
	if ahead, _ := pa.taken(bad); ahead {
		t.Error("a body that failed to parse counted as parsed ahead")
	}
}

// TestParseAheadUnverified: a body parsed ahead that fails
// ir.VerifyFunction is not taken as verified, so its compile verifies it
// and reports the error.
func TestParseAheadUnverified(t *testing.T) {
	// %y is used before it is defined (in the same block): it parses,
	// and does not verify.
	src := "define i32 @main() {\nentry:\n  %v = call i32 @odd(i32 1)\n  ret i32 %v\n}\n" +
		"define i32 @odd(i32 %x) {\nentry:\n  %r = add i32 %y, 1\n  %y = add i32 %x, 1\n  ret i32 %r\n}\n"
	m, lb, pa, _ := aheadFromMain(t, "u.ll", []byte(src))
	odd := m.Func("odd")
	if err := lb.ParseBody(odd); err != nil {
		t.Fatalf("ParseBody(@odd): %v", err)
	}
	ahead, verified := pa.taken(odd)
	if !ahead || verified {
		t.Fatalf("@odd: parsed ahead %v, verified %v; want parsed and not verified", ahead, verified)
	}
	if err := ir.VerifyFunction(odd); err == nil {
		t.Fatal("@odd verifies: the test's body is not what it should be")
	}
}

// aheadFromMain parses src lazily, parses @main's body as its compile
// would, queues its callees for parse-ahead and waits until the
// goroutine is idle.
func aheadFromMain(t *testing.T, file string, src []byte) (*ir.Module, *ir.LazyBodies, *parseAhead, *ir.Function) {
	t.Helper()
	m, lb, err := ir.ParseLazy(file, src)
	if err != nil {
		t.Fatal(err)
	}
	pa := newParseAhead(lb)
	main := m.Func("main")
	if err := lb.ParseBody(main); err != nil {
		t.Fatal(err)
	}
	pa.calleesOf(main)
	waitIdle(t, pa)
	return m, lb, pa, main
}
