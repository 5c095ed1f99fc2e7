//go:build cgo

package main

import "gorc/executor"

// With cgo, an in-process `gorc run` ends the process from C (exit(3) after
// main returns): stop a GORC_CPUPROFILE profile there (see main.go).
func init() {
	atProgramExit = func(f func()) { executor.OnProgramExit(func(int) { f() }) }
}
