//go:build cgo

package lazy_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc/epc"
)

// mappings is the number of mappings of the executor's process.
func mappings(t testing.TB, j *jit.JIT) int {
	t.Helper()
	pid := os.Getpid()
	if r, ok := j.EPC.(*epc.Remote); ok {
		pid = r.PID()
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

// TestManyLazyFunctionsKeepMappingsBounded compiles and calls thousands
// of lazily compiled functions (each added by itself, with a stub group
// of its own) in one session, in this process and in a child executor:
// they are carved from shared code blocks, so the executor's mappings
// stay bounded instead of growing by a few per function up to
// vm.max_map_count (docs/ORC.md, "Limits"). GORC_LAZY_FUNCS=50000 runs
// the 50,000.
func TestManyLazyFunctionsKeepMappingsBounded(t *testing.T) {
	for _, m := range execModes[:2] { // local, child (-shm keeps pages per allocation)
		t.Run(m.name, func(t *testing.T) { testManyLazyFunctions(t, m.opts()) })
	}
}

func testManyLazyFunctions(t *testing.T, opts jit.Options) {
	n := 3000
	if s := os.Getenv("GORC_LAZY_FUNCS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 300 {
			t.Fatalf("GORC_LAZY_FUNCS=%q: want a number >= 300", s)
		}
		n = v
	}
	ctx := context.Background()
	j, err := jit.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	call := func(i int) {
		src := fmt.Sprintf("define i32 @f%d(i32 %%argc) {\nentry:\n  %%a = mul i32 %%argc, 3\n  %%b = add i32 %%a, %d\n  ret i32 %%b\n}\n", i, i%1000)
		if err := j.AddLazyIR(ctx, fmt.Sprintf("f%d.ll", i), []byte(src), 2, jit.PartitionFunction); err != nil {
			t.Fatal(err)
		}
		a, err := j.Lookup(ctx, fmt.Sprintf("f%d", i))
		if err != nil {
			t.Fatal(err)
		}
		st, err := j.EPC.RunAsMain(ctx, a, []string{"x"})
		if err != nil || st != 3+i%1000 {
			t.Fatalf("f%d: %d %v, want %d", i, st, err, 3+i%1000)
		}
	}
	const warm = 200 // the first blocks, pools and threads
	for i := 0; i < warm; i++ {
		call(i)
	}
	before := mappings(t, j)
	for i := warm; i < n; i++ {
		call(i)
	}
	grown := mappings(t, j) - before
	t.Logf("%d lazily compiled functions: %d mappings more after the first %d", n, grown, warm)
	if limit := 64 + (n-warm)/500; grown > limit {
		t.Errorf("%d more lazily compiled functions added %d mappings, want at most %d", n-warm, grown, limit)
	}
	if got := j.SlabStats(); got.HeapBlocks == 0 {
		t.Errorf("no code-heap blocks: %+v", got)
	}
}
