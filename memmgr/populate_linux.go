package memmgr

import "syscall"

// madvPopulateWrite is Linux's MADV_POPULATE_WRITE (5.14): fault the
// range in, writable, in one call.
const madvPopulateWrite = 23

// populate faults b's pages in with one system call instead of one page
// fault per 4 KiB page as the linker writes them (each fault traps into
// the kernel; populating allocates the same pages without the traps).
// Errors are ignored (an older kernel says EINVAL): the pages are then
// faulted in as they are written, as before.
func populate(b []byte) {
	if len(b) > 0 {
		_ = syscall.Madvise(b, madvPopulateWrite)
	}
}
