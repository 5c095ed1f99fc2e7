package amd64

import (
	"bytes"
	"debug/elf"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// End-to-end tests: IR modules are compiled to objects, linked by gcc
// with a small C driver that calls the functions, and run; the output is
// compared with values computed in Go.

func needGCC(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("gcc")
	if err != nil {
		t.Fatal("gcc is required for the backend end-to-end tests but was not found in PATH (bash scripts/deps.sh installs it)")
	}
	return p
}

// runC compiles m, links it with the C driver and returns the program's
// standard output.
func runC(t *testing.T, m *ir.Module, driver string) string {
	t.Helper()
	gcc := needGCC(t)
	if err := ir.Verify(m); err != nil {
		t.Fatalf("test module does not verify: %v", err)
	}
	obj, err := Compile(m, Options{SourceName: m.Name})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if _, err := elf.NewFile(bytes.NewReader(obj)); err != nil {
		t.Fatalf("object does not parse: %v", err)
	}
	dir := t.TempDir()
	o := filepath.Join(dir, "m.o")
	c := filepath.Join(dir, "main.c")
	exe := filepath.Join(dir, "a.out")
	if err := os.WriteFile(o, obj, 0o644); err != nil {
		t.Fatal(err)
	}
	prelude := "#include <stdio.h>\n#include <stdint.h>\n#include <string.h>\n#include <math.h>\n" +
		"static void pd(double d) { uint64_t u; memcpy(&u, &d, 8); printf(\"%016llx\\n\", (unsigned long long)u); }\n" +
		"static void pi(long long v) { printf(\"%lld\\n\", v); }\n"
	if err := os.WriteFile(c, []byte(prelude+driver), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(gcc, "-O1", "-Wall", "-Wno-unused-function", "-o", exe, c, o, "-lm").CombinedOutput()
	if err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(exe)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("running the program: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// expectLines compares program output with the expected lines.
func expectLines(t *testing.T, got string, want []string) {
	t.Helper()
	g := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(g) != len(want) {
		t.Fatalf("got %d lines, want %d\ngot:\n%s", len(g), len(want), got)
	}
	bad := 0
	for i := range want {
		if g[i] != want[i] {
			t.Errorf("line %d: got %s, want %s", i+1, g[i], want[i])
			if bad++; bad > 10 {
				t.FailNow()
			}
		}
	}
}

func hexf(d float64) string { return fmt.Sprintf("%016x", math.Float64bits(d)) }

func parse(t *testing.T, src string) *ir.Module {
	t.Helper()
	m, err := ir.ParseString("test.ll", src)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return m
}

// buildFib builds the Kaleidoscope fib with the IR builder.
func buildFib(m *ir.Module) *ir.Function {
	f, _ := m.NewFunction("fib", ir.FuncType(ir.F64, []*ir.Type{ir.F64}, false), []string{"x"})
	b := ir.NewBuilder()
	entry, then, els := f.NewBlock("entry"), f.NewBlock("then"), f.NewBlock("else")
	b.SetInsertPoint(entry)
	c := b.FCmp(ir.FCmpULT, f.Params[0], ir.NewFloat(3), "cmptmp")
	b.CondBr(c, then, els)
	b.SetInsertPoint(then)
	b.Ret(ir.NewFloat(1))
	b.SetInsertPoint(els)
	x1 := b.FSub(f.Params[0], ir.NewFloat(1), "subtmp")
	c1 := b.Call(f, []ir.Value{x1}, "calltmp")
	x2 := b.FSub(f.Params[0], ir.NewFloat(2), "subtmp")
	c2 := b.Call(f, []ir.Value{x2}, "calltmp")
	b.Ret(b.FAdd(c1, c2, "addtmp"))
	return f
}

func TestFib(t *testing.T) {
	m := ir.NewModule("fib")
	buildFib(m)
	out := runC(t, m, `double fib(double);
int main(void) { for (int i = 0; i <= 25; i++) pd(fib(i)); return 0; }
`)
	var fib func(x float64) float64
	fib = func(x float64) float64 {
		if x < 3 {
			return 1
		}
		return fib(x-1) + fib(x-2)
	}
	var want []string
	for i := 0; i <= 25; i++ {
		want = append(want, hexf(fib(float64(i))))
	}
	expectLines(t, out, want)
}

func TestLoopsWithPhis(t *testing.T) {
	m := parse(t, `
; sum_{i<n} i*i with phis, and a mandelbrot-style loop nest
define double @sumsq(double %n) {
entry:
  br label %loop
loop:
  %i = phi double [ 0.000000e+00, %entry ], [ %inext, %loop ]
  %acc = phi double [ 0.000000e+00, %entry ], [ %acc2, %loop ]
  %sq = fmul double %i, %i
  %acc2 = fadd double %acc, %sq
  %inext = fadd double %i, 1.000000e+00
  %c = fcmp olt double %inext, %n
  br i1 %c, label %loop, label %exit
exit:
  ret double %acc2
}

define i64 @mandel(double %x0, double %y0, i64 %max) {
entry:
  br label %head
head:
  %x = phi double [ 0.0, %entry ], [ %xn, %body ]
  %y = phi double [ 0.0, %entry ], [ %yn, %body ]
  %k = phi i64 [ 0, %entry ], [ %k1, %body ]
  %xx = fmul double %x, %x
  %yy = fmul double %y, %y
  %r = fadd double %xx, %yy
  %big = fcmp ogt double %r, 4.0
  br i1 %big, label %done, label %check
check:
  %more = icmp slt i64 %k, %max
  br i1 %more, label %body, label %done
body:
  %xy = fmul double %x, %y
  %xy2 = fmul double %xy, 2.0
  %yn = fadd double %xy2, %y0
  %d = fsub double %xx, %yy
  %xn = fadd double %d, %x0
  %k1 = add i64 %k, 1
  br label %head
done:
  ret i64 %k
}

; swap: phis that read each other (parallel copy semantics)
define i64 @swapper(i64 %n) {
entry:
  br label %loop
loop:
  %a = phi i64 [ 1, %entry ], [ %b, %loop ]
  %b = phi i64 [ 2, %entry ], [ %a, %loop ]
  %i = phi i64 [ 0, %entry ], [ %i1, %loop ]
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, %n
  br i1 %c, label %loop, label %exit
exit:
  %r = mul i64 %a, 10
  %s = add i64 %r, %b
  ret i64 %s
}

define double @nest(i64 %n) {
entry:
  br label %outer
outer:
  %i = phi i64 [ 0, %entry ], [ %i1, %outer.latch ]
  %s = phi double [ 0.0, %entry ], [ %s2, %outer.latch ]
  br label %inner
inner:
  %j = phi i64 [ 0, %outer ], [ %j1, %inner ]
  %t = phi double [ %s, %outer ], [ %t2, %inner ]
  %p = mul i64 %i, %j
  %pf = sitofp i64 %p to double
  %q = fdiv double %pf, 7.0
  %t2 = fadd double %t, %q
  %j1 = add i64 %j, 1
  %cj = icmp slt i64 %j1, %n
  br i1 %cj, label %inner, label %outer.latch
outer.latch:
  %s2 = phi double [ %t2, %inner ]
  %i1 = add i64 %i, 1
  %ci = icmp slt i64 %i1, %n
  br i1 %ci, label %outer, label %exit
exit:
  ret double %s2
}
`)
	out := runC(t, m, `double sumsq(double); long long mandel(double, double, long long); long long swapper(long long); double nest(long long);
int main(void) {
	for (int n = 1; n < 50; n += 7) pd(sumsq(n));
	for (double y = -1.2; y < 1.2; y += 0.3) for (double x = -2; x < 0.6; x += 0.4) pi(mandel(x, y, 200));
	for (int n = 1; n < 6; n++) pi(swapper(n));
	for (int n = 1; n < 40; n += 9) pd(nest(n));
	return 0;
}
`)
	var want []string
	for n := 1; n < 50; n += 7 {
		acc, i := 0.0, 0.0
		for {
			acc += i * i
			i++
			if !(i < float64(n)) {
				break
			}
		}
		want = append(want, hexf(acc))
	}
	for y := -1.2; y < 1.2; y += 0.3 {
		for x := -2.0; x < 0.6; x += 0.4 {
			var zx, zy float64
			k := int64(0)
			for {
				xx, yy := zx*zx, zy*zy
				if xx+yy > 4 || k >= 200 {
					break
				}
				xy := zx * zy
				zy = xy*2 + y
				zx = xx - yy + x
				k++
			}
			want = append(want, strconv.FormatInt(k, 10))
		}
	}
	for n := 1; n < 6; n++ {
		a, b := int64(1), int64(2)
		for i := 1; i < n; i++ {
			a, b = b, a
		}
		want = append(want, strconv.FormatInt(a*10+b, 10))
	}
	for n := int64(1); n < 40; n += 9 {
		s := 0.0
		for i := int64(0); i < n; i++ {
			for j := int64(0); j < n; j++ {
				s += float64(i*j) / 7
			}
		}
		want = append(want, hexf(s))
	}
	expectLines(t, out, want)
}

// TestSpills keeps far more values live than there are registers, across
// calls too.
func TestSpills(t *testing.T) {
	const n = 40
	m := ir.NewModule("spills")
	ext, _ := m.NewFunction("ext", ir.FuncType(ir.F64, []*ir.Type{ir.F64}, false), nil)
	f, _ := m.NewFunction("many", ir.FuncType(ir.F64, []*ir.Type{ir.F64, ir.F64}, false), []string{"a", "b"})
	g, _ := m.NewFunction("manyi", ir.FuncType(ir.I64, []*ir.Type{ir.I64, ir.I64}, false), []string{"a", "b"})
	b := ir.NewBuilder()
	b.SetInsertPoint(f.NewBlock("entry"))
	var vs []ir.Value
	x, y := ir.Value(f.Params[0]), ir.Value(f.Params[1])
	for i := 0; i < n; i++ {
		v := b.FAdd(b.FMul(x, ir.NewFloat(float64(i+1)), ""), y, "")
		if i%10 == 9 {
			v = b.Call(ext, []ir.Value{v}, "")
		}
		vs = append(vs, v)
		x, y = y, v
	}
	acc := ir.Value(ir.NewFloat(0))
	for i, v := range vs {
		acc = b.FAdd(b.FMul(acc, ir.NewFloat(0.5), ""), b.FSub(v, ir.NewFloat(float64(i)), ""), "")
	}
	b.Ret(acc)
	b.SetInsertPoint(g.NewBlock("entry"))
	var is []ir.Value
	p, q := ir.Value(g.Params[0]), ir.Value(g.Params[1])
	for i := 0; i < n; i++ {
		v := b.Add(b.Mul(p, ir.NewInt(ir.I64, int64(i+3)), ""), q, "")
		is = append(is, v)
		p, q = q, v
	}
	iacc := ir.Value(ir.NewInt(ir.I64, 0))
	for i, v := range is {
		iacc = b.Binary(ir.OpXor, b.Sub(iacc, ir.NewInt(ir.I64, int64(i)), ""), v, "")
	}
	b.Ret(iacc)
	out := runC(t, m, `double many(double, double); long long manyi(long long, long long);
double ext(double x) { return x * 0.25 + 1; }
int main(void) { pd(many(1.5, -0.25)); pd(many(3, 7)); pi(manyi(3, 5)); pi(manyi(-7, 11)); return 0; }
`)
	goMany := func(x, y float64) float64 {
		var vs []float64
		for i := 0; i < n; i++ {
			v := x*float64(i+1) + y
			if i%10 == 9 {
				v = v*0.25 + 1
			}
			vs = append(vs, v)
			x, y = y, v
		}
		acc := 0.0
		for i, v := range vs {
			acc = acc*0.5 + (v - float64(i))
		}
		return acc
	}
	goManyI := func(p, q int64) int64 {
		var is []int64
		for i := 0; i < n; i++ {
			v := p*int64(i+3) + q
			is = append(is, v)
			p, q = q, v
		}
		acc := int64(0)
		for i, v := range is {
			acc = (acc - int64(i)) ^ v
		}
		return acc
	}
	expectLines(t, out, []string{hexf(goMany(1.5, -0.25)), hexf(goMany(3, 7)), fmt.Sprint(goManyI(3, 5)), fmt.Sprint(goManyI(-7, 11))})
}

// TestManyArgs passes 10 doubles and 8 integers (stack arguments) in both
// directions.
func TestManyArgs(t *testing.T) {
	m := ir.NewModule("args")
	var ps []*ir.Type
	for i := 0; i < 10; i++ {
		ps = append(ps, ir.F64)
	}
	mixed := []*ir.Type{ir.I64, ir.F64, ir.I64, ir.I64, ir.F64, ir.I64, ir.I64, ir.I64, ir.I64, ir.F64, ir.I64}
	sum10, _ := m.NewFunction("sum10", ir.FuncType(ir.F64, ps, false), nil)
	cext, _ := m.NewFunction("c10", ir.FuncType(ir.F64, ps, false), nil)
	mix, _ := m.NewFunction("mix", ir.FuncType(ir.F64, mixed, false), nil)
	caller, _ := m.NewFunction("caller", ir.FuncType(ir.F64, []*ir.Type{ir.F64}, false), []string{"x"})
	b := ir.NewBuilder()
	b.SetInsertPoint(sum10.NewBlock("entry"))
	acc := ir.Value(ir.NewFloat(0))
	for i, p := range sum10.Params {
		acc = b.FAdd(b.FMul(acc, ir.NewFloat(3), ""), b.FMul(p, ir.NewFloat(float64(i+1)), ""), "")
	}
	b.Ret(acc)
	b.SetInsertPoint(mix.NewBlock("entry"))
	acc = ir.NewFloat(0)
	for _, p := range mix.Params {
		v := ir.Value(p)
		if p.Typ.IsInt() {
			v = b.Cast(ir.OpSIToFP, p, ir.F64, "")
		}
		acc = b.FAdd(b.FMul(acc, ir.NewFloat(2), ""), v, "")
	}
	b.Ret(acc)
	b.SetInsertPoint(caller.NewBlock("entry"))
	var args []ir.Value
	for i := 0; i < 10; i++ {
		args = append(args, b.FAdd(caller.Params[0], ir.NewFloat(float64(i)), ""))
	}
	r1 := b.Call(cext, args, "")
	r2 := b.Call(sum10, args, "")
	var margs []ir.Value
	for i, ty := range mixed {
		if ty.IsInt() {
			margs = append(margs, ir.NewInt(ir.I64, int64(i*i-5)))
		} else {
			margs = append(margs, args[i])
		}
	}
	r3 := b.Call(mix, margs, "")
	b.Ret(b.FSub(b.FAdd(r1, r2, ""), r3, ""))
	out := runC(t, m, `double sum10(double,double,double,double,double,double,double,double,double,double);
double mix(long long, double, long long, long long, double, long long, long long, long long, long long, double, long long);
double caller(double);
double c10(double a,double b,double c,double d,double e,double f,double g,double h,double i,double j) {
	return a - b * 2 + c * 3 - d * 4 + e * 5 - f * 6 + g * 7 - h * 8 + i * 9 - j * 10;
}
int main(void) {
	pd(sum10(1,2,3,4,5,6,7,8,9,10.5));
	pd(mix(1, 2.5, 3, 4, 5.5, 6, 7, 8, 9, 10.5, -11));
	pd(caller(0.5)); pd(caller(-3));
	return 0;
}
`)
	goSum := func(p []float64) float64 {
		acc := 0.0
		for i, v := range p {
			acc = acc*3 + v*float64(i+1)
		}
		return acc
	}
	goMix := func(p []float64) float64 {
		acc := 0.0
		for _, v := range p {
			acc = acc*2 + v
		}
		return acc
	}
	goC10 := func(p []float64) float64 {
		a, b, c, d, e, f, g, h, i, j := p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9]
		return a - b*2 + c*3 - d*4 + e*5 - f*6 + g*7 - h*8 + i*9 - j*10
	}
	goCaller := func(x float64) float64 {
		var a []float64
		for i := 0; i < 10; i++ {
			a = append(a, x+float64(i))
		}
		var ma []float64
		for i, ty := range mixed {
			if ty.IsInt() {
				ma = append(ma, float64(i*i-5))
			} else {
				ma = append(ma, a[i])
			}
		}
		return goC10(a) + goSum(a) - goMix(ma)
	}
	expectLines(t, out, []string{
		hexf(goSum([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10.5})),
		hexf(goMix([]float64{1, 2.5, 3, 4, 5.5, 6, 7, 8, 9, 10.5, -11})),
		hexf(goCaller(0.5)), hexf(goCaller(-3)),
	})
}

var fcmpPreds = []struct {
	name string
	f    func(a, b float64) bool
}{
	{"false", func(a, b float64) bool { return false }},
	{"oeq", func(a, b float64) bool { return a == b }},
	{"ogt", func(a, b float64) bool { return a > b }},
	{"oge", func(a, b float64) bool { return a >= b }},
	{"olt", func(a, b float64) bool { return a < b }},
	{"ole", func(a, b float64) bool { return a <= b }},
	{"one", func(a, b float64) bool { return a < b || a > b }},
	{"ord", func(a, b float64) bool { return !math.IsNaN(a) && !math.IsNaN(b) }},
	{"uno", func(a, b float64) bool { return math.IsNaN(a) || math.IsNaN(b) }},
	{"ueq", func(a, b float64) bool { return !(a < b || a > b) }},
	{"ugt", func(a, b float64) bool { return !(a <= b) }},
	{"uge", func(a, b float64) bool { return !(a < b) }},
	{"ult", func(a, b float64) bool { return !(a >= b) }},
	{"ule", func(a, b float64) bool { return !(a > b) }},
	{"une", func(a, b float64) bool { return a != b }},
	{"true", func(a, b float64) bool { return true }},
}

// TestFCmp checks every fcmp predicate, as a value (setcc) and as a
// branch, against a register, a constant, with NaNs and infinities.
func TestFCmp(t *testing.T) {
	var src strings.Builder
	var decls, calls strings.Builder
	for _, p := range fcmpPreds {
		fmt.Fprintf(&src, `
define i32 @v_%[1]s(double %%a, double %%b) {
  %%c = fcmp %[1]s double %%a, %%b
  %%z = zext i1 %%c to i32
  ret i32 %%z
}
define double @b_%[1]s(double %%a, double %%b) {
entry:
  %%c = fcmp %[1]s double %%a, %%b
  br i1 %%c, label %%yes, label %%no
yes:
  ret double 1.0
no:
  ret double 0.0
}
define i32 @k_%[1]s(double %%a) {
entry:
  %%c = fcmp %[1]s double %%a, 1.5
  br i1 %%c, label %%no, label %%yes
yes:
  ret i32 7
no:
  ret i32 3
}
`, p.name)
		fmt.Fprintf(&decls, "int v_%[1]s(double, double); double b_%[1]s(double, double); int k_%[1]s(double);\n", p.name)
		fmt.Fprintf(&calls, "\t\tpi(v_%[1]s(x, y)); pd(b_%[1]s(x, y)); pi(k_%[1]s(x));\n", p.name)
	}
	vals := []float64{0, 1.5, -2, math.NaN(), math.Inf(1), math.Inf(-1), 1e-300}
	out := runC(t, parse(t, src.String()), decls.String()+`
int main(void) {
	double v[] = {0, 1.5, -2, NAN, INFINITY, -INFINITY, 1e-300};
	for (int i = 0; i < 7; i++) for (int j = 0; j < 7; j++) {
		double x = v[i], y = v[j];
`+calls.String()+`
	}
	return 0;
}
`)
	var want []string
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	for _, x := range vals {
		for _, y := range vals {
			for _, p := range fcmpPreds {
				want = append(want, fmt.Sprint(b2i(p.f(x, y))), hexf(float64(b2i(p.f(x, y)))))
				if p.f(x, 1.5) {
					want = append(want, "3")
				} else {
					want = append(want, "7")
				}
			}
		}
	}
	expectLines(t, out, want)
}

// TestIntegerOps covers icmp, division, shifts, extensions and
// conversions on i64 and i32.
func TestIntegerOps(t *testing.T) {
	m := parse(t, `
define i64 @sdiv(i64 %a, i64 %b) {
  %r = sdiv i64 %a, %b
  ret i64 %r
}
define i64 @srem(i64 %a, i64 %b) {
  %r = srem i64 %a, %b
  ret i64 %r
}
define i64 @udiv(i64 %a, i64 %b) {
  %r = udiv i64 %a, %b
  ret i64 %r
}
define i32 @sdiv32(i32 %a, i32 %b) {
  %r = sdiv i32 %a, %b
  ret i32 %r
}
define i64 @shifts(i64 %a, i64 %n) {
  %x = shl i64 %a, %n
  %y = ashr i64 %a, %n
  %z = lshr i64 %a, 3
  %s = xor i64 %x, %y
  %t = add i64 %s, %z
  ret i64 %t
}
define i64 @cmps(i64 %a, i64 %b) {
  %c1 = icmp slt i64 %a, %b
  %c2 = icmp ult i64 %a, %b
  %c3 = icmp eq i64 %a, 5
  %c4 = icmp sge i32 7, 3
  %z1 = zext i1 %c1 to i64
  %z2 = zext i1 %c2 to i64
  %z3 = zext i1 %c3 to i64
  %s4 = sext i1 %c4 to i64
  %m2 = shl i64 %z2, 1
  %m3 = shl i64 %z3, 2
  %o = or i64 %z1, %m2
  %o2 = or i64 %o, %m3
  %o3 = mul i64 %o2, %s4
  ret i64 %o3
}
define i64 @sel(i64 %a, i64 %b) {
  %c = icmp sgt i64 %a, %b
  %r = select i1 %c, i64 %a, i64 %b
  ret i64 %r
}
define double @fsel(double %a, double %b) {
  %c = fcmp olt double %a, %b
  %r = select i1 %c, double %a, double %b
  ret double %r
}
define double @conv(i64 %a, i32 %b, i8 %c) {
  %x = sitofp i64 %a to double
  %y = uitofp i64 %a to double
  %z = sitofp i32 %b to double
  %w = uitofp i8 %c to double
  %s1 = fadd double %x, %y
  %s2 = fadd double %s1, %z
  %s3 = fadd double %s2, %w
  ret double %s3
}
define i64 @ftrunc(double %d) {
  %i = fptosi double %d to i64
  %j = fptosi double %d to i32
  %k = sext i32 %j to i64
  %r = add i64 %i, %k
  ret i64 %r
}
define i64 @futoi(double %d) {
  %i = fptoui double %d to i64
  ret i64 %i
}
define i64 @bits(double %d) {
  %b = bitcast double %d to i64
  ret i64 %b
}
define double @neg(double %d) {
  %n = fneg double %d
  ret double %n
}
define double @frem(double %a, double %b) {
  %r = frem double %a, %b
  ret double %r
}
`)
	out := runC(t, m, `long long sdiv(long long, long long), srem(long long, long long), udiv(long long, long long);
int sdiv32(int, int); long long shifts(long long, long long), cmps(long long, long long), sel(long long, long long);
double fsel(double, double), conv(long long, int, unsigned char); long long ftrunc(double), bits(double); unsigned long long futoi(double); double neg(double), frem(double, double);
int main(void) {
	long long v[] = {5, -7, 100, 3, -1, 0x7fffffffffffLL};
	for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) {
		long long a = v[i], b = v[j];
		pi(sdiv(a, b)); pi(srem(a, b)); pi(udiv(a, b)); pi(sdiv32((int)a, (int)b));
		pi(shifts(a, j)); pi(cmps(a, b)); pi(sel(a, b)); pd(fsel(a * 0.5, b * 0.25));
		pd(conv(a * b, (int)(a - b), (unsigned char)(a + 300)));
	}
	pd(conv(-1, 0, 0)); pd(conv(0x8000000000000001LL, 0, 0));
	pi(ftrunc(-3.75)); pi(ftrunc(1e9 + 0.5)); pi(bits(-0.0)); printf("%llu %llu %llu\n", futoi(3.9), futoi(9223372036854775808.0), futoi(18446744073709549568.0)); pd(neg(0.0)); pd(neg(-2.5)); pd(frem(7.5, 2));
	return 0;
}
`)
	vals := []int64{5, -7, 100, 3, -1, 0x7fffffffffff}
	var want []string
	wi := func(v int64) { want = append(want, strconv.FormatInt(v, 10)) }
	wd := func(d float64) { want = append(want, hexf(d)) }
	b2i := func(b bool) int64 {
		if b {
			return 1
		}
		return 0
	}
	conv := func(a int64, b int32, c uint8) float64 {
		return float64(a) + float64(uint64(a)) + float64(b) + float64(c)
	}
	for i, a := range vals {
		for j, b := range vals {
			wi(a / b)
			wi(a % b)
			wi(int64(uint64(a) / uint64(b)))
			wi(int64(int32(a) / int32(b)))
			wi((a<<uint(j) ^ a>>uint(j)) + int64(uint64(a)>>3))
			wi((b2i(a < b) | b2i(uint64(a) < uint64(b))<<1 | b2i(a == 5)<<2) * -1)
			wi(max(a, b))
			x, y := float64(a)*0.5, float64(b)*0.25
			if x < y {
				wd(x)
			} else {
				wd(y)
			}
			wd(conv(a*b, int32(a-b), uint8(a+300)))
			_ = i
		}
	}
	wd(conv(-1, 0, 0))
	n := int64(-0x7fffffffffffffff)
	wd(conv(n, 0, 0))
	wi(-3 + -3)
	wi(2000000000)
	wi(int64(math.Float64bits(math.Copysign(0, -1))))
	want = append(want, fmt.Sprintf("%d %d %d", uint64(3), uint64(1)<<63, uint64(18446744073709549568)))
	wd(math.Copysign(0, -1))
	wd(2.5)
	wd(math.Mod(7.5, 2))
	expectLines(t, out, want)
}

// TestMemory covers allocas, globals (defined, constant, external) and a
// variadic call to printf.
func TestMemory(t *testing.T) {
	m := parse(t, `
@counter = global i64 5
@scale = constant double 2.5
@buf = global [4 x double] zeroinitializer
@ext_val = external global i64
@fmt = private unnamed_addr constant [10 x i8] c"v=%.3f %d\00"

declare i32 @printf(ptr, ...)

define i64 @bump(i64 %d) {
  %v = load i64, ptr @counter
  %n = add i64 %v, %d
  store i64 %n, ptr @counter
  %e = load i64, ptr @ext_val
  %r = add i64 %n, %e
  ret i64 %r
}

define double @local(double %x) {
entry:
  %a = alloca double
  %arr = alloca [3 x double]
  store double %x, ptr %a
  %p1 = getelementptr [3 x double], ptr %arr, i64 0, i64 1
  %s = load double, ptr @scale
  %xs = fmul double %x, %s
  store double %xs, ptr %p1
  %v = load double, ptr %p1
  %w = load double, ptr %a
  %r = fadd double %v, %w
  %g = getelementptr [4 x double], ptr @buf, i64 0, i64 3
  store double %r, ptr %g
  ret double %r
}

define double @idx(i64 %i) {
  %p = getelementptr double, ptr @buf, i64 %i
  %v = load double, ptr %p
  ret double %v
}

define i32 @say(double %x) {
  %r = call i32 (ptr, ...) @printf(ptr @fmt, double %x, i32 42)
  ret i32 %r
}
`)
	out := runC(t, m, `long long bump(long long); double local(double); double idx(long long); int say(double);
long long ext_val = 1000;
extern long long counter; extern double buf[4];
int main(void) {
	pi(bump(3)); pi(bump(4)); pi(counter);
	pd(local(1.25)); pd(idx(3)); pd(buf[3]); pd(idx(0));
	int n = say(3.14159); printf("\n"); pi(n);
	return 0;
}
`)
	expectLines(t, out, []string{"1008", "1012", "12", hexf(1.25*2.5 + 1.25), hexf(1.25*2.5 + 1.25), hexf(1.25*2.5 + 1.25), hexf(0), "v=3.142 42", "10"})
}

// TestFoldedConditions covers branches on and/or of compares and the
// Kaleidoscope boolean pattern (fcmp one (uitofp i1 c), 0.0), with NaNs.
func TestFoldedConditions(t *testing.T) {
	m := parse(t, `
define double @orc(double %a, double %b) {
entry:
  %c1 = fcmp ugt double %a, 4.0
  %c2 = fcmp oge double %b, %a
  %o = or i1 %c1, %c2
  br i1 %o, label %yes, label %no
yes:
  ret double 1.0
no:
  ret double 2.0
}
define double @andc(double %a, double %b) {
entry:
  %c1 = fcmp olt double %a, %b
  %c2 = fcmp une double %b, 3.0
  %o = and i1 %c1, %c2
  br i1 %o, label %yes, label %no
yes:
  %p = phi double [ %a, %entry ]
  ret double %p
no:
  ret double %b
}
define double @kbool(double %a, double %b) {
entry:
  %cmptmp = fcmp ult double %a, %b
  %booltmp = uitofp i1 %cmptmp to double
  %ifcond = fcmp one double %booltmp, 0.0
  br i1 %ifcond, label %then, label %else
then:
  br label %ifcont
else:
  br label %ifcont
ifcont:
  %iftmp = phi double [ %a, %then ], [ %b, %else ]
  ret double %iftmp
}
define double @kboolval(double %a, double %b) {
  %cmptmp = fcmp ult double %a, %b
  %booltmp = uitofp i1 %cmptmp to double
  ret double %booltmp
}
`)
	out := runC(t, m, `double orc(double, double), andc(double, double), kbool(double, double), kboolval(double, double);
int main(void) {
	double v[] = {0, 3, 5, NAN, -INFINITY};
	for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) {
		pd(orc(v[i], v[j])); pd(andc(v[i], v[j])); pd(kbool(v[i], v[j])); pd(kboolval(v[i], v[j]));
	}
	return 0;
}
`)
	vals := []float64{0, 3, 5, math.Float64frombits(0x7ff8000000000000), math.Inf(-1)} // C's NAN
	var want []string
	for _, a := range vals {
		for _, b := range vals {
			if !(a <= 4) || b >= a {
				want = append(want, hexf(1))
			} else {
				want = append(want, hexf(2))
			}
			if a < b && b != 3 {
				want = append(want, hexf(a))
			} else {
				want = append(want, hexf(b))
			}
			if !(a >= b) {
				want = append(want, hexf(a), hexf(1))
			} else {
				want = append(want, hexf(b), hexf(0))
			}
		}
	}
	expectLines(t, out, want)
}

// TestNarrowIntegerABI checks that i1/i8/i16 arguments and results cross
// the C boundary extended to 32 bits (i1 zero-, i8/i16 sign-extended).
func TestNarrowIntegerABI(t *testing.T) {
	m := parse(t, `
declare i64 @wide8(i8)
declare i64 @wide1(i1)
declare i64 @wide16(i16)

define i64 @pass(i64 %x) {
  %a = trunc i64 %x to i8
  %b = trunc i64 %x to i1
  %c = trunc i64 %x to i16
  %ra = call i64 @wide8(i8 %a)
  %rb = call i64 @wide1(i1 %b)
  %rc = call i64 @wide16(i16 %c)
  %s = mul i64 %ra, 1000000
  %t = mul i64 %rb, 1000
  %u = add i64 %s, %t
  %v = add i64 %u, %rc
  ret i64 %v
}
define i8 @ret8(i64 %x) {
  %t = trunc i64 %x to i8
  ret i8 %t
}
define i1 @ret1(i64 %x) {
  %t = trunc i64 %x to i1
  ret i1 %t
}
`)
	out := runC(t, m, `long long wide8(int x) { return x; } long long wide1(int x) { return x; } long long wide16(int x) { return x; }
long long pass(long long); int ret8(long long); int ret1(long long);
int main(void) {
	pi(pass(0x1ff)); pi(pass(0x12345)); pi(pass(0x7ffe));
	pi(ret8(0x1ff)); pi(ret8(0x17f)); pi(ret1(3)); pi(ret1(0x7ffffffe));
	return 0;
}
`)
	pass := func(x int64) int64 { return int64(int8(x))*1000000 + (x&1)*1000 + int64(int16(x)) }
	expectLines(t, out, []string{fmt.Sprint(pass(0x1ff)), fmt.Sprint(pass(0x12345)), fmt.Sprint(pass(0x7ffe)), "-1", "127", "1", "0"})
}

// TestSingleFloat covers float (f32): arithmetic with registers and
// constants, fneg, frem, compares with NaN, conversions both ways,
// fpext/fptrunc, loads and stores, globals, calls with float arguments,
// and bitcasts.
func TestSingleFloat(t *testing.T) {
	m := parse(t, `
@g = global float 1.5
declare float @cf(float, double, float)

define float @arith(float %a, float %b) {
  %s = fadd float %a, %b
  %m = fmul float %s, 2.5
  %d = fdiv float %m, %b
  %x = fsub float 1.0, %d
  %n = fneg float %x
  %r = frem float %n, 3.0
  ret float %r
}
define i32 @cmp(float %a, float %b) {
  %c1 = fcmp olt float %a, %b
  %c2 = fcmp une float %a, 0.5
  %z1 = zext i1 %c1 to i32
  %z2 = zext i1 %c2 to i32
  %s = shl i32 %z2, 1
  %o = or i32 %z1, %s
  ret i32 %o
}
define float @branch(float %a) {
entry:
  %c = fcmp ugt float %a, 4.0
  br i1 %c, label %big, label %small
big:
  ret float 1.0
small:
  ret float 0.0
}
define double @conv(i64 %i, float %f) {
  %a = sitofp i64 %i to float
  %b = uitofp i64 %i to float
  %c = fadd float %a, %b
  %e = fpext float %c to double
  %t = fptosi float %f to i64
  %u = fptoui float %f to i64
  %tu = add i64 %t, %u
  %td = sitofp i64 %tu to double
  %r = fadd double %e, %td
  ret double %r
}
define float @narrow(double %d) {
  %f = fptrunc double %d to float
  ret float %f
}
define float @mem(float %x) {
  %p = alloca float
  store float %x, ptr %p
  %v = load float, ptr %p
  %gv = load float, ptr @g
  %s = fadd float %v, %gv
  store float %s, ptr @g
  %r = call float @cf(float %s, double 2.0, float %x)
  ret float %r
}
define i32 @bits(float %x) {
  %b = bitcast float %x to i32
  ret i32 %b
}
`)
	out := runC(t, m, `float arith(float, float), branch(float), narrow(double), mem(float); int cmp(float, float), bits(float);
double conv(long long, float); extern float g;
float cf(float a, double b, float c) { return a * (float)b - c; }
static void pf(float f) { uint32_t u; memcpy(&u, &f, 4); if (f != f) puts("nan"); else printf("%08x\n", u); }
int main(void) {
	float v[] = {0.25f, -3, 5, NAN, INFINITY};
	for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) { pf(arith(v[i], v[j])); pi(cmp(v[i], v[j])); }
	for (int i = 0; i < 5; i++) pf(branch(v[i]));
	pd(conv(123456789, 7.75f)); pd(conv(-5, 1e10f)); pd(conv(-1, 2.5f));
	pf(narrow(0.1)); pf(narrow(1e300));
	pf(mem(2.0f)); pf(g); pi(bits(-1.5f));
	return 0;
}
`)
	// NaN signs from fmodf differ from Go's math.Mod; print NaNs as "nan".
	f32 := func(x float32) string {
		if x != x {
			return "nan"
		}
		return fmt.Sprintf("%08x", math.Float32bits(x))
	}
	vals := []float32{0.25, -3, 5, float32(math.Float64frombits(0x7ff8000000000000)), float32(math.Inf(1))}
	var want []string
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	for _, a := range vals {
		for _, b := range vals {
			s := a + b
			mm := s * 2.5
			d := mm / b
			x := 1 - d
			n := -x
			r := float32(math.Mod(float64(n), 3))
			want = append(want, f32(r), fmt.Sprint(b2i(a < b)|b2i(a != 0.5)<<1))
		}
	}
	for _, a := range vals {
		if !(a <= 4) {
			want = append(want, f32(1))
		} else {
			want = append(want, f32(0))
		}
	}
	conv := func(i int64, f float32) float64 {
		c := float32(i) + float32(uint64(i))
		return float64(c) + float64(int64(f)+int64(uint64(f)))
	}
	want = append(want, hexf(conv(123456789, 7.75)), hexf(conv(-5, 1e10)))
	// conv(-1, 2.5): uitofp of -1 is 2^64 as a float.
	want = append(want, hexf(float64(float32(-1)+float32(uint64(math.MaxUint64)))+4))
	want = append(want, f32(float32(0.1)), f32(float32(math.Inf(1))))
	s := float32(2) + 1.5
	want = append(want, f32(s*2-2), f32(s), "-1077936128")
	expectLines(t, out, want)
}
