//go:build cgo

package jit

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestLazyIRParseAhead: nothing is parsed ahead at AddLazyIR; when a
// function is compiled, its callees' bodies are parsed ahead, at most
// parseAheadBodies of them while none is called; nothing is compiled by
// it (LazyCompiled counts the functions called only), and what is called
// runs right.
func TestLazyIRParseAhead(t *testing.T) {
	const n = 100
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "define i32 @h%d(i32 %%x) {\nentry:\n  %%r = add i32 %%x, %d\n  ret i32 %%r\n}\n", i, i)
	}
	// main calls h1 and h90, and (in a branch never taken, folded away
	// by the optimizer, but after its body is parsed) every h.
	b.WriteString("define i32 @main() {\nentry:\n  %a = call i32 @h1(i32 1)\n  %b = call i32 @h90(i32 %a)\n  %c = icmp eq i32 %b, 0\n  br i1 %c, label %all, label %done\nall:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  %%c%d = call i32 @h%d(i32 %d)\n", i, i, i)
	}
	b.WriteString("  br label %done\ndone:\n  ret i32 %b\n}\n")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	j, err := New(ctx, Options{Exec: "local", ExecutorCommand: []string{os.Args[0]}})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if err := j.AddLazyIR(ctx, "m.ll", []byte(b.String()), 2, PartitionFunction); err != nil {
		t.Fatal(err)
	}
	j.mu.Lock()
	lm := j.lazyIR[0].lm
	j.mu.Unlock()
	// idle waits for the parse-ahead goroutine to stop and returns how
	// many bodies are still not parsed.
	idle := func() int {
		for {
			lm.mu.Lock()
			parsing := lm.parsing
			lm.mu.Unlock()
			if !parsing {
				break
			}
			time.Sleep(time.Millisecond)
		}
		return lm.bodies.Unparsed()
	}
	if got := idle(); got != n+1 {
		t.Errorf("after AddLazyIR: %d bodies not parsed, want all %d", got, n+1)
	}
	addr, err := j.Lookup(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	st, err := j.EPC.RunAsMain(ctx, addr, []string{"m"})
	if err != nil {
		t.Fatal(err)
	}
	if st != 92 {
		t.Errorf("main returned %d, want 92", st)
	}
	if c := j.LazyCompiled(); c != 3 {
		t.Errorf("LazyCompiled = %d, want 3 (main, h1, h90)", c)
	}
	// main parsed by its call; h1 and h90 (queued first) parsed ahead or
	// by their calls, then compiled; parseAheadBodies parsed ahead in
	// all, or up to two more if the goroutine was still running when h1
	// and h90 were compiled; the rest wait for calls that do not come.
	lo, hi := n+1-1-2-parseAheadBodies, n+1-1-parseAheadBodies
	if got := idle(); got < lo || got > hi {
		t.Errorf("after the run: %d bodies not parsed, want %d to %d", got, lo, hi)
	}
}
