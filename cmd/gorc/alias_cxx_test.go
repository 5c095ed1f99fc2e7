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

// TestAliasProgramsFromClangIR runs the programs of testdata/alias from
// the IR of their sources, one .ll per source (clang++-19 or clang-19 at
// -O0 and -O2), without -lstdc++: cpp, whose classes' out-of-line
// constructors and destructors clang++ emits as aliases (C1 of C2, D1 of
// D2) that the other source calls, with virtual functions and
// std::string and std::map; c, with __attribute__((alias)) functions
// (external, weak, of a static function) and variables used by the
// other source. Every way: eager and -lazy, in this process and in a
// child executor, and with the using source as a native object (.o)
// beside the defining one's IR; the output and exit status must be the
// native link's.
func TestAliasProgramsFromClangIR(t *testing.T) {
	clangxx := toolPath(t, "clang++-19")
	clang := toolPath(t, "clang-19")
	gorcBinary(t)
	progs := []struct {
		name, cc, def, use string
	}{
		{"cpp", clangxx, "shape.cpp", "main.cpp"},
		{"c", clang, "real.c", "main.c"},
	}
	for _, p := range progs {
		for _, lv := range []string{"O0", "O2"} {
			t.Run(p.name+"/"+lv, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
				defer cancel()
				srcDir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "alias", p.name))
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				compile := func(src, ext string, args ...string) string {
					out := filepath.Join(dir, src+ext)
					argv := append(append([]string{}, args...), "-"+lv, "-Wno-everything", "-I", srcDir, "-o", out, filepath.Join(srcDir, src))
					if b, err := exec.CommandContext(ctx, p.cc, argv...).CombinedOutput(); err != nil {
						t.Fatalf("%s %s: %v\n%s", p.cc, strings.Join(argv, " "), err, b)
					}
					return out
				}
				defLL := compile(p.def, ".ll", "-S", "-emit-llvm")
				useLL := compile(p.use, ".ll", "-S", "-emit-llvm")
				useObj := compile(p.use, ".o", "-c")
				exe := filepath.Join(dir, "native")
				if b, err := exec.CommandContext(ctx, clangxx, "-o", exe, defLL, useLL).CombinedOutput(); err != nil {
					t.Fatalf("clang++-19: %v\n%s", err, b)
				}
				native, err := runProcess(ctx, dir, []string{exe}, "")
				if err != nil {
					t.Fatalf("native run: %v", err)
				}
				if native.status == 0 && p.name == "c" || native.stdout == "" {
					t.Fatalf("native run: unexpected %v", native)
				}
				c := aggCase{name: p.name}
				for _, m := range [][]string{{"-exec", "local"}, {"-exec", "local", "-lazy"}, {"-exec", "child"}, {"-exec", "child", "-lazy"}, {"-exec", "local", "-workers", "2"}} {
					runAggMode(ctx, t, c, []string{defLL, useLL}, m, "", native, lv)
				}
				// The alias's symbol as another input's definition: the
				// using source as a native object.
				runAggMode(ctx, t, c, []string{defLL, useObj}, []string{"-exec", "local"}, "", native, lv+" with "+filepath.Base(useObj))
				runAggMode(ctx, t, c, []string{defLL, useObj}, []string{"-exec", "child", "-lazy"}, "", native, lv+" with "+filepath.Base(useObj))
			})
		}
	}
}
