package ir

import (
	"fmt"
	"strings"
	"testing"
)

// benchFuncIR is one function of the shape gorc kaleido -emit ir gives
// the synthetic program of kgen (loops, phis, compares, calls).
const benchFuncIR = `define double @f%d(double %%x, double %%y) {
entry:
  %%multmp = fmul double %%x, 2.500000e+00
  %%addtmp = fadd double %%multmp, 1.000000e+00
  %%subtmp = fsub double %%y, 2.000000e+00
  br label %%loop

loop:
  %%b = phi double [ %%subtmp, %%entry ], [ %%addtmp3, %%ifcont ]
  %%c = phi double [ 0.000000e+00, %%entry ], [ %%addtmp2, %%ifcont ]
  %%i = phi double [ 0.000000e+00, %%entry ], [ %%nextvar, %%ifcont ]
  %%cmptmp = fcmp ult double %%addtmp, %%i
  br i1 %%cmptmp, label %%then, label %%else

then:
  %%multmp1 = fadd double %%addtmp, %%addtmp
  %%multmp2 = fmul double %%b, 3.000000e+00
  %%subtmp1 = fsub double %%multmp1, %%multmp2
  br label %%ifcont

else:
  %%multmp3 = fmul double %%b, 5.000000e-01
  %%0 = call double @g(double %%x, double %%multmp3)
  %%addtmp1 = fadd double %%multmp3, %%0
  br label %%ifcont

ifcont:
  %%iftmp = phi double [ %%subtmp1, %%then ], [ %%addtmp1, %%else ]
  %%addtmp2 = fadd double %%c, %%iftmp
  %%multmp5 = fmul double %%addtmp2, 2.500000e-01
  %%addtmp3 = fadd double %%b, %%multmp5
  %%cmptmp1 = fcmp ult double %%i, 4.000000e+00
  %%nextvar = fadd double %%i, 1.000000e+00
  br i1 %%cmptmp1, label %%loop, label %%afterloop

afterloop:
  %%cmptmp2 = fcmp ugt double %%addtmp2, 1.000000e+02
  %%booltmp = uitofp i1 %%cmptmp2 to double
  %%r = fadd double %%booltmp, %%addtmp3
  ret double %%r
}

`

// benchModuleIR returns a module of n functions of benchFuncIR's shape.
func benchModuleIR(n int) []byte {
	var sb strings.Builder
	sb.WriteString("source_filename = \"bench\"\n\ndeclare double @g(double, double)\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, benchFuncIR, i)
	}
	return []byte(sb.String())
}

// BenchmarkParse measures the eager parse of IR text (gorc run FILE.ll),
// per function of a 1,000-function module.
func BenchmarkParse(b *testing.B) {
	const n = 1000
	src := benchModuleIR(n)
	b.SetBytes(int64(len(src) / n))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += n {
		if _, err := Parse("bench.ll", src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseBody measures the parse of one function body a
// ParseLazy skipped (the parse half of a lazy first call), into an arena
// as the lazy JIT does.
func BenchmarkParseBody(b *testing.B) {
	src := benchModuleIR(b.N)
	m, lb, err := ParseLazy("bench.ll", src)
	if err != nil {
		b.Fatal(err)
	}
	arena := new(InstrArena)
	b.SetBytes(int64(len(src) / max(b.N, 1)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := m.Funcs[1+i]
		if err := lb.ParseBodyInto(f, arena); err != nil {
			b.Fatal(err)
		}
		f.Blocks = nil // compiled and dropped, as the lazy JIT does
		f.ReleaseInstrs()
	}
}

// BenchmarkParseLazy measures the lazy parse of IR text (gorc run -lazy
// FILE.ll's start-up: headers parsed, bodies skipped), per function of a
// 10,000-function module.
func BenchmarkParseLazy(b *testing.B) {
	const n = 10000
	src := benchModuleIR(n)
	b.SetBytes(int64(len(src) / n))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += n {
		if _, _, err := ParseLazy("bench.ll", src); err != nil {
			b.Fatal(err)
		}
	}
}
