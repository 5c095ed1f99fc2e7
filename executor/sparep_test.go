//go:build cgo

package executor

import (
	"runtime"
	"testing"
)

// TestSpareP: a spawned executor takes one P more than GOMAXPROCS's
// default, so that its reader's read(2) and a re-entering thread's
// futex(2) never leave the runtime's monitor without an idle P (and
// retaking one every 20 µs); a GOMAXPROCS set in the environment wins.
func TestSpareP(t *testing.T) {
	def := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(def)
	for _, tc := range []struct {
		name, env string
		want      int
	}{
		{"default", "", def + 1},
		{"set by the environment", "1", def},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runtime.GOMAXPROCS(def)
			t.Setenv("GOMAXPROCS", tc.env)
			spareP()
			if got := runtime.GOMAXPROCS(0); got != tc.want {
				t.Errorf("GOMAXPROCS %d after spareP, want %d", got, tc.want)
			}
		})
	}
}
