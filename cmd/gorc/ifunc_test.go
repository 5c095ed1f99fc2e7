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

// TestIFuncPrograms runs testdata/ifunc (ifunc attributes, plain,
// variadic, with eight mixed arguments and static, target_clones, and
// ifunc addresses taken in the data of both sources) compiled by gcc and
// clang-19 at -O0 and -O2: as two objects, and, for clang-19, as two IR
// files and as one IR file beside the other source's object. Every way
// in this process, in a child executor (with and without -shm) and
// -lazy; the output and exit status must be the native link's.
func TestIFuncPrograms(t *testing.T) {
	gorcBinary(t)
	srcDir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "ifunc"))
	if err != nil {
		t.Fatal(err)
	}
	modes := [][]string{{"-exec", "local"}, {"-exec", "local", "-lazy"}, {"-exec", "child"}, {"-exec", "child", "-shm"}, {"-exec", "child", "-lazy"}}
	for _, cc := range []string{"gcc", "clang-19"} {
		ccPath := toolPath(t, cc)
		for _, lv := range []string{"O0", "O2"} {
			t.Run(cc+"/"+lv, func(t *testing.T) {
				t.Parallel()
				limiter <- struct{}{}
				defer func() { <-limiter }()
				ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
				defer cancel()
				dir := t.TempDir()
				compile := func(src, ext string, args ...string) string {
					out := filepath.Join(dir, src+ext)
					argv := append(append([]string{}, args...), "-"+lv, "-o", out, filepath.Join(srcDir, src))
					if b, err := exec.CommandContext(ctx, ccPath, argv...).CombinedOutput(); err != nil {
						t.Fatalf("%s %s: %v\n%s", cc, strings.Join(argv, " "), err, b)
					}
					return out
				}
				defObj, mainObj := compile("def.c", ".o", "-c"), compile("main.c", ".o", "-c")
				exe := filepath.Join(dir, "native")
				if b, err := exec.CommandContext(ctx, ccPath, "-o", exe, defObj, mainObj).CombinedOutput(); err != nil {
					t.Fatalf("%s: %v\n%s", cc, err, b)
				}
				native, err := runProcess(ctx, dir, []string{exe}, "")
				if err != nil {
					t.Fatalf("native run: %v", err)
				}
				if native.status != 0 || !strings.Contains(native.stdout, "add 1003 1007 1011") {
					t.Fatalf("native run: unexpected %v", native)
				}
				inputs := [][]string{{defObj, mainObj}}
				if cc == "clang-19" {
					defLL, mainLL := compile("def.c", ".ll", "-S", "-emit-llvm"), compile("main.c", ".ll", "-S", "-emit-llvm")
					inputs = append(inputs, []string{defLL, mainLL}, []string{defLL, mainObj}, []string{defObj, mainLL})
				}
				c := aggCase{name: "ifunc"}
				for _, in := range inputs {
					for _, m := range modes {
						runAggMode(ctx, t, c, in, m, "", native, lv+" "+filepath.Base(in[0])+" "+filepath.Base(in[1]))
					}
				}
			})
		}
	}
}
