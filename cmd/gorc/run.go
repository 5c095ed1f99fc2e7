package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gorc-jit/gorc/codecache"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared/wire"
)

func init() {
	register("run", "JIT-link and run main(argc, argv) from objects, archives and shared libraries", runCommand)
}

const runUsage = `usage: gorc run [flags] INPUT... [-- ARGS...]

Links ELF relocatable objects (.o), static archives (.a), shared
libraries (.so, -lNAME) and LLVM IR (.ll) in memory and runs
main(argc, argv), in this process unless -exec says otherwise. Flags may
come before or after the inputs; -- (or -args, as in llvm-jitlink) ends
them and starts the program's arguments.

Exit status: main's return value; 128+N if the program is killed by
signal N (as a shell reports it; e.g. 139 for SIGSEGV), with the faulting
JIT'd function named on stderr; 1 if linking or starting it fails; 2 for
a usage error.

Inputs:
  FILE.o          relocatable object (always linked)
  FILE.a          static archive (members linked when needed)
  FILE.so[.N]     shared library (dlopen)
  FILE.ll         LLVM IR text (the subset gorc reads), compiled at -O
  -lNAME          libNAME.so or libNAME.a, searched as GNU ld does: each
                  -L dir in order, then the system dirs; in each dir
                  libNAME.so before libNAME.a (only .a with -static)
  -l:FILE         FILE exactly as named, in the same dirs
  -L DIR, -LDIR   add a library search directory

C++: when an IR input is C++ (its source_filename names a .cpp, .cc,
.cxx, .C... file, or, with none, it refers to libstdc++ or the C++ ABI:
_ZSt*, _ZNSt*, __cxa_*, __gxx_personality_v0, operator new/delete),
-lstdc++ is searched after all the inputs and libraries, as clang++
does, unless the command line names -lstdc++ or -lc++ (or either
library's path) or gives -static. libm is loaded for IR inputs anyway.

Flags:
  -entry SYM      call SYM instead of main
  -noexec         link everything, then exit without running
  -lazy           compile each function of IR inputs (.ll) when it is
                  first called, and link an object whose definitions are
                  all functions when one of them is first called (objects
                  with data, initializers, TLS or weak definitions, and
                  archives, are linked as without -lazy); with function
                  partitions and without -speculate, the bodies of the
                  functions a compiled function calls are parsed (not
                  compiled) ahead of their first call on another
                  goroutine (GORC_NO_PARSE_AHEAD=1 in the environment:
                  not)
  -lazy-partition P  what one lazy compile covers: function (default),
                  callees (the function and its direct callees) or module;
                  implies -lazy
  -per-module-lazy   -lazy with -lazy-partition module (as lli's flag)
  -speculate      with -lazy (function partitions): when a function is
                  compiled, compile the IR functions it calls ahead of
                  their first call, transitively, in batches in the
                  background (a first call of one being compiled waits
                  for it; -show-times with a child counts them)
  -O N, -ON       optimisation level for .ll inputs: 0, 1 or 2 (default 2)
  -static         -lNAME finds only static archives (libNAME.a)
  -show-times     print load and link times on stderr (and, with a child
                  or remote executor, the round trips made before the
                  run, by operation, and the run time)
  -show-symbols   print the linked symbol table on stdout
  -exec MODE      where code runs: local (default, this process), child
                  (a spawned gorc executor), tcp://HOST:PORT or
                  tls://HOST:PORT (a gorc executor -listen; the program's
                  stdin, stdout and stderr are forwarded over the
                  connection; tcp:// to an address that is not loopback
                  warns: code travels in clear text)
  -perf-support   let perf name JIT'd functions: write them to
                  /tmp/perf-PID.map (PID of the process running the code)
                  and to a jitdump file for perf inject --jit
                  (see docs/DEBUGGING.md)
  -shm            move code through shared memory (child executors, or
                  tcp:// and tls:// on a loopback address)
  -publish NAME   with a shared executor (gorc executor -listen ADDR
                  -shared): publish the symbols the inputs define under
                  NAME as soon as their addresses are known, for other
                  controllers to link against (docs/SHARING.md)
  -link-shared NAME  link against the dylib another controller published
                  as NAME in the shared executor (repeatable, or NAME,NAME;
                  searched in order before the executor process); the
                  program runs once everything it links against is Ready
  -shared-timeout D  bound on each wait for other controllers of a shared
                  executor (default 30s): a publisher that does not get
                  its symbols Ready in time is named in the error
  -tls-cert FILE  client certificate (PEM) for -exec tls:// and -worker
                  tls://
  -tls-key FILE   its private key (PEM)
  -tls-ca FILE    CA (PEM) that signed the executor's (or worker's)
                  certificate
  -workers N      compile .ll inputs in N local worker processes (gorc
                  worker): each module is cut into one part per worker,
                  the parts' objects are linked here (not with -lazy;
                  see docs/WORKERS.md)
  -worker ADDR    also compile in the gorc worker -listen at
                  tcp://HOST:PORT or tls://HOST:PORT (repeatable)
  -worker-timeout D  a part a worker has not compiled in D (default 1m)
                  goes to another worker, or is compiled here
  -cache DIR      keep objects compiled from .ll inputs, and the linked
                  image of objects and archives (replayed when they are
                  unchanged), in the persistent code cache in DIR
                  (default: gorc in the user's cache directory; size
                  bound GORC_CACHE_MAX, default 1G)
  -no-cache       neither read nor write the code cache
  -- ARGS...      arguments for the program (argv[1:]); -args is the same
`

// runOptions is the parsed command line of gorc run.
type runOptions struct {
	inputs      []string // objects, archives and shared libraries, in order
	libs        []string // -lNAME and .so paths, in order
	searchDirs  []string
	entry       string
	noexec      bool
	showTimes   bool
	showSymbols bool
	exec        string
	shm         bool
	perfSupport bool
	tlsCert     string
	tlsKey      string
	tlsCA       string
	args        []string
	optLevel    int         // -O: optimisation level for .ll inputs
	static      bool        // -static: -lNAME finds only libNAME.a
	cache       cacheFlags  // -cache DIR, -no-cache (cache.go)
	workers     workerFlags // -workers N, -worker ADDR (worker.go)
	lazy        bool        // -lazy: compile/link on first call
	partition   jit.Partitioning
	speculate   bool // -speculate: with -lazy, callees compiled ahead in the background
	// A shared executor's directory (docs/SHARING.md).
	publish       string        // -publish NAME
	linkShared    []string      // -link-shared NAME (repeatable, or comma-separated)
	sharedTimeout time.Duration // -shared-timeout
}

func isSharedLib(path string) bool {
	base := filepath.Base(path)
	return strings.HasSuffix(base, ".so") || strings.Contains(base, ".so.")
}

func runCommand(args []string, stdout, stderr io.Writer) int {
	o, err := parseRunFlags(args)
	if err == errHelp {
		fmt.Fprint(stdout, runUsage)
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	addCxxRuntime(o)
	if os.Getenv("GOGC") == "" {
		// gorc run is a short-lived process that builds large link graphs
		// once: collecting less often saves a fifth of the link time.
		debug.SetGCPercent(400)
	}
	if o.exec == "local" {
		// The objects' EH frames are registered in this process when
		// they are finalized: load libgcc_s's registration beside the
		// link, not on its path.
		preloadEHRuntime()
	}
	ctx := context.Background()
	start := time.Now()
	warnClearText(stderr, "gorc run", o.exec)
	tlsCfg, workerTLS, err := execAndWorkerTLS(o.exec, o.workers, o.tlsCert, o.tlsKey, o.tlsCA)
	if err != nil {
		fmt.Fprintln(stderr, usagef("run", "%v", err))
		return 2
	}
	cache, err := o.cache.open()
	if err != nil {
		fmt.Fprintln(stderr, usagef("run", "%v", err))
		return 2
	}
	if cache != nil {
		// Every cache key names the build of gorc (its build information
		// and the executable's build ID, read from /proc/self/exe): work
		// it out beside the JIT's creation, not on the key's path.
		go codecache.BuildIdentity()
	}
	newJIT := func() (*jit.JIT, error) {
		return jit.New(ctx, jit.Options{Exec: o.exec, SHM: o.shm, SearchDirs: o.searchDirs, TLS: tlsCfg, Cache: cache, PerfSupport: o.perfSupport, MapInputs: true, ExecutorEnv: childExecutorEnv(),
			Publish: o.publish, LinkShared: o.linkShared, SharedTimeout: o.sharedTimeout, Speculate: o.speculate, NoParseAhead: os.Getenv("GORC_NO_PARSE_AHEAD") != ""})
	}
	j, err := newJIT()
	if err != nil {
		fmt.Fprintf(stderr, "gorc run: %v\n", err)
		return 1
	}
	libs := startLibLoader(ctx, j, o)
	argv0 := strings.TrimSuffix(o.inputs[0], filepath.Ext(o.inputs[0]))
	// The linked-image cache: a hit replaces parsing and linking.
	var prog epc.Program
	hit := false
	ri := openRunImage(o, cache, j.Target.Triple, stderr)
	if ri != nil {
		var dirty bool
		prog, hit, dirty, err = ri.load(ctx, j, o, libs, append([]string{argv0}, o.args...))
		if err != nil {
			fmt.Fprintf(stderr, "gorc run: %v\n", j.ExplainExecutorError(err))
			return 1
		}
		if dirty {
			libs.wait()
			j.Close(ctx)
			if j, err = newJIT(); err != nil {
				fmt.Fprintf(stderr, "gorc run: %v\n", err)
				return 1
			}
			libs = startLibLoader(ctx, j, o)
		}
		if !hit {
			ri.record(j, o.entry)
		}
	}
	if !hit {
		if code := linkRunInputs(ctx, j, o, libs, workerTLS, cache, stderr); code >= 0 {
			return code
		}
		// Every input is in: speculation need not look a missing name up
		// again (jit.InputsComplete).
		j.InputsComplete()
		prog, err = j.Program(ctx, o.entry, append([]string{argv0}, o.args...))
		err = libs.first(err)
		if err != nil {
			if o.exec == "local" && strings.Contains(err.Error(), "static TLS surplus") {
				// Restart with more room (glibc reads its tunables only at
				// process start). Safe: nothing of the program has run yet.
				// Returns only if the room was already granted or exec failed.
				ensureStaticTLS(staticTLSSurplus)
			}
			fmt.Fprintf(stderr, "gorc run: %v\n", err)
			return 1
		}
		if ri != nil {
			// In-process the program's exit ends gorc: store first. A
			// child or remote executor runs the program while this
			// process waits, so the store overlaps the run.
			defer ri.store(prog, o.exec != "local")()
		}
	}
	if o.showSymbols {
		printSymbols(stdout, j)
	}
	if o.showTimes {
		t := j.Times()
		fmt.Fprintf(stderr, "gorc run: load %v, link %v (%d objects), total before run %v\n",
			t.Load.Round(time.Microsecond), t.Link.Round(time.Microsecond), j.Linked(), time.Since(start).Round(time.Microsecond))
		showCacheStats(stderr, j.CacheStats())
		showRoundTrips(stderr, j.EPC)
		if t.LibWait > 0 {
			fmt.Fprintf(stderr, "gorc run: the link waited %v for the shared libraries (and a starting executor)\n", t.LibWait.Round(time.Microsecond))
		}
	}
	return runProgram(ctx, j, o, prog, stdout, stderr)
}

// linkRunInputs adds gorc run's inputs and libraries to j; it returns an
// exit status after reporting an error, or -1 to go on.
func linkRunInputs(ctx context.Context, j *jit.JIT, o *runOptions, libs *libLoader, workerTLS *tls.Config, cache *codecache.Cache, stderr io.Writer) int {
	// However this returns, the shared libraries are loaded (or failed)
	// before, unless the link is to wait for them (dylibsOnly): nothing
	// else uses j meanwhile.
	defer func() {
		if !libs.deferred {
			libs.wait()
		}
	}()
	var parts *irParts
	if o.workers.enabled() && o.lazy {
		fmt.Fprintln(stderr, "gorc run: note: -workers/-worker are not used with -lazy (lazy partitions are compiled here, on first call)")
	}
	if o.workers.enabled() && !o.lazy {
		parts = &irParts{pool: o.workers.open(ctx, "run", workerTLS, stderr), cache: cache, show: o.showTimes, stderr: stderr}
		defer parts.pool.Close()
		for _, in := range o.inputs {
			if strings.HasSuffix(in, ".ll") {
				parts.modules++
			}
		}
	}
	lazyStartHeap(o)
	for _, in := range o.inputs {
		if parts != nil && strings.HasSuffix(in, ".ll") {
			if err := parts.add(ctx, j, in, o.optLevel); err != nil {
				printError(stderr, "gorc run", err)
				return 1
			}
			continue
		}
		if o.lazy {
			lazyInput, err := addLazyRunInput(ctx, j, in, o.optLevel, o.partition)
			if err != nil {
				printError(stderr, "gorc run", err)
				return 1
			}
			if lazyInput {
				continue
			}
		}
		if err := addRunInput(ctx, j, in, o.optLevel); err != nil {
			printError(stderr, "gorc run", err)
			return 1
		}
	}
	if parts != nil {
		// Every IR input is compiled: the workers can go (they exit, and
		// are waited for, before the program runs).
		parts.pool.Close()
	}
	// The shared libraries are loaded beside the inputs (libLoader);
	// archives named by -l are added here, after the inputs, as before.
	// The first failure in the command line's order is the one reported.
	if libs.dylibsOnly() {
		// Nothing to add after them: the link goes on while they load
		// (with a child executor, while it starts: the loads wait for
		// its hello), and waits for them only when it looks names up in
		// the executor process; their error, if any, is reported
		// instead of the link's (libsFirst).
		libs.deferred = true
		j.WaitBeforeProcessSymbols(libs.err)
		return -1
	}
	libs.wait()
	for i, l := range o.libs {
		err := libs.errs[i]
		if !libs.dylib[i] {
			// libNAME.a, found as GNU ld finds it.
			err = j.AddLibrary(ctx, l, o.static)
		}
		if err != nil {
			fmt.Fprintf(stderr, "gorc run: %v\n", err)
			return 1
		}
	}
	return -1
}

// libLoader loads gorc run's shared libraries (-lNAME that is found as,
// or may only be, a shared library, and .so paths) into a JIT on one
// goroutine, in the command line's order, from the JIT's creation on:
// the link needs them only when it looks up its external symbols, so
// the dlopen of libm and its linker script (0.3–0.6 ms) overlap the
// reading of the inputs, or, on a linked-image cache hit, the image's
// decoding and copying. Archives named by -l are not loaded here (their
// order among the inputs matters): linkRunInputs adds them.
type libLoader struct {
	// deferred says the link waits for the loader itself
	// (jit.WaitBeforeProcessSymbols), when it looks names up in the
	// executor process.
	deferred bool
	done     chan struct{}
	dylib    []bool  // per o.libs: loaded by the loader
	errs     []error // per o.libs: the loader's error (after done)
}

// startLibLoader starts loading o's shared libraries into j.
func startLibLoader(ctx context.Context, j *jit.JIT, o *runOptions) *libLoader {
	l := &libLoader{done: make(chan struct{}), dylib: make([]bool, len(o.libs)), errs: make([]error, len(o.libs))}
	n := 0
	for i, name := range o.libs {
		if strings.HasPrefix(name, "-l") {
			if p, err := jit.FindLibrary(name, o.searchDirs, o.static); err == nil && strings.HasSuffix(p, ".a") {
				continue
			}
		}
		l.dylib[i] = true
		n++
	}
	if n == 0 {
		close(l.done)
		return l
	}
	go func() {
		defer close(l.done)
		for i, name := range o.libs {
			if !l.dylib[i] {
				continue
			}
			if strings.HasPrefix(name, "-l") {
				// libNAME.so (or a name only the executor's loader
				// finds), as jit.AddLibrary decides.
				l.errs[i] = j.AddLibrary(ctx, name, o.static)
			} else {
				l.errs[i] = j.LoadDylib(ctx, name)
			}
			if l.errs[i] != nil {
				return // the ones after it are not loaded, as in a loop
			}
		}
	}()
	return l
}

// wait returns once the loader is done.
func (l *libLoader) wait() { <-l.done }

// dylibsOnly says whether every library is loaded by the loader (none is
// an archive to add after the inputs).
func (l *libLoader) dylibsOnly() bool {
	return !slices.Contains(l.dylib, false)
}

// first returns, when the link did not wait for the loader before it
// started (deferred), the loader's error if it failed, else err: a
// library that did not load is the first failure in the command line's
// order, and a link that looked its names up failed because of it. It
// waits for the loader (a link that looked nothing up in the process did
// not).
func (l *libLoader) first(err error) error {
	if !l.deferred {
		return err
	}
	if lerr := l.err(); lerr != nil {
		return lerr
	}
	return err
}

// err waits for the loader and returns its first error.
func (l *libLoader) err() error {
	l.wait()
	for _, err := range l.errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// runProgram runs the linked program prog (gorc run's last step) and
// returns the exit status.
func runProgram(ctx context.Context, j *jit.JIT, o *runOptions, prog epc.Program, stdout, stderr io.Writer) int {
	if o.noexec {
		// In-process, as when the program runs and exits: the process's
		// end releases the slab, the mapped inputs and the session, and
		// nothing is left to run (no initializer ran, so no finalizer
		// does). A child or remote executor is told to go.
		closeUnlessExiting(ctx, j, o.exec)
		return 0
	}
	// What gorc itself printed must be out before the program writes:
	// flush a buffering writer. (Not Sync: an *os.File is unbuffered, and
	// fsync(2) on a regular file waits for the disk.)
	if w, ok := stdout.(interface{ Flush() error }); ok {
		w.Flush()
	}
	// RunProgram ends the process with main's status (exit(3) semantics:
	// atexit handlers, destructors, stdio flushed); it returns only when
	// the program could not be started.
	if o.exec == "local" {
		// A crash in JIT'd code ends this process by the signal: name the
		// JIT'd function first, in the words a child executor's crash gets.
		err := j.OnLocalCrash(func(c *epc.Crash, where string) {
			if where != "" {
				where = ", " + where
			}
			fmt.Fprintf(stderr, "gorc run: program terminated by %v%s\n", c, where)
		})
		if err != nil {
			fmt.Fprintf(stderr, "gorc run: %v\n", err)
			return 1
		}
	}
	if o.lazy {
		lazyRunHeap(false) // the start-up is over: functions compile as called
	}
	runStart := time.Now()
	status, err := j.RunProgram(ctx, prog)
	if o.showTimes {
		// Reached only with a child or remote executor: in-process, the
		// program's exit ends gorc too (time(1) gives the total).
		fmt.Fprintf(stderr, "gorc run: run %v\n", time.Since(runStart).Round(time.Microsecond))
		if o.lazy {
			fmt.Fprintf(stderr, "gorc run: lazy: %d functions compiled (%d speculatively)\n", j.LazyCompiled(), j.LazySpeculated())
		}
	}
	if err != nil {
		// A child or remote executor that died of a signal: name the
		// JIT'd function that faulted (or called abort).
		err = j.ExplainExecutorError(err)
		fmt.Fprintf(stderr, "gorc run: %v\n", err)
		if sig := signalStatus(err.Error()); sig != 0 {
			return sig
		}
		return 1
	}
	if d, ok := j.EPC.(epc.SharedDirectory); processExits && !(ok && d.SharedExecutor()) {
		// The executor reported the status from exit(), after the
		// program's exit handlers and its streams' flush (fcloseall):
		// all that is left is its kernel teardown, and this process's
		// own. Closing the JIT would make a round trip to the dying
		// executor (EH-frame deregistration) and then wait for that
		// teardown, one after the other on a loaded machine; the
		// process's end closes the connection instead. (A shared
		// executor goes on serving others: its memory, EH frames
		// included, is given back by Close.)
		return status
	}
	j.Close(ctx)
	return status
}

// addRunInput adds one input file of gorc run: IR (.ll) compiled at
// optimisation level level, anything else by its content (jit.AddInput).
func addRunInput(ctx context.Context, j *jit.JIT, path string, level int) error {
	if !strings.HasSuffix(path, ".ll") {
		return j.AddInput(path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if jit.IsBinaryInput(data) {
		return j.AddInput(path) // an object or archive named .ll
	}
	return j.AddIR(ctx, path, data, level)
}

// lazyStartHeapPerByte is the heap lazyStartHeap readies per byte of IR
// text: ir.ParseLazy allocates about one byte per byte (the module's
// declarations and where each body starts), and the functions compiled
// on first call until the first collection (lazyRunHeap) up to about 7
// when all are called (kgen's 2,000 functions: 26 MB for 3.7 MB of IR).
// Readied memory never touched costs nothing; memory past it comes in
// 4 KiB pages (at 1, that run had 8,500 page faults; at 8, 2,300).
const lazyStartHeapPerByte = 8

// lazyStartHeap prepares gorc run -lazy's start-up on .ll inputs, which
// allocates a few objects per function of the module (10,000 functions:
// about 16 MB) and keeps them: the collector is off, as in gorc kaleido,
// until the heap reaches a soft limit of 1 GiB (at GOGC=400 it ran during
// the start-up, at 15 MB, for about a sixth of its CPU time; turned back
// on when the program starts, it ran at once, during the first calls),
// and the heap comes in huge pages (prepareHeap: 6,000 page faults fewer
// at 10,000 functions). After the start-up the heap grows only with the
// functions compiled on first call. GOGC or GOMEMLIMIT set: nothing is
// changed.
func lazyStartHeap(o *runOptions) {
	if !o.lazy || os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	size := 0
	for _, in := range o.inputs {
		if st, err := os.Stat(in); err == nil && strings.HasSuffix(in, ".ll") {
			size += int(st.Size())
		}
	}
	if size == 0 {
		return
	}
	debug.SetMemoryLimit(1 << 30)
	debug.SetGCPercent(-1)
	prepareHeap(lazyStartHeapPerByte * size)
}

// addLazyRunInput adds an IR file or a relocatable object for -lazy
// (functions compiled or linked on first call) and reports whether it
// did; anything else (archives, shared libraries) is left to
// addRunInput.
func addLazyRunInput(ctx context.Context, j *jit.JIT, path string, level int, part jit.Partitioning) (bool, error) {
	// Mapped, not read (MapInputs): a large IR file's pages are not
	// copied, and those of bodies never parsed are only scanned.
	data, err := j.ReadInput(path)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", path, err)
	}
	switch {
	case elf.IsELFObject(data):
		return true, j.AddLazyObject(path, data)
	case strings.HasSuffix(path, ".ll") && !jit.IsBinaryInput(data):
		return true, j.AddLazyIR(ctx, path, data, level, part)
	}
	return false, nil
}

// signalStatus maps "executor terminated by signal SIGxxx" (a child or
// remote executor killed by a signal) to the shell's 128+signal status.
func signalStatus(msg string) int {
	const marker = "terminated by signal "
	i := strings.Index(msg, marker)
	if i < 0 {
		return 0
	}
	name := strings.Fields(msg[i+len(marker):])
	if len(name) == 0 {
		return 0
	}
	nums := map[string]int{"SIGINT": 2, "SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6, "SIGBUS": 7, "SIGFPE": 8,
		"SIGKILL": 9, "SIGSEGV": 11, "SIGPIPE": 13, "SIGTERM": 15, "SIGSYS": 31}
	if n, ok := nums[strings.TrimRight(name[0], ",:;)")]; ok {
		return 128 + n
	}
	return 0
}

func printSymbols(w io.Writer, j *jit.JIT) {
	tw := tabwriter.NewWriter(w, 0, 8, 1, ' ', 0)
	fmt.Fprintln(tw, "ADDRESS\tSTATE\tFLAGS\tNAME\tSOURCE")
	for _, s := range j.Symbols() {
		name := s.Name.String()
		if strings.HasPrefix(name, "$.gorc.init.") {
			continue
		}
		fmt.Fprintf(tw, "%#016x\t%v\t%v\t%s\t%s\n", uint64(s.Def.Addr), s.State, s.Def.Flags, name, s.Source)
	}
	tw.Flush()
	_ = os.Stdout
}

// staticTLSSurplus is the static TLS surplus gorc asks glibc for when a
// program's thread-local data does not fit in the default (about 1.6 KB).
const staticTLSSurplus = 1 << 20

// clientTLS builds the mutual-TLS client configuration for -exec
// tls://HOST:PORT (exec) from -tls-cert, -tls-key and -tls-ca (nil when
// none is given; all three are needed together). gorc run and gorc kaleido
// share it.
func clientTLS(exec, cert, key, ca string) (*tls.Config, error) {
	if cert == "" && key == "" && ca == "" {
		if strings.HasPrefix(exec, "tls://") {
			return nil, fmt.Errorf("-exec %s needs -tls-cert, -tls-key and -tls-ca (mutual TLS)", exec)
		}
		return nil, nil
	}
	if cert == "" || key == "" || ca == "" {
		return nil, fmt.Errorf("mutual TLS needs all of -tls-cert, -tls-key and -tls-ca")
	}
	if !strings.HasPrefix(exec, "tls://") {
		return nil, fmt.Errorf("-tls-cert, -tls-key and -tls-ca are for -exec tls://HOST:PORT, not -exec %s", exec)
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, fmt.Errorf("loading %s / %s: %w", cert, key, err)
	}
	pem, err := os.ReadFile(ca)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificates", ca)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: pool, MinVersion: tls.VersionTLS13}, nil
}

// showRoundTrips prints, for -show-times with a child or remote executor,
// the calls (round trips) sent to the executor so far, by operation.
func showRoundTrips(w io.Writer, e epc.ExecutorProcessControl) {
	r, ok := e.(interface{ CallsByOp() map[wire.Op]uint64 })
	if !ok {
		return
	}
	byOp := r.CallsByOp()
	ops := make([]wire.Op, 0, len(byOp))
	var total uint64
	for op, n := range byOp {
		ops = append(ops, op)
		total += n
	}
	slices.Sort(ops)
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = fmt.Sprintf("%v %d", op, byOp[op])
	}
	fmt.Fprintf(w, "gorc run: executor round trips before run %d (%s)\n", total, strings.Join(parts, ", "))
	if h, ok := e.(interface {
		HelloTimes() (in, waited time.Duration)
	}); ok {
		if in, waited := h.HelloTimes(); in > 0 {
			fmt.Fprintf(w, "gorc run: executor's hello in %v after its spawn; calls waited %v for it\n", in.Round(time.Microsecond), waited.Round(time.Microsecond))
		}
	}
}
