package wire

import "unsafe"

// populateFrom is the smallest payload buffer populate prefaults: a
// frame this large carries code or data (an OpBatch's writes, an
// OpWrite, an OpRead's answer) whose every page the reads will touch.
// On the project's VM a page fault costs several microseconds, so an
// executor child receiving the sqlite driver's code took ~550 faults in
// its payload buffers.
const populateFrom = 128 << 10

// pageOffset is the offset in b of its first page boundary.
func pageOffset(b []byte, pg int) int {
	if len(b) == 0 {
		return 0
	}
	a := uintptr(unsafe.Pointer(&b[0]))
	return int((uintptr(pg) - a%uintptr(pg)) % uintptr(pg))
}
