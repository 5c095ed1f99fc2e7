package executor

import (
	"os"

	"github.com/gorc-jit/gorc/internal/rawfile"
)

// openRead opens the file at path for reading as a plain blocking file,
// without the runtime poller's system calls (rawfile.OpenRead).
func openRead(path string) (*os.File, error) { return rawfile.OpenRead(path) }
