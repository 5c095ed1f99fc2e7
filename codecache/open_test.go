package codecache

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestOpenReadAndReadEntry: OpenRead opens for reading (not writing) and
// reports a missing file as fs.ErrNotExist naming the path; readEntry
// reads files of every size round a buffer's edges whole, with the
// file's modification time.
func TestOpenReadAndReadEntry(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenRead(filepath.Join(dir, "none")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenRead of a missing file: %v, want fs.ErrNotExist", err)
	} else if pe, ok := err.(*fs.PathError); !ok || pe.Path != filepath.Join(dir, "none") {
		t.Errorf("OpenRead error %#v does not name the path", err)
	}
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 100 << 10} {
		p := filepath.Join(dir, "f")
		want := bytes.Repeat([]byte{byte(n)}, n)
		if err := os.WriteFile(p, want, 0o644); err != nil {
			t.Fatal(err)
		}
		got, mtime, err := readEntry(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("readEntry of %d bytes: %d bytes, %v", n, len(got), err)
		}
		fi, _ := os.Stat(p)
		if !mtime.Equal(fi.ModTime()) {
			t.Errorf("readEntry mtime %v, want %v", mtime, fi.ModTime())
		}
		f, err := OpenRead(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte("x")); err == nil {
			t.Errorf("a file from OpenRead was writable")
		}
		f.Close()
	}
	if _, _, err := readEntry(dir); err == nil {
		t.Errorf("readEntry of a directory: no error")
	}
}
