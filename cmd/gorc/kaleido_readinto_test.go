package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestReadKaleidoSourcesInto: sources read into the buffer readied
// beside the start-up heap are the files' contents whatever the buffer's
// size (a file grown or shrunk since it was sized), each its own slice
// (appending to one does not overwrite the next), and a file that cannot
// be read gives os.ReadFile's error.
func TestReadKaleidoSourcesInto(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.k", "def f(x) x;\n")
	b := write("b.k", "f(2);\n")
	empty := write("e.k", "")
	tests := []struct {
		name  string
		files []string
		buf   int // buffer size
	}{
		{"exact fit", []string{a, b}, 12 + 6},
		{"room to spare", []string{a, b}, 100},
		{"grown since sized", []string{a, b}, 12 + 3},
		{"first larger than the buffer", []string{a, b}, 5},
		{"one byte short", []string{a}, 11},
		{"empty file", []string{empty, a}, 12},
		{"no buffer", []string{a, b}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf []byte
			if tt.buf > 0 {
				buf = make([]byte, tt.buf)
			}
			names, srcs, err := readKaleidoSourcesInto(tt.files, buf)
			if err != nil {
				t.Fatal(err)
			}
			if len(names) != len(tt.files) || len(srcs) != len(tt.files) {
				t.Fatalf("%d names, %d sources for %d files", len(names), len(srcs), len(tt.files))
			}
			for i, f := range tt.files {
				want, _ := os.ReadFile(f)
				if names[i] != f || !bytes.Equal(srcs[i], want) {
					t.Errorf("file %d: %s %q, want %s %q", i, names[i], srcs[i], f, want)
				}
			}
			srcs[0] = append(srcs[0], "XXXXXXXXXXXXXXXXXXXXXXXX"...)
			for i := 1; i < len(srcs); i++ {
				if want, _ := os.ReadFile(tt.files[i]); !bytes.Equal(srcs[i], want) {
					t.Errorf("appending to the first source changed source %d: %q", i, srcs[i])
				}
			}
		})
	}
	for _, f := range []string{filepath.Join(dir, "missing.k"), dir} {
		_, _, err := readKaleidoSourcesInto([]string{f}, make([]byte, 64))
		_, wantErr := os.ReadFile(f)
		if err == nil || wantErr == nil || err.Error() != wantErr.Error() {
			t.Errorf("reading %s: %v, want %v", f, err, wantErr)
		}
	}
}
