//go:build !gorc_memprofile

package main

import (
	"fmt"
	"os"
	"runtime"
)

// memProfileBuild says whether this binary can write GORC_MEMPROFILE
// (built with -tags gorc_memprofile).
const memProfileBuild = false

// The default build has no allocation profile: nothing in it reaches
// runtime.MemProfile, so the linker sets the runtime's
// disableMemoryProfiling and the runtime never samples an allocation,
// from its own start on. Sampling (one allocation per 512 KiB by default)
// costs a stack unwind and a write to the profile's hash table, whose fresh
// pages are first read, then written (a second fault that, on a process
// running on two CPUs, flushes the other CPU's TLB). Turning it off from
// main (runtime.MemProfileRate = 0, as gorc did) was not enough: the
// first allocation on each P after the rate changes records one last
// sample, and allocations of the runtime's and the packages' start came
// before it; in a cached `gorc run` of the sqlite driver that was about
// 15 page faults a run (docs/perf/s29-fixedcost.md).
// GORC_MEMPROFILE=FILE needs a build with -tags gorc_memprofile
// (memprofile_on.go).
func startMemProfile() {
	if os.Getenv("GORC_MEMPROFILE") != "" {
		fmt.Fprintf(os.Stderr, "gorc: GORC_MEMPROFILE: this gorc has no allocation profile; build it with go build -tags gorc_memprofile\n")
	}
	runtime.MemProfileRate = 0 // already 0 in a binary without the profile
}

func writeMemProfile() {}
