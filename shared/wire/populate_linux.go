package wire

import "syscall"

// madvPopulateWrite is Linux's MADV_POPULATE_WRITE (5.14 and later).
const madvPopulateWrite = 23

// populate asks the kernel to allocate the pages of b's capacity (a
// fresh payload buffer about to be filled by reads) in one madvise instead of one page
// fault each as the reads reach them. Best effort: an older kernel
// refuses the advice and the pages fault in as before. Only whole pages
// inside b are advised.
func populate(b []byte) {
	b = b[:cap(b)]
	if len(b) < populateFrom {
		return
	}
	pg := syscall.Getpagesize()
	start := pageOffset(b, pg)
	if start >= len(b) {
		return
	}
	b = b[start:]
	_ = syscall.Madvise(b[:len(b)&^(pg-1)], madvPopulateWrite)
}
