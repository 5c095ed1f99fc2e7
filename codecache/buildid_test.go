package codecache

import (
	"debug/elf"
	"os"
	"strings"
	"testing"
)

// TestGoBuildID: the build ID read through the program headers (the
// first bytes of the file) is the one in the .note.go.buildid section,
// as debug/elf finds it, for this test binary; a file that is not ELF
// has none, and a truncated head is not mistaken for one.
func TestGoBuildID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	ef, err := elf.Open(exe)
	if err != nil {
		t.Skipf("not ELF: %v", err)
	}
	defer ef.Close()
	s := ef.Section(".note.go.buildid")
	if s == nil {
		t.Skip("no .note.go.buildid")
	}
	note, err := s.Data()
	if err != nil {
		t.Fatal(err)
	}
	want, ok := goNote(note)
	if !ok || want == "" || strings.ContainsRune(want, 0) {
		t.Fatalf("goNote of the section = %q, %v", want, ok)
	}
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := goBuildID(f); got != want {
		t.Errorf("goBuildID = %q, want %q", got, want)
	}
	if got, ok := memoryBuildID(); !ok || got != want {
		t.Errorf("memoryBuildID = %q, %v; want %q (the file's)", got, ok, want)
	}
	if got := executableIdentity(); got != "go-buildid "+want {
		t.Errorf("executableIdentity = %q, want %q", got, "go-buildid "+want)
	}
	head := make([]byte, 16<<10)
	n, _ := f.ReadAt(head, 0)
	if got, ok := noteBuildID(head[:n]); !ok || got != want {
		t.Errorf("noteBuildID(first %d bytes) = %q, %v; want %q (the Go linker puts the note first)", n, got, ok, want)
	}
	for _, cut := range []int{0, 16, 64, 200} {
		if id, ok := noteBuildID(head[:cut]); ok {
			t.Errorf("noteBuildID(first %d bytes) = %q, want none", cut, id)
		}
	}
	other, err := os.CreateTemp(t.TempDir(), "notelf")
	if err != nil {
		t.Fatal(err)
	}
	other.WriteString("#!/bin/sh\necho not ELF\n")
	if id := goBuildID(other); id != "" {
		t.Errorf("goBuildID(a shell script) = %q", id)
	}
	other.Close()
}

// FuzzNoteBuildID: any file head is read without a panic.
func FuzzNoteBuildID(f *testing.F) {
	if exe, err := os.Executable(); err == nil {
		if fh, err := os.Open(exe); err == nil {
			head := make([]byte, 4096)
			n, _ := fh.ReadAt(head, 0)
			f.Add(head[:n])
			fh.Close()
		}
	}
	f.Add([]byte(elf.ELFMAG))
	f.Fuzz(func(t *testing.T, head []byte) {
		noteBuildID(head)
	})
}
