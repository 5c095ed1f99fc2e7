package orc_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/orc"
)

// TestInternAll checks that InternAll gives the same SymbolName as Intern
// for every name, whether the name was in the pool before, is new, or is
// given twice in one call, and that the names' text is kept.
func TestInternAll(t *testing.T) {
	tests := []struct {
		name   string
		before []string // interned one by one first
		names  []string
	}{
		{"empty", nil, nil},
		{"all new", nil, []string{"a", "bb", "ccc"}},
		{"all known", []string{"x", "y"}, []string{"y", "x"}},
		{"mixed", []string{"known"}, []string{"new1", "known", "new2"}},
		{"repeated new", nil, []string{"dup", "other", "dup", "dup"}},
		{"empty string among names", nil, []string{"", "e", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := orc.NewSymbolStringPool()
			var pre []orc.SymbolName
			for _, s := range tc.before {
				pre = append(pre, p.Intern(s))
			}
			out := make([]orc.SymbolName, len(tc.names))
			p.InternAll(tc.names, out)
			for i, s := range tc.names {
				if out[i].String() != s {
					t.Errorf("out[%d] = %q, want %q", i, out[i].String(), s)
				}
				if got := p.Intern(s); got != out[i] {
					t.Errorf("Intern(%q) after InternAll is a different name", s)
				}
			}
			for i, s := range tc.before {
				if p.Intern(s) != pre[i] {
					t.Errorf("Intern(%q) changed after InternAll", s)
				}
			}
			distinct := map[string]bool{}
			for _, s := range append(append([]string(nil), tc.before...), tc.names...) {
				distinct[s] = true
			}
			if p.Len() != len(distinct) {
				t.Errorf("pool holds %d names, want %d", p.Len(), len(distinct))
			}
		})
	}
}

// TestInternAllLength checks that InternAll refuses an out slice of
// another length (a caller's bug) instead of writing past it.
func TestInternAllLength(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("InternAll with len(out) != len(names) did not panic")
		}
	}()
	orc.NewSymbolStringPool().InternAll([]string{"a", "b"}, make([]orc.SymbolName, 1))
}

// TestInternAllConcurrent interns overlapping batches and single names
// on several goroutines (run with -race): every name must end up as one
// SymbolName.
func TestInternAllConcurrent(t *testing.T) {
	p := orc.NewSymbolStringPool()
	const workers, n = 4, 500
	outs := make([][]orc.SymbolName, workers)
	var wg sync.WaitGroup
	for w := range workers {
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("sym%d", (i*7+w*3)%n)
		}
		outs[w] = make([]orc.SymbolName, n)
		wg.Go(func() {
			if w%2 == 0 {
				p.InternAll(names, outs[w])
				return
			}
			for i, s := range names {
				outs[w][i] = p.Intern(s)
			}
		})
	}
	wg.Wait()
	for w := range workers {
		for _, sn := range outs[w] {
			if p.Intern(sn.String()) != sn {
				t.Fatalf("worker %d: %q interned twice", w, sn.String())
			}
		}
	}
	if p.Len() != n {
		t.Fatalf("pool holds %d names, want %d", p.Len(), n)
	}
}
