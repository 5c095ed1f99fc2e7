package amd64_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/backend/amd64"
	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/kaleidoscope"
)

// TestKaleidoscopeCorpus compiles the front end's test programs at -O0
// and -O2 with this backend, links each object with gcc into a program
// (the module has its own main) and compares the output with the
// expected output the front end's tests use.
func TestKaleidoscopeCorpus(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Fatal("gcc is required for this test but was not found in PATH (bash scripts/deps.sh installs it)")
	}
	progs, _ := filepath.Glob("../../kaleidoscope/testdata/*.k")
	if len(progs) == 0 {
		t.Fatal("no Kaleidoscope programs found in kaleidoscope/testdata")
	}
	dir := t.TempDir()
	tested := 0
	for _, p := range progs {
		want, err := expectedOutput(p)
		if err != nil {
			t.Fatal(err)
		}
		if hasErrors(p) {
			continue // programs with errors are the front end's business
		}
		tested++
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, level := range []int{0, 2} {
			name := filepath.Base(p) + map[int]string{0: "-O0", 2: "-O2"}[level]
			t.Run(name, func(t *testing.T) {
				m, diags, err := kaleidoscope.Compile(context.Background(), p, []string{p}, [][]byte{src})
				if err != nil || len(diags) > 0 {
					t.Fatalf("front end: %v %v", err, diags)
				}
				// gorc kaleido's pipeline: at -O2 with inlining and tail
				// recursion to loops.
				if err := kaleidoscope.Passes(level).Run(context.Background(), m); err != nil {
					t.Fatalf("optimizer: %v", err)
				}
				obj, err := amd64.Compile(m, amd64.Options{Verify: true})
				if err != nil {
					t.Fatalf("backend: %v", err)
				}
				o := filepath.Join(dir, name+".o")
				exe := filepath.Join(dir, name)
				if err := os.WriteFile(o, obj, 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command(gcc, "-o", exe, o, "-lm").CombinedOutput(); err != nil {
					t.Fatalf("gcc: %v\n%s", err, out)
				}
				out, err := exec.Command(exe).Output()
				if err != nil {
					t.Fatalf("run: %v\n%s", err, out)
				}
				if string(out) != string(want) {
					t.Errorf("output differs\ngot:\n%s\nwant:\n%s", out, want)
				}
			})
		}
	}
	if tested < 5 {
		t.Fatalf("only %d Kaleidoscope programs with expected output found", tested)
	}
}

// expectedOutput reads the expected standard output of a corpus program
// (NAME.stdout, or NAME.out in older layouts).
func expectedOutput(p string) ([]byte, error) {
	base := strings.TrimSuffix(p, ".k")
	b, err := os.ReadFile(base + ".stdout")
	if err != nil {
		b, err = os.ReadFile(base + ".out")
	}
	return b, err
}

// corpusProgram returns the path, source and expected output of the
// front end's test program NAME.k.
func corpusProgram(t *testing.T, name string) (p string, src, want []byte) {
	t.Helper()
	p = "../../kaleidoscope/testdata/" + name + ".k"
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if want, err = expectedOutput(p); err != nil {
		t.Fatal(err)
	}
	return p, src, want
}

func hasErrors(p string) bool {
	base := strings.TrimSuffix(p, ".k")
	for _, ext := range []string{".stderr", ".err"} {
		if fi, err := os.Stat(base + ext); err == nil && fi.Size() > 0 {
			return true
		}
	}
	return false
}

// TestPartitionedCompilation compiles every function of a program into
// its own object (Options.Only) plus one object with the globals, as a
// lazy JIT does, links them all with gcc and checks the output.
func TestPartitionedCompilation(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Fatal("gcc is required for this test but was not found in PATH (bash scripts/deps.sh installs it)")
	}
	dir := t.TempDir()
	for _, name := range []string{"mandel", "operators", "var"} {
		p, src, want := corpusProgram(t, name)
		m, diags, err := kaleidoscope.Compile(context.Background(), p, []string{p}, [][]byte{src})
		if err != nil || len(diags) > 0 {
			t.Fatalf("front end: %v %v", err, diags)
		}
		if err := passes.ForLevel(2).Run(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		args := []string{"-o", filepath.Join(dir, name)}
		obj, err := amd64.Compile(m, amd64.Options{Only: []*ir.Function{}})
		if err != nil {
			t.Fatal(err)
		}
		o := filepath.Join(dir, name+"-globals.o")
		os.WriteFile(o, obj, 0o644)
		args = append(args, o)
		n := 0
		for _, f := range m.Funcs {
			if f.IsDeclaration() {
				continue
			}
			obj, err := amd64.Compile(m, amd64.Options{Only: []*ir.Function{f}, OmitGlobals: true})
			if err != nil {
				t.Fatalf("@%s: %v", f.Name, err)
			}
			o := filepath.Join(dir, name+"-"+strconv.Itoa(n)+".o")
			os.WriteFile(o, obj, 0o644)
			args = append(args, o)
			n++
		}
		args = append(args, "-lm")
		if out, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
			t.Fatalf("gcc: %v\n%s", err, out)
		}
		out, err := exec.Command(filepath.Join(dir, name)).Output()
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		if string(out) != string(want) {
			t.Errorf("%s: %d partitions: output differs\ngot:\n%s\nwant:\n%s", name, n, out, want)
		}
	}
}

// BenchmarkKaleidoSynthetic2000 compiles the compile-speed program of
// 2,000 functions from the optimised IR to an ELF object (the backend's
// share of `gorc kaleido`; the front end and optimiser are measured in
// package kaleidoscope).
func BenchmarkKaleidoSynthetic2000(b *testing.B) {
	m, diags, _, err := kaleidoscope.CompileOptimized(context.Background(), "s", []string{"s.k"}, [][]byte{kaleidoscope.SyntheticProgram(2000)}, passes.ForLevel(2))
	if err != nil || len(diags) != 0 {
		b.Fatalf("%v %v", err, diags)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := amd64.CompileModule(context.Background(), m, amd64.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(2000*float64(b.N)/b.Elapsed().Seconds(), "functions/s")
}

// TestStream compiles corpus programs through a Stream fed by the
// pipelined front end (each function compiled on the optimiser's goroutine
// as soon as it is optimised, the runtime helpers and main last, as gorc
// kaleido does), links the object with gcc and checks the output; a stream
// given the functions in reverse order (every call a forward reference)
// must link too. Misuse (a function added twice, Finish twice) is refused.
func TestStream(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Fatal("gcc is required for this test but was not found in PATH (bash scripts/deps.sh installs it)")
	}
	dir := t.TempDir()
	ctx := context.Background()
	for _, name := range []string{"mandel", "operators", "var", "fib", "libm"} {
		p, src, want := corpusProgram(t, name)
		for _, reverse := range []bool{false, true} {
			var s *amd64.Stream
			var m *ir.Module
			var diags []*kaleidoscope.Diagnostic
			if !reverse {
				m, diags, _, err = kaleidoscope.CompilePipeline(ctx, p, []string{p}, [][]byte{src}, passes.ForLevel(2), func(m *ir.Module, f *ir.Function) error {
					if s == nil {
						var err error
						if s, err = amd64.NewStream(ctx, m, amd64.Options{Verify: true}); err != nil {
							return err
						}
					}
					return s.Add(f)
				})
			} else {
				m, diags, _, err = kaleidoscope.CompileOptimized(ctx, p, []string{p}, [][]byte{src}, passes.ForLevel(2))
				if err == nil {
					s, err = amd64.NewStream(ctx, m, amd64.Options{})
				}
				for i := len(m.Funcs) - 1; i >= 0 && err == nil; i-- {
					err = s.Add(m.Funcs[i])
				}
			}
			if err != nil || len(diags) > 0 {
				t.Fatalf("%s: %v %v", name, err, diags)
			}
			res, err := s.Finish()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Finish(); err == nil {
				t.Errorf("finishing twice was accepted")
			}
			o := filepath.Join(dir, name+".o")
			if err := os.WriteFile(o, res.Object, 0o644); err != nil {
				t.Fatal(err)
			}
			exe := filepath.Join(dir, name)
			if out, err := exec.Command(gcc, "-o", exe, o, "-lm").CombinedOutput(); err != nil {
				t.Fatalf("%s (reverse %v): gcc: %v\n%s", name, reverse, err, out)
			}
			out, err := exec.Command(exe).Output()
			if err != nil {
				t.Fatalf("%s: run: %v", name, err)
			}
			if string(out) != string(want) {
				t.Errorf("%s (reverse %v): got %q, want %q", name, reverse, out, want)
			}
		}
	}
	m, _, _, err := kaleidoscope.CompileOptimized(ctx, "fib", nil, [][]byte{[]byte("def f(x) x; f(2);")}, passes.ForLevel(2))
	if err != nil {
		t.Fatal(err)
	}
	s, err := amd64.NewStream(ctx, m, amd64.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add(m.Func("f")); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(m.Func("f")); err == nil {
		t.Error("adding a function twice was accepted")
	}
	if _, err := s.Finish(); err == nil {
		t.Error("a stream that failed finished")
	}
}

// benchSourceToObject compiles the compile-speed program of n functions
// from source to an ELF object exactly as gorc kaleido does: the
// pipelined front end and -O2 optimiser feeding an amd64.Stream, each
// function's IR dropped once compiled.
func benchSourceToObject(b *testing.B, n int) {
	src := kaleidoscope.SyntheticProgram(n)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		var s *amd64.Stream
		each := func(m *ir.Module, f *ir.Function) error {
			if s == nil {
				var err error
				if s, err = amd64.NewStream(ctx, m, amd64.Options{SourceName: "s.k", SizeHint: 2 * len(src)}); err != nil {
					return err
				}
			}
			err := s.Add(f)
			f.Blocks = nil
			return err
		}
		_, diags, _, err := kaleidoscope.CompilePipeline(ctx, "s.k", []string{"s.k"}, [][]byte{src}, kaleidoscope.Passes(2), each)
		if err != nil || len(diags) != 0 {
			b.Fatalf("%v %v", err, diags)
		}
		if _, err := s.Finish(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "functions/s")
}

// BenchmarkSourceToObject is gorc kaleido's compile, source to object,
// at 500, 2,000 and 4,000 functions (the whole process adds start-up,
// the link and the run; see kaleidoscope/testdata/bench/run.sh).
func BenchmarkSourceToObject(b *testing.B) {
	for _, n := range []int{500, 2000, 4000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchSourceToObject(b, n) })
	}
}

// BenchmarkCompileLazyShape is the code generation of a lazy first call:
// one function of the synthetic program, optimized as gorc kaleido -lazy
// optimizes a body (passes.ForLevel(2): no inliner, so its calls stay),
// compiled alone (Only, OmitGlobals, NoObject) and released, a function
// per op in turn. Its ns/op is the backend's share of a lazy compile.
func BenchmarkCompileLazyShape(b *testing.B) {
	ctx := context.Background()
	m, diags, err := kaleidoscope.Compile(ctx, "s.k", []string{"s.k"}, [][]byte{kaleidoscope.SyntheticProgram(500)})
	if err != nil || len(diags) != 0 {
		b.Fatalf("%v %v", err, diags)
	}
	if err := passes.ForLevel(2).Run(ctx, m); err != nil {
		b.Fatal(err)
	}
	// A module per function, as the lazy JIT's (its callees referred to
	// by name).
	var mods []*ir.Module
	for _, f := range m.Funcs {
		if !f.IsDeclaration() && f.Name != "main" {
			pm := ir.NewModule("s.k")
			pm.Funcs = []*ir.Function{f}
			f.Module = pm
			mods = append(mods, pm)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := amd64.CompileModule(ctx, mods[i%len(mods)], amd64.Options{SourceName: "s.k", OmitGlobals: true, NoObject: true})
		if err != nil {
			b.Fatal(err)
		}
		r.Release()
	}
}
