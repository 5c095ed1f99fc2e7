//go:build cgo

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cxxPrograms are the C++ programs of testdata/irreal-cxx: exceptions
// thrown and caught across frames, destructors run while unwinding,
// catch by base class, rethrow, function-try-blocks, exceptions thrown
// inside libstdc++ (vector::at, stoi, operator new, iostreams) and thrown
// through its frames (a streambuf, std::sort's comparator), and values
// live across invokes in loops.
var cxxPrograms = []string{"eh_basic", "eh_stdlib", "eh_loops", "eh_classes"}

// TestCxxRealFromClangIR compiles the programs of testdata/irreal-cxx
// with clang++-19 at -O0, -O2 and -O3 (exceptions on, as by default),
// links the same IR natively, and checks that gorc run, eager and -lazy,
// in this process and in a child executor, prints what the native
// program prints and exits with its status.
func TestCxxRealFromClangIR(t *testing.T) {
	clang := toolPath(t, "clang++-19")
	gorcBinary(t)
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "irreal-cxx"))
	if err != nil {
		t.Fatal(err)
	}
	levels := append(realLevels[:3:3], struct {
		name  string
		flags []string
		modes [][]string
	}{"O2-lazychild", []string{"-O2"}, [][]string{{"-exec", "child", "-lazy"}}})
	for _, name := range cxxPrograms {
		for _, lv := range levels {
			t.Run(name+"/"+lv.name, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				c := aggCase{name: name, src: filepath.Join(dir, name+".cpp"), libs: []string{"-lstdc++"}}
				runRealCase(t, clang, c, lv.flags, lv.modes)
			})
		}
	}
}

// TestCxxRefused checks that the exception constructs gorc does not read
// are refused naming them.
func TestCxxRefused(t *testing.T) {
	clang := toolPath(t, "clang++-19")
	bin := gorcBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	// A dynamic exception specification (C++14): a landingpad filter.
	src := filepath.Join(dir, "x.cpp")
	ll := filepath.Join(dir, "x.ll")
	if err := os.WriteFile(src, []byte("#include <cstdio>\nvoid f(int x) throw(int) { if (x) throw x; }\nint main() { try { f(1); } catch (int e) { printf(\"%d\\n\", e); } return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.CommandContext(ctx, clang, "-std=c++14", "-S", "-emit-llvm", "-O0", "-Wno-everything", "-o", ll, src).CombinedOutput(); err != nil {
		t.Fatalf("clang++-19: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(ctx, bin, "run", ll, "-lstdc++").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "filter clauses") || !strings.Contains(string(out), "x.ll:") {
		t.Fatalf("gorc run of a landingpad filter: %v\n%s", err, out)
	}
}
