// Command gorc is the one binary of the gorc JIT toolkit: it JIT-links and
// runs ELF objects and archives (run), serves as an executor process for
// out-of-process execution (executor), and compiles Kaleidoscope (kaleido).
//
// Each subcommand lives in its own file of this package and registers itself
// in the commands table.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"sync"
	"time"

	"github.com/gorc-jit/gorc/orc/epc"
)

// version and commit may be set at build time with -ldflags "-X
// main.version=... -X main.commit=..." (the Makefile sets commit: a build
// from a git worktree, or with GOFLAGS=-buildvcs=false, has no VCS
// information); otherwise the module build info is used.
var version, commit = "", ""

// command is one gorc subcommand.
type command struct {
	summary string
	// run executes the command with its arguments (without the command
	// name) and returns the process exit status.
	run func(args []string, stdout, stderr io.Writer) int
}

// commands is filled by the init functions of the subcommand files.
var commands = map[string]command{}

func register(name, summary string, run func([]string, io.Writer, io.Writer) int) {
	commands[name] = command{summary: summary, run: run}
}

func init() {
	register("version", "print gorc's version (module version, commit, Go version)", func(args []string, stdout, stderr io.Writer) int {
		c := cmdLine{cmd: "version", fs: newFlagSet("version")}
		inputs, rest, status := c.parseCommandLine(args, stdout, stderr, func(w io.Writer) {
			fmt.Fprint(w, "usage: gorc version\n\nPrints gorc's module version ((devel) unless installed from a tagged\nmodule), the commit it was built from ((modified) if the tree had\nchanges) and the Go version and platform it was built with.\n")
		})
		if status >= 0 {
			return status
		}
		if len(inputs)+len(rest) > 0 {
			fmt.Fprintln(stderr, usagef("version", "unexpected argument %q", append(inputs, rest...)[0]))
			return 2
		}
		fmt.Fprintf(stdout, "gorc %s\n", versionString())
		return 0
	})
	register("help", "describe gorc's commands", func(args []string, stdout, stderr io.Writer) int {
		if len(args) > 0 && !helpRequested(args[:1]) {
			c, ok := commands[args[0]]
			if !ok {
				fmt.Fprintf(stderr, "gorc help: unknown command %q (see gorc help)\n", args[0])
				return 2
			}
			// Subcommands print their own flag help for -h.
			return c.run([]string{"-h"}, stdout, stdout)
		}
		usage(stdout)
		return 0
	})
}

// versionString is gorc's version line: the module version ("(devel)"
// unless built by go install from a tagged module, or main.version when
// set at link time), the commit it was built from (vcs.revision, with
// "(modified)" when the tree had changes: vcs.modified), and the Go
// version and platform.
func versionString() string {
	bi, _ := debug.ReadBuildInfo()
	return formatVersion(bi, version, commit)
}

// formatVersion formats the version line from build information (nil when
// there is none) and the link-time overrides (used when not empty).
func formatVersion(bi *debug.BuildInfo, override, overrideCommit string) string {
	mod, goVersion := "(devel)", runtime.Version()
	var rev, modified string
	if bi != nil {
		if bi.Main.Version != "" {
			mod = bi.Main.Version
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
	}
	if override != "" {
		mod = override
	}
	if rev == "" && overrideCommit != "" {
		rev = overrideCommit
	}
	line := mod
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		line += " commit " + rev
		if modified == "true" {
			line += " (modified)"
		}
	} else {
		line += " commit unknown"
	}
	return fmt.Sprintf("%s %s %s/%s", line, goVersion, runtime.GOOS, runtime.GOARCH)
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `gorc is a JIT toolkit: it links and runs native code at run time,
in this process or in a separate executor process.

Usage:

	gorc <command> [arguments]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "\t%-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nUse \"gorc help <command>\" for more about a command.\n")
}

// processStart is when gorc's Go code started (package initialization).
var processStart = time.Now()

// processExits is set when the process ends as soon as the command
// returns (main, not a test calling dispatch): a command may then leave
// to the kernel what only frees memory of this process (see
// closeUnlessExiting).
var processExits bool

func main() {
	processExits = true
	// A child executor stopped (SIGSTOP, SIGTSTP) while gorc waits for it
	// — in a run, or for a lazy first call's answer — is said on stderr
	// (gorc still waits: it may be continued or killed).
	epc.ReportStopped = func(pid int, stopped bool) {
		if stopped {
			fmt.Fprintf(os.Stderr, "gorc: the executor (process %d) is stopped; waiting for it to continue (kill -CONT %d) or end\n", pid, pid)
		} else {
			fmt.Fprintf(os.Stderr, "gorc: the executor (process %d) continued\n", pid)
		}
	}
	startCPUProfile(os.Stderr)
	startMemProfile()
	showExitTime(os.Args[1:])
	status := dispatch(os.Args[1:], os.Stdout, os.Stderr)
	stopCPUProfile()
	writeMemProfile()
	os.Exit(status)
}

// Debugging aid: GORC_CPUPROFILE=FILE writes a Go CPU profile of the whole
// gorc process to FILE (read it with go tool pprof bin/gorc FILE). The
// profile is stopped and written on every way gorc ends: a normal return
// from the command, and, for an in-process `gorc run`, the program's exit
// (which ends the process from C, see atProgramExit). Time spent inside
// JIT'd code shows as external code: use perf for that part.
var (
	profileMu   sync.Mutex
	profileFile *os.File
)

// atProgramExit, when set (by a cgo build), arranges for f to run when a
// program started in this process exits (after its atexit handlers and
// destructors, with stdio flushed). Several functions may be registered.
var atProgramExit func(f func())

// showExitTime: for `gorc run -show-times` with the in-process executor,
// the program's exit ends the process from C, so run.go cannot print the
// run phase; print, at the program's exit, the time since gorc started.
// The run phase is this minus "total before run" (both measured by gorc
// itself, in the same process).
func showExitTime(args []string) {
	if atProgramExit == nil || len(args) == 0 || args[0] != "run" {
		return
	}
	// The same parse as gorc run's own (it reports any error itself).
	o, err := parseRunFlags(args[1:])
	if err != nil {
		return
	}
	show, local := o.showTimes, o.exec == "local"
	if show && local {
		atProgramExit(func() {
			fmt.Fprintf(os.Stderr, "gorc run: program exited %v after gorc started\n", time.Since(processStart).Round(time.Microsecond))
		})
	}
}

func startCPUProfile(stderr io.Writer) {
	path := os.Getenv("GORC_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(stderr, "gorc: GORC_CPUPROFILE: %v\n", err)
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(stderr, "gorc: GORC_CPUPROFILE: starting the profile in %s: %v\n", path, err)
		f.Close()
		return
	}
	profileMu.Lock()
	profileFile = f
	profileMu.Unlock()
	if atProgramExit != nil {
		atProgramExit(stopCPUProfile)
	}
}

// stopCPUProfile stops a profile started by startCPUProfile and closes its
// file; it is safe to call more than once and from any thread.
func stopCPUProfile() {
	profileMu.Lock()
	defer profileMu.Unlock()
	if profileFile == nil {
		return
	}
	pprof.StopCPUProfile()
	if err := profileFile.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "gorc: GORC_CPUPROFILE: %v\n", err)
	}
	profileFile = nil
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return 0
	case "-version", "--version":
		args[0] = "version"
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "gorc: unknown command %q (see gorc help)\n", args[0])
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}
