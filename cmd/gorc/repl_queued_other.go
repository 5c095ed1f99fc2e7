//go:build !linux

package main

// queuedInput returns 0: typed-ahead Ctrl-D is recognized on Linux only.
func queuedInput(fd int) int { return 0 }
