package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

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
	fs := flag.NewFlagSet("kaleido", flag.ContinueOnError)
	fs.SetOutput(stderr)
	level := 2
	for n := 0; n <= 2; n++ {
		fs.Var(optLevel{&level, n}, "O"+strconv.Itoa(n), fmt.Sprintf("optimisation level %d (default -O2)", n))
	}
	emit := fs.String("emit", "", "print instead of running: ir (LLVM IR text), asm, obj")
	out := fs.String("o", "", "with -emit: write to this file instead of stdout")
	lazy := fs.Bool("lazy", false, "compile each function on its first call")
	execMode := fs.String("exec", "local", "where code runs: local, child, tcp://HOST:PORT")
	shm := fs.Bool("shm", false, "move code through shared memory")
	showTimes := fs.Bool("show-times", false, "print the time of each phase on stderr")
	showStats := fs.Bool("show-stats", false, "print compilation statistics on stderr")
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
	_, _, _ = lazy, execMode, shm
	switch *emit {
	case "", "ir", "asm", "obj":
	default:
		fmt.Fprintf(stderr, "gorc kaleido: unknown -emit %q (want ir, asm or obj)\n", *emit)
		return 2
	}
	files := fs.Args()
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
	t0 := time.Now()
	m, diags, err := kaleidoscope.Compile(ctx, modName, names, srcs)
	if err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		return 1
	}
	for _, d := range diags {
		fmt.Fprintln(stderr, d)
	}
	t1 := time.Now()
	pm := passes.ForLevel(level)
	if *showStats {
		pm.Stats = map[string]*passes.PassStats{}
	}
	before := countInstrs(m)
	if err := pm.Run(ctx, m); err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		return 1
	}
	t2 := time.Now()
	if err := ir.Verify(m); err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: internal error: optimised IR does not verify: %v\n", err)
		return 1
	}
	if *showTimes {
		fmt.Fprintf(stderr, "parse+irgen: %v\noptimize (-O%d): %v\n", t1.Sub(t0), level, t2.Sub(t1))
	}
	if *showStats {
		nf := 0
		for _, f := range m.Funcs {
			if !f.IsDeclaration() {
				nf++
			}
		}
		fmt.Fprintf(stderr, "functions compiled: %d\nIR instructions: %d before, %d after optimisation\n", nf, before, countInstrs(m))
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
	case "asm", "obj":
		fmt.Fprintf(stderr, "gorc kaleido: -emit %s is not available yet: the x86-64 backend is not wired to the front end; use -emit ir\n", *emit)
		return 2
	}
	fmt.Fprintf(stderr, "gorc kaleido: running Kaleidoscope natively is not available yet (needs the jit package); use -emit ir and run the module with lli-19\n")
	return 2
}

func countInstrs(m *ir.Module) int {
	n := 0
	for _, f := range m.Funcs {
		n += f.NumInstrs()
	}
	return n
}
