// Package target is the one place that picks an architecture: it maps a
// target triple (the host's, or the one an executor reports) to the
// linker architecture (a jitlink.Arch, whose stub shapes lazy compilation
// uses) and the compiler backend that emits objects for it. The session
// side (packages jit, orc, orc/objlayer, orc/epc, memmgr) reaches
// architecture-specific code only through a *Target; adding an
// architecture adds a folder under jitlink/ and backend/ and one entry
// here.
//
// Importing this package also registers every architecture's ELF
// relocation knowledge with the ELF reader (package jitlink/elf), which
// finds an object's architecture from its e_machine.
package target

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/jitlink"
)

// Target is one supported architecture and operating system.
type Target struct {
	// Triple is the canonical target triple, e.g. x86_64-unknown-linux-gnu.
	Triple string
	// Arch is the JIT linker's architecture: edge kinds, fixups, default
	// passes and the stub and trampoline shapes.
	Arch jitlink.Arch
	// Backend compiles gorc IR to relocatable objects for this target.
	Backend Backend
	// CallConv places the arguments of typed calls from Go (jit.Func).
	CallConv CallConv
}

// Backend is a compiler backend: gorc IR in, an ELF relocatable object
// out (which the JIT linker, or gcc, links).
type Backend interface {
	// Compile compiles m (or opts.Only of its functions) to an object,
	// checking ctx between functions.
	Compile(ctx context.Context, m *ir.Module, opts Options) (*Result, error)
	// NewStream starts an object to which functions are added one at a
	// time as they are ready (opts.Only must be nil).
	NewStream(ctx context.Context, m *ir.Module, opts Options) (Stream, error)
	// Listing disassembles the code of an object for this target, with
	// its relocations, as objdump -dr prints it (AT&T syntax, or Intel
	// when intel is set).
	Listing(obj []byte, intel bool) (string, error)
}

// Stream compiles functions into one object as they are added.
type Stream interface {
	// Add compiles f into the object.
	Add(f *ir.Function) error
	// Finish completes the object; the stream cannot be used afterwards.
	Finish() (*Result, error)
}

// Options control a compilation; they mean the same for every backend.
type Options struct {
	// SourceName becomes the object's STT_FILE symbol if set.
	SourceName string
	// Verify runs ir.Verify on the module (or each streamed function) first.
	Verify bool
	// NoEHFrame omits the unwind tables.
	NoEHFrame bool
	// Only, if non-nil, restricts the object to these functions; the
	// others are referenced as externals (per-function compilation).
	Only []*ir.Function
	// OmitGlobals references the module's global variables as externals
	// instead of defining them.
	OmitGlobals bool
	// SizeHint, if positive, is the expected size of the code in bytes.
	SizeHint int
	// GraphName, if set, makes the result carry the object as a link
	// graph of that name too (Result.Graph, what jitlink/elf.Parse would
	// make of Result.Object): the JIT hands a compiled object to its
	// linker without writing and re-reading it.
	GraphName string
	// NoObject leaves Result.Object nil (with GraphName, when the bytes
	// are not wanted: no code cache, no -emit obj).
	NoObject bool
}

// Stats describe one compilation.
type Stats struct {
	Functions    int // functions compiled
	Instructions int // machine instructions emitted
	CodeBytes    int // bytes of code
	Spills       int // virtual registers spilled to the stack
}

// Result is a compiled object and its statistics.
type Result struct {
	// Object is the ELF relocatable object (nil with Options.NoObject).
	Object []byte
	// Graph is the object as the JIT linker's graph (with
	// Options.GraphName only): what jitlink/elf.Parse would make of
	// Object.
	Graph *jitlink.LinkGraph
	Stats Stats
}

// targets are the supported targets, by canonical triple.
var targets = []*Target{amd64Linux}

// Lookup returns the target for a triple. The architecture and OS parts
// decide (x86_64 or amd64; linux); vendor and environment may be anything
// ("x86_64-pc-linux-gnu", "x86_64-linux-gnu" and "x86_64-unknown-linux"
// all name the x86-64 Linux target).
func Lookup(triple string) (*Target, error) {
	parts := strings.Split(triple, "-")
	if triple == "" || len(parts) < 2 {
		return nil, fmt.Errorf("target: %q is not a target triple (want ARCH-VENDOR-OS[-ENV], e.g. %s)", triple, amd64Linux.Triple)
	}
	arch := parts[0]
	if arch == "amd64" {
		arch = "x86_64"
	}
	osName := ""
	for _, p := range parts[1:] {
		if strings.HasPrefix(p, "linux") {
			osName = "linux"
		}
	}
	for _, t := range targets {
		tp := strings.Split(t.Triple, "-")
		if arch == tp[0] && osName == tp[2] {
			return t, nil
		}
	}
	return nil, fmt.Errorf("target: unsupported target %q (supported: %s)", triple, supported())
}

// Host returns the target of this process: the one the in-process
// executor runs code for.
func Host() (*Target, error) {
	arch, ok := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i386", "riscv64": "riscv64"}[runtime.GOARCH]
	if !ok {
		arch = runtime.GOARCH
	}
	t, err := Lookup(arch + "-unknown-" + runtime.GOOS)
	if err != nil {
		return nil, fmt.Errorf("target: host %s/%s is not supported (supported: %s)", runtime.GOOS, runtime.GOARCH, supported())
	}
	return t, nil
}

func supported() string {
	var s []string
	for _, t := range targets {
		s = append(s, t.Triple)
	}
	return strings.Join(s, ", ")
}
