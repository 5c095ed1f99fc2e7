package codecache

import (
	"debug/elf"
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"
)

// memoryBuildID reads the Go build ID note of the running executable from
// its own memory: the program headers the kernel placed (the auxiliary
// vector's AT_PHDR), and the PT_NOTE segment they name, which lies in a
// loaded segment. That is the note of the code that runs, with no file
// to open or read (opening /proc/self/exe and reading its first 16 KB took
// about 8 system calls and, with the buffer, 15-20 page faults at the start
// of every run that uses the cache). ok is false when the headers or the
// note are not where they should be; the caller then reads the file.
func memoryBuildID() (id string, ok bool) {
	auxv, err := unix.Auxv()
	if err != nil {
		return "", false
	}
	var phdr, phent, phnum uintptr
	for _, kv := range auxv {
		switch kv[0] {
		case 3: // AT_PHDR
			phdr = kv[1]
		case 4: // AT_PHENT
			phent = kv[1]
		case 5: // AT_PHNUM
			phnum = kv[1]
		}
	}
	if phdr == 0 || phent < 56 || phnum == 0 || phnum > 64 {
		return "", false
	}
	hdrs := unsafe.Slice((*byte)(addrPointer(phdr)), phent*phnum)
	le := binary.LittleEndian
	ph := func(i uintptr) (typ elf.ProgType, vaddr, filesz uint64) {
		h := hdrs[i*phent:]
		return elf.ProgType(le.Uint32(h)), le.Uint64(h[16:]), le.Uint64(h[32:])
	}
	// The load bias: where PT_PHDR says the headers are against where
	// they are (0 for gorc, which is not position-independent).
	bias, found := uint64(0), false
	for i := range phnum {
		if typ, vaddr, _ := ph(i); typ == elf.PT_PHDR {
			bias, found = uint64(phdr)-vaddr, true
			break
		}
	}
	if !found {
		return "", false
	}
	loaded := func(vaddr, size uint64) bool {
		for i := range phnum {
			if typ, v, n := ph(i); typ == elf.PT_LOAD && vaddr >= v && size <= n && vaddr-v <= n-size {
				return true
			}
		}
		return false
	}
	for i := range phnum {
		typ, vaddr, size := ph(i)
		if typ != elf.PT_NOTE || size == 0 || size > 1<<16 || !loaded(vaddr, size) {
			continue
		}
		note := unsafe.Slice((*byte)(addrPointer(uintptr(vaddr+bias))), size)
		if id, found := goNote(note); found {
			return id, true
		}
	}
	return "", false
}

// addrPointer makes a pointer of an address in the process's own mapped
// image (never in the Go heap).
func addrPointer(a uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&a)) }
