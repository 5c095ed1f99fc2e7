package memmgr

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestMapFile: memory mapped from a file reads as the file, writes go
// to private copies (the file is unchanged), and a bad request fails
// leaving the memory as it was.
func TestMapFile(t *testing.T) {
	ps := syscall.Getpagesize()
	want := make([]byte, 3*ps)
	for i := range want {
		want[i] = byte(i * 7)
	}
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, append(bytes.Repeat([]byte{0xee}, ps), want...), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mem, err := syscall.Mmap(-1, 0, 4*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	mem[0] = 1
	if err := MapFile(mem[:3*ps], f.Fd(), int64(ps)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mem[:3*ps], want) || mem[3*ps] != 0 {
		t.Fatalf("mapped memory does not read as the file's bytes")
	}
	mem[ps+5] ^= 0xff // a private copy of that page
	if got, _ := os.ReadFile(p); !bytes.Equal(got[ps:], want) {
		t.Error("a write to the mapping reached the file")
	}
	for _, bad := range []struct {
		mem []byte
		off int64
	}{
		{mem[1 : ps+1], 0},  // not on a page
		{mem[:ps], 1},       // offset not on a page
		{mem[:ps-1], 0},     // not whole pages
		{mem[3*ps:], -4096}, // negative offset
	} {
		if err := MapFile(bad.mem, f.Fd(), bad.off); err == nil {
			t.Errorf("MapFile(%d bytes, offset %d) succeeded", len(bad.mem), bad.off)
		}
	}
	if err := MapFile(mem[3*ps:], ^uintptr(0)>>1, 0); err == nil {
		t.Error("MapFile of a bad descriptor succeeded")
	}
	mem[3*ps] = 9 // still writable memory after the failures
}
