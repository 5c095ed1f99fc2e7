package executor

/*
#include <stdlib.h>
#include "gorc_executor.h"
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"github.com/gorc-jit/gorc/shared"
)

// TLSBlock is a thread-local storage block for JIT'd code, placed in
// glibc's static TLS area of every thread.
//
// For the local-exec and initial-exec models (gcc -fPIE: %fs:x@tpoff,
// x@gottpoff) the linker uses TPOffset+offset-of-x as the thread-pointer
// offset. For general- and local-dynamic (-fPIC, __tls_get_addr) it
// uses tls_index{ModuleID, offset-of-x} with glibc's own __tls_get_addr.
type TLSBlock struct {
	Handle    shared.ExecutorAddr // dlopen handle of the TLS-carrier module
	ModuleID  uint64              // glibc TLS module id (tls_index.ti_module)
	TPOffset  int64               // block address minus thread pointer (same in every thread)
	ImageAddr shared.ExecutorAddr // the initialization image (ImageSize bytes, writable)
	ImageSize uint64              // .tdata part: copied into each new thread's block
	Size      uint64              // .tdata + .tbss
	Align     uint64
}

// TLSRequest asks for a TLS block.
type TLSRequest struct {
	Size      uint64 // total bytes (.tdata + .tbss); at least 1
	Align     uint64 // power of two, 1 if zero
	ImageSize uint64 // bytes of initialized data (.tdata), <= Size
	Image     []byte // optional initial image (len <= ImageSize), e.g. when .tdata needs no relocation
}

// StaticTLSTunable is the glibc tunable that sizes the static TLS surplus
// available to dlopen'd modules with static TLS (default 512 bytes in
// glibc 2.36). It must be set in GLIBC_TUNABLES before the process starts.
const StaticTLSTunable = "glibc.rtld.optional_static_tls"

var (
	tlsMu     sync.Mutex
	tlsImages []shared.ExecutorAddrRange
	tlsFiles  []*os.File
)

func inTLSImage(addr shared.ExecutorAddr, n uint64) bool {
	tlsMu.Lock()
	defer tlsMu.Unlock()
	end := uint64(addr) + n
	for _, r := range tlsImages {
		if end >= uint64(addr) && addr >= r.Start && end <= uint64(r.End) {
			return true
		}
	}
	return false
}

// AllocateTLS creates a TLS block: it writes (in memory, no compiler) a
// tiny ELF shared object whose only content is a PT_TLS segment of the
// requested size, flagged DF_STATIC_TLS, and dlopens it. glibc then
// places the block in the static TLS surplus of every thread, existing
// and future, at the same offset from the thread pointer. Threads created
// after the image is in place (see TLSSetImageName, or Image here) start
// with it; that includes the threads RunAsMain, RunVoid and RunProgram
// create.
//
// If the block does not fit in the surplus, the error says so and names
// the GLIBC_TUNABLES setting that makes room.
func AllocateTLS(req TLSRequest) (TLSBlock, error) {
	if req.Align == 0 {
		req.Align = 1
	}
	if req.Size == 0 || req.Align&(req.Align-1) != 0 || req.ImageSize > req.Size || uint64(len(req.Image)) > req.ImageSize {
		return TLSBlock{}, fmt.Errorf("executor: allocate TLS: bad request (size %d, align %d, image %d/%d bytes)",
			req.Size, req.Align, len(req.Image), req.ImageSize)
	}
	if req.Size > 1<<30 || req.Align > 1<<16 {
		return TLSBlock{}, fmt.Errorf("executor: allocate TLS: size %d / align %d too large", req.Size, req.Align)
	}
	so, imageOff, slotOff := BuildTLSObject(req.Size, req.Align, req.ImageSize, req.Image)
	name := C.CString("gorc-tls")
	fd := C.gorc_memfd(name)
	C.free(unsafe.Pointer(name))
	if fd < 0 {
		return TLSBlock{}, fmt.Errorf("executor: allocate TLS: memfd_create failed")
	}
	// The descriptor stays open: glibc recognizes an already loaded object
	// by the name passed to dlopen, so /proc/self/fd/N must stay unique.
	f := os.NewFile(uintptr(fd), "gorc-tls")
	if _, err := f.Write(so); err != nil {
		privateFD(int(fd), false)
		f.Close()
		return TLSBlock{}, fmt.Errorf("executor: allocate TLS: writing carrier object: %w", err)
	}
	h, err := Dlopen(fmt.Sprintf("/proc/self/fd/%d", int(fd)))
	if err != nil {
		privateFD(int(fd), false)
		f.Close()
		if strings.Contains(err.Error(), "static TLS") {
			return TLSBlock{}, fmt.Errorf("executor: allocate TLS: %d bytes (align %d) do not fit in glibc's static TLS surplus; "+
				"start the process with GLIBC_TUNABLES=%s=N where N >= %d plus what is already used (executor.EnsureStaticTLS does that): %w",
				req.Size, req.Align, StaticTLSTunable, req.Size+req.Align, err)
		}
		return TLSBlock{}, fmt.Errorf("executor: allocate TLS: %w", err)
	}
	tlsMu.Lock()
	tlsFiles = append(tlsFiles, f)
	tlsMu.Unlock()
	base := uint64(C.gorc_link_map_base(C.uint64_t(h)))
	var modid C.uint64_t
	var tpoff C.int64_t
	var cerr *C.char
	if C.gorc_tls_info(C.uint64_t(h), C.uint64_t(base+slotOff), &modid, &tpoff, &cerr) != 0 {
		msg := C.GoString(cerr)
		C.free(unsafe.Pointer(cerr))
		return TLSBlock{}, fmt.Errorf("executor: allocate TLS: carrier module %v: %s", h, msg)
	}
	b := TLSBlock{
		Handle:    h,
		ModuleID:  uint64(modid),
		TPOffset:  int64(tpoff),
		ImageAddr: shared.ExecutorAddr(base + imageOff),
		ImageSize: req.ImageSize,
		Size:      req.Size,
		Align:     req.Align,
	}
	if req.ImageSize > 0 {
		tlsMu.Lock()
		tlsImages = append(tlsImages, shared.ExecutorAddrRange{Start: b.ImageAddr, End: b.ImageAddr.Add(req.ImageSize)})
		tlsMu.Unlock()
		C.gorc_tls_register_image(C.uint64_t(b.ImageAddr), C.uint64_t(req.ImageSize))
		callTLSBlock(b)
	}
	return b, nil
}

// TPOffsetInNewThread returns the block's offset from the thread pointer
// as seen from a freshly created thread (it equals TPOffset: static TLS).
func (b TLSBlock) TPOffsetInNewThread() int64 {
	return int64(C.gorc_tls_tpoff_in_new_thread(C.uint64_t(b.Handle)))
}

// ThreadPointer returns the calling thread's thread pointer (%fs base);
// for tests.
func ThreadPointer() uint64 { return uint64(C.gorc_thread_pointer()) }

// BuildTLSObject returns the bytes of an x86-64 ELF shared object whose
// only content is a static TLS block (PT_TLS of memsz size, filesz
// imageSize, initialized from image) and the file/virtual offset of the
// initialization image. The object has one writable PT_LOAD covering the
// whole file, so the image can be rewritten after loading; a minimal
// dynamic section (DT_HASH, DT_STRTAB, DT_SYMTAB, DT_RELA with one
// R_X86_64_TPOFF64 that forces static TLS, DT_FLAGS=DF_STATIC_TLS)
// and a PT_GNU_STACK header (non-executable stack).
func BuildTLSObject(size, align, imageSize uint64, image []byte) (so []byte, imageOff, tpoffSlot uint64) {
	const (
		ehsize   = 64
		phentsz  = 56
		phnum    = 4
		symOff   = ehsize + phnum*phentsz // 288
		strOff   = symOff + 24            // 312
		hashOff  = 320
		relaOff  = hashOff + 16 // 336
		slotOff  = relaOff + 24 // 360
		dynOff   = slotOff + 8  // 368
		dynCount = 10
	)
	if align == 0 {
		align = 1
	}
	dynEnd := uint64(dynOff + dynCount*16)
	imageOff = (dynEnd + align - 1) &^ (align - 1)
	fileSize := imageOff + imageSize
	b := make([]byte, fileSize)
	le := binary.LittleEndian
	// ELF header.
	copy(b, []byte{0x7f, 'E', 'L', 'F', 2 /*64-bit*/, 1 /*LE*/, 1 /*version*/, 0 /*SYSV*/})
	le.PutUint16(b[16:], 3)  // ET_DYN
	le.PutUint16(b[18:], 62) // EM_X86_64
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[24:], 0)      // e_entry
	le.PutUint64(b[32:], ehsize) // e_phoff
	le.PutUint64(b[40:], 0)      // e_shoff
	le.PutUint16(b[52:], ehsize)
	le.PutUint16(b[54:], phentsz)
	le.PutUint16(b[56:], phnum)
	le.PutUint16(b[58:], 64) // e_shentsize
	ph := func(i int, typ, flags uint32, off, filesz, memsz, al uint64) {
		p := b[ehsize+i*phentsz:]
		le.PutUint32(p[0:], typ)
		le.PutUint32(p[4:], flags)
		le.PutUint64(p[8:], off)
		le.PutUint64(p[16:], off) // vaddr
		le.PutUint64(p[24:], off) // paddr
		le.PutUint64(p[32:], filesz)
		le.PutUint64(p[40:], memsz)
		le.PutUint64(p[48:], al)
	}
	const pfW, pfR = 2, 4
	ph(0, 1 /*PT_LOAD*/, pfR|pfW, 0, fileSize, fileSize, 0x1000)
	ph(1, 2 /*PT_DYNAMIC*/, pfR|pfW, dynOff, dynCount*16, dynCount*16, 8)
	ph(2, 7 /*PT_TLS*/, pfR, imageOff, imageSize, size, align)
	ph(3, 0x6474e551 /*PT_GNU_STACK*/, pfR|pfW, 0, 0, 0, 16)
	// dynsym: one null symbol; dynstr: "\0"; hash: nbucket=1, nchain=1.
	le.PutUint32(b[hashOff:], 1)
	le.PutUint32(b[hashOff+4:], 1)
	// One R_X86_64_TPOFF64 against the module's own TLS block (symbol 0 is
	// local, so it binds to this module): it makes glibc allocate the block
	// in static TLS while relocating (CHECK_STATIC_TLS), exactly as an
	// initial-exec access in a dlopen'd library would.
	le.PutUint64(b[relaOff:], slotOff)
	le.PutUint64(b[relaOff+8:], 18 /*R_X86_64_TPOFF64*/)
	le.PutUint64(b[relaOff+16:], 0)
	dyn := [][2]uint64{
		{4 /*DT_HASH*/, hashOff},
		{5 /*DT_STRTAB*/, strOff},
		{6 /*DT_SYMTAB*/, symOff},
		{10 /*DT_STRSZ*/, 1},
		{11 /*DT_SYMENT*/, 24},
		{7 /*DT_RELA*/, relaOff},
		{8 /*DT_RELASZ*/, 24},
		{9 /*DT_RELAENT*/, 24},
		{30 /*DT_FLAGS*/, 0x10 /*DF_STATIC_TLS*/},
		{0, 0},
	}
	for i, d := range dyn {
		le.PutUint64(b[dynOff+i*16:], d[0])
		le.PutUint64(b[dynOff+i*16+8:], d[1])
	}
	copy(b[imageOff:], image)
	return b, imageOff, slotOff
}

// StaticTLSEnv returns the GLIBC_TUNABLES=... environment entry that
// grants at least min bytes of optional static TLS (see StaticTLSTunable),
// keeping this process's other tunables, and whether this process's own
// setting already grants that much. A process that spawns a gorc executor
// passes it in the child's environment, so that EnsureStaticTLS in the
// child returns at once instead of re-executing it (a second process
// start).
func StaticTLSEnv(min uint64) (entry string, enough bool) {
	cur := os.Getenv("GLIBC_TUNABLES")
	for _, kv := range strings.Split(cur, ":") {
		if v, ok := strings.CutPrefix(kv, StaticTLSTunable+"="); ok {
			if n, err := strconv.ParseUint(v, 0, 64); err == nil && n >= min {
				return "GLIBC_TUNABLES=" + cur, true
			}
		}
	}
	var parts []string
	for _, kv := range strings.Split(cur, ":") {
		if kv != "" && !strings.HasPrefix(kv, StaticTLSTunable+"=") {
			parts = append(parts, kv)
		}
	}
	parts = append(parts, fmt.Sprintf("%s=%d", StaticTLSTunable, min))
	return "GLIBC_TUNABLES=" + strings.Join(parts, ":"), false
}

// EnsureStaticTLS makes sure this process has at least min bytes of
// optional static TLS (see StaticTLSTunable): if GLIBC_TUNABLES does not
// already grant that much, it re-executes the running program
// (/proc/self/exe, same arguments and environment) with the tunable added
// and does not return. glibc reads tunables only at process start, so call
// it first thing in main, before any output or side effect. It returns
// nil when the current setting suffices.
func EnsureStaticTLS(min uint64) error {
	tunables, ok := StaticTLSEnv(min)
	if ok {
		return nil
	}
	env := []string{tunables}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GLIBC_TUNABLES=") {
			env = append(env, kv)
		}
	}
	err := syscall.Exec("/proc/self/exe", os.Args, env)
	return fmt.Errorf("executor: re-executing with %s=%d: %w", StaticTLSTunable, min, err)
}

// ExternalTLS is where a thread-local symbol defined by a shared library
// loaded in this process lives (ResolveExternalTLS).
type ExternalTLS struct {
	Found    bool   // a loaded library (or the executable) defines it
	ModuleID uint64 // tls_index.ti_module of the defining module
	Offset   uint64 // the symbol's offset in that module's TLS block (tls_index.ti_offset)
	// Static: the module's block is in static TLS, at the same offset
	// from the thread pointer in every thread; TPOffset is the symbol's
	// address minus the thread pointer.
	Static   bool
	TPOffset int64
	Library  string // the defining module's path
	// Why says, when !Static, why the module could not be moved into
	// static TLS (glibc's message and the tunable that makes room).
	Why string

	blockSize, blockAlign uint64 // the module's PT_TLS
}

var (
	extTLSMu sync.Mutex
	extTLS   = map[string]ExternalTLS{}
)

// ResolveExternalTLS finds the thread-local symbol name among the
// shared libraries loaded in this process (the global scope, as ld.so
// binds a library's references) and returns its module id and offset for
// general-dynamic access and, when the defining module's block is or can
// be put in static TLS, its thread-pointer offset for initial-exec
// access. Found is false when no loaded object defines it.
//
// It dlopens a carrier (BuildTLSRefObject) whose R_X86_64_TPOFF64
// relocation against name makes glibc move the defining module into
// static TLS (CHECK_STATIC_TLS, as for an initial-exec access in a
// dlopened library), copying its initialization image into the static
// block of every existing thread; new threads get it at creation. That
// fails when the module's TLS was already allocated dynamically in some
// thread (a __tls_get_addr for it, e.g. the library's own code ran
// std::call_once) or the static surplus is exhausted: the answer is then
// the dynamic {module, offset} only, with Why saying what failed. The
// answer is cached per name (a module's placement never changes).
func ResolveExternalTLS(name string) (ExternalTLS, error) {
	if name == "" || strings.IndexByte(name, 0) >= 0 {
		return ExternalTLS{}, fmt.Errorf("executor: resolve thread-local symbol %q: bad name", name)
	}
	extTLSMu.Lock()
	defer extTLSMu.Unlock()
	if r, ok := extTLS[name]; ok {
		return r, nil
	}
	r, err := loadTLSRef(name, true)
	if err != nil && strings.Contains(err.Error(), "static TLS") {
		static := err
		r, err = loadTLSRef(name, false)
		if err == nil {
			// Two causes give glibc's one message: tell them apart by
			// asking for a block of the module's shape (a few bytes of
			// surplus lost, on this failure path only).
			if _, e := AllocateTLS(TLSRequest{Size: max(r.blockSize, 1), Align: r.blockAlign}); e != nil {
				r.Why = fmt.Sprintf("its %d-byte TLS block does not fit in glibc's static TLS surplus (%v); "+
					"start the process with GLIBC_TUNABLES=%s=N, N large enough (executor.EnsureStaticTLS does that)",
					r.blockSize, static, StaticTLSTunable)
			} else {
				r.Why = fmt.Sprintf("glibc could not move it into static TLS (%v): the library's TLS was already "+
					"allocated dynamically (__tls_get_addr, e.g. its own code ran in some thread), and then never moves; "+
					"link the objects before the program runs, or compile them -fPIC (general-dynamic)", static)
			}
		}
	}
	if err != nil {
		if strings.Contains(err.Error(), "undefined symbol") {
			return ExternalTLS{}, nil // (not cached: a library loaded later may define it)
		}
		return ExternalTLS{}, fmt.Errorf("executor: resolve thread-local symbol %s: %w", name, err)
	}
	if r.ModuleID == 0 {
		return ExternalTLS{}, fmt.Errorf("executor: symbol %s (defined in %s) is not thread-local", name, r.Library)
	}
	extTLS[name] = r
	return r, nil
}

// loadTLSRef dlopens a BuildTLSRefObject carrier for name.
func loadTLSRef(name string, static bool) (ExternalTLS, error) {
	so, slots := BuildTLSRefObject(name, static)
	cname := C.CString("gorc-tls-ref")
	fd := C.gorc_memfd(cname)
	C.free(unsafe.Pointer(cname))
	if fd < 0 {
		return ExternalTLS{}, fmt.Errorf("memfd_create failed")
	}
	f := os.NewFile(uintptr(fd), "gorc-tls-ref")
	if _, err := f.Write(so); err != nil {
		privateFD(int(fd), false)
		f.Close()
		return ExternalTLS{}, fmt.Errorf("writing carrier object: %w", err)
	}
	path := C.CString(fmt.Sprintf("/proc/self/fd/%d", int(fd)))
	defer C.free(unsafe.Pointer(path))
	n := 2
	if static {
		n = 3
	}
	var out [5]C.uint64_t
	var lib, cerr *C.char
	ok := C.gorc_tls_extern(path, C.uint64_t(slots), C.int(n), &out[0], &lib, &cerr) != 0
	// The carrier is closed (or was never loaded): its descriptor can go.
	privateFD(int(fd), false)
	f.Close()
	if !ok {
		msg := C.GoString(cerr)
		C.free(unsafe.Pointer(cerr))
		return ExternalTLS{}, fmt.Errorf("%s", msg)
	}
	r := ExternalTLS{Found: true, ModuleID: uint64(out[0]), Offset: uint64(out[1]), Static: static, TPOffset: int64(out[2]),
		blockSize: uint64(out[3]), blockAlign: uint64(out[4])}
	if lib != nil {
		r.Library = C.GoString(lib)
		C.free(unsafe.Pointer(lib))
	}
	return r, nil
}

// BuildTLSRefObject returns the bytes of an x86-64 ELF shared object
// with no content but dynamic relocations against one undefined
// thread-local symbol name: R_X86_64_DTPMOD64 and R_X86_64_DTPOFF64
// into the 8-byte slots at slots and slots+8 and, when static, an
// R_X86_64_TPOFF64 into slots+16 (which makes ld.so put the defining
// module in static TLS). Loading it has ld.so write the answers.
func BuildTLSRefObject(name string, static bool) (so []byte, slots uint64) {
	const (
		ehsize  = 64
		phentsz = 56
		phnum   = 3
		symOff  = ehsize + phnum*phentsz // 232: null symbol, then name
		hashOff = symOff + 2*24          // 280
		relaOff = 304
		slotOff = relaOff + 3*24 // 376
		dynOff  = slotOff + 3*8  // 400
		nDyn    = 9
		strOff  = dynOff + nDyn*16 // 544
	)
	nrel := uint64(2)
	if static {
		nrel = 3
	}
	fileSize := uint64(strOff + 1 + len(name) + 1)
	b := make([]byte, fileSize)
	le := binary.LittleEndian
	copy(b, []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0})
	le.PutUint16(b[16:], 3)  // ET_DYN
	le.PutUint16(b[18:], 62) // EM_X86_64
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[32:], ehsize)
	le.PutUint16(b[52:], ehsize)
	le.PutUint16(b[54:], phentsz)
	le.PutUint16(b[56:], phnum)
	le.PutUint16(b[58:], 64)
	ph := func(i int, typ, flags uint32, off, size, al uint64) {
		p := b[ehsize+i*phentsz:]
		le.PutUint32(p[0:], typ)
		le.PutUint32(p[4:], flags)
		le.PutUint64(p[8:], off)
		le.PutUint64(p[16:], off)
		le.PutUint64(p[24:], off)
		le.PutUint64(p[32:], size)
		le.PutUint64(p[40:], size)
		le.PutUint64(p[48:], al)
	}
	const pfW, pfR = 2, 4
	ph(0, 1 /*PT_LOAD*/, pfR|pfW, 0, fileSize, 0x1000)
	ph(1, 2 /*PT_DYNAMIC*/, pfR|pfW, dynOff, nDyn*16, 8)
	ph(2, 0x6474e551 /*PT_GNU_STACK*/, pfR|pfW, 0, 0, 16)
	// Symbol 1: name, STB_GLOBAL STT_TLS, undefined.
	le.PutUint32(b[symOff+24:], 1)
	b[symOff+24+4] = 1<<4 | 6
	// SysV hash: nbucket 1, nchain 2, bucket[0] = 1, chain = {0, 0}.
	le.PutUint32(b[hashOff:], 1)
	le.PutUint32(b[hashOff+4:], 2)
	le.PutUint32(b[hashOff+8:], 1)
	for i, typ := range []uint64{16 /*DTPMOD64*/, 17 /*DTPOFF64*/, 18 /*TPOFF64*/}[:nrel] {
		r := b[relaOff+i*24:]
		le.PutUint64(r[0:], slotOff+uint64(i)*8)
		le.PutUint64(r[8:], 1<<32|typ)
	}
	dyn := [nDyn][2]uint64{
		{4 /*DT_HASH*/, hashOff},
		{5 /*DT_STRTAB*/, strOff},
		{6 /*DT_SYMTAB*/, symOff},
		{10 /*DT_STRSZ*/, uint64(len(name) + 2)},
		{11 /*DT_SYMENT*/, 24},
		{7 /*DT_RELA*/, relaOff},
		{8 /*DT_RELASZ*/, nrel * 24},
		{9 /*DT_RELAENT*/, 24},
	}
	for i, d := range dyn {
		le.PutUint64(b[dynOff+i*16:], d[0])
		le.PutUint64(b[dynOff+i*16+8:], d[1])
	}
	copy(b[strOff+1:], name)
	return b, slotOff
}
