//go:build cgo

package executor

import (
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

// lookupNames mixes every kind of name LookupSymbols resolves: runtime
// helpers, interposed libc functions, libc and libm names, libgcc_s-only
// names, a missing name, and a name twice.
var lookupNames = []string{"atexit", "printf", "close", "__udivti3", "no_such_symbol_gorc", "__dso_handle",
	"malloc", "pthread_create", "__popcountdi2", "memcpy", "printf", "strlen", "qsort", "getenv"}

// TestLookupSymbolsOneByOne checks that the batched lookup gives, name for
// name, what a lookup of each name alone gives, in the process and in a
// library handle, and nothing for a handle that is not one.
func TestLookupSymbolsOneByOne(t *testing.T) {
	h, _, err := LoadLibrary("-lm", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		h    shared.ExecutorAddr
	}{{"process", 0}, {"libm handle", h}, {"bogus handle", 0x12345678}} {
		t.Run(tc.name, func(t *testing.T) {
			names := append(lookupNames, "cos", "sqrt")
			got := LookupSymbols(tc.h, names)
			if len(got) != len(names) {
				t.Fatalf("%d addresses for %d names", len(got), len(names))
			}
			for i, n := range names {
				want := shared.ExecutorAddr(0)
				if tc.h == 0 || knownHandle(tc.h) {
					want = oneLookup(tc.h, n)
				}
				if got[i] != want {
					t.Errorf("%s: %v, looked up alone %v", n, got[i], want)
				}
				if tc.h == 0 && n != "no_such_symbol_gorc" && got[i] == 0 {
					t.Errorf("%s: not found", n)
				}
			}
		})
	}
	if got := LookupSymbols(0, nil); len(got) != 0 {
		t.Errorf("no names: %v", got)
	}
}

// oneLookup is what the lookup of one name was before the batch: the
// bootstrap table, the interposed functions, dlsym, then libgcc_s.
func oneLookup(h shared.ExecutorAddr, name string) shared.ExecutorAddr {
	if h != 0 {
		return Dlsym(h, name)
	}
	syms := BootstrapSymbols()
	for _, n := range RuntimeHelperNames {
		if n == name {
			return syms[n]
		}
	}
	if a := interposed(name); a != 0 {
		return a
	}
	if a := Dlsym(0, name); a != 0 {
		return a
	}
	lib, err := Dlopen("libgcc_s.so.1")
	if err != nil {
		return 0
	}
	defer Dlclose(lib)
	return Dlsym(lib, name)
}

// BenchmarkLookupSymbols resolves 100 names (sqlite's link asks the
// process for 85) in one batch and one name at a time.
func BenchmarkLookupSymbols(b *testing.B) {
	names := make([]string, 0, 100)
	for len(names) < 100 {
		names = append(names, lookupNames...)
	}
	names = names[:100]
	b.Run("batch", func(b *testing.B) {
		for b.Loop() {
			LookupSymbols(0, names)
		}
	})
	b.Run("one-by-one", func(b *testing.B) {
		for b.Loop() {
			for _, n := range names {
				LookupSymbol(0, n)
			}
		}
	})
}
