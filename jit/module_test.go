//go:build cgo

package jit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/orc/epc"
)

// hostC is a C program with its own main and printd, which Kaleidoscope's
// runtime also defines.
const hostC = `
static int calls;
double printd(double x) { calls++; return 100 + x; }
int printd_calls(void) { return calls; }
int main(void) { return 7; }
`

const kaleidoSrc = `
extern printd(x);
def cube(x) x * x * x;
def poly(x) cube(x) + 2 * x + 1;
def shout(x) printd(x) + x;
`

// TestKaleidoscopeBesideC compiles Kaleidoscope into a JIT that also
// holds a C object defining main and printd, without printing and
// re-parsing the IR, and calls both through jit.Func.
func TestKaleidoscopeBesideC(t *testing.T) {
	obj, err := cc(t.TempDir(), "host", hostC)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range execModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			opts := mode.opts(t)
			var out lockedBuffer
			if mode.name != "local" {
				opts.Stdio = epc.Stdio{Stdout: &out}
			}
			j, err := jit.New(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.AddObjectFile(obj); err != nil {
				t.Fatal(err)
			}
			m, diags, err := kaleidoscope.CompileLibrary(ctx, "lib.k", []string{"lib.k"}, [][]byte{[]byte(kaleidoSrc)})
			if err != nil || len(diags) > 0 {
				t.Fatalf("compile: %v %v", diags, err)
			}
			if err := j.AddModule(ctx, m, 2); err != nil {
				t.Fatal(err)
			}
			poly := must[func(float64) float64](t, j, "poly")
			equal(t, "poly(2)", poly(2), 13.0)
			// printd is C's: Kaleidoscope's own is private to its module.
			equal(t, "C printd(1)", must[func(float64) float64](t, j, "printd")(1), 101.0)
			if mode.name != "local" { // Kaleidoscope's printd writes to stdout
				equal(t, "shout(3)", must[func(float64) float64](t, j, "shout")(3), 3.0)
				equal(t, "Kaleidoscope printd output", out.String(), "3.000000\n")
			}
			equal(t, "C printd calls", must[func() int32](t, j, "printd_calls")(), 1)
			if mode.name != "local" {
				st, err := j.RunMain(ctx, "main", []string{"host"})
				if err != nil || st != 7 {
					t.Errorf("RunMain = %d, %v; want C's main (7)", st, err)
				}
			}
		})
	}
}

// TestKaleidoscopeProgramClashes: a Kaleidoscope program module (with its
// main and public printd) cannot join the same JIT; that is what
// CompileLibrary is for.
func TestKaleidoscopeProgramClashes(t *testing.T) {
	obj, err := cc(t.TempDir(), "host", hostC)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if err := j.AddObjectFile(obj); err != nil {
		t.Fatal(err)
	}
	m, _, err := kaleidoscope.Compile(ctx, "prog.k", nil, [][]byte{[]byte(kaleidoSrc)})
	if err != nil {
		t.Fatal(err)
	}
	err = j.AddModule(ctx, m, 2)
	if err == nil {
		_, err = jit.Func[func(float64) float64](j, "poly")
	}
	if err == nil || !(strings.Contains(err.Error(), "printd") || strings.Contains(err.Error(), "main")) {
		t.Errorf("program module beside C's main and printd: %v, want a duplicate definition error", err)
	}
}

func TestAddModuleErrors(t *testing.T) {
	ctx := context.Background()
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if err := j.AddModule(ctx, nil, 2); err == nil || !strings.Contains(err.Error(), "nil module") {
		t.Errorf("nil module: %v", err)
	}
	m, err := ir.ParseString("ok.ll", "define double @id(double %x) {\n  ret double %x\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := j.AddModule(ctx, m, 3); err == nil || !strings.Contains(err.Error(), "optimization level 3") {
		t.Errorf("level 3: %v", err)
	}
	// A module built in memory, added without printing.
	b := ir.NewBuilder()
	m = ir.NewModule("built")
	f, err := m.NewFunction("twice", ir.FuncType(ir.F64, []*ir.Type{ir.F64}, false), []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	b.SetInsertPoint(f.NewBlock("entry"))
	b.Ret(b.Binary(ir.OpFAdd, f.Params[0], f.Params[0], "y"))
	if err := j.AddModule(ctx, m, 0); err != nil {
		t.Fatal(err)
	}
	equal(t, "twice(1.25)", must[func(float64) float64](t, j, "twice")(1.25), 2.5)
	// Kaleidoscope library modules have no driver for top-level expressions.
	_, diags, _ := kaleidoscope.CompileLibrary(ctx, "top.k", nil, [][]byte{[]byte("def f(x) x; f(2);")})
	if len(diags) != 1 || !strings.Contains(diags[0].Error(), "top-level expression in a library module") || !strings.Contains(diags[0].Error(), "top.k:1:") {
		t.Errorf("top-level expression in a library: %v", diags)
	}
}
