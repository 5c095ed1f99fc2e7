package rawfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenReadMissing(t *testing.T) {
	_, err := OpenRead(filepath.Join(t.TempDir(), "absent"))
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *fs.PathError for a missing file", err)
	}
}

// TestReadAll: the whole file whatever size the caller saw (the file may
// have grown or shrunk since, or the size be nonsense).
func TestReadAll(t *testing.T) {
	content := bytes.Repeat([]byte("gorc\n"), 3000) // 15,000 bytes
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int64{int64(len(content)), 0, 100, int64(len(content)) + 5000, -1, 1 << 50} {
		f, err := OpenRead(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadAll(f, size)
		f.Close()
		if err != nil || !bytes.Equal(got, content) {
			t.Errorf("size %d: %d bytes, err %v; want the %d bytes", size, len(got), err, len(content))
		}
	}
}
