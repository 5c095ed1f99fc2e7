//go:build cgo

package main

// The corpus harness: every program under testdata/programs is compiled by
// gcc/g++ in every compile mode of the modes table, linked natively and run,
// then run through `gorc run` (or, for comparison, through a peer such as
// llvm-jitlink-19), and the two runs' stdout, stderr and exit status must be
// identical.
//
// Every case runs in every execution mode of gorc run (subtests local,
// child, child-shm and tcp: a `gorc executor -listen` pool the test
// starts on loopback ports), from objects compiled once and one native
// run; stdin (spec "stdin:"), stdout, stderr and the exit status must match
// the native run in each.
//
// Environment knobs (all optional):
//
//	GORC_EXEC=local | child | "child -shm" | tcp://HOST:PORT   only this mode
//	                                                    (extra `gorc run -exec` flags)
//	GORC_CORPUS_MODES=O0,pic                            only these modes ("all": every
//	                                                    default mode; unset: the quick set)
//	GORC_CORPUS_PEER=llvm-jitlink-19                    run the peer instead of gorc
//	GORC_CORPUS_REPORT=FILE                             append "prog mode PASS|FAIL reason" lines
//
// A program directory holds its C (.c) and C++ (.cpp) sources and an
// optional "spec" file of "key: value" lines:
//
//	args:   words passed as argv[1:]
//	stdin:  a file in the directory fed to stdin
//	link:   extra link flags (-lm, -lpthread) given to both links
//	cflags: extra compile flags, after the mode's
//	modes:  the only modes this program runs in (default: every default mode)
//	crash:  SIGNAL FUNCTION — the program dies of SIGNAL (native status
//	        128+signal); gorc must give the same stdout and status, and
//	        report "program terminated by signal SIGNAL" (in-process) or
//	        "executor terminated by signal SIGNAL" (a child or remote
//	        executor) naming FUNCTION+0x… on stderr after the program's own
//	        stderr, within crashDeadline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// compileMode is one row of the compile-mode table.
type compileMode struct {
	name       string
	cflags     []string
	nativeLink []string // extra flags for the native link
	byDefault  bool     // run for programs without a modes: line
	quick      bool     // in the quick set run when GORC_CORPUS_MODES is unset
	// mayRefuse: gorc may refuse the program with a clear error instead
	// of running it (non-PIC code that needs copy relocations of C++
	// runtime data, which a JIT cannot make; see docs/RUN.md).
	mayRefuse bool
}

var compileModes = []compileMode{
	{name: "O0", quick: true, cflags: []string{"-O0"}, byDefault: true},
	{name: "O2", quick: true, cflags: []string{"-O2"}, byDefault: true},
	{name: "O3", cflags: []string{"-O3"}, byDefault: true},
	{name: "pic", quick: true, cflags: []string{"-O1", "-fPIC"}, byDefault: true},
	{name: "nopic", quick: true, cflags: []string{"-O1", "-fno-pic", "-mcmodel=small"}, nativeLink: []string{"-no-pie"}, byDefault: true, mayRefuse: true},
	{name: "large", cflags: []string{"-O1", "-fPIC", "-mcmodel=large"}, byDefault: true},
	{name: "fsections", cflags: []string{"-O2", "-ffunction-sections", "-fdata-sections"}, byDefault: true},
	{name: "g", cflags: []string{"-O0", "-g"}, byDefault: true},
	// Only for programs that ask for them.
	{name: "nopic-O2", cflags: []string{"-O2", "-fno-pic", "-mcmodel=small"}, nativeLink: []string{"-no-pie"}, mayRefuse: true},
	{name: "large-O2", cflags: []string{"-O2", "-fPIC", "-mcmodel=large"}},
}

// program is one corpus entry.
type program struct {
	name    string
	dir     string
	sources []string // file names in dir
	cxx     bool     // any C++ source: compile and link with g++
	args    []string
	stdin   string // file name in dir, or ""
	link    []string
	cflags  []string
	modes   []string // restriction; nil means the default modes
	crash   []string // spec "crash: SIGNAL FUNCTION", or nil
}

// loadPrograms reads testdata/programs.
func loadPrograms(root string) ([]program, error) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	var progs []program
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		p := program{name: e.Name(), dir: filepath.Join(root, e.Name())}
		files, err := os.ReadDir(p.dir)
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		for _, f := range files {
			switch filepath.Ext(f.Name()) {
			case ".c":
				p.sources = append(p.sources, f.Name())
			case ".cpp":
				p.sources = append(p.sources, f.Name())
				p.cxx = true
			}
		}
		if len(p.sources) == 0 {
			return nil, fmt.Errorf("corpus: %s has no .c or .cpp source", p.dir)
		}
		if err := p.readSpec(); err != nil {
			return nil, err
		}
		progs = append(progs, p)
	}
	return progs, nil
}

func (p *program) readSpec() error {
	path := filepath.Join(p.dir, "spec")
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, val, ok := strings.Cut(text, ":")
		if !ok {
			return fmt.Errorf("%s:%d: want \"key: value\", got %q", path, line, text)
		}
		words := strings.Fields(val)
		switch strings.TrimSpace(key) {
		case "args":
			p.args = words
		case "stdin":
			p.stdin = strings.TrimSpace(val)
		case "link":
			p.link = words
		case "cflags":
			p.cflags = words
		case "modes":
			p.modes = words
		case "crash":
			if len(words) != 2 || signalNumber(words[0]) == 0 {
				return fmt.Errorf("%s:%d: want \"crash: SIGNAL FUNCTION\", got %q", path, line, text)
			}
			p.crash = words
		default:
			return fmt.Errorf("%s:%d: unknown key %q", path, line, key)
		}
	}
	return sc.Err()
}

// modesFor returns the modes p runs in, filtered by GORC_CORPUS_MODES.
func (p *program) modesFor() []compileMode {
	var only map[string]bool
	s := os.Getenv("GORC_CORPUS_MODES")
	if s == "" {
		// The quick set keeps `make test` short; bench.sh runs them all.
		only = map[string]bool{}
		for _, m := range compileModes {
			if m.quick || !m.byDefault {
				only[m.name] = true
			}
		}
	} else if s != "all" {
		only = map[string]bool{}
		for _, m := range strings.Split(s, ",") {
			only[strings.TrimSpace(m)] = true
		}
	}
	var out []compileMode
	for _, m := range compileModes {
		want := m.byDefault
		if p.modes != nil {
			want = false
			for _, n := range p.modes {
				if n == m.name {
					want = true
				}
			}
		}
		if want && (only == nil || only[m.name]) {
			out = append(out, m)
		}
	}
	return out
}

// runResult is what one run of a program produced.
type runResult struct {
	stdout, stderr string
	status         int
}

func (r runResult) String() string {
	return fmt.Sprintf("exit status %d\n--- stdout ---\n%s--- stderr ---\n%s", r.status, r.stdout, r.stderr)
}

// runProcess runs argv with stdin from stdinPath (if not empty) and returns
// its output and exit status (128+signal if it died of a signal). Only a
// failure to start or a timeout is an error.
func runProcess(ctx context.Context, dir string, argv []string, stdinPath string) (runResult, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if stdinPath != "" {
		f, err := os.Open(stdinPath)
		if err != nil {
			return runResult{}, err
		}
		defer f.Close()
		cmd.Stdin = f
	}
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	res := runResult{stdout: so.String(), stderr: se.String()}
	if ctx.Err() != nil {
		return res, fmt.Errorf("%s: timed out: %w", strings.Join(argv, " "), ctx.Err())
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.status = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.status = 128 + int(ws.Signal())
		}
	default:
		return res, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	return res, nil
}

// toolPath finds a required tool or fails the test with a clear message.
func toolPath(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required for this test but is not installed (run `make deps` / scripts/deps.sh): %v", name, err)
	}
	return p
}

// buildProgram compiles p's sources in mode m into dir and returns the
// object paths.
func buildProgram(ctx context.Context, p program, m compileMode, dir string) ([]string, error) {
	var objs []string
	for _, src := range p.sources {
		cc := "gcc"
		std := "-std=gnu11"
		if strings.HasSuffix(src, ".cpp") {
			cc, std = "g++", "-std=gnu++17"
		}
		obj := filepath.Join(dir, strings.TrimSuffix(src, filepath.Ext(src))+".o")
		args := []string{"-c", std, "-Wall", "-Wno-unused-function", "-Wno-unused-variable"}
		args = append(args, m.cflags...)
		args = append(args, p.cflags...)
		args = append(args, "-o", obj, filepath.Join(p.dir, src))
		if out, err := exec.CommandContext(ctx, cc, args...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("%s %s: %v\n%s", cc, strings.Join(args, " "), err, out)
		}
		objs = append(objs, obj)
	}
	return objs, nil
}

// linkNative links objs into an executable with gcc or g++.
func linkNative(ctx context.Context, p program, m compileMode, objs []string, exe string) error {
	cc := "gcc"
	if p.cxx {
		cc = "g++"
	}
	args := append([]string{}, m.nativeLink...)
	args = append(args, "-o", exe)
	args = append(args, objs...)
	args = append(args, p.link...)
	if out, err := exec.CommandContext(ctx, cc, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", cc, strings.Join(args, " "), err, out)
	}
	return nil
}

// jitCommand returns the argv that JIT-runs objs: gorc run, or the peer
// named by GORC_CORPUS_PEER.
func jitCommand(t testing.TB, p program, objs []string, execFlags []string) []string {
	libs := append([]string{}, p.link...)
	if p.cxx {
		// g++ adds these implicitly to a native link.
		libs = append(libs, "-lstdc++", "-lm")
	}
	if peer := os.Getenv("GORC_CORPUS_PEER"); peer != "" {
		argv := append([]string{peer}, objs...)
		for _, l := range libs {
			argv = append(argv, peerLib(l))
		}
		// llvm-jitlink takes the first word after -args as argv[0] (and
		// runs main with argc 0 without -args): give it a program name.
		argv = append(argv, "-args", strings.TrimSuffix(objs[0], ".o"))
		return append(argv, p.args...)
	}
	argv := []string{gorcBinary(t), "run"}
	argv = append(argv, execFlags...)
	argv = append(argv, objs...)
	argv = append(argv, libs...)
	if len(p.args) > 0 {
		argv = append(argv, "--")
		argv = append(argv, p.args...)
	}
	return argv
}

// peerLib maps -lNAME to the shared object llvm-jitlink can load: it
// cannot read Debian's libm.so linker script, so it gets libm.so.6 itself;
// everything else passes through.
func peerLib(l string) string {
	sonames := map[string]string{"-lm": "libm.so.6", "-lstdc++": "libstdc++.so.6", "-lpthread": "libpthread.so.0", "-ldl": "libdl.so.2"}
	if so, ok := sonames[l]; ok {
		return filepath.Join(libDir, so)
	}
	return l
}

var reportMu sync.Mutex

// report appends one result line to GORC_CORPUS_REPORT, if set.
func report(name, mode string, ok bool, reason string) {
	verdict := "PASS"
	if !ok {
		verdict = "FAIL"
	}
	reportVerdict(name, mode, verdict, reason)
}

func reportVerdict(name, mode, verdict, reason string) {
	path := os.Getenv("GORC_CORPUS_REPORT")
	if path == "" {
		return
	}
	reason = strings.ReplaceAll(strings.TrimSpace(reason), "\n", " ")
	if len(reason) > 200 {
		reason = reason[:200]
	}
	reportMu.Lock()
	defer reportMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s\t%s\t%s\t%s\n", name, mode, verdict, reason)
}

// firstDiff summarizes why jit differs from native, for the report.
func firstDiff(native, jit runResult) string {
	if jit.stderr != native.stderr {
		for _, l := range strings.Split(jit.stderr, "\n") {
			if strings.TrimSpace(l) != "" && !strings.Contains(native.stderr, l) {
				return l
			}
		}
	}
	if jit.status != native.status {
		return fmt.Sprintf("exit status %d, want %d", jit.status, native.status)
	}
	return "stdout differs"
}

// limiter bounds the number of programs compiled and run at once.
var limiter = make(chan struct{}, 2*runtime.NumCPU())

func TestCorpus(t *testing.T) {
	toolPath(t, "gcc")
	toolPath(t, "g++")
	if peer := os.Getenv("GORC_CORPUS_PEER"); peer != "" {
		toolPath(t, peer)
	} else {
		gorcBinary(t)
	}
	progs, err := loadPrograms(filepath.Join("..", "..", "testdata", "programs"))
	if err != nil {
		t.Fatal(err)
	}
	if len(progs) < 25 {
		t.Fatalf("corpus has only %d programs", len(progs))
	}
	modes := execModes(t)
	sort.Slice(progs, func(i, j int) bool { return progs[i].name < progs[j].name })
	for _, p := range progs {
		for _, m := range p.modesFor() {
			t.Run(p.name+"/"+m.name, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				runCorpusCase(t, p, m, modes)
			})
		}
	}
}

// crashDeadline bounds a JIT run of a crashing program (link included):
// the controller must notice the executor's death promptly. It catches a
// hang or a wait for the 30 s shared timeout, not a slow machine: CI runs
// this under -race on a loaded 2-core VM.
const crashDeadline = 20 * time.Second

func runCorpusCase(t *testing.T, p program, m compileMode, modes []execMode) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	dir := t.TempDir()
	objs, err := buildProgram(ctx, p, m, dir)
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "native")
	if err := linkNative(ctx, p, m, objs, exe); err != nil {
		t.Fatal(err)
	}
	stdin := ""
	if p.stdin != "" {
		stdin = filepath.Join(p.dir, p.stdin)
	}
	native, err := runProcess(ctx, dir, append([]string{exe}, p.args...), stdin)
	if err != nil {
		t.Fatalf("native run: %v", err)
	}
	if native.stdout == "" {
		t.Fatalf("native run printed nothing; the program is broken:\n%v", native)
	}
	if p.crash != nil && native.status != 128+signalNumber(p.crash[0]) {
		t.Fatalf("native run should die of %s (status %d):\n%v", p.crash[0], 128+signalNumber(p.crash[0]), native)
	}
	forEachMode(t, modes, func(t *testing.T, em execMode) {
		release, flags := em.acquire(t)
		defer release()
		argv := jitCommand(t, p, objs, flags)
		start := time.Now()
		jit, err := runProcess(ctx, dir, argv, stdin)
		elapsed := time.Since(start)
		label := em.label(m.name)
		if err != nil {
			report(p.name, label, false, err.Error())
			t.Fatalf("JIT run: %v", err)
		}
		if p.crash != nil {
			if why := checkCrash(p, em, native, jit, elapsed); why != "" {
				report(p.name, label, false, why)
				t.Errorf("%s: %s\ncommand: %s\n=== native ===\n%v\n=== jit ===\n%v", p.name, why, strings.Join(argv, " "), native, jit)
				return
			}
			report(p.name, label, true, "")
			return
		}
		switch {
		case jit == native:
			report(p.name, label, true, "")
		case m.mayRefuse && os.Getenv("GORC_CORPUS_PEER") == "" && jit.status == 1 && jit.stdout == "" &&
			strings.Contains(jit.stderr, "copy relocation") && strings.Contains(jit.stderr, "compile with -fPIE or -fPIC"):
			// A clear refusal, documented in docs/RUN.md: not a wrong result.
			reportVerdict(p.name, label, "REFUSED", jit.stderr)
			t.Logf("refused clearly: %s", strings.TrimSpace(jit.stderr))
		default:
			report(p.name, label, false, firstDiff(native, jit))
			t.Errorf("%s differs from the native run\ncommand: %s\n=== native ===\n%v\n=== jit ===\n%v",
				p.name, strings.Join(argv, " "), native, jit)
		}
	})
}

// checkCrash compares a crashing program's JIT run with its native run
// (spec "crash: SIGNAL FUNCTION"); it returns what is wrong, or "".
func checkCrash(p program, em execMode, native, jit runResult, elapsed time.Duration) string {
	sig, fn := p.crash[0], p.crash[1]
	switch {
	case elapsed > crashDeadline:
		return fmt.Sprintf("took %v to report the crash (limit %v)", elapsed.Round(time.Millisecond), crashDeadline)
	case jit.status != native.status:
		return fmt.Sprintf("exit status %d, want %d", jit.status, native.status)
	case jit.stdout != native.stdout:
		return "stdout differs"
	case em.peer:
		return "" // a peer reports crashes its own way
	}
	rest, ok := strings.CutPrefix(jit.stderr, native.stderr)
	if !ok {
		return "the program's own stderr is not first on stderr"
	}
	// In-process gorc dies of the signal as the program does, after
	// naming the function; a child or remote executor's death is reported
	// by the controller.
	want := []string{"gorc run: ", "executor terminated by signal " + sig}
	if !em.remote {
		want[1] = "program terminated by signal " + sig
	}
	for _, w := range want {
		if !strings.Contains(rest, w) {
			return fmt.Sprintf("the controller's report %q lacks %q", strings.TrimSpace(rest), w)
		}
	}
	// gcc may move the unlikely path into FUNCTION.cold.
	if !strings.Contains(rest, " "+fn+"+0x") && !strings.Contains(rest, " "+fn+".cold+0x") {
		return fmt.Sprintf("the controller's report %q does not name %s", strings.TrimSpace(rest), fn)
	}
	if strings.Count(rest, "\n") != 1 {
		return fmt.Sprintf("want one line of report after the program's stderr, got %q", rest)
	}
	return ""
}

// signalNumber maps a signal name to its number (0 if unknown).
func signalNumber(name string) int {
	nums := map[string]int{"SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6, "SIGBUS": 7, "SIGFPE": 8, "SIGSEGV": 11}
	return nums[name]
}
