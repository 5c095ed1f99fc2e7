// Package jit is gorc's facade for Go programs, like LLVM's LLJIT: one call
// wires an execution session, an executor (in this process, a child
// process over pipes, or a `gorc executor` reached over TCP or mutual TLS;
// see Options.Exec), the target the executor reports (package target: the
// linker architecture and the compiler backend for AddIR), a slab memory
// manager, the object linking layer, a process-symbols generator and
// archive generators, so that a program made of relocatable objects,
// static archives, shared libraries and IR can be linked and run as a
// static linker and the C runtime would:
//
//	j, err := jit.New(ctx, jit.Options{})
//	j.AddObjectFile("main.o")
//	j.AddArchive("/usr/lib/x86_64-linux-gnu/libsqlite3.a")
//	j.LoadDylib(ctx, "-lm")
//	status, err := j.RunMain(ctx, "main", []string{"prog", "arg"})
//
// Functions are called from Go as typed Go functions, in every executor
// (see Func), and IR built in memory or compiled from Kaleidoscope is
// added without printing it (AddModule, kaleidoscope.CompileLibrary):
//
//	poly, err := jit.Func[func(float64) float64](j, "poly")
//	y := poly(2.5)
//
// A program that uses a child executor with the default command (itself)
// calls ServeExecutorIfChild first in main.
//
// All inputs are given to one JITDylib, "main", whose generators are the
// archives (in the order added) and then the process. Objects added under
// a Tracker (NewTracker) can be unloaded again: Tracker.Remove runs their
// destructors and removes their symbols, EH frames and memory.
package jit

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorc-jit/gorc/codecache"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/archive"
	"github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/memmgr"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/orc/objlayer"
	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/target"
)

// maxLinkers bounds concurrent materializations; it is far above any
// realistic number of objects, so in effect every link has a goroutine.
const maxLinkers = 1 << 16

// lowSlabSize is the default slab size when it must lie below 2 GiB.
const lowSlabSize = 256 << 20

// Options configure a JIT.
type Options struct {
	// Exec says where code runs: "" or "local" (this process), "child"
	// (a spawned executor process, ExecutorCommand, over pipes),
	// "tcp://HOST:PORT" (a running `gorc executor -listen`) or
	// "tls://HOST:PORT" (the same with mutual TLS; see TLS).
	Exec string
	// SHM moves code through memory shared with the executor instead of
	// copying it over the stream (child executors; a TCP executor on the
	// same machine).
	SHM bool
	// ExecutorCommand is the argv of the child executor for Exec "child"
	// (default: this program with the argument "executor", i.e.
	// `gorc executor` in gorc itself): such a program must call
	// ServeExecutorIfChild first in main. A program built without cgo
	// needs a gorc binary here. Its stdin, stdout and stderr are this
	// process's.
	ExecutorCommand []string
	// ExecutorEnv holds extra KEY=VALUE environment entries for the child
	// executor (Exec "child"), added to this process's environment.
	ExecutorEnv []string
	// SlabSize is the address space reserved for JIT'd code and data
	// (0: memmgr.DefaultSlabSize).
	SlabSize uint64
	// Low forces the slab below 2 GiB. It is chosen automatically when an
	// added object is non-PIC small-model code (R_X86_64_32/32S).
	Low bool
	// SearchDirs are -L directories for LoadDylib.
	SearchDirs []string
	// TLS is the client configuration (client certificate and the CA
	// that signed the executor's) for Exec "tls://HOST:PORT", an executor
	// listening with mutual TLS.
	TLS *tls.Config
	// Stdio is the program's stdin, stdout and stderr (nil fields: this
	// process's; epc.NoStdin: no input). In-process code always uses this
	// process's descriptors; a child executor inherits files and forwards
	// anything else over its pipes; a tcp:// executor always forwards over
	// the connection (see epc.Stdio).
	Stdio epc.Stdio
	// Cache, when not nil, is the persistent code cache for the objects
	// AddIR compiles (see CacheStats).
	Cache *codecache.Cache
	// PerfSupport writes every JIT'd function to the executor's perf map
	// (/tmp/perf-PID.map) and jitdump file (for perf inject --jit) so
	// that perf can name them (llvm-jitlink's -perf-support). JIT'd code with debug
	// information is registered with debuggers (the GDB JIT interface) whatever this says; see
	// docs/DEBUGGING.md. It also keeps small allocations out of the
	// slab's code heap: perf reads its map only for anonymous memory, and
	// the code heap's blocks are shared-file (memfd) mappings.
	PerfSupport bool
	// MapInputs maps input files (AddObjectFile, AddArchive, AddInput;
	// those of 64 KiB or more) instead of reading them into fresh
	// buffers: the linker parses them in place, so only the pages it
	// touches are brought in, from the page cache, without a copy. The
	// mappings are private (edits never reach the file) and live until
	// Close: nothing parsed from them may be used after Close, and an
	// input file must not be truncated while the JIT is open (reading a
	// page past the new end faults). For short-lived processes such as
	// gorc run; a long-lived one that adds and removes inputs repeatedly
	// should leave it off.
	MapInputs bool
	// Publish, with a shared executor (`gorc executor -listen ADDR
	// -shared`, reached with Exec "tcp://ADDR" or "tls://ADDR"), publishes
	// the symbols the objects added before linking define, under this
	// shared name, as soon as their addresses are assigned (Resolved):
	// other controllers can then link against them (LinkShared). See
	// docs/SHARING.md.
	Publish string
	// LinkShared names shared dylibs other controllers publish in the
	// same shared executor: names the inputs do not define are looked up
	// in them, in order, before the executor process. Nothing runs before
	// they (and this controller's own publication) are Ready.
	LinkShared []string
	// SharedTimeout bounds each wait for other controllers — for a shared
	// dylib to be published, or to become Ready (0: DefaultSharedTimeout).
	SharedTimeout time.Duration
	// Speculate: AddLazyIR (one function per partition, not publishing)
	// compiles the functions a compiled function calls before their
	// first call, in batches in the background (orc/lazy.Speculator).
	Speculate bool
	// NoParseAhead: AddLazyIR (one function per partition, without
	// Speculate) does not parse the bodies of compiled functions'
	// callees ahead of their first call on another goroutine (see
	// parseAhead); each body is then parsed by its first call.
	NoParseAhead bool
}

// JIT links and runs objects in an executor.
type JIT struct {
	onClose []func() // run by Close first (OnClose)
	ES      *orc.ExecutionSession
	Main    *orc.JITDylib
	EPC     epc.ExecutorProcessControl
	Layer   *objlayer.Layer
	// Target is the executor's target (from its triple): the linker
	// architecture and the compiler backend AddIR uses.
	Target *target.Target

	opts Options
	proc *objlayer.ProcessSymbolsGenerator
	// procWait, when set, is called before proc looks names up
	// (WaitBeforeProcessSymbols).
	procWait func() error

	mu   sync.Mutex
	slab *memmgr.Slab
	low  bool
	// noHeap keeps small allocations out of the slab's code heap (set by
	// RecordImage: a recorded image is one span, which pieces of shared
	// code-heap blocks would spread over megabytes of address space).
	noHeap   bool
	inits    []orc.SymbolName
	objects  []string
	archives []*objlayer.ArchiveGenerator
	procAdd  bool
	pending  []*jitlink.LinkGraph
	times    Times
	syms     symtab
	modules  map[orc.ResourceKey]*Tracker // live trackers (tracker.go)
	lazy     *Lazy

	lazyBodies, lazyImpl *orc.JITDylib        // AddLazyIR's dylibs
	lazyPending          []*jitlink.LinkGraph // AddLazyObject before linking starts
	lazyModules          atomic.Int64
	lazyIR               []*lazyIRStubs // AddLazyIR's modules behind generators
	lazyExterns          []string       // names lazy IR declares (noteLazyIRExterns)
	lazyCompiled         atomic.Int64
	lazySpeculated       atomic.Int64
	// resolvedRefs: the external names speculative batches refer to
	// that a lookup found (MissingRefs), as keys.
	resolvedRefs sync.Map
	// missingRefs: those a lookup did not find after InputsComplete,
	// as keys; inputsComplete: InputsComplete was called.
	missingRefs    sync.Map
	inputsComplete atomic.Bool
	// refLookups counts MissingRefs' session lookups (tests).
	refLookups atomic.Int64

	cacheStats CacheStats
	mappings   [][]byte // input files mapped by readInput (MapInputs)
	share      *sharing // in a shared executor (share.go), or nil

	imageAllocs []jitlink.FinalizedAlloc // linked images replayed (imagecache.go)
	imageLinked int                      // objects those images hold
}

// Times are the durations of the phases of a run.
type Times struct {
	Load time.Duration // reading and parsing inputs, loading libraries
	Link time.Duration // materializing (linking) everything
	// LibWait is how long the link's lookups in the executor process
	// waited for shared libraries still loading (WaitBeforeProcessSymbols;
	// with a child executor still starting, for its start too), summed
	// over the lookups.
	LibWait time.Duration
}

// New creates a JIT.
func New(ctx context.Context, opts Options) (*JIT, error) {
	e, err := connect(ctx, opts)
	if err != nil {
		return nil, err
	}
	tg, err := target.Lookup(e.TargetTriple())
	if err != nil {
		return nil, errors.Join(fmt.Errorf("jit: executor: %w", err), e.Close(ctx))
	}
	// Each materialization gets its own goroutine: a link blocks in its
	// external lookup until the objects it needs are Resolved, and those
	// objects resolve (right after allocation) without waiting for
	// anything, so no bounded pool can deadlock us and independent objects
	// link in parallel.
	es := orc.NewExecutionSession(orc.WithDispatcher(orc.NewPoolDispatcher(maxLinkers)))
	jd, err := es.CreateJITDylib("main")
	if err != nil {
		return nil, err
	}
	j := &JIT{ES: es, Main: jd, EPC: e, Target: tg, opts: opts, low: opts.Low}
	j.Layer = objlayer.New(es, e, nil)
	j.Layer.AddPlugin(&j.syms)
	es.RegisterResourceManager(&j.syms)
	j.Layer.SetModuleHandles(j.moduleHandle)
	if err := addDebugPlugins(j.Layer, e, opts); err != nil {
		return nil, errors.Join(err, e.Close(ctx))
	}
	if err := j.setupSharing(); err != nil {
		return nil, errors.Join(err, e.Close(ctx))
	}
	j.proc = objlayer.NewProcessSymbolsGenerator(e)
	j.proc.DSOHandle = func(ctx context.Context) (shared.ExecutorAddr, error) {
		s, err := j.memory()
		if err != nil {
			return 0, err
		}
		return s.DSOHandle(ctx)
	}
	return j, nil
}

// connect creates the executor connection opts.Exec asks for.
func connect(ctx context.Context, opts Options) (epc.ExecutorProcessControl, error) {
	switch {
	case opts.Exec == "" || opts.Exec == "local":
		if opts.SHM {
			return nil, fmt.Errorf("jit: shared memory (-shm) needs a child or tcp:// executor, not the in-process one")
		}
		e, err := epc.NewInProcess()
		if err != nil {
			return nil, fmt.Errorf("jit: in-process executor: %w", err)
		}
		return e, nil
	case opts.Exec == "child" || strings.HasPrefix(opts.Exec, "tcp://") || strings.HasPrefix(opts.Exec, "tls://"):
		for _, scheme := range []string{"tcp://", "tls://"} {
			if addr, remote := strings.CutPrefix(opts.Exec, scheme); opts.SHM && remote && !loopback(addr) {
				return nil, fmt.Errorf("jit: shared memory (-shm) needs the executor on this machine; %s is not a loopback address", opts.Exec)
			}
		}
		if opts.Exec == "child" && len(opts.ExecutorCommand) == 0 && !canServeSelf {
			return nil, fmt.Errorf("jit: -exec child: this program was built without cgo, so it cannot be its own executor; set Options.ExecutorCommand to a gorc binary, e.g. {\"/path/to/gorc\", \"executor\"}")
		}
		oo := epc.OpenOptions{ExecutorCommand: opts.ExecutorCommand, Stdio: opts.Stdio, TLS: opts.TLS, Env: opts.ExecutorEnv}
		if opts.Exec == "child" {
			// A child runs on this machine: its target and page size are
			// known before its hello, so New returns at once and the
			// inputs are read while the executor starts (the first call
			// waits for the hello; see executorError).
			if host, err := target.Host(); err == nil {
				oo.Early = &epc.EarlyHello{Triple: host.Triple, PageSize: uint64(os.Getpagesize()), Same: sameTarget, SharedMemory: opts.SHM}
			}
		}
		e, err := epc.Open(ctx, opts.Exec, oo)
		if err != nil {
			return nil, executorStartError(opts, err)
		}
		return e, nil
	default:
		return nil, fmt.Errorf("jit: unknown executor %q (want local, child, tcp://HOST:PORT or tls://HOST:PORT)", opts.Exec)
	}
}

// executorStartError explains why the executor opts names did not start.
func executorStartError(opts Options, err error) error {
	if opts.Exec == "child" && len(opts.ExecutorCommand) > 0 {
		return fmt.Errorf("jit: child executor %s: %w", strings.Join(opts.ExecutorCommand, " "), err)
	}
	var step *epc.EarlyStepError
	if opts.Exec == "child" && errors.As(err, &step) {
		// The executor started (it answered the hello): the hint below
		// about programs that are their own executor does not apply.
		return fmt.Errorf("jit: child executor: %w", err)
	}
	if opts.Exec == "child" && !strings.Contains(err.Error(), "ServeExecutorIfChild") {
		return fmt.Errorf("jit: child executor (this program, run again with the argument \"executor\"): %w; "+
			"a program that is its own child executor must call jit.ServeExecutorIfChild() first in main (or set Options.ExecutorCommand to a gorc binary)", err)
	}
	return fmt.Errorf("jit: %w", err)
}

// sameTarget says whether two triples name the same target.
func sameTarget(a, b string) bool {
	ta, err := target.Lookup(a)
	if err != nil {
		return false
	}
	tb, err := target.Lookup(b)
	return err == nil && ta == tb
}

// handshakeError is implemented by executors started before their
// hello arrived (epc.Remote of a child: epc.EarlyHello).
type handshakeError interface{ HandshakeError() error }

// executorError returns, for an error of a call to the executor, the
// reason alone when the executor never completed its start (a child
// started early whose handshake failed: it exited, was killed, or is not
// an executor), as New reported it before children started early;
// otherwise err.
func (j *JIT) executorError(err error) error {
	if err == nil {
		return nil
	}
	if h, ok := j.EPC.(handshakeError); ok {
		if herr := h.HandshakeError(); herr != nil {
			return executorStartError(j.opts, herr)
		}
	}
	return err
}

// mapper returns the memory transport for the executor.
func (j *JIT) mapper() (memmgr.Mapper, error) {
	if j.opts.SHM {
		return memmgr.NewSharedMemoryMapper(j.EPC)
	}
	if _, ok := j.EPC.(epc.LocalMemory); ok {
		if m, err := memmgr.NewInProcessMapper(j.EPC); err == nil {
			return m, nil
		}
	}
	return memmgr.NewCopyMapper(j.EPC), nil
}

// memory returns the slab, creating it on first use (after the inputs are
// known, so that it can be placed below 2 GiB for non-PIC objects).
func (j *JIT) memory() (*memmgr.Slab, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.slab != nil {
		return j.slab, nil
	}
	m, err := j.mapper()
	if err != nil {
		return nil, err
	}
	size := j.opts.SlabSize
	if size == 0 && j.low {
		// The first 2 GiB are crowded (the executable, brk heap): ask
		// for less there.
		size = lowSlabSize
	}
	s, err := memmgr.NewSlab(m, memmgr.SlabOptions{Size: size, Low: j.low, NoCodeHeap: j.noHeap || j.opts.PerfSupport})
	if err != nil {
		return nil, err
	}
	j.slab = s
	j.Layer.SetMemoryManager(s)
	return s, nil
}

// readInput reads an input file (an object, archive or IR file).
func readInput(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("jit: reading input: %w", err)
	}
	return data, nil
}

// AddObjectFile adds a relocatable object from a file.
func (j *JIT) AddObjectFile(path string) error {
	data, err := j.readInput(path)
	if err != nil {
		return err
	}
	return j.AddObject(path, data)
}

// AddObject adds a relocatable object; name is used in messages.
func (j *JIT) AddObject(name string, data []byte) error {
	t0 := time.Now()
	g, err := j.parse(name, data)
	if err != nil {
		return err
	}
	return j.addGraph(t0, g)
}

// AddGraph adds an object already read into a link graph (as AddObject
// does once it has parsed the object): a compiler's output handed over
// without writing and re-reading ELF (target.Options.GraphName). The
// graph belongs to the JIT afterwards.
func (j *JIT) AddGraph(g *jitlink.LinkGraph) error {
	t0 := time.Now()
	if err := j.checkLow(g); err != nil {
		return err
	}
	return j.addGraph(t0, g)
}

func (j *JIT) addGraph(t0 time.Time, g *jitlink.LinkGraph) error {
	name := g.Name
	j.mu.Lock()
	started := j.procAdd
	if !started {
		// Defined when linking starts, so that section registries spread
		// over several objects can be merged first.
		j.pending = append(j.pending, g)
	}
	j.objects = append(j.objects, name)
	j.mu.Unlock()
	if started {
		init, err := j.Layer.AddGraph(j.Main, nil, g)
		if err != nil {
			return err
		}
		j.mu.Lock()
		j.inits = append(j.inits, init)
		j.mu.Unlock()
	}
	j.mu.Lock()
	j.times.Load += time.Since(t0)
	j.mu.Unlock()
	return nil
}

// parse parses an object and notes whether it needs the slab below 2 GiB.
func (j *JIT) parse(name string, data []byte) (*jitlink.LinkGraph, error) {
	g, err := elf.Parse(name, data)
	if err != nil {
		return nil, err
	}
	if err := j.checkLow(g); err != nil {
		return nil, err
	}
	return g, nil
}

// checkLow notes whether g needs the slab below 2 GiB, and refuses an
// object that needs an executable stack.
func (j *JIT) checkLow(g *jitlink.LinkGraph) error {
	if g.ExecStack {
		return fmt.Errorf("jit: %s needs an executable stack (its .note.GNU-stack section is executable: gcc makes it so for nested functions whose address is taken, which call through trampolines on the stack); gorc runs programs on non-executable stacks", g.Name)
	}
	if g.Low2GiB {
		j.mu.Lock()
		defer j.mu.Unlock()
		if j.slab != nil && !j.low {
			return fmt.Errorf("jit: %s is non-PIC small-model code (needs memory below 2 GiB) but code was already placed above; add it before linking starts", g.Name)
		}
		j.low = true
	}
	return nil
}

// AddArchive adds a static archive whose members are linked on demand.
func (j *JIT) AddArchive(path string) error {
	data, err := j.readInput(path)
	if err != nil {
		return err
	}
	return j.AddArchiveData(path, data)
}

// AddArchiveData adds a static archive held in memory.
func (j *JIT) AddArchiveData(name string, data []byte) error {
	t0 := time.Now()
	g, err := objlayer.NewArchiveGenerator(j.Layer, nil, name, data)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.procAdd {
		return fmt.Errorf("jit: %s: archives must be added before linking starts", name)
	}
	j.archives = append(j.archives, g)
	j.Main.AddGenerator(g)
	j.times.Load += time.Since(t0)
	return nil
}

// IsBinaryInput reports whether data is an ar archive or an ELF file,
// which AddInput classifies by content whatever the file's name.
func IsBinaryInput(data []byte) bool { return archive.IsArchive(data) || elf.HasELFMagic(data) }

// AddInput adds a file by its content: an ELF relocatable object, an ar
// archive, or (by its .ll suffix) an IR module compiled at -O2.
func (j *JIT) AddInput(path string) error {
	data, err := j.readInput(path)
	if err != nil {
		return err
	}
	switch {
	case archive.IsArchive(data):
		return j.AddArchiveData(path, data)
	case elf.IsELFObject(data):
		return j.AddObject(path, data)
	case elf.HasELFMagic(data):
		// An ELF file, but not one gorc links: say what it is (32-bit,
		// big-endian, an executable, a shared library, a corrupt header).
		if err := elf.CheckHeader(path, data); err != nil {
			return fmt.Errorf("jit: %w", err)
		}
		return j.AddObject(path, data)
	case strings.HasSuffix(path, ".ll"):
		return j.AddIR(context.Background(), path, data, 2)
	default:
		return fmt.Errorf("jit: %s: not an ELF relocatable object, a static archive or an IR file (.ll)", path)
	}
}

// LoadDylib loads a shared library into the executor: "-lNAME" (searched
// in Options.SearchDirs and the system directories), a path, or a soname.
// Its symbols become visible to the process-symbols generator.
func (j *JIT) LoadDylib(ctx context.Context, name string) error {
	if s, ok := j.EPC.(interface{ Started(context.Context) error }); ok {
		// A child still starting: its start is not this load's time.
		if err := s.Started(ctx); err != nil {
			return j.executorError(err)
		}
	}
	t0 := time.Now()
	if _, err := j.EPC.LoadDylib(ctx, name, j.opts.SearchDirs); err != nil {
		if herr := j.executorError(err); herr != err {
			return herr
		}
		return fmt.Errorf("jit: load %s: %w", name, err)
	}
	j.mu.Lock()
	j.times.Load += time.Since(t0)
	j.mu.Unlock()
	return nil
}

// WaitBeforeProcessSymbols makes the lookups of names in the executor
// process (the main dylib's last generator, after its objects and
// archives) call wait first: for shared libraries loaded on another
// goroutine (LoadDylib, AddLibrary) while the inputs are read and the
// link starts, since the link needs their symbols only when it looks its
// undefined names up in the process. An error from wait fails those
// lookups (and so the link). Call it before linking starts.
func (j *JIT) WaitBeforeProcessSymbols(wait func() error) {
	j.mu.Lock()
	j.procWait = wait
	j.mu.Unlock()
}

func (j *JIT) start() error {
	if _, err := j.memory(); err != nil {
		return err
	}
	j.mu.Lock()
	if j.procAdd {
		j.mu.Unlock()
		return nil
	}
	j.procAdd = true
	j.closeArchives()
	pending := j.pending
	j.pending = nil
	if j.share != nil && j.share.gen != nil {
		// Other controllers' symbols come before the process's.
		j.Main.AddGenerator(j.share.gen)
	}
	var proc orc.DefinitionGenerator = j.proc
	if wait := j.procWait; wait != nil {
		j.Layer.SetLibraryWait(wait) // (thread-local symbols of the libraries: objlayer asks the executor first)
		proc = orc.DefinitionGeneratorFunc(func(ctx context.Context, kind orc.LookupKind, jd *orc.JITDylib, flags orc.JITDylibLookupFlags, set orc.SymbolLookupSet) error {
			t0 := time.Now()
			err := wait()
			j.mu.Lock()
			j.times.LibWait += time.Since(t0)
			j.mu.Unlock()
			if err != nil {
				return err
			}
			return j.proc.TryToGenerate(ctx, kind, jd, flags, set)
		})
	}
	j.Main.AddGenerator(proc)
	j.mu.Unlock()
	for _, g := range objlayer.MergeSectionRegistries(pending) {
		init, err := j.Layer.AddGraph(j.Main, nil, g)
		if err != nil {
			return err
		}
		j.mu.Lock()
		j.inits = append(j.inits, init)
		j.mu.Unlock()
	}
	j.mu.Lock()
	lazyPending := j.lazyPending
	j.lazyPending = nil
	lazyIR := j.lazyIR
	j.mu.Unlock()
	for _, g := range lazyPending {
		if err := j.defineLazyObject(g); err != nil {
			return err
		}
	}
	// The objects added before linking are defined now: none may define
	// a function of a lazy IR module.
	if err := j.checkLazyDuplicates(lazyIR); err != nil {
		return err
	}
	if j.opts.Publish != "" && j.share != nil {
		// After the lazy objects are defined: what a lazy controller
		// publishes is its stubs (the main dylib's lazy reexports).
		j.mu.Lock()
		names := j.publishedNamesLocked()
		j.mu.Unlock()
		j.startPublishing(names)
	}
	return nil
}

// LinkAll links every object added so far (as a static linker includes
// every object named on its command line) and the archive members they
// need. On undefined symbols the error lists every missing name and the
// object that referenced it.
func (j *JIT) LinkAll(ctx context.Context) error {
	if err := j.start(); err != nil {
		return err
	}
	t0 := time.Now()
	j.mu.Lock()
	set, err := j.pullArchiveMembers(orc.NewSymbolLookupSet(j.inits...))
	j.mu.Unlock()
	if err != nil {
		return err
	}
	_, err = j.ES.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, j.Main), set, orc.SymbolStateReady)
	j.mu.Lock()
	j.times.Link += time.Since(t0)
	j.mu.Unlock()
	if err != nil {
		j.Layer.Quiesce()
		if u := j.Layer.Undefined(); u != nil {
			err = j.undefinedCause(u, err)
		}
		return j.executorError(j.finishSharing(ctx, err))
	}
	return j.finishSharing(ctx, nil)
}

// Lookup links what is needed and returns the address of name.
func (j *JIT) Lookup(ctx context.Context, name string) (shared.ExecutorAddr, error) {
	if err := j.start(); err != nil {
		return 0, err
	}
	if j.share != nil && !j.shareReady() {
		// Code of a controller sharing its executor runs only once all it
		// depends on, in every process, is Ready: link everything first.
		if err := j.LinkAll(ctx); err != nil {
			return 0, err
		}
	}
	t0 := time.Now()
	m, err := j.ES.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, j.Main), orc.NewSymbolLookupSet(j.ES.Intern(name)), orc.SymbolStateReady)
	j.mu.Lock()
	j.times.Link += time.Since(t0)
	j.mu.Unlock()
	if err != nil {
		j.Layer.Quiesce()
		if u := j.Layer.Undefined(); u != nil {
			return 0, j.undefinedCause(u, err)
		}
		var nf *orc.SymbolsNotFoundError
		if errors.As(err, &nf) {
			return 0, fmt.Errorf("jit: symbol %s is not defined by any input: %w", name, err)
		}
		return 0, j.executorError(err)
	}
	return m[j.ES.Intern(name)].Addr, nil
}

// Initializers returns the constructors and destructors of everything
// linked so far, in run order, except those of trackers' objects (see
// Tracker.Initialize).
func (j *JIT) Initializers() (inits, finis []shared.ExecutorAddr) {
	in, fi := j.Layer.Initializers()
	for _, f := range in {
		if !j.isModule(f.Key) {
			inits = append(inits, f.Fn)
		}
	}
	for _, f := range fi {
		if !j.isModule(f.Key) {
			finis = append(finis, f.Fn)
		}
	}
	return inits, finis
}

// Program links everything and returns the program description for
// RunProgram: the entry point's address and the initializers.
func (j *JIT) Program(ctx context.Context, entry string, args []string) (epc.Program, error) {
	if err := j.LinkAll(ctx); err != nil {
		return epc.Program{}, err
	}
	addr, err := j.Lookup(ctx, entry)
	if err != nil {
		return epc.Program{}, j.executorError(err)
	}
	inits, finis := j.Initializers()
	return epc.Program{Main: addr, Args: args, Inits: inits, Finis: finis}, nil
}

// RunMain links everything and runs entry as main(argc, argv) the way a C
// program runs: initializers, main, then exit(status) with atexit
// handlers, destructors and finalizers. In-process this ends the current
// process with main's status and returns only on error; a child or remote
// executor ends and its status is returned.
func (j *JIT) RunMain(ctx context.Context, entry string, args []string) (int, error) {
	p, err := j.Program(ctx, entry, args)
	if err != nil {
		return 0, err
	}
	return j.RunProgram(ctx, p)
}

// RunProgram runs p (from Program) as a C program runs. With a child or
// remote executor, the executor process ends with main's status
// (epc.Runner.RunProgram). A shared executor, which serves other
// controllers, does not end: the initializers, main and the finalizers
// run as calls and main's status is returned.
func (j *JIT) RunProgram(ctx context.Context, p epc.Program) (int, error) {
	if j.share != nil {
		return j.runShared(ctx, p)
	}
	return j.EPC.RunProgram(ctx, p)
}

// Times returns the time spent loading and linking so far.
func (j *JIT) Times() Times {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.times
}

// Symbols returns the main dylib's symbol table.
func (j *JIT) Symbols() []orc.SymbolInfo { return j.Main.Symbols() }

// OnClose registers f to run at the start of Close, before the session
// ends (a background compiler stops there: gorc's -speculate).
func (j *JIT) OnClose(f func()) {
	j.mu.Lock()
	j.onClose = append(j.onClose, f)
	j.mu.Unlock()
}

// Close ends the session and releases executor memory.
func (j *JIT) Close(ctx context.Context) error {
	j.mu.Lock()
	fs := j.onClose
	j.onClose = nil
	j.mu.Unlock()
	for _, f := range fs {
		f()
	}
	j.mu.Lock()
	if j.slab != nil {
		// Every allocation is freed by EndSession and the slab released
		// after it: freeing them need not decommit their pages one by one.
		j.slab.Closing()
	}
	j.mu.Unlock()
	err := errors.Join(j.closeModules(ctx), j.ES.EndSession(ctx))
	err = errors.Join(err, j.closeLazy(ctx))
	j.dropLeases()
	j.syms.dropLazy()
	j.mu.Lock()
	s := j.slab
	images := j.imageAllocs
	j.imageAllocs = nil
	j.mu.Unlock()
	if s != nil && len(images) > 0 {
		err = errors.Join(err, s.Deallocate(ctx, images))
	}
	if s != nil {
		err = errors.Join(err, s.Close(ctx))
	}
	err = errors.Join(err, j.EPC.Close(ctx))
	return errors.Join(err, j.unmapInputs())
}

// loopback reports whether addr ("host:port") names this machine by a
// loopback address or "localhost".
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// undefinedCause is undefinedWhere(u) for a failed lookup whose error was
// err. When err is a definition that could not be added (an archive
// member redefining a symbol already linked), that is the cause and is
// reported first: the member's symbols, never linked, are what is
// "undefined" (listing them alone hid the reason).
func (j *JIT) undefinedCause(u error, err error) error {
	var dup *orc.DuplicateDefinitionError
	if errors.As(err, &dup) {
		return fmt.Errorf("%w\nso, %w", dup, j.undefinedWhere(u))
	}
	return j.undefinedWhere(u)
}
