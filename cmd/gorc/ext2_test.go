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

// ext2Programs are real-world constructs the IR front end refused before
// session 30 (testdata/ext2): each is compiled by gcc and clang-19 at -O0
// and -O2 to objects, and by clang-19 to IR (with the extra clang flags
// too, when given), then run in the executor modes of ext2Modes; the
// output and exit status must be the native link's.
var ext2Programs = []struct {
	name      string
	src       string
	cflags    []string // for both compilers
	clangOnly bool     // gcc cannot build it
	llFlags   [][]string
	libs      []string
}{
	{name: "atomic128", src: "atomic128.c", llFlags: [][]string{nil, {"-mcx16"}}, libs: []string{"-latomic", "-lpthread"}},
	// gcc calls __atomic_load_16 on the misaligned __int128, which faults
	// natively: clang only.
	{name: "atomic16", src: "atomic16.c", clangOnly: true, llFlags: [][]string{nil}, libs: []string{"-latomic"}},
	{name: "asmgoto", src: "asmgoto.c", llFlags: [][]string{nil}},
	{name: "intelasm", src: "intelasm.c", cflags: []string{"-masm=intel"}, llFlags: [][]string{nil}},
	{name: "msasm", src: "msasm.c", cflags: []string{"-fasm-blocks"}, clangOnly: true, llFlags: [][]string{nil}},
}

// ext2Modes are the executor modes the inputs run in: IR in every mode
// across the two levels (each level half of them, as the aggregates
// corpus does: cmd/gorc's -race run of make test has a 15-minute
// budget), objects (which gorc ran before this work too) in two.
var ext2Modes = map[string][][]string{
	"O0":  {{"-exec", "local"}, {"-exec", "local", "-lazy"}, {"-exec", "child", "-shm"}, {"-exec", "tcp", "-lazy"}},
	"O2":  {{"-exec", "local"}, {"-exec", "child"}, {"-exec", "child", "-lazy"}, {"-exec", "tcp"}},
	"obj": {{"-exec", "local"}, {"-exec", "child", "-lazy"}},
}

func TestExt2Programs(t *testing.T) {
	gorcBinary(t)
	srcDir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "ext2"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ext2Programs {
		for _, cc := range []string{"gcc", "clang-19"} {
			if p.clangOnly && cc == "gcc" {
				continue
			}
			ccPath := toolPath(t, cc)
			for _, lv := range []string{"O0", "O2"} {
				t.Run(p.name+"/"+cc+"/"+lv, func(t *testing.T) {
					t.Parallel()
					limiter <- struct{}{}
					defer func() { <-limiter }()
					ctx, cancel := context.WithTimeout(context.Background(), 240*time.Second)
					defer cancel()
					dir := t.TempDir()
					src := filepath.Join(srcDir, p.src)
					compile := func(out string, args ...string) string {
						out = filepath.Join(dir, out)
						argv := append(append(append([]string{"-w", "-" + lv}, p.cflags...), args...), "-o", out, src)
						if b, err := exec.CommandContext(ctx, ccPath, argv...).CombinedOutput(); err != nil {
							t.Fatalf("%s %s: %v\n%s", cc, strings.Join(argv, " "), err, b)
						}
						return out
					}
					obj := compile(p.name+".o", "-c")
					exe := filepath.Join(dir, "native")
					if b, err := exec.CommandContext(ctx, ccPath, append([]string{"-o", exe, obj}, p.libs...)...).CombinedOutput(); err != nil {
						t.Fatalf("%s: %v\n%s", cc, err, b)
					}
					native, err := runProcess(ctx, dir, []string{exe}, "")
					if err != nil {
						t.Fatalf("native run: %v", err)
					}
					if native.stdout == "" {
						t.Fatalf("native run printed nothing: %v", native)
					}
					inputs := []string{obj}
					if cc == "clang-19" {
						for i, fl := range p.llFlags {
							inputs = append(inputs, compile(p.name+string(rune('a'+i))+".ll", append([]string{"-S", "-emit-llvm"}, fl...)...))
						}
					}
					c := aggCase{name: p.name, libs: p.libs}
					for i, in := range inputs {
						modes := ext2Modes[lv]
						if i == 0 {
							modes = ext2Modes["obj"]
						}
						for _, m := range modes {
							runAggMode(ctx, t, c, []string{in}, m, "", native, cc+" "+lv+" "+filepath.Base(in))
						}
					}
				})
			}
		}
	}
}
