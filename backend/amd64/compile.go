// Package amd64 compiles gorc IR modules to x86-64 System V machine code
// in ELF relocatable objects.
//
// The pipeline per function is: instruction selection from the SSA IR to
// a machine IR over virtual registers (isel.go), phi elimination through
// per-phi temporaries with critical-edge splitting, liveness analysis and
// live intervals with holes, linear-scan register allocation over both
// register classes with copy coalescing hints, fixed intervals for the
// calling convention and whole-interval spilling (regalloc.go), and
// emission with frame layout, prologue/epilogue and two-address lowering
// (emit.go). The machine code goes into an objfile/elfw Writer: calls
// through R_X86_64_PLT32, float constants in .rodata.cst8 via
// R_X86_64_PC32, external data through the GOT, and .eh_frame CFI for every
// function.
//
// Compile is the entry point; Listing disassembles an object the way
// objdump -d does, for -emit asm.
package amd64

import (
	"context"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gorc-jit/gorc/backend/amd64/asm"
	"github.com/gorc-jit/gorc/internal/diag"
	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/objfile/elfw"
)

// Options control compilation.
type Options struct {
	// SourceName becomes the object's STT_FILE symbol if set.
	SourceName string
	// Verify runs ir.Verify on the module first.
	Verify bool
	// NoEHFrame omits the .eh_frame section.
	NoEHFrame bool
	// Only, if non-nil, restricts the object to these functions of the
	// module (per-function compilation for lazy JITs): every other
	// function is referenced as an external symbol, and definitions with
	// internal or private linkage become global symbols with hidden
	// visibility so that the partitions of one module link together.
	Only []*ir.Function
	// OmitGlobals references the module's global variables as external
	// symbols instead of defining them (for all partitions but the one
	// that carries the globals).
	OmitGlobals bool
	// SizeHint, if positive, is the expected size of the machine code in
	// bytes: a Stream sizes its buffers for it (pages never written cost
	// nothing, so a generous hint is cheap; growing by copying is not).
	SizeHint int
	// NoObject leaves Result.Object nil: the caller takes the object
	// from Result.Writer (a JIT hands it to the linker without writing
	// and re-reading ELF bytes).
	NoObject bool
}

// Stats describes one compilation.
type Stats struct {
	Functions    int // functions compiled
	Instructions int // machine instructions emitted
	CodeBytes    int // bytes of .text
	Spills       int // virtual registers spilled to the stack
}

// Result is the output of CompileModule.
type Result struct {
	// Object is the ELF relocatable object (nil with Options.NoObject).
	Object []byte
	// Writer holds the same object before serialization: its sections,
	// symbols and relocations. It must not be changed.
	Writer *elfw.Writer
	Stats  Stats

	mc *moduleCompiler // CompileModule's, for Release
}

// Release gives the memory behind r — its Writer's tables and the
// compiler's — to later compilations, once the caller is done with
// r.Writer: a JIT compiling one small function at a time then builds
// each object in the same tables instead of fresh ones. r.Writer must not
// be used afterwards; r.Object and the contents of the writer's sections
// (which a link graph made by jitlink/elf.FromWriter aliases) stay valid,
// as they are never reused.
func (r *Result) Release() {
	if r == nil || r.mc == nil {
		return
	}
	mc := r.mc
	r.mc, r.Writer = nil, nil
	// Drop every reference into the module compiled.
	mc.m, mc.opts = nil, Options{}
	clear(mc.syms)
	clear(mc.consts)
	mc.fdes = mc.fdes[:0]
	mc.cfi = mc.cfi[:0]
	mc.a.Reset()
	mc.a.Buf = nil // the object's .text: a graph may alias it
	mc.w.Reset()
	mc.text = nil
	moduleCompilers.Put(mc)
}

// moduleCompilers holds the module compilers of released results.
var moduleCompilers sync.Pool

// Compile compiles m to an ELF64 x86-64 relocatable object. It uses the
// scratch ID fields of m's blocks, instructions and parameters, so one
// module must not be compiled by two goroutines at once.
func Compile(m *ir.Module, opts Options) ([]byte, error) {
	r, err := CompileModule(context.Background(), m, opts)
	if err != nil {
		return nil, err
	}
	return r.Object, nil
}

// CompileModule compiles m, checking ctx between functions, and reports
// statistics with the object.
func CompileModule(ctx context.Context, m *ir.Module, opts Options) (res *Result, err error) {
	if m == nil {
		return nil, errors.New("amd64: nil module")
	}
	if opts.Verify {
		if err := ir.Verify(m); err != nil {
			return nil, fmt.Errorf("amd64: module %s: %w", diag.Clip(m.Name), err)
		}
	}
	mc := newModuleCompiler(m, opts)
	defer func() {
		if r := recover(); r != nil {
			res = nil
			err = fmt.Errorf("amd64: internal error compiling %s: %v", diag.Clip(mc.current()), r)
		}
	}()
	if err := mc.globals(); err != nil {
		return nil, err
	}
	// The code buffer: sized up front for a module of several functions
	// (about 8 bytes per IR instruction); a module of one function (a
	// lazy JIT's) gets it from emitFunction, sized by its machine
	// instructions, in one allocation instead of two (the up-front
	// estimate was short for most of the synthetic program's functions,
	// and the buffer was copied once it overflowed).
	n, defined := 0, 0
	for _, f := range m.Funcs {
		n += f.NumInstrs()
		if !f.IsDeclaration() {
			defined++
		}
	}
	if defined > 1 {
		mc.a.Buf = make([]byte, 0, 8*n+64)
	}
	fc := takeFnCompiler(mc)
	for _, f := range m.Funcs {
		if f.IsDeclaration() || !mc.syms[f].here {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("amd64: compiling @%s: %w", diag.Clip(f.Name), err)
		}
		mc.curName = f.Name
		if err := fc.compile(f); err != nil {
			return nil, err
		}
		mc.stats.Functions++
	}
	// Only a compiler that finished its functions cleanly is reused.
	releaseFnCompiler(fc)
	obj, err := mc.finish()
	if err != nil {
		return nil, err
	}
	return &Result{Object: obj, Writer: mc.w, Stats: mc.stats, mc: mc}, nil
}

// fnCompilers keeps per-function compilers between CompileModule calls.
// A lazy JIT compiles thousands of one-function modules; a compiler's
// buffers (machine blocks, register allocator state, emission scratch)
// grow to a function's size once and are reused for the next function,
// as they are between the functions of one module, instead of being
// allocated afresh for every module.
var fnCompilers = sync.Pool{New: func() any { return new(fnCompiler) }}

func takeFnCompiler(mc *moduleCompiler) *fnCompiler {
	fc := fnCompilers.Get().(*fnCompiler)
	fc.mc = mc
	return fc
}

func releaseFnCompiler(fc *fnCompiler) {
	fc.mc, fc.f, fc.err = nil, nil, nil
	fnCompilers.Put(fc)
}

type moduleCompiler struct {
	initBase uint64 // the section offset of the global initData writes
	m        *ir.Module
	opts     Options
	w        *elfw.Writer
	text     *elfw.Section
	a        asm.Assembler
	// syms: the symbol of each function and global the object defines
	// or refers to, and whether it defines it (one map, so that a
	// reference costs one lookup of an interface key, not two).
	syms   map[ir.Value]symRef
	consts map[uint64]elfw.SymID
	// constCache holds constants of consts by a hash of their bits
	// (constSym): the map's lookup, once per constant operand, was a
	// map access each. The zero value is empty, as every reuse of a
	// moduleCompiler starts from one.
	constCache [1 << constCacheBits]constEntry
	negMask    [2]elfw.SymID
	x87c       map[[2]uint64]elfw.SymID // x86_fp80 constants (x87.go)
	stats      Stats
	curName    string // the function being compiled (current)
	fdes       []fde
	cfi        []cfiEvent // the fdes' events, one after the other
	// streaming: functions arrive one by one (Stream); a function not yet
	// seen is referenced by name and defined when it arrives.
	streaming bool
}

// current names the function being compiled, @NAME, for an internal
// error's message ("" before the first); the name is only made then (not
// with a concatenation per function compiled).
func (mc *moduleCompiler) current() string {
	if mc.curName == "" {
		return ""
	}
	return "@" + mc.curName
}

func newModuleCompiler(m *ir.Module, opts Options) *moduleCompiler {
	if mc, _ := moduleCompilers.Get().(*moduleCompiler); mc != nil {
		// A released one (Result.Release): its tables are empty.
		mc.w.FileName = opts.SourceName
		*mc = moduleCompiler{m: m, opts: opts, w: mc.w, text: mc.w.Text(), a: mc.a, syms: mc.syms, consts: mc.consts, negMask: [2]elfw.SymID{-1, -1}, fdes: mc.fdes, cfi: mc.cfi}
		return mc
	}
	w := elfw.New()
	w.FileName = opts.SourceName
	mc := &moduleCompiler{m: m, opts: opts, w: w, text: w.Text(), syms: make(map[ir.Value]symRef), consts: make(map[uint64]elfw.SymID), negMask: [2]elfw.SymID{-1, -1}}
	return mc
}

func bindOf(l ir.Linkage) elfw.Bind {
	switch l {
	case ir.Internal, ir.Private:
		return elfw.BindLocal
	case ir.Weak, ir.LinkOnceODR, ir.ExternWeak, ir.Common:
		// A common symbol (clang -fcommon) is a zero-initialized
		// definition that others of its name may merge with: weak.
		return elfw.BindWeak
	}
	return elfw.BindGlobal
}

// symbolFor returns the symbol of a function or global and whether it is
// defined in this module.
func (mc *moduleCompiler) symbolFor(v ir.Value) (int32, bool) {
	switch x := v.(type) {
	case *ir.Function:
		if s, ok := mc.syms[v]; ok {
			return int32(s.id), s.here
		}
		// A function of another module or not yet seen: external
		// (weak for extern_weak, as declare makes it: a lazily compiled
		// function's module holds no declarations).
		if x.Linkage == ir.ExternWeak {
			if id, ok := mc.weakExtern(x, x.Name); ok {
				return id, false
			}
		}
		return mc.externSym(x.Name), false
	case *ir.Global:
		if s, ok := mc.syms[v]; ok {
			return int32(s.id), s.here
		}
		if x.Linkage == ir.ExternWeak && x.Init == nil {
			if id, ok := mc.weakExtern(x, x.Name); ok {
				return id, false
			}
		}
		if x.ThreadLocal {
			if err := mc.declare(x, x.Name, x.Linkage); err == nil {
				return int32(mc.syms[v].id), false
			}
		}
		return mc.externSym(x.Name), false
	}
	return -1, false
}

// weakExtern declares v, an extern_weak function or global the module
// being compiled does not list (a lazily compiled partition, globals
// omitted), as a weak undefined symbol, so that a missing definition
// resolves to 0 as in an eager object. It reports false when the object
// already has a symbol of that name.
func (mc *moduleCompiler) weakExtern(v ir.Value, name string) (int32, bool) {
	if _, ok := mc.w.Lookup(name); ok {
		return 0, false
	}
	if err := mc.declare(v, name, ir.ExternWeak); err != nil {
		return 0, false
	}
	return int32(mc.syms[v].id), true
}

// symRef is a symbol of the object and whether the object defines it.
type symRef struct {
	id   elfw.SymID
	here bool
}

// externSym returns an undefined global symbol for name (or the defined
// one, if the module defines it).
func (mc *moduleCompiler) externSym(name string) int32 {
	if id, ok := mc.w.Lookup(name); ok {
		return int32(id)
	}
	id, err := mc.w.AddSymbol(elfw.Symbol{Name: name, Bind: elfw.BindGlobal})
	if err != nil {
		panic(err) // only for an empty name, which the IR cannot produce
	}
	return int32(id)
}

func (mc *moduleCompiler) constSym(bits uint64) int32 {
	e := &mc.constCache[bits*0x9e3779b97f4a7c15>>(64-constCacheBits)]
	if e.id != 0 && e.bits == bits {
		return e.id - 1
	}
	return mc.constSymMap(bits)
}

// constCacheBits sizes moduleCompiler.constCache: 1<<constCacheBits
// entries.
const constCacheBits = 5

// constEntry is a float constant's symbol in moduleCompiler.constCache:
// id is the symbol's id plus one, 0 for an empty entry.
type constEntry struct {
	bits uint64
	id   int32
}

// constSymMap is constSym through mc.consts, which it enters the
// constant in; it caches the answer in mc.constCache.
func (mc *moduleCompiler) constSymMap(bits uint64) int32 {
	id := mc.constSymNew(bits)
	mc.constCache[bits*0x9e3779b97f4a7c15>>(64-constCacheBits)] = constEntry{bits, id + 1}
	return id
}

func (mc *moduleCompiler) constSymNew(bits uint64) int32 {
	if id, ok := mc.consts[bits]; ok {
		return int32(id)
	}
	sec := mc.w.ROCst8()
	if sec.Data == nil {
		// Room for a function's few constants (a one-function
		// object's section otherwise grew by doubling from 8 bytes; from
		// 64, a function of the synthetic program, with 10, still took
		// a second allocation).
		sec.Data = make([]byte, 0, 128)
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], bits)
	off := sec.Append(b[:])
	id, err := mc.w.AddSymbol(elfw.Symbol{Name: constName(len(mc.consts)), Section: sec, Value: off, Size: 8, Bind: elfw.BindLocal, Type: elfw.TypeObject})
	if err != nil {
		panic(err)
	}
	mc.consts[bits] = id
	return int32(id)
}

// constNames holds the names of the first float constants of an object,
// made once: a lazy JIT compiles thousands of one-function objects with a
// few constants each, and formatting the same names again for every one
// cost an allocation and a fmt call per constant (4% of a lazy compile).
var constNames = func() (n [64]string) {
	for i := range n {
		n[i] = ".LCPI" + strconv.Itoa(i)
	}
	return n
}()

// constName is the name of the object's i-th float constant, .LCPI<i>.
func constName(i int) string {
	if i < len(constNames) {
		return constNames[i]
	}
	return ".LCPI" + strconv.Itoa(i)
}

var negMaskNames = [2]string{".LCPI_fneg0", ".LCPI_fneg1"}

// negMaskSym returns the 16-byte sign mask fneg xors with: one bit per
// double lane, or per float lane when single.
func (mc *moduleCompiler) negMaskSym(single bool) int32 {
	k := 0
	if single {
		k = 1
	}
	if mc.negMask[k] >= 0 {
		return int32(mc.negMask[k])
	}
	sec := mc.w.Section(".rodata.cst16")
	if sec == nil {
		sec, _ = mc.w.AddSection(".rodata.cst16", elf.SHT_PROGBITS, elf.SHF_ALLOC|elf.SHF_MERGE, 16)
		sec.EntSize = 16
	}
	var b [16]byte
	if single {
		for i := 0; i < 16; i += 4 {
			binary.LittleEndian.PutUint32(b[i:], 1<<31)
		}
	} else {
		binary.LittleEndian.PutUint64(b[:], 1<<63)
		binary.LittleEndian.PutUint64(b[8:], 1<<63)
	}
	off := sec.Append(b[:])
	id, err := mc.w.AddSymbol(elfw.Symbol{Name: negMaskNames[k], Section: sec, Value: off, Size: 16, Bind: elfw.BindLocal, Type: elfw.TypeObject})
	if err != nil {
		panic(err)
	}
	mc.negMask[k] = id
	return int32(id)
}

// bind gives the binding and visibility of a definition: internal and
// private definitions stay local unless the module is compiled in
// partitions (Options.Only, OmitGlobals) or streamed, where they become
// global with hidden visibility so that references resolve by name.
func (mc *moduleCompiler) bind(l ir.Linkage) (elfw.Bind, elfw.Visibility) {
	b := bindOf(l)
	if b == elfw.BindLocal && (mc.opts.Only != nil || mc.opts.OmitGlobals || mc.streaming) {
		return elfw.BindGlobal, elfw.VisHidden
	}
	return b, elfw.VisDefault
}

// globals creates symbols for every function and global and emits the
// data of defined globals.
func (mc *moduleCompiler) globals() error {
	var only map[*ir.Function]bool
	if mc.opts.Only != nil {
		only = make(map[*ir.Function]bool, len(mc.opts.Only))
		for _, f := range mc.opts.Only {
			only[f] = true
		}
	}
	for _, f := range mc.m.Funcs {
		if f.IsDeclaration() || only != nil && !only[f] {
			if _, ok := mc.syms[f]; !ok {
				if err := mc.declare(f, f.Name, f.Linkage); err != nil {
					return fmt.Errorf("amd64: declaration @%s: %w", diag.Clip(f.Name), err)
				}
			}
			continue
		}
		if err := mc.defineFunc(f); err != nil {
			return err
		}
	}
	if only == nil && !mc.opts.OmitGlobals {
		for _, i := range mc.m.IFuncs {
			// Placed at the resolver by ifuncSymbols; uses are
			// references by symbol, as to another object's function.
			b, vis := mc.bind(i.Linkage)
			id, err := mc.w.AddSymbol(elfw.Symbol{Name: i.Name, Section: mc.text, Bind: b, Visibility: vis, Type: elfw.TypeIFunc})
			if err != nil {
				return fmt.Errorf("amd64: ifunc @%s: %w", diag.Clip(i.Name), err)
			}
			mc.syms[i.Func] = symRef{id: id}
		}
	}
	return mc.globalData()
}

// declare creates the undefined symbol of v, a function or global this
// object uses but does not define: weak for extern_weak linkage.
func (mc *moduleCompiler) declare(v ir.Value, name string, l ir.Linkage) error {
	b := elfw.BindGlobal
	if l == ir.ExternWeak {
		b = elfw.BindWeak
	}
	typ := elfw.TypeNone
	if g, ok := v.(*ir.Global); ok && g.ThreadLocal {
		typ = elfw.TypeTLS
	}
	id, err := mc.w.AddSymbol(elfw.Symbol{Name: name, Bind: b, Type: typ})
	if err != nil {
		return err
	}
	mc.syms[v] = symRef{id: id}
	return nil
}

// defineFunc creates the symbol of a function defined in this object (its
// place in .text is set when its code is emitted). A symbol made earlier
// for a reference by name becomes this definition.
func (mc *moduleCompiler) defineFunc(f *ir.Function) error {
	b, vis := mc.bind(f.Linkage)
	id, err := mc.w.AddSymbol(elfw.Symbol{Name: f.Name, Section: mc.text, Bind: b, Visibility: vis, Type: elfw.TypeFunc})
	if err != nil {
		return fmt.Errorf("amd64: function @%s: %w", diag.Clip(f.Name), err)
	}
	mc.syms[f] = symRef{id: id, here: true}
	return nil
}

// globalData creates the symbols of the module's globals and emits the
// data of those it defines.
func (mc *moduleCompiler) globalData() error {
	w := mc.w
	bind := mc.bind
	var inits []pendingInit
	for _, g := range mc.m.Globals {
		if g.Linkage == ir.Appending {
			if mc.opts.OmitGlobals {
				continue
			}
			if err := mc.appendingGlobal(g); err != nil {
				return err
			}
			continue
		}
		if g.Init == nil || mc.opts.OmitGlobals {
			if err := mc.declare(g, g.Name, g.Linkage); err != nil {
				return fmt.Errorf("amd64: global @%s: %w", diag.Clip(g.Name), err)
			}
			continue
		}
		size, err := g.ValueType.CheckSize()
		if err != nil {
			return fmt.Errorf("amd64: global @%s: %w", diag.Clip(g.Name), err)
		}
		if size < 0 || size > 1<<30 {
			return fmt.Errorf("amd64: global @%s: size %d bytes is not supported", diag.Clip(g.Name), size)
		}
		align := uint64(max(g.Align, g.ValueType.Align(), 1))
		if align&(align-1) != 0 || align > 1<<16 {
			return fmt.Errorf("amd64: global @%s: alignment %d is not supported", diag.Clip(g.Name), align)
		}
		var sec *elfw.Section
		zero := isZero(g.Init)
		if g.Linkage == ir.Common && zero && !g.ThreadLocal && g.Section == "" && size > 0 {
			// clang -fcommon's tentative definition: a common symbol,
			// as gcc makes it, so that the linker merges it with the
			// others of its name and a strong definition elsewhere
			// wins (a weak one could not yield once linked).
			id, err := w.AddSymbol(elfw.Symbol{Name: g.Name, Value: align, Size: uint64(size), Bind: elfw.BindGlobal, Type: elfw.TypeObject, Common: true})
			if err != nil {
				return fmt.Errorf("amd64: global @%s: %w", diag.Clip(g.Name), err)
			}
			// (Reached through the GOT: another object's definition
			// may win, anywhere.)
			mc.syms[g] = symRef{id: id}
			continue
		}
		switch {
		case g.ThreadLocal:
			sec, err = mc.tlsSection(zero)
			if err != nil {
				return err
			}
		case g.Section != "":
			if sec, err = mc.namedSection(g, zero); err != nil {
				return err
			}
			zero = zero && sec.Type == elf.SHT_NOBITS
		case g.Constant:
			sec = w.ROData()
		case zero:
			sec = w.BSS()
		default:
			sec = w.Data()
		}
		var off uint64
		if sec.Type == elf.SHT_NOBITS {
			for sec.Size%align != 0 {
				sec.Size++
			}
			off = sec.Size
			sec.Size += uint64(size)
		} else {
			off = sec.AlignTo(align, 0)
			sec.Append(make([]byte, size))
		}
		b, vis := bind(g.Linkage)
		typ := elfw.TypeObject
		if g.ThreadLocal {
			typ = elfw.TypeTLS
		}
		id, err := w.AddSymbol(elfw.Symbol{Name: g.Name, Section: sec, Value: off, Size: uint64(size), Bind: b, Visibility: vis, Type: typ})
		if err != nil {
			return fmt.Errorf("amd64: global @%s: %w", diag.Clip(g.Name), err)
		}
		mc.syms[g] = symRef{id: id, here: true}
		if !zero {
			inits = append(inits, pendingInit{g, sec, off})
		}
	}
	// The data once every global has its symbol: an initializer may name
	// a global defined after it.
	for _, pi := range inits {
		if err := mc.initData(pi.g, pi.sec, pi.off); err != nil {
			return err
		}
	}
	return nil
}

// tlsSection returns .tdata, or .tbss for a zero-initialized
// thread-local global, made on first use.
func (mc *moduleCompiler) tlsSection(zero bool) (*elfw.Section, error) {
	name, typ := ".tdata", elf.SHT_PROGBITS
	if zero {
		name, typ = ".tbss", elf.SHT_NOBITS
	}
	if s := mc.w.Section(name); s != nil {
		return s, nil
	}
	return mc.w.AddSection(name, typ, elf.SHF_ALLOC|elf.SHF_WRITE|elf.SHF_TLS, 1)
}

// namedSection returns the section a global with `section "NAME"` goes
// to, made on first use: writable data unless the global is constant,
// NOBITS for a zero-initialized writable global in a .bss section.
func (mc *moduleCompiler) namedSection(g *ir.Global, zero bool) (*elfw.Section, error) {
	if s := mc.w.Section(g.Section); s != nil {
		return s, nil
	}
	typ, flags := elf.SHT_PROGBITS, elf.SHF_ALLOC|elf.SHF_WRITE
	if g.Constant {
		flags = elf.SHF_ALLOC
	}
	switch {
	case zero && !g.Constant && (g.Section == ".bss" || strings.HasPrefix(g.Section, ".bss.")):
		typ = elf.SHT_NOBITS
	case g.Section == ".init_array" || strings.HasPrefix(g.Section, ".init_array."):
		typ = elf.SHT_INIT_ARRAY
	case g.Section == ".fini_array" || strings.HasPrefix(g.Section, ".fini_array."):
		typ = elf.SHT_FINI_ARRAY
	}
	s, err := mc.w.AddSection(g.Section, typ, flags, 1)
	if err != nil {
		return nil, fmt.Errorf("amd64: global @%s: %w", diag.Clip(g.Name), err)
	}
	return s, nil
}

// appendingGlobal emits one of LLVM's appending arrays: the entries of
// @llvm.global_ctors and @llvm.global_dtors ({ i32 priority, ptr fn, ptr
// data }) as pointers in .init_array / .fini_array (.init_array.PRIO for a
// priority below 65535, as gcc names them, so that the linker orders
// them); @llvm.used and @llvm.compiler.used only keep symbols alive, which
// a JIT's link does anyway, and emit nothing.
func (mc *moduleCompiler) appendingGlobal(g *ir.Global) error {
	var base string
	var typ elf.SectionType
	switch g.Name {
	case "llvm.used", "llvm.compiler.used":
		return nil
	case "llvm.global_ctors":
		base, typ = ".init_array", elf.SHT_INIT_ARRAY
	case "llvm.global_dtors":
		base, typ = ".fini_array", elf.SHT_FINI_ARRAY
	default:
		return fmt.Errorf("amd64: global @%s: appending linkage is supported for @llvm.global_ctors, @llvm.global_dtors, @llvm.used and @llvm.compiler.used only", diag.Clip(g.Name))
	}
	agg, ok := g.Init.(*ir.ConstAggregate)
	if !ok {
		if _, zero := g.Init.(*ir.ConstZero); zero {
			return nil
		}
		return fmt.Errorf("amd64: global @%s: initializer %s is not a constant array", diag.Clip(g.Name), diag.Clip(g.Init.Ident()))
	}
	for _, e := range agg.Elems {
		st, ok := e.(*ir.ConstAggregate)
		if !ok || len(st.Elems) < 2 {
			return fmt.Errorf("amd64: global @%s: entry %s is not { i32, ptr, ptr }", diag.Clip(g.Name), diag.Clip(e.Ident()))
		}
		prio, ok1 := st.Elems[0].(*ir.ConstInt)
		fn, _, ok2 := ir.SymbolOffset(st.Elems[1])
		if !ok1 || !ok2 || fn == nil {
			return fmt.Errorf("amd64: global @%s: entry %s is not { i32 priority, ptr function, ptr }", diag.Clip(g.Name), diag.Clip(e.Ident()))
		}
		name := base
		if prio.V >= 0 && prio.V < 65535 {
			name = fmt.Sprintf("%s.%05d", base, prio.V)
		}
		sec := mc.w.Section(name)
		if sec == nil {
			var err error
			if sec, err = mc.w.AddSection(name, typ, elf.SHF_ALLOC|elf.SHF_WRITE, 8); err != nil {
				return fmt.Errorf("amd64: global @%s: %w", diag.Clip(g.Name), err)
			}
		}
		off := sec.AlignTo(8, 0)
		sec.Append(make([]byte, 8))
		id, _ := mc.symbolFor(fn)
		if err := sec.AddReloc(off, elfw.R_X86_64_64, elfw.SymID(id), 0); err != nil {
			return fmt.Errorf("amd64: global @%s: %w", diag.Clip(g.Name), err)
		}
	}
	return nil
}

// pendingInit is a global whose data globalData writes after making the
// symbols.
type pendingInit struct {
	g   *ir.Global
	sec *elfw.Section
	off uint64
}

func isZero(c ir.Constant) bool {
	switch x := c.(type) {
	case *ir.ConstZero, *ir.ConstNull, *ir.Undef:
		return true
	case *ir.ConstInt:
		return x.V == 0
	case *ir.ConstFloat:
		return math.Float64bits(x.V) == 0
	case *ir.ConstBytes:
		for _, b := range x.Data {
			if b != 0 {
				return false
			}
		}
		return true
	case *ir.ConstAggregate:
		for _, e := range x.Elems {
			if ec, ok := e.(ir.Constant); !ok || !isZero(ec) {
				return false
			}
		}
		return true
	}
	return false
}

func (mc *moduleCompiler) initData(g *ir.Global, sec *elfw.Section, off uint64) error {
	mc.initBase = off
	return mc.writeConst(g, sec, off, g.Init, g.ValueType)
}

// writeConst writes constant c of type t at offset off of sec (already
// zeroed): numbers and strings as bytes, aggregates element by element
// at their psABI offsets, addresses (globals, functions, constant
// getelementptr/ptrtoint expressions) as R_X86_64_64 relocations with
// the expression's offset as addend.
func (mc *moduleCompiler) writeConst(g *ir.Global, sec *elfw.Section, off uint64, c ir.Value, t *ir.Type) error {
	buf := sec.Data[off : off+uint64(t.Size())]
	switch x := c.(type) {
	case *ir.ConstZero, *ir.ConstNull, *ir.Undef:
		return nil
	case *ir.ConstAggregate:
		for i, e := range x.Elems {
			var eo int64
			var et *ir.Type
			if t.Kind == ir.StructKind {
				eo, et = t.FieldOffset(i), t.Fields[i]
			} else {
				eo, et = int64(i)*t.Elem.Size(), t.Elem
			}
			if err := mc.writeConst(g, sec, off+uint64(eo), e, et); err != nil {
				return err
			}
		}
		return nil
	case *ir.ConstExpr:
		if sym, add, ok := ir.RelativeOffset(x, g); ok && len(buf) == 4 {
			// trunc (sub (ptrtoint X, ptrtoint g+b)) to i32: X's
			// distance from this global, as clang's relative lookup
			// tables hold it: PC-relative from the field itself.
			id, _ := mc.symbolFor(sym)
			if err := sec.AddReloc(off, elfw.R_X86_64_PC32, elfw.SymID(id), add+int64(off-mc.initBase)); err != nil {
				return fmt.Errorf("amd64: global @%s: %w", diag.Clip(g.Name), err)
			}
			return nil
		}
		sym, add, ok := ir.SymbolOffset(x)
		if v, isNum := ir.ConstNumber(x); isNum && (!ok || len(buf) < 8) && len(buf) <= 8 {
			// A number (a difference of block addresses): its low bytes.
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], uint64(v))
			copy(buf, b[:])
			return nil
		}
		if !ok || len(buf) < 8 {
			return fmt.Errorf("amd64: global @%s: constant expression %s is not supported in an initializer", diag.Clip(g.Name), diag.Clip(x.Ident()))
		}
		if sym == nil {
			binary.LittleEndian.PutUint64(buf, uint64(add))
			return nil
		}
		id, _ := mc.symbolFor(sym)
		if err := sec.AddReloc(off, elfw.R_X86_64_64, elfw.SymID(id), add); err != nil {
			return fmt.Errorf("amd64: global @%s: %w", diag.Clip(g.Name), err)
		}
		return nil
	}
	switch x := c.(type) {
	case *ir.ConstInt:
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(x.V))
		copy(buf, b[:])
	case *ir.ConstFloat:
		if x.Typ.Bits == 32 {
			binary.LittleEndian.PutUint32(buf, math.Float32bits(float32(x.V)))
		} else {
			binary.LittleEndian.PutUint64(buf, math.Float64bits(x.V))
		}
	case *ir.ConstBytes:
		copy(buf, x.Data)
	case *ir.ConstFP80:
		b := x.Bytes()
		copy(buf, b[:])
	case *ir.Function, *ir.Global:
		sym, _ := mc.symbolFor(x)
		if len(buf) < 8 {
			return fmt.Errorf("amd64: global @%s: pointer initializer in a %d-byte global", diag.Clip(g.Name), len(buf))
		}
		if err := sec.AddReloc(off, elfw.R_X86_64_64, elfw.SymID(sym), 0); err != nil {
			return fmt.Errorf("amd64: global @%s: %w", diag.Clip(g.Name), err)
		}
	default:
		return fmt.Errorf("amd64: global @%s: initializer %s is not supported", diag.Clip(g.Name), diag.Clip(c.Ident()))
	}
	return nil
}

var relocType = [...]elfw.RelocType{
	asm.RelPC32:         elfw.R_X86_64_PC32,
	asm.RelPLT32:        elfw.R_X86_64_PLT32,
	asm.RelGOTPCRELX:    elfw.R_X86_64_GOTPCRELX,
	asm.RelREXGOTPCRELX: elfw.R_X86_64_REX_GOTPCRELX,
	asm.RelGOTTPOFF:     elfw.R_X86_64_GOTTPOFF,
}

func (mc *moduleCompiler) finish() ([]byte, error) {
	if err := mc.a.Finish(); err != nil {
		return nil, fmt.Errorf("amd64: %w", err)
	}
	mc.text.Data = mc.a.Buf
	mc.text.Relocs = slices.Grow(mc.text.Relocs[:0], len(mc.a.Relocs))
	for _, r := range mc.a.Relocs {
		if err := mc.text.AddReloc(uint64(r.Offset), relocType[r.Kind], elfw.SymID(r.Sym), r.Addend); err != nil {
			return nil, fmt.Errorf("amd64: %w", err)
		}
	}
	for _, f := range mc.fdes {
		if err := mc.w.DefineSymbol(f.sym, mc.text, uint64(f.start), uint64(f.end-f.start)); err != nil {
			return nil, fmt.Errorf("amd64: %w", err)
		}
	}
	if err := mc.ifuncSymbols(); err != nil {
		return nil, err
	}
	if err := mc.aliasSymbols(); err != nil {
		return nil, err
	}
	if !mc.opts.NoEHFrame {
		if err := mc.ehFrame(); err != nil {
			return nil, err
		}
	}
	mc.stats.Instructions = mc.a.Insts
	mc.stats.CodeBytes = len(mc.a.Buf)
	if mc.opts.NoObject {
		return nil, mc.w.Err()
	}
	return mc.w.Bytes()
}

// ifuncSymbols places the STT_GNU_IFUNC symbol of each ifunc of the
// module (made by globals) at its resolver. An object of some functions
// only (a lazy JIT's partitions) has none: its caller defines them.
func (mc *moduleCompiler) ifuncSymbols() error {
	if len(mc.m.IFuncs) == 0 || mc.opts.Only != nil || mc.opts.OmitGlobals {
		return nil
	}
	syms := mc.w.Symbols()
	for _, i := range mc.m.IFuncs {
		ref, ok := mc.syms[i.Resolver]
		if !ok || !ref.here {
			return fmt.Errorf("amd64: ifunc @%s: its resolver %s is not defined in this object", diag.Clip(i.Name), diag.Clip(i.Resolver.Ident()))
		}
		t := syms[ref.id]
		if err := mc.w.DefineSymbol(mc.syms[i.Func].id, t.Section, t.Value, 0); err != nil {
			return fmt.Errorf("amd64: ifunc @%s: %w", diag.Clip(i.Name), err)
		}
	}
	return nil
}

// aliasSymbols defines the symbol of each alias of the module with
// external, weak or linkonce linkage: its target's section, offset, size
// and type under the alias's name and binding (an alias with internal or
// private linkage names no symbol: its uses are its target's). An object
// of some functions only (Options.Only, OmitGlobals: a lazy JIT's
// partitions) defines none; its caller defines the aliases.
func (mc *moduleCompiler) aliasSymbols() error {
	if len(mc.m.Aliases) == 0 || mc.opts.Only != nil || mc.opts.OmitGlobals {
		return nil
	}
	syms := mc.w.Symbols()
	for _, a := range mc.m.Aliases {
		b := bindOf(a.Linkage)
		if b == elfw.BindLocal {
			continue
		}
		ref, ok := mc.syms[a.Target]
		if ok && !ref.here && syms[ref.id].Type == elfw.TypeIFunc {
			ok = true // an alias of an ifunc: one more ifunc symbol at its resolver
		} else if !ok || !ref.here {
			return fmt.Errorf("amd64: alias @%s: its target %s is not defined in this object", diag.Clip(a.Name), diag.Clip(a.Target.Ident()))
		}
		t := syms[ref.id]
		if _, err := mc.w.AddSymbol(elfw.Symbol{Name: a.SymbolName(), Section: t.Section, Value: t.Value, Size: t.Size, Bind: b, Type: t.Type}); err != nil {
			return fmt.Errorf("amd64: alias @%s: %w", diag.Clip(a.Name), err)
		}
		syms = mc.w.Symbols()
	}
	return nil
}

// fnCompiler holds the per-function state; its slices are reused across
// functions.
type fnCompiler struct {
	mc  *moduleCompiler
	f   *ir.Function
	err error

	blocks  []mblock
	rpo     []*ir.Block // f's reachable blocks in reverse postorder (array reused)
	splitOf []int32     // for blocks >= len(f.Blocks): the block they follow
	layout  []int32
	cur     int
	class   []regClass
	uses    []int32 // IR use counts by vreg
	phiTmp  []vreg  // by vreg-numPhys of a phi: its temporary
	calls   []callInfo
	frame   []frameObj
	outArgs int64
	hasCall bool
	// dynStack: the function moves rsp (variable-length arrays, alloca(n),
	// llvm.stacksave/stackrestore): its frame is addressed from rbp.
	dynStack bool
	entry    []vreg // incoming argument registers
	fconsts  []fconst
	folded   []bool // by vreg: absorbed into the block's branch
	owner    int    // RPO index of the IR block being selected
	nIR      int    // machine blocks below this index stand for IR blocks
	inLoop   []bool // by RPO index: the block lies on a cycle (approximately)
	inArgs   int    // number of stack-passed parameters
	// vaSave is the frame object of a variadic function's register save
	// area (-1: none); vaGP and vaXMM count the fixed parameters passed
	// in general and xmm registers (va_start's gp_offset and fp_offset).
	vaSave      int32
	vaGP, vaXMM int
	x87         x87State // x86_fp80 values (x87.go)
	eh          ehState  // invokes and landing pads (eh.go)

	// operands' scratch: the registers an instruction reads and writes.
	opUses []opUse
	opDefs []vreg

	ra regAlloc
	em emitState
}

func (fc *fnCompiler) reset(f *ir.Function) {
	fc.f = f
	fc.err = nil
	for i := range fc.blocks {
		fc.blocks[i].insts = fc.blocks[i].insts[:0]
	}
	fc.blocks = fc.blocks[:0]
	fc.splitOf = fc.splitOf[:0]
	fc.layout = fc.layout[:0]
	fc.cur = 0
	fc.class = append(fc.class[:0], physClasses[:]...)
	fc.uses = fc.uses[:0]
	fc.phiTmp = fc.phiTmp[:0]
	fc.calls = fc.calls[:0]
	fc.frame = fc.frame[:0]
	fc.outArgs = 0
	fc.hasCall = false
	fc.dynStack = false
	fc.entry = fc.entry[:0]
	fc.inArgs = 0
	fc.fconsts = fc.fconsts[:0]
	fc.x87.reset()
}

// physClasses is the class of each physical register, the first
// numPhys entries of every function's fnCompiler.class (copied at once:
// an append each was 0.8 M instructions of a 2,000-function compile).
var physClasses = func() (c [numPhys]regClass) {
	for r := asm.Reg(0); r < numPhys; r++ {
		if r.IsXMM() {
			c[r] = classXMM
		} else {
			c[r] = classGPR
		}
	}
	return c
}()

// addBlock appends an empty machine block, reusing the instruction
// buffer a previous function left in that slot.
func (fc *fnCompiler) addBlock() int32 {
	n := len(fc.blocks)
	if n < cap(fc.blocks) {
		fc.blocks = fc.blocks[:n+1]
		insts := fc.blocks[n].insts[:0]
		fc.blocks[n] = mblock{insts: insts}
	} else {
		fc.blocks = append(fc.blocks, mblock{})
	}
	return int32(n)
}

func (fc *fnCompiler) compile(f *ir.Function) error {
	fc.reset(f)
	if err := fc.selectFunction(); err != nil {
		return err
	}
	fc.allocate()
	return fc.emitFunction()
}

func (fc *fnCompiler) errorf(format string, args ...any) error {
	return fmt.Errorf("amd64: function @%s: "+format, append([]any{diag.Clip(fc.f.Name)}, diag.ClipArgs(args)...)...)
}

func (fc *fnCompiler) selectFunction() error {
	f := fc.f
	rpo := ir.ReversePostorderInto(f, fc.rpo)
	fc.rpo = rpo
	// Number blocks in layout order (-1: unreachable) and give every
	// value-producing instruction and parameter a virtual register.
	for _, b := range f.Blocks {
		b.ID = -1
	}
	for i, b := range rpo {
		b.ID = i
	}
	// Blocks between a loop header and a back edge to it, in RPO.
	fc.inLoop = append(fc.inLoop[:0], make([]bool, len(rpo))...)
	for i, b := range rpo {
		for _, s := range b.Succs() {
			if s != nil && s.ID >= 0 && s.ID <= i {
				for j := s.ID; j <= i; j++ {
					fc.inLoop[j] = true
				}
			}
		}
	}
	fc.x87.on = f.Sig.Ret == ir.F80 || isComplexX87(f.Sig.Ret)
	for _, p := range f.Params {
		c, ok := classOf(p.Typ)
		if !ok && p.Typ == ir.F80 {
			c, ok, fc.x87.on = classGPR, true, true // its address (x87.go)
		}
		if !ok {
			return fc.errorf("parameter %s of type %v is not supported", p.Ident(), p.Typ)
		}
		p.ID = int(fc.newVReg(c))
	}
	nAlloca := 0
	for _, b := range rpo {
		for _, in := range b.Instrs {
			in.ID = -1
			if in.Op == ir.OpCall && ir.IsDynamicStackCall(in) {
				fc.dynStack = true
			}
			switch {
			case in.Op == ir.OpAlloca:
				size, err := in.ElemType.CheckSize()
				if err != nil {
					return fc.errorf("%s: alloca: %w", in.Ident(), err)
				}
				if len(in.Ops) == 1 {
					c, ok := in.Ops[0].(*ir.ConstInt)
					if !ok {
						return fc.errorf("%s: alloca with a variable count is not supported", in.Ident())
					}
					// Checked: size*count must not wrap into a small frame object.
					hi, lo := bits.Mul64(uint64(size), uint64(c.V))
					if c.V < 0 || hi != 0 || lo > 1<<30 {
						return fc.errorf("%s: alloca of %d x %v is too large (at most 1 GiB)", in.Ident(), c.V, in.ElemType)
					}
					size = int64(lo)
				}
				if size < 0 || size > 1<<30 {
					return fc.errorf("%s: alloca of %d bytes is too large (at most 1 GiB)", in.Ident(), size)
				}
				align := max(in.ElemType.Align(), int64(in.Align), 1)
				// The frame is laid out from rsp, which is only 16-byte
				// aligned: a larger alignment would be silently missed.
				if align&(align-1) != 0 || align > 16 {
					return fc.errorf("%s: alloca alignment %d is not supported (stack objects are at most 16-byte aligned)", in.Ident(), align)
				}
				in.ID = len(fc.frame)
				fc.frame = append(fc.frame, frameObj{size: size, align: align})
				nAlloca++
			case (in.Op.IsCall() || in.Op == ir.OpCmpXchg || in.Op == ir.OpLandingPad) && in.Typ.Kind == ir.StructKind:
				// A struct returned in registers: one vreg per field,
				// consecutive from in.ID (OpExtractValue reads them).
				if isInlineAsmCall(in) {
					// An inline asm's outputs: any number (inlineasm.go).
				} else if err := retRegsOK(in.Typ); err != nil {
					return fc.errorf("%s: %v", in.Ident(), err)
				}
				in.ID = len(fc.class)
				for _, ft := range in.Typ.Fields {
					c, ok := classOf(ft)
					if !ok && ft == ir.F80 {
						c, fc.x87.on = classGPR, true // its address (x87.go)
					}
					fc.newVReg(c)
				}
			case in.HasResult():
				c, ok := classOf(in.Typ)
				if !ok && in.Typ == ir.F80 {
					c, ok, fc.x87.on = classGPR, true, true // its address (x87.go)
				}
				if !ok {
					return fc.errorf("%s: values of type %v are not supported", in.Ident(), in.Typ)
				}
				in.ID = int(fc.newVReg(c))
			}
		}
	}
	nv := len(fc.class)
	for cap(fc.uses) < nv {
		fc.uses = append(fc.uses[:cap(fc.uses)], 0)
	}
	fc.uses = fc.uses[:nv]
	clear(fc.uses)
	for cap(fc.folded) < nv {
		fc.folded = append(fc.folded[:cap(fc.folded)], false)
	}
	fc.folded = fc.folded[:nv]
	clear(fc.folded)
	for cap(fc.phiTmp) < nv {
		fc.phiTmp = append(fc.phiTmp[:cap(fc.phiTmp)], 0)
	}
	fc.phiTmp = fc.phiTmp[:nv-numPhys]
	for _, b := range rpo {
		for _, in := range b.Instrs {
			for _, o := range in.Ops {
				if x, ok := o.(*ir.Instr); ok && x.ID >= numPhys && x.ID < nv && x.Op != ir.OpAlloca {
					fc.uses[x.ID]++
				} else if !fc.x87.on && isF80Const(o) {
					fc.x87.on = true
				}
			}
			if in.Op == ir.OpPhi {
				fc.phiTmp[in.ID-numPhys] = fc.newVReg(fc.class[in.ID])
			}
		}
	}
	fc.nIR = len(rpo)
	// One machine block per reachable IR block, in RPO.
	for range rpo {
		fc.addBlock()
	}
	fc.cur = 0
	// Entry: incoming registers, then parameters.
	ngp, nxmm := 0, 0
	byval := f.Sig.ByVal
	for i, p := range f.Params {
		if i < len(byval) && byval[i] != nil || p.Typ == ir.F80 {
			continue // on the stack
		}
		if fc.class[p.ID] == classXMM && nxmm < len(xmmArgRegs) {
			fc.entry = append(fc.entry, vreg(xmmArgRegs[nxmm]))
			nxmm++
		} else if fc.class[p.ID] == classGPR && ngp < len(gpArgRegs) {
			fc.entry = append(fc.entry, vreg(gpArgRegs[ngp]))
			ngp++
		}
	}
	fc.vaSave = -1
	if f.Sig.Variadic && callsVAStart(f) {
		// The register save area: every argument register is incoming.
		fc.entry = fc.entry[:0]
		for _, r := range gpArgRegs {
			fc.entry = append(fc.entry, vreg(r))
		}
		for _, r := range xmmArgRegs {
			fc.entry = append(fc.entry, vreg(r))
		}
		fc.vaSave = int32(len(fc.frame))
		fc.frame = append(fc.frame, frameObj{size: vaSaveSize, align: 16})
	}
	if err := retRegsOK(f.Sig.Ret); err != nil {
		return fc.errorf("%v", err)
	}
	fc.emit(minst{op: mEntry, dst: noVReg, a: noVReg, b: noVReg, c: noVReg})
	ngp, nxmm = 0, 0
	for i, p := range f.Params {
		v := vreg(p.ID)
		if i < len(byval) && byval[i] != nil {
			// A struct passed by value in memory: the parameter is the
			// address of its copy among the stack arguments.
			size, err := byval[i].CheckSize()
			if err != nil || byval[i].Align() > 16 {
				return fc.errorf("parameter %s: byval(%v) is not supported", p.Ident(), byval[i])
			}
			if byval[i].Align() == 16 {
				fc.inArgs = (fc.inArgs + 1) &^ 1 // a struct holding a long double
			}
			fc.emit(minst{op: mLea, dst: v, a: noVReg, b: noVReg, c: noVReg, addr: maddr{kind: addrInArg, slot: int32(fc.inArgs)}})
			fc.inArgs += int((size + 7) / 8)
			continue
		}
		if p.Typ == ir.F80 {
			// The psABI's X87 class: in memory, 16-byte aligned.
			fc.inArgs = (fc.inArgs + 1) &^ 1
			fc.emit(minst{op: mLea, dst: v, a: noVReg, b: noVReg, c: noVReg, addr: maddr{kind: addrInArg, slot: int32(fc.inArgs)}})
			fc.inArgs += 2
			continue
		}
		switch {
		case fc.class[v] == classXMM && nxmm < len(xmmArgRegs):
			fc.mov(v, vreg(xmmArgRegs[nxmm]))
			nxmm++
		case fc.class[v] == classGPR && ngp < len(gpArgRegs):
			fc.mov(v, vreg(gpArgRegs[ngp]))
			ngp++
		default:
			sz := uint8(8)
			fc.emit(minst{op: mLoad, sz: sz, dst: v, a: noVReg, b: noVReg, c: noVReg, addr: maddr{kind: addrInArg, slot: int32(fc.inArgs)}})
			fc.inArgs++
		}
	}
	if fc.vaSave >= 0 {
		fc.vaGP, fc.vaXMM = ngp, nxmm
		fc.saveArgRegs()
	}
	fc.eh.reset(f)
	for i, b := range rpo {
		fc.cur = i
		fc.owner = i
		fc.selectBlock(b)
		if fc.err != nil {
			if ie, ok := fc.err.(*iselError); ok && ie.in != nil {
				return fc.errorf("block %s: %s: %s", b.Ident(), ie.in.String(), ie.msg)
			}
			return fc.errorf("block %s: %v", b.Ident(), fc.err)
		}
		if t := b.Terminator(); t == nil {
			return fc.errorf("block %s has no terminator", b.Ident())
		}
	}
	// Float constants are defined once, right after the entry pseudo.
	if n := len(fc.fconsts); n > 0 {
		b := &fc.blocks[0]
		ins := make([]minst, 0, len(b.insts)+n)
		ins = append(ins, b.insts[0])
		for _, c := range fc.fconsts {
			ins = append(ins, minst{op: mFConst, dst: c.v, a: noVReg, b: noVReg, c: noVReg, imm: int64(c.bits)})
		}
		b.insts = append(ins, b.insts[1:]...)
	}
	// Layout: each block followed by the edge blocks split off it.
	for i := range rpo {
		fc.layout = append(fc.layout, int32(i))
		for j, s := range fc.splitOf {
			if s == int32(i) {
				fc.layout = append(fc.layout, int32(len(rpo)+j))
			}
		}
	}
	return nil
}

// isInlineAsmCall reports whether in is a call of inline asm (a landing
// pad, which also yields a struct, has no operands).
func isInlineAsmCall(in *ir.Instr) bool {
	if in.Op != ir.OpCall || len(in.Ops) == 0 {
		return false
	}
	_, ok := in.Ops[0].(*ir.InlineAsm)
	return ok
}
