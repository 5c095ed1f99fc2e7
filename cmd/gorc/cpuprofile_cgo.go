//go:build cgo

package main

import (
	"sync"

	"github.com/gorc-jit/gorc/executor"
)

// With cgo, an in-process `gorc run` ends the process from C (exit(3) after
// main returns): functions registered through atProgramExit (main.go) run
// there, in registration order.
func init() {
	var mu sync.Mutex
	var fs []func()
	atProgramExit = func(f func()) {
		mu.Lock()
		defer mu.Unlock()
		if fs == nil {
			executor.OnProgramExit(func(int) {
				mu.Lock()
				run := append([]func(){}, fs...)
				mu.Unlock()
				for _, f := range run {
					f()
				}
			})
		}
		fs = append(fs, f)
	}
}
