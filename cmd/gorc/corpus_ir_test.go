//go:build cgo

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestCorpusFromClangIR compiles every C program of testdata/programs
// (C++ ones are skipped) with `clang-19 -S -emit-llvm` at -O0, -O1 and -O2
// (-fno-vectorize -fno-slp-vectorize) and runs the .ll files with `gorc
// run` (-O 2, in-process; -O1 cases also in a child executor, and -O0
// ones with -lazy, and -lazy -speculate in-process and in a child): stdout, stderr and the exit status must be those of
// the program clang-19 builds natively from the same IR. The programs that
// use a construct gorc's IR reader does not support yet are listed in
// irUnsupported: for them gorc must refuse with a clear
// "FILE:LINE:COL: error:" naming it, never run them wrongly or crash.
//
// GORC_IR_LEVELS=O0,O1 restricts the levels.
func TestCorpusFromClangIR(t *testing.T) {
	toolPath(t, "gcc")
	clang := toolPath(t, "clang-19")
	gorcBinary(t)
	progs, err := loadPrograms(filepath.Join("..", "..", "testdata", "programs"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(progs, func(i, j int) bool { return progs[i].name < progs[j].name })
	levels := []string{"O0", "O1", "O2"}
	if s := os.Getenv("GORC_IR_LEVELS"); s != "" {
		levels = strings.Split(s, ",")
	}
	n := 0
	for _, p := range progs {
		if p.cxx {
			continue
		}
		n++
		for _, lv := range levels {
			t.Run(p.name+"/"+lv, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				runIRCase(t, clang, p, lv)
			})
		}
	}
	if n < 20 {
		t.Fatalf("only %d C programs in the corpus", n)
	}
}

// irUnsupported are the corpus programs whose clang IR uses what the
// reader rejects, with the error it must give.
var irUnsupported = map[string]string{}

// lazyBroken are the programs gorc run -lazy mislinks from IR whatever
// produced it, known problems of the lazy path outside the IR reader,
// left for its owner: weak definitions and undefined weak references (the
// lazy partitions declare them as strong symbols), and __start_SEC /
// __stop_SEC (a function's partition references them, but the linker
// makes them only for the unit holding the section).
var lazyBroken = map[string]string{
	"weak_override": "weak symbols in lazy partitions",
	"weak_undef":    "weak symbols in lazy partitions",
	"start_stop":    "__start_/__stop_ symbols in lazy partitions",
}

func runIRCase(t *testing.T, clang string, p program, level string) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	dir := t.TempDir()
	var lls []string
	for _, src := range p.sources {
		ll := filepath.Join(dir, strings.TrimSuffix(src, ".c")+".ll")
		args := []string{"-S", "-emit-llvm", "-" + level, "-fno-vectorize", "-fno-slp-vectorize", "-Wno-everything"}
		args = append(args, p.cflags...)
		args = append(args, "-o", ll, filepath.Join(p.dir, src))
		if out, err := exec.CommandContext(ctx, clang, args...).CombinedOutput(); err != nil {
			t.Fatalf("clang-19 %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		lls = append(lls, ll)
	}
	// The native program is clang-19's build of the same IR: where C
	// leaves an order unspecified (constructors against .init_array
	// entries), it is the order the IR gives.
	exe := filepath.Join(dir, "native")
	args := append([]string{"-o", exe}, lls...)
	args = append(args, p.link...)
	if out, err := exec.CommandContext(ctx, clang, args...).CombinedOutput(); err != nil {
		t.Fatalf("clang-19 %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	stdin := ""
	if p.stdin != "" {
		stdin = filepath.Join(p.dir, p.stdin)
	}
	native, err := runProcess(ctx, dir, append([]string{exe}, p.args...), stdin)
	if err != nil {
		t.Fatalf("native run: %v", err)
	}
	modes := [][]string{{"-exec", "local"}}
	switch level {
	case "O1":
		modes = append(modes, []string{"-exec", "child"})
	case "O0":
		if lazyBroken[p.name] == "" {
			modes = append(modes, []string{"-exec", "local", "-lazy"}, []string{"-exec", "local", "-lazy", "-speculate"}, []string{"-exec", "child", "-lazy", "-speculate"})
		}
	}
	for _, flags := range modes {
		argv := jitCommand(t, p, lls, flags)
		start := time.Now()
		jit, err := runProcess(ctx, dir, argv, stdin)
		elapsed := time.Since(start)
		if err != nil {
			t.Fatalf("%s: %v", strings.Join(flags, " "), err)
		}
		label := fmt.Sprintf("ir-%s %s", level, strings.Join(flags, " "))
		if want, ok := irUnsupported[p.name]; ok {
			if jit.status != 1 || jit.stdout != "" || !strings.Contains(jit.stderr, ".ll:") || !strings.Contains(jit.stderr, want) {
				t.Errorf("%s: %s should be refused with an error containing %q\n%v", label, p.name, want, jit)
			}
			continue
		}
		if p.crash != nil {
			em := execMode{remote: flags[1] == "child"}
			if why := checkCrash(p, em, native, jit, elapsed); why != "" {
				t.Errorf("%s: %s: %s\ncommand: %s\n=== native ===\n%v\n=== jit ===\n%v", label, p.name, why, strings.Join(argv, " "), native, jit)
			}
			continue
		}
		if jit != native {
			t.Errorf("%s: %s differs from the native run\ncommand: %s\n=== native ===\n%v\n=== jit ===\n%v", label, p.name, strings.Join(argv, " "), native, jit)
		}
	}
}
