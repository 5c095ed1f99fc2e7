//go:build cgo

package lazy_test

import (
	"context"
	"os"
	"testing"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc/epc"
)

// maxFirstCallCalls is the most calls the controller may send a child
// executor during the first call of a small lazily compiled function
// (besides the run itself, and mapping a new code block once per 4 MiB):
// the link's memory transfers, finalize actions and the stub's
// repointing travel in the re-entry's answer (op reentry-apply). It was 6
// before batches, 2 before reentry-apply.
const maxFirstCallCalls = 0

// TestFirstCallRoundTrips counts the protocol round trips a first call
// costs in a child executor.
func TestFirstCallRoundTrips(t *testing.T) {
	ctx := context.Background()
	j, err := jit.New(ctx, jit.Options{Exec: "child", ExecutorCommand: []string{os.Args[0]}})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	r, ok := j.EPC.(*epc.Remote)
	if !ok {
		t.Fatalf("child executor is a %T, not *epc.Remote", j.EPC)
	}
	for i, name := range []string{"f", "g"} {
		src := "define i32 @" + name + "(i32 %argc) {\nentry:\n  %a = mul i32 %argc, 3\n  ret i32 %a\n}\n"
		if err := j.AddLazyIR(ctx, name+".ll", []byte(src), 2, jit.PartitionFunction); err != nil {
			t.Fatal(err)
		}
		a, err := j.Lookup(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		before, blocks := r.Calls(), j.SlabStats().HeapBlocks
		st, err := j.EPC.RunAsMain(ctx, jitAddr(uint64(a)), []string{"x"})
		if err != nil || st != 3 {
			t.Fatalf("%s: run: %d %v, want 3", name, st, err)
		}
		// The run itself, and the code heap's blocks mapped now (once
		// per 4 MiB of code, not per function).
		newBlocks := j.SlabStats().HeapBlocks - blocks
		n := r.Calls() - before - 1 - uint64(newBlocks)
		t.Logf("first call of %s (#%d): %d calls to the executor (and %d code blocks mapped)", name, i+1, n, newBlocks)
		if n > maxFirstCallCalls {
			t.Errorf("first call of %s: %d calls to the executor, want at most %d", name, n, maxFirstCallCalls)
		}
	}
}
