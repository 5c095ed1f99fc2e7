package wire

import (
	"bytes"
	"encoding/binary"
	"syscall"
	"testing"
	"unsafe"
)

// resident counts the pages of b that are in memory (mincore).
func resident(t *testing.T, b []byte) int {
	t.Helper()
	pg := syscall.Getpagesize()
	vec := make([]byte, (len(b)+pg-1)/pg)
	_, _, e := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(unsafe.Pointer(&vec[0])))
	if e != 0 {
		t.Fatalf("mincore: %v", e)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
}

// TestPopulate checks that a large buffer's pages are in memory after
// populate, before anything writes them, and that a small one is left
// alone.
func TestPopulate(t *testing.T) {
	pg := syscall.Getpagesize()
	for _, tc := range []struct {
		size, want int
	}{
		{populateFrom, populateFrom / pg},
		{1 << 20, (1 << 20) / pg},
		{populateFrom - pg, 0},
	} {
		m, err := syscall.Mmap(-1, 0, tc.size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
		if err != nil {
			t.Fatal(err)
		}
		populate(m[:0])
		got := resident(t, m)
		syscall.Munmap(m)
		if got != tc.want {
			t.Errorf("populate of %d bytes: %d pages resident, want %d", tc.size, got, tc.want)
		}
	}
}

// TestReadFrameLarge reads frames around the populate and growth sizes
// and checks their payloads byte for byte.
func TestReadFrameLarge(t *testing.T) {
	for _, n := range []int{populateFrom - 1, populateFrom, populateFrom + 4097, largePayload, largePayload + 12345, 3*largePayload + 1} {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(i * 7)
		}
		var hdr [HeaderSize]byte
		binary.LittleEndian.PutUint32(hdr[:], uint32(n))
		hdr[4] = byte(KindCall)
		hdr[5] = byte(OpWrite)
		binary.LittleEndian.PutUint64(hdr[8:], 9)
		f, err := ReadFrame(bytes.NewReader(append(hdr[:], p...)))
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if f.Seq != 9 || !bytes.Equal(f.Payload, p) {
			t.Fatalf("%d bytes: payload differs (seq %d, %d bytes)", n, f.Seq, len(f.Payload))
		}
	}
}
