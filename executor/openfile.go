package executor

import (
	"io/fs"
	"os"
	"syscall"
)

// openRead opens the file at path for reading as a plain blocking file
// (open(2) and os.NewFile): os.Open also tries to put the descriptor in
// the runtime's poller, which for a regular file is three more system
// calls (fcntl to make it non-blocking, epoll_ctl, which refuses it,
// fcntl back) and, the first time in a process, the poller's creation
// (epoll_create1, eventfd2, epoll_ctl): a `gorc run` whose only opens were
// of regular files then never creates it. Errors are *fs.PathError, as
// os.Open's.
func openRead(path string) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}

// blockingPipe is os.Pipe without the runtime's poller: both ends are
// plain blocking files (a read parks its thread, not only its goroutine).
// For a pipe read by one goroutine for the life of the process, that
// thread is the price of not creating the poller (and its descriptors,
// and some 20 fcntl and epoll_ctl calls) in a process that needs it for
// nothing else.
func blockingPipe() (r, w *os.File, err error) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return nil, nil, os.NewSyscallError("pipe2", err)
	}
	return os.NewFile(uintptr(p[0]), "|0"), os.NewFile(uintptr(p[1]), "|1"), nil
}
