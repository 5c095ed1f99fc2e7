//go:build cgo

package executor

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

// callLib builds a shared library of C functions of every argument shape
// with gcc and loads it.
func callLib(t testing.TB) shared.ExecutorAddr {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "shapes.c")
	so := filepath.Join(dir, "libshapes.so")
	os.WriteFile(src, []byte(`
double poly(double x) { return (x * x + 1.0) * x - 2.0; }
long add3(long a, long b, long c) { return a + b + c; }
double mix(int i, double d, long l, float f) { return i + d + l + f; }
float halve(float f) { return f / 2; }
long many(long a, long b, long c, long d, long e, long f, long g, long h,
	  double x0, double x1, double x2, double x3, double x4, double x5,
	  double x6, double x7, double x8, double x9) {
	return a + 2*b + 3*c + 4*d + 5*e + 6*f + 7*g + 8*h +
	       (long)(x0 + 2*x1 + 3*x2 + 4*x3 + 5*x4 + 6*x5 + 7*x6 + 8*x7 + 9*x8 + 10*x9);
}
/* Stack arguments of mixed kinds: the 7th integer and the 9th float,
   then the 8th integer; each takes one 8-byte slot. */
double stackmix(long a, long b, long c, long d, long e, long f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7,
		long g, float y, long h) { return g * 100 + y * 10 + h; }
int aligned(void) { double v __attribute__((aligned(16))) = 1; return ((unsigned long)__builtin_frame_address(0) & 15) == 0 && v == 1; }
`), 0o644)
	if out, err := exec.Command("gcc", "-O1", "-shared", "-fPIC", "-o", so, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	h, err := Dlopen(so)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func f64(x float64) uint64 { return math.Float64bits(x) }

func TestCall(t *testing.T) {
	h := callLib(t)
	tests := []struct {
		fn                   string
		ints, floats, stack  []uint64
		wantInt              uint64
		wantFloat            float64
		float32Result, isInt bool
	}{
		{fn: "poly", floats: []uint64{f64(2.5)}, wantFloat: (2.5*2.5+1)*2.5 - 2},
		{fn: "add3", ints: []uint64{1, 2, 3}, wantInt: 6, isInt: true},
		{fn: "add3", ints: []uint64{uint64(1 << 40), ^uint64(0), 1}, wantInt: 1 << 40, isInt: true},
		{fn: "mix", ints: []uint64{uint64(0xffffffff), 10}, floats: []uint64{f64(0.5), uint64(math.Float32bits(0.25))}, wantFloat: -1 + 0.5 + 10 + 0.25},
		{fn: "halve", floats: []uint64{uint64(math.Float32bits(3))}, wantFloat: 1.5, float32Result: true},
		{fn: "many", ints: []uint64{1, 1, 1, 1, 1, 1}, floats: []uint64{f64(1), f64(1), f64(1), f64(1), f64(1), f64(1), f64(1), f64(1)},
			stack: []uint64{1, 1, f64(1), f64(1)}, wantInt: 36 + 55, isInt: true},
		{fn: "stackmix", ints: []uint64{0, 0, 0, 0, 0, 0}, floats: make([]uint64, 8),
			stack: []uint64{7, uint64(math.Float32bits(0.5)), 3}, wantFloat: 700 + 5 + 3},
		{fn: "aligned", wantInt: 1, isInt: true},
	}
	for _, tc := range tests {
		t.Run(tc.fn, func(t *testing.T) {
			fn := Dlsym(h, tc.fn)
			if fn == 0 {
				t.Fatalf("%s not found", tc.fn)
			}
			check := func(how string, r CallResult) {
				t.Helper()
				switch {
				case tc.isInt:
					if r.Int != tc.wantInt {
						t.Errorf("%s: rax = %#x, want %#x", how, r.Int, tc.wantInt)
					}
				case tc.float32Result:
					if got := math.Float32frombits(uint32(r.Float)); float64(got) != tc.wantFloat {
						t.Errorf("%s: xmm0 = %v, want %v", how, got, tc.wantFloat)
					}
				default:
					if got := math.Float64frombits(r.Float); got != tc.wantFloat {
						t.Errorf("%s: xmm0 = %v, want %v", how, got, tc.wantFloat)
					}
				}
			}
			r, err := Call(fn, tc.ints, tc.floats, tc.stack)
			if err != nil {
				t.Fatal(err)
			}
			check("Call", r)
			// The same through the service, as a remote executor runs it.
			arg := binary.LittleEndian.AppendUint64(nil, uint64(fn))
			for _, n := range []int{len(tc.ints), len(tc.floats), len(tc.stack)} {
				arg = binary.LittleEndian.AppendUint64(arg, uint64(n))
			}
			for _, vs := range [][]uint64{tc.ints, tc.floats, tc.stack} {
				for _, v := range vs {
					arg = binary.LittleEndian.AppendUint64(arg, v)
				}
			}
			out, err := CallWrapper(BootstrapSymbols()[CallName], arg)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 16 {
				t.Fatalf("service result %d bytes, want 16", len(out))
			}
			check("service", CallResult{Int: binary.LittleEndian.Uint64(out), Float: binary.LittleEndian.Uint64(out[8:])})
		})
	}
}

func TestCallRefusesBadArguments(t *testing.T) {
	h := callLib(t)
	fn := Dlsym(h, "add3")
	if _, err := Call(0, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "null function") {
		t.Errorf("Call(0) = %v", err)
	}
	if _, err := Call(fn, make([]uint64, 7), nil, nil); err == nil || !strings.Contains(err.Error(), "7 integer") {
		t.Errorf("Call with 7 register integers = %v", err)
	}
	svc := BootstrapSymbols()[CallName]
	u := func(v ...uint64) []byte {
		var b []byte
		for _, x := range v {
			b = binary.LittleEndian.AppendUint64(b, x)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		arg  []byte
		want string
	}{
		{"empty", nil, "0 argument bytes"},
		{"ragged", []byte{1, 2, 3}, "3 argument bytes"},
		{"null", u(0, 0, 0, 0), "null function"},
		{"too many ints", u(uint64(fn), 7, 0, 0, 1, 2, 3, 4, 5, 6, 7), "at most 6, 8 and 1024"},
		{"too many floats", u(uint64(fn), 0, 9, 0), "9 float"},
		{"huge stack", u(uint64(fn), 0, 0, 1<<40), "stack arguments"},
		{"short", u(uint64(fn), 3, 0, 0, 1, 2), "want 56"},
	} {
		if _, err := CallWrapper(svc, tc.arg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: service error %v, want %q", tc.name, err, tc.want)
		}
	}
}

// BenchmarkCall compares a typed call through Call with the floor, a
// plain cgo call of a C function doing the same arithmetic.
func BenchmarkCall(b *testing.B) {
	poly := Dlsym(callLib(b), "poly")
	b.Run("Call", func(b *testing.B) {
		floats := []uint64{f64(2.5)}
		for b.Loop() {
			if _, err := Call(poly, nil, floats, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cgo-floor", func(b *testing.B) {
		for b.Loop() {
			callFloor(2.5)
		}
	})
}
