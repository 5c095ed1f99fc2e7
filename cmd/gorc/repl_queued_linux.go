package main

import (
	"syscall"
	"unsafe"
)

// queuedInput returns how many bytes the terminal fd holds for reading
// (TIOCINQ), or 0 if it cannot tell.
func queuedInput(fd int) int {
	var n int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TIOCINQ, uintptr(unsafe.Pointer(&n))); e != 0 {
		return 0
	}
	return int(n)
}
