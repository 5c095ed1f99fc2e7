//go:build cgo

package jit_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/codecache"
	"github.com/gorc-jit/gorc/jit"
)

// answerIR computes fib(12) - 102 = 42 through libm's floor.
var answerIR = mustRead("testdata/answer.ll")

func mustRead(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestAddIRCache: the second JIT takes the module's object from the
// cache; a damaged entry is counted, rebuilt and the code still right; a
// module with errors is reported every time and never stored.
func TestAddIRCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cache, err := codecache.Open(filepath.Join(dir, "cache"), codecache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	run := func(step string, want jit.CacheStats) {
		t.Helper()
		j, err := jit.New(ctx, jit.Options{Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close(ctx)
		if err := j.AddIR(ctx, "answer.ll", []byte(answerIR), 2); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		addr, err := j.Lookup(ctx, "answer")
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if r, err := j.EPC.RunAsMain(ctx, addr, []string{"answer"}); r != 42 || err != nil {
			t.Errorf("%s: answer() = %d, %v; want 42", step, r, err)
		}
		if got := j.CacheStats(); got != want {
			t.Errorf("%s: cache stats %+v, want %+v", step, got, want)
		}
	}
	run("first", jit.CacheStats{Misses: 1})
	run("second", jit.CacheStats{Hits: 1})
	entries, _ := filepath.Glob(filepath.Join(dir, "cache", "v*", "*", "*"))
	if len(entries) != 1 {
		t.Fatalf("entries: %v", entries)
	}
	b, _ := os.ReadFile(entries[0])
	b[len(b)-1] ^= 1
	os.WriteFile(entries[0], b, 0o644)
	run("damaged", jit.CacheStats{Misses: 1, Corrupt: 1})
	run("rebuilt", jit.CacheStats{Hits: 1})
	// Another level is another object.
	j, err := jit.New(ctx, jit.Options{Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if err := j.AddIR(ctx, "answer.ll", []byte(answerIR), 0); err != nil || j.CacheStats().Misses != 1 {
		t.Errorf("-O0: %v, %+v", err, j.CacheStats())
	}
	bad := strings.Replace(answerIR, "%r = sub i32 %i, 102", "%r = sub i32 %nope, 102", 1)
	for i := range 2 {
		err := j.AddIR(ctx, "bad.ll", []byte(bad), 2)
		if err == nil || !strings.Contains(err.Error(), "bad.ll:") {
			t.Errorf("bad module, try %d: %v; want an error naming bad.ll:LINE", i+1, err)
		}
	}
	if _, n, _ := cache.Size(); n != 2 {
		t.Errorf("%d entries; want 2 (-O2 and -O0, no entry for the bad module)", n)
	}
}
