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
// (epoll_create1, eventfd2, epoll_ctl), which a process whose other
// descriptors are regular files then never needs (a `gorc run -noexec`
// cache hit). Errors are *fs.PathError, as os.Open's.
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
