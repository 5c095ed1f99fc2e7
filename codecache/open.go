package codecache

import (
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// OpenRead opens the file at path for reading, as os.Open does, in two
// system calls instead of six: os.Open of a regular file also tries to
// put the descriptor in the runtime's poller (fcntl to make it
// non-blocking, epoll_ctl, which refuses a regular file, and fcntl to make
// it blocking again), which a file read with ReadAt, mapped or read once
// does not need. The file is a plain blocking one (os.NewFile): reads of a
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

// readEntry reads the whole file at path (os.ReadFile with OpenRead's
// open) and returns its modification time too, from the open file.
func readEntry(path string) ([]byte, time.Time, error) {
	f, err := OpenRead(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, err
	}
	size := fi.Size()
	if size < 0 || size > 1<<40 {
		size = 0
	}
	data := make([]byte, 0, size+1) // +1: a file that grew is read to its end
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, fi.ModTime(), nil
		}
		if err != nil {
			return nil, time.Time{}, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}
