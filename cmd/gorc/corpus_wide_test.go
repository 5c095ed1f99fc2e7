//go:build cgo

package main

import (
	"path/filepath"
	"testing"
)

// widePrograms are the C programs of testdata/irwide, which use what
// session 27 taught the .ll reader: __int128 arithmetic (a wyhash mix, a
// 64.64 fixed-point square root, a 128-bit factorial, division through
// libgcc), long double classification (isinf, signbit, fpclassify: i80
// bitcasts and llvm.is.fpclass), long double _Complex results (ST0 and
// ST1, from the module's functions and libm's cexpl, csqrtl, cpowl), SSE
// intrinsics, vector_size types and saturating adds (llvm.sadd.sat;
// helpers with <4 x float>, <2 x double> and <2 x i64> parameters and
// results), vectors of pointers (getelementptr on vectors, from -O2).
// from is the first of realLevels each is compiled at (vecgep's -O0 has
// no vectors).
var widePrograms = []struct {
	name string
	from int
}{
	{"i128", 0}, {"ldclass", 0}, {"ldcomplex", 0}, {"sse", 0}, {"vecgep", 1},
}

// TestCWideFromClangIR compiles the programs of testdata/irwide with
// clang-19 at the levels of TestCRealFromClangIR, links the same IR
// natively, and checks that gorc run, eager and -lazy, in this process
// and in a child executor, prints what the native program prints.
func TestCWideFromClangIR(t *testing.T) {
	clang := toolPath(t, "clang-19")
	gorcBinary(t)
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "irwide"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range widePrograms {
		for _, lv := range realLevels[p.from:] {
			t.Run(p.name+"/"+lv.name, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				c := aggCase{name: p.name, src: filepath.Join(dir, p.name+".c"), libs: []string{"-lm"}}
				runRealCase(t, clang, c, lv.flags, lv.modes)
			})
		}
	}
}
