//go:build cgo

package lazy_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/lazy"
	"github.com/gorc-jit/gorc/shared"
)

// TestStubsPooledInProcess: in this process the JIT's stubs come from
// blocks linked ahead (PoolStubs): many groups of new stubs share a few
// allocations, each stub jumps through its own pointer, and the pointer
// holds the group's initial target; a duplicate is still an error.
func TestStubsPooledInProcess(t *testing.T) {
	ctx := context.Background()
	j, lz := newLocalLazy(t)
	const groups = 100
	seen := map[shared.ExecutorAddr]bool{}
	for i := range groups {
		inits := map[string]shared.ExecutorAddr{fmt.Sprintf("f%d", i): shared.ExecutorAddr(0x1000 + 16*i), fmt.Sprintf("g%d", i): shared.ExecutorAddr(0x9000 + 16*i)}
		got, err := lz.Stubs.CreateStubs(ctx, inits)
		if err != nil {
			t.Fatal(err)
		}
		for n, s := range got {
			if seen[s.Addr] || seen[s.Pointer] {
				t.Fatalf("stub %s %+v handed out twice", n, s)
			}
			seen[s.Addr], seen[s.Pointer] = true, true
			ptr, err := j.EPC.Read(ctx, s.Pointer, 8)
			if err != nil {
				t.Fatal(err)
			}
			if got := shared.ExecutorAddr(binary.LittleEndian.Uint64(ptr)); got != inits[n] {
				t.Fatalf("stub %s: pointer holds %v, want %v", n, got, inits[n])
			}
			code, err := j.EPC.Read(ctx, s.Addr, 6)
			if err != nil {
				t.Fatal(err)
			}
			// jmp *disp32(%rip)
			if code[0] != 0xff || code[1] != 0x25 || s.Addr.Add(6+uint64(int32(binary.LittleEndian.Uint32(code[2:])))) != s.Pointer {
				t.Fatalf("stub %s at %v: % x does not jump through its pointer %v", n, s.Addr, code, s.Pointer)
			}
		}
	}
	// 200 stubs: blocks of 64, 128 (and 256) stubs, not one per group.
	if a := lz.Stubs.Allocations(); a > 3 {
		t.Errorf("%d groups of stubs in %d allocations, want at most 3", groups, a)
	}
	if _, err := lz.Stubs.CreateStubs(ctx, map[string]shared.ExecutorAddr{"f1": 1}); err == nil || !strings.Contains(err.Error(), `"f1" already exists`) {
		t.Errorf("duplicate stub: %v", err)
	}
}

// In this process the JIT pools its stubs: three groups of new stubs
// share one allocation (a block of 64 stubs linked ahead).
func ExampleStubsManager_PoolStubs() {
	ctx := context.Background()
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer j.Close(ctx)
	lz, err := j.Lazy() // calls lz.Stubs.PoolStubs(1024) for this process
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 3 {
		s, err := lz.Stubs.CreateStubs(ctx, map[string]shared.ExecutorAddr{fmt.Sprintf("f%d", i): 0x1000})
		if err != nil {
			fmt.Println(err)
			return
		}
		ptr, _ := j.EPC.Read(ctx, s[fmt.Sprintf("f%d", i)].Pointer, 8)
		fmt.Printf("f%d -> %#x\n", i, binary.LittleEndian.Uint64(ptr))
	}
	fmt.Println("allocations:", lz.Stubs.Allocations())
	// Output:
	// f0 -> 0x1000
	// f1 -> 0x1000
	// f2 -> 0x1000
	// allocations: 1
}

// TestLazyFunctionsHaveNoInitSymbol: the graph of a lazily compiled
// function is linked as its compile-on-demand unit's own materialization
// (lazy.WithDirectLink, objlayer.EmitGraph): after first calls, the
// bodies dylib holds the functions, the impl dylib nothing, neither a
// "$.gorc.init." name, and the functions run.
func TestLazyFunctionsHaveNoInitSymbol(t *testing.T) {
	ctx := context.Background()
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	src := "define i32 @h1(i32 %x) {\nentry:\n  %a = add i32 %x, 1\n  ret i32 %a\n}\n" +
		"define i32 @h2(i32 %x) {\nentry:\n  %a = call i32 @h1(i32 %x)\n  %b = mul i32 %a, 10\n  ret i32 %b\n}\n"
	if err := j.AddLazyIR(ctx, "h.ll", []byte(src), 1, jit.PartitionFunction); err != nil {
		t.Fatal(err)
	}
	a, err := j.Lookup(ctx, "h2")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := j.EPC.RunAsMain(ctx, a, []string{"x"}); err != nil || st != 20 {
		t.Fatalf("h2(1) = %d, %v; want 20", st, err)
	}
	bodies, impl, err := j.LazyDylibs()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		jd   *orc.JITDylib
		want string
	}{{bodies, "[h1 h2]"}, {impl, "[]"}} {
		var names []string
		for _, si := range c.jd.Symbols() {
			names = append(names, si.Name.String())
		}
		if fmt.Sprint(names) != c.want {
			t.Errorf("%s holds %v, want %s (no init symbols)", c.jd.Name(), names, c.want)
		}
	}
}

// TestStubsPooledConcurrent: 8 goroutines making groups of stubs at once
// from the pool never get the same stub twice, and each stub's pointer
// holds its own initial target.
func TestStubsPooledConcurrent(t *testing.T) {
	ctx := context.Background()
	j, lz := newLocalLazy(t)
	const workers, groups = 8, 40
	got := make([]map[string]lazy.Stub, workers*groups)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range groups {
				k := w*groups + g
				s, err := lz.Stubs.CreateStubs(ctx, map[string]shared.ExecutorAddr{fmt.Sprintf("a%d", k): shared.ExecutorAddr(0x10000 + 16*k), fmt.Sprintf("b%d", k): shared.ExecutorAddr(0x90000 + 16*k)})
				if err != nil {
					errs <- err
					return
				}
				got[k] = s
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[shared.ExecutorAddr]string{}
	for k, m := range got {
		for n, s := range m {
			if other, dup := seen[s.Addr]; dup {
				t.Fatalf("stub %s and %s share %v", n, other, s.Addr)
			}
			seen[s.Addr] = n
			ptr, err := j.EPC.Read(ctx, s.Pointer, 8)
			if err != nil {
				t.Fatal(err)
			}
			want := shared.ExecutorAddr(0x10000 + 16*k)
			if n[0] == 'b' {
				want = shared.ExecutorAddr(0x90000 + 16*k)
			}
			if a := shared.ExecutorAddr(binary.LittleEndian.Uint64(ptr)); a != want {
				t.Fatalf("stub %s: pointer holds %v, want %v", n, a, want)
			}
		}
	}
}

// newLocalLazy opens an in-process JIT (closed when t ends) and returns
// it with its lazy-compilation layers.
func newLocalLazy(t *testing.T) (*jit.JIT, *jit.Lazy) {
	t.Helper()
	ctx := context.Background()
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close(ctx) })
	lz, err := j.Lazy()
	if err != nil {
		t.Fatal(err)
	}
	return j, lz
}
