// Package rawfile opens and reads regular files with the fewest system
// calls: a file gorc reads once, maps or reads with ReadAt needs none of
// the runtime poller's set-up that os.Open does. It is a leaf every layer
// may use (the executor runtime and the code cache included).
package rawfile

import (
	"io"
	"io/fs"
	"os"
	"syscall"
)

// OpenRead opens the file at path for reading, as os.Open does, in two
// system calls instead of six: os.Open of a regular file also tries to
// put the descriptor in the runtime's poller (fcntl to make it
// non-blocking, epoll_ctl, which refuses a regular file, and fcntl to make
// it blocking again) and, the first time in a process, creates the poller
// (epoll_create1, eventfd2, epoll_ctl), which a process whose other
// descriptors are regular files then never needs (a `gorc run -noexec`
// cache hit). The file is a plain blocking one (os.NewFile): reads of a
// pipe or a device opened this way block their thread rather than park
// their goroutine. Errors are *fs.PathError, as os.Open's
// (errors.Is(err, fs.ErrNotExist) holds for a missing file).
func OpenRead(path string) (*os.File, error) {
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

// ReadAll reads f to its end, size being its size when it was looked at
// (os.ReadFile's reads: one for a file that has not changed, and one more
// to see its end; io.ReadAll's start at 512 bytes and grow, 7 reads for
// an 8.7 KB object). A file that grew is read to its end.
func ReadAll(f *os.File, size int64) ([]byte, error) {
	if size < 0 || size > 1<<40 {
		size = 0
	}
	data := make([]byte, 0, size+1) // +1: a file that grew is read to its end
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}
