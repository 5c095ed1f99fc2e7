//go:build cgo

package jit_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/shared"
)

// shapesC has a C function of each shape Func supports.
const shapesC = `
double poly(double x) { return (x * x + 1.0) * x - 2.0; }
long add3(long a, long b, long c) { return a + b + c; }
double mix(int i, double d, long l, float f) { return i + d + l + f; }
float halve(float f) { return f / 2; }
signed char negc(signed char c) { return -c; }
unsigned short incus(unsigned short u) { return u + 1; }
_Bool positive(double x) { return x > 0; }
int minus(int x) { return -x; }
unsigned long long big(void) { return 0xfedcba9876543210ull; }
long buf[4] = {10, 20, 30, 40};
long *second(void) { return &buf[1]; }
long *next(long *p) { return p + 1; }
long deref(const long *p) { return *p; }
long counter;
void bump(long by) { counter += by; }
void tick(void) { counter++; }
double sub2(double a, double b) { return a - b; }
long subl(long a, long b) { return a - b; }
long negl(long a) { return -a; }
__thread int tv = 5;
__thread double td[2] = {2.5, -1};
int gettv(void) { return tv; }
double gettd(int i) { return td[i]; }
int crash(void) { *(volatile int *)8 = 1; return 0; }
long many(long a, long b, long c, long d, long e, long f, long g, long h,
	  double x0, double x1, double x2, double x3, double x4, double x5,
	  double x6, double x7, double x8, float x9) {
	return a + 2*b + 3*c + 4*d + 5*e + 6*f + 7*g + 8*h +
	       (long)(x0 + 2*x1 + 3*x2 + 4*x3 + 5*x4 + 6*x5 + 7*x6 + 8*x7 + 9*x8 + 10*x9);
}
`

// funcCase calls one function through jit.Func and checks the result.
type funcCase struct {
	name string
	run  func(t *testing.T, j *jit.JIT)
}

func must[F any](t *testing.T, j *jit.JIT, name string) F {
	t.Helper()
	f, err := jit.Func[F](j, name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func equal[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

var funcCases = []funcCase{
	{"double(double)", func(t *testing.T, j *jit.JIT) {
		poly := must[func(float64) float64](t, j, "poly")
		equal(t, "poly(2.5)", poly(2.5), (2.5*2.5+1)*2.5-2)
		equal(t, "poly(-1)", poly(-1), -4.0)
	}},
	{"long(long,long,long)", func(t *testing.T, j *jit.JIT) {
		add3 := must[func(int64, int64, int64) int64](t, j, "add3")
		equal(t, "add3(1,2,3)", add3(1, 2, 3), 6)
		equal(t, "add3(-1<<40,5,-5)", add3(-1<<40, 5, -5), -1<<40)
		// int is C's long on x86-64 Linux.
		equal(t, "add3 as int", must[func(int, int, int) int](t, j, "add3")(7, 8, 9), 24)
	}},
	{"double(int,double,long,float)", func(t *testing.T, j *jit.JIT) {
		mix := must[func(int32, float64, int64, float32) float64](t, j, "mix")
		equal(t, "mix(-1, 0.5, 10, 0.25)", mix(-1, 0.5, 10, 0.25), 9.75)
	}},
	{"float(float)", func(t *testing.T, j *jit.JIT) {
		equal(t, "halve(3)", must[func(float32) float32](t, j, "halve")(3), 1.5)
	}},
	{"narrow integers and bool", func(t *testing.T, j *jit.JIT) {
		equal(t, "negc(5)", must[func(int8) int8](t, j, "negc")(5), -5)
		equal(t, "negc(-128)", must[func(int8) int8](t, j, "negc")(-128), -128)
		equal(t, "incus(65535)", must[func(uint16) uint16](t, j, "incus")(65535), 0)
		positive := must[func(float64) bool](t, j, "positive")
		equal(t, "positive(2)", positive(2), true)
		equal(t, "positive(-2)", positive(-2), false)
		equal(t, "minus(7)", must[func(int32) int32](t, j, "minus")(7), -7)
		equal(t, "big()", must[func() uint64](t, j, "big")(), 0xfedcba9876543210)
	}},
	{"pointer round trip", func(t *testing.T, j *jit.JIT) {
		p := must[func() uintptr](t, j, "second")()
		buf, err := j.Lookup(context.Background(), "buf")
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "second()", p, uintptr(buf)+8)
		next := must[func(shared.ExecutorAddr) shared.ExecutorAddr](t, j, "next")
		equal(t, "next(second())", next(shared.ExecutorAddr(p)), buf+16)
		equal(t, "deref(next(second()))", must[func(uintptr) int64](t, j, "deref")(uintptr(next(shared.ExecutorAddr(p)))), 30)
	}},
	{"void with a side effect", func(t *testing.T, j *jit.JIT) {
		ctx := context.Background()
		bump := must[func(int64)](t, j, "bump")
		bump(40)
		bump(2)
		addr, err := j.Lookup(ctx, "counter")
		if err != nil {
			t.Fatal(err)
		}
		b, err := j.EPC.Read(ctx, addr, 8)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "counter", int64(binary.LittleEndian.Uint64(b)), 42)
	}},
	{"shapes with reflection-free paths", func(t *testing.T, j *jit.JIT) {
		ctx := context.Background()
		addr, err := j.Lookup(ctx, "counter")
		if err != nil {
			t.Fatal(err)
		}
		before, err := j.EPC.Read(ctx, addr, 8)
		if err != nil {
			t.Fatal(err)
		}
		must[func()](t, j, "tick")()
		after, err := j.EPC.Read(ctx, addr, 8)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "tick()", binary.LittleEndian.Uint64(after)-binary.LittleEndian.Uint64(before), 1)
		equal(t, "sub2(1, 0.25)", must[func(float64, float64) float64](t, j, "sub2")(1, 0.25), 0.75)
		equal(t, "negl(5)", must[func(int64) int64](t, j, "negl")(5), -5)
		equal(t, "subl(2, 9)", must[func(int64, int64) int64](t, j, "subl")(2, 9), -7)
		equal(t, "negl(-1<<62) as int", must[func(int) int](t, j, "negl")(-1<<62), 1<<62)
		equal(t, "subl(1<<40, 1) as int", must[func(int, int) int](t, j, "subl")(1<<40, 1), 1<<40-1)
	}},
	{"stack arguments", func(t *testing.T, j *jit.JIT) {
		many := must[func(int64, int64, int64, int64, int64, int64, int64, int64,
			float64, float64, float64, float64, float64, float64, float64, float64, float64, float32) int64](t, j, "many")
		equal(t, "many(1...)", many(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 36+55)
		equal(t, "many(ints only)", many(1, 0, 0, 0, 0, 0, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 1+14+24)
		equal(t, "many(last floats)", many(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0.5), 9+5)
	}},
	{"thread-local initializers", func(t *testing.T, j *jit.JIT) {
		// The call runs on an existing thread; its copy of the block must
		// hold the initializers all the same.
		gettv, gettd := must[func() int32](t, j, "gettv"), must[func(int32) float64](t, j, "gettd")
		for range 3 {
			equal(t, "gettv()", gettv(), 5)
			equal(t, "gettd(0)", gettd(0), 2.5)
			equal(t, "gettd(1)", gettd(1), -1.0)
		}
	}},
	{"result with error", func(t *testing.T, j *jit.JIT) {
		poly := must[func(float64) (float64, error)](t, j, "poly")
		y, err := poly(2)
		if err != nil || y != 8 {
			t.Errorf("poly(2) = %v, %v; want 8, nil", y, err)
		}
		bump := must[func(int64) error](t, j, "bump")
		if err := bump(0); err != nil {
			t.Error(err)
		}
	}},
}

// execModes are the executors typed calls are tested in.
var execModes = []struct {
	name string
	opts func(t testing.TB) jit.Options
}{
	{"local", func(testing.TB) jit.Options { return jit.Options{} }},
	{"child", func(testing.TB) jit.Options { return jit.Options{Exec: "child", ExecutorCommand: []string{os.Args[0]}} }},
	{"tcp", func(t testing.TB) jit.Options { return jit.Options{Exec: tcpExecutor(t)} }},
}

func TestFunc(t *testing.T) {
	obj, err := cc(t.TempDir(), "shapes", shapesC)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range execModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			j, err := jit.New(ctx, mode.opts(t))
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.AddObjectFile(obj); err != nil {
				t.Fatal(err)
			}
			for _, tc := range funcCases {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, j) })
			}
		})
	}
}

// TestFuncRefuses checks that everything wrong is reported by Func, with
// the type or symbol named, rather than at call time.
func TestFuncRefuses(t *testing.T) {
	obj, err := cc(t.TempDir(), "shapes", shapesC)
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
	type point struct{ X, Y float64 }
	tests := []struct {
		name string
		f    func() error
		want []string
	}{
		{"unknown symbol", func() error { _, err := jit.Func[func(float64) float64](j, "nosuch"); return err },
			[]string{`"nosuch"`, "not defined"}},
		{"not a function", func() error { _, err := jit.Func[int](j, "poly"); return err },
			[]string{"int is not a function type"}},
		{"string argument", func() error { _, err := jit.Func[func(string) int](j, "poly"); return err },
			[]string{"argument 1", "type string is not supported"}},
		{"struct argument", func() error { _, err := jit.Func[func(float64, point) float64](j, "poly"); return err },
			[]string{"argument 2", "jit_test.point"}},
		{"slice result", func() error { _, err := jit.Func[func() []byte](j, "poly"); return err },
			[]string{"result", "[]uint8"}},
		{"Go pointer", func() error { _, err := jit.Func[func(*int64) int64](j, "deref"); return err },
			[]string{"*int64", "Go pointers", "uintptr"}},
		{"unsafe.Pointer", func() error { _, err := jit.Func[func(unsafe.Pointer) int64](j, "deref"); return err },
			[]string{"unsafe.Pointer", "Go pointers"}},
		{"two results", func() error { _, err := jit.Func[func() (int, int)](j, "big"); return err },
			[]string{"2 results"}},
		{"variadic", func() error { _, err := jit.Func[func(...int) int](j, "add3"); return err },
			[]string{"variadic"}},
		{"array argument", func() error { _, err := jit.Func[func([4]int)](j, "add3"); return err },
			[]string{"argument 1", "[4]int"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.f()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestFuncExecutorGone: a call into an executor that has ended is an
// error (returned when F has an error result, a *jit.CallError panic
// otherwise), never a hang.
func TestFuncExecutorGone(t *testing.T) {
	obj, err := cc(t.TempDir(), "shapes", shapesC)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	j, err := jit.New(ctx, jit.Options{Exec: "child", ExecutorCommand: []string{os.Args[0]}})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.AddObjectFile(obj); err != nil {
		t.Fatal(err)
	}
	poly := must[func(float64) (float64, error)](t, j, "poly")
	polyNoErr := must[func(float64) float64](t, j, "poly")
	j.Close(ctx)
	if _, err := poly(1); err == nil || !strings.Contains(err.Error(), "call poly") {
		t.Errorf("call after Close: %v", err)
	}
	defer func() {
		r := recover()
		var ce *jit.CallError
		if err, ok := r.(error); !ok || !errors.As(err, &ce) || ce.Name != "poly" {
			t.Errorf("panic %v, want a *jit.CallError for poly", r)
		}
	}()
	polyNoErr(1)
	t.Error("no panic")
}

// TestFuncExecutorCrash: JIT'd code that crashes a child executor is an
// error naming the signal and the function, never a hang.
func TestFuncExecutorCrash(t *testing.T) {
	obj, err := cc(t.TempDir(), "shapes", shapesC)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	j, err := jit.New(ctx, jit.Options{Exec: "child", ExecutorCommand: []string{os.Args[0]}})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if err := j.AddObjectFile(obj); err != nil {
		t.Fatal(err)
	}
	crash := must[func() (int32, error)](t, j, "crash")
	_, err = crash()
	if err == nil || !strings.Contains(err.Error(), "SIGSEGV") || !strings.Contains(err.Error(), "call crash") {
		t.Errorf("crash() error %v, want SIGSEGV in call crash", err)
	}
}

// TestFuncConcurrent calls typed functions from several goroutines at
// once in each executor mode.
func TestFuncConcurrent(t *testing.T) {
	obj, err := cc(t.TempDir(), "shapes", shapesC)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range execModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			j, err := jit.New(ctx, mode.opts(t))
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.AddObjectFile(obj); err != nil {
				t.Fatal(err)
			}
			add3 := must[func(int64, int64, int64) (int64, error)](t, j, "add3")
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range int64(100) {
						r, err := add3(int64(g), i, 1)
						if err != nil || r != int64(g)+i+1 {
							errs <- fmt.Errorf("add3(%d, %d, 1) = %d, %v", g, i, r, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}
