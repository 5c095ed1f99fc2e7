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

// TestLazyIRParseAhead: after AddLazyIR, bodies are parsed ahead in file
// order up to parseAheadBodies and no further while none is called;
// nothing is compiled by it (LazyCompiled counts the functions called
// only), and what is called runs right.
func TestLazyIRParseAhead(t *testing.T) {
	const n = 100
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "define i32 @h%d(i32 %%x) {\nentry:\n  %%r = add i32 %%x, %d\n  ret i32 %%r\n}\n", i, i)
	}
	b.WriteString("define i32 @main() {\nentry:\n  %a = call i32 @h1(i32 1)\n  %b = call i32 @h90(i32 %a)\n  ret i32 %b\n}\n")
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
	// many bodies are still pending.
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
	if got, want := idle(), n+1-parseAheadBodies; got != want {
		t.Errorf("after AddLazyIR: %d bodies pending, want %d (%d parsed ahead)", got, want, parseAheadBodies)
	}
	if c := j.LazyCompiled(); c != 0 {
		t.Errorf("%d functions compiled before any call", c)
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
	// h1 was parsed ahead; main and h90 (after the first
	// parseAheadBodies) were parsed by their first calls; 31 bodies
	// parsed ahead wait for theirs, more than half of parseAheadBodies:
	// nothing more is parsed ahead.
	if got, want := idle(), n+1-parseAheadBodies-2; got != want {
		t.Errorf("after the run: %d bodies pending, want %d", got, want)
	}
}
