package orc_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gorc-jit/gorc/orc"
)

// TestFailedToMaterializeErrorListsFew: the message of a large unit's
// failure names 16 of its symbols and how many more, then the cause
// (before, a 3,000-function object's failed allocation printed 20 KB of
// names), while Symbols keeps them all; a small one's message is as it
// was.
func TestFailedToMaterializeErrorListsFew(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{2, "failed to materialize symbols: main: [f0, f1]: slab exhausted"},
		{16, "failed to materialize symbols: main: [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15]: slab exhausted"},
		{3000, "failed to materialize symbols: main: [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, and 2984 more]: slab exhausted"},
	} {
		names := make([]string, tc.n)
		for i := range names {
			names[i] = fmt.Sprint("f", i)
		}
		e := &orc.FailedToMaterializeError{Symbols: map[string][]string{"main": names}, Cause: errors.New("slab exhausted")}
		if got := e.Error(); got != tc.want {
			t.Errorf("%d symbols: %q\nwant %q", tc.n, got, tc.want)
		}
		if len(e.Symbols["main"]) != tc.n {
			t.Errorf("%d symbols: Symbols lost names", tc.n)
		}
	}
}
