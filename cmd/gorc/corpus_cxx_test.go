//go:build cgo

package main

import (
	"context"
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
// live across invokes in loops, C++17 library exceptions, regex and
// threads that throw.
// eh_spec uses C++14's dynamic exception specifications (landingpad
// filter clauses).
var cxxPrograms = []string{"eh_basic", "eh_stdlib", "eh_loops", "eh_classes", "eh_misc", "eh_spec"}

// cxxLevels are the clang++-19 levels each program is compiled at and the
// gorc run modes of each (every mode at -O2; fewer at -O0 and -O3, to
// keep the test's time down).
var cxxLevels = []struct {
	name  string
	flags []string
	modes [][]string
}{
	{"O0", []string{"-O0"}, [][]string{{"-exec", "local"}, {"-exec", "child", "-lazy"}}},
	{"O2", []string{"-O2"}, [][]string{{"-exec", "local"}, {"-exec", "local", "-lazy"}, {"-exec", "child"}, {"-exec", "child", "-lazy"}}},
	{"O3", []string{"-O3"}, [][]string{{"-exec", "local", "-lazy"}}},
}

// cxxFlags are the extra clang++ flags of some of cxxPrograms.
var cxxFlags = map[string][]string{"eh_spec": {"-std=c++14"}}

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
	for _, name := range cxxPrograms {
		for _, lv := range cxxLevels {
			t.Run(name+"/"+lv.name, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				c := aggCase{name: name, src: filepath.Join(dir, name+".cpp"), libs: []string{"-lstdc++"}}
				runRealCase(t, clang, c, append(lv.flags[:len(lv.flags):len(lv.flags)], cxxFlags[name]...), lv.modes)
			})
		}
	}
}

// cxxCorpus are the C++ programs of testdata/programs (several sources
// each, some with a C one), whose inline functions and templates are
// linkonce_odr in every module that uses them.
var cxxCorpus = []string{"comdat_cpp", "cpp_except", "cpp_globals", "except_cold", "iostream_cpp", "mixed_c_cpp"}

// TestCxxProgramsFromClangIR runs the C++ programs of testdata/programs
// from the IR of their sources (clang++-19 and clang-19 at -O0 and -O2),
// one .ll per source, eager and -lazy (in this process at -O0, in a
// child at -O2) and the other way round, against the native link of the
// same IR.
func TestCxxProgramsFromClangIR(t *testing.T) {
	clangxx := toolPath(t, "clang++-19")
	clang := toolPath(t, "clang-19")
	gorcBinary(t)
	for _, name := range cxxCorpus {
		for _, lv := range []string{"O0", "O2"} {
			t.Run(name+"/"+lv, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
				defer cancel()
				srcs, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "programs", name, "*.c*"))
				if len(srcs) == 0 {
					t.Fatalf("no sources for %s", name)
				}
				dir := t.TempDir()
				var lls []string
				for _, src := range srcs {
					cc := clangxx
					if strings.HasSuffix(src, ".c") {
						cc = clang
					}
					ll := filepath.Join(dir, filepath.Base(src)+".ll")
					if out, err := exec.CommandContext(ctx, cc, "-S", "-emit-llvm", "-"+lv, "-Wno-everything", "-o", ll, src).CombinedOutput(); err != nil {
						t.Fatalf("%s: %v\n%s", cc, err, out)
					}
					lls = append(lls, ll)
				}
				exe := filepath.Join(dir, "native")
				if out, err := exec.CommandContext(ctx, clangxx, append([]string{"-o", exe}, lls...)...).CombinedOutput(); err != nil {
					t.Fatalf("clang++-19: %v\n%s", err, out)
				}
				native, err := runProcess(ctx, dir, []string{exe}, "")
				if err != nil {
					t.Fatalf("native run: %v", err)
				}
				c := aggCase{name: name, libs: []string{"-lstdc++"}}
				modes := [][]string{{"-exec", "local", "-lazy"}, {"-exec", "child"}}
				if lv == "O2" {
					modes = [][]string{{"-exec", "local"}, {"-exec", "child", "-lazy"}}
				}
				for _, m := range modes {
					runAggMode(ctx, t, c, lls, m, "", native, lv)
				}
			})
		}
	}
}
