package main

import (
	"runtime"
	"testing"
)

// TestStartMemProfileRate: the runtime's allocation sampling is off unless
// GORC_MEMPROFILE asks for a profile (then one sample per 4 KiB) in a
// build with -tags gorc_memprofile; in the default build it stays off.
func TestStartMemProfileRate(t *testing.T) {
	saved := runtime.MemProfileRate
	t.Cleanup(func() { runtime.MemProfileRate = saved })
	for _, tc := range []struct {
		env  string
		want int
	}{
		{"", 0},
		{"/tmp/gorc-mem.prof", map[bool]int{true: 4096, false: 0}[memProfileBuild]},
	} {
		t.Setenv("GORC_MEMPROFILE", tc.env)
		runtime.MemProfileRate = 512 * 1024
		startMemProfile()
		if runtime.MemProfileRate != tc.want {
			t.Errorf("GORC_MEMPROFILE=%q: MemProfileRate %d, want %d", tc.env, runtime.MemProfileRate, tc.want)
		}
	}
}
