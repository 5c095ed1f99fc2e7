package memmgr

import (
	"fmt"
	"syscall"
	"unsafe"
)

// MapFile puts the pages of a file in place of mem's: mem (memory of this
// process that an in-process mapper handed out, readable and writable,
// whole pages) becomes a private, copy-on-write mapping of len(mem) bytes
// of the file fd from offset off (a multiple of the page size), readable
// and writable. Reading a page then costs no zeroing and no copy (the
// page cache's page is mapped, a few dozen pages per fault), and only the
// pages written afterwards (a replayed image's fixups) are copied. The
// protections a finalize sets later apply as to any memory; a decommit
// (which maps fresh anonymous memory over the range) or a release drops
// the mapping, so freed slab memory never shows the file again.
//
// On failure mem is left fresh, zeroed, read-write memory (as the
// mapper handed it out) and the caller can fill it as before.
//
// Before mapping, MapFile checks that the file may be mapped executable
// (a file system mounted noexec refuses it, and the later protection
// change would fail): it fails, changing nothing, when it may not.
func MapFile(mem []byte, fd uintptr, off int64) error {
	ps := syscall.Getpagesize()
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(mem)))
	if len(mem) == 0 || addr%uintptr(ps) != 0 || len(mem)%ps != 0 || off < 0 || off%int64(ps) != 0 {
		return fmt.Errorf("memmgr: map file: %d bytes at %#x from offset %d are not whole pages", len(mem), addr, off)
	}
	// The probe: one page, read-execute, wherever the kernel likes.
	p, _, e := syscall.Syscall6(syscall.SYS_MMAP, 0, uintptr(ps), syscall.PROT_READ|syscall.PROT_EXEC, syscall.MAP_PRIVATE, fd, uintptr(off))
	if e != 0 {
		return fmt.Errorf("memmgr: map file: the file cannot be mapped executable: %w", e)
	}
	syscall.Syscall(syscall.SYS_MUNMAP, p, uintptr(ps), 0)
	r, _, e := syscall.Syscall6(syscall.SYS_MMAP, addr, uintptr(len(mem)), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_FIXED, fd, uintptr(off))
	if e != 0 || r != addr {
		// A failed fixed mapping may have unmapped the range: put fresh
		// read-write memory back, so that the caller can fill mem as if
		// MapFile had not been called.
		syscall.Syscall6(syscall.SYS_MMAP, addr, uintptr(len(mem)), syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_PRIVATE|syscall.MAP_FIXED|syscall.MAP_ANONYMOUS|syscall.MAP_NORESERVE, ^uintptr(0), 0)
		if e == 0 {
			return fmt.Errorf("memmgr: map file: mapped at %#x, not %#x", r, addr)
		}
		return fmt.Errorf("memmgr: map file over %#x+%#x: %w", addr, len(mem), e)
	}
	return nil
}
