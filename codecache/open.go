package codecache

import (
	"os"
	"time"

	"github.com/gorc-jit/gorc/internal/rawfile"
)

// OpenRead opens the file at path for reading, as os.Open does, without
// the runtime poller's system calls (rawfile.OpenRead). Errors are
// *fs.PathError, as os.Open's.
func OpenRead(path string) (*os.File, error) { return rawfile.OpenRead(path) }

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
	data, err := rawfile.ReadAll(f, fi.Size())
	if err != nil {
		return nil, time.Time{}, err
	}
	return data, fi.ModTime(), nil
}
