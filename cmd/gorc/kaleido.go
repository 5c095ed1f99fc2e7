package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"gorc/backend/amd64"
	"gorc/ir"
	"gorc/ir/passes"
	"gorc/kaleidoscope"
)

// optLevel is a -O0/-O1/-O2 flag: each sets the level; the last one wins.
type optLevel struct {
	level *int
	n     int
}

func (o optLevel) String() string   { return "" }
func (o optLevel) IsBoolFlag() bool { return true }
func (o optLevel) Set(s string) error {
	if b, err := strconv.ParseBool(s); err != nil || !b {
		return fmt.Errorf("use -O%d without a value", o.n)
	}
	*o.level = o.n
	return nil
}

func init() {
	register("kaleido", "compile and run Kaleidoscope (REPL on a terminal, batch otherwise)", runKaleido)
}

func runKaleido(args []string, stdout, stderr io.Writer) int {
	// A compiler allocates many small objects that live for the whole run:
	// the collector mostly wastes time. Collect only when the heap reaches
	// 1 GiB (a soft limit), unless GOGC or GOMEMLIMIT say otherwise.
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(1 << 30))
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
	}
	fs := flag.NewFlagSet("kaleido", flag.ContinueOnError)
	fs.SetOutput(stderr)
	level := 2
	for n := 0; n <= 2; n++ {
		fs.Var(optLevel{&level, n}, "O"+strconv.Itoa(n), fmt.Sprintf("optimisation level %d (default -O2)", n))
	}
	emit := fs.String("emit", "", "print instead of running: ir (LLVM IR text), asm, obj")
	out := fs.String("o", "", "with -emit: write to this file instead of stdout")
	execMode := fs.String("exec", "local", "where code runs: local (this process), child (a spawned executor), tcp://HOST:PORT or tls://HOST:PORT (a running gorc executor -listen)")
	tlsCert := fs.String("tls-cert", "", "client certificate (PEM) for -exec tls://")
	tlsKey := fs.String("tls-key", "", "its private key (PEM)")
	tlsCA := fs.String("tls-ca", "", "CA (PEM) that signed the executor's certificate")
	shm := fs.Bool("shm", false, "move code through shared memory (child, or tcp:// on this machine)")
	showTimes := fs.Bool("show-times", false, "print the time of each phase on stderr")
	showStats := fs.Bool("show-stats", false, "print compilation statistics on stderr")
	lazyFlag := fs.Bool("lazy", false, "compile each function when it is first called (definitions run item by item, as in the REPL; defining a function again replaces it)")
	interactive := fs.Bool("i", false, "interactive: compile and run each item as it is entered, with a ready> prompt (the default when stdin is a terminal and no files are given)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: gorc kaleido [flags] [FILE.k...]\n\nCompiles Kaleidoscope (LLVM tutorial, chapters 2-7). Without files it reads\nstandard input. Errors are printed as FILE:LINE:COL: error: ...\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	tlsCfg, err := clientTLS(*execMode, *tlsCert, *tlsKey, *tlsCA)
	if err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		return 2
	}
	eo := execOptions{mode: *execMode, shm: *shm, tls: tlsCfg}
	switch *emit {
	case "", "ir", "asm", "obj":
	default:
		fmt.Fprintf(stderr, "gorc kaleido: unknown -emit %q (want ir, asm or obj)\n", *emit)
		return 2
	}
	files := fs.Args()
	if len(files) == 0 && *emit == "" && (*interactive || term.IsTerminal(int(os.Stdin.Fd()))) {
		return runREPL(context.Background(), level, eo, *lazyFlag, interactiveInput(stdout), stdout, stderr)
	}
	var names []string
	var srcs [][]byte
	if len(files) == 0 {
		src, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Fprintf(stderr, "gorc kaleido: reading standard input: %v\n", err)
			return 1
		}
		names, srcs = []string{"<stdin>"}, [][]byte{src}
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
			return 1
		}
		names = append(names, f)
		srcs = append(srcs, src)
	}
	modName := "kaleido"
	if len(files) > 0 {
		modName = files[0]
	}
	ctx := context.Background()
	if *lazyFlag && *emit == "" {
		return runLazyKaleido(ctx, level, eo, modName, names, srcs, len(files) == 0, *showStats, stdout, stderr)
	}
	// Connecting to the executor (spawning a child, dialling a TCP one)
	// overlaps with compilation.
	var opened chan jitOrErr
	if *emit == "" {
		opened = make(chan jitOrErr, 1)
		go func() {
			j, err := openJIT(ctx, eo, len(files) == 0, stdout, stderr)
			opened <- jitOrErr{j, err}
		}()
		defer func() {
			if opened != nil { // not taken: close what was opened
				if r := <-opened; r.j != nil {
					r.j.Close(ctx)
				}
			}
		}()
	}
	pm := passes.ForLevel(level)
	if *showStats {
		pm.Stats = map[string]*passes.PassStats{}
	}
	// The front end runs on this goroutine; each function it completes is
	// optimised and (unless the IR is all we print) compiled to machine
	// code on a second one, side by side (kaleidoscope.CompilePipeline).
	var stream *amd64.Stream
	var each func(*ir.Module, *ir.Function) error
	srcBytes := 0
	for _, src := range srcs {
		srcBytes += len(src)
	}
	if *emit != "ir" {
		each = func(m *ir.Module, f *ir.Function) error {
			if stream == nil {
				var err error
				// About 1.6 bytes of code per byte of source: room for 2.
				if stream, err = amd64.NewStream(ctx, m, amd64.Options{SourceName: modName, SizeHint: 2 * srcBytes}); err != nil {
					return err
				}
			}
			err := stream.Add(f)
			// The IR is not needed once compiled; dropping it keeps the
			// heap small (see the GC setting above).
			f.Blocks = nil
			return err
		}
	}
	m, diags, ps, err := kaleidoscope.CompilePipeline(ctx, modName, names, srcs, pm, each)
	for _, d := range diags {
		fmt.Fprintln(stderr, d)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		return 1
	}
	if *showTimes {
		fmt.Fprintf(stderr, "parse+irgen: %v\n", ps.Front)
		fmt.Fprintf(stderr, "optimize (-O%d): %v busy, beside parse+irgen\n", level, ps.Optimize)
		if each != nil {
			fmt.Fprintf(stderr, "codegen: %v busy, beside parse+irgen\n", ps.Each)
		}
		fmt.Fprintf(stderr, "compile total (wall): %v\n", ps.Total)
	}
	if *showStats {
		fmt.Fprintf(stderr, "functions compiled: %d\nIR instructions: %d before, %d after optimisation\n", ps.Functions, ps.InstrsBefore, ps.InstrsAfter)
		for _, p := range pm.Passes {
			if s := pm.Stats[p.Name]; s != nil {
				fmt.Fprintf(stderr, "  %-12s runs %d changed %d time %v\n", p.Name, s.Runs, s.Changed, s.Time)
				pm.Stats[p.Name] = nil
			}
		}
	}
	status := 0
	if len(diags) > 0 {
		status = 1
	}
	switch *emit {
	case "ir":
		w := stdout
		if *out != "" {
			fh, err := os.Create(*out)
			if err != nil {
				fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
				return 1
			}
			defer fh.Close()
			w = fh
		}
		if _, err := m.WriteTo(w); err != nil {
			fmt.Fprintf(stderr, "gorc kaleido: writing IR: %v\n", err)
			return 1
		}
		return status
	}
	t3 := time.Now()
	if stream == nil { // nothing was defined at all
		if stream, err = amd64.NewStream(ctx, m, amd64.Options{SourceName: modName}); err != nil {
			fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
			return 1
		}
	}
	res, err := stream.Finish()
	if err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		return 1
	}
	t4 := time.Now()
	if *showTimes {
		fmt.Fprintf(stderr, "object: %v\n", t4.Sub(t3))
	}
	if *showStats {
		fmt.Fprintf(stderr, "machine instructions: %d\ncode bytes: %d\nspills: %d\n", res.Stats.Instructions, res.Stats.CodeBytes, res.Stats.Spills)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(stderr, "compiler heap: %.1f MB allocated (%d objects)\n", float64(ms.TotalAlloc)/1e6, ms.Mallocs)
	}
	switch *emit {
	case "obj", "asm":
		data := res.Object
		if *emit == "asm" {
			text, err := amd64.Listing(res.Object, amd64.SyntaxATT)
			if err != nil {
				fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
				return 1
			}
			data = []byte(text)
		}
		path := *out
		if path == "" && *emit == "obj" {
			path = strings.TrimSuffix(filepath.Base(modName), filepath.Ext(modName)) + ".o"
		}
		if path == "" {
			if _, err := stdout.Write(data); err != nil {
				fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
				return 1
			}
			return status
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
			return 1
		}
		return status
	}
	r := <-opened
	opened = nil
	j, err := r.j, r.err
	if err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		return 2
	}
	defer j.Close(ctx)
	if err := j.AddObject(modName+".o", res.Object); err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		return 1
	}
	if err := j.LoadDylib(ctx, "-lm"); err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		return 1
	}
	if err := j.LinkAll(ctx); err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		return 1
	}
	addr, err := j.Lookup(ctx, "main")
	if err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		return 1
	}
	t5 := time.Now()
	if *showTimes {
		fmt.Fprintf(stderr, "link: %v\n", t5.Sub(t4))
	}
	code, err := runEntry(ctx, j, addr, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: running %s: %v\n", modName, err)
		return executorFailureStatus(j, err)
	}
	if *showTimes {
		fmt.Fprintf(stderr, "run: %v\n", time.Since(t5))
	}
	if status == 0 {
		status = code
	}
	return status
}
