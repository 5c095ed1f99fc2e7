package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/target"
)

func init() {
	register("kaleido", "compile and run Kaleidoscope (REPL on a terminal, batch otherwise)", runKaleido)
}

// kaleidoOptions is what the flags of gorc kaleido ask for.
type kaleidoOptions struct {
	level       int
	emit        string // "", "ir", "asm" or "obj"
	out         string // -o
	exec        execOptions
	showTimes   bool
	showStats   bool
	verify      bool // -verify: check the optimised IR of every function (kaleidoscope.PipelineOptions)
	interactive bool
	lazy        bool // -lazy: definitions compiled on first call
	speculate   bool // -speculate: with -lazy, callees compiled ahead in the background
	// target is what batch compilation compiles for (batchTarget).
	target *target.Target
	cache  cacheFlags // -cache DIR, -no-cache (cache.go)
	// workers: -workers N, -worker ADDR (worker.go); workerTLS is the
	// client TLS of tls:// workers.
	workers   workerFlags
	workerTLS *tls.Config
	// heapPrepared is what prepareHeap allocated before the batch
	// compile (left out of -show-stats' heap figure).
	heapPrepared int
	// graph: the compiled object is linked from the backend's graph
	// (target.Options.GraphName) instead of written and parsed again;
	// noObject: and its ELF bytes are not needed (no cache, no -emit).
	graph, noObject bool
}

// eagerHeapPerByte is the heap an eager batch compile readies per byte
// of source (prepareHeap): it allocated about 42 when this was set, 25
// in session 24 (kgen's 500-4,000 functions); only what it uses is
// faulted in.
const eagerHeapPerByte = 48

// eagerPopulatePerByte is how much of that heap, per byte of source, is
// faulted in ahead of the compile on the spare core (populateAhead):
// about what the compile uses (kgen's programs: 24 per byte, -show-stats'
// compiler heap), so that few pages are zeroed for nothing; at most
// maxEagerPopulate in all (a program that fails early, or a very large
// one, does not commit memory it may never use).
const (
	eagerPopulatePerByte = 26
	maxEagerPopulate     = 64 << 20
)

func runKaleido(args []string, stdout, stderr io.Writer) int {
	// A compiler allocates many small objects that live for the whole run:
	// the collector mostly wastes time. Collect only when the heap reaches
	// 1 GiB (a soft limit), unless GOGC or GOMEMLIMIT say otherwise.
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(1 << 30))
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
	}
	o, files, status := parseKaleidoFlags(args, stdout, stderr)
	if status >= 0 {
		return status
	}
	if len(files) == 0 && o.emit == "" && (o.interactive || term.IsTerminal(int(os.Stdin.Fd()))) {
		// An open-ended session, eager or lazy: no start-up to speed up,
		// and a heap that must not only grow.
		lazyRunHeap(false)
		return runREPL(context.Background(), o.level, o.exec, o.lazy, o.speculate, interactiveInput(stdout), stdout, stderr)
	}
	// A run the linked-image cache may serve reads the sources only if it
	// misses: a hit needs their digests (kaleidoImageKey), remembered
	// for large files.
	var names []string
	var srcs [][]byte
	var err error
	// -lazy readies its start-up heap (runLazyKaleido) before the files
	// are read, so that they are read into it: a 2.6 MB source read into
	// fresh memory was 640 page faults of its own. The collection that
	// readies it runs while they are read, into a buffer beside it
	// (prepareHeapBeside).
	heapReady := false
	var srcBuf []byte
	heapWait := func() {}
	// An eager compile that no cache can serve (-no-cache) does the
	// same, and waits for the collection only when it starts compiling
	// (eagerHeap): the collection overlaps the read and the set-up
	// below, the opening of the executor on its goroutine included.
	eagerHeap := 0
	if o.lazy && o.emit == "" && len(files) > 0 {
		size := filesSize(files)
		srcBuf, heapWait = prepareHeapBeside(lazyHeapPerByte*size, size, 0)
		heapReady = true
	} else if !o.lazy && o.cache.off && len(files) > 0 && !o.workers.enabled() {
		size := filesSize(files)
		if srcBuf, heapWait = prepareHeapBeside(eagerHeapPerByte*size, size, min(eagerPopulatePerByte*size, maxEagerPopulate)); srcBuf != nil {
			eagerHeap = eagerHeapPerByte * size
		}
	}
	if !kaleidoImageCandidate(o, files) {
		if names, srcs, err = readKaleidoSourcesInto(files, srcBuf); err != nil {
			heapWait()
			return kaleidoFailed(stderr, err)
		}
	}
	if eagerHeap == 0 {
		heapWait()
	}
	modName := "kaleido"
	if len(files) > 0 {
		modName = files[0]
	}
	if o.target, err = batchTarget(); err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		return 2
	}
	ctx := context.Background()
	if o.workers.enabled() && (o.lazy || o.emit != "") {
		fmt.Fprintln(stderr, "gorc kaleido: note: -workers/-worker are not used with -lazy or -emit (compiled here)")
	}
	if o.lazy && o.emit == "" && (o.exec.publish != "" || len(o.exec.linkShared) > 0) {
		// Lazy Kaleidoscope defines its functions item by item in dylibs
		// of its own, which neither publish nor search the shared
		// directory (gorc run -lazy on objects does).
		fmt.Fprintln(stderr, "gorc kaleido: -lazy cannot be combined with -publish or -link-shared (run without -lazy, or use gorc run -lazy on objects; docs/SHARING.md)")
		return 2
	}
	if o.lazy && o.emit == "" {
		var times *lazyTimes
		if o.showTimes {
			times = &lazyTimes{w: stderr}
		}
		return runLazyKaleidoTimed(ctx, o.level, o.exec, names, srcs, heapReady, o.speculate, o.showStats, times, stdout, stderr)
	}
	// Connecting to the executor (spawning a child, dialling a TCP one)
	// overlaps with compilation.
	var opened chan jitOrErr
	if o.emit == "" {
		opened = make(chan jitOrErr, 1)
		ch := opened // (linkOpened sets opened to nil once it has taken it)
		go func() {
			ch <- openJITWithLibm(ctx, o.exec, len(files) == 0, stdout, stderr)
		}()
		defer func() {
			if opened != nil { // not taken: close what was opened
				if r := <-opened; r.j != nil {
					r.j.Close(ctx)
				}
			}
		}()
	}
	cc, err := o.cache.open()
	if err != nil {
		fmt.Fprintln(stderr, usagef("kaleido", "%v", err))
		return 2
	}
	// A program linked before from the same sources is replayed
	// (kaleidocache.go); where that is not used, an object compiled
	// before is linked as is.
	img := openKaleidoImage(o, cc, modName, files, srcs, stderr)
	if img != nil {
		if code, done := img.replayKaleido(ctx, &opened, len(files) == 0, modName, o, stdout, stderr); done {
			return code
		}
	}
	if srcs == nil {
		if names, srcs, err = readKaleidoSources(files); err != nil {
			return kaleidoFailed(stderr, err)
		}
	}
	var cached *cachedObject
	if img == nil {
		cached = kaleidoCache(o, cc, modName, names, srcs)
	}
	if obj := cached.get(o.showTimes, stderr); obj != nil {
		code, _ := linkOpened(ctx, &opened, [][]byte{obj}, nil, modName, o, nil, time.Now(), stdout, stderr)
		return code
	}
	if o.workers.enabled() && o.emit == "" {
		return runKaleidoWorkers(ctx, o, modName, names, srcs, &opened, stdout, stderr)
	}
	// Not in the cache: compile. That allocates about 42 bytes of heap
	// per byte of source (measured at 500-4,000 generated functions),
	// with the collector off all of it fresh memory: let it come in huge
	// pages.
	if eagerHeap > 0 {
		heapWait()
		o.heapPrepared = eagerHeap
	} else {
		size := 0
		for _, s := range srcs {
			size += len(s)
		}
		o.heapPrepared = prepareHeap(eagerHeapPerByte * size)
	}
	o.graph = o.emit == ""
	o.noObject = o.graph && cached == nil
	m, stream, diags, err := compileKaleido(ctx, o, modName, names, srcs, stderr)
	if err != nil {
		return kaleidoFailed(stderr, err)
	}
	status = 0
	if len(diags) > 0 {
		status = 1
	}
	if o.emit == "ir" {
		if err := writeKaleidoIR(m, o.out, stdout); err != nil {
			return kaleidoFailed(stderr, err)
		}
		return status
	}
	res, err := finishKaleidoObject(ctx, m, stream, modName, o, stderr)
	if err != nil {
		return kaleidoFailed(stderr, err)
	}
	if status == 0 { // sources with errors are compiled again, to report them
		cached.put(res.Object, o.showTimes, stderr)
	} else {
		img = nil
	}
	linkStart := time.Now()
	if o.emit != "" {
		if err := writeKaleidoObject(res.Object, o, modName, stdout); err != nil {
			return kaleidoFailed(stderr, err)
		}
		return status
	}
	code, ok := linkOpened(ctx, &opened, nil, res.Graph, modName, o, img, linkStart, stdout, stderr)
	if status == 0 || !ok {
		status = code
	}
	return status
}

// linkOpened takes the executor opened in the background (setting
// *opened to nil) and links and runs objs (the program's objects) in it; it returns main's exit
// status, or 1 or more after reporting an error; ok is false when the
// executor could not be used at all (status 2).
func linkOpened(ctx context.Context, opened *chan jitOrErr, objs [][]byte, graph *jitlink.LinkGraph, modName string, o kaleidoOptions, img *runImage, linkStart time.Time, stdout, stderr io.Writer) (code int, ok bool) {
	r := <-*opened
	*opened = nil
	if r.err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", r.err)
		return 2, false
	}
	// In this process and about to exit, the session is left to the
	// kernel (closeUnlessExiting).
	defer closeUnlessExiting(ctx, r.j, o.exec.mode)
	if r.j.Target != o.target {
		fmt.Fprintf(stderr, "gorc kaleido: the program was compiled for %s but the executor runs %s\n", o.target.Triple, r.j.Target.Triple)
		return 2, false
	}
	if r.libmErr != nil {
		return kaleidoFailed(stderr, r.libmErr), true
	}
	return linkAndRunKaleido(ctx, r.j, objs, graph, modName, img, !r.libmLoaded, o.showTimes, linkStart, stdout, stderr), true
}

// kaleidoFailed reports err and returns exit status 1.
func kaleidoFailed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
	return 1
}

// kaleidoUsage introduces gorc kaleido's flags in its help.
const kaleidoUsage = `usage: gorc kaleido [flags] [FILE.k...]

Compiles Kaleidoscope (LLVM tutorial, chapters 2-7) and runs it: a REPL
with a ready> prompt when standard input is a terminal and no files are
given, otherwise the files (or standard input) in batch. Each top-level
expression prints "Evaluated to VALUE". Errors are printed as
FILE:LINE:COL: error: ... and processing continues; the batch exit status
is 1 if any error occurred.

Flags:
`

// parseKaleidoFlags parses the command line of gorc kaleido (see
// cmdLine for the syntax). A status of 0 or more means stop with that exit
// status (after -help, or a usage error it has reported); -1 means go on.
func parseKaleidoFlags(args []string, stdout, stderr io.Writer) (o kaleidoOptions, files []string, status int) {
	fs := newFlagSet("kaleido")
	o.level = 2
	fs.Var(optLevel{&o.level}, "O", "optimisation `level`: 0, 1 or 2 (also written -O0, -O1, -O2)")
	fs.Var(oneOf{&o.emit, []string{"ir", "asm", "obj"}}, "emit", "print instead of running: `ir|asm|obj` (LLVM IR text, an assembly listing, an ELF object)")
	fs.StringVar(&o.out, "o", "", "with -emit: write to this `file` instead of stdout")
	execMode := fs.String("exec", "", "where code runs: local (this process), child (a spawned executor), tcp://HOST:PORT or tls://HOST:PORT (a running gorc executor -listen); default local, and child in the REPL (so that Ctrl-C can stop running code)")
	tlsCert := fs.String("tls-cert", "", "client certificate (PEM) for -exec tls://")
	tlsKey := fs.String("tls-key", "", "its private key (PEM)")
	tlsCA := fs.String("tls-ca", "", "CA (PEM) that signed the executor's certificate")
	shm := fs.Bool("shm", false, "move code through shared memory (child, or tcp:// on this machine)")
	perfSupport := fs.Bool("perf-support", false, "let perf name JIT'd functions: write them to /tmp/perf-PID.map (PID of the process running the code) and to a jitdump file for perf inject --jit")
	fs.BoolVar(&o.showTimes, "show-times", false, "print the time of each phase on stderr")
	fs.BoolVar(&o.showStats, "show-stats", false, "print compilation statistics on stderr")
	fs.BoolVar(&o.verify, "verify", false, "check the optimised IR of every function with the IR verifier before code generation (off by default: the front end's output is trusted, as clang trusts its own)")
	fs.BoolVar(&o.lazy, "lazy", false, "compile each function when it is first called (definitions run item by item, as in the REPL; defining a function again replaces it)")
	fs.BoolVar(&o.speculate, "speculate", false, "with -lazy: compile the functions a compiled function calls ahead of their first call, in batches in the background")
	o.cache.register(fs)
	o.workers.register(fs)
	publish := fs.String("publish", "", "with a shared executor: publish the program's functions under `NAME` for other controllers (docs/SHARING.md)")
	var linkShared []string
	fs.Var(funcValue(func(v string) error {
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n == "" {
				return fmt.Errorf("empty shared dylib name in %q", v)
			}
			linkShared = append(linkShared, n)
		}
		return nil
	}), "link-shared", "with a shared executor: link against the functions another controller published as `NAME` (repeatable)")
	sharedTimeout := fs.Duration("shared-timeout", 0, "bound on each wait for other controllers of a shared executor (0: 30s)")
	fs.BoolVar(&o.interactive, "i", false, "interactive: compile and run each item as it is entered, with a ready> prompt (the default when stdin is a terminal and no files are given)")
	c := cmdLine{cmd: "kaleido", fs: fs, glued: []string{"O"}}
	files, rest, status := c.parseCommandLine(args, stdout, stderr, func(w io.Writer) {
		fmt.Fprint(w, kaleidoUsage)
		printFlags(w, fs)
	})
	if status >= 0 {
		return o, nil, status
	}
	if o.speculate && !o.lazy {
		fmt.Fprintln(stderr, "gorc kaleido: -speculate needs -lazy")
		return o, nil, 2
	}
	files = append(files, rest...) // after --, names that start with -
	tlsCfg, workerTLS, err := execAndWorkerTLS(*execMode, o.workers, *tlsCert, *tlsKey, *tlsCA)
	if err != nil {
		fmt.Fprintln(stderr, usagef("kaleido", "%v", err))
		return o, nil, 2
	}
	o.workerTLS = workerTLS
	o.exec = execOptions{mode: *execMode, shm: *shm, tls: tlsCfg, perf: *perfSupport, publish: *publish, linkShared: linkShared, sharedTimeout: *sharedTimeout}
	if o.emit == "" {
		warnClearText(stderr, "gorc kaleido", o.exec.mode)
	}
	return o, files, -1
}

// readKaleidoSources reads the named files, or standard input (named
// "<stdin>") when there are none.
// filesSize is the total size of the files (those that can be stat'ed:
// reading reports the others).
func filesSize(files []string) int {
	n := 0
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
			n += int(st.Size())
		}
	}
	return n
}

func readKaleidoSources(files []string) (names []string, srcs [][]byte, err error) {
	return readKaleidoSourcesInto(files, nil)
}

// readKaleidoSourcesInto is readKaleidoSources reading the files, in
// order, into consecutive parts of buf while they fit (buf is sized for
// them when they were looked at: a file that has grown since, and those
// after it, are read into memory of their own).
func readKaleidoSourcesInto(files []string, buf []byte) (names []string, srcs [][]byte, err error) {
	if len(files) == 0 {
		src, err := io.ReadAll(os.Stdin)
		if err != nil {
			return nil, nil, fmt.Errorf("reading standard input: %w", err)
		}
		return []string{"<stdin>"}, [][]byte{src}, nil
	}
	for _, f := range files {
		var src []byte
		if len(buf) > 0 {
			var ok bool
			src, ok, err = readFileInto(f, buf)
			if ok {
				buf = buf[len(src):]
			} else {
				buf = nil
			}
		}
		if src == nil && err == nil {
			src, err = os.ReadFile(f)
		}
		if err != nil {
			return nil, nil, err // names the file
		}
		names = append(names, f)
		srcs = append(srcs, src)
	}
	return names, srcs, nil
}

// readFileInto reads file f into the start of buf and returns that part
// (its capacity ending with it) with ok set, when all of f fits; when it
// does not (ok false), src is nil and err nil, and the file is to be read
// otherwise. Errors name the file, as os.ReadFile's do.
func readFileInto(f string, buf []byte) (src []byte, ok bool, err error) {
	fd, err := os.Open(f)
	if err != nil {
		return nil, false, err
	}
	defer fd.Close()
	n := 0
	for {
		if n == len(buf) {
			// Full: the file may have more (grown since it was sized).
			var one [1]byte
			m, err := fd.Read(one[:])
			if m > 0 {
				return nil, false, nil
			}
			if err == io.EOF {
				return buf[:n:n], true, nil
			}
			return nil, false, err
		}
		m, err := fd.Read(buf[n:])
		n += m
		if err == io.EOF {
			return buf[:n:n], true, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
}

// compileKaleido compiles the sources to one IR module, printing the
// diagnostics (and with -show-times/-show-stats the front end's and
// optimiser's figures) on stderr. The front end runs on this goroutine;
// each function it completes is optimised and (unless the IR is all that
// is printed) compiled to machine code into stream on a second one, side
// by side (kaleidoscope.CompilePipeline). stream stays nil when no
// function was compiled.
func compileKaleido(ctx context.Context, o kaleidoOptions, modName string, names []string, srcs [][]byte, stderr io.Writer) (m *ir.Module, stream target.Stream, diags []*kaleidoscope.Diagnostic, err error) {
	pm := kaleidoscope.Passes(o.level)
	if o.showStats {
		pm.Stats = map[string]*passes.PassStats{}
	}
	var each func(*ir.Module, *ir.Function) error
	srcBytes := 0
	for _, src := range srcs {
		srcBytes += len(src)
	}
	if o.emit != "ir" {
		each = func(m *ir.Module, f *ir.Function) error {
			if f == nil {
				// The program redefines functions and is compiled again
				// (kaleidoscope.CompilePipeline): start a new object.
				stream = nil
				return nil
			}
			if stream == nil {
				var err error
				// About 1.6 bytes of code per byte of source: room for 2.
				if stream, err = o.target.Backend.NewStream(ctx, m, target.Options{SourceName: modName, SizeHint: 2 * srcBytes, GraphName: graphName(o, modName), NoObject: o.noObject}); err != nil {
					return err
				}
			}
			err := stream.Add(f)
			// The IR is not needed once compiled; dropping it keeps the
			// heap small (see the GC setting in runKaleido).
			f.Blocks = nil
			return err
		}
	}
	// The optimised IR is the front end's and the passes' own output,
	// verified in their tests; checking it again costs 5-8% of a batch
	// compile, so only -verify asks for it (kaleidoscope.PipelineOptions).
	m, diags, ps, err := kaleidoscope.CompilePipelineWith(ctx, modName, names, srcs, pm, each, kaleidoscope.PipelineOptions{NoVerify: !o.verify, StageCPU: o.showTimes})
	for _, d := range diags {
		fmt.Fprintln(stderr, d)
	}
	if err != nil {
		return nil, nil, diags, err
	}
	if o.showTimes {
		fmt.Fprintf(stderr, "parse+irgen: %v\n", ps.Front)
		if each != nil {
			fmt.Fprintf(stderr, "optimize (-O%d): %v busy, after parse+irgen of each function\n", o.level, ps.Optimize)
			fmt.Fprintf(stderr, "codegen: %v busy, beside parse+irgen and optimize\n", ps.Each)
		} else {
			fmt.Fprintf(stderr, "optimize (-O%d): %v busy, beside parse+irgen\n", o.level, ps.Optimize)
		}
		fmt.Fprintf(stderr, "compile total (wall): %v\n", ps.Total)
		if ps.FrontCPU > 0 {
			// Each stage's thread CPU: on two cores the longer stage
			// bounds the compile's wall time.
			second := "codegen"
			if each == nil {
				second = "optimize"
			}
			fmt.Fprintf(stderr, "stage CPU: front end %v, %s %v (its wall %v); page faults %d, %d\n", ps.FrontCPU, second, ps.SecondCPU, ps.SecondWall, ps.FrontFaults, ps.SecondFaults)
		}
	}
	if o.showStats {
		fmt.Fprintf(stderr, "functions compiled: %d\nIR instructions: %d before, %d after optimisation\n", ps.Functions, ps.InstrsBefore, ps.InstrsAfter)
		for _, p := range pm.Passes {
			if s := pm.Stats[p.Name]; s != nil {
				fmt.Fprintf(stderr, "  %-12s runs %d changed %d time %v", p.Name, s.Runs, s.Changed, s.Time)
				if s.Skipped > 0 {
					// Runs left out: the function was already settled.
					fmt.Fprintf(stderr, " (skipped %d: nothing changed since)", s.Skipped)
				}
				fmt.Fprintln(stderr)
				pm.Stats[p.Name] = nil
			}
		}
	}
	return m, stream, diags, nil
}

// writeKaleidoIR prints m's IR text to the file out, or to stdout.
func writeKaleidoIR(m *ir.Module, out string, stdout io.Writer) error {
	w := stdout
	if out != "" {
		fh, err := os.Create(out)
		if err != nil {
			return err
		}
		defer fh.Close()
		w = fh
	}
	if _, err := m.WriteTo(w); err != nil {
		return fmt.Errorf("writing IR: %w", err)
	}
	return nil
}

// graphName is the name of the graph the backend hands over when the
// object is linked from it (o.graph), or "".
func graphName(o kaleidoOptions, modName string) string {
	if !o.graph {
		return ""
	}
	return modName + ".o"
}

// finishKaleidoObject completes the relocatable object of m from stream
// (starting an empty one when nothing was defined at all) and prints the
// backend's figures with -show-times/-show-stats.
func finishKaleidoObject(ctx context.Context, m *ir.Module, stream target.Stream, modName string, o kaleidoOptions, stderr io.Writer) (*target.Result, error) {
	start := time.Now()
	if stream == nil { // nothing was defined at all
		var err error
		if stream, err = o.target.Backend.NewStream(ctx, m, target.Options{SourceName: modName, GraphName: graphName(o, modName), NoObject: o.noObject}); err != nil {
			return nil, err
		}
	}
	res, err := stream.Finish()
	if err != nil {
		return nil, err
	}
	if o.showTimes {
		fmt.Fprintf(stderr, "object: %v\n", time.Since(start))
	}
	if o.showStats {
		fmt.Fprintf(stderr, "machine instructions: %d\ncode bytes: %d\nspills: %d\n", res.Stats.Instructions, res.Stats.CodeBytes, res.Stats.Spills)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		// Not counting the memory prepareHeap allocated (and freed) for
		// the compile's objects to be carved from.
		fmt.Fprintf(stderr, "compiler heap: %.1f MB allocated (%d objects)\n", float64(ms.TotalAlloc-uint64(o.heapPrepared))/1e6, ms.Mallocs)
	}
	return res, nil
}

// writeKaleidoObject writes the object (-emit obj) or its listing (-emit
// asm) to the -o file; without -o, the listing goes to stdout and the
// object to MODULE.o in the current directory.
func writeKaleidoObject(obj []byte, o kaleidoOptions, modName string, stdout io.Writer) error {
	data := obj
	if o.emit == "asm" {
		text, err := o.target.Backend.Listing(obj, false)
		if err != nil {
			return err
		}
		data = []byte(text)
	}
	path := o.out
	if path == "" && o.emit == "obj" {
		path = strings.TrimSuffix(filepath.Base(modName), filepath.Ext(modName)) + ".o"
	}
	if path == "" {
		_, err := stdout.Write(data)
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// linkAndRunKaleido links the objects (one, or the parts compiled by
// workers) or the graph in j with libm, runs its main and returns the exit
// status: main's, or 1 (2 or more if the executor failed) after reporting
// an error (with loadLibm, libm is loaded first; without, it was loaded
// when j was opened). With showTimes it prints the link time, counted from
// linkStart, and the run time. With img, the link is recorded and stored
// as the program's linked image (before main runs in this process, while
// it runs in a child or remote executor).
func linkAndRunKaleido(ctx context.Context, j *jit.JIT, objs [][]byte, graph *jitlink.LinkGraph, modName string, img *runImage, loadLibm, showTimes bool, linkStart time.Time, stdout, stderr io.Writer) int {
	if img != nil {
		img.record(j, "main")
	}
	if graph != nil {
		if err := j.AddGraph(graph); err != nil {
			return kaleidoFailed(stderr, err)
		}
	}
	for i, obj := range objs {
		name := modName + ".o"
		if len(objs) > 1 {
			name = fmt.Sprintf("%s#%d.o", modName, i+1)
		}
		if err := j.AddObject(name, obj); err != nil {
			return kaleidoFailed(stderr, err)
		}
	}
	if loadLibm {
		if err := j.LoadDylib(ctx, "-lm"); err != nil {
			return kaleidoFailed(stderr, err)
		}
	}
	if err := j.LinkAll(ctx); err != nil {
		return kaleidoFailed(stderr, err)
	}
	addr, err := j.Lookup(ctx, "main")
	if err != nil {
		return kaleidoFailed(stderr, err)
	}
	if img != nil {
		// The image holds copies of the linked content. A child or
		// remote executor runs main while this process writes it; in
		// this process main may end the process itself (exit is
		// declared as easily as any C function): write it first.
		defer img.store(epc.Program{Main: addr}, img.async)()
	}
	return runKaleidoMain(ctx, j, addr, modName, showTimes, linkStart, stdout, stderr)
}

// runKaleidoMain runs the linked program's main at addr (see
// linkAndRunKaleido).
func runKaleidoMain(ctx context.Context, j *jit.JIT, addr shared.ExecutorAddr, modName string, showTimes bool, linkStart time.Time, stdout, stderr io.Writer) int {
	runStart := time.Now()
	if showTimes {
		fmt.Fprintf(stderr, "link: %v\n", runStart.Sub(linkStart))
	}
	code, err := runEntry(ctx, j, addr, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: running %s: %v\n", modName, err)
		return executorFailureStatus(j, err)
	}
	if showTimes {
		fmt.Fprintf(stderr, "run: %v\n", time.Since(runStart))
	}
	return code
}

// batchTarget is the target a batch compilation uses, chosen before the
// executor is connected (the two overlap): the host's, or x86-64 Linux,
// gorc's one target, when the host is not a target (a controller driving
// an executor on another machine). The executor's own target is checked
// against it once connected.
func batchTarget() (*target.Target, error) {
	if t, err := target.Host(); err == nil {
		return t, nil
	}
	return target.Lookup("x86_64-unknown-linux-gnu")
}
