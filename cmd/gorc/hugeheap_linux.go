package main

import (
	"runtime"
	"syscall"
)

// prepareHeap readies n bytes of Go heap for a short compile that
// allocates about that much with the collector off: it allocates them as
// one object, advises the kernel to back them with transparent huge pages
// (MADV_HUGEPAGE; on a system whose THP mode is "madvise", the default of
// many distributions, fresh anonymous memory otherwise comes in 4 KiB
// pages, one page fault each), and frees them with one collection of the
// still tiny heap. The small objects allocated next are carved from that
// memory (Go's page allocator takes the lowest free addresses first), so
// the heap is faulted in 2 MiB at a time. Errors are ignored: without huge
// pages the heap works as before. It returns the bytes it allocated (0
// when n is too small to bother).
func prepareHeap(n int) int {
	const huge = 2 << 20
	if n < 2*huge {
		return 0
	}
	buf := make([]byte, n)
	_ = syscall.Madvise(buf, syscall.MADV_HUGEPAGE)
	buf = nil
	runtime.GC()
	return n
}
