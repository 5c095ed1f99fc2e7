//go:build gorc_memprofile

package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// memProfileBuild says whether this binary can write GORC_MEMPROFILE
// (built with -tags gorc_memprofile).
const memProfileBuild = true

// Debugging aid, in a binary built with -tags gorc_memprofile:
// GORC_MEMPROFILE=FILE writes a Go allocation profile of the whole gorc
// process to FILE when the command returns (go tool pprof
// -sample_index=alloc_space bin/gorc FILE), sampling one allocation per
// 4 KiB allocated (runtime.MemProfileRate), so that the many small
// objects of a compile are counted. Without the variable the runtime's
// own sampling is turned off (see memprofile_off.go for why the default
// build leaves the profile out altogether).
func startMemProfile() {
	if os.Getenv("GORC_MEMPROFILE") != "" {
		runtime.MemProfileRate = 4096
		return
	}
	runtime.MemProfileRate = 0
}

func writeMemProfile() {
	path := os.Getenv("GORC_MEMPROFILE")
	if path == "" {
		return
	}
	runtime.GC() // so that inuse_space is what is live at the end
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gorc: GORC_MEMPROFILE: %v\n", err)
	}
}
