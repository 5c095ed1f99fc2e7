package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/kaleidoscope"
)

// lazyRetainBound is the most Go heap a lazily compiled function may keep
// live (after a collection) in a local session: its stub's and body's
// session records, its trackers, its crash-location and module records
// (docs/RATIONALE.md, "Session 21, issue 10: the Go heap of a lazy
// run"). Measured 2,390-2,600 bytes at the time of writing; the bound leaves room for noise and small additions,
// not for a per-function map or syntax tree coming back.
const lazyRetainBound = 3000

// liveHeap is the heap's live bytes after a full collection.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestLazyRetainedPerFunction: the Go heap that stays live per lazily
// compiled function is bounded. A synthetic program's functions call
// each other in a chain (f_i calls f_(i-1)); calling f_k compiles
// f_0..f_k. The heap is measured after a first batch of first calls and
// again after the next batch: the difference divided by the batch is what
// a first call retains.
func TestLazyRetainedPerFunction(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles 1,200 functions")
	}
	const n, k1, k2 = 1200, 200, 1199
	src := kaleidoscope.SyntheticProgram(n)
	p := kaleidoscope.NewParser("retain.k", src)
	p.SetLazyBodies(true)
	ctx := context.Background()
	r := &repl{ctx: ctx, pm: passes.ForLevel(2), stdout: io.Discard, stderr: io.Discard, file: "retain.k", level: 2, lazyMode: true}
	if code := r.open(execOptions{mode: "local"}); code != 0 {
		t.Fatalf("opening the session: status %d", code)
	}
	defer r.j.Close(ctx)
	for {
		item, d := p.Next()
		if d != nil {
			t.Fatal(d)
		}
		if item == nil {
			break
		}
		if def, ok := item.(*kaleidoscope.FunctionDef); ok && def.TopLevel {
			continue
		}
		r.run(item, p)
	}
	call := func(k int) {
		t.Helper()
		cp := kaleidoscope.NewParser("call.k", []byte(fmt.Sprintf("f%d(1, 2);\n", k)))
		item, d := cp.Next()
		if d != nil {
			t.Fatal(d)
		}
		r.run(item, cp)
		if r.errors != 0 {
			t.Fatalf("f%d(1, 2): %d errors", k, r.errors)
		}
		// (The JIT'd code prints its result to the process's stdout.)
		// (f_0..f_k and the program's three operators.)
		if got := r.lazy.compiled.Load(); got != int64(k+4) {
			t.Fatalf("after f%d(1, 2): %d functions compiled, want %d", k, got, k+4)
		}
	}
	// Records applied off the first calls' path are applied before each
	// measurement (a crash-location lookup and a dependents query flush
	// them): a queued record holds its whole link graph, so a batch
	// still queued or being applied at the first measurement (as the
	// scheduler had it) moved the figure by up to 220 bytes per function.
	flush := func() {
		r.j.Layer.Dependents(0)
		r.j.SymbolAt(0)
	}
	call(k1)
	flush()
	before := liveHeap()
	call(k2)
	flush()
	after := liveHeap()
	per := (int64(after) - int64(before)) / (k2 - k1)
	t.Logf("live heap %d -> %d bytes over %d first calls: %d bytes each", before, after, k2-k1, per)
	if per > lazyRetainBound {
		t.Errorf("a lazily compiled function keeps %d bytes of Go heap live, more than %d", per, lazyRetainBound)
	}
}
