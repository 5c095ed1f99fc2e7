//go:build !linux

package main

// prepareHeap does nothing where there is no MADV_HUGEPAGE.
func prepareHeap(n int) int { return 0 }

// prepareHeapBeside does nothing where there is no MADV_HUGEPAGE.
func prepareHeapBeside(n, extra, populate int) (buf []byte, wait func()) { return nil, func() {} }

// populateReadied does nothing where nothing was readied.
func populateReadied(n int) bool { return false }

// readiedBytes is 0 where nothing is readied.
func readiedBytes() int { return 0 }
