package jit

import (
	"fmt"
	"testing"
)

// TestLazyGraphName: the graph of a lazy compile is named as it was with
// fmt.Sprintf("%s#%d(@%s).o"), for names with fmt's own characters too.
func TestLazyGraphName(t *testing.T) {
	for _, c := range []struct {
		name  string
		seq   int
		first string
	}{
		{"p.ll", 1, "main"},
		{"/tmp/dir with space/x.ll", 12345, "f.lazy0.1"},
		{"100%s.ll", 0, "%d"},
		{"", -1, ""},
	} {
		want := fmt.Sprintf("%s#%d(@%s).o", c.name, c.seq, c.first)
		if got := lazyGraphName(c.name, c.seq, c.first); got != want {
			t.Errorf("lazyGraphName(%q, %d, %q) = %q, want %q", c.name, c.seq, c.first, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = lazyGraphName("p.ll", 4000, "f3999") }); n > 1 {
		t.Errorf("lazyGraphName allocates %.0f times, want 1", n)
	}
}
