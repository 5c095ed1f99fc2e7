package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/gorc-jit/gorc/jit"
)

// runCmdLine defines gorc run's flags on a FlagSet, storing into o, and
// returns its command line (see cmdLine for the syntax). Inputs keep
// their order; shared libraries (.so, -lNAME) go to o.libs, everything
// else to o.inputs. A flag added here must also be described in runUsage
// (TestRunUsageListsEveryFlag checks it).
func runCmdLine(o *runOptions) *cmdLine {
	fs := newFlagSet("run")
	fs.StringVar(&o.entry, "entry", "main", "call SYM instead of main")
	fs.BoolVar(&o.noexec, "noexec", false, "link everything, then exit without running")
	fs.Var(optLevel{&o.optLevel}, "O", "optimisation level for .ll inputs: 0, 1 or 2")
	fs.BoolVar(&o.static, "static", false, "-lNAME finds only static archives (libNAME.a)")
	fs.BoolVar(&o.lazy, "lazy", false, "compile IR functions and link function-only objects on first call")
	fs.Var(funcValue(func(v string) error {
		p, err := jit.ParsePartitioning(v)
		o.lazy, o.partition = true, p
		return err
	}), "lazy-partition", "what one lazy compile covers: function, callees or module (implies -lazy)")
	fs.Var(boolFunc(func() { o.lazy, o.partition = true, jit.PartitionModule }), "per-module-lazy", "-lazy with -lazy-partition module")
	fs.BoolVar(&o.speculate, "speculate", false, "with -lazy (one function per partition): compile the functions a compiled function calls ahead of their first call, in batches in the background")
	fs.BoolVar(&o.showTimes, "show-times", false, "print load and link times on stderr")
	fs.BoolVar(&o.showSymbols, "show-symbols", false, "print the linked symbol table on stdout")
	fs.StringVar(&o.exec, "exec", "local", "where code runs: local, child, tcp://HOST:PORT, tls://HOST:PORT")
	fs.BoolVar(&o.shm, "shm", false, "move code through shared memory")
	fs.BoolVar(&o.perfSupport, "perf-support", false, "let perf name JIT'd functions (perf map and jitdump)")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "client certificate (PEM) for -exec tls://")
	fs.StringVar(&o.tlsKey, "tls-key", "", "its private key (PEM)")
	fs.StringVar(&o.tlsCA, "tls-ca", "", "CA (PEM) that signed the executor's certificate")
	fs.StringVar(&o.publish, "publish", "", "publish the inputs' symbols under NAME in a shared executor")
	fs.Var(funcValue(func(v string) error {
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n == "" {
				return fmt.Errorf("empty shared dylib name in %q", v)
			}
			o.linkShared = append(o.linkShared, strings.TrimSpace(n))
		}
		return nil
	}), "link-shared", "link against the dylib published as NAME in a shared executor (repeatable)")
	fs.DurationVar(&o.sharedTimeout, "shared-timeout", 0, "bound on each wait for other controllers of a shared executor (0: 30s)")
	o.cache.register(fs)
	o.workers.register(fs)
	fs.Var((*stringList)(&o.searchDirs), "L", "add a library search directory")
	fs.Var(funcValue(func(name string) error {
		o.libs = append(o.libs, "-l"+name)
		return nil
	}), "l", "link libNAME.so or libNAME.a")
	return &cmdLine{cmd: "run", fs: fs, glued: []string{"l", "L", "O"}, stop: []string{"args"},
		input: func(a string) error {
			if isSharedLib(a) {
				o.libs = append(o.libs, a)
			} else {
				o.inputs = append(o.inputs, a)
			}
			return nil
		}}
}

// parseRunFlags parses gorc run's command line: errHelp for -h, a
// *usageError for a mistake.
func parseRunFlags(args []string) (*runOptions, error) {
	o := &runOptions{optLevel: 2}
	_, rest, err := runCmdLine(o).parse(args)
	if err != nil {
		return nil, err
	}
	o.args = rest
	if o.speculate && !o.lazy {
		return nil, usagef("run", "-speculate needs -lazy")
	}
	if o.speculate && o.partition != jit.PartitionFunction {
		return nil, usagef("run", "-speculate needs function partitions (-lazy-partition function)")
	}
	if len(o.inputs) == 0 {
		return nil, usagef("run", "no input objects, archives or IR files")
	}
	return o, nil
}

// runFlagNames returns the names of gorc run's flags (for tests).
func runFlagNames() []string {
	var names []string
	runCmdLine(&runOptions{}).fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}
