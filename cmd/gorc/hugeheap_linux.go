package main

import (
	"runtime"
	"sync"
	"syscall"
	"unsafe"
)

// readied is the heap the last prepareHeap or prepareHeapBeside readied
// (its address and size), for populateReadied; populated says it was
// handed to populateAhead once.
var readied struct {
	mu        sync.Mutex
	lo, n     uintptr
	populated bool
}

// noteReadied records the heap readied at buf (before buf is dropped).
func noteReadied(buf []byte) {
	readied.mu.Lock()
	readied.lo, readied.n, readied.populated = uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), false
	readied.mu.Unlock()
}

// readiedBytes returns the size of the heap the last prepareHeap or
// prepareHeapBeside readied (0: none).
func readiedBytes() int {
	readied.mu.Lock()
	defer readied.mu.Unlock()
	return int(readied.n)
}

// populateReadied faults in the heap readied at start-up (prepareHeap,
// prepareHeapBeside), up to n bytes of it, on a goroutine of its own
// (populateAhead), once: for a run that finds only after its start-up
// that it will use that heap (gorc kaleido -lazy -speculate, when the
// speculator plans its first batch: the pages are then zeroed on the
// core the run leaves idle while it waits for a batch, instead of in
// line by the compiles that first touch them). What the start-up used
// is present already (the advice then costs a walk of its page tables).
// It reports whether it started (false: nothing readied, or populated
// already, by an eager compile's prepareHeapBeside too).
func populateReadied(n int) bool {
	readied.mu.Lock()
	lo, size, done := readied.lo, readied.n, readied.populated
	readied.populated = true
	readied.mu.Unlock()
	if done || lo == 0 || n <= 0 {
		return false
	}
	go populateAhead(lo, min(uintptr(n), size))
	return true
}

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
	n = min(n, maxReadiedHeap)
	if n < 2*huge {
		return 0
	}
	buf := make([]byte, n)
	_ = syscall.Madvise(buf, syscall.MADV_HUGEPAGE)
	noteReadied(buf)
	buf = nil
	runtime.GC()
	return n
}

// prepareHeapBeside is prepareHeap for a start-up that first reads extra
// bytes of input: it allocates n bytes to ready and, beside them, an
// extra-byte buffer for the input, advises both for huge pages, and frees
// the n bytes with a collection that runs on a goroutine of its own while
// the caller reads its input into buf (a collection of the tiny heap
// takes about as long as reading a few MB from the page cache, and the
// two overlap). The caller calls wait before it allocates much: after
// it, the small objects are carved from the freed memory. With n too
// small to bother, buf is nil and wait does nothing. The first populate
// bytes of the readied memory (up to n) are faulted in ahead on a
// goroutine of their own (populateAhead), so that the compile that
// allocates them finds them present.
func prepareHeapBeside(n, extra, populate int) (buf []byte, wait func()) {
	const huge = 2 << 20
	n = min(n, maxReadiedHeap)
	if n < 2*huge {
		return nil, func() {}
	}
	ready := make([]byte, n)
	_ = syscall.Madvise(ready, syscall.MADV_HUGEPAGE)
	noteReadied(ready)
	if extra > 0 {
		buf = make([]byte, extra)
		// Advised up to the next 2 MiB boundary past its end and from the
		// last one before its start (in ready, or the heap's memory before
		// it): only a 2 MiB-aligned range wholly advised is faulted in as
		// one huge page, and a buffer advised alone holds at most one.
		lo := uintptr(unsafe.Pointer(&buf[0])) &^ (huge - 1)
		hi := (uintptr(unsafe.Pointer(&buf[0])) + uintptr(extra) + huge - 1) &^ (huge - 1)
		// (ENOMEM for a part not mapped: the rest is advised all the same.)
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, syscall.MADV_HUGEPAGE)
	}
	if populate = min(populate, n); populate > 0 {
		readied.mu.Lock()
		readied.populated = true
		readied.mu.Unlock()
		// By address, not by the slice, which would keep the memory
		// from being freed.
		go populateAhead(uintptr(unsafe.Pointer(&ready[0])), uintptr(populate))
	}
	ready = nil
	done := make(chan struct{})
	go func() {
		runtime.GC()
		close(done)
	}()
	return buf, func() { <-done }
}

// maxReadiedHeap bounds the heap prepareHeap and prepareHeapBeside ready.
// They are asked for a multiple of the source's size (up to 72 bytes a
// byte), and the lazy run keeps its collector off until the readied heap
// is used up (lazyRunHeap): without a bound a source of tens of MB would
// let the heap grow by GBs before the first collection. 1 GiB is 14 MB
// of Kaleidoscope source at 72 bytes a byte, ten times the largest
// benchmark program; past it the collector runs as for any Go program.
const maxReadiedHeap = 1 << 30

// madvPopulateWrite is Linux's MADV_POPULATE_WRITE (5.14 and later).
const madvPopulateWrite = 23

// populateAhead faults in the n bytes of Go heap at lo (memory readied by
// prepareHeapBeside, page-aligned), 2 MiB at a time from the lowest
// address up, the order in which Go's page allocator hands it out. The
// kernel zeroes the pages here, on a goroutine of its own (the second
// core is mostly idle while the process starts and reads its sources),
// instead of in the compile's first touch of each, on the compile's two
// stages. MADV_POPULATE_WRITE writes no byte of the memory, so it does
// not matter whether the collection has freed it or the allocator
// handed it out meanwhile. It stops at the first error (a kernel before
// 5.14: the pages are then faulted in by their first use, as before).
func populateAhead(lo, n uintptr) {
	const huge = 2 << 20
	for off := uintptr(0); off < n; off += huge {
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, lo+off, min(huge, n-off), madvPopulateWrite); e != 0 {
			return
		}
	}
}
